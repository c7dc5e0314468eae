/* HTTP/1.1 message framing (RFC 9112) under prefork: ambiguous request framing refused with
 * the connection closed, chunked request bodies (malformed chunked framing refused with the
 * connection closed), Expect: 100-continue, LimitRequestBody, LimitRequestFieldSize and
 * LimitRequestFields on chunked bodies, chunked responses of unknown length (TRACE),
 * OPTIONS *, absolute-form. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HOST "Host: a\r\n"
#define SMUGGLED "GET /two.txt HTTP/1.1\r\n" HOST "\r\n"
#define CHUNKED_POST "POST /one.txt HTTP/1.1\r\n" HOST "Transfer-Encoding: chunked\r\n\r\n"

static kvt_server_t *serve(const char *line)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_write_file(srv, "one.txt", "one", 3);
    kvt_write_file(srv, "two.txt", "two", 3);
    if (line != NULL) {
        kvt_server_conf(srv, "%s", line);
    }
    kvt_server_start(srv);
    return srv;
}

static void expect_status(kvt_server_t *srv, const kvt_response_t *r, int want, const char *what)
{
    ck_assert_msg(r->status == want, "%.60s: status %d, want %d\n%s", what, r->status, want,
                  r->status == want ? "" : kvt_server_diagnostics(srv));
}

/* Send @a request on a new connection; read one response into @a r. */
static int open_and_send(kvt_server_t *srv, const char *request, kvt_response_t *r, int head)
{
    int fd = kvt_connect(kvt_server_port(srv));
    kvt_send(fd, request);
    ck_assert_msg(kvt_read_response(fd, r, head) == 0, "no response to %.60s", request);
    return fd;
}

/* One request on its own connection, whose response must have status @a want; the
 * response stays in @a r for more checks (free it). */
static void answered(kvt_server_t *srv, const char *request, int want, kvt_response_t *r)
{
    int fd = open_and_send(srv, request, r, strncmp(request, "HEAD ", 5) == 0);
    expect_status(srv, r, want, request);
    close(fd);
}

/* The pipelined request behind the first one is served on the same connection, which
 * is then closed by the test. */
static void expect_smuggled_served(kvt_server_t *srv, int fd)
{
    kvt_response_t r;
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    expect_status(srv, &r, 200, "the request after the first");
    ck_assert_str_eq(r.body, "two");
    kvt_response_free(&r);
    close(fd);
}

/* After the response, the server closes and answers nothing more. */
static void expect_closed_silently(int fd, const char *what)
{
    size_t len = 0;
    char *rest = kvt_read_until_close(fd, &len);
    ck_assert_msg(len == 0, "%.60s: more after the refusal: %.80s", what, rest);
    free(rest);
    close(fd);
}

#define REFUSED_FILE "tests/integration/framing_refused.vectors"
#define REFUSED 22 /* the vectors in REFUSED_FILE */

/* The request is answered with @a status, then the connection closes and the request
 * hidden behind it is never answered: exactly one response on the wire. */
static void expect_refused_alone(kvt_server_t *srv, const char *request, int status,
                                 const char *what)
{
    kvt_response_t r;
    int fd = open_and_send(srv, request, &r, 0);
    expect_status(srv, &r, status, what);
    ck_assert_msg(kvt_contains_nocase(kvt_header(&r, "Connection"), "close"),
                  "%.60s: does not say close", what);
    kvt_response_free(&r);
    expect_closed_silently(fd, what);
}

KVT_CASE(framing_case, "framing");

/* Each refused framing: its status, then the connection closes and the request hidden
 * behind it is never answered. */
KVC_LOOP_TEST(framing_case, test_ambiguous_framing_refused_and_closed, 0, REFUSED)
{
    const struct kvc_vector *v = kvc_vector(REFUSED_FILE, REFUSED, 2, _i);
    kvt_server_t *srv = serve(NULL);
    char *request = kvt_strf("%s" SMUGGLED, v->field[0]);
    char *what = kvt_strf("%s:%d: %s", v->file, v->line, v->field[0]);
    expect_refused_alone(srv, request, kvc_vector_int(v, 1), what);
    free(what);
    free(request);
}
END_TEST

/* Chunked framing other than RFC 9112 section 7.1's to the letter: CRLF only, a chunk size
 * of HEXDIG only, extensions by the grammar. The default LimitRequestBody is 1 GiB. */
#define BAD_CHUNKED_FILE "tests/integration/framing_bad_chunked.vectors"
#define BAD_CHUNKED 22 /* the vectors in BAD_CHUNKED_FILE */

