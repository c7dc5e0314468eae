/* Persistent connections: keep-alive, pipelining, MaxKeepAliveRequests, KeepAliveTimeout,
 * KeepAlive Off, HTTP/1.0, and Timeout for a stalled request. Under every MPM (one run each;
 * KVT_MPM=name runs one). */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char get_one[] = "GET /one.txt HTTP/1.1\r\nHost: localhost\r\n\r\n";

/* A server with /one.txt, /two.txt, /three.txt and the given extra config line (or none). */
static kvt_server_t *serve(const char *line)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_write_file(srv, "one.txt", "one", 3);
    kvt_write_file(srv, "two.txt", "two", 3);
    kvt_write_file(srv, "three.txt", "three", 5);
    if (line != NULL) {
        kvt_server_conf(srv, "%s", line);
    }
    kvt_server_start(srv);
    return srv;
}

/* Send @a request on fd and read its response, which must be a 200 with @a body. */
static void exchange(int fd, const char *request, const char *body, kvt_response_t *r)
{
    kvt_send(fd, request);
    ck_assert_msg(kvt_read_response(fd, r, 0) == 0, "no response to %.40s", request);
    ck_assert_int_eq(r->status, 200);
    ck_assert_str_eq(r->body, body);
}

KVT_CASE(keepalive, "keepalive");

KVC_TEST(keepalive, test_two_requests_one_connection)
{
    kvt_server_t *srv = serve(NULL);
    int fd = kvt_connect(kvt_server_port(srv));
    kvt_response_t r;
    exchange(fd, get_one, "one", &r);
    ck_assert_msg(!kvt_says_close(&r), "first response closes the connection");
    kvt_response_free(&r);
    exchange(fd, "GET /two.txt HTTP/1.1\r\nHost: localhost\r\n\r\n", "two", &r);
    close(fd);
}
END_TEST

