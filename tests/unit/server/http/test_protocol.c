/* Tests of server/http/protocol.c: the request-head parser and its helpers. */
/* Moved from tests/unit/server/test_protocol.c (server/ split into layer folders). */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <check.h>

#include "kv_request.h"
#include "protocol.h"
#include "../../check_run.h"

static apr_pool_t *pool;
static kv_parse_limits_t lim;
static kv_request_head_t head;

static void setup(void)
{
    kvu_apr_pool_setup(&pool);
    lim.line_max = KV_DEFAULT_LIMIT_REQUEST_LINE;
    lim.field_size_max = KV_DEFAULT_LIMIT_REQUEST_FIELDSIZE;
    lim.fields_max = KV_DEFAULT_LIMIT_REQUEST_FIELDS;
    memset(&head, 0xff, sizeof(head));
}

static void teardown(void)
{
    kvu_apr_pool_teardown(pool);
}

static int parse_n(const char *s, size_t n)
{
    return kv_parse_request_head(pool, s, n, &lim, &head);
}

static int parse(const char *s)
{
    return parse_n(s, strlen(s));
}

/* n copies of c, NUL-terminated. */
static char *repeat(char c, size_t n)
{
    char *s = apr_palloc(pool, n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* A request line of exactly n bytes: "GET /aaa HTTP/1.1". */
static const char *request_line_of(size_t n)
{
    const size_t fixed = strlen("GET / HTTP/1.1");
    return apr_pstrcat(pool, "GET /", repeat('a', n - fixed), " HTTP/1.1", NULL);
}

/* A field line of exactly n bytes: "X: vvv". */
static const char *field_line_of(size_t n)
{
    return apr_pstrcat(pool, "X: ", repeat('v', n - 3), NULL);
}

/* n field lines "F<i>: v", each ending in CRLF. */
static const char *fields(int n)
{
    const char *s = "";
    int i;

    for (i = 0; i < n; i++) {
        s = apr_psprintf(pool, "%sF%d: v\r\n", s, i);
    }
    return s;
}

static void expect_error(int rv, int status)
{
    ck_assert_int_eq(rv, KV_PARSE_ERROR);
    ck_assert_int_eq(head.status, status);
    ck_assert_ptr_nonnull(head.reason);
    ck_assert_ptr_null(head.method);
    ck_assert_ptr_null(head.headers);
}

static void expect_again(int rv)
{
    ck_assert_int_eq(rv, KV_PARSE_AGAIN);
    ck_assert_ptr_null(head.method);
    ck_assert_ptr_null(head.headers);
}

KVU_CASE(head_case, "head", setup, teardown);
KVU_CASE(errors, "errors", setup, teardown);
KVU_CASE(limits, "limits", setup, teardown);
KVU_CASE(resume, "resume", setup, teardown);
KVU_CASE(helpers_case, "helpers", setup, teardown);

KVC_TEST(head_case, simple_get)
{
    const char *req = "GET /index.html?a=b HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n";

    ck_assert_int_eq(parse(req), (int)strlen(req));
    ck_assert_str_eq(head.request_line, "GET /index.html?a=b HTTP/1.1");
    ck_assert_str_eq(head.method, "GET");
    ck_assert_int_eq(head.method_number, KV_M_GET);
    ck_assert_str_eq(head.target, "/index.html?a=b");
    ck_assert_str_eq(head.protocol, "HTTP/1.1");
    ck_assert_int_eq(head.proto_num, KV_HTTP_VERSION(1, 1));
    ck_assert_str_eq(apr_table_get(head.headers, "host"), "example.com");
    ck_assert_str_eq(apr_table_get(head.headers, "Accept"), "*/*");
    ck_assert_int_eq(apr_table_elts(head.headers)->nelts, 2);
}
END_TEST

KVC_TEST(head_case, http10_without_fields)
{
    const char *req = "HEAD / HTTP/1.0\r\n\r\n";

    ck_assert_int_eq(parse(req), (int)strlen(req));
    ck_assert_int_eq(head.method_number, KV_M_HEAD);
    ck_assert_int_eq(head.proto_num, KV_HTTP_VERSION(1, 0));
    ck_assert(apr_is_empty_table(head.headers));
}
END_TEST

KVC_TEST(head_case, bare_lf_line_ends)
{
    const char *req = "GET / HTTP/1.1\nHost: a\r\nX: y\n\n";

    ck_assert_int_eq(parse(req), (int)strlen(req));
    ck_assert_str_eq(head.request_line, "GET / HTTP/1.1");
    ck_assert_str_eq(apr_table_get(head.headers, "Host"), "a");
    ck_assert_str_eq(apr_table_get(head.headers, "X"), "y");
}
END_TEST

KVC_TEST(head_case, values_trimmed_names_as_received)
{
    const char *req = "GET / HTTP/1.1\r\nx-FOO: \t a \t b \t\r\nEmpty:\r\nBlank: \t \r\n"
                      "Tight:v\r\n\r\n";
    const apr_array_header_t *arr;
    const apr_table_entry_t *e;

    ck_assert_int_gt(parse(req), 0);
    arr = apr_table_elts(head.headers);
    e = (const apr_table_entry_t *)arr->elts;
    ck_assert_int_eq(arr->nelts, 4);
    ck_assert_str_eq(e[0].key, "x-FOO");
    ck_assert_str_eq(e[0].val, "a \t b");
    ck_assert_str_eq(e[1].val, "");
    ck_assert_str_eq(e[2].val, "");
    ck_assert_str_eq(e[3].val, "v");
}
END_TEST

KVC_TEST(head_case, repeated_fields_kept)
{
    const char *req = "GET / HTTP/1.1\r\nAccept: a\r\nAccept: b\r\n\r\n";

    ck_assert_int_gt(parse(req), 0);
    ck_assert_int_eq(apr_table_elts(head.headers)->nelts, 2);
    ck_assert_str_eq(apr_table_get(head.headers, "Accept"), "a");
}
END_TEST

KVC_TEST(head_case, obs_text_allowed)
{
    const char *req = "GET /caf\xc3\xa9 HTTP/1.1\r\nX: caf\xc3\xa9\r\n\r\n";

    ck_assert_int_gt(parse(req), 0);
    ck_assert_str_eq(head.target, "/caf\xc3\xa9");
    ck_assert_str_eq(apr_table_get(head.headers, "X"), "caf\xc3\xa9");
}
END_TEST

KVC_TEST(head_case, other_methods_and_versions)
{
    ck_assert_int_gt(parse("BREW /pot HTTP/1.1\r\n\r\n"), 0);
    ck_assert_str_eq(head.method, "BREW");
    ck_assert_int_eq(head.method_number, KV_M_OTHER);
    ck_assert_int_gt(parse("get / HTTP/1.1\r\n\r\n"), 0);
    ck_assert_int_eq(head.method_number, KV_M_OTHER);
    ck_assert_int_gt(parse("OPTIONS * HTTP/1.9\r\n\r\n"), 0);
    ck_assert_str_eq(head.target, "*");
    ck_assert_int_eq(head.proto_num, KV_HTTP_VERSION(1, 9));
}
END_TEST

KVC_TEST(head_case, leading_empty_lines_skipped)
{
    const char *req = "\r\n\n\r\nGET / HTTP/1.1\r\n\r\n";

    ck_assert_int_eq(parse(req), (int)strlen(req));
    ck_assert_str_eq(head.request_line, "GET / HTTP/1.1");
}
END_TEST

KVC_TEST(head_case, leading_empty_lines_bounded)
{
    const char *most =
        apr_pstrcat(pool, repeat('\n', KV_PARSE_MAX_BLANK_LINES), "GET / HTTP/1.1\r\n\r\n", NULL);
    const char *over = apr_pstrcat(pool, "\n", most, NULL);

    ck_assert_int_eq(parse(most), (int)strlen(most));
    expect_error(parse(over), KV_HTTP_BAD_REQUEST);
    /* Too many is an error even before the request line starts. */
    expect_error(parse(repeat('\n', KV_PARSE_MAX_BLANK_LINES + 1)), KV_HTTP_BAD_REQUEST);
    expect_again(parse(repeat('\n', KV_PARSE_MAX_BLANK_LINES)));
}
END_TEST

/* Requests every one of which the parser refuses, with the status it must answer. */
static const struct {
    const char *req;
    int status;
} bad_requests[] = {
    /* line endings */
    {"\rGET / HTTP/1.1\r\n\r\n", 400},
    {"GET /\r HTTP/1.1\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\n\r\r\n", 400},
    /* request line shape */
    {"GET  / HTTP/1.1\r\n\r\n", 400},
    {"GET /  HTTP/1.1\r\n\r\n", 400},
    {" GET / HTTP/1.1\r\n\r\n", 400},
    {"GET / HTTP/1.1 \r\n\r\n", 400},
    {"GET\t/ HTTP/1.1\r\n\r\n", 400},
    {"GET /\tHTTP/1.1\r\n\r\n", 400},
    {"GET / HTTP/1.1 extra\r\n\r\n", 400},
    {"GET /\r\n\r\n", 400},
    {"GET\r\n\r\n", 400},
    {"G(T / HTTP/1.1\r\n\r\n", 400},
    {"GE@ / HTTP/1.1\r\n\r\n", 400},
    {"GET /a\x01 HTTP/1.1\r\n\r\n", 400},
    {"GET /a\x7f HTTP/1.1\r\n\r\n", 400},
    {"GET /a\x1b[0m HTTP/1.1\r\n\r\n", 400},
    /* version */
    {"GET / http/1.1\r\n\r\n", 400},
    {"GET / HTTP/1\r\n\r\n", 400},
    {"GET / HTTP/11\r\n\r\n", 400},
    {"GET / HTTP/1.10\r\n\r\n", 400},
    {"GET / HTTP/1.x\r\n\r\n", 400},
    {"GET / HTTPS/1.1\r\n\r\n", 400},
    {"GET / HTTP/2.0\r\n\r\n", 505},
    {"GET / HTTP/3.0\r\n\r\n", 505},
    {"GET / HTTP/0.9\r\n\r\n", 505},
    /* field lines */
    {"GET / HTTP/1.1\r\nNoColon\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\n: empty name\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\nX Y: a\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\nX(Y): a\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\nX: a\r\n\tfolded\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\n Indented: a\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\nX: a\x01\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\nX: \x1b[31m\r\n\r\n", 400},
    /* Host */
    {"GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400},
    {"GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\nhOST: b\r\n\r\n", 400},
};

KVC_LOOP_TEST(errors, bad_request, 0, sizeof(bad_requests) / sizeof(bad_requests[0]))
{
    expect_error(parse(bad_requests[_i].req), bad_requests[_i].status);
}
END_TEST

KVC_TEST(head_case, htab_in_value_allowed)
{
    ck_assert_int_gt(parse("GET / HTTP/1.1\r\nX: a\tb\r\n\r\n"), 0);
    ck_assert_str_eq(apr_table_get(head.headers, "X"), "a\tb");
}
END_TEST

KVC_TEST(errors, nul_refused)
{
    static const char in_method[] = "G\0T / HTTP/1.1\r\n\r\n";
    static const char in_target[] = "GET /a\0b HTTP/1.1\r\n\r\n";
    static const char in_name[] = "GET / HTTP/1.1\r\nX\0: a\r\n\r\n";
    static const char in_value[] = "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n";

    expect_error(parse_n(in_method, sizeof(in_method) - 1), KV_HTTP_BAD_REQUEST);
    expect_error(parse_n(in_target, sizeof(in_target) - 1), KV_HTTP_BAD_REQUEST);
    expect_error(parse_n(in_name, sizeof(in_name) - 1), KV_HTTP_BAD_REQUEST);
    expect_error(parse_n(in_value, sizeof(in_value) - 1), KV_HTTP_BAD_REQUEST);
}
END_TEST

KVC_TEST(errors, error_reasons)
{
    expect_error(parse("GET / HTTP/2.0\r\n\r\n"), 505);
    ck_assert_str_eq(head.reason, "unsupported HTTP version");
    expect_error(parse("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
    ck_assert_str_eq(head.reason, "more than one Host field");
}
END_TEST

KVC_TEST(limits, request_line_limit)
{
    const char *at = request_line_of(lim.line_max);
    const char *over = request_line_of(lim.line_max + 1);

    ck_assert_int_gt(parse(apr_pstrcat(pool, at, "\r\n\r\n", NULL)), 0);
    ck_assert_uint_eq(strlen(head.request_line), lim.line_max);
    expect_error(parse(apr_pstrcat(pool, over, "\r\n\r\n", NULL)), KV_HTTP_REQUEST_URI_TOO_LARGE);
    ck_assert_str_eq(head.reason, "request line too long");
}
END_TEST

KVC_TEST(limits, request_line_limit_small)
{
    lim.line_max = 20;
    ck_assert_int_gt(parse(apr_pstrcat(pool, request_line_of(20), "\n\n", NULL)), 0);
    expect_error(parse(apr_pstrcat(pool, request_line_of(21), "\n\n", NULL)), 414);
}
END_TEST

KVC_TEST(limits, request_line_limit_detected_early)
{
    const char *at = request_line_of(lim.line_max);
    const char *over = request_line_of(lim.line_max + 1);

    /* The whole line without its end: more may come. */
    expect_again(parse(at));
    expect_again(parse(apr_pstrcat(pool, at, "\r", NULL)));
    /* One byte over, no line end yet: already too long. */
    expect_error(parse(over), KV_HTTP_REQUEST_URI_TOO_LARGE);
    expect_error(parse(repeat('a', lim.line_max + 1)), KV_HTTP_REQUEST_URI_TOO_LARGE);
    /* After leading empty lines too. */
    expect_error(parse(apr_pstrcat(pool, "\r\n", over, NULL)), KV_HTTP_REQUEST_URI_TOO_LARGE);
}
END_TEST

KVC_TEST(limits, field_size_limit)
{
    const char *at = field_line_of(lim.field_size_max);
    const char *over = field_line_of(lim.field_size_max + 1);

    ck_assert_int_gt(parse(apr_pstrcat(pool, "GET / HTTP/1.1\r\n", at, "\r\n\r\n", NULL)), 0);
    ck_assert_uint_eq(strlen(apr_table_get(head.headers, "X")), lim.field_size_max - 3);
    expect_error(parse(apr_pstrcat(pool, "GET / HTTP/1.1\r\n", over, "\r\n\r\n", NULL)),
                 KV_HTTP_BAD_REQUEST);
    ck_assert_str_eq(head.reason, "header field too long");
    /* Early: no line end yet. */
    expect_again(parse(apr_pstrcat(pool, "GET / HTTP/1.1\r\n", at, NULL)));
    expect_error(parse(apr_pstrcat(pool, "GET / HTTP/1.1\r\n", over, NULL)), KV_HTTP_BAD_REQUEST);
}
END_TEST

KVC_TEST(limits, field_size_limit_small)
{
    lim.field_size_max = 10;
    ck_assert_int_gt(parse("GET / HTTP/1.1\r\nAbc: 12345\r\n\r\n"), 0);
    expect_error(parse("GET / HTTP/1.1\r\nAbc: 123456\r\n\r\n"), 400);
    /* The limit is on the line as sent, whitespace included. */
    expect_error(parse("GET / HTTP/1.1\r\nAbc: 1     \r\n\r\n"), 400);
}
END_TEST

KVC_TEST(limits, field_count_limit)
{
    const char *rl = "GET / HTTP/1.1\r\n";

    ck_assert_int_gt(parse(apr_pstrcat(pool, rl, fields(lim.fields_max), "\r\n", NULL)), 0);
    ck_assert_int_eq(apr_table_elts(head.headers)->nelts, lim.fields_max);
    expect_error(parse(apr_pstrcat(pool, rl, fields(lim.fields_max + 1), "\r\n", NULL)),
                 KV_HTTP_BAD_REQUEST);
    ck_assert_str_eq(head.reason, "too many header fields");
}
END_TEST

KVC_TEST(limits, field_count_limit_detected_early)
{
    const char *full = apr_pstrcat(pool, "GET / HTTP/1.1\r\n", fields(3), NULL);

    lim.fields_max = 3;
    expect_again(parse(full));
    expect_again(parse(apr_pstrcat(pool, full, "\r", NULL)));
    ck_assert_int_gt(parse(apr_pstrcat(pool, full, "\r\n", NULL)), 0);
    /* The first byte of a fourth field is enough. */
    expect_error(parse(apr_pstrcat(pool, full, "X", NULL)), KV_HTTP_BAD_REQUEST);
}
END_TEST

KVC_TEST(limits, field_count_zero_is_unlimited)
{
    lim.fields_max = 0;
    ck_assert_int_gt(parse(apr_pstrcat(pool, "GET / HTTP/1.1\r\n", fields(500), "\r\n", NULL)), 0);
    ck_assert_int_eq(apr_table_elts(head.headers)->nelts, 500);
}
END_TEST

KVC_TEST(resume, incomplete_heads_wait)
{
    expect_again(parse(""));
    expect_again(parse("\r"));
    expect_again(parse("\r\n"));
    expect_again(parse("GET / HTTP/1.1"));
    expect_again(parse("GET / HTTP/1.1\r\n"));
    expect_again(parse("GET / HTTP/1.1\r\nHost: a\r\n"));
    expect_again(parse("GET / HTTP/1.1\r\nHost: a\r\n\r"));
}
END_TEST

KVC_TEST(resume, bad_line_refused_before_head_ends)
{
    expect_error(parse("GET / HTTP/2.0\r\n"), KV_HTTP_VERSION_NOT_SUPPORTED);
    expect_error(parse("GET / HTTP/1.1\r\nBad Name: x\r\n"), KV_HTTP_BAD_REQUEST);
}
END_TEST

KVC_TEST(resume, one_byte_at_a_time)
{
    const char *req = "\r\nPOST /form?x=1 HTTP/1.1\r\nHost: example.com\r\n"
                      "Content-Length: 3\r\nX:\tv \r\n\r\n";
    size_t len = strlen(req), n;

    for (n = 0; n < len; n++) {
        expect_again(parse_n(req, n));
    }
    ck_assert_int_eq(parse_n(req, len), (int)len);
    ck_assert_str_eq(head.target, "/form?x=1");
    ck_assert_str_eq(apr_table_get(head.headers, "Content-Length"), "3");
    ck_assert_str_eq(apr_table_get(head.headers, "X"), "v");
}
END_TEST

KVC_TEST(resume, body_and_pipelined_request_not_consumed)
{
    const char *first = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n";
    const char *buf = apr_pstrcat(pool, first, "hello", "GET /b HTTP/1.1\r\nHost: x\r\n\r\n", NULL);

    ck_assert_int_eq(parse(buf), (int)strlen(first));
    ck_assert_str_eq(head.target, "/a");
    ck_assert_int_eq(parse(buf + strlen(first) + 5), (int)strlen(buf) - (int)strlen(first) - 5);
    ck_assert_str_eq(head.target, "/b");
}
END_TEST

KVC_TEST(head_case, strings_are_copies)
{
    char req[] = "GET /x HTTP/1.1\r\nHost: h\r\n\r\n";

    ck_assert_int_gt(parse(req), 0);
    memset(req, 'z', sizeof(req) - 1);
    ck_assert_str_eq(head.target, "/x");
    ck_assert_str_eq(apr_table_get(head.headers, "Host"), "h");
}
END_TEST

KVC_TEST(helpers_case, content_length)
{
    apr_off_t v = -7;

    ck_assert_int_eq(kv_parse_content_length("0", &v), 0);
    ck_assert_int_eq(v, 0);
    ck_assert_int_eq(kv_parse_content_length("123", &v), 0);
    ck_assert_int_eq(v, 123);
    ck_assert_int_eq(kv_parse_content_length("007", &v), 0);
    ck_assert_int_eq(v, 7);
    ck_assert_int_eq(kv_parse_content_length("9223372036854775807", &v), 0);
    ck_assert(v == APR_INT64_C(9223372036854775807));
    v = 42;
    ck_assert_int_eq(kv_parse_content_length("9223372036854775808", &v), -1);
    ck_assert_int_eq(kv_parse_content_length("99999999999999999999999", &v), -1);
    ck_assert_int_eq(kv_parse_content_length("", &v), -1);
    ck_assert_int_eq(kv_parse_content_length("-1", &v), -1);
    ck_assert_int_eq(kv_parse_content_length("+1", &v), -1);
    ck_assert_int_eq(kv_parse_content_length(" 1", &v), -1);
    ck_assert_int_eq(kv_parse_content_length("1 ", &v), -1);
    ck_assert_int_eq(kv_parse_content_length("1,1", &v), -1);
    ck_assert_int_eq(kv_parse_content_length("0x10", &v), -1);
    ck_assert_int_eq(kv_parse_content_length("1e3", &v), -1);
    ck_assert_int_eq(v, 42);
}
END_TEST

static int split(const char *target, const char **path, const char **args, const char **host)
{
    *path = *args = *host = "untouched";
    return kv_split_target(pool, target, path, args, host);
}

KVC_TEST(helpers_case, split_origin_form)
{
    const char *path, *args, *host;

    ck_assert_int_eq(split("/p/q.html?a=1&b=2", &path, &args, &host), 0);
    ck_assert_str_eq(path, "/p/q.html");
    ck_assert_str_eq(args, "a=1&b=2");
    ck_assert_ptr_null(host);
    ck_assert_int_eq(split("/p", &path, &args, &host), 0);
    ck_assert_str_eq(path, "/p");
    ck_assert_ptr_null(args);
    ck_assert_int_eq(split("/p?", &path, &args, &host), 0);
    ck_assert_str_eq(args, "");
    ck_assert_int_eq(split("/p?a?b", &path, &args, &host), 0);
    ck_assert_str_eq(path, "/p");
    ck_assert_str_eq(args, "a?b");
    ck_assert_int_eq(split("/%41%3F?x", &path, &args, &host), 0);
    ck_assert_str_eq(path, "/%41%3F");
    /* Not an authority: in origin-form it is a path. */
    ck_assert_int_eq(split("//evil.example/x", &path, &args, &host), 0);
    ck_assert_str_eq(path, "//evil.example/x");
    ck_assert_ptr_null(host);
}
END_TEST

KVC_TEST(helpers_case, split_asterisk_form)
{
    const char *path, *args, *host;

    ck_assert_int_eq(split("*", &path, &args, &host), 0);
    ck_assert_str_eq(path, "*");
    ck_assert_ptr_null(args);
    ck_assert_ptr_null(host);
}
END_TEST

KVC_TEST(helpers_case, split_absolute_form)
{
    const char *path, *args, *host;

    ck_assert_int_eq(split("http://example.com:8080/p/q?x=1", &path, &args, &host), 0);
    ck_assert_str_eq(path, "/p/q");
    ck_assert_str_eq(args, "x=1");
    ck_assert_str_eq(host, "example.com:8080");
    ck_assert_int_eq(split("HTTP://Example.COM/x", &path, &args, &host), 0);
    ck_assert_str_eq(path, "/x");
    ck_assert_ptr_null(args);
    ck_assert_str_eq(host, "Example.COM");
    ck_assert_int_eq(split("http://example.com", &path, &args, &host), 0);
    ck_assert_str_eq(path, "/");
    ck_assert_int_eq(split("http://example.com?q", &path, &args, &host), 0);
    ck_assert_str_eq(path, "/");
    ck_assert_str_eq(args, "q");
    ck_assert_int_eq(split("http://[::1]:80/", &path, &args, &host), 0);
    ck_assert_str_eq(host, "[::1]:80");
    ck_assert_int_eq(split("http://h:65535/", &path, &args, &host), 0);
    ck_assert_str_eq(host, "h:65535");
    ck_assert_int_eq(split("http://h:/", &path, &args, &host), 0);
    ck_assert_str_eq(host, "h:");
}
END_TEST

static const char *const bad_targets[] = {
    "",
    "x",
    "*x",
    "example.com:443",
    "https://example.com/",
    "ftp://example.com/",
    "http://user@example.com/",
    "http://user:pw@example.com/",
    "http://example.com:65536/",
    "http://example.com:8x/",
    "http:///p",
    "http:/p",
    "http:",
    "/p#frag",
    "http://example.com/p#frag",
};

KVC_LOOP_TEST(helpers_case, split_refused, 0, sizeof(bad_targets) / sizeof(bad_targets[0]))
{
    const char *path, *args, *host;

    ck_assert_int_eq(split(bad_targets[_i], &path, &args, &host), KV_HTTP_BAD_REQUEST);
    ck_assert_str_eq(path, "untouched");
}
END_TEST

KVC_TEST(helpers_case, method_numbers)
{
    ck_assert_int_eq(kv_method_number("GET"), KV_M_GET);
    ck_assert_int_eq(kv_method_number("HEAD"), KV_M_HEAD);
    ck_assert_int_eq(kv_method_number("POST"), KV_M_POST);
    ck_assert_int_eq(kv_method_number("PUT"), KV_M_PUT);
    ck_assert_int_eq(kv_method_number("DELETE"), KV_M_DELETE);
    ck_assert_int_eq(kv_method_number("OPTIONS"), KV_M_OPTIONS);
    ck_assert_int_eq(kv_method_number("TRACE"), KV_M_TRACE);
    ck_assert_int_eq(kv_method_number("CONNECT"), KV_M_CONNECT);
    ck_assert_int_eq(kv_method_number("PATCH"), KV_M_PATCH);
    ck_assert_int_eq(kv_method_number("get"), KV_M_OTHER);
    ck_assert_int_eq(kv_method_number("GETS"), KV_M_OTHER);
    ck_assert_int_eq(kv_method_number(""), KV_M_OTHER);
}
END_TEST

/* What a request that times out gets depends on whether its request line came whole. */
static const struct {
    const char *buf;
    const char *line; /* NULL: not (yet) a request line */
} line_cases[] = {
    {"", NULL},
    {"GET /f HT", NULL},
    {"GET /f HTTP/1.1", NULL},
    {"GET /f HTTP/1.1\r", NULL},
    {"\r\n\r\n", NULL},
    {"GET /f HTTP/1.1\r\n", "GET /f HTTP/1.1"},
    {"GET /f HTTP/1.1\nHost: a", "GET /f HTTP/1.1"},
    {"\r\n\r\nPOST /x HTTP/1.0\r\nHo", "POST /x HTTP/1.0"},
    {"GARBAGE\r\n", NULL},
};

KVC_LOOP_TEST(helpers_case, request_line_received, 0, sizeof(line_cases) / sizeof(line_cases[0]))
{
    const char *line = NULL;
    int got = kv_request_line_received(pool, line_cases[_i].buf, strlen(line_cases[_i].buf),
                                       &lim, &line);

    ck_assert_int_eq(got, line_cases[_i].line != NULL);
    if (got) {
        ck_assert_str_eq(line, line_cases[_i].line);
    }
}
END_TEST

int main(void)
{
    return kvc_run("protocol");
}
