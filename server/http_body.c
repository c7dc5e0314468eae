/* The request body: how it is framed (Content-Length or chunked, ambiguity refused), and
 * reading it decoded from the connection's buffer, then the socket, under Timeout and
 * LimitRequestBody. Expect: 100-continue is answered on the first read. */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "core.h"
#include "http_body.h"
#include "http_input.h"
#include "kv_log.h"
#include "request.h"

#define KV_LOG_MODULE "core"

/* Where a body read stands. A Content-Length body only uses BODY_DATA (r->remaining). */
typedef enum { BODY_CHUNK_SIZE, BODY_DATA, BODY_CHUNK_END, BODY_TRAILERS, BODY_DONE } body_state_t;

struct kv_body {
    int chunked;
    int has_body;
    int expect_continue; /* 100 Continue is owed before the first read */
    body_state_t state;
    apr_off_t chunk_left;
    apr_off_t received;
    apr_off_t limit; /* LimitRequestBody; 0 is none */
    int error;       /* HTTP status of a failed read */
};

/* ---- pure parsers ---- */

int kv_parse_chunk_size(const char *line, apr_size_t len, apr_off_t *size)
{
    const apr_off_t max = (apr_off_t)((APR_UINT64_C(1) << (sizeof(apr_off_t) * 8 - 1)) - 1);
    apr_off_t v = 0;
    apr_size_t i = 0;

    for (; i < len && apr_isxdigit(line[i]); i++) {
        int d = apr_isdigit(line[i]) ? line[i] - '0' : apr_tolower(line[i]) - 'a' + 10;
        if (v > (max - d) / 16) {
            return -1;
        }
        v = v * 16 + d;
    }
    if (i == 0) {
        return -1;
    }
    while (i < len && (line[i] == ' ' || line[i] == '\t')) {
        i++;
    }
    if (i < len && line[i] != ';') {
        return -1;
    }
    for (; i < len; i++) {
        if (line[i] == '\0' || line[i] == '\r' || line[i] == '\n') {
            return -1;
        }
    }
    *size = v;
    return 0;
}

/* Length of the trailer section (through its empty line) in buf, or 0 if it is not all here. */
static apr_size_t trailer_section_length(const char *buf, apr_size_t len)
{
    apr_size_t start = 0;

    while (start < len) {
        const char *nl = memchr(buf + start, '\n', len - start);
        apr_size_t end;
        if (!nl) {
            return 0;
        }
        end = (apr_size_t)(nl - buf) + 1;
        if (end - start == 1 || (end - start == 2 && buf[start] == '\r')) {
            return end;
        }
        start = end;
    }
    return 0;
}

int kv_parse_trailers(apr_pool_t *p, const char *buf, apr_size_t len, const kv_parse_limits_t *lim,
                      apr_table_t **out)
{
    /* Trailer fields follow the rules of header fields: give them to the head parser
     * behind a request line, so both are checked by one piece of code. */
    static const char line[] = "POST / HTTP/1.1\r\n";
    apr_size_t n = trailer_section_length(buf, len);
    apr_size_t most =
        (apr_size_t)(lim->fields_max > 0 ? lim->fields_max : 1000) * (lim->field_size_max + 2) + 2;
    kv_request_head_t head;
    char *all;

    if (n == 0) {
        return len > most ? KV_PARSE_ERROR : KV_PARSE_AGAIN;
    }
    all = apr_palloc(p, sizeof(line) - 1 + n);
    memcpy(all, line, sizeof(line) - 1);
    memcpy(all + sizeof(line) - 1, buf, n);
    memset(&head, 0, sizeof(head));
    if (kv_parse_request_head(p, all, sizeof(line) - 1 + n, lim, &head) <= 0) {
        return KV_PARSE_ERROR;
    }
    *out = head.headers;
    return (int)n;
}

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
    b->chunked = 1;
    b->has_body = 1;
    b->state = BODY_CHUNK_SIZE;
    r->trailers_in = apr_table_make(r->pool, 2);
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
    b->has_body = len > 0;
    b->state = len > 0 ? BODY_DATA : BODY_DONE;
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
    b->state = BODY_DONE;
    status = te.all ? setup_chunked(r, b, te.all, why) : setup_length(r, b, why);
    if (status == 0) {
        status = setup_expect(r, b, why);
    }
    if (status != 0) {
        b->state = BODY_DONE;
        b->has_body = 0;
    }
    return status;
}

/* ---- reading ---- */

KV_DECLARE(int) kv_has_body(const kv_request_t *r)
{
    return r->body && r->body->has_body;
}

KV_DECLARE(int) kv_body_error(const kv_request_t *r)
{
    return r->body ? r->body->error : 0;
}

int kv_body_read_whole(const kv_request_t *r)
{
    return r->body && r->body->state == BODY_DONE && !r->body->error;
}

static int body_started(const struct kv_body *b)
{
    return b->received > 0 || b->state != (b->chunked ? BODY_CHUNK_SIZE : BODY_DATA);
}

int kv_body_awaits_continue(const kv_request_t *r)
{
    const struct kv_body *b = r->body;

    return b && b->expect_continue && b->state != BODY_DONE && !body_started(b);
}

static apr_status_t body_failed(kv_request_t *r, int status, const char *why)
{
    kv_log_rerror(KV_LOG_MARK, KV_LOG_INFO, 0, r, "KV00700: reading the request body: %s", why);
    r->body->error = status;
    r->body->state = BODY_DONE;
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
    return 0;
}

