/* Serving static files under every MPM (one run each; KVT_MPM=name runs one): status codes,
 * exact bytes, header fields, path mapping, request limits and bad requests. */
#include "harness.h"

#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* 1700000000 as an HTTP date. */
#define FIXED_MTIME 1700000000L
#define FIXED_MTIME_HTTP "Tue, 14 Nov 2023 22:13:20 GMT"

static const char page[] = "<html><body>kiva first light</body></html>\n";

static kvt_server_t *started(void)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_server_start(srv);
    return srv;
}

static void set_mtime(kvt_server_t *srv, const char *relpath, long when)
{
    char *path = kvt_strf("%s/%s", kvt_server_docroot(srv), relpath);
    struct timeval tv[2] = {{when, 0}, {when, 0}};
    ck_assert_int_eq(utimes(path, tv), 0);
    free(path);
}

/* A response whose status is @a want, with the diagnostics of the server if not. */
static void assert_status(kvt_server_t *srv, const kvt_response_t *r, int want, const char *what)
{
    ck_assert_msg(r->status == want, "%s: status %d, want %d\n%s", what, r->status, want,
                  r->status == want ? "" : kvt_server_diagnostics(srv));
}

static int status_request(kvt_server_t *srv, const char *request, kvt_response_t *r)
{
    int rv = kvt_request(kvt_server_port(srv), request, r);
    ck_assert_msg(rv == 0, "no response to %s", request);
    return r->status;
}

KVT_CASE(serve, "serve");
KVT_CASE(bad_requests, "bad_requests");

KVC_TEST(serve, test_get_file)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_write_file(srv, "hello.html", page, strlen(page));
    set_mtime(srv, "hello.html", FIXED_MTIME);
    kvt_server_start(srv);
    kvt_response_t r;
    kvt_get(kvt_server_port(srv), "/hello.html", &r);
    assert_status(srv, &r, 200, "GET /hello.html");
    ck_assert_str_eq(r.version, "HTTP/1.1");
    ck_assert_uint_eq(r.body_len, strlen(page));
    ck_assert_str_eq(r.body, page);
    char *len = kvt_strf("%zu", strlen(page));
    ck_assert_pstr_eq(kvt_header(&r, "Content-Length"), len);
    const char *type = kvt_header(&r, "Content-Type");
    ck_assert_msg(type != NULL && strncmp(type, "text/html", 9) == 0, "Content-Type %s", type);
    ck_assert_pstr_eq(kvt_header(&r, "Last-Modified"), FIXED_MTIME_HTTP);
    const char *etag = kvt_header(&r, "ETag");
    ck_assert_msg(etag != NULL && (etag[0] == '"' || strncmp(etag, "W/\"", 3) == 0) &&
                      etag[strlen(etag) - 1] == '"',
                  "ETag %s", etag);
    const char *date = kvt_header(&r, "Date");
    ck_assert_msg(date != NULL && strlen(date) == 29 && kvt_contains(date, " GMT"), "Date %s",
                  date);
    const char *server = kvt_header(&r, "Server");
    ck_assert_msg(server != NULL && strncmp(server, "kiva", 4) == 0, "Server %s", server);
}
END_TEST

/* A file large enough to go by sendfile leaves in the same TCP segment as the response head
 * (MSG_MORE), not after a segment of the head alone: head and 20000 bytes fit in one
 * loopback segment (MSS 65483), so the client receives exactly one data segment. */
KVC_TEST(serve, test_head_and_file_in_one_segment)
{
    enum { LEN = 20000 };
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    char *body = malloc(LEN);
    memset(body, 'k', LEN);
    kvt_write_file(srv, "20k.bin", body, LEN);
    free(body);
    kvt_server_start(srv);
    int fd = kvt_connect(kvt_server_port(srv));
    kvt_send(fd, "GET /20k.bin HTTP/1.1\r\nHost: localhost\r\n\r\n");
    kvt_response_t r;
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    assert_status(srv, &r, 200, "GET /20k.bin");
    ck_assert_uint_eq(r.body_len, LEN);
    struct tcp_info info = {0};
    socklen_t info_len = sizeof(info);
    ck_assert_int_eq(getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &info_len), 0);
    /* Under transport_trickle.sh a layer that must see the bytes writes them in pieces of at
     * most 64 bytes by design: there is no sendfile, so no MSG_MORE, to look at. */
    if (!kvt_trickling()) {
        ck_assert_msg(info.tcpi_data_segs_in == 1,
                      "the response came in %u data segments, want 1 (head and file together)",
                      info.tcpi_data_segs_in);
    }
    kvt_response_free(&r);
    close(fd);
}
END_TEST