KVC_TEST(keepalive, test_pipelining)
{
    kvt_server_t *srv = serve(NULL);
    int fd = kvt_connect(kvt_server_port(srv));
    kvt_send(fd, "GET /one.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
                 "GET /two.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
                 "GET /three.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
    const char *bodies[] = {"one", "two", "three"};
    for (int i = 0; i < 3; i++) {
        kvt_response_t r;
        ck_assert_msg(kvt_read_response(fd, &r, 0) == 0, "no pipelined response %d", i + 1);
        ck_assert_int_eq(r.status, 200);
        ck_assert_str_eq(r.body, bodies[i]);
        kvt_response_free(&r);
    }
    close(fd);
}
END_TEST

KVC_TEST(keepalive, test_pipelined_head_and_get)
{
    kvt_server_t *srv = serve(NULL);
    int fd = kvt_connect(kvt_server_port(srv));
    kvt_send(fd, "HEAD /three.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
                 "GET /two.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
    kvt_response_t r;
    ck_assert_int_eq(kvt_read_response(fd, &r, 1), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_pstr_eq(kvt_header(&r, "Content-Length"), "5");
    kvt_response_free(&r);
    /* a HEAD that leaked its body would show here as a broken status line */
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "two");
    close(fd);
}
END_TEST

KVC_TEST(keepalive, test_max_keepalive_requests)
{
    kvt_server_t *srv = serve("MaxKeepAliveRequests 3");
    int fd = kvt_connect(kvt_server_port(srv));
    kvt_response_t r;
    for (int i = 1; i <= 2; i++) {
        exchange(fd, get_one, "one", &r);
        ck_assert_msg(!kvt_says_close(&r), "response %d of 3 says close", i);
        kvt_response_free(&r);
    }
    exchange(fd, get_one, "one", &r);
    ck_assert_msg(kvt_says_close(&r), "3rd response lacks Connection: close");
    ck_assert_msg(kvt_is_closed(fd, 3000), "server kept the connection after the 3rd response");
    close(fd);
}
END_TEST

KVC_TEST(keepalive, test_max_keepalive_requests_zero_is_unlimited)
{
    kvt_server_t *srv = serve("MaxKeepAliveRequests 0");
    int fd = kvt_connect(kvt_server_port(srv));
    for (int i = 1; i <= 120; i++) {
        kvt_response_t r;
        exchange(fd, get_one, "one", &r);
        ck_assert_msg(!kvt_says_close(&r), "response %d closes with MaxKeepAliveRequests 0", i);
        kvt_response_free(&r);
    }
    close(fd);
}
END_TEST

KVC_TEST(keepalive, test_keepalive_timeout)
{
    kvt_server_t *srv = serve("KeepAliveTimeout 1");
    int fd = kvt_connect(kvt_server_port(srv));
    kvt_response_t r;
    exchange(fd, get_one, "one", &r);
    ck_assert_msg(!kvt_says_close(&r), "response says close");
    long t0 = kvt_now_ms();
    ck_assert_msg(!kvt_is_closed(fd, 300), "idle connection closed at once, not after 1 s");
    ck_assert_msg(kvt_is_closed(fd, 4700), "idle connection still open after 5 s");
    long waited = kvt_now_ms() - t0;
    ck_assert_msg(waited >= 800 && waited < 5000, "closed after %ld ms, want about 1000", waited);
    close(fd);
}
END_TEST

/* The idle wait is KeepAliveTimeout, not Timeout. */
KVC_TEST(keepalive, test_keepalive_timeout_not_timeout)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_write_file(srv, "one.txt", "one", 3);
    kvt_server_conf(srv, "KeepAliveTimeout 1");
    kvt_server_conf(srv, "Timeout 30");
    kvt_server_start(srv);
    int fd = kvt_connect(kvt_server_port(srv));
    kvt_response_t r;
    exchange(fd, get_one, "one", &r);
    ck_assert_msg(kvt_is_closed(fd, 4000), "idle connection waited for Timeout, not 1 s");
    close(fd);
}
END_TEST

KVC_TEST(keepalive, test_keepalive_off)
{
    kvt_server_t *srv = serve("KeepAlive Off");
    int fd = kvt_connect(kvt_server_port(srv));
    kvt_response_t r;
    exchange(fd, get_one, "one", &r);
    ck_assert_msg(kvt_says_close(&r), "KeepAlive Off without Connection: close");
    ck_assert_msg(kvt_is_closed(fd, 3000), "KeepAlive Off kept the connection open");
    close(fd);
}
END_TEST

KVC_TEST(keepalive, test_client_connection_close)
{
    kvt_server_t *srv = serve(NULL);
    int fd = kvt_connect(kvt_server_port(srv));
    kvt_response_t r;
    exchange(fd, "GET /one.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "one", &r);
    ck_assert_msg(kvt_says_close(&r), "Connection: close not echoed");
    ck_assert_msg(kvt_is_closed(fd, 3000), "server kept a connection the client closed");
    close(fd);
}
END_TEST

/* kiva answers HTTP/1.0 with a 1.x status line (httpd sends HTTP/1.1, as RFC 9110 allows),
 * never chunked, and closes. */
KVC_TEST(keepalive, test_http10_closes)
{
    kvt_server_t *srv = serve(NULL);
    int fd = kvt_connect(kvt_server_port(srv));
    kvt_send(fd, "GET /one.txt HTTP/1.0\r\n\r\n");
    kvt_response_t r;
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(strcmp(r.version, "HTTP/1.0") == 0 || strcmp(r.version, "HTTP/1.1") == 0,
                  "version %s", r.version);
    ck_assert_msg(!r.chunked, "chunked response to HTTP/1.0");
    ck_assert_str_eq(r.body, "one");
    ck_assert_msg(kvt_is_closed(fd, 3000), "HTTP/1.0 connection kept open");
    close(fd);
}
END_TEST

KVC_TEST(keepalive, test_http10_keepalive)
{
    kvt_server_t *srv = serve(NULL);
    int fd = kvt_connect(kvt_server_port(srv));
    const char *req = "GET /one.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
    kvt_response_t r;
    exchange(fd, req, "one", &r);
    ck_assert_msg(kvt_contains_nocase(kvt_header(&r, "Connection"), "keep-alive"), "Connection: %s",
                  kvt_header(&r, "Connection"));
    ck_assert_msg(kvt_header(&r, "Content-Length") != NULL, "1.0 keep-alive needs a length");
    ck_assert_msg(!kvt_is_closed(fd, 300), "HTTP/1.0 keep-alive connection closed");
    kvt_response_free(&r);
    exchange(fd, req, "one", &r);
    close(fd);
}
END_TEST

KVC_TEST(keepalive, test_timeout_stalled_request)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_server_conf(srv, "Timeout 1");
    kvt_server_conf(srv, "KeepAliveTimeout 15");
    kvt_server_start(srv);
    int fd = kvt_connect(kvt_server_port(srv));
    kvt_send(fd, "GET /one.txt HT");
    long t0 = kvt_now_ms();
    ck_assert_msg(!kvt_is_closed(fd, 300), "stalled request dropped at once, not after 1 s");
    ck_assert_msg(kvt_is_closed(fd, 4700), "stalled client still connected after 5 s");
    long waited = kvt_now_ms() - t0;
    ck_assert_msg(waited >= 800, "closed after %ld ms, want about 1000", waited);
    close(fd);
}
END_TEST

/* A request's body is read and dropped, never taken for the next request: either
 * the server says close and closes, or the next request on the connection is served. */
static const char *const with_body[] = {
    "POST /one.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 25\r\n\r\n"
    "GET /two.txt HTTP/1.1\r\n\r\n",
    "POST /one.txt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
    "19\r\nGET /two.txt HTTP/1.1\r\n\r\n\r\n0\r\n\r\n",
};

KVC_LOOP_TEST(keepalive, test_request_body_not_taken_for_a_request, 0, KVT_COUNT(with_body))
{
    kvt_server_t *srv = serve(NULL);
    int fd = kvt_connect(kvt_server_port(srv));
    kvt_send(fd, with_body[_i]);
    kvt_response_t r;
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "one");
    if (kvt_says_close(&r)) {
        ck_assert_msg(kvt_is_closed(fd, 3000), "said close but kept the connection");
    } else {
        kvt_response_free(&r);
        exchange(fd, "GET /three.txt HTTP/1.1\r\nHost: a\r\n\r\n", "three", &r);
    }
    close(fd);
}
END_TEST

