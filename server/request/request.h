/* The request's way through the server. Internal to the core. */
#ifndef KV_REQUEST_H
#define KV_REQUEST_H

#include "kv_http.h"
#include "kv_request.h"


/** Answer @a r with @a status and a short HTML body (or a redirect to Location). */
void kv_send_error_response(kv_request_t *r, int status);

/** Log the request (log_transaction hooks) once its response is out. */
void kv_request_log(kv_request_t *r);

#endif
