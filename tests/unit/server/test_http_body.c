/* Tests of server/http_body.c: the pure chunk-size and trailer-section parsers. */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <check.h>

#include "http_body.h"

static apr_pool_t *pool;
static kv_parse_limits_t lim;

static void setup(void)
{
    ck_assert_int_eq(apr_initialize(), APR_SUCCESS);
    ck_assert_int_eq(apr_pool_create(&pool, NULL), APR_SUCCESS);
    lim.line_max = KV_DEFAULT_LIMIT_REQUEST_LINE;
    lim.field_size_max = KV_DEFAULT_LIMIT_REQUEST_FIELDSIZE;
    lim.fields_max = KV_DEFAULT_LIMIT_REQUEST_FIELDS;
}

static void teardown(void)
{
    apr_pool_destroy(pool);
    apr_terminate();
}

static int chunk_size(const char *line, apr_off_t *size)
{
    return kv_parse_chunk_size(line, strlen(line), size);
}

static const struct {
    const char *line;
    apr_off_t size;
} good_sizes[] = {
    {"0", 0},         {"a", 10},
    {"FF", 255},      {"1f;ext", 31},
    {"5 ;a=b", 5},    {"5\t; a=\"x\"", 5},
    {"00000010", 16}, {"7fffffffffffffff", 0x7fffffffffffffffLL},
};

START_TEST(test_chunk_size_valid)
{
    apr_off_t size = -1;
    ck_assert_int_eq(chunk_size(good_sizes[_i].line, &size), 0);
    ck_assert_msg(size == good_sizes[_i].size, "%s gave %" APR_OFF_T_FMT, good_sizes[_i].line,
                  size);
}
END_TEST

static const char *const bad_sizes[] = {
    "", ";ext", " 5", "+5", "-5", "0x5", "5 x", "g", "8000000000000000", "fffffffffffffffff",
};

START_TEST(test_chunk_size_invalid)
{
    apr_off_t size = 42;
    ck_assert_msg(chunk_size(bad_sizes[_i], &size) == -1, "'%s' accepted", bad_sizes[_i]);
    ck_assert(size == 42);
}
END_TEST

START_TEST(test_chunk_size_nul_in_extension)
{
    apr_off_t size;
    ck_assert_int_eq(kv_parse_chunk_size("5;a\0b", 5, &size), -1);
}
END_TEST

static int trailers(const char *s, apr_table_t **t)
{
    return kv_parse_trailers(pool, s, strlen(s), &lim, t);
}

START_TEST(test_trailers_empty_section)
{
    apr_table_t *t = NULL;
    ck_assert_int_eq(trailers("\r\nGET / HTTP/1.1\r\n", &t), 2);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(apr_table_elts(t)->nelts, 0);
    ck_assert_int_eq(trailers("\nrest", &t), 1);
}
END_TEST

START_TEST(test_trailers_fields)
{
    apr_table_t *t = NULL;
    static const char s[] = "X-A: 1\r\nX-B:  two words \r\n\r\nnext";
    ck_assert_int_eq(trailers(s, &t), (int)(sizeof(s) - 1 - 4));
    ck_assert_str_eq(apr_table_get(t, "x-a"), "1");
    ck_assert_str_eq(apr_table_get(t, "X-B"), "two words");
}
END_TEST

START_TEST(test_trailers_need_more)
{
    apr_table_t *t = NULL;
    ck_assert_int_eq(trailers("", &t), KV_PARSE_AGAIN);
    ck_assert_int_eq(trailers("X-A: 1\r\n", &t), KV_PARSE_AGAIN);
    ck_assert_int_eq(trailers("X-A: 1\r\n\r", &t), KV_PARSE_AGAIN);
    ck_assert_ptr_null(t);
}
END_TEST

static const char *const bad_trailers[] = {
    "X-A : 1\r\n\r\n",  "X-A: 1\r\n folded\r\n\r\n", "X-A: a\001b\r\n\r\n",
    "no colon\r\n\r\n", "Bad Name: x\r\n\r\n",
};

START_TEST(test_trailers_invalid)
{
    apr_table_t *t = NULL;
    ck_assert_msg(trailers(bad_trailers[_i], &t) == KV_PARSE_ERROR, "accepted %s",
                  bad_trailers[_i]);
}
END_TEST

START_TEST(test_trailers_over_limits)
{
    apr_table_t *t = NULL;
    char *many = apr_pstrdup(pool, "");
    lim.fields_max = 2;
    for (int i = 0; i < 3; i++) {
        many = apr_psprintf(pool, "%sX-%d: v\r\n", many, i);
    }
    ck_assert_int_eq(trailers(apr_pstrcat(pool, many, "\r\n", NULL), &t), KV_PARSE_ERROR);
    lim.fields_max = 2;
    lim.field_size_max = 10;
    /* Far more than the limits allow, and still no end: refused, not waited for. */
    char *endless = apr_palloc(pool, 200);
    memset(endless, 'x', 199);
    endless[199] = '\0';
    ck_assert_int_eq(trailers(endless, &t), KV_PARSE_ERROR);
}
END_TEST

static Suite *http_body_suite(void)
{
    Suite *s = suite_create("http_body");
    TCase *tc = tcase_create("parsers");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_chunk_size_valid, 0,
                        (int)(sizeof(good_sizes) / sizeof(good_sizes[0])));
    tcase_add_loop_test(tc, test_chunk_size_invalid, 0,
                        (int)(sizeof(bad_sizes) / sizeof(bad_sizes[0])));
    tcase_add_test(tc, test_chunk_size_nul_in_extension);
    tcase_add_test(tc, test_trailers_empty_section);
    tcase_add_test(tc, test_trailers_fields);
    tcase_add_test(tc, test_trailers_need_more);
    tcase_add_loop_test(tc, test_trailers_invalid, 0,
                        (int)(sizeof(bad_trailers) / sizeof(bad_trailers[0])));
    tcase_add_test(tc, test_trailers_over_limits);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(http_body_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
