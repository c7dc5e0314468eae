/* Tests of a connection served step by step (server/conn/connection.c, core_output_filter.c), on
 * a real loopback TCP pair: the end of a response the socket does not take is set aside and
 * survives the request's pool (write completion), and a lingering close drains and closes
 * without blocking; a response asks its connection whether the child is finishing. */
/* Moved from tests/unit/server/test_conn_async.c (server/ split into layer folders). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_network_io.h>
#include <apr_poll.h>
#include <apr_strings.h>

#include "config_walk.h"
#include "core.h"
#include "core_output_filter.h"
#include "conn_input.h"
#include "http_header_filter.h"
#include "inproc.h"
#include "kv_connection.h"
#include "kv_mpm_common.h"
#include "module.h"
#include "request.h"
#include "../../check_run.h"

#define BIG (2 * 1024 * 1024)
#define FILE_SIZE (512 * 1024)

static apr_pool_t *pool;
static apr_socket_t *server_end, *client_end;
static kv_server_t server;

/* A connected pair on 127.0.0.1 with small buffers, so that the socket soon takes no more:
 * server_end as accepted, client_end as connected. */
static void setup(void)
{
    kvu_apr_pool_setup(&pool);
    apr_hook_global_pool = pool;
    kvu_tcp_pair(pool, &server_end, &client_end, 4096);
    memset(&server, 0, sizeof(server));
    server.timeout = apr_time_from_sec(5);
    server.keep_alive_timeout = apr_time_from_sec(5);
    server.limit_req_line = 8190;
    server.limit_req_fieldsize = 8190;
    server.limit_req_fields = 100;
}

static void teardown(void)
{
    apr_hook_deregister_all();
    kvu_apr_pool_teardown(pool);
}

static kv_conn_t *async_conn(void)
{
    apr_pool_t *ptrans;
    kv_conn_t *c;

    ck_assert_int_eq(apr_pool_create(&ptrans, pool), APR_SUCCESS);
    c = kv_create_connection(ptrans, &server, server_end, 1, -1);
    ck_assert_ptr_nonnull(c);
    c->async = 1;
    return c;
}

/* Read what the client end has now (without waiting) into buf at *got. */
static void read_some(char *buf, apr_size_t cap, apr_size_t *got)
{
    apr_socket_timeout_set(client_end, 0);
    for (;;) {
        apr_size_t n = cap - *got;

        if (n == 0 || apr_socket_recv(client_end, buf + *got, &n) != APR_SUCCESS || n == 0) {
            return;
        }
        *got += n;
    }
}

static char *pattern(apr_pool_t *p, apr_size_t len, char seed)
{
    char *b = apr_palloc(p, len);

    for (apr_size_t i = 0; i < len; i++) {
        b[i] = (char)(seed + (char)(i % 251));
    }
    return b;
}

KVC_CASE(conn_async, .name = "conn_async", .setup = setup, .teardown = teardown, .timeout = 30);

KVC_TEST(conn_async, unwritten_end_of_response_outlives_the_request)
{
    kv_conn_t *c = async_conn();
    apr_pool_t *rpool;
    apr_bucket_brigade *bb;
    apr_file_t *f;
    char *path, *want, *got = malloc(BIG + FILE_SIZE);
    apr_size_t n = FILE_SIZE, have = 0;
    apr_status_t rv = APR_EAGAIN;

    ck_assert_int_eq(apr_pool_create(&rpool, c->pool), APR_SUCCESS);
    want = pattern(pool, BIG + FILE_SIZE, 'a');
    path = apr_pstrdup(pool, "/tmp/kiva-conn-async-XXXXXX");
    ck_assert_int_eq(apr_file_mktemp(&f, path, 0, rpool), APR_SUCCESS);
    ck_assert_int_eq(apr_file_write(f, want + BIG, &n), APR_SUCCESS);
    bb = apr_brigade_create(rpool, c->bucket_alloc);
    /* transient: points into the request's memory, which is about to go */
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_transient_create(apr_pmemdup(rpool, want, BIG), BIG,
                                                            c->bucket_alloc));
    apr_brigade_insert_file(bb, f, 0, FILE_SIZE, rpool);
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(c->bucket_alloc));
    ck_assert_int_eq(kv_core_output_filter(c->output_filters, bb), APR_SUCCESS);
    ck_assert_msg(kv_conn_output_pending(c), "2.5 MiB went out without the client reading");
    apr_pool_destroy(rpool); /* the request ends; what waits must not depend on it */
    apr_file_remove(path, pool);
    for (int i = 0; i < 100000 && APR_STATUS_IS_EAGAIN(rv); i++) {
        read_some(got, BIG + FILE_SIZE, &have);
        rv = kv_conn_write_pending(c);
    }
    ck_assert_int_eq(rv, APR_SUCCESS);
    ck_assert(!kv_conn_output_pending(c));
    for (int i = 0; i < 100000 && have < BIG + FILE_SIZE; i++) {
        read_some(got, BIG + FILE_SIZE, &have);
    }
    ck_assert_uint_eq(have, BIG + FILE_SIZE);
    ck_assert(memcmp(got, want, BIG + FILE_SIZE) == 0);
    free(got);
}
END_TEST

