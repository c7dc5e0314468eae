/* The CGI response-head parser of mod_cgi: fields and the body boundary found whatever the
 * pieces the pipe gives, limits enforced, Status/Location/Content-Type interpreted. */
#include <check.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "cgi_headers.h"
#include "../check_run.h"

static apr_pool_t *pool;

/* Feed @a text in pieces of @a step bytes; the state at the end and where the body starts. */
static cgi_head_state_t feed_in_steps(cgi_head_t *h, const char *text, apr_size_t step,
                                      apr_size_t *body_at)
{
    apr_size_t off = 0, len = strlen(text), used;
    cgi_head_state_t st = CGI_HEAD_MORE;

    cgi_head_init(h, pool);
    while (off < len && st == CGI_HEAD_MORE) {
        apr_size_t n = len - off < step ? len - off : step;
        st = cgi_head_feed(h, text + off, n, &used);
        off += used;
    }
    *body_at = off;
    return st;
}

KVU_POOL_CASE(cgi_headers_case, "cgi_headers", pool);

KVC_TEST(cgi_headers_case, test_fields_and_body_boundary_any_split)
{
    static const char out[] = "Content-Type: text/plain\r\nX-A:  spaced value \nX-A: two\r\n\r\n"
                              "body\r\n\r\nmore";
    for (apr_size_t step = 1; step <= sizeof(out); step++) {
        cgi_head_t h;
        apr_size_t at;

        ck_assert_int_eq(feed_in_steps(&h, out, step, &at), CGI_HEAD_DONE);
        ck_assert_str_eq(out + at, "body\r\n\r\nmore");
        ck_assert_str_eq(apr_table_get(h.fields, "content-type"), "text/plain");
        ck_assert_str_eq(apr_table_get(h.fields, "X-A"), "spaced value");
        ck_assert_int_eq(apr_table_elts(h.fields)->nelts, 3);
    }
}
END_TEST

KVC_TEST(cgi_headers_case, test_folded_line_joins_previous)
{
    cgi_head_t h;
    apr_size_t at;

    ck_assert_int_eq(feed_in_steps(&h, "X-Long: one\n\ttwo\n\n", 100, &at), CGI_HEAD_DONE);
    ck_assert_str_eq(apr_table_get(h.fields, "X-Long"), "one two");
    ck_assert_int_eq(feed_in_steps(&h, " lead\n\n", 100, &at), CGI_HEAD_BAD);
}
END_TEST

KVC_TEST(cgi_headers_case, test_refusals)
{
    static const char *const bad[] = {"no colon here\n\n", ": empty name\n\n",
                                      "Bad Name: x\n\n", "Na(me: x\n\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cgi_head_t h;
        apr_size_t at;

        ck_assert_msg(feed_in_steps(&h, bad[i], 3, &at) == CGI_HEAD_BAD, "accepted %s", bad[i]);
        ck_assert_ptr_nonnull(h.error);
    }
}
END_TEST

KVC_TEST(cgi_headers_case, test_line_length_limit)
{
    char *line = apr_palloc(pool, CGI_HEAD_MAX_LINE + 16);
    cgi_head_t h;
    apr_size_t at;

    memset(line, 'a', CGI_HEAD_MAX_LINE + 10);
    memcpy(line, "X: ", 3);
    line[CGI_HEAD_MAX_LINE] = '\n';
    line[CGI_HEAD_MAX_LINE + 1] = '\n';
    line[CGI_HEAD_MAX_LINE + 2] = '\0';
    ck_assert_int_eq(feed_in_steps(&h, line, 1000, &at), CGI_HEAD_DONE);
    line[CGI_HEAD_MAX_LINE] = 'a';
    ck_assert_int_eq(feed_in_steps(&h, line, 1000, &at), CGI_HEAD_BAD);
    ck_assert(strstr(h.error, "longer") != NULL);
}
END_TEST

KVC_TEST(cgi_headers_case, test_field_count_limit)
{
    char *text = "";
    cgi_head_t h;
    apr_size_t at;

    for (int i = 0; i < CGI_HEAD_MAX_FIELDS; i++) {
        text = apr_psprintf(pool, "%sX-%d: v\n", text, i);
    }
    ck_assert_int_eq(feed_in_steps(&h, apr_pstrcat(pool, text, "\n", NULL), 64, &at),
                     CGI_HEAD_DONE);
    text = apr_pstrcat(pool, text, "X-Last: v\n\n", NULL);
    ck_assert_int_eq(feed_in_steps(&h, text, 64, &at), CGI_HEAD_BAD);
}
END_TEST

static const char *interpret(const char *text, cgi_response_t *resp)
{
    cgi_head_t h;
    apr_size_t at;

    ck_assert_int_eq(feed_in_steps(&h, text, 100, &at), CGI_HEAD_DONE);
    return cgi_head_interpret(pool, h.fields, resp);
}

KVC_TEST(cgi_headers_case, test_interpret)
{
    cgi_response_t resp;

    ck_assert_ptr_null(interpret("Status: 404 Not Here\nContent-Type: a/b\nX: 1\n\n", &resp));
    ck_assert_int_eq(resp.status, 404);
    ck_assert_str_eq(resp.reason, "Not Here");
    ck_assert_str_eq(resp.content_type, "a/b");
    ck_assert_str_eq(apr_table_get(resp.headers, "X"), "1");
    ck_assert_ptr_null(apr_table_get(resp.headers, "Status"));

    ck_assert_ptr_null(interpret("Location: /there\n\n", &resp));
    ck_assert_int_eq(resp.status, 0);
    ck_assert_int_eq(resp.local_redirect, 1);
    ck_assert_str_eq(resp.location, "/there");

    ck_assert_ptr_null(interpret("Location: http://example.com/x\n\n", &resp));
    ck_assert_int_eq(resp.status, 302);
    ck_assert_int_eq(resp.local_redirect, 0);

    ck_assert_ptr_null(interpret("Status: 201\nLocation: /made\n\n", &resp));
    ck_assert_int_eq(resp.status, 201);
    ck_assert_ptr_null(resp.reason);

    ck_assert_ptr_null(interpret("Content-Length: 5\nConnection: close\nX-Kept: y\n\n", &resp));
    ck_assert_int_eq(resp.status, 0);
    ck_assert_ptr_null(apr_table_get(resp.headers, "Content-Length"));
    ck_assert_ptr_null(apr_table_get(resp.headers, "Connection"));
    ck_assert_str_eq(apr_table_get(resp.headers, "X-Kept"), "y");

    ck_assert_ptr_nonnull(interpret("Status: abc\n\n", &resp));
    ck_assert_ptr_nonnull(interpret("Status: 20\n\n", &resp));
    ck_assert_ptr_nonnull(interpret("Status: 2000\n\n", &resp));
    ck_assert_ptr_nonnull(interpret("Status: 099\n\n", &resp));
}
END_TEST

int main(void)
{
    return kvc_run("cgi_headers");
}
