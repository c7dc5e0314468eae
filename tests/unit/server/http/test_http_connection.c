/* Tests of the HTTP/1.1 connection loop (server/http/http_connection.c) run in-process on a
 * loopback pair: served to its end as a blocking MPM does (kv_process_connection) and step
 * by step as the event MPM does (kv_conn_step). A stub handler answers "uri=URI". */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "inproc.h"
#include "kv_connection.h"

#define BIG_BODY (1024 * 1024)

static kvu_server_t srv;
static int handled; /* requests the stub handler answered */

static int stub_handler(kv_request_t *r)
{
    handled++;
    if (strcmp(r->uri, "/big") == 0) {
        char *body = apr_palloc(r->pool, BIG_BODY + 1);

        memset(body, 'b', BIG_BODY);
        body[BIG_BODY] = '\0';
        return kvu_answer(r, body);
    }
    return kvu_answer(r, apr_pstrcat(r->pool, "uri=", r->uri, NULL));
}

static void stub_hooks(apr_pool_t *p)
{
    (void)p;
    kv_hook_handler(stub_handler, NULL, NULL, KV_HOOK_MIDDLE);
}

static kv_module_t stub_module = {KV_MODULE_HEADER("stub"), .register_hooks = stub_hooks};
static kv_module_t *const stubs[] = {&stub_module, NULL};

static void setup(void)
{
    const char *err = kvu_server_build(&srv,
                                       "Listen 127.0.0.1:80\n"
                                       "DocumentRoot /tmp\n"
                                       "KeepAlive On\n"
                                       "MaxKeepAliveRequests 100\n"
                                       "KeepAliveTimeout 5\n"
                                       "Timeout 10\n",
                                       stubs);

    ck_assert_msg(err == NULL, "%s", err);
    handled = 0;
}

static void teardown(void)
{
    kvu_server_destroy(&srv);
}

#define GET(path) "GET " path " HTTP/1.1\r\nHost: t\r\n\r\n"
#define GET_CLOSE(path) "GET " path " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"

/* The next response of @a cursor: its status and body, and its Connection field. */
static void expect(const char **cursor, int status, const char *body, const char *connection)
{
    kvu_response_t resp;

    ck_assert_msg(kvu_next_response(srv.pconf, cursor, &resp), "no response left: '%s'", *cursor);
    ck_assert_int_eq(resp.status, status);
    if (body) {
        ck_assert_str_eq(resp.body, body);
    }
    ck_assert_str_eq(kvu_field(srv.pconf, resp.head, "Connection"), connection);
}

/* Serve @a requests, sent in one write, on a new connection as a blocking MPM does (to the
 * connection's end); what the client read. */
static const char *serve(kvu_conn_t **k, const char *requests)
{
    *k = kvu_conn_open(&srv, 0, 0);
    kvu_send(*k, requests);
    kv_process_connection((*k)->c, (*k)->c->sock);
    return kvu_read_to_close(*k);
}

KVC_CASE(loop_case, .name = "loop", .setup = setup, .teardown = teardown, .timeout = 60);

/* Several requests in one write: each answered, in order, on the one connection. */
KVC_TEST(loop_case, pipelined_requests_answered_in_order)
{
    kvu_conn_t *k;
    const char *got = serve(&k, GET("/a") GET("/b") GET_CLOSE("/c"));

    expect(&got, 200, "uri=/a", "Keep-Alive");
    expect(&got, 200, "uri=/b", "Keep-Alive");
    expect(&got, 200, "uri=/c", "close");
    ck_assert_str_eq(got, "");
    ck_assert_int_eq(k->c->keepalives, 3);
    ck_assert_ptr_null(k->c->sock);
}
END_TEST

/* The connection is kept while the client allows, and ends with the request that says close:
 * what follows that one is not served. */
KVC_TEST(loop_case, keep_alive_then_close)
{
    kvu_conn_t *k;
    const char *got = serve(&k, GET("/a") GET_CLOSE("/b") GET("/never"));

    expect(&got, 200, "uri=/a", "Keep-Alive");
    expect(&got, 200, "uri=/b", "close");
    ck_assert_str_eq(got, "");
    ck_assert_int_eq(handled, 2);
}
END_TEST

/* A kept-alive connection whose client stops sending (end of file) ends without an answer. */
KVC_TEST(loop_case, client_end_of_file_ends_the_connection)
{
    kvu_conn_t *k = kvu_conn_open(&srv, 0, 0);
    const char *got;

    kvu_send(k, GET("/a"));
    kvu_client_done(k);
    kv_process_connection(k->c, k->c->sock);
    got = kvu_read_to_close(k);
    expect(&got, 200, "uri=/a", "Keep-Alive");
    ck_assert_str_eq(got, "");
    ck_assert_int_eq(k->c->keepalives, 1);
}
END_TEST

/* A head that does not parse is answered 400 with Connection: close, and nothing after it is
 * read as a request. */
KVC_TEST(loop_case, malformed_head_answered_400_and_closed)
{
    kvu_conn_t *k;
    const char *got = serve(&k, GET("/a") "GET /b HTTP/1.1\r\nHost t\r\n\r\n" GET("/c"));

    expect(&got, 200, "uri=/a", "Keep-Alive");
    expect(&got, 400, NULL, "close");
    ck_assert_str_eq(got, "");
    ck_assert_int_eq(handled, 1);
}
END_TEST