/* The Date of a response, as seconds since the epoch; -1 if it is not an IMF-fixdate. */
static time_t response_date(const kvt_response_t *r)
{
    const char *date = kvt_header(r, "Date");
    struct tm tm = {0};
    const char *end = date ? strptime(date, "%a, %d %b %Y %H:%M:%S GMT", &tm) : NULL;

    return end && *end == '\0' ? timegm(&tm) : (time_t)-1;
}

/* The seconds of the precise clock the server stamps requests with (gettimeofday, through
 * apr_time_now): time(NULL) reads the coarse clock, which may still show the previous second
 * for a tick after the server's has moved on. */
static time_t now_sec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec;
}

static int clock_passed(void *arg)
{
    return now_sec() > *(time_t *)arg;
}

/* Date is the time of the response, to the second, on every response: two requests on one
 * connection (one thread serves both under prefork and worker) a second apart differ. */
KVC_TEST(serve, test_date_is_now)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_write_file(srv, "f.txt", "f", 1);
    kvt_server_start(srv);
    int fd = kvt_connect(kvt_server_port(srv));
    const char *get = "GET /f.txt HTTP/1.1\r\nHost: localhost\r\n\r\n";
    kvt_response_t r;
    time_t before = now_sec(), first, second;

    kvt_send(fd, get);
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    first = response_date(&r);
    ck_assert_msg(first >= before && first <= now_sec(), "Date %s is not now",
                  kvt_header(&r, "Date"));
    kvt_response_free(&r);
    ck_assert(kvt_wait_for(clock_passed, &first, 3000));
    kvt_send(fd, get);
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    second = response_date(&r);
    ck_assert_msg(second > first, "Date %s did not move on from the previous response's",
                  kvt_header(&r, "Date"));
    kvt_response_free(&r);
    close(fd);
}
END_TEST

/* Binary content of a type mime.types does not know: every byte, sent without a
 * Content-Type (httpd 2.4), not as a guessed application/octet-stream. */
KVC_TEST(serve, test_get_binary_unknown_type)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    size_t len = 300000;
    char *data = malloc(len);
    for (size_t i = 0; i < len; i++) {
        data[i] = (char)((i * 7 + i / 251) & 0xff);
    }
    kvt_write_file(srv, "blob.kvtunknown", data, len);
    kvt_server_start(srv);
    kvt_response_t r;
    kvt_get(kvt_server_port(srv), "/blob.kvtunknown", &r);
    assert_status(srv, &r, 200, "GET /blob.kvtunknown");
    ck_assert_uint_eq(r.body_len, len);
    ck_assert_msg(memcmp(r.body, data, len) == 0, "body bytes differ from the file");
    ck_assert_pstr_eq(kvt_header(&r, "Content-Type"), NULL);
}
END_TEST

KVC_TEST(serve, test_content_types_from_mime_types)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_write_file(srv, "a.txt", "t", 1);
    kvt_write_file(srv, "a.css", "c", 1);
    kvt_write_file(srv, "a.png", "p", 1);
    kvt_server_start(srv);
    const char *cases[][2] = {
        {"/a.txt", "text/plain"}, {"/a.css", "text/css"}, {"/a.png", "image/png"}};
    for (size_t i = 0; i < 3; i++) {
        kvt_response_t r;
        kvt_get(kvt_server_port(srv), cases[i][0], &r);
        assert_status(srv, &r, 200, cases[i][0]);
        const char *type = kvt_header(&r, "Content-Type");
        ck_assert_msg(type != NULL && strncmp(type, cases[i][1], strlen(cases[i][1])) == 0,
                      "%s: Content-Type %s, want %s", cases[i][0], type, cases[i][1]);
        kvt_response_free(&r);
    }
}
END_TEST

