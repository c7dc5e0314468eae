/* Request body framing and reading (http_body.c). Internal to the core. */
#ifndef KV_HTTP_BODY_H
#define KV_HTTP_BODY_H

#include "kv_http.h"

/**
 * Decide how the body of a freshly read request is framed (RFC 9112 section 6), refusing
 * what is ambiguous: Transfer-Encoding with Content-Length, in HTTP/1.0, or whose final
 * coding is not a single chunked; a Content-Length that is not plain digits or differs
 * between fields; a body over LimitRequestBody; an Expect other than 100-continue.
 * @param why on error: what was wrong, for the error log
 * @return 0, or the HTTP status to answer before closing the connection.
 */
int kv_body_setup(kv_request_t *r, const char **why);

/** Has the whole body of @a r (or its absence) been read, so that none of it is still on
 * its way? 0 also when the framing was never known. */
int kv_body_read_whole(const kv_request_t *r);

/** Is 100 Continue still owed to a client that will not send its body before it? */
int kv_body_awaits_continue(const kv_request_t *r);

/** Body bytes of the request the server will read and throw away to keep the connection. */
#define KV_MAX_DISCARD_BODY ((apr_off_t)1 << 20)

#endif
