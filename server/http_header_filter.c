/* The HTTP protocol filter: on the response's first brigade it decides the framing and
 * keep-alive, writes the status line and header fields in front of the body, and drops
 * the body of HEAD responses and of statuses that have none. */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "chunk_filter.h"
#include "core.h"
#include "http_body.h"
#include "kv_log.h"
#include "kv_mpm_common.h"
#include "request.h"

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
 * response it is writing, so it exits as soon as its work is done. */
static int server_is_retiring(void)
{
    return kv_mpm_child_exiting();
}

static int response_can_keep_alive(const kv_request_t *r)
{
    return r->server->keep_alive && !r->close_connection && !r->connection->aborted &&
           !kv_client_closes(r) && (length_is_known(r) || response_is_chunked(r)) &&
           !connection_limit_reached(r) && body_can_be_skipped(r) &&
           !kv_body_awaits_continue(r) && !server_is_retiring();
}

/* Content-Length from the brigade when it holds the whole response. */
static void find_length(kv_request_t *r, apr_bucket_brigade *bb)
{
    apr_off_t len = 0;

    if (r->clength >= 0 || APR_BRIGADE_EMPTY(bb) ||
        !APR_BUCKET_IS_EOS(APR_BRIGADE_LAST(bb))) {
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

static void add_field(apr_bucket_brigade *bb, const char *name, const char *value)
{
    apr_brigade_puts(bb, NULL, NULL, name);
    apr_brigade_puts(bb, NULL, NULL, ": ");
    apr_brigade_puts(bb, NULL, NULL, value);
    apr_brigade_puts(bb, NULL, NULL, "\r\n");
}

static int add_table_field(void *bb, const char *name, const char *value)
{
    add_field(bb, name, value);
    return 1;
}

/* The Date field of a response at @a t. It changes once a second, so each thread formats it
 * once a second and copies it otherwise. */
static void response_date(char *date, apr_time_t t)
{
    static _Thread_local apr_time_t cached_sec = -1;
    static _Thread_local char cached[APR_RFC822_DATE_LEN];
    apr_time_t sec = apr_time_sec(t);

    if (sec != cached_sec) {
        apr_rfc822_date(cached, t);
        cached_sec = sec;
    }
    memcpy(date, cached, sizeof(cached));
}

/* The status line and header fields, ready to go in front of the body. */
static apr_bucket_brigade *serialize_head(kv_request_t *r, int keep_alive, int chunked)
{
    apr_bucket_brigade *hb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    char date[APR_RFC822_DATE_LEN];
    const char *reason = kv_status_reason(r->status);

    apr_brigade_printf(hb, NULL, NULL, "%s %d %s\r\n",
                       r->proto_num >= KV_HTTP_VERSION(1, 1) ? "HTTP/1.1" : "HTTP/1.0",
                       r->status, reason ? reason : "Unknown");
    response_date(date, r->request_time);
    add_field(hb, "Date", date);
    add_field(hb, "Server", "kiva/" KV_VERSION " (Unix)");
    apr_table_do(add_table_field, hb, r->headers_out, NULL);
    apr_table_do(add_table_field, hb, r->err_headers_out, NULL);
    if (r->clength >= 0 && r->status != KV_HTTP_NOT_MODIFIED && r->status != KV_HTTP_NO_CONTENT) {
        add_field(hb, "Content-Length", apr_off_t_toa(r->pool, r->clength));
    }
    if (chunked) {
        add_field(hb, "Transfer-Encoding", "chunked");
    }
    if (keep_alive) {
        int max = r->server->keep_alive_max;
        apr_brigade_printf(hb, NULL, NULL, "Keep-Alive: timeout=%d",
                           (int)apr_time_sec(r->server->keep_alive_timeout));
        if (max > 0) {
            apr_brigade_printf(hb, NULL, NULL, ", max=%d", max - r->connection->keepalives - 1);
        }
        apr_brigade_puts(hb, NULL, NULL, "\r\n");
        add_field(hb, "Connection", "Keep-Alive");
    } else {
        add_field(hb, "Connection", "close");
    }
    if (r->content_type && status_has_body(r->status)) {
        add_field(hb, "Content-Type", r->content_type);
    }
    apr_brigade_puts(hb, NULL, NULL, "\r\n");
    return hb;
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
        find_length(r, bb);
        chunked = response_is_chunked(r);
        keep_alive = response_can_keep_alive(r);
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
