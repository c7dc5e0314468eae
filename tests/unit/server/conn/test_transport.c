/* Tests of the transport stack (server/conn/transport.c) on a socket pair: layers pushed over the
 * socket see the bytes both ways, an op a layer leaves NULL passes down, a layer that must see
 * the bytes stops sendfile (the core output filter then sends file buckets through it), a
 * layer's wish for the other direction (c->sense) reaches the poller's events, pending input
 * is summed over the layers, and the write side is shut top first, each layer once. */
#include <check.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_poll.h>
#include <apr_portable.h>
#include <apr_strings.h>

#include "kv_connection.h"
#include "kv_transport.h"
#include "core_output_filter.h"
#include "../../check_run.h"

#define FILE_LEN 40000 /* more than the core reads instead of sending by sendfile */

static apr_pool_t *pool;
static kv_conn_t *c;
static int peer; /* the other end of the pair, a plain descriptor */

/* What a test layer saw and did. */
typedef struct {
    char out[FILE_LEN + 256]; /* bytes it was given to send */
    apr_size_t out_len;
    apr_size_t in_len; /* bytes it received */
    apr_size_t piece;  /* the most it writes per call (0: all) */
    apr_size_t held;   /* what its pending op says */
    int shut_calls;    /* its shutdown_write was called */
    int shut_eagain;   /* answers left with APR_EAGAIN before it shuts */
    int *order;        /* shared counter: when it shut */
    int shut_at;
} layer_t;

static void setup(void)
{
    int sv[2];
    apr_socket_t *sock = NULL;
    kv_filter_t *net;

    ck_assert_int_eq(apr_initialize(), APR_SUCCESS);
    ck_assert_int_eq(apr_pool_create(&pool, NULL), APR_SUCCESS);
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(apr_os_sock_put(&sock, &sv[0], pool), APR_SUCCESS);
    peer = sv[1];
    c = apr_pcalloc(pool, sizeof(*c));
    c->pool = pool;
    c->sock = sock;
    c->bucket_alloc = apr_bucket_alloc_create(pool);
    net = apr_pcalloc(pool, sizeof(*net));
    net->func = kv_core_output_filter;
    net->type = KV_FTYPE_NETWORK;
    net->c = c;
    c->output_filters = net;
    apr_socket_timeout_set(sock, apr_time_from_sec(5));
    kv_transport_socket(c, sock);
}

static void teardown(void)
{
    close(peer);
    apr_socket_close(c->sock);
    apr_pool_destroy(pool);
    apr_terminate();
}

/* Read exactly @a len bytes from the peer. */
static void peer_read(char *buf, size_t len)
{
    size_t got = 0;

    for (int i = 0; i < 10000 && got < len; i++) {
        ssize_t n = read(peer, buf + got, len - got);
        ck_assert_msg(n > 0, "the peer got %zu of %zu bytes", got, len);
        got += (size_t)n;
    }
    ck_assert_uint_eq(got, len);
}

static apr_status_t send_all(const char *s)
{
    struct iovec v = {.iov_base = (void *)s, .iov_len = strlen(s)};
    apr_size_t written = 0;
    apr_status_t rv = kv_transport_sendv(c, &v, 1, &written);

    ck_assert_uint_eq(written, strlen(s));
    return rv;
}

static apr_status_t watch_recv(kv_transport_t *t, char *buf, apr_size_t *len)
{
    layer_t *l = t->ctx;
    apr_status_t rv = kv_transport_layer_recv(t->next, buf, len);

    l->in_len += *len;
    return rv;
}

/* Take at most l->piece bytes (all if 0) of what it is given, keep a copy, pass them down. */
static apr_status_t record_sendv(kv_transport_t *t, const struct iovec *vec, apr_int32_t nvec,
                                 apr_size_t *written)
{
    layer_t *l = t->ctx;
    apr_size_t room = l->piece ? l->piece : sizeof(l->out);
    apr_size_t n = 0;
    struct iovec one;

    for (apr_int32_t i = 0; i < nvec && n < room; i++) {
        apr_size_t take = vec[i].iov_len < room - n ? vec[i].iov_len : room - n;

        ck_assert_uint_le(l->out_len + n + take, sizeof(l->out));
        memcpy(l->out + l->out_len + n, vec[i].iov_base, take);
        n += take;
    }
    one.iov_base = l->out + l->out_len;
    one.iov_len = n;
    apr_status_t rv = kv_transport_layer_sendv(t->next, &one, 1, written);
    l->out_len += *written;
    return rv;
}

static apr_status_t refuse_sendfile(kv_transport_t *t, apr_file_t *file, apr_off_t *offset,
                                    apr_size_t *len)
{
    (void)t, (void)file, (void)offset;
    *len = 0;
    return APR_ENOTIMPL;
}

