/* Request body framing and reading (http_body.c). Internal to the core. */
#ifndef KV_HTTP_BODY_H
#define KV_HTTP_BODY_H

#include "kv_http.h"
#include "kv_request.h"

/** The body of an HTTP/1 request, read from the connection as kv_body_setup() found it
 * framed (its state is r->body, so the source is the same for every request). */
extern const kv_body_source_t kv_http1_body_source;

/**
 * Decide how the body of a freshly read request is framed (RFC 9112 section 6), refusing
 * what is ambiguous: Transfer-Encoding with Content-Length, in HTTP/1.0, or whose final
 * coding is not a single chunked; a Content-Length that is not plain digits or differs
 * between fields; a body over LimitRequestBody; an Expect other than 100-continue.
 * @param why on error: what was wrong, for the error log
 * @return 0, or the HTTP status to answer before closing the connection.
 */
int kv_body_setup(kv_request_t *r, const char **why);

/** Has the whole body of @a r (or its absence) been read from its body source, so that
 * none of it is still on its way? 0 also when it has no source, or reading it failed. */
int kv_body_read_whole(const kv_request_t *r);

/** Is 100 Continue still owed to a client that will not send its body before it? (HTTP/1
 * only: 0 for a request another protocol built.) */
int kv_body_awaits_continue(const kv_request_t *r);

/** Body bytes of the request the server will read and throw away to keep the connection. */
#define KV_MAX_DISCARD_BODY ((apr_off_t)1 << 20)

#endif
