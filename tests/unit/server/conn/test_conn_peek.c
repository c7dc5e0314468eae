/* Tests of kv_conn_peek (server/conn/conn_peek.c) on a real loopback TCP pair: it shows the
 * first bytes without consuming them, answers with what a short read brought instead of
 * waiting for more, says "wait" on an asynchronous connection with nothing to read (which
 * then waits Timeout, server/conn/connection.c), and says when the client closed. */
#include <check.h>
#include <string.h>

#include <apr_general.h>
#include <apr_network_io.h>

#include "conn_input.h"
#include "kv_connection.h"
#include "../../check_run.h"

static apr_pool_t *pool;
static apr_socket_t *server_end, *client_end;
static kv_server_t server;

static apr_socket_t *tcp_socket(void)
{
    apr_socket_t *s;

    ck_assert_int_eq(apr_socket_create(&s, APR_INET, SOCK_STREAM, APR_PROTO_TCP, pool),
                     APR_SUCCESS);
    return s;
}

/* server_end and client_end: the two ends of one connection on 127.0.0.1. */
static void loopback_pair(void)
{
    apr_socket_t *lsn = tcp_socket();
    apr_sockaddr_t *sa;
    int listening = apr_sockaddr_info_get(&sa, "127.0.0.1", APR_INET, 0, 0, pool) == APR_SUCCESS &&
                    apr_socket_bind(lsn, sa) == APR_SUCCESS &&
                    apr_socket_listen(lsn, 1) == APR_SUCCESS &&
                    apr_socket_addr_get(&sa, APR_LOCAL, lsn) == APR_SUCCESS;

    ck_assert_msg(listening, "cannot listen on 127.0.0.1");
    client_end = tcp_socket();
    ck_assert_int_eq(apr_socket_connect(client_end, sa), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_accept(&server_end, lsn, pool), APR_SUCCESS);
    apr_socket_close(lsn);
}

static void setup(void)
{
    kvu_apr_pool_setup(&pool);
    loopback_pair();
    server = (kv_server_t){.timeout = apr_time_from_sec(5),
                           .limit_req_line = 8190,
                           .limit_req_fieldsize = 8190,
                           .limit_req_fields = 100};
}

static void teardown(void)
{
    kvu_apr_pool_teardown(pool);
}

static kv_conn_t *new_conn(void)
{
    kv_conn_t *c = kv_create_connection(pool, &server, server_end, 1, -1);

    ck_assert_ptr_nonnull(c);
    return c;
}

static void client_sends(const char *bytes)
{
    apr_size_t n = strlen(bytes);

    ck_assert_int_eq(apr_socket_send(client_end, bytes, &n), APR_SUCCESS);
    ck_assert_uint_eq(n, strlen(bytes));
}

KVU_CASE(core, "core", setup, teardown);

KVC_TEST(core, peek_consumes_nothing)
{
    kv_conn_t *c = new_conn();
    const char *buf;
    apr_size_t len;

    client_sends("PRI * HTTP/2.0\r\n");
    ck_assert_int_eq(kv_conn_peek(c, 3, &buf, &len), APR_SUCCESS);
    ck_assert_uint_ge(len, 3);
    ck_assert(memcmp(buf, "PRI", 3) == 0);
    ck_assert_int_eq(kv_conn_peek(c, 3, &buf, &len), APR_SUCCESS); /* enough: no read */
    ck_assert(memcmp(buf, "PRI", 3) == 0);
    ck_assert_int_eq(c->bytes_in, 0);
    ck_assert_uint_eq(kv_conn_input(c)->len, len);
    ck_assert_ptr_eq(kv_conn_input(c)->buf, buf);
}
END_TEST

/* Fewer bytes than wanted: what came is shown at once (a Timeout later would be too late to
 * tell a protocol from a prefix that differs already). */
KVC_TEST(core, short_read_answers_at_once)
{
    kv_conn_t *c = new_conn();
    const char *buf;
    apr_size_t len;
    apr_time_t start = apr_time_now();

    client_sends("GE");
    ck_assert_int_eq(kv_conn_peek(c, 24, &buf, &len), APR_SUCCESS);
    ck_assert_uint_eq(len, 2);
    ck_assert(memcmp(buf, "GE", 2) == 0);
    ck_assert(apr_time_now() - start < apr_time_from_sec(4));
    client_sends("T / HTTP/1.1\r\n");
    for (int i = 0; i < 16 && len < 16; i++) { /* each call reads at least a byte */
        ck_assert_int_eq(kv_conn_peek(c, 24, &buf, &len), APR_SUCCESS);
    }
    ck_assert_uint_eq(len, 16);
    ck_assert(memcmp(buf, "GET / HTTP/1.1\r\n", 16) == 0);
}
END_TEST

KVC_TEST(core, async_waits_instead_of_blocking)
{
    kv_conn_t *c = new_conn();
    const char *buf;
    apr_size_t len;
    apr_interval_time_t t;

    c->async = 1;
    ck_assert_int_eq(kv_conn_peek(c, 4, &buf, &len), APR_EAGAIN);
    ck_assert_uint_eq(len, 0);
    apr_socket_timeout_get(c->sock, &t);
    ck_assert_int_eq(t, server.timeout); /* the socket's timeout is as it was */
}
END_TEST

/* While a protocol module waits for a new connection's first bytes, the connection waits
 * Timeout, as one whose HTTP/1 head has begun, not KeepAliveTimeout. */
KVC_TEST(core, async_wait_for_first_bytes_is_timeout)
{
    kv_conn_t *c = new_conn();
    const char *buf;
    apr_size_t len;

    c->async = 1;
    server.keep_alive_timeout = apr_time_from_sec(1);
    ck_assert_int_eq(kv_conn_peek(c, 4, &buf, &len), APR_EAGAIN);
    c->state = KV_CONN_STATE_READ_REQUEST;
    ck_assert_int_eq(kv_conn_wait_timeout(c), server.timeout);
    c->keepalives = 1; /* a kept-alive connection idles between requests */
    ck_assert_int_eq(kv_conn_wait_timeout(c), server.keep_alive_timeout);
}
END_TEST

KVC_TEST(core, client_close_is_eof)
{
    kv_conn_t *c = new_conn();
    const char *buf;
    apr_size_t len;

    client_sends("x");
    apr_socket_close(client_end);
    ck_assert_int_eq(kv_conn_peek(c, 4, &buf, &len), APR_SUCCESS);
    ck_assert_uint_eq(len, 1);
    ck_assert_int_eq(kv_conn_peek(c, 4, &buf, &len), APR_EOF);
    ck_assert_uint_eq(len, 1);
    ck_assert_int_eq(buf[0], 'x');
}
END_TEST

int main(void)
{
    return kvc_run("conn_peek");
}
