/* The worker limits brought into range as httpd does (mpm/policy/threaded_limits.c, once
 * mpm/worker/policy.c). */
#include <check.h>
#include <stdlib.h>

#include "threaded_limits.h"
#include "../../check_run.h"

/* httpd worker's defaults. */
static worker_limits_t defaults(void)
{
    worker_limits_t l = {3, 16, 25, 64, 400, 75, 250};
    return l;
}

START_TEST(test_defaults_unchanged)
{
    worker_limits_t l = defaults();

    ck_assert_uint_eq(worker_limits_fix(&l), 0);
    ck_assert_int_eq(l.max_workers, 400);
    ck_assert_int_eq(worker_daemons_limit(&l), 16);
}
END_TEST

START_TEST(test_threads_clamped_to_thread_limit)
{
    worker_limits_t l = defaults();

    l.threads_per_child = 100;
    ck_assert(worker_limits_fix(&l) & WORKER_FIX_THREADS_HIGH);
    ck_assert_int_eq(l.threads_per_child, 64);
}
END_TEST

START_TEST(test_workers_rounded_down_to_multiple)
{
    worker_limits_t l = defaults();

    l.max_workers = 110;
    ck_assert_uint_eq(worker_limits_fix(&l), WORKER_FIX_WORKERS_MULTIPLE);
    ck_assert_int_eq(l.max_workers, 100);
    ck_assert_int_eq(worker_daemons_limit(&l), 4);
}
END_TEST

START_TEST(test_workers_raised_to_one_child)
{
    worker_limits_t l = defaults();

    l.max_workers = 10;
    ck_assert(worker_limits_fix(&l) & WORKER_FIX_WORKERS_LOW);
    ck_assert_int_eq(l.max_workers, 25);
}
END_TEST

START_TEST(test_workers_clamped_to_server_limit)
{
    worker_limits_t l = defaults();

    l.server_limit = 2;
    ck_assert(worker_limits_fix(&l) & WORKER_FIX_WORKERS_HIGH);
    ck_assert_int_eq(l.max_workers, 50);
    ck_assert_int_eq(worker_daemons_limit(&l), 2);
}
END_TEST

START_TEST(test_max_spare_raised)
{
    worker_limits_t l = defaults();

    l.max_spare = 80;
    ck_assert_uint_eq(worker_limits_fix(&l), WORKER_FIX_MAX_SPARE_LOW);
    ck_assert_int_eq(l.max_spare, 100);
}
END_TEST

START_TEST(test_nonpositive_values_raised)
{
    worker_limits_t l = {0, 0, 0, 0, 0, 0, 0};
    unsigned fixed = worker_limits_fix(&l);

    ck_assert(fixed & WORKER_FIX_LIMIT_LOW);
    ck_assert(fixed & WORKER_FIX_THREAD_LIMIT_LOW);
    ck_assert(fixed & WORKER_FIX_START_LOW);
    ck_assert(fixed & WORKER_FIX_MIN_SPARE_LOW);
    ck_assert_int_eq(l.server_limit, 1);
    ck_assert_int_eq(l.threads_per_child, 1);
    ck_assert_int_eq(l.max_workers, 1);
    ck_assert_int_eq(l.start_servers, 1);
    ck_assert_int_eq(l.min_spare, 1);
    ck_assert_int_eq(l.max_spare, 2);
}
END_TEST

START_TEST(test_hard_limits)
{
    worker_limits_t l = defaults();

    l.server_limit = WORKER_HARD_SERVER_LIMIT + 1;
    l.thread_limit = WORKER_HARD_THREAD_LIMIT + 1;
    ck_assert(worker_limits_fix(&l) & (WORKER_FIX_LIMIT_HIGH | WORKER_FIX_THREAD_LIMIT_HIGH));
    ck_assert_int_eq(l.server_limit, WORKER_HARD_SERVER_LIMIT);
    ck_assert_int_eq(l.thread_limit, WORKER_HARD_THREAD_LIMIT);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("worker_policy");
    TCase *tc = kvu_tcase(s, "limits", NULL, NULL);

    KVU_ADD_TESTS(tc, test_defaults_unchanged, test_threads_clamped_to_thread_limit,
                  test_workers_rounded_down_to_multiple, test_workers_raised_to_one_child,
                  test_workers_clamped_to_server_limit, test_max_spare_raised,
                  test_nonpositive_values_raised, test_hard_limits);
    return kvu_run(s);
}
