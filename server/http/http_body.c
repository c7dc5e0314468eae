/* The request body: reading it through the request's body source (kv_request.h), and the
 * source of HTTP/1: how its body is framed (Content-Length or chunked, ambiguity refused),
 * read from the connection's buffer, then the socket, under Timeout and LimitRequestBody; a
 * chunked body goes through the pure decoder of http_chunked.c, which this file only feeds.
 * Expect: 100-continue is answered on the first read. */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "core.h"
#include "http_body.h"
#include "http_chunked.h"
#include "conn_input.h"
#include "kv_transport.h"
#include "kv_log.h"
#include "protocol.h"

#define KV_LOG_MODULE "core"

struct kv_body {
    int chunked;
    int has_body;
    int expect_continue; /* 100 Continue is owed before the first read */
    int done;            /* the whole body has been read, or reading it failed */
    apr_off_t length;    /* Content-Length */
    apr_off_t received;  /* bytes of the body taken from the connection, framing included */
    apr_off_t limit;     /* LimitRequestBody; 0 is none */
    int error;           /* HTTP status of a failed read */
    kv_chunked_t dec;    /* a chunked body's decoder */
};

/* ---- framing ---- */

typedef struct {
    apr_pool_t *pool;
    const char *all;
    int count;
} field_values_t;

static int collect_value(void *acc, const char *key, const char *value)
{
    field_values_t *fv = acc;

    (void)key;
    fv->all = fv->all ? apr_pstrcat(fv->pool, fv->all, ", ", value, NULL) : value;
    fv->count++;
    return 1;
}

/* Every field named @a name joined with ", " (NULL if none), as one list. */
static field_values_t field_values(const kv_request_t *r, const char *name)
{
    field_values_t fv = {r->pool, NULL, 0};

    apr_table_do(collect_value, &fv, r->headers_in, name, NULL);
    return fv;
}

/* The transfer codings of a request (RFC 9112 section 6.1): 0 when chunked is there once
 * and last; else 400, or 501 for a well-framed list with a coding kiva cannot decode. */
static int check_transfer_codings(apr_pool_t *p, const char *list)
{
    char *copy = apr_pstrdup(p, list), *state, *tok;
    int chunked = 0, others = 0, last_chunked = 0;

    for (tok = apr_strtok(copy, ",", &state); tok; tok = apr_strtok(NULL, ",", &state)) {
        char *semi = strchr(tok, ';');
        if (semi) {
            *semi = '\0';
        }
        apr_collapse_spaces(tok, tok);
        if (*tok == '\0') {
            continue;
        }
        last_chunked = strcasecmp(tok, "chunked") == 0;
        chunked += last_chunked;
        others += !last_chunked;
    }
    if (chunked != 1 || !last_chunked) {
        return KV_HTTP_BAD_REQUEST;
    }
    return others ? KV_HTTP_NOT_IMPLEMENTED : 0;
}

static int setup_chunked(kv_request_t *r, struct kv_body *b, const char *te, const char **why)
{
    kv_chunked_limits_t lim;
    int status;

    if (r->proto_num < KV_HTTP_VERSION(1, 1)) {
        *why = "Transfer-Encoding in an HTTP/1.0 request";
        return KV_HTTP_BAD_REQUEST;
    }
    if (apr_table_get(r->headers_in, "Content-Length")) {
        *why = "both Transfer-Encoding and Content-Length";
        return KV_HTTP_BAD_REQUEST;
    }
    if ((status = check_transfer_codings(r->pool, te)) != 0) {
        *why = apr_psprintf(r->pool, "unusable Transfer-Encoding '%s'", te);
        return status;
    }
    lim.line_max = (apr_size_t)r->server->limit_req_fieldsize;
    lim.fields_max = r->server->limit_req_fields;
    lim.body_max = b->limit;
    kv_chunked_init(&b->dec, r->pool, &lim);
    b->chunked = 1;
    b->has_body = 1;
    b->done = 0;
    r->trailers_in = b->dec.trailers;
    return 0;
}

/* Every Content-Length field must be plain digits and say the same (a list is refused, as
 * httpd does). */