/* Each malformed chunked body: 400 (413 over LimitRequestBody), the connection closes, and
 * the request pipelined after it is never answered. */
KVC_LOOP_TEST(framing_case, test_malformed_chunked_refused_and_closed, 0, BAD_CHUNKED)
{
    const struct kvc_vector *v = kvc_vector(BAD_CHUNKED_FILE, BAD_CHUNKED, 3, _i);
    kvt_server_t *srv = serve(NULL);
    char *request = kvt_strf(CHUNKED_POST "%s" SMUGGLED, v->field[1]);
    char *what = kvt_strf("%s:%d: %s", v->file, v->line, v->field[0]);
    expect_refused_alone(srv, request, kvc_vector_int(v, 2), what);
    free(what);
    free(request);
}
END_TEST

/* Bytes of a request: @a head, then @a n times @a unit, then @a tail. */
static char *repeated(const char *head, const char *unit, int n, const char *tail)
{
    size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
    char *s = malloc(hl + ul * (size_t)n + tl + 1);
    ck_assert_ptr_nonnull(s);
    memcpy(s, head, hl);
    for (int i = 0; i < n; i++) {
        memcpy(s + hl + ul * (size_t)i, unit, ul);
    }
    memcpy(s + hl + ul * (size_t)n, tail, tl + 1);
    return s;
}

/* A chunked body at a limit is read and the pipelined request served; one byte or one
 * field more is 400 and a close, and the pipelined request is never answered. */
static void limit_case(kvt_server_t *srv, const char *head, const char *unit, int n,
                       const char *tail, const char *what)
{
    kvt_response_t r;
    char *at = repeated(head, unit, n, tail);
    char *over = repeated(head, unit, n + 1, tail);
    int fd = open_and_send(srv, at, &r, 0);
    expect_status(srv, &r, 200, what);
    kvt_response_free(&r);
    expect_smuggled_served(srv, fd);
    expect_refused_alone(srv, over, 400, what);
    free(at);
    free(over);
}

/* LimitRequestFieldSize bounds each chunk line and each trailer field; LimitRequestFields
 * the number of trailer fields. */
KVC_TEST(framing_case, test_chunked_limits)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_write_file(srv, "one.txt", "one", 3);
    kvt_write_file(srv, "two.txt", "two", 3);
    kvt_server_conf(srv, "LimitRequestFieldSize 100");
    kvt_server_conf(srv, "LimitRequestFields 4");
    kvt_server_start(srv);
    /* "5;" and 98 more bytes: a chunk line of 100 */
    limit_case(srv, CHUNKED_POST "5;", "a", 98, "\r\nhello\r\n0\r\n\r\n" SMUGGLED,
               "chunk line over LimitRequestFieldSize");
    limit_case(srv, CHUNKED_POST, "0", 100, "\r\n\r\n" SMUGGLED,
               "last-chunk over LimitRequestFieldSize");
    /* "X-A: " and 95 more bytes: a trailer field of 100 */
    limit_case(srv, CHUNKED_POST "0\r\nX-A: ", "v", 95, "\r\n\r\n" SMUGGLED,
               "trailer field over LimitRequestFieldSize");
    limit_case(srv, CHUNKED_POST "0\r\n", "X-A: v\r\n", 4, "\r\n" SMUGGLED,
               "trailer fields over LimitRequestFields");
}
END_TEST

/* A chunked body with extensions and trailers is read to its end; the next pipelined
 * request is served on the same connection. */
KVC_TEST(framing_case, test_chunked_body_consumed_then_next_request)
{
    kvt_server_t *srv = serve(NULL);
    kvt_response_t r;
    int fd = open_and_send(srv,
                           "POST /one.txt HTTP/1.1\r\n" HOST "Transfer-Encoding: chunked\r\n\r\n"
                           "5;name=value\r\nhello\r\n6 ; a=\"b\"\r\n world\r\nA\r\n"
                           "0123456789\r\n0\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n" SMUGGLED,
                           &r, 0);
    expect_status(srv, &r, 200, "chunked POST");
    ck_assert_str_eq(r.body, "one");
    ck_assert_msg(!kvt_contains_nocase(kvt_header(&r, "Connection"), "close"), "closes");
    kvt_response_free(&r);
    expect_smuggled_served(srv, fd);
}
END_TEST