KVC_TEST(serve, test_head)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_write_file(srv, "hello.html", page, strlen(page));
    kvt_server_start(srv);
    kvt_response_t get, head;
    kvt_get(kvt_server_port(srv), "/hello.html", &get);
    int fd = kvt_connect(kvt_server_port(srv));
    kvt_send(fd, "HEAD /hello.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    ck_assert_int_eq(kvt_read_response(fd, &head, 1), 0);
    size_t extra;
    char *rest = kvt_read_until_close(fd, &extra);
    close(fd);
    assert_status(srv, &head, 200, "HEAD");
    ck_assert_msg(extra == 0, "HEAD sent %zu body bytes: %.80s", extra, rest);
    const char *same[] = {"Content-Length", "Content-Type", "Last-Modified", "ETag"};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_msg(kvt_header(&head, same[i]) != NULL, "HEAD lacks %s", same[i]);
        ck_assert_str_eq(kvt_header(&head, same[i]), kvt_header(&get, same[i]));
    }
}
END_TEST

KVC_TEST(serve, test_directory_index)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_write_file(srv, "index.html", page, strlen(page));
    kvt_write_file(srv, "sub/index.html", "sub index", 9);
    kvt_server_start(srv);
    kvt_response_t r;
    kvt_get(kvt_server_port(srv), "/", &r);
    assert_status(srv, &r, 200, "GET /");
    ck_assert_str_eq(r.body, page);
    const char *type = kvt_header(&r, "Content-Type");
    ck_assert_msg(type != NULL && strncmp(type, "text/html", 9) == 0, "Content-Type %s", type);
    kvt_response_free(&r);
    kvt_get(kvt_server_port(srv), "/sub/", &r);
    assert_status(srv, &r, 200, "GET /sub/");
    ck_assert_str_eq(r.body, "sub index");
}
END_TEST

KVC_TEST(serve, test_directory_without_slash_redirects)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_write_file(srv, "sub/index.html", "sub index", 9);
    kvt_server_start(srv);
    kvt_response_t r;
    kvt_get(kvt_server_port(srv), "/sub", &r);
    assert_status(srv, &r, 301, "GET /sub");
    const char *loc = kvt_header(&r, "Location");
    ck_assert_msg(loc != NULL && strlen(loc) >= 5 && strcmp(loc + strlen(loc) - 5, "/sub/") == 0,
                  "Location %s", loc);
}
END_TEST

KVC_TEST(serve, test_percent_decoded_path)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_write_file(srv, "a b.txt", "with a space", 12);
    kvt_server_start(srv);
    kvt_response_t r;
    kvt_get(kvt_server_port(srv), "/a%20b.txt", &r);
    assert_status(srv, &r, 200, "GET /a%20b.txt");
    ck_assert_str_eq(r.body, "with a space");
}
END_TEST

KVC_TEST(serve, test_not_found)
{
    kvt_server_t *srv = started();
    kvt_response_t r;
    kvt_get(kvt_server_port(srv), "/no-such-file.html", &r);
    assert_status(srv, &r, 404, "GET missing");
    const char *type = kvt_header(&r, "Content-Type");
    ck_assert_msg(r.body_len > 0 && type != NULL && strncmp(type, "text/html", 9) == 0,
                  "404 without a short HTML body (Content-Type %s)", type);
}
END_TEST

KVC_TEST(serve, test_unreadable_file_forbidden)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_write_file(srv, "locked.txt", "LOCKED-CONTENT", 14);
    char *path = kvt_strf("%s/locked.txt", kvt_server_docroot(srv));
    ck_assert_int_eq(chmod(path, 0), 0);
    kvt_server_start(srv);
    kvt_response_t r;
    kvt_get(kvt_server_port(srv), "/locked.txt", &r);
    assert_status(srv, &r, 403, "GET mode-000 file");
    ck_assert_msg(!kvt_contains(r.body, "LOCKED-CONTENT"), "served an unreadable file");
}
END_TEST

/* GET @a path on the kept connection @a fd: the status and, for a 200, the body. */
static int get_on(int fd, const char *path, char **body)
{
    char *req = kvt_strf("GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n", path);
    kvt_response_t r;
    int status;

    kvt_send(fd, req);
    free(req);
    ck_assert_msg(kvt_read_response(fd, &r, 0) == 0, "no response to GET %s", path);
    status = r.status;
    *body = status == 200 ? strdup(r.body) : NULL;
    kvt_response_free(&r);
    return status;
}

static void assert_served(int fd, const char *want, const char *what)
{
    char *body = NULL;
    int status = get_on(fd, "/v.txt", &body);

    ck_assert_msg(status == 200, "%s: status %d", what, status);
    ck_assert_msg(strcmp(body, want) == 0, "%s: served '%s', want '%s'", what, body, want);
    free(body);
}

