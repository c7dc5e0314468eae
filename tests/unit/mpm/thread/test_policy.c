/* The thread MPM's limits: defaults and httpd's range rules (mpm/policy/thread_limits.c,
 * once mpm/thread/policy.c). */
#include <check.h>
#include <stdlib.h>

#include "kv_config.h"
#include "thread_limits.h"
#include "../../check_run.h"

static thread_limits_t configured(int max_workers, int thread_limit)
{
    thread_limits_t set = {max_workers, thread_limit};
    return thread_limits_default(&set);
}

KVU_CASE(limits_case, "limits", NULL, NULL);

KVC_TEST(limits_case, test_defaults)
{
    thread_limits_t l = configured(KV_UNSET_INT, KV_UNSET_INT);

    ck_assert_uint_eq(thread_limits_fix(&l), 0);
    ck_assert_int_eq(l.max_workers, 256);
    ck_assert_int_eq(l.thread_limit, 256);
}
END_TEST

/* Raising MaxRequestWorkers alone is enough: ThreadLimit follows it. */
KVC_TEST(limits_case, test_thread_limit_follows_max_workers)
{
    thread_limits_t l = configured(1000, KV_UNSET_INT);

    ck_assert_uint_eq(thread_limits_fix(&l), 0);
    ck_assert_int_eq(l.max_workers, 1000);
    ck_assert_int_eq(l.thread_limit, 1000);
}
END_TEST

KVC_TEST(limits_case, test_small_max_workers_keeps_default_thread_limit)
{
    thread_limits_t l = configured(2, KV_UNSET_INT);

    ck_assert_uint_eq(thread_limits_fix(&l), 0);
    ck_assert_int_eq(l.max_workers, 2);
    ck_assert_int_eq(l.thread_limit, 256);
}
END_TEST

/* ThreadLimit alone: MaxRequestWorkers follows it down, without a warning. */
KVC_TEST(limits_case, test_max_workers_follows_small_thread_limit)
{
    thread_limits_t l = configured(KV_UNSET_INT, 10);

    ck_assert_uint_eq(thread_limits_fix(&l), 0);
    ck_assert_int_eq(l.max_workers, 10);
    ck_assert_int_eq(l.thread_limit, 10);
    l = configured(KV_UNSET_INT, 1000);
    ck_assert_uint_eq(thread_limits_fix(&l), 0);
    ck_assert_int_eq(l.max_workers, 256);
}
END_TEST

KVC_TEST(limits_case, test_max_workers_clamped_to_thread_limit)
{
    thread_limits_t l = configured(100, 10);

    ck_assert_uint_eq(thread_limits_fix(&l), THREAD_FIX_WORKERS_HIGH);
    ck_assert_int_eq(l.max_workers, 10);
    ck_assert_int_eq(l.thread_limit, 10);
}
END_TEST

KVC_TEST(limits_case, test_zeroes_raised_to_one)
{
    thread_limits_t l = configured(0, 0);

    ck_assert_uint_eq(thread_limits_fix(&l), THREAD_FIX_LIMIT_LOW | THREAD_FIX_WORKERS_LOW);
    ck_assert_int_eq(l.max_workers, 1);
    ck_assert_int_eq(l.thread_limit, 1);
}
END_TEST

KVC_TEST(limits_case, test_hard_limit)
{
    thread_limits_t l = configured(50000, KV_UNSET_INT);

    ck_assert_int_eq(l.thread_limit, THREAD_HARD_THREAD_LIMIT);
    ck_assert_uint_eq(thread_limits_fix(&l), THREAD_FIX_WORKERS_HIGH);
    ck_assert_int_eq(l.max_workers, THREAD_HARD_THREAD_LIMIT);

    l = configured(10, 30000);
    ck_assert_uint_eq(thread_limits_fix(&l), THREAD_FIX_LIMIT_HIGH);
    ck_assert_int_eq(l.thread_limit, THREAD_HARD_THREAD_LIMIT);
    ck_assert_int_eq(l.max_workers, 10);
}
END_TEST

int main(void)
{
    return kvc_run("thread_policy");
}