/* A body sent one byte at a time is reassembled across reads. */
KVC_TEST(framing_case, test_chunked_body_in_pieces)
{
    kvt_server_t *srv = serve(NULL);
    static const char req[] = "POST /one.txt HTTP/1.1\r\n" HOST "Transfer-Encoding: chunked\r\n"
                              "\r\n3\r\nabc\r\n0\r\n\r\n" SMUGGLED;
    int fd = kvt_connect(kvt_server_port(srv));
    kvt_response_t r;
    for (size_t i = 0; i < sizeof(req) - 1; i++) {
        ck_assert_int_eq(kvt_send_raw(fd, req + i, 1), 0);
    }
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    expect_status(srv, &r, 200, "chunked POST in pieces");
    ck_assert_str_eq(r.body, "one");
    kvt_response_free(&r);
    expect_smuggled_served(srv, fd);
}
END_TEST

/* Read exactly @a n bytes (bounded by the socket's receive timeout). */
static void read_exactly(int fd, char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t k = read(fd, buf + got, n - got);
        ck_assert_msg(k > 0, "connection ended after %zu of %zu bytes", got, n);
        got += (size_t)k;
    }
    buf[n] = '\0';
}

/* Expect: 100-continue gets the interim 100 before the body is sent, then the final
 * response, and the connection goes on. */
KVC_TEST(framing_case, test_expect_100_continue)
{
    kvt_server_t *srv = serve(NULL);
    static const char interim[] = "HTTP/1.1 100 Continue\r\n\r\n";
    char buf[sizeof(interim)];
    kvt_response_t r;
    int fd = kvt_connect(kvt_server_port(srv));
    kvt_send(fd, "POST /one.txt HTTP/1.1\r\n" HOST "Content-Length: 5\r\n"
                 "Expect: 100-continue\r\n\r\n");
    read_exactly(fd, buf, sizeof(interim) - 1);
    ck_assert_str_eq(buf, interim);
    kvt_send(fd, "hello" SMUGGLED);
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    expect_status(srv, &r, 200, "final response after 100");
    ck_assert_str_eq(r.body, "one");
    kvt_response_free(&r);
    expect_smuggled_served(srv, fd);
}
END_TEST

/* An HTTP/1.0 client is never sent 100; any other expectation is refused with 417. */
KVC_TEST(framing_case, test_expect_other_417_and_no_100_for_http10)
{
    kvt_server_t *srv = serve(NULL);
    kvt_response_t r;
    answered(srv,
             "POST /one.txt HTTP/1.1\r\n" HOST "Content-Length: 1\r\n"
             "Expect: something-else\r\n\r\nx",
             417, &r);
    kvt_response_free(&r);
    answered(srv,
             "POST /one.txt HTTP/1.0\r\nContent-Length: 1\r\n"
             "Expect: 100-continue\r\n\r\nx",
             200, &r);
    kvt_response_free(&r);
}
END_TEST

/* LimitRequestBody holds for chunked bodies: 10 bytes pass, 11 get 413 and a close. */
KVC_TEST(framing_case, test_limit_request_body_chunked)
{
    kvt_server_t *srv = serve("LimitRequestBody 10");
    kvt_response_t r;
    answered(srv,
             "POST /one.txt HTTP/1.1\r\n" HOST "Transfer-Encoding: chunked"
             "\r\n\r\n5\r\n12345\r\n5\r\n67890\r\n0\r\n\r\n",
             200, &r);
    kvt_response_free(&r);
    int fd = open_and_send(srv,
                           "POST /one.txt HTTP/1.1\r\n" HOST "Transfer-Encoding: chunked"
                           "\r\n\r\n5\r\n12345\r\n6\r\n67890a\r\n0\r\n\r\n" SMUGGLED,
                           &r, 0);
    expect_status(srv, &r, 413, "11-byte chunked body");
    kvt_response_free(&r);
    expect_closed_silently(fd, "11-byte chunked body");
}
END_TEST

/* TRACE echoes the head as message/http; its length is not known in advance, so an
 * HTTP/1.1 client gets it chunked and keeps the connection, HTTP/1.0 gets it closed. */