/* The same file asked for again and again on one connection (one thread or process serves
 * them all, and keeps it open between requests): each change is served at once. The file
 * rewritten in place at the same size and modification time, then at another size; replaced
 * by another of the same size and time (rename); made unreadable (chmod changes only its
 * change time), then readable again. */
KVC_TEST(serve, test_changed_file_served_afresh)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    char *path, *tmp, *body = NULL;
    int fd;

    kvt_write_file(srv, "v.txt", "version one", 11);
    set_mtime(srv, "v.txt", FIXED_MTIME);
    kvt_server_start(srv);
    path = kvt_strf("%s/v.txt", kvt_server_docroot(srv));
    tmp = kvt_strf("%s/v.new", kvt_server_docroot(srv));
    fd = kvt_connect(kvt_server_port(srv));
    assert_served(fd, "version one", "first GET");
    assert_served(fd, "version one", "second GET");

    kvt_write_file(srv, "v.txt", "version two", 11);
    set_mtime(srv, "v.txt", FIXED_MTIME);
    assert_served(fd, "version two", "rewritten in place, same size and time");
    kvt_write_file(srv, "v.txt", "version three, longer", 21);
    assert_served(fd, "version three, longer", "rewritten at another size");

    kvt_write_file(srv, "v.new", "version four, longer!", 21);
    set_mtime(srv, "v.new", FIXED_MTIME);
    set_mtime(srv, "v.txt", FIXED_MTIME);
    ck_assert_int_eq(rename(tmp, path), 0);
    assert_served(fd, "version four, longer!", "replaced by a file of the same size and time");

    ck_assert_int_eq(chmod(path, 0), 0);
    ck_assert_int_eq(get_on(fd, "/v.txt", &body), 403);
    ck_assert_int_eq(chmod(path, 0644), 0);
    assert_served(fd, "version four, longer!", "readable again");
    close(fd);
    free(path);
    free(tmp);
}
END_TEST

static int is_refusal(int status)
{
    return status == 400 || status == 403 || status == 404;
}

KVC_TEST(serve, test_traversal_never_leaves_docroot)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_write_root_file(srv, "outside.txt", "TOPSECRET-OUTSIDE");
    kvt_write_file(srv, "sub/in.txt", "in", 2);
    kvt_server_start(srv);
    const char *targets[] = {
        "/../outside.txt",
        "/%2e%2e/outside.txt",
        "/%2E%2E/outside.txt",
        "/sub/../../outside.txt",
        "/sub/%2e%2e/%2e%2e/outside.txt",
        "/..%2foutside.txt",
        "/%2e%2e%2foutside.txt",
        "/./../outside.txt",
        "/sub/..%2F..%2Foutside.txt",
        "/.%2e/outside.txt",
        "/..\\outside.txt",
        "/sub/./../../outside.txt",
        "/%5c..%5coutside.txt",
        "/..%5c..%5coutside.txt",
        "/%c0%ae%c0%ae/outside.txt",
        "/%c0%2e%c0%2e/outside.txt",
        "/%e0%80%ae%e0%80%ae/outside.txt",
        "/%252e%252e/outside.txt",
        "/..%00/outside.txt",
        "/%00../outside.txt",
        "/sub/in.txt%00.html",
    };
    for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
        char *req =
            kvt_strf("GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", targets[i]);
        kvt_response_t r;
        status_request(srv, req, &r);
        ck_assert_msg(is_refusal(r.status), "%s: status %d", targets[i], r.status);
        ck_assert_msg(!kvt_contains(r.body, "TOPSECRET"), "%s served a file outside DocumentRoot",
                      targets[i]);
        kvt_response_free(&r);
        free(req);
    }
}
END_TEST

KVC_TEST(bad_requests, test_malformed_request_lines)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_write_file(srv, "ok.txt", "ok", 2);
    kvt_server_start(srv);
    const char *bad[] = {
        "GET / HTTP/1.1 junk\r\nHost: a\r\n\r\n",
        "GET / HTTQ/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.x\r\nHost: a\r\n\r\n",
        " / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        kvt_response_t r;
        status_request(srv, bad[i], &r);
        ck_assert_msg(r.status == 400, "request %zu (%.20s...): status %d, want 400", i, bad[i],
                      r.status);
        kvt_response_free(&r);
    }
    /* and the server goes on serving */
    kvt_response_t r;
    kvt_get(kvt_server_port(srv), "/ok.txt", &r);
    assert_status(srv, &r, 200, "GET after bad requests");
    ck_assert_str_eq(r.body, "ok");
}
END_TEST