static apr_status_t want_write_recv(kv_transport_t *t, char *buf, apr_size_t *len)
{
    (void)buf;
    *len = 0;
    t->c->sense = KV_CONN_SENSE_WANT_WRITE;
    return APR_EAGAIN;
}

static apr_size_t held(kv_transport_t *t)
{
    return ((layer_t *)t->ctx)->held;
}

static apr_status_t record_shutdown(kv_transport_t *t)
{
    layer_t *l = t->ctx;

    l->shut_calls++;
    if (l->shut_eagain > 0) {
        l->shut_eagain--;
        return APR_EAGAIN;
    }
    l->shut_at = ++*l->order;
    return APR_SUCCESS;
}

static const kv_transport_ops_t watch_ops = {.name = "watch", .recv = watch_recv};
static const kv_transport_ops_t record_ops = {.name = "record", .sendv = record_sendv};
static const kv_transport_ops_t kfile_ops = {
    .name = "kfile", .sendv = record_sendv, .sendfile = refuse_sendfile};
static const kv_transport_ops_t sense_ops = {.name = "sense", .recv = want_write_recv};
static const kv_transport_ops_t held_ops = {.name = "held", .pending = held};
static const kv_transport_ops_t shut_ops = {.name = "shut", .shutdown_write = record_shutdown};

KVU_CASE(stack_case, "stack", setup, teardown);

KVC_TEST(stack_case, socket_alone_carries_both_ways)
{
    char buf[16];
    apr_size_t n = sizeof(buf);

    ck_assert_int_eq(send_all("hello"), APR_SUCCESS);
    peer_read(buf, 5);
    ck_assert(memcmp(buf, "hello", 5) == 0);
    ck_assert_int_eq(write(peer, "world", 5), 5);
    ck_assert_int_eq(kv_transport_recv(c, buf, &n), APR_SUCCESS);
    ck_assert_uint_eq(n, 5);
    ck_assert(memcmp(buf, "world", 5) == 0);
    ck_assert_ptr_eq(kv_transport_file_taker(c), c->transport);
    ck_assert_ptr_null(c->transport->next);
    ck_assert_uint_eq(kv_transport_pending(c), 0);
}
END_TEST

KVC_TEST(stack_case, null_ops_pass_down)
{
    layer_t *w = apr_pcalloc(pool, sizeof(*w));
    kv_transport_t *bottom = c->transport;
    char buf[16];
    apr_size_t n = sizeof(buf);

    ck_assert_ptr_eq(kv_transport_push(c, &watch_ops, w)->next, bottom);
    ck_assert_int_eq(send_all("abc"), APR_SUCCESS); /* no sendv: the socket's */
    peer_read(buf, 3);
    ck_assert(memcmp(buf, "abc", 3) == 0);
    ck_assert_int_eq(write(peer, "xyz", 3), 3);
    ck_assert_int_eq(kv_transport_recv(c, buf, &n), APR_SUCCESS);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(w->in_len, 3);                      /* through the layer */
    ck_assert_ptr_eq(kv_transport_file_taker(c), bottom); /* it does not see what is sent */
}
END_TEST

KVC_TEST(stack_case, a_layer_that_sees_the_bytes_stops_sendfile)
{
    layer_t *r = apr_pcalloc(pool, sizeof(*r)), *k = apr_pcalloc(pool, sizeof(*k));
    kv_transport_t *kt;

    kv_transport_push(c, &record_ops, r);
    ck_assert_ptr_null(kv_transport_file_taker(c));
    kv_transport_push(c, &watch_ops, r);
    ck_assert_ptr_null(kv_transport_file_taker(c)); /* a layer without sendv changes nothing */
    kt = kv_transport_push(c, &kfile_ops, k);
    ck_assert_ptr_eq(kv_transport_file_taker(c), kt); /* as kTLS: takes files itself */
}
END_TEST

/* The core output filter hands a file bucket to a layer without sendfile as bytes, in the
 * pieces the layer takes, after the head before it. */
KVC_TEST(stack_case, file_buckets_come_through_a_layer_that_must_see_them)
{
    layer_t *r = apr_pcalloc(pool, sizeof(*r));
    static char want[5 + FILE_LEN], got[5 + FILE_LEN];
    char *path = apr_pstrdup(pool, "/tmp/kiva-transport-XXXXXX");
    apr_bucket_brigade *bb = apr_brigade_create(pool, c->bucket_alloc);
    apr_size_t n = FILE_LEN;
    apr_file_t *f;

    r->piece = 1000;
    kv_transport_push(c, &record_ops, r);
    memcpy(want, "head\n", 5);
    for (size_t i = 0; i < FILE_LEN; i++) {
        want[5 + i] = (char)('a' + i % 23);
    }
    ck_assert_int_eq(apr_file_mktemp(&f, path,
                                     APR_FOPEN_CREATE | APR_FOPEN_READ | APR_FOPEN_WRITE |
                                         APR_FOPEN_EXCL | APR_FOPEN_SENDFILE_ENABLED,
                                     pool),
                     APR_SUCCESS);
    ck_assert_int_eq(apr_file_write(f, want + 5, &n), APR_SUCCESS);
    apr_file_remove(path, pool);
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_heap_create("head\n", 5, NULL, c->bucket_alloc));
    apr_brigade_insert_file(bb, f, 0, FILE_LEN, pool);
    ck_assert_int_eq(kv_core_output_filter(c->output_filters, bb), APR_SUCCESS);
    ck_assert_uint_eq(r->out_len, sizeof(want));
    ck_assert(memcmp(r->out, want, sizeof(want)) == 0);
    peer_read(got, sizeof(got));
    ck_assert(memcmp(got, want, sizeof(want)) == 0);
}
END_TEST

