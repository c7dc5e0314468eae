/* Conditional requests and byte ranges under prefork: every precondition header with
 * matching and other values, If-Range, single and multipart ranges byte for byte, 416,
 * and the cases where a Range is ignored. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

/* 1700000000 and a second before it as HTTP dates. */
#define FIXED_MTIME 1700000000L
#define FIXED_MTIME_HTTP "Tue, 14 Nov 2023 22:13:20 GMT"
#define BEFORE_HTTP "Tue, 14 Nov 2023 22:13:19 GMT"

#define DATA_LEN 100
#define BIG_LEN 300000

static char data[DATA_LEN + 1];
static char big[BIG_LEN];

static void fill(char *buf, size_t len)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ";

    for (size_t i = 0; i < len; i++) {
        buf[i] = alphabet[(i * 7 + i / 46) % (sizeof(alphabet) - 1)];
    }
}

static void set_mtime(kvt_server_t *srv, const char *relpath, long when)
{
    char *path = kvt_strf("%s/%s", kvt_server_docroot(srv), relpath);
    struct timeval tv[2] = {{when, 0}, {when, 0}};
    ck_assert_int_eq(utimes(path, tv), 0);
    free(path);
}

/* A server with data.txt (100 known bytes), big.bin, and empty.txt, all of a fixed date. */
static kvt_server_t *started(void)
{
    kvt_server_t *srv = kvt_server_new("prefork");

    fill(data, DATA_LEN);
    data[DATA_LEN] = '\0';
    fill(big, BIG_LEN);
    kvt_write_file(srv, "data.txt", data, DATA_LEN);
    kvt_write_file(srv, "big.bin", big, BIG_LEN);
    kvt_write_file(srv, "empty.txt", "", 0);
    set_mtime(srv, "data.txt", FIXED_MTIME);
    set_mtime(srv, "big.bin", FIXED_MTIME);
    set_mtime(srv, "empty.txt", FIXED_MTIME);
    kvt_server_start(srv);
    return srv;
}

/* @a method @a path with the extra header lines @a fields ("Name: v\r\n..."). */
static void fetch(kvt_server_t *srv, const char *method, const char *path, const char *fields,
                  kvt_response_t *r)
{
    char *req = kvt_strf("%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n%s\r\n", method,
                         path, fields);
    ck_assert_msg(kvt_request(kvt_server_port(srv), req, r) == 0, "no response to %s", req);
    free(req);
}

static void assert_status(kvt_server_t *srv, const kvt_response_t *r, int want, const char *what)
{
    ck_assert_msg(r->status == want, "%s: status %d, want %d\n%s", what, r->status, want,
                  r->status == want ? "" : kvt_server_diagnostics(srv));
}

/* The status of GET /data.txt with @a fields. */
static int get_status(kvt_server_t *srv, const char *fields)
{
    kvt_response_t r;
    int status;

    fetch(srv, "GET", "/data.txt", fields, &r);
    status = r.status;
    kvt_response_free(&r);
    return status;
}

static char *data_etag(kvt_server_t *srv)
{
    kvt_response_t r;
    char *etag;

    fetch(srv, "GET", "/data.txt", "", &r);
    assert_status(srv, &r, 200, "GET /data.txt");
    ck_assert_ptr_nonnull(kvt_header(&r, "ETag"));
    etag = strdup(kvt_header(&r, "ETag"));
    kvt_response_free(&r);
    return etag;
}

static void assert_full(kvt_server_t *srv, const kvt_response_t *r, const char *what)
{
    assert_status(srv, r, 200, what);
    ck_assert_msg(r->body_len == DATA_LEN && memcmp(r->body, data, DATA_LEN) == 0,
                  "%s: %zu body bytes, not the file", what, r->body_len);
    ck_assert_pstr_eq(kvt_header(r, "Content-Length"), "100");
    ck_assert_ptr_null(kvt_header(r, "Content-Range"));
}

static void assert_slice(const kvt_response_t *r, const char *body, long first, long last,
                         long total)
{
    char *range = kvt_strf("bytes %ld-%ld/%ld", first, last, total);
    char *len = kvt_strf("%ld", last - first + 1);

    ck_assert_int_eq(r->status, 206);
    ck_assert_pstr_eq(kvt_header(r, "Content-Range"), range);
    ck_assert_pstr_eq(kvt_header(r, "Content-Length"), len);
    ck_assert_uint_eq(r->body_len, (size_t)(last - first + 1));
    ck_assert_msg(memcmp(r->body, body + first, r->body_len) == 0, "bytes of %s differ", range);
    free(range);
    free(len);
}

KVT_CASE(conditional, "conditional");
KVT_CASE(ranges_case, "ranges");