static int setup_length(kv_request_t *r, struct kv_body *b, const char **why)
{
    const apr_array_header_t *h = apr_table_elts(r->headers_in);
    const apr_table_entry_t *e = (const apr_table_entry_t *)h->elts;
    apr_off_t len = 0;
    int seen = 0;

    for (int i = 0; i < h->nelts; i++) {
        apr_off_t v;
        if (strcasecmp(e[i].key, "Content-Length") != 0) {
            continue;
        }
        if (kv_parse_content_length(e[i].val, &v) != 0 || (seen && v != len)) {
            *why = "invalid or conflicting Content-Length";
            return KV_HTTP_BAD_REQUEST;
        }
        len = v;
        seen = 1;
    }
    if (b->limit > 0 && len > b->limit) {
        *why = apr_psprintf(r->pool,
                            "request body of %" APR_OFF_T_FMT
                            " bytes is over LimitRequestBody %" APR_OFF_T_FMT,
                            len, b->limit);
        return KV_HTTP_REQUEST_ENTITY_TOO_LARGE;
    }
    r->remaining = len;
    b->length = len;
    b->has_body = len > 0;
    b->done = len == 0;
    return 0;
}

static int setup_expect(kv_request_t *r, struct kv_body *b, const char **why)
{
    const char *expect = apr_table_get(r->headers_in, "Expect");

    if (!expect || !*expect) {
        return 0;
    }
    if (strcasecmp(expect, "100-continue") != 0) {
        *why = apr_psprintf(r->pool, "unsupported Expect '%s'", expect);
        return KV_HTTP_EXPECTATION_FAILED;
    }
    b->expect_continue = r->proto_num >= KV_HTTP_VERSION(1, 1) && b->has_body;
    return 0;
}

int kv_body_setup(kv_request_t *r, const char **why)
{
    struct kv_body *b = apr_pcalloc(r->pool, sizeof(*b));
    field_values_t te = field_values(r, "Transfer-Encoding");
    int status;

    r->body = b;
    b->limit = kv_limit_req_body(r);
    b->done = 1;
    status = te.all ? setup_chunked(r, b, te.all, why) : setup_length(r, b, why);
    if (status == 0) {
        status = setup_expect(r, b, why);
    }
    if (status != 0) {
        b->done = 1;
        b->has_body = 0;
    }
    return status;
}

/* ---- reading, whatever the source ---- */

KV_DECLARE(int) kv_has_body(const kv_request_t *r)
{
    const kv_body_source_t *src = r->body_source;

    return src && src->length(r, src->ctx) != 0;
}

KV_DECLARE(int) kv_body_error(const kv_request_t *r)
{
    const kv_body_source_t *src = r->body_source;

    return src ? src->error(r, src->ctx) : 0;
}

int kv_body_read_whole(const kv_request_t *r)
{
    const kv_body_source_t *src = r->body_source;

    return src && src->at_end(r, src->ctx) && !src->error(r, src->ctx);
}

KV_DECLARE(apr_status_t) kv_read_body(kv_request_t *r, char *buf, apr_size_t *len)
{
    const kv_body_source_t *src = r->body_source;
    apr_status_t rv;

    if (!src) {
        *len = 0;
        return APR_EOF;
    }
    rv = src->read(r, src->ctx, buf, len);
    if (rv == APR_SUCCESS) {
        r->remaining -= (apr_off_t)*len < r->remaining ? (apr_off_t)*len : r->remaining;
    }
    return rv;
}

/* ---- the body of HTTP/1 ---- */

int kv_body_awaits_continue(const kv_request_t *r)
{
    const struct kv_body *b = r->body;

    return b && b->expect_continue && !b->done && b->received == 0;
}

static apr_status_t body_failed(kv_request_t *r, int status, const char *why)
{
    kv_log_rerror(KV_LOG_MARK, KV_LOG_INFO, 0, r, "KV00700: reading the request body: %s", why);
    r->body->error = status;
    r->body->done = 1;
    r->close_connection = 1;
    return APR_EGENERAL;
}

static int response_started(const kv_request_t *r)
{
    return r->eos_sent || r->bytes_sent > 0;
}

static void send_continue(kv_request_t *r)
{
    kv_conn_t *c = r->connection;
    apr_bucket_brigade *bb = apr_brigade_create(r->pool, c->bucket_alloc);

    r->body->expect_continue = 0;
    apr_brigade_puts(bb, NULL, NULL, "HTTP/1.1 100 Continue\r\n\r\n");
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_flush_create(c->bucket_alloc));
    kv_pass_brigade(c->output_filters, bb);
}

/* Make sure the buffer holds something; 0 or the status a failure answers. */
static int fill_some(kv_request_t *r, struct kv_conn_input *in)
{
    kv_read_result_t rr;

    if (in->len == in->cap && !kv_conn_input_grow(r->connection, in)) {
        return KV_HTTP_BAD_REQUEST;
    }
    rr = kv_conn_input_fill(r->connection, in);
    if (rr == KV_READ_TIMEOUT) {
        return KV_HTTP_REQUEST_TIME_OUT;
    }
    if (rr != KV_READ_OK) {
        r->connection->aborted = 1;
        return KV_HTTP_BAD_REQUEST;
    }
    /* What a transport layer holds comes without waiting: take it while there is room, so
     * that the body goes on in pieces as large as the buffer, not as the layer's reads. */
    while (in->len < in->cap && kv_transport_pending(r->connection) > 0 &&
           kv_conn_input_fill(r->connection, in) == KV_READ_OK) {
    }
    return 0;
}