KVC_TEST(stack_case, a_layer_sets_the_direction_the_connection_waits_for)
{
    char buf[4];
    apr_size_t n = sizeof(buf);

    c->state = KV_CONN_STATE_READ_REQUEST;
    ck_assert_int_eq(kv_conn_poll_events(c), APR_POLLIN);
    kv_transport_push(c, &sense_ops, NULL);
    ck_assert_int_eq(kv_transport_recv(c, buf, &n), APR_EAGAIN);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(c->sense, KV_CONN_SENSE_WANT_WRITE);
    ck_assert_int_eq(kv_conn_poll_events(c), APR_POLLOUT);
    c->sense = KV_CONN_SENSE_WANT_READ;
    c->state = KV_CONN_STATE_WRITE_COMPLETION;
    ck_assert_int_eq(kv_conn_poll_events(c), APR_POLLIN);
    c->sense = KV_CONN_SENSE_DEFAULT;
    ck_assert_int_eq(kv_conn_poll_events(c), APR_POLLOUT);
}
END_TEST

KVC_TEST(stack_case, pending_is_what_every_layer_holds)
{
    layer_t *a = apr_pcalloc(pool, sizeof(*a)), *b = apr_pcalloc(pool, sizeof(*b));

    kv_transport_push(c, &held_ops, a);
    kv_transport_push(c, &watch_ops, b); /* no pending op: holds nothing */
    kv_transport_push(c, &held_ops, b);
    ck_assert_uint_eq(kv_transport_pending(c), 0);
    a->held = 3;
    b->held = 4;
    ck_assert_uint_eq(kv_transport_pending(c), 7);
}
END_TEST

/* Top first, each layer once; one that waits is called again, and the layers below only
 * after it; the socket's shutdown last, which the peer sees as the end. */
KVC_TEST(stack_case, the_write_side_is_shut_top_first_each_layer_once)
{
    layer_t *low = apr_pcalloc(pool, sizeof(*low)), *top = apr_pcalloc(pool, sizeof(*top));
    int order = 0;
    char buf[4];

    low->order = top->order = &order;
    top->shut_eagain = 1;
    kv_transport_push(c, &shut_ops, low);
    kv_transport_push(c, &shut_ops, top);
    ck_assert_int_eq(kv_transport_shutdown_write(c), APR_EAGAIN);
    ck_assert_int_eq(low->shut_calls, 0);
    ck_assert_int_eq(kv_transport_shutdown_write(c), APR_SUCCESS);
    ck_assert_int_eq(top->shut_at, 1);
    ck_assert_int_eq(low->shut_at, 2);
    ck_assert_int_eq(read(peer, buf, sizeof(buf)), 0); /* the socket's own shutdown */
    ck_assert_int_eq(kv_transport_shutdown_write(c), APR_SUCCESS);
    ck_assert_int_eq(top->shut_calls, 2);
    ck_assert_int_eq(low->shut_calls, 1);
}
END_TEST

/* The layers' own closes without the socket's: the peer has not seen the end, the socket
 * still carries bytes; a later shutdown_write shuts only the socket. */
KVC_TEST(stack_case, closing_the_layers_leaves_the_socket_open)
{
    layer_t *l = apr_pcalloc(pool, sizeof(*l));
    int order = 0;
    char buf[4];

    l->order = &order;
    kv_transport_push(c, &shut_ops, l);
    ck_assert_int_eq(kv_transport_close_layers(c), APR_SUCCESS);
    ck_assert_int_eq(l->shut_calls, 1);
    ck_assert_int_eq(send_all("x"), APR_SUCCESS);
    ck_assert_int_eq(read(peer, buf, sizeof(buf)), 1);
    ck_assert_int_eq(kv_transport_shutdown_write(c), APR_SUCCESS);
    ck_assert_int_eq(read(peer, buf, sizeof(buf)), 0);
    ck_assert_int_eq(l->shut_calls, 1);
}
END_TEST

int main(void)
{
    return kvc_run("transport");
}
