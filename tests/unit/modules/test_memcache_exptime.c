/* Tests of modules/socache_memcache/memcache_exptime.c: an object's expiry as memcached's
 * protocol reads it (seconds from now up to 30 days, an absolute Unix time beyond). */
#include <check.h>
#include <stdint.h>

#include <apr_general.h>

#include "memcache_exptime.h"
#include "../check_run.h"

KVU_CASE(exptime_case, "memcache_exptime", NULL, NULL);

/* 2026-12-08 00:00:00 UTC. */
#define NOW apr_time_from_sec(1796688000)
#define DAY (60 * 60 * 24)

KVC_TEST(exptime_case, seconds_from_now_up_to_thirty_days)
{
    ck_assert_uint_eq(memcache_exptime(NOW + apr_time_from_sec(300), NOW), 300);
    ck_assert_uint_eq(memcache_exptime(NOW + apr_time_from_sec(30 * DAY), NOW), 30 * DAY);
}
END_TEST

/* memcached would read 30 days and a second as a time in January 1970: long past. */
KVC_TEST(exptime_case, absolute_time_beyond_thirty_days)
{
    ck_assert_uint_eq(memcache_exptime(NOW + apr_time_from_sec(30 * DAY + 1), NOW),
                      1796688000 + 30 * DAY + 1);
    ck_assert_uint_eq(memcache_exptime(NOW + apr_time_from_sec(365 * DAY), NOW),
                      1796688000 + 365 * DAY);
}
END_TEST

/* 0 would keep the object for ever. */
KVC_TEST(exptime_case, at_least_one_second)
{
    ck_assert_uint_eq(memcache_exptime(NOW, NOW), 1);
    ck_assert_uint_eq(memcache_exptime(NOW + apr_time_from_msec(400), NOW), 1);
    ck_assert_uint_eq(memcache_exptime(NOW - apr_time_from_sec(5), NOW), 1);
}
END_TEST

/* Past 2106 an absolute time no longer fits memcached's 32 bits: the latest it can say. */
KVC_TEST(exptime_case, the_latest_time_memcached_can_say)
{
    ck_assert_uint_eq(memcache_exptime(apr_time_from_sec(5000000000LL), NOW), UINT32_MAX);
}
END_TEST

int main(void)
{
    return kvc_run("memcache_exptime");
}