KVC_TEST(framing_case, test_trace_chunked_response)
{
    kvt_server_t *srv = serve(NULL);
    kvt_response_t r;
    int fd = open_and_send(srv, "TRACE /x HTTP/1.1\r\n" HOST "X-Echo: yes\r\n\r\n" SMUGGLED, &r, 0);
    expect_status(srv, &r, 200, "TRACE");
    ck_assert(r.chunked);
    ck_assert_ptr_null(kvt_header(&r, "Content-Length"));
    ck_assert_pstr_eq(kvt_header(&r, "Content-Type"), "message/http");
    ck_assert_str_eq(r.body, "TRACE /x HTTP/1.1\r\nHost: a\r\nX-Echo: yes\r\n\r\n");
    kvt_response_free(&r);
    expect_smuggled_served(srv, fd);

    answered(srv, "TRACE / HTTP/1.0\r\n\r\n", 200, &r);
    ck_assert(!r.chunked);
    ck_assert(r.until_close);
    ck_assert_ptr_null(kvt_header(&r, "Transfer-Encoding"));
    ck_assert_str_eq(r.body, "TRACE / HTTP/1.0\r\n\r\n");
    kvt_response_free(&r);

    answered(srv, "HEAD /one.txt HTTP/1.1\r\n" HOST "\r\n", 200, &r);
    ck_assert_ptr_null(kvt_header(&r, "Transfer-Encoding"));
    kvt_response_free(&r);
}
END_TEST

/* A TRACE with a body: 413 unless TraceEnable extended, which echoes it. */
KVC_TEST(framing_case, test_trace_body)
{
    kvt_server_t *srv = serve(NULL);
    kvt_response_t r;
    answered(srv, "TRACE / HTTP/1.1\r\n" HOST "Content-Length: 2\r\n\r\nhi", 413, &r);
    kvt_response_free(&r);
    kvt_server_stop(srv);

    srv = serve("TraceEnable extended");
    answered(srv,
             "TRACE / HTTP/1.1\r\n" HOST "Transfer-Encoding: chunked\r\n\r\n"
             "2\r\nhi\r\n0\r\n\r\n",
             200, &r);
    ck_assert(kvt_contains(r.body, "\r\n\r\nhi"));
    kvt_response_free(&r);
}
END_TEST

/* TraceEnable Off: 405 with the default handler's Allow, TRACE left out (httpd sends an
 * empty Allow, which would say no method is allowed). */
KVC_TEST(framing_case, test_trace_off)
{
    kvt_server_t *srv = serve("TraceEnable Off");
    kvt_response_t r;
    answered(srv, "TRACE / HTTP/1.1\r\n" HOST "\r\n", 405, &r);
    ck_assert_pstr_eq(kvt_header(&r, "Allow"), "GET,POST,OPTIONS,HEAD");
    kvt_response_free(&r);
    answered(srv, "OPTIONS * HTTP/1.1\r\n" HOST "\r\n", 200, &r);
    ck_assert_ptr_null(kvt_header(&r, "Allow"));
    kvt_response_free(&r);
}
END_TEST

/* OPTIONS * answers for the server: 200 with no Allow, as httpd 2.4 (Allow is about a
 * resource); "*" with another method is a bad request. */
KVC_TEST(framing_case, test_options_asterisk)
{
    kvt_server_t *srv = serve(NULL);
    kvt_response_t r;
    answered(srv, "OPTIONS * HTTP/1.1\r\n" HOST "\r\n", 200, &r);
    ck_assert_ptr_null(kvt_header(&r, "Allow"));
    ck_assert_pstr_eq(kvt_header(&r, "Content-Length"), "0");
    kvt_response_free(&r);
    const char *other[] = {"GET * HTTP/1.1\r\n" HOST "\r\n", "TRACE * HTTP/1.1\r\n" HOST "\r\n"};
    for (int i = 0; i < 2; i++) {
        answered(srv, other[i], 400, &r);
        kvt_response_free(&r);
    }
}
END_TEST

/* In absolute-form the target's host is used, not the Host field; but the Host field must
 * still be valid (RFC 9112 section 3.2). */
KVC_TEST(framing_case, test_absolute_form_host_wins)
{
    kvt_server_t *srv = serve(NULL);
    kvt_response_t r;
    answered(srv, "GET /one.txt HTTP/1.1\r\nHost: a:99999\r\n\r\n", 400, &r);
    kvt_response_free(&r);
    answered(srv, "GET http://example.com/one.txt HTTP/1.1\r\nHost: a:99999\r\n\r\n", 400, &r);
    kvt_response_free(&r);
    answered(srv, "GET http://example.com/one.txt HTTP/1.1\r\nHost: a:8080\r\n\r\n", 200, &r);
    ck_assert_str_eq(r.body, "one");
    kvt_response_free(&r);
}
END_TEST

int main(void)
{
    return kvc_run("framing");
}
