/* kv_http_date: the IMF-fixdate of a time, formatted once per second and cache. */
/* Moved from tests/unit/server/test_util_date.c (server/ split into layer folders). */
#include <check.h>
#include <string.h>

#include <apr_date.h>
#include <apr_general.h>

#include "util_date.h"
#include "../../check_run.h"

/* 2026-11-23 18:00:00 UTC, and a moment inside that second. */
#define SOME_SECOND APR_INT64_C(1795456800)

KVU_CASE(util_date_case, "util_date", NULL, NULL);

KVC_TEST(util_date_case, formats_as_apr_does)
{
    kv_date_cache_t cache = KV_DATE_CACHE_INIT;
    char want[APR_RFC822_DATE_LEN], got[APR_RFC822_DATE_LEN];
    apr_time_t t = apr_time_from_sec(SOME_SECOND) + 123456;

    apr_rfc822_date(want, t);
    kv_http_date(&cache, got, t);
    ck_assert_str_eq(got, want);
    ck_assert_str_eq(got, "Mon, 23 Nov 2026 18:00:00 GMT");
}
END_TEST

/* Within the cached second the text comes from the cache (a planted text shows it); the
 * next second is formatted afresh. */
KVC_TEST(util_date_case, same_second_from_cache_next_second_formatted)
{
    kv_date_cache_t cache = {SOME_SECOND, "planted"};
    char got[APR_RFC822_DATE_LEN];

    kv_http_date(&cache, got, apr_time_from_sec(SOME_SECOND) + 999999);
    ck_assert_str_eq(got, "planted");
    kv_http_date(&cache, got, apr_time_from_sec(SOME_SECOND + 1));
    ck_assert_str_eq(got, "Mon, 23 Nov 2026 18:00:01 GMT");
    ck_assert_int_eq(cache.sec, SOME_SECOND + 1);
}
END_TEST

int main(void)
{
    return kvu_run_apr("util_date");
}
