/* Tests of server/util/util_regex.c. */
/* Moved from tests/unit/server/test_util_regex.c (server/ split into layer folders). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>

#include "kv_regex.h"
#include "../../check_run.h"

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

KVU_CASE(regex, "regex", setup, teardown);

KVC_TEST(regex, matches_and_reports_groups)
{
    const char *err = NULL;
    kv_regex_t *re = kv_regex_compile(pool, "^/img/(.*)\\.(png|gif)$", 0, &err);
    kv_regmatch_t m;

    ck_assert_ptr_nonnull(re);
    ck_assert(kv_regex_match(pool, re, "/img/a/b.png", &m));
    ck_assert_int_eq(m.start[0], 0);
    ck_assert_int_eq(m.start[1], 5);
    ck_assert_int_eq(m.end[1], 8);
    ck_assert_int_eq(m.start[3], -1);
    ck_assert(!kv_regex_match(pool, re, "/img/a.jpg", NULL));
}
END_TEST

KVC_TEST(regex, case_insensitive_flag)
{
    const char *err = NULL;
    kv_regex_t *re = kv_regex_compile(pool, "^mozilla", KV_REGEX_ICASE, &err);

    ck_assert(kv_regex_match(pool, re, "Mozilla/5.0", NULL));
    re = kv_regex_compile(pool, "^mozilla", 0, &err);
    ck_assert(!kv_regex_match(pool, re, "Mozilla/5.0", NULL));
}
END_TEST

KVC_TEST(regex, bad_pattern_is_explained)
{
    const char *err = NULL;

    ck_assert_ptr_null(kv_regex_compile(pool, "a(b", 0, &err));
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_nonnull(strstr(err, "bad regular expression 'a(b' at offset 3"));
}
END_TEST

KVC_TEST(regex, substitutes_groups)
{
    const char *err = NULL;
    kv_regex_t *re = kv_regex_compile(pool, "^/old/(\\w+)/(\\d+)$", 0, &err);
    kv_regmatch_t m;
    const char *s = "/old/page/42";

    ck_assert(kv_regex_match(pool, re, s, &m));
    ck_assert_str_eq(kv_regex_substitute(pool, "/new/$2/$1?x=\\$1", s, &m), "/new/42/page?x=$1");
    ck_assert_str_eq(kv_regex_substitute(pool, "$0|$5|end\\\\", s, &m), "/old/page/42||end\\");
    ck_assert_str_eq(kv_regex_substitute(pool, "cost $", s, &m), "cost $");
}
END_TEST

int main(void)
{
    return kvu_run_apr("util_regex");
}