KVC_TEST(conn_async, small_response_is_written_at_once)
{
    kv_conn_t *c = async_conn();
    apr_bucket_brigade *bb = apr_brigade_create(c->pool, c->bucket_alloc);
    char buf[64];
    apr_size_t have = 0;

    apr_brigade_puts(bb, NULL, NULL, "HTTP/1.1 200 OK\r\n\r\nhi");
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(c->bucket_alloc));
    ck_assert_int_eq(kv_core_output_filter(c->output_filters, bb), APR_SUCCESS);
    ck_assert(!kv_conn_output_pending(c));
    apr_socket_timeout_set(client_end, apr_time_from_sec(5));
    for (int i = 0; i < 100 && have < 21; i++) {
        apr_size_t n = sizeof(buf) - have;
        ck_assert_int_eq(apr_socket_recv(client_end, buf + have, &n), APR_SUCCESS);
        have += n;
    }
    ck_assert_uint_eq(have, 21);
    ck_assert(memcmp(buf, "HTTP/1.1 200 OK\r\n\r\nhi", 21) == 0);
}
END_TEST

KVC_TEST(conn_async, lingering_close_drains_then_closes)
{
    kv_conn_t *c = async_conn();
    apr_size_t n = 5;
    kv_conn_state_t state;

    c->state = KV_CONN_STATE_WRITE_COMPLETION;
    c->pending = apr_brigade_create(c->pool, c->bucket_alloc);
    c->keepalive = 0;
    /* nothing pending and no keep-alive: the step goes to a lingering close */
    ck_assert_int_eq(kv_conn_step(c), KV_CONN_STATE_LINGER);
    ck_assert_int_eq(apr_socket_send(client_end, "extra", &n), APR_SUCCESS);
    apr_socket_shutdown(client_end, APR_SHUTDOWN_WRITE);
    state = KV_CONN_STATE_LINGER;
    for (int i = 0; i < 100000 && state == KV_CONN_STATE_LINGER; i++) {
        state = kv_conn_step(c);
    }
    ck_assert_int_eq(state, KV_CONN_STATE_CLOSED);
    ck_assert_ptr_null(c->sock);
}
END_TEST

/* A module's read deadline for heads (as mod_reqtimeout sets one): 300 ms. */
static void short_head_deadline(kv_conn_t *c)
{
    c->read_deadline.at = apr_time_now() + apr_time_from_msec(300);
    c->read_deadline.stage = "header";
}

static void send_client(const char *bytes)
{
    apr_size_t n = strlen(bytes);

    ck_assert_int_eq(apr_socket_send(client_end, bytes, &n), APR_SUCCESS);
    ck_assert_uint_eq(n, strlen(bytes));
}

/* Wait (bounded) until the server end has bytes to read. */
static void wait_readable(void)
{
    apr_pollfd_t pfd = {.p = pool, .desc_type = APR_POLL_SOCKET, .reqevents = APR_POLLIN,
                        .desc.s = server_end};
    apr_int32_t n = 0;

    ck_assert_int_eq(apr_poll(&pfd, 1, &n, apr_time_from_sec(5)), APR_SUCCESS);
}

/* Half a head: the step returns to wait for the rest, with the bytes kept and the head's
 * deadline the bound of the wait; each step reads on; the wait running out with the request
 * line incomplete on a kept-alive connection closes it without an answer. */