/* A request the server cannot frame is answered 400 and the connection closed. */
KVC_TEST(keepalive, test_bad_request_closes)
{
    kvt_server_t *srv = serve(NULL);
    int fd = kvt_connect(kvt_server_port(srv));
    kvt_response_t r;
    exchange(fd, get_one, "one", &r);
    kvt_response_free(&r);
    kvt_send(fd, "GET /one.txt HTTP/1.1\r\nHost: a\r\nContent-Length: x12\r\n\r\n");
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    ck_assert_int_eq(r.status, 400);
    ck_assert_msg(kvt_says_close(&r), "400 for a bad Content-Length without Connection: close");
    ck_assert_msg(kvt_is_closed(fd, 3000), "connection kept after a request it cannot frame");
    close(fd);
}
END_TEST

/* A client that sent Connection: close sends nothing after its request (RFC 9112 9.6): when
 * that request was read whole the server closes at once, without the lingering close that
 * waits for the client's end; its socket is already closed when the client sees EOF. A
 * byte after the request means the client may still be sending: the server shuts its side
 * and lingers, holding the socket past the EOF (which shows the check can see a held one). */
KVC_TEST(keepalive, test_close_lingers_only_when_input_may_follow)
{
    static const char close_one[] =
        "GET /one.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    kvt_server_t *srv = serve(NULL);
    int done = kvt_connect(kvt_server_port(srv));
    int more = kvt_connect(kvt_server_port(srv));
    kvt_response_t r;

    exchange(done, close_one, "one", &r);
    kvt_response_free(&r);
    ck_assert_msg(kvt_is_closed(done, 5000), "no EOF after Connection: close");
    ck_assert_msg(!kvt_server_holds_conn(srv, done),
                  "the server still holds a connection whose client said it was done");
    kvt_send(more, "GET /one.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\nx");
    ck_assert_int_eq(kvt_read_response(more, &r, 0), 0);
    ck_assert_str_eq(r.body, "one");
    kvt_response_free(&r);
    ck_assert_msg(kvt_is_closed(more, 5000), "no EOF after Connection: close");
    ck_assert_msg(kvt_server_holds_conn(srv, more),
                  "no lingering close for a client that sent more than its request");
    close(done);
    close(more);
}
END_TEST

int main(void)
{
    return kvt_run_mpms("keepalive", 0);
}
