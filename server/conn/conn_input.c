/* The connection's input buffer: bytes received through the transport stack and not yet
 * consumed by a request, shared by the head reader (http_connection.c) and the body reader
 * (http_body.c). */
#include <string.h>

#include "conn_input.h"
#include "kv_log.h"
#include "kv_transport.h"

#define KV_LOG_MODULE "core"

#define INPUT_INITIAL_SIZE 8192

/* The buffer's memory comes from the connection pool's allocator and goes back to it, so
 * that growing the buffer or releasing it while the connection idles frees memory. */
static char *input_alloc(kv_conn_t *c, struct kv_conn_input *in, apr_size_t cap)
{
    apr_memnode_t *node = apr_allocator_alloc(apr_pool_allocator_get(c->pool), cap);

    if (!node) {
        return NULL;
    }
    if (in->node) {
        memcpy(node->first_avail, in->buf, in->len);
        apr_allocator_free(apr_pool_allocator_get(c->pool), in->node);
    }
    in->node = node;
    in->buf = node->first_avail;
    in->cap = cap;
    return in->buf;
}

static apr_status_t input_free(void *data)
{
    kv_conn_t *c = data;
    struct kv_conn_input *in = c->input;

    if (in && in->node) {
        apr_allocator_free(apr_pool_allocator_get(c->pool), in->node);
        in->node = NULL;
        in->buf = NULL;
        in->cap = 0;
    }
    return APR_SUCCESS;
}

struct kv_conn_input *kv_conn_input(kv_conn_t *c)
{
    const kv_server_t *s = c->base_server;
    struct kv_conn_input *in = c->input;

    if (!in) {
        in = apr_pcalloc(c->pool, sizeof(*in));
        in->c = c;
        in->max = (apr_size_t)s->limit_req_line + 2 +
                  (apr_size_t)(s->limit_req_fields ? s->limit_req_fields : 1000) *
                      ((apr_size_t)s->limit_req_fieldsize + 2) + 64;
        c->input = in;
        apr_pool_cleanup_register(c->pool, c, input_free, apr_pool_cleanup_null);
    }
    if (!in->node) {
        input_alloc(c, in, INPUT_INITIAL_SIZE < in->max ? INPUT_INITIAL_SIZE : in->max);
    }
    return in;
}

void kv_conn_input_release(kv_conn_t *c)
{
    if (c->input && c->input->len == 0) {
        input_free(c);
        c->input->line_start = 0;
    }
}

/* Offset just past the last line end in buf[from, to), or @a none if there is none. */
static apr_size_t after_last_newline(const char *buf, apr_size_t from, apr_size_t to,
                                     apr_size_t none)
{
    for (apr_size_t i = to; i > from; i--) {
        if (buf[i - 1] == '\n') {
            return i;
        }
    }
    return none;
}

void kv_conn_input_consume(struct kv_conn_input *in, apr_size_t n)
{
    in->c->bytes_in += (apr_off_t)n;
    memmove(in->buf, in->buf + n, in->len - n);
    in->len -= n;
    in->line_start = after_last_newline(in->buf, 0, in->len, 0);
}

int kv_conn_input_worth_parsing(struct kv_conn_input *in, apr_size_t old_len, apr_size_t line_limit)
{
    in->line_start = after_last_newline(in->buf, old_len, in->len, in->line_start);
    return in->line_start > old_len || in->len - in->line_start > line_limit;
}

/* The sizes double up to the limit. */
int kv_conn_input_grow(kv_conn_t *c, struct kv_conn_input *in)
{
    apr_size_t cap = in->cap * 2;

    if (in->cap >= in->max) {
        return 0;
    }
    if (cap > in->max) {
        cap = in->max;
    }
    return input_alloc(c, in, cap) != NULL;
}

KV_DECLARE(void) kv_conn_read_deadline_passed(kv_conn_t *c)
{
    kv_read_deadline_t *d = &c->read_deadline;

    if (d->stage) {
        kv_log_cerror(KV_LOG_MARK, KV_LOG_INFO, 0, c, "KV01300: Request %s read timeout",
                      d->stage);
        d->stage = NULL;
    }
}

static kv_read_result_t deadline_passed(kv_conn_t *c)
{
    kv_conn_read_deadline_passed(c);
    return KV_READ_TIMEOUT;
}

/* Each byte received pushes the deadline back (RequestReadTimeout's MinRate), up to its
 * maximum. */
static void extend_deadline(kv_read_deadline_t *d, apr_size_t n)
{
    if (d->at && d->per_byte > 0) {
        d->at += (apr_interval_time_t)n * d->per_byte;
        if (d->max_at && d->at > d->max_at) {
            d->at = d->max_at;
        }
    }
}

kv_read_result_t kv_conn_input_fill(kv_conn_t *c, struct kv_conn_input *in)
{
    apr_size_t n = in->cap - in->len;
    apr_interval_time_t timeout = 0, left = 0;
    apr_status_t rv;

    if (in->wait_expired) {
        in->wait_expired = 0;
        if (c->read_deadline.at && c->read_deadline.at <= apr_time_now()) {
            return deadline_passed(c);
        }
        return KV_READ_TIMEOUT;
    }
    if (c->read_deadline.at) {
        left = c->read_deadline.at - apr_time_now();
        if (left <= 0) {
            return deadline_passed(c);
        }
        apr_socket_timeout_get(c->sock, &timeout);
        if (timeout != 0 && (timeout < 0 || left < timeout)) {
            apr_socket_timeout_set(c->sock, left); /* this read waits until the deadline */
        } else {
            left = 0;
        }
    }
    rv = kv_transport_recv(c, in->buf + in->len, &n);
    if (left > 0) {
        apr_socket_timeout_set(c->sock, timeout);
    }
    in->len += n;
    if (n > 0) {
        extend_deadline(&c->read_deadline, n);
        return KV_READ_OK;
    }
    if (APR_STATUS_IS_EAGAIN(rv)) {
        return KV_READ_WAIT;
    }
    if (APR_STATUS_IS_TIMEUP(rv)) {
        return left > 0 ? deadline_passed(c) : KV_READ_TIMEOUT;
    }
    return APR_STATUS_IS_EOF(rv) || rv == APR_SUCCESS ? KV_READ_CLOSED : KV_READ_FAILED;
}