KVC_TEST(conn_async, half_head_waits_with_its_bytes)
{
    kv_conn_t *c = async_conn();
    apr_interval_time_t wait;
    char buf[64];
    apr_size_t n = sizeof(buf);

    kv_hook_process_connection(kv_http_process_connection, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_pre_read_request(short_head_deadline, NULL, NULL, KV_HOOK_MIDDLE);
    send_client("GET /f HT");
    wait_readable();
    ck_assert_int_eq(kv_conn_step(c), KV_CONN_STATE_READ_REQUEST);
    ck_assert_uint_eq(c->input->len, 9);
    wait = kv_conn_wait_timeout(c);
    ck_assert_msg(wait > 0 && wait <= apr_time_from_msec(300), "waits %ld us", (long)wait);
    kv_conn_release_idle(c);
    ck_assert_uint_eq(c->input->len, 9);
    send_client("TP/1.1");
    wait_readable();
    ck_assert_int_eq(kv_conn_step(c), KV_CONN_STATE_READ_REQUEST);
    ck_assert_uint_eq(c->input->len, 15);
    ck_assert_str_eq(c->read_deadline.stage, "header"); /* once per head, not per step */
    c->keepalives = 1;
    ck_assert_int_ne(kv_conn_expire(c), KV_CONN_STATE_READ_REQUEST);
    ck_assert_uint_eq(c->input->len, 0);
    apr_socket_timeout_set(client_end, apr_time_from_sec(5));
    ck_assert_int_eq(apr_socket_recv(client_end, buf, &n), APR_EOF); /* nothing was sent */
}
END_TEST

/* Between requests the wait is KeepAliveTimeout's; any other wait that runs out closes. */
KVC_TEST(conn_async, idle_wait_is_keepalive_timeout)
{
    kv_conn_t *c = async_conn();

    server.keep_alive_timeout = apr_time_from_sec(7);
    c->state = KV_CONN_STATE_READ_REQUEST;
    c->keepalives = 1;
    ck_assert_int_eq(kv_conn_wait_timeout(c), apr_time_from_sec(7));
    c->state = KV_CONN_STATE_WRITE_COMPLETION;
    ck_assert_int_eq(kv_conn_wait_timeout(c), apr_time_from_sec(5));
    ck_assert_int_eq(kv_conn_expire(c), KV_CONN_STATE_CLOSED);
    ck_assert_ptr_null(c->sock);
}
END_TEST

/* Send an empty 200 to a new request on @a c; does its response end the connection? */
static int response_closes(kv_conn_t *c)
{
    kv_request_t *r = kv_request_new(c, &kv_http1_framing);
    apr_bucket_brigade *bb = apr_brigade_create(r->pool, c->bucket_alloc);
    int closes;

    r->clength = 0;
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(c->bucket_alloc));
    ck_assert_int_eq(kv_pass_brigade(r->output_filters, bb), APR_SUCCESS);
    closes = r->close_connection;
    apr_pool_destroy(r->pool);
    return closes;
}

/* The header filter asks the connection, not the process layer, whether the child serving it
 * is finishing (graceful restart or stop): the MPM's flag, which a new connection points at. */
KVC_TEST(conn_async, retiring_child_ends_the_connection)
{
    static volatile sig_atomic_t exiting;
    kv_server_t *s = kv_server_create(pool);
    apr_pool_t *ptrans;
    kv_conn_t *c;

    kv_modules_reset();
    ck_assert_ptr_null(kv_module_add(pool, &core_module, NULL, s));
    ck_assert_int_eq(apr_pool_create(&ptrans, pool), APR_SUCCESS);
    c = kv_create_connection(ptrans, s, server_end, 1, -1);
    ck_assert_ptr_nonnull(c);
    ck_assert(c->child_exiting == kv_mpm_child_exiting_flag());
    c->child_exiting = &exiting;
    ck_assert_msg(!response_closes(c), "a response of a serving child keeps the connection");
    exiting = 1;
    ck_assert_msg(response_closes(c), "a finishing child's response keeps the connection");
    c->child_exiting = NULL;
    ck_assert(!response_closes(c));
}
END_TEST

int main(void)
{
    return kvc_run("conn_async");
}