/* Copy up to *len bytes of a Content-Length body. */
static apr_status_t read_length(kv_request_t *r, struct kv_conn_input *in, char *buf,
                                apr_size_t *len)
{
    struct kv_body *b = r->body;
    apr_size_t take;

    if (in->len == 0) {
        int status = fill_some(r, in);
        if (status != 0) {
            return body_failed(r, status, "body ended early");
        }
    }
    take = in->len < *len ? in->len : *len;
    if ((apr_off_t)take > r->remaining) {
        take = (apr_size_t)r->remaining;
    }
    memcpy(buf, in->buf, take);
    kv_conn_input_consume(in, take);
    b->received += (apr_off_t)take;
    b->done = r->remaining == (apr_off_t)take; /* kv_read_body() counts r->remaining down */
    *len = take;
    return APR_SUCCESS;
}

/* Feed the decoder until it gives up to *len bytes of data, the end, or an error. */
static apr_status_t read_chunked(kv_request_t *r, struct kv_conn_input *in, char *buf,
                                 apr_size_t *len)
{
    struct kv_body *b = r->body;
    apr_size_t room = *len;

    *len = 0;
    for (;;) {
        kv_chunked_out_t out;
        kv_chunked_result_t rc = kv_chunked_decode(&b->dec, in->buf, in->len, room, &out);
        int status;

        if (rc == KV_CHUNKED_DATA) {
            memcpy(buf, out.data, out.data_len); /* before the buffer moves */
            *len = out.data_len;
        }
        kv_conn_input_consume(in, out.used);
        b->received += (apr_off_t)out.used;
        if (rc == KV_CHUNKED_DATA) {
            return APR_SUCCESS;
        }
        if (rc == KV_CHUNKED_DONE) {
            b->done = 1;
            return APR_EOF;
        }
        if (rc == KV_CHUNKED_ERROR) {
            return body_failed(r, b->dec.status, b->dec.reason);
        }
        if ((status = fill_some(r, in)) != 0) {
            return body_failed(r, status, "chunked body ended early");
        }
    }
}

static apr_status_t http1_read(kv_request_t *r, void *ctx, char *buf, apr_size_t *len)
{
    struct kv_body *b = r->body;
    struct kv_conn_input *in;

    (void)ctx;
    if (!b || b->done) {
        *len = 0;
        return b && b->error ? APR_EGENERAL : APR_EOF;
    }
    if (b->expect_continue && !response_started(r)) {
        send_continue(r);
    }
    in = kv_conn_input(r->connection);
    return b->chunked ? read_chunked(r, in, buf, len) : read_length(r, in, buf, len);
}

static int http1_at_end(const kv_request_t *r, void *ctx)
{
    (void)ctx;
    return r->body && r->body->done;
}

static apr_off_t http1_length(const kv_request_t *r, void *ctx)
{
    const struct kv_body *b = r->body;

    (void)ctx;
    return !b || !b->has_body ? 0 : b->chunked ? -1 : b->length;
}

static int http1_error(const kv_request_t *r, void *ctx)
{
    (void)ctx;
    return r->body ? r->body->error : 0;
}

const kv_body_source_t kv_http1_body_source = {
    .read = http1_read,
    .at_end = http1_at_end,
    .length = http1_length,
    .error = http1_error,
};

/* ---- discarding, whatever the source ---- */

KV_DECLARE(int) kv_discard_body(kv_request_t *r)
{
    char buf[8192];
    apr_off_t thrown = 0;
    apr_status_t rv;

    if (kv_body_awaits_continue(r) && response_started(r)) {
        /* The client waits for a 100 it will not get: whether its body comes is unknown. */
        r->close_connection = 1;
        return KV_HTTP_EXPECTATION_FAILED;
    }
    if (kv_body_read_whole(r)) {
        return KV_OK; /* nothing is left (most requests have no body) */
    }
    do {
        apr_size_t len = sizeof(buf);
        if (response_started(r) && thrown > KV_MAX_DISCARD_BODY) {
            r->close_connection = 1;
            return KV_HTTP_REQUEST_ENTITY_TOO_LARGE;
        }
        rv = kv_read_body(r, buf, &len);
        thrown += (apr_off_t)len;
    } while (rv == APR_SUCCESS);
    return rv == APR_EOF ? KV_OK : kv_body_error(r);
}
