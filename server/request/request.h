/* The request's way through the server. Internal to the core. */
#ifndef KV_REQUEST_H
#define KV_REQUEST_H

#include "kv_http.h"

/** A new request on @a c, in its own pool (a child of the connection's), with the
 * protocol output filter in its chain. */
kv_request_t *kv_request_create(kv_conn_t *c);

/** Run every phase of a read request, send the response, log it. */
void kv_process_request(kv_request_t *r);

/** Answer @a r with @a status and a short HTML body (or a redirect to Location). */
void kv_send_error_response(kv_request_t *r, int status);

/** Log the request (log_transaction hooks) once its response is out. */
void kv_request_log(kv_request_t *r);

#endif
