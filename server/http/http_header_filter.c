/* The HTTP protocol filter: on the response's first brigade it decides the framing and
 * keep-alive, writes the status line and header fields in front of the body, and drops
 * the body of HEAD responses and of statuses that have none. */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "chunk_filter.h"
#include "core.h"
#include "http_body.h"
#include "http_header_filter.h"
#include "kv_log.h"
#include "request.h"
#include "util_date.h"

typedef struct {
    int headers_sent;
} header_ctx_t;

/* Is @a token one of the comma-separated tokens of field @a name? */
static int header_has_token(apr_table_t *t, const char *name, const char *token)
{
    const char *v = apr_table_get(t, name);
    size_t n = strlen(token);

    while (v && *v) {
        while (*v == ' ' || *v == '\t' || *v == ',') {
            v++;
        }
        if (strncasecmp(v, token, n) == 0) {
            const char *e = v + n;
            while (*e == ' ' || *e == '\t') {
                e++;
            }
            if (*e == '\0' || *e == ',') {
                return 1;
            }
        }
        v = strchr(v, ',');
    }
    return 0;
}

/* Keep-alive, as small named checks (RFC 9112 section 9.3). */
int kv_client_closes(const kv_request_t *r)
{
    if (header_has_token(r->headers_in, "Connection", "close")) {
        return 1;
    }
    return r->proto_num < KV_HTTP_VERSION(1, 1) &&
           !header_has_token(r->headers_in, "Connection", "keep-alive");
}

static int length_is_known(const kv_request_t *r)
{
    return r->clength >= 0 || r->header_only || r->status == KV_HTTP_NOT_MODIFIED ||
           r->status == KV_HTTP_NO_CONTENT;
}

static int status_has_body(int status)
{
    return status >= 200 && status != KV_HTTP_NO_CONTENT && status != KV_HTTP_NOT_MODIFIED;
}

/* A body of unknown length to an HTTP/1.1 client goes chunked; HTTP/1.0 gets it framed by
 * the close. */
static int response_is_chunked(const kv_request_t *r)
{
    return !length_is_known(r) && r->proto_num >= KV_HTTP_VERSION(1, 1) &&
           status_has_body(r->status);
}

static int connection_limit_reached(const kv_request_t *r)
{
    int max = r->server->keep_alive_max;

    return max > 0 && r->connection->keepalives + 1 >= max;
}

static int body_can_be_skipped(const kv_request_t *r)
{
    return r->remaining <= KV_MAX_DISCARD_BODY;
}

/* A child told to finish (graceful restart or stop) ends each connection after the
 * response it is writing, so it exits as soon as its work is done. The MPM's flag is read
 * through the connection, so the protocol needs nothing of the process layer. */
static int server_is_retiring(const kv_request_t *r)
{
    const volatile sig_atomic_t *exiting = r->connection->child_exiting;

    return exiting && *exiting;
}

/* httpd's environment variables for clients with broken HTTP (Debian's setenvif.conf sets
 * them by BrowserMatch): downgrade-1.0 answers an HTTP/1.1 request as an HTTP/1.0 one (no
 * chunking, HTTP/1.0's keep-alive rules), nokeepalive closes after the response. */
static void apply_client_workarounds(kv_request_t *r)
{
    if (apr_is_empty_table(r->subprocess_env)) {
        return;
    }
    if (r->proto_num > KV_HTTP_VERSION(1, 0) && apr_table_get(r->subprocess_env, "downgrade-1.0")) {
        r->proto_num = KV_HTTP_VERSION(1, 0);
    }
    if (apr_table_get(r->subprocess_env, "nokeepalive")) {
        r->close_connection = 1;
    }
}

int kv_response_can_keep_alive(const kv_request_t *r)
{
    return r->server->keep_alive && !r->close_connection && !r->connection->aborted &&
           !kv_client_closes(r) && (length_is_known(r) || response_is_chunked(r)) &&
           !connection_limit_reached(r) && body_can_be_skipped(r) && !kv_body_awaits_continue(r) &&
           !server_is_retiring(r);
}

static apr_off_t body_length(apr_bucket_brigade *bb)
{
    apr_off_t len = 0;

    for (apr_bucket *b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        if (b->length != (apr_size_t)-1) {
            len += (apr_off_t)b->length;
        }
    }
    return len;
}

