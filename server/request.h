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

/** The HTTP protocol output filter (status line, header fields, framing). */
apr_status_t kv_http_header_filter(kv_filter_t *f, apr_bucket_brigade *bb);

/** Did the client say this is its last request (Connection: close, or HTTP/1.0 without
 * keep-alive)? RFC 9112 section 9.6: it then sends nothing after it. */
int kv_client_closes(const kv_request_t *r);

/** May the connection stay open after the response to @a r (RFC 9112 section 9.3)? The
 * header filter's decision, made from the request record as it stands when the head is
 * written (r->clength found, r->status set) and from whether the child is exiting. */
int kv_response_can_keep_alive(const kv_request_t *r);

/** The network filter: writes brigades to the socket with writev and sendfile. */
apr_status_t kv_core_output_filter(kv_filter_t *f, apr_bucket_brigade *bb);

/** Write completion: write what waits in c->pending without blocking; APR_EAGAIN while some
 * is left, another error once the write failed (the connection is then aborted). */
apr_status_t kv_conn_write_pending(kv_conn_t *c);

/** Body bytes of the request the server will read and throw away to keep the connection. */
#define KV_MAX_DISCARD_BODY ((apr_off_t)1 << 20)

#endif
