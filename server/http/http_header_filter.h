/* The HTTP protocol output filter and the keep-alive question it asks of the request
 * (http_header_filter.c). Internal to the core. */
#ifndef KV_HTTP_HEADER_FILTER_H
#define KV_HTTP_HEADER_FILTER_H

#include "kv_http.h"
#include "kv_request.h"

/** The HTTP protocol output filter (status line, header fields, framing). */
apr_status_t kv_http_header_filter(kv_filter_t *f, apr_bucket_brigade *bb);

/** Did the client say this is its last request (Connection: close, or HTTP/1.0 without
 * keep-alive)? RFC 9112 section 9.6: it then sends nothing after it. */
int kv_client_closes(const kv_request_t *r);

/** May the connection stay open after the response to @a r (RFC 9112 section 9.3)? The
 * header filter's decision, made from the request record as it stands when the head is
 * written (r->clength found, r->status set) and from whether the child is exiting. */
int kv_response_can_keep_alive(const kv_request_t *r);

/** How HTTP/1 frames a response: kv_http_header_filter as the request's protocol filter,
 * which puts the chunk filter behind itself when it needs it. */
extern const kv_framing_t kv_http1_framing;

#endif
