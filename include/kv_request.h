/**
 * @file kv_request.h
 * @brief Requests that a protocol module builds itself: from a parsed head and a body source,
 * with its own framing of the response. They run the same phases, handlers, output filters
 * and logging as the requests of HTTP/1, which are built the same way (the HTTP/1 parser's
 * head, its Content-Length or chunked body, its header and chunk filters).
 *
 * The life of such a request, in the thread that serves the connection:
 * @code
 *   kv_request_t *r = kv_request_new(c, &my_framing);
 *   ... parse the head into r->pool ...
 *   kv_request_set_head(r, &head, &my_body);   (on a refusal r->status holds the answer)
 *   kv_process_request(r);                      (answers and logs, refusals too)
 *   apr_pool_destroy(r->pool);
 * @endcode
 */
#ifndef KV_REQUEST_H_PUBLIC
#define KV_REQUEST_H_PUBLIC

#include "kv_http.h"

/** A request head as a protocol received it, parsed; strings live as long as the request. */
typedef struct {
    const char *method;       /**< method token ("GET") */
    kv_method_t method_number; /**< the method's number: kv_method_number(method), which
                                    the protocol's parser has usually found already */
    const char *target;       /**< request target: origin form "/p?q", absolute form
                                   "http://host/p?q", or "*" */
    const char *protocol;     /**< the protocol as the request and CGI's SERVER_PROTOCOL
                                   name it ("HTTP/1.1") */
    int proto_num;            /**< KV_HTTP_VERSION(major, minor); 1.1 and above need Host */
    apr_table_t *headers;     /**< the request's header fields, Host among them */
    const char *request_line; /**< the request as the access log's %r shows it; NULL:
                                   "METHOD TARGET PROTOCOL" */
} kv_parsed_head_t;

/** The number of a method token; case-sensitive, as RFC 9110 says. KV_M_OTHER if unknown. */
KV_DECLARE(kv_method_t) kv_method_number(const char *method);

/**
 * Where the body of a request comes from: the protocol that received it decodes its framing.
 * kv_read_body(), kv_has_body(), kv_body_error() and kv_discard_body() ask it; every
 * handler that reads a body goes through them.
 */
typedef struct kv_body_source {
    /** Read decoded body bytes, as kv_read_body() says: APR_SUCCESS with *len > 0 (at most
     * *len on entry), APR_EOF with *len 0 at the end, another status when the body cannot be
     * read (then @a error says why). @a r is the request reading, which may be an internal
     * redirect of the request the source was given to. */
    apr_status_t (*read)(kv_request_t *r, void *ctx, char *buf, apr_size_t *len);
    /** Has the whole body been read (or was there none), so that none is still on its way? */
    int (*at_end)(const kv_request_t *r, void *ctx);
    /** The body's length when the head said it (0: no body), -1 when it is not known. */
    apr_off_t (*length)(const kv_request_t *r, void *ctx);
    /** The HTTP status of the failure that stopped a read (400, 408, 413), or 0. */
    int (*error)(const kv_request_t *r, void *ctx);
    void *ctx; /**< the source's own state, passed to each callback */
} kv_body_source_t;

/**
 * How a protocol frames responses: the output filter of type KV_FTYPE_PROTOCOL that stands
 * in place of HTTP/1's header and chunk filters, last before the connection's filters. It
 * sees the response once the content filters are done: on its first brigade r->status (0
 * means 200), r->headers_out, r->err_headers_out, r->content_type and r->clength say what
 * to send. As HTTP/1's does, it counts the body bytes it passes in r->bytes_sent, sets
 * r->eos_sent when the end of the response passes, sends no body for r->header_only, and
 * sets r->close_connection if the connection cannot serve another request after it.
 */
typedef struct kv_framing {
    const char *name;        /**< for diagnostics */
    kv_out_filter_func func; /**< the filter */
    void *ctx;               /**< the ctx each request's filter starts with (internal
                                  redirects included); the filter may put per-response
                                  state in its f->ctx, as HTTP/1's does when it is NULL */
} kv_framing_t;

/**
 * A new request on @a c, in its own pool (a child of the connection's), with nothing of a
 * head yet: parse the head into r->pool, then call kv_request_set_head().
 * @param framing how its responses are framed (HTTP/1 passes its own); NULL: not at all, the
 *                output goes to the connection's filters as it is
 */
KV_DECLARE(kv_request_t *) kv_request_new(kv_conn_t *c, const kv_framing_t *framing);

/**
 * Fill in @a r from a parsed head: method, protocol, the target split into r->uri (decoded,
 * normalised) and r->args, r->hostname from the Host field or an absolute-form target (that
 * then becomes the Host field), checked as for HTTP/1 (RFC 9112 section 3.2).
 * @param body where its body comes from; NULL: it has none
 * @return 0, or the HTTP status that refuses the head: it is logged, r->status holds it and
 *         the connection should close after the answer, which kv_process_request() sends.
 */
KV_DECLARE(int)
kv_request_set_head(kv_request_t *r, const kv_parsed_head_t *head, const kv_body_source_t *body);

/**
 * Serve a request whose head is set: choose the virtual host, run every phase (post_read_request
 * to handler), send the response through the output filters, log it (log_transaction). A
 * request refused by kv_request_set_head() gets its error answer and is logged. The caller
 * destroys r->pool afterwards.
 */
KV_DECLARE(void) kv_process_request(kv_request_t *r);

#endif