KVC_TEST(conditional, test_if_none_match)
{
    kvt_server_t *srv = started();
    char *etag = data_etag(srv);
    kvt_response_t r;
    char *field = kvt_strf("If-None-Match: %s\r\n", etag);

    fetch(srv, "GET", "/data.txt", field, &r);
    assert_status(srv, &r, 304, "If-None-Match: current");
    ck_assert_pstr_eq(kvt_header(&r, "ETag"), etag);
    ck_assert_ptr_nonnull(kvt_header(&r, "Date"));
    ck_assert_ptr_null(kvt_header(&r, "Content-Length"));
    ck_assert_ptr_null(kvt_header(&r, "Content-Type"));
    ck_assert_ptr_null(kvt_header(&r, "Last-Modified"));
    ck_assert_uint_eq(r.body_len, 0);
    kvt_response_free(&r);

    fetch(srv, "HEAD", "/data.txt", field, &r);
    assert_status(srv, &r, 304, "HEAD If-None-Match: current");
    kvt_response_free(&r);
    free(field);

    field = kvt_strf("If-None-Match: \"other\", W/%s\r\n", etag);
    ck_assert_int_eq(get_status(srv, field), 304); /* weak comparison */
    free(field);
    ck_assert_int_eq(get_status(srv, "If-None-Match: *\r\n"), 304);

    fetch(srv, "GET", "/data.txt", "If-None-Match: \"other\"\r\n", &r);
    assert_full(srv, &r, "If-None-Match: other");
    kvt_response_free(&r);
    free(etag);
}
END_TEST

KVC_TEST(conditional, test_if_match)
{
    kvt_server_t *srv = started();
    char *etag = data_etag(srv);
    kvt_response_t r;
    char *field = kvt_strf("If-Match: \"other\", %s\r\n", etag);

    fetch(srv, "GET", "/data.txt", field, &r);
    assert_full(srv, &r, "If-Match: current");
    kvt_response_free(&r);
    free(field);
    ck_assert_int_eq(get_status(srv, "If-Match: *\r\n"), 200);
    ck_assert_int_eq(get_status(srv, "If-Match: \"other\"\r\n"), 412);
    field = kvt_strf("If-Match: W/%s\r\n", etag); /* strong comparison */
    ck_assert_int_eq(get_status(srv, field), 412);
    free(field);
    free(etag);
}
END_TEST

KVC_TEST(conditional, test_if_modified_since)
{
    kvt_server_t *srv = started();
    kvt_response_t r;

    fetch(srv, "GET", "/data.txt", "If-Modified-Since: " FIXED_MTIME_HTTP "\r\n", &r);
    assert_status(srv, &r, 304, "If-Modified-Since: mtime");
    ck_assert_ptr_nonnull(kvt_header(&r, "ETag"));
    ck_assert_ptr_null(kvt_header(&r, "Content-Length"));
    kvt_response_free(&r);
    fetch(srv, "GET", "/data.txt", "If-Modified-Since: " BEFORE_HTTP "\r\n", &r);
    assert_full(srv, &r, "If-Modified-Since: before");
    kvt_response_free(&r);
    ck_assert_int_eq(get_status(srv, "If-Modified-Since: someday\r\n"), 200);
}
END_TEST

KVC_TEST(conditional, test_if_unmodified_since)
{
    kvt_server_t *srv = started();

    ck_assert_int_eq(get_status(srv, "If-Unmodified-Since: " FIXED_MTIME_HTTP "\r\n"), 200);
    ck_assert_int_eq(get_status(srv, "If-Unmodified-Since: " BEFORE_HTTP "\r\n"), 412);
    ck_assert_int_eq(get_status(srv, "If-Unmodified-Since: someday\r\n"), 200);
}
END_TEST

/* GET @a path with @a range_field must be the 206 of bytes first..last of @a body. */
static void assert_range_get(kvt_server_t *srv, const char *path, const char *range_field,
                             const char *body, long first, long last, long total)
{
    kvt_response_t r;

    fetch(srv, "GET", path, range_field, &r);
    assert_status(srv, &r, 206, range_field);
    assert_slice(&r, body, first, last, total);
    kvt_response_free(&r);
}