/* Wait for a whole line at the start of the buffer; its length without CRLF in *len and
 * with it in *used. 0 or the status a failure answers. */
static int next_line(kv_request_t *r, struct kv_conn_input *in, apr_size_t *len, apr_size_t *used)
{
    apr_size_t most = (apr_size_t)r->server->limit_req_fieldsize + 2;
    const char *nl;
    int status;

    while ((nl = memchr(in->buf, '\n', in->len)) == NULL) {
        if (in->len > most) {
            return KV_HTTP_BAD_REQUEST;
        }
        if ((status = fill_some(r, in)) != 0) {
            return status;
        }
    }
    *used = (apr_size_t)(nl - in->buf) + 1;
    *len = *used - 1;
    if (*len > 0 && in->buf[*len - 1] == '\r') {
        (*len)--;
    }
    return *len > most ? KV_HTTP_BAD_REQUEST : 0;
}

static apr_status_t read_chunk_size(kv_request_t *r, struct kv_conn_input *in)
{
    struct kv_body *b = r->body;
    apr_size_t len, used;
    apr_off_t size;
    int status = next_line(r, in, &len, &used);

    if (status != 0) {
        return body_failed(r, status, "no chunk size line");
    }
    if (kv_parse_chunk_size(in->buf, len, &size) != 0) {
        return body_failed(r, KV_HTTP_BAD_REQUEST, "invalid chunk size");
    }
    kv_conn_input_consume(in, used);
    if (b->limit > 0 && size > b->limit - b->received) {
        return body_failed(r, KV_HTTP_REQUEST_ENTITY_TOO_LARGE,
                           "chunked body over LimitRequestBody");
    }
    b->chunk_left = size;
    b->state = size > 0 ? BODY_DATA : BODY_TRAILERS;
    return APR_SUCCESS;
}

static apr_status_t read_chunk_end(kv_request_t *r, struct kv_conn_input *in)
{
    apr_size_t len, used;
    int status = next_line(r, in, &len, &used);

    if (status != 0 || len != 0) {
        return body_failed(r, status ? status : KV_HTTP_BAD_REQUEST,
                           "chunk data not followed by CRLF");
    }
    kv_conn_input_consume(in, used);
    r->body->state = BODY_CHUNK_SIZE;
    return APR_SUCCESS;
}

static apr_status_t read_trailers(kv_request_t *r, struct kv_conn_input *in)
{
    const kv_server_t *s = r->server;
    kv_parse_limits_t lim = {(apr_size_t)s->limit_req_line, (apr_size_t)s->limit_req_fieldsize,
                             s->limit_req_fields};
    apr_table_t *fields = NULL;
    int n;

    while ((n = kv_parse_trailers(r->pool, in->buf, in->len, &lim, &fields)) == KV_PARSE_AGAIN) {
        int status = fill_some(r, in);
        if (status != 0) {
            return body_failed(r, status, "incomplete trailer section");
        }
    }
    if (n == KV_PARSE_ERROR) {
        return body_failed(r, KV_HTTP_BAD_REQUEST, "invalid trailer section");
    }
    kv_conn_input_consume(in, (apr_size_t)n);
    r->trailers_in = apr_table_overlay(r->pool, r->trailers_in, fields);
    r->body->state = BODY_DONE;
    return APR_SUCCESS;
}

/* Copy up to *len bytes of the current chunk or Content-Length body. */
static apr_status_t read_data(kv_request_t *r, struct kv_conn_input *in, char *buf, apr_size_t *len)
{
    struct kv_body *b = r->body;
    apr_off_t *left = b->chunked ? &b->chunk_left : &r->remaining;
    apr_size_t take;

    if (in->len == 0) {
        int status = fill_some(r, in);
        if (status != 0) {
            return body_failed(r, status, "body ended early");
        }
    }
    take = in->len < *len ? in->len : *len;
    if ((apr_off_t)take > *left) {
        take = (apr_size_t)*left;
    }
    memcpy(buf, in->buf, take);
    kv_conn_input_consume(in, take);
    *left -= (apr_off_t)take;
    b->received += (apr_off_t)take;
    *len = take;
    if (*left == 0) {
        b->state = b->chunked ? BODY_CHUNK_END : BODY_DONE;
    }
    return APR_SUCCESS;
}

KV_DECLARE(apr_status_t) kv_read_body(kv_request_t *r, char *buf, apr_size_t *len)
{
    struct kv_body *b = r->body;
    struct kv_conn_input *in = kv_conn_input(r->connection);
    apr_size_t room = *len;
    apr_status_t rv = APR_SUCCESS;

    *len = 0;
    if (b && b->error) {
        return APR_EGENERAL;
    }
    if (b && b->expect_continue && b->state != BODY_DONE && !response_started(r)) {
        send_continue(r);
    }
    while (rv == APR_SUCCESS && b && b->state != BODY_DONE) {
        switch (b->state) {
        case BODY_CHUNK_SIZE:
            rv = read_chunk_size(r, in);
            break;
        case BODY_DATA:
            *len = room;
            return read_data(r, in, buf, len);
        case BODY_CHUNK_END:
            rv = read_chunk_end(r, in);
            break;
        default:
            rv = read_trailers(r, in);
            break;
        }
    }
    return rv == APR_SUCCESS ? APR_EOF : rv;
}

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