/* A body the handler did not read is read and thrown away before the next head: its bytes
 * are not taken for a request (a body that looks like one included). */
KVC_TEST(loop_case, unread_body_discarded_before_next_request)
{
    static const char requests[] = "POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 31\r\n\r\n"
                                   "GET /x HTTP/1.1\r\nHost: t\r\n\r\n"
                                   "POST /c HTTP/1.1\r\nHost: t\r\n"
                                   "Transfer-Encoding: chunked\r\n\r\n"
                                   "6\r\nGET /y\r\n0\r\n\r\n"
                                   "GET /b HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    kvu_conn_t *k;
    const char *got = serve(&k, requests);

    expect(&got, 200, "uri=/a", "Keep-Alive");
    expect(&got, 200, "uri=/c", "Keep-Alive");
    expect(&got, 200, "uri=/b", "close");
    ck_assert_str_eq(got, "");
    ck_assert_int_eq(handled, 3);
}
END_TEST

/* The capture filter sees what went to the network: the same bytes the client read. */
KVC_TEST(loop_case, capture_sees_what_the_client_reads)
{
    kvu_conn_t *k;
    const char *got = serve(&k, GET("/a") GET_CLOSE("/b"));

    ck_assert_str_eq(got, k->sent.buf);
    ck_assert_ptr_nonnull(strstr(k->sent.buf, "uri=/b"));
}
END_TEST

/* Event-style: a new connection with nothing to read waits in READ_REQUEST; half a head
 * waits too; the whole one is served and the connection waits for the next; a request with
 * Connection: close that more bytes follow ends in a lingering close, which closes at the
 * client's end of file. */
KVC_TEST(loop_case, async_steps_wait_serve_and_linger)
{
    kvu_conn_t *k = kvu_conn_open(&srv, 1, 0);
    const char *got;
    kv_conn_state_t st;

    ck_assert_int_eq(kv_conn_step(k->c), KV_CONN_STATE_READ_REQUEST);
    ck_assert_int_eq(handled, 0);
    kvu_send(k, "GET /a HTTP/1.1\r\nHo");
    kvu_wait_readable(k);
    ck_assert_int_eq(kv_conn_step(k->c), KV_CONN_STATE_READ_REQUEST);
    ck_assert_int_eq(handled, 0);
    kvu_send(k, "st: t\r\n\r\n");
    kvu_wait_readable(k);
    ck_assert_int_eq(kv_conn_step(k->c), KV_CONN_STATE_READ_REQUEST);
    ck_assert_int_eq(handled, 1);
    ck_assert(k->c->keepalive);
    kvu_wait_answer(k);
    got = kvu_read_now(k);
    expect(&got, 200, "uri=/a", "Keep-Alive");
    ck_assert_str_eq(got, "");

    kvu_send(k, GET_CLOSE("/b") "GET /c");
    kvu_wait_readable(k);
    ck_assert_int_eq(kv_conn_step(k->c), KV_CONN_STATE_LINGER);
    ck_assert(!k->c->keepalive);
    kvu_client_done(k);
    got = kvu_read_to_close(k);
    expect(&got, 200, "uri=/b", "close");
    st = KV_CONN_STATE_LINGER;
    for (int i = 0; i < 1000 && st == KV_CONN_STATE_LINGER; i++) {
        kvu_wait_readable(k);
        st = kv_conn_step(k->c);
    }
    ck_assert_int_eq(st, KV_CONN_STATE_CLOSED);
    ck_assert_ptr_null(k->c->sock);
}
END_TEST

/* Event-style write completion: a response the socket does not take at once waits in
 * WRITE_COMPLETION; once the client has read it, the pipelined request that came with the
 * first is served without another read event. That one said close and nothing followed it:
 * the connection closes at once, with no lingering. */
KVC_TEST(loop_case, async_write_completion_then_pipelined_request)
{
    kvu_conn_t *k = kvu_conn_open(&srv, 1, 4096);
    kvu_capture_t got = {0};
    kv_conn_state_t st;
    const char *cursor;

    kvu_send(k, GET("/big") GET_CLOSE("/b"));
    kvu_wait_readable(k);
    st = kv_conn_step(k->c);
    ck_assert_int_eq(st, KV_CONN_STATE_WRITE_COMPLETION);
    ck_assert_int_eq(handled, 1);
    for (int i = 0; i < 100000 && st == KV_CONN_STATE_WRITE_COMPLETION; i++) {
        const char *now = kvu_read_now(k);

        kvu_capture_put(&got, k->pool, now, strlen(now));
        st = kv_conn_step(k->c);
    }
    ck_assert_int_eq(st, KV_CONN_STATE_CLOSED);
    ck_assert_int_eq(handled, 2);
    kvu_capture_put(&got, k->pool, "", 0);
    cursor = apr_pstrcat(k->pool, got.buf, kvu_read_to_close(k), NULL);
    expect(&cursor, 200, NULL, "Keep-Alive");
    expect(&cursor, 200, "uri=/b", "close");
    ck_assert_str_eq(cursor, "");
}
END_TEST

int main(void)
{
    return kvc_run("http_connection");
}