KVC_TEST(ranges_case, test_single_ranges)
{
    kvt_server_t *srv = started();
    kvt_response_t r;

    fetch(srv, "GET", "/data.txt", "Range: bytes=10-19\r\n", &r);
    assert_status(srv, &r, 206, "bytes=10-19");
    assert_slice(&r, data, 10, 19, DATA_LEN);
    ck_assert_pstr_eq(kvt_header(&r, "Accept-Ranges"), "bytes");
    ck_assert_msg(kvt_contains(kvt_header(&r, "Content-Type"), "text/plain"), "Content-Type %s",
                  kvt_header(&r, "Content-Type"));
    kvt_response_free(&r);

    assert_range_get(srv, "/data.txt", "Range: bytes=-7\r\n", data, 93, 99, DATA_LEN);
    assert_range_get(srv, "/data.txt", "Range: bytes=95-\r\n", data, 95, 99, DATA_LEN);
    assert_range_get(srv, "/data.txt", "Range: bytes=0-0\r\n", data, 0, 0, DATA_LEN);
    assert_range_get(srv, "/data.txt", "Range: bytes=99-99\r\n", data, 99, 99, DATA_LEN);
    assert_range_get(srv, "/data.txt", "Range: bytes=90-5000\r\n", data, 90, 99, DATA_LEN);
    assert_range_get(srv, "/data.txt", "Range: bytes=-500\r\n", data, 0, 99, DATA_LEN);
    /* a slice from the middle of a file big enough to go out with sendfile */
    assert_range_get(srv, "/big.bin", "Range: bytes=123456-234567\r\n", big, 123456, 234567,
                     BIG_LEN);
    /* overlapping ranges are merged as httpd does: one range left is a plain 206 */
    assert_range_get(srv, "/data.txt", "Range: bytes=0-9,5-19\r\n", data, 0, 19, DATA_LEN);
}
END_TEST

/* The boundary of a multipart/byteranges Content-Type. */
static char *boundary_of(const kvt_response_t *r)
{
    const char *type = kvt_header(r, "Content-Type");
    const char *b;

    ck_assert_msg(type && strncmp(type, "multipart/byteranges; boundary=", 31) == 0,
                  "Content-Type %s", type);
    b = type + 31;
    ck_assert_msg(*b != '\0', "empty boundary");
    return strdup(b);
}

/* Check one part at *p: delimiter, Content-Type, Content-Range, the bytes; move past it. */
static void assert_part(const char **p, const char *end, const char *boundary, long first,
                        long last)
{
    char *head = kvt_strf("\r\n--%s\r\nContent-Type: text/plain\r\n"
                          "Content-Range: bytes %ld-%ld/%d\r\n\r\n",
                          boundary, first, last, DATA_LEN);
    size_t n = strlen(head);
    size_t len = (size_t)(last - first + 1);

    ck_assert_msg((size_t)(end - *p) >= n + len && memcmp(*p, head, n) == 0,
                  "part %ld-%ld head: %.100s", first, last, *p);
    ck_assert_msg(memcmp(*p + n, data + first, len) == 0, "part %ld-%ld bytes", first, last);
    *p += n + len;
    free(head);
}

static void assert_multipart_end(const char *p, const char *end, const char *boundary)
{
    char *close = kvt_strf("\r\n--%s--\r\n", boundary);

    ck_assert_msg((size_t)(end - p) == strlen(close) && memcmp(p, close, strlen(close)) == 0,
                  "multipart end: %.*s", (int)(end - p), p);
    free(close);
}

