/* mod_test_protocol: a toy protocol, built with the tests and never installed, that proves
 * the protocol seam: its process_connection takes a connection whose first bytes are
 * "KVTP/1\n" (kv_conn_peek), or on which TLS's ALPN agreed on "kvtp/1" (no magic then), and
 * declines any other so that HTTP/1 serves it. On its
 * connections each request is one line "METHOD TARGET LENGTH\n", header lines
 * "Name: value\n" up to an empty line, then LENGTH body bytes; it is built with
 * kv_request.h (its body read from the connection through a body source) and its response
 * framed as "STATUS LENGTH\n" (-1 when the length is not known: the connection then closes
 * after the body) and the body bytes. Requests follow one another until the client closes.
 *
 *   LoadModule test_protocol_module tests/modules/.libs/mod_test_protocol.so
 */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "conn_input.h"
#include "kiva.h"

#define KVTP_MAGIC "KVTP/1\n"
#define KVTP_MAGIC_LEN (sizeof(KVTP_MAGIC) - 1)
/* Reads to find the end of one line: each brings at least a byte, within Timeout. */
#define KVTP_MAX_READS 4096
/* Requests on one connection, at most. */
#define KVTP_MAX_REQUESTS 10000
/* Header lines of one request, at most. */
#define KVTP_MAX_FIELDS 100

extern kv_module_t test_protocol_module;

static const char kvtp_protocol[] = "kvtp/1";

/* ---- reading the connection ---- */

/* Read more bytes into the buffer; 0, or -1 once the client closed or the read failed. */
static int read_more(kv_conn_t *c, struct kv_conn_input *in)
{
    if (in->len == in->cap && !kv_conn_input_grow(c, in)) {
        return -1;
    }
    return kv_conn_input_fill(c, in) == KV_READ_OK ? 0 : -1;
}

/* The next line (without its "\n"), consumed from the buffer, copied into @a p; NULL when
 * the connection ends first. */
static char *read_line(kv_conn_t *c, apr_pool_t *p)
{
    struct kv_conn_input *in = kv_conn_input(c);

    for (int i = 0; i < KVTP_MAX_READS; i++) {
        char *nl = memchr(in->buf, '\n', in->len);
        if (nl) {
            char *line = apr_pstrmemdup(p, in->buf, (apr_size_t)(nl - in->buf));
            kv_conn_input_consume(in, (apr_size_t)(nl - in->buf) + 1);
            return line;
        }
        if (read_more(c, in) != 0) {
            return NULL;
        }
    }
    return NULL;
}

/* ---- the body source: LENGTH bytes from the connection ---- */

typedef struct {
    apr_off_t left;
    int error;
} kvtp_body_t;

static apr_status_t body_read(kv_request_t *r, void *ctx, char *buf, apr_size_t *len)
{
    kvtp_body_t *b = ctx;
    struct kv_conn_input *in = kv_conn_input(r->connection);
    apr_size_t take;

    if (b->left == 0 || b->error) {
        *len = 0;
        return b->error ? APR_EGENERAL : APR_EOF;
    }
    if (in->len == 0 && read_more(r->connection, in) != 0) {
        b->error = KV_HTTP_BAD_REQUEST;
        r->close_connection = 1;
        *len = 0;
        return APR_EGENERAL;
    }
    take = in->len < *len ? in->len : *len;
    if ((apr_off_t)take > b->left) {
        take = (apr_size_t)b->left;
    }
    memcpy(buf, in->buf, take);
    kv_conn_input_consume(in, take);
    b->left -= (apr_off_t)take;
    *len = take;
    return APR_SUCCESS;
}

static int body_at_end(const kv_request_t *r, void *ctx)
{
    const kvtp_body_t *b = ctx;

    (void)r;
    return b->left == 0 || b->error;
}

static apr_off_t body_length(const kv_request_t *r, void *ctx)
{
    const kvtp_body_t *b = ctx;

    (void)r;
    return b->left;
}

static int body_error(const kv_request_t *r, void *ctx)
{
    const kvtp_body_t *b = ctx;

    (void)r;
    return b->error;
}

/* ---- the framing filter ---- */

typedef struct {
    int head_sent;
} kvtp_framing_t;

static int ends_response(apr_bucket_brigade *bb)
{
    return !APR_BRIGADE_EMPTY(bb) && APR_BUCKET_IS_EOS(APR_BRIGADE_LAST(bb));
}

static apr_status_t kvtp_frame(kv_filter_t *f, apr_bucket_brigade *bb)
{
    kv_request_t *r = f->r;
    kvtp_framing_t *st = f->ctx;
    apr_off_t body = 0;

    if (!st) {
        st = f->ctx = apr_pcalloc(r->pool, sizeof(*st));
    }
    if (!r->status) {
        r->status = KV_HTTP_OK;
    }
    apr_brigade_length(bb, 1, &body);
    if (!st->head_sent) {
        apr_off_t length = r->clength >= 0 ? r->clength : ends_response(bb) ? body : -1;
        char *head = apr_psprintf(r->pool, "%d %" APR_OFF_T_FMT "\n", r->status, length);

        st->head_sent = 1;
        r->close_connection = length < 0;
        APR_BRIGADE_INSERT_HEAD(
            bb, apr_bucket_pool_create(head, strlen(head), r->pool, bb->bucket_alloc));
    }
    r->bytes_sent += body;
    if (ends_response(bb)) {
        r->eos_sent = 1;
    }
    return kv_pass_brigade(f->next, bb);
}

