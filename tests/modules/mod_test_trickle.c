/* mod_test_trickle: a test-only transport layer (built in tests/, never installed) that
 * proves the HTTP code reads and writes through the transport stack whatever is in it. It
 * hands every read back one byte at a time, holding the rest (pending input, as TLS holds
 * decrypted records), and writes a random short prefix (1..64 bytes, from a generator seeded
 * with the connection id, so that a failure repeats) of what it is given. It has no sendfile:
 * file bytes must come through its sendv. Under an asynchronous MPM's non-blocking steps
 * (socket timeout 0) every third read first answers APR_EAGAIN with c->sense set to
 * WANT_WRITE, as TLS's SSL_ERROR_WANT_WRITE will; the socket is writable, so the poller wakes
 * the connection at once.
 *
 * If the environment names a file in KVT_TRICKLE_COUNTS, each connection appends a line when
 * it ends: "<bytes the layer read> <bytes it wrote> <c->bytes_in> <c->bytes_out> <aborted>
 * <blocked>", so that a test can tell a layer that was bypassed; blocked: the socket did not
 * take all of the layer's last write, so the connection may have closed with bytes unsent
 * (a client that never read them, closed at the end of write completion's Timeout). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kiva.h"
#include "kv_transport.h"

#define TRICKLE_BUF 4096
#define TRICKLE_MAX_WRITE 64

extern kv_module_t test_trickle_module;

typedef struct {
    char buf[TRICKLE_BUF];
    apr_size_t start, end; /* held input: buf[start, end) */
    apr_uint64_t rng;
    unsigned long recvs;
    apr_off_t seen_in, seen_out;
    int blocked;        /* the last write below took less than it was given */
    const char *counts; /* KVT_TRICKLE_COUNTS */
} trickle_t;

/* xorshift64*: repeatable from its seed, no state outside the connection. */
static apr_uint64_t next_random(trickle_t *tr)
{
    tr->rng ^= tr->rng >> 12;
    tr->rng ^= tr->rng << 25;
    tr->rng ^= tr->rng >> 27;
    return tr->rng * 0x2545F4914F6CDD1DULL;
}

static int non_blocking(kv_conn_t *c)
{
    apr_interval_time_t timeout = -1;

    apr_socket_timeout_get(c->sock, &timeout);
    return timeout == 0;
}

static apr_status_t trickle_recv(kv_transport_t *t, char *buf, apr_size_t *len)
{
    trickle_t *tr = t->ctx;

    if (*len == 0) {
        return APR_SUCCESS;
    }
    if (non_blocking(t->c) && ++tr->recvs % 3 == 0) {
        *len = 0;
        t->c->sense = KV_CONN_SENSE_WANT_WRITE;
        return APR_EAGAIN;
    }
    if (tr->start == tr->end) {
        apr_size_t n = sizeof(tr->buf);
        apr_status_t rv = kv_transport_layer_recv(t->next, tr->buf, &n);

        if (n == 0) {
            *len = 0;
            return rv == APR_SUCCESS ? APR_EOF : rv;
        }
        tr->start = 0;
        tr->end = n;
        tr->seen_in += (apr_off_t)n;
    }
    buf[0] = tr->buf[tr->start++];
    *len = 1;
    return APR_SUCCESS;
}

static apr_status_t trickle_sendv(kv_transport_t *t, const struct iovec *vec, apr_int32_t nvec,
                                  apr_size_t *written)
{
    trickle_t *tr = t->ctx;
    char piece[TRICKLE_MAX_WRITE];
    apr_size_t want = 1 + (apr_size_t)(next_random(tr) % TRICKLE_MAX_WRITE);
    apr_size_t n = 0;
    struct iovec out;
    apr_status_t rv;

    for (apr_int32_t i = 0; i < nvec && n < want; i++) {
        apr_size_t take = vec[i].iov_len < want - n ? vec[i].iov_len : want - n;

        memcpy(piece + n, vec[i].iov_base, take);
        n += take;
    }
    *written = 0;
    if (n == 0) {
        return APR_SUCCESS;
    }
    out.iov_base = piece;
    out.iov_len = n;
    rv = kv_transport_layer_sendv(t->next, &out, 1, written);
    tr->seen_out += (apr_off_t)*written;
    tr->blocked = rv != APR_SUCCESS || *written < n;
    return rv;
}

static apr_size_t trickle_pending(kv_transport_t *t)
{
    const trickle_t *tr = t->ctx;

    return tr->end - tr->start;
}

static const kv_transport_ops_t trickle_ops = {
    .name = "trickle",
    .recv = trickle_recv,
    .sendv = trickle_sendv,
    .pending = trickle_pending,
};

/* One line per connection, written whole with O_APPEND: processes and threads share the
 * file. */
static apr_status_t write_counts(void *data)
{
    kv_transport_t *t = data;
    const trickle_t *tr = t->ctx;
    char line[160];
    int fd, n;

    n = snprintf(
        line, sizeof(line),
        "%" APR_OFF_T_FMT " %" APR_OFF_T_FMT " %" APR_OFF_T_FMT " %" APR_OFF_T_FMT " %d %d\n",
        tr->seen_in, tr->seen_out, t->c->bytes_in, t->c->bytes_out, t->c->aborted, tr->blocked);
    fd = open(tr->counts, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
    if (fd >= 0) {
        ssize_t w = write(fd, line, (size_t)n);
        (void)w;
        close(fd);
    }
    return APR_SUCCESS;
}

static int trickle_pre_connection(kv_conn_t *c, void *csd)
{
    trickle_t *tr = apr_pcalloc(c->pool, sizeof(*tr));
    kv_transport_t *t;

    (void)csd;
    tr->rng = ((apr_uint64_t)c->id + 1) * 0x9E3779B97F4A7C15ULL;
    tr->counts = getenv("KVT_TRICKLE_COUNTS");
    t = kv_transport_push(c, &trickle_ops, tr);
    if (tr->counts && *tr->counts) {
        apr_pool_cleanup_register(c->pool, t, write_counts, apr_pool_cleanup_null);
    }
    return KV_OK;
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    kv_hook_pre_connection(trickle_pre_connection, NULL, NULL, KV_HOOK_MIDDLE);
}

kv_module_t test_trickle_module = {
    KV_MODULE_HEADER("test_trickle"),
    .register_hooks = register_hooks,
};
