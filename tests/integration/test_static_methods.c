/* Methods on a static file, as httpd's default handler answers them: GET, HEAD and POST get
 * the file (POST's body read and dropped within LimitRequestBody), OPTIONS the Allow field,
 * other methods 405 (an unknown one 501) with it. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HOST "Host: localhost\r\n"
/* httpd 2.4.71's Allow for a file (Debian's apache2): its words, its order, no blanks. */
#define ALLOW "GET,POST,OPTIONS,HEAD,TRACE"

static kvt_server_t *serve(const char *line)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_write_file(srv, "f.txt", "file", 4);
    kvt_write_file(srv, "g.txt", "other", 5);
    kvt_write_file(srv, "d/index.html", "index", 5);
    if (line) {
        kvt_server_conf(srv, "%s", line);
    }
    kvt_server_start(srv);
    return srv;
}

static void expect(kvt_server_t *srv, const kvt_response_t *r, int status, const char *what)
{
    ck_assert_msg(r->status == status, "%s: status %d, want %d\n%s", what, r->status, status,
                  r->status == status ? "" : kvt_server_diagnostics(srv));
}

/* One request on its own connection; the response stays in @a r. */
static void answered(kvt_server_t *srv, const char *request, int status, kvt_response_t *r)
{
    ck_assert_int_eq(kvt_request(kvt_server_port(srv), request, r), 0);
    expect(srv, r, status, request);
}

/* On one connection: @a post, then a GET of g.txt, each answered 200 with its file, the
 * connection kept: the POST's body was read to its end, not taken for a request. */
static void post_then_get(kvt_server_t *srv, const char *post)
{
    int fd = kvt_connect(kvt_server_port(srv));
    kvt_response_t r;

    kvt_send(fd, post);
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    expect(srv, &r, 200, post);
    ck_assert_str_eq(r.body, "file");
    ck_assert_pstr_eq(kvt_header(&r, "Content-Length"), "4");
    ck_assert_msg(!kvt_contains_nocase(kvt_header(&r, "Connection"), "close"), "%s: closes", post);
    kvt_response_free(&r);
    kvt_send(fd, "GET /g.txt HTTP/1.1\r\n" HOST "\r\n");
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    expect(srv, &r, 200, "GET after the POST");
    ck_assert_str_eq(r.body, "other");
    kvt_response_free(&r);
    close(fd);
}

KVT_CASE(static_methods, "static_methods");

KVC_TEST(static_methods, test_post_with_content_length_served)
{
    kvt_server_t *srv = serve(NULL);
    /* The body looks like a request: were it not read, it would be answered. */
    post_then_get(srv, "POST /f.txt HTTP/1.1\r\n" HOST "Content-Length: 37\r\n\r\n"
                       "GET /d/ HTTP/1.1\r\nHost: localhost\r\n\r\n");
}
END_TEST

KVC_TEST(static_methods, test_post_chunked_served)
{
    kvt_server_t *srv = serve(NULL);
    post_then_get(srv, "POST /f.txt HTTP/1.1\r\n" HOST "Transfer-Encoding: chunked\r\n\r\n"
                       "5\r\nhello\r\n25\r\nGET /d/ HTTP/1.1\r\nHost: localhost\r\n\r\n\r\n"
                       "0\r\n\r\n");
}
END_TEST

/* Range is for GET only (RFC 9110 section 14.2): a POST gets the whole file. */
KVC_TEST(static_methods, test_post_ignores_range)
{
    kvt_server_t *srv = serve(NULL);
    kvt_response_t r;

    answered(srv,
             "POST /f.txt HTTP/1.1\r\n" HOST "Range: bytes=0-1\r\nContent-Length: 0\r\n"
             "Connection: close\r\n\r\n",
             200, &r);
    ck_assert_str_eq(r.body, "file");
    ck_assert_ptr_null(kvt_header(&r, "Content-Range"));
    kvt_response_free(&r);
}
END_TEST

/* A POST body over LimitRequestBody: 413 and the connection closed, with either framing. */
KVC_TEST(static_methods, test_post_over_limit_request_body)
{
    kvt_server_t *srv = serve("LimitRequestBody 10");
    kvt_response_t r;

    answered(srv, "POST /f.txt HTTP/1.1\r\n" HOST "Content-Length: 10\r\n\r\n0123456789", 200, &r);
    ck_assert_str_eq(r.body, "file");
    kvt_response_free(&r);
    answered(srv, "POST /f.txt HTTP/1.1\r\n" HOST "Content-Length: 11\r\n\r\n0123456789a", 413, &r);
    ck_assert_msg(kvt_contains_nocase(kvt_header(&r, "Connection"), "close"), "413 keeps");
    kvt_response_free(&r);
    answered(srv,
             "POST /f.txt HTTP/1.1\r\n" HOST "Transfer-Encoding: chunked\r\n\r\n"
             "6\r\n012345\r\n5\r\n6789a\r\n0\r\n\r\n",
             413, &r);
    kvt_response_free(&r);
}
END_TEST