KVC_TEST(bad_requests, test_missing_host)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_write_file(srv, "ok.txt", "ok", 2);
    kvt_server_start(srv);
    kvt_response_t r;
    status_request(srv, "GET /ok.txt HTTP/1.1\r\nConnection: close\r\n\r\n", &r);
    assert_status(srv, &r, 400, "HTTP/1.1 without Host");
    kvt_response_free(&r);
    /* HTTP/1.0 needs no Host */
    status_request(srv, "GET /ok.txt HTTP/1.0\r\n\r\n", &r);
    assert_status(srv, &r, 200, "HTTP/1.0 without Host");
}
END_TEST

/* The status line says HTTP/1.1 to an HTTP/1.0 request too, as httpd (RFC 9110 section
 * 6.2: the version the server speaks); force-response-1.0 (here from BrowserMatch) makes it
 * HTTP/1.0 for such a request, and does nothing to an HTTP/1.1 one. */
KVC_TEST(serve, test_status_line_version)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_response_t r;

    kvt_server_conf(srv, "LoadModule setenvif_module %s/modules/.libs/mod_setenvif.so",
                    KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "BrowserMatch ^old force-response-1.0");
    kvt_write_file(srv, "ok.txt", "ok", 2);
    kvt_server_start(srv);
    status_request(srv, "GET /ok.txt HTTP/1.0\r\n\r\n", &r);
    assert_status(srv, &r, 200, "HTTP/1.0 request");
    ck_assert_str_eq(r.version, "HTTP/1.1");
    kvt_response_free(&r);
    status_request(srv, "GET /ok.txt HTTP/1.0\r\nUser-Agent: oldie\r\n\r\n", &r);
    assert_status(srv, &r, 200, "HTTP/1.0 request, force-response-1.0");
    ck_assert_str_eq(r.version, "HTTP/1.0");
    kvt_response_free(&r);
    status_request(srv,
                   "GET /ok.txt HTTP/1.1\r\nHost: localhost\r\nUser-Agent: oldie\r\n"
                   "Connection: close\r\n\r\n",
                   &r);
    assert_status(srv, &r, 200, "HTTP/1.1 request, force-response-1.0");
    ck_assert_str_eq(r.version, "HTTP/1.1");
    kvt_response_free(&r);
}
END_TEST

/* Debian's setenvif.conf names old clients by BrowserMatch: nokeepalive ends the connection
 * after the response, downgrade-1.0 answers an HTTP/1.1 request by HTTP/1.0's rules (no
 * keep-alive without "Connection: keep-alive"), as httpd. */
KVC_TEST(serve, test_nokeepalive_and_downgrade)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    static const char *const agents[] = {"buggy", "old"};
    kvt_response_t r;

    kvt_server_conf(srv, "LoadModule setenvif_module %s/modules/.libs/mod_setenvif.so",
                    KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "BrowserMatch ^buggy nokeepalive");
    kvt_server_conf(srv, "BrowserMatch ^old downgrade-1.0");
    kvt_write_file(srv, "ok.txt", "ok", 2);
    kvt_server_start(srv);
    status_request(srv, "GET /ok.txt HTTP/1.1\r\nHost: localhost\r\nUser-Agent: new\r\n\r\n", &r);
    ck_assert_str_eq(kvt_header(&r, "Connection"), "Keep-Alive");
    kvt_response_free(&r);
    for (int i = 0; i < KVT_COUNT(agents); i++) {
        char *req = kvt_strf("GET /ok.txt HTTP/1.1\r\nHost: localhost\r\nUser-Agent: %s\r\n\r\n",
                             agents[i]);

        status_request(srv, req, &r);
        assert_status(srv, &r, 200, agents[i]);
        ck_assert_msg(kvt_header(&r, "Connection") &&
                          strcmp(kvt_header(&r, "Connection"), "close") == 0,
                      "%s: Connection %s", agents[i], kvt_header(&r, "Connection"));
        ck_assert_str_eq(r.version, "HTTP/1.1");
        kvt_response_free(&r);
        free(req);
    }
}
END_TEST

