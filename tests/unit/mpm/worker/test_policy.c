/* The worker limits brought into range as httpd does (mpm/policy/threaded_limits.c, once
 * mpm/worker/policy.c). */
#include <check.h>
#include <stddef.h>
#include <stdlib.h>

#include "threaded_limits.h"
#include "../../check_run.h"

/* httpd worker's defaults. */
static worker_limits_t defaults(void)
{
    worker_limits_t l = {3, 16, 25, 64, 400, 75, 250};
    return l;
}

#define FIELD(name) offsetof(worker_limits_t, name)

static int *field(worker_limits_t *l, size_t at)
{
    return (int *)((char *)l + at);
}

/* One field of httpd's defaults set (or none), what worker_limits_fix must report, one field
 * after. Formerly one test each: test_defaults_unchanged, test_threads_clamped_to_thread_limit,
 * test_workers_rounded_down_to_multiple, test_workers_raised_to_one_child,
 * test_workers_clamped_to_server_limit, test_max_spare_raised. */
static const struct {
    int sets;       /* 0: the defaults as they are */
    size_t set;     /* the field set ... */
    int to;         /* ... to this */
    unsigned fixed; /* the bits reported */
    int only;       /* exactly those bits, or at least them */
    size_t checked; /* the field then checked ... */
    int want;       /* ... for this */
    int daemons;    /* worker_daemons_limit after; 0: not checked */
} one_field[] = {
    {0, 0, 0, 0, 1, FIELD(max_workers), 400, 16},
    {1, FIELD(threads_per_child), 100, WORKER_FIX_THREADS_HIGH, 0, FIELD(threads_per_child), 64, 0},
    {1, FIELD(max_workers), 110, WORKER_FIX_WORKERS_MULTIPLE, 1, FIELD(max_workers), 100, 4},
    {1, FIELD(max_workers), 10, WORKER_FIX_WORKERS_LOW, 0, FIELD(max_workers), 25, 0},
    {1, FIELD(server_limit), 2, WORKER_FIX_WORKERS_HIGH, 0, FIELD(max_workers), 50, 2},
    {1, FIELD(max_spare), 80, WORKER_FIX_MAX_SPARE_LOW, 1, FIELD(max_spare), 100, 0},
};

KVU_CASE(limits_case, "limits", NULL, NULL);

KVC_LOOP_TEST(limits_case, test_one_field_fixed, 0, (int)KVU_COUNT(one_field))
{
    worker_limits_t l = defaults();
    unsigned fixed;

    if (one_field[_i].sets) {
        *field(&l, one_field[_i].set) = one_field[_i].to;
    }
    fixed = worker_limits_fix(&l);
    if (one_field[_i].only) {
        ck_assert_uint_eq(fixed, one_field[_i].fixed);
    } else {
        ck_assert(fixed & one_field[_i].fixed);
    }
    ck_assert_int_eq(*field(&l, one_field[_i].checked), one_field[_i].want);
    if (one_field[_i].daemons) {
        ck_assert_int_eq(worker_daemons_limit(&l), one_field[_i].daemons);
    }
}
END_TEST

KVC_TEST(limits_case, test_nonpositive_values_raised)
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

KVC_TEST(limits_case, test_hard_limits)
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
    return kvc_run("worker_policy");
}