/* POST reaches a directory's index as GET does: redirected to the slash, then served. */
KVC_TEST(static_methods, test_post_directory_index)
{
    kvt_server_t *srv = serve(NULL);
    kvt_response_t r;

    answered(srv, "POST /d HTTP/1.1\r\n" HOST "Content-Length: 0\r\nConnection: close\r\n\r\n", 301,
             &r);
    ck_assert(kvt_contains(kvt_header(&r, "Location"), "/d/"));
    kvt_response_free(&r);
    answered(srv, "POST /d/ HTTP/1.1\r\n" HOST "Content-Length: 1\r\nConnection: close\r\n\r\nx",
             200, &r);
    ck_assert_str_eq(r.body, "index");
    kvt_response_free(&r);
}
END_TEST

static const struct {
    const char *method;
    int status;
} refused[] = {
    {"PUT", 405},
    {"DELETE", 405},
    {"PATCH", 405},
    {"FOO", 501},
};

/* Other methods: 405 (501 for one the server does not know) with Allow, as httpd; the body
 * is still read, so the connection goes on. */
KVC_TEST(static_methods, test_other_methods_refused_with_allow)
{
    kvt_server_t *srv = serve(NULL);

    for (int i = 0; i < KVT_COUNT(refused); i++) {
        char *req = kvt_strf("%s /f.txt HTTP/1.1\r\n" HOST "Content-Length: 3\r\n\r\nabc",
                             refused[i].method);
        int fd = kvt_connect(kvt_server_port(srv));
        kvt_response_t r;

        kvt_send(fd, req);
        ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
        expect(srv, &r, refused[i].status, refused[i].method);
        ck_assert_msg(kvt_header(&r, "Allow") && strcmp(kvt_header(&r, "Allow"), ALLOW) == 0,
                      "%s: Allow '%s'", refused[i].method, kvt_header(&r, "Allow"));
        kvt_response_free(&r);
        kvt_send(fd, "GET /g.txt HTTP/1.1\r\n" HOST "\r\n");
        ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
        expect(srv, &r, 200, "GET after a refused method");
        kvt_response_free(&r);
        close(fd);
        free(req);
    }
}
END_TEST

KVC_TEST(static_methods, test_options_lists_allow)
{
    kvt_server_t *srv = serve(NULL);
    kvt_response_t r;

    answered(srv, "OPTIONS /f.txt HTTP/1.1\r\n" HOST "Connection: close\r\n\r\n", 200, &r);
    ck_assert_pstr_eq(kvt_header(&r, "Allow"), ALLOW);
    ck_assert_pstr_eq(kvt_header(&r, "Content-Length"), "0");
    kvt_response_free(&r);
}
END_TEST

/* Under TraceEnable off, TRACE is not in a file's Allow. */
KVC_TEST(static_methods, test_allow_without_trace)
{
    kvt_server_t *srv = serve("TraceEnable off");
    kvt_response_t r;

    answered(srv, "PUT /f.txt HTTP/1.1\r\n" HOST "Content-Length: 0\r\nConnection: close\r\n\r\n",
             405, &r);
    ck_assert_pstr_eq(kvt_header(&r, "Allow"), "GET,POST,OPTIONS,HEAD");
    kvt_response_free(&r);
    answered(srv, "OPTIONS /f.txt HTTP/1.1\r\n" HOST "Connection: close\r\n\r\n", 200, &r);
    ck_assert_pstr_eq(kvt_header(&r, "Allow"), "GET,POST,OPTIONS,HEAD");
    kvt_response_free(&r);
}
END_TEST

/* A missing file and a directory's index answer OPTIONS and PUT as a file does (apache2:
 * the same Allow for each). */
KVC_TEST(static_methods, test_allow_of_missing_file_and_directory)
{
    kvt_server_t *srv = serve(NULL);
    static const char *const targets[] = {"/missing", "/d/"};
    kvt_response_t r;

    for (int i = 0; i < KVT_COUNT(targets); i++) {
        char *options = kvt_strf("OPTIONS %s HTTP/1.1\r\n" HOST "Connection: close\r\n\r\n",
                                 targets[i]);
        char *put = kvt_strf("PUT %s HTTP/1.1\r\n" HOST "Content-Length: 0\r\n"
                             "Connection: close\r\n\r\n", targets[i]);
        answered(srv, options, 200, &r);
        ck_assert_pstr_eq(kvt_header(&r, "Allow"), ALLOW);
        kvt_response_free(&r);
        answered(srv, put, 405, &r);
        ck_assert_pstr_eq(kvt_header(&r, "Allow"), ALLOW);
        kvt_response_free(&r);
        free(put);
        free(options);
    }
}
END_TEST

/* A directory without its slash is redirected whatever the method (apache2: 301 for OPTIONS,
 * PUT, an unknown method), not answered as if it were a file. */
KVC_TEST(static_methods, test_directory_redirect_for_every_method)
{
    kvt_server_t *srv = serve(NULL);
    static const char *const methods[] = {"OPTIONS", "PUT", "DELETE", "FOO"};
    kvt_response_t r;

    for (int i = 0; i < KVT_COUNT(methods); i++) {
        char *req = kvt_strf("%s /d HTTP/1.1\r\n" HOST "Content-Length: 0\r\n"
                             "Connection: close\r\n\r\n", methods[i]);
        answered(srv, req, 301, &r);
        ck_assert_pstr_eq(kvt_header(&r, "Location"), "http://localhost/d/");
        kvt_response_free(&r);
        free(req);
    }
}
END_TEST

int main(void)
{
    return kvc_run("static_methods");
}