KVC_TEST(bad_requests, test_unknown_method)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_write_file(srv, "ok.txt", "ok", 2);
    kvt_server_start(srv);
    kvt_response_t r;
    status_request(srv, "FOO /ok.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", &r);
    assert_status(srv, &r, 501, "FOO");
}
END_TEST

KVC_TEST(bad_requests, test_method_not_allowed)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_write_file(srv, "ok.txt", "ok", 2);
    kvt_server_start(srv);
    const char *methods[] = {"PUT", "DELETE", "PATCH"};
    for (size_t i = 0; i < 3; i++) {
        char *req = kvt_strf("%s /ok.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n"
                             "Connection: close\r\n\r\n",
                             methods[i]);
        kvt_response_t r;
        status_request(srv, req, &r);
        assert_status(srv, &r, 405, methods[i]);
        ck_assert_msg(kvt_contains(kvt_header(&r, "Allow"), "GET"), "%s: Allow %s", methods[i],
                      kvt_header(&r, "Allow"));
        kvt_response_free(&r);
        free(req);
    }
}
END_TEST

static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

KVC_TEST(bad_requests, test_limit_request_line)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    char *name = repeat('a', 150);
    kvt_write_file(srv, name, "long", 4);
    kvt_server_conf(srv, "LimitRequestLine 120");
    kvt_server_start(srv);
    char *path = kvt_strf("/%s", name);
    kvt_response_t r;
    kvt_get(kvt_server_port(srv), path, &r);
    assert_status(srv, &r, 414, "request line over LimitRequestLine");
    kvt_response_free(&r);
    kvt_write_file(srv, "short.txt", "short", 5);
    kvt_get(kvt_server_port(srv), "/short.txt", &r);
    assert_status(srv, &r, 200, "request line under LimitRequestLine");
}
END_TEST

KVC_TEST(bad_requests, test_limit_request_fields)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_write_file(srv, "ok.txt", "ok", 2);
    kvt_server_conf(srv, "LimitRequestFields 5");
    kvt_server_start(srv);
    kvt_response_t r;
    status_request(srv,
                   "GET /ok.txt HTTP/1.1\r\nHost: a\r\nX-1: 1\r\nX-2: 2\r\nX-3: 3\r\nX-4: 4\r\n"
                   "X-5: 5\r\nX-6: 6\r\nX-7: 7\r\n\r\n",
                   &r);
    assert_status(srv, &r, 400, "8 fields over LimitRequestFields 5");
    kvt_response_free(&r);
    status_request(srv, "GET /ok.txt HTTP/1.1\r\nHost: a\r\nX-1: 1\r\nConnection: close\r\n\r\n",
                   &r);
    assert_status(srv, &r, 200, "3 fields under LimitRequestFields 5");
}
END_TEST

KVC_TEST(bad_requests, test_limit_request_field_size)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_write_file(srv, "ok.txt", "ok", 2);
    kvt_server_conf(srv, "LimitRequestFieldSize 100");
    kvt_server_start(srv);
    char *big = repeat('v', 200), *small = repeat('v', 40);
    char *req = kvt_strf("GET /ok.txt HTTP/1.1\r\nHost: a\r\nX-Big: %s\r\n\r\n", big);
    kvt_response_t r;
    status_request(srv, req, &r);
    assert_status(srv, &r, 400, "field over LimitRequestFieldSize");
    kvt_response_free(&r);
    req = kvt_strf("GET /ok.txt HTTP/1.1\r\nHost: a\r\nX-Small: %s\r\nConnection: close\r\n\r\n",
                   small);
    status_request(srv, req, &r);
    assert_status(srv, &r, 200, "field under LimitRequestFieldSize");
}
END_TEST

/* A 400 may close its connection, but the next connection is served normally. */
KVC_TEST(bad_requests, test_serves_after_bad_request)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_write_file(srv, "ok.txt", "ok", 2);
    kvt_server_processes(srv, 1, 1, 1);
    kvt_server_start(srv);
    for (int i = 0; i < 3; i++) {
        kvt_response_t r;
        status_request(srv, "\x01\x02garbage\r\n\r\n", &r);
        assert_status(srv, &r, 400, "garbage");
        kvt_response_free(&r);
        kvt_get(kvt_server_port(srv), "/ok.txt", &r);
        assert_status(srv, &r, 200, "GET after garbage");
        kvt_response_free(&r);
    }
}
END_TEST

int main(void)
{
    return kvt_run_mpms("http", 0);
}