static const kv_framing_t kvtp_framing = {"kvtp", kvtp_frame, NULL};

/* ---- the connection ---- */

/* "METHOD TARGET LENGTH" and the header lines into @a head; 0, or -1 if malformed or cut. */
static int read_head(kv_request_t *r, kv_parsed_head_t *head, kvtp_body_t *body)
{
    char *line = read_line(r->connection, r->pool), *state, *length, *end;

    if (!line) {
        return -1;
    }
    head->method = apr_strtok(line, " ", &state);
    head->target = apr_strtok(NULL, " ", &state);
    length = apr_strtok(NULL, " ", &state);
    if (!head->method || !head->target || !length) {
        return -1;
    }
    head->method_number = kv_method_number(head->method);
    body->left = (apr_off_t)strtoll(length, &end, 10);
    if (*end != '\0' || body->left < 0) {
        return -1;
    }
    head->protocol = "KVTP/1";
    head->proto_num = KV_HTTP_VERSION(1, 1);
    head->headers = apr_table_make(r->pool, 8);
    for (int i = 0; i <= KVTP_MAX_FIELDS; i++) {
        char *colon;
        if (!(line = read_line(r->connection, r->pool)) || i == KVTP_MAX_FIELDS) {
            return -1;
        }
        if (*line == '\0') {
            return 0;
        }
        if (!(colon = strchr(line, ':'))) {
            return -1;
        }
        *colon++ = '\0';
        apr_table_add(head->headers, line, colon + strspn(colon, " "));
    }
    return -1;
}

/* Serve one request; 0 if another may follow. */
static int serve_request(kv_conn_t *c)
{
    kv_request_t *r = kv_request_new(c, &kvtp_framing);
    kvtp_body_t *body = apr_pcalloc(r->pool, sizeof(*body));
    kv_body_source_t *source = apr_pcalloc(r->pool, sizeof(*source));
    kv_parsed_head_t head = {0};
    int more;

    source->read = body_read;
    source->at_end = body_at_end;
    source->length = body_length;
    source->error = body_error;
    source->ctx = body;
    if (read_head(r, &head, body) != 0) {
        apr_pool_destroy(r->pool);
        return -1;
    }
    kv_request_set_head(r, &head, source);
    kv_process_request(r);
    more = !r->close_connection && !c->aborted && kv_discard_body(r) == KV_OK;
    apr_pool_destroy(r->pool);
    return more ? 0 : -1;
}

/* Is the connection ours? 1 yes, 0 no, -1 wait until readable (asynchronous MPM). */
static int has_magic(kv_conn_t *c)
{
    /* Each call reads at least a byte or ends: the magic is decided in as many. */
    for (apr_size_t i = 0; i <= KVTP_MAGIC_LEN; i++) {
        const char *buf;
        apr_size_t len;
        apr_status_t rv = kv_conn_peek(c, KVTP_MAGIC_LEN, &buf, &len);

        if (memcmp(buf, KVTP_MAGIC, len < KVTP_MAGIC_LEN ? len : KVTP_MAGIC_LEN) != 0) {
            return 0;
        }
        if (len >= KVTP_MAGIC_LEN) {
            return 1;
        }
        if (APR_STATUS_IS_EAGAIN(rv)) {
            return -1;
        }
        if (rv != APR_SUCCESS) {
            return 0;
        }
    }
    return 0;
}

static int kvtp_process_connection(kv_conn_t *c)
{
    int ours;

    if (c->protocol) {
        /* TLS's ALPN agreed on ours (no magic then), or another protocol's; ours are served
         * in one step */
        if (strcmp(c->protocol, kvtp_protocol) != 0) {
            return KV_DECLINED;
        }
        ours = 1;
    } else {
        ours = has_magic(c);
    }
    if (ours < 0) {
        c->state = KV_CONN_STATE_READ_REQUEST;
        return KV_OK;
    }
    if (!ours) {
        return KV_DECLINED;
    }
    if (!c->protocol) {
        c->protocol = kvtp_protocol;
        kv_conn_input_consume(kv_conn_input(c), KVTP_MAGIC_LEN);
    }
    if (c->async) {
        apr_socket_timeout_set(c->sock, c->base_server->timeout); /* this toy reads blocking */
    }
    for (int served = 0; served < KVTP_MAX_REQUESTS; served++) {
        if (serve_request(c) != 0) {
            break;
        }
    }
    c->state = kv_conn_output_pending(c) ? KV_CONN_STATE_WRITE_COMPLETION : KV_CONN_STATE_LINGER;
    return KV_OK;
}

static void register_hooks(apr_pool_t *p)
{
    kv_hook_process_connection(kvtp_process_connection, NULL, NULL, KV_HOOK_MIDDLE);
    kv_protocol_register(p, kvtp_protocol); /* TLS may agree on it by ALPN */
}

kv_module_t test_protocol_module = {
    KV_MODULE_HEADER("test_protocol"),
    .register_hooks = register_hooks,
};