/* Content-Length from the brigade when it holds the whole response. */
static void find_length(kv_request_t *r, apr_bucket_brigade *bb)
{
    apr_off_t len = 0;

    if (r->clength >= 0 || APR_BRIGADE_EMPTY(bb) || !APR_BUCKET_IS_EOS(APR_BRIGADE_LAST(bb))) {
        return;
    }
    /* A HEAD answer's handler may send no body at all: that says nothing of the length a
     * GET would get (a compressing filter dropped the file's). */
    if (r->header_only && body_length(bb) == 0) {
        return;
    }
    for (apr_bucket *b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        if (b->length == (apr_size_t)-1) {
            return;
        }
        len += (apr_off_t)b->length;
    }
    r->clength = len;
}

/* The head is built in one buffer from the connection's bucket allocator and goes out as one
 * heap bucket: no formatting pass and no bucket per piece. */
typedef struct {
    apr_bucket_alloc_t *list;
    char *buf;
    apr_size_t len;
    apr_size_t cap;
} head_t;

#define HEAD_INITIAL 512

static void head_put(head_t *h, const char *s, apr_size_t n)
{
    if (h->len + n > h->cap) {
        apr_size_t cap = h->cap * 2 > h->len + n ? h->cap * 2 : h->len + n;
        char *buf = apr_bucket_alloc(cap, h->list);

        memcpy(buf, h->buf, h->len);
        apr_bucket_free(h->buf);
        h->buf = buf;
        h->cap = cap;
    }
    memcpy(h->buf + h->len, s, n);
    h->len += n;
}

static void head_puts(head_t *h, const char *s)
{
    head_put(h, s, strlen(s));
}

static void head_putnum(head_t *h, apr_int64_t v)
{
    char digits[24];
    char *p = digits + sizeof(digits);
    apr_uint64_t u = v < 0 ? (apr_uint64_t)0 - (apr_uint64_t)v : (apr_uint64_t)v;

    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) {
        *--p = '-';
    }
    head_put(h, p, (apr_size_t)(digits + sizeof(digits) - p));
}

static void add_field(head_t *h, const char *name, const char *value)
{
    head_puts(h, name);
    head_put(h, ": ", 2);
    head_puts(h, value);
    head_put(h, "\r\n", 2);
}

static int add_table_field(void *h, const char *name, const char *value)
{
    add_field(h, name, value);
    return 1;
}

static const char *content_type(const kv_request_t *r);

/* The status line names the version the server speaks, HTTP/1.1, whatever the request's
 * (RFC 9110 section 6.2, as httpd); only an HTTP/1.0 request with the environment variable
 * force-response-1.0 (BrowserMatch, for old clients that choke on 1.1) gets HTTP/1.0. */
static int answers_http10(const kv_request_t *r)
{
    return r->proto_num < KV_HTTP_VERSION(1, 1) &&
           apr_table_get(r->subprocess_env, "force-response-1.0") != NULL;
}

/* The status line and header fields, ready to go in front of the body. */
static apr_bucket_brigade *serialize_head(kv_request_t *r, int keep_alive, int chunked)
{
    static _Thread_local kv_date_cache_t date_cache = KV_DATE_CACHE_INIT;
    apr_bucket_alloc_t *list = r->connection->bucket_alloc;
    apr_bucket_brigade *hb = apr_brigade_create(r->pool, list);
    head_t h = {list, apr_bucket_alloc(HEAD_INITIAL, list), 0, HEAD_INITIAL};
    char date[APR_RFC822_DATE_LEN];
    const char *reason = kv_status_reason(r->status);

    head_puts(&h, answers_http10(r) ? "HTTP/1.0 " : "HTTP/1.1 ");
    head_putnum(&h, r->status);
    head_put(&h, " ", 1);
    head_puts(&h, reason ? reason : "Unknown");
    head_put(&h, "\r\n", 2);
    kv_http_date(&date_cache, date, r->request_time);
    add_field(&h, "Date", date);
    add_field(&h, "Server", kv_server_banner(r->server));
    apr_table_do(add_table_field, &h, r->headers_out, NULL);
    apr_table_do(add_table_field, &h, r->err_headers_out, NULL);
    if (r->clength >= 0 && r->status != KV_HTTP_NOT_MODIFIED && r->status != KV_HTTP_NO_CONTENT) {
        head_puts(&h, "Content-Length: ");
        head_putnum(&h, r->clength);
        head_put(&h, "\r\n", 2);
    }
    if (chunked) {
        add_field(&h, "Transfer-Encoding", "chunked");
    }
    if (keep_alive) {
        int max = r->server->keep_alive_max;

        head_puts(&h, "Keep-Alive: timeout=");
        head_putnum(&h, apr_time_sec(r->server->keep_alive_timeout));
        if (max > 0) {
            head_puts(&h, ", max=");
            head_putnum(&h, max - r->connection->keepalives - 1);
        }
        head_put(&h, "\r\n", 2);
        add_field(&h, "Connection", "Keep-Alive");
    } else {
        add_field(&h, "Connection", "close");
    }
    if (r->content_type && status_has_body(r->status)) {
        add_field(&h, "Content-Type", content_type(r));
    }
    head_put(&h, "\r\n", 2);
    APR_BRIGADE_INSERT_TAIL(hb, apr_bucket_heap_create(h.buf, h.len, apr_bucket_free, list));
    return hb;
}

