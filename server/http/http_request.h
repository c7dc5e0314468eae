/* A request's head as HTTP means it (http_request.c); kv_request_set_head is public
 * (include/kv_request.h). Internal to the core. */
#ifndef KV_HTTP_REQUEST_H
#define KV_HTTP_REQUEST_H

#include "kv_request.h"

/** Refuse the head of @a r: log @a why, answer @a status, close the connection after. */
void kv_request_refuse(kv_request_t *r, int status, const char *why);

#endif