KVC_TEST(ranges_case, test_multipart_ranges)
{
    kvt_server_t *srv = started();
    int fd = kvt_connect(kvt_server_port(srv));
    kvt_response_t r, next;

    /* kept alive: a wrong Content-Length would garble the second response */
    kvt_send(fd, "GET /data.txt HTTP/1.1\r\nHost: localhost\r\nRange: bytes=0-4,10-14,-3\r\n\r\n"
                 "GET /data.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    assert_status(srv, &r, 206, "three ranges");
    ck_assert_ptr_null(kvt_header(&r, "Content-Range"));
    char *boundary = boundary_of(&r);
    char *len = kvt_strf("%zu", r.body_len);
    ck_assert_pstr_eq(kvt_header(&r, "Content-Length"), len);
    const char *p = r.body, *end = r.body + r.body_len;
    assert_part(&p, end, boundary, 0, 4);
    assert_part(&p, end, boundary, 10, 14);
    assert_part(&p, end, boundary, 97, 99);
    assert_multipart_end(p, end, boundary);
    ck_assert_int_eq(kvt_read_response(fd, &next, 0), 0);
    assert_full(srv, &next, "GET after the multipart response");
    close(fd);
    kvt_response_free(&r);
    kvt_response_free(&next);
    free(boundary);
    free(len);
}
END_TEST

KVC_TEST(ranges_case, test_unsatisfiable_range)
{
    kvt_server_t *srv = started();
    kvt_response_t r;

    fetch(srv, "GET", "/data.txt", "Range: bytes=100-\r\n", &r);
    assert_status(srv, &r, 416, "bytes=100-");
    ck_assert_pstr_eq(kvt_header(&r, "Content-Range"), "bytes */100");
    kvt_response_free(&r);
    ck_assert_int_eq(get_status(srv, "Range: bytes=200-300,-0\r\n"), 416);
}
END_TEST

static char *many_ranges(int n)
{
    char *value = strdup("Range: bytes=0-0");

    for (int i = 1; i < n; i++) {
        char *longer = kvt_strf("%s,%d-%d", value, 2 * i, 2 * i);
        free(value);
        value = longer;
    }
    char *field = kvt_strf("%s\r\n", value);
    free(value);
    return field;
}

KVC_TEST(ranges_case, test_ignored_ranges)
{
    kvt_server_t *srv = started();
    kvt_response_t r;
    static const char *const ignored[] = {
        "Range: bytes=abc\r\n",
        "Range: bytes=5-3\r\n",
        "Range: items=0-5\r\n",
        "Range: bytes=0-5;x\r\n",
    };

    for (int i = 0; i < KVT_COUNT(ignored); i++) {
        fetch(srv, "GET", "/data.txt", ignored[i], &r);
        assert_full(srv, &r, ignored[i]);
        ck_assert_pstr_eq(kvt_header(&r, "Accept-Ranges"), "bytes");
        kvt_response_free(&r);
    }
    /* 201 ranges: more than httpd's MaxRanges */
    char *field = many_ranges(201);
    fetch(srv, "GET", "/data.txt", field, &r);
    assert_full(srv, &r, "201 ranges");
    kvt_response_free(&r);
    free(field);
    fetch(srv, "GET", "/empty.txt", "Range: bytes=0-0\r\n", &r);
    assert_status(srv, &r, 200, "range of an empty file");
    ck_assert_uint_eq(r.body_len, 0);
    kvt_response_free(&r);
}
END_TEST

KVC_TEST(ranges_case, test_range_on_head_and_errors)
{
    kvt_server_t *srv = started();
    kvt_response_t r;

    fetch(srv, "HEAD", "/data.txt", "Range: bytes=0-9\r\n", &r);
    assert_status(srv, &r, 200, "HEAD with Range");
    ck_assert_pstr_eq(kvt_header(&r, "Content-Length"), "100");
    ck_assert_ptr_null(kvt_header(&r, "Content-Range"));
    kvt_response_free(&r);
    fetch(srv, "GET", "/missing.txt", "Range: bytes=0-9\r\n", &r);
    assert_status(srv, &r, 404, "Range on a missing file");
    ck_assert_ptr_null(kvt_header(&r, "Content-Range"));
    ck_assert_msg(kvt_contains(r.body, "Not Found"), "404 body %s", r.body);
    kvt_response_free(&r);
    /* a failed precondition wins over the range */
    ck_assert_int_eq(get_status(srv, "Range: bytes=0-9\r\nIf-Match: \"other\"\r\n"), 412);
    ck_assert_int_eq(get_status(srv, "Range: bytes=0-9\r\nIf-None-Match: *\r\n"), 304);
}
END_TEST

KVC_TEST(ranges_case, test_if_range)
{
    kvt_server_t *srv = started();
    char *etag = data_etag(srv);
    kvt_response_t r;
    char *field = kvt_strf("Range: bytes=1-2\r\nIf-Range: %s\r\n", etag);

    assert_range_get(srv, "/data.txt", field, data, 1, 2, DATA_LEN);
    free(field);
    assert_range_get(srv, "/data.txt", "Range: bytes=1-2\r\nIf-Range: " FIXED_MTIME_HTTP "\r\n",
                     data, 1, 2, DATA_LEN);

    fetch(srv, "GET", "/data.txt", "Range: bytes=1-2\r\nIf-Range: \"other\"\r\n", &r);
    assert_full(srv, &r, "If-Range: other tag");
    kvt_response_free(&r);
    field = kvt_strf("Range: bytes=1-2\r\nIf-Range: W/%s\r\n", etag);
    fetch(srv, "GET", "/data.txt", field, &r);
    assert_full(srv, &r, "If-Range: weak tag");
    kvt_response_free(&r);
    free(field);
    fetch(srv, "GET", "/data.txt", "Range: bytes=1-2\r\nIf-Range: " BEFORE_HTTP "\r\n", &r);
    assert_full(srv, &r, "If-Range: other date");
    kvt_response_free(&r);
    /* an If-Range that does not match also keeps an unsatisfiable Range from a 416 */
    ck_assert_int_eq(get_status(srv, "Range: bytes=500-\r\nIf-Range: \"other\"\r\n"), 200);
    free(etag);
}
END_TEST

int main(void)
{
    return kvc_run("ranges");
}