const char *kv_add_default_charset(apr_pool_t *p, const char *type, const char *charset)
{
    size_t n = strcspn(type, "; \t");
    int text = (n == 10 && strncasecmp(type, "text/plain", n) == 0) ||
               (n == 9 && strncasecmp(type, "text/html", n) == 0);

    if (!charset || !*charset || !text) {
        return type;
    }
    for (const char *c = type + n; *c; c++) {
        if (strncasecmp(c, "charset=", 8) == 0) {
            return type;
        }
    }
    return apr_pstrcat(p, type, "; charset=", charset, NULL);
}

/* The Content-Type sent: r->content_type with AddDefaultCharset's charset if it needs one. */
static const char *content_type(const kv_request_t *r)
{
    const kv_core_dir_conf_t *d = kv_get_module_config(r->per_dir_config, &core_module);

    return kv_add_default_charset(r->pool, r->content_type, d->default_charset);
}

/* Remove every body bucket, keeping metadata (EOS, flush). */
static void drop_body(apr_bucket_brigade *bb)
{
    apr_bucket *b = APR_BRIGADE_FIRST(bb);

    while (b != APR_BRIGADE_SENTINEL(bb)) {
        apr_bucket *next = APR_BUCKET_NEXT(b);
        if (!APR_BUCKET_IS_METADATA(b)) {
            apr_bucket_delete(b);
        }
        b = next;
    }
}

apr_status_t kv_http_header_filter(kv_filter_t *f, apr_bucket_brigade *bb)
{
    kv_request_t *r = f->r;
    header_ctx_t *ctx = f->ctx;
    int sends_body;

    if (!ctx) {
        ctx = f->ctx = apr_pcalloc(r->pool, sizeof(*ctx));
    }
    if (!r->status) {
        r->status = KV_HTTP_OK;
    }
    sends_body = !r->header_only && status_has_body(r->status);
    if (sends_body) {
        r->bytes_sent += body_length(bb);
    }
    if (!ctx->headers_sent) {
        apr_bucket_brigade *head;
        int keep_alive, chunked;
        apply_client_workarounds(r);
        find_length(r, bb);
        chunked = response_is_chunked(r);
        keep_alive = kv_response_can_keep_alive(r);
        r->close_connection = !keep_alive;
        ctx->headers_sent = 1;
        if (!sends_body) {
            drop_body(bb);
        }
        head = serialize_head(r, keep_alive, chunked);
        if (chunked) {
            kv_chunk_filter_insert(f, head);
        } else {
            /* APR_BRIGADE_PREPEND evaluates its arguments more than once. */
            APR_BRIGADE_PREPEND(bb, head);
        }
    } else if (!sends_body) {
        drop_body(bb);
    }
    if (!APR_BRIGADE_EMPTY(bb) && APR_BUCKET_IS_EOS(APR_BRIGADE_LAST(bb))) {
        r->eos_sent = 1;
    }
    return kv_pass_brigade(f->next, bb);
}

const kv_framing_t kv_http1_framing = {"http_header", kv_http_header_filter, NULL};
