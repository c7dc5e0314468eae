/* Tests of mpm/policy/process_limits.c and spares.c (once mpm/prefork/policy.c): the limits
 * in force and the idle-children decision. */
#include <check.h>
#include <stdlib.h>

#include "process_limits.h"
#include "spares.h"
#include "../../check_run.h"

static prefork_limits_t httpd_defaults(void)
{
    prefork_limits_t l = {5, 5, 10, 256, 256};
    return l;
}

KVU_CASE(limits_case, "limits", NULL, NULL);
KVU_CASE(spares_case, "spares", NULL, NULL);

KVC_TEST(limits_case, defaults_are_left_alone)
{
    prefork_limits_t l = httpd_defaults();

    ck_assert_uint_eq(prefork_limits_fix(&l), 0);
    ck_assert_int_eq(l.start_servers, 5);
    ck_assert_int_eq(l.min_spare, 5);
    ck_assert_int_eq(l.max_spare, 10);
    ck_assert_int_eq(l.max_workers, 256);
    ck_assert_int_eq(l.server_limit, 256);
}
END_TEST

KVC_TEST(limits_case, server_limit_is_capped_at_the_hard_limit)
{
    prefork_limits_t l = httpd_defaults();

    l.server_limit = 50000;
    l.max_workers = 30000;
    unsigned fixed = prefork_limits_fix(&l);
    ck_assert(fixed & PREFORK_FIX_LIMIT_HIGH);
    ck_assert(fixed & PREFORK_FIX_WORKERS_HIGH);
    ck_assert_int_eq(l.server_limit, PREFORK_HARD_SERVER_LIMIT);
    ck_assert_int_eq(l.max_workers, PREFORK_HARD_SERVER_LIMIT);
}
END_TEST

KVC_TEST(limits_case, max_workers_is_clamped_to_server_limit)
{
    prefork_limits_t l = httpd_defaults();

    l.server_limit = 16;
    ck_assert_uint_eq(prefork_limits_fix(&l), PREFORK_FIX_WORKERS_HIGH);
    ck_assert_int_eq(l.max_workers, 16);
}
END_TEST

KVC_TEST(limits_case, zeros_become_one)
{
    prefork_limits_t l = {0, 0, 10, 0, 0};
    unsigned fixed = prefork_limits_fix(&l);

    ck_assert(fixed & PREFORK_FIX_LIMIT_LOW);
    ck_assert(fixed & PREFORK_FIX_WORKERS_LOW);
    ck_assert(fixed & PREFORK_FIX_START_LOW);
    ck_assert(fixed & PREFORK_FIX_MIN_SPARE_LOW);
    ck_assert(!(fixed & PREFORK_FIX_MAX_SPARE_LOW));
    ck_assert_int_eq(l.server_limit, 1);
    ck_assert_int_eq(l.max_workers, 1);
    ck_assert_int_eq(l.start_servers, 1);
    ck_assert_int_eq(l.min_spare, 1);
}
END_TEST

KVC_TEST(limits_case, max_spare_is_raised_above_min_spare)
{
    prefork_limits_t l = httpd_defaults();

    l.min_spare = 10;
    l.max_spare = 10;
    ck_assert_uint_eq(prefork_limits_fix(&l), PREFORK_FIX_MAX_SPARE_LOW);
    ck_assert_int_eq(l.max_spare, 11);

    l.max_spare = 3;
    ck_assert_uint_eq(prefork_limits_fix(&l), PREFORK_FIX_MAX_SPARE_LOW);
    ck_assert_int_eq(l.max_spare, 11);
}
END_TEST

KVC_TEST(spares_case, idle_within_bounds_does_nothing)
{
    prefork_limits_t l = httpd_defaults();
    prefork_census_t c = {7, 100};
    int rate = 4;
    prefork_action_t a = prefork_maintain_spares(&c, &l, &rate);

    ck_assert_int_eq(a.spawn, 0);
    ck_assert_int_eq(a.kill_one, 0);
    ck_assert_int_eq(a.at_limit, 0);
    ck_assert_int_eq(rate, 1);
}
END_TEST

KVC_TEST(spares_case, too_many_idle_stops_one)
{
    prefork_limits_t l = httpd_defaults();
    prefork_census_t c = {11, 100};
    int rate = 8;
    prefork_action_t a = prefork_maintain_spares(&c, &l, &rate);

    ck_assert_int_eq(a.kill_one, 1);
    ck_assert_int_eq(a.spawn, 0);
    ck_assert_int_eq(rate, 1);

    c.idle = 10; /* MaxSpareServers itself is allowed */
    a = prefork_maintain_spares(&c, &l, &rate);
    ck_assert_int_eq(a.kill_one, 0);
}
END_TEST

KVC_TEST(spares_case, spawn_rate_doubles_up_to_32)
{
    prefork_limits_t l = httpd_defaults();
    prefork_census_t c = {0, 1000};
    int rate = 1;
    const int expected[] = {1, 2, 4, 8, 16, 32, 32, 32};

    l.min_spare = 100;
    l.max_spare = 200;
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
        prefork_action_t a = prefork_maintain_spares(&c, &l, &rate);
        ck_assert_int_eq(a.spawn, expected[i]);
        ck_assert_int_eq(a.busy, expected[i] >= 8);
    }
    ck_assert_int_eq(rate, PREFORK_MAX_SPAWN_RATE);

    c.idle = 150; /* enough again: back to one at a time */
    prefork_maintain_spares(&c, &l, &rate);
    ck_assert_int_eq(rate, 1);
}
END_TEST

KVC_TEST(spares_case, spawn_is_limited_by_free_slots)
{
    prefork_limits_t l = httpd_defaults();
    prefork_census_t c = {1, 3};
    int rate = 16;
    prefork_action_t a = prefork_maintain_spares(&c, &l, &rate);

    ck_assert_int_eq(a.spawn, 3);
    ck_assert_int_eq(a.at_limit, 0);
}
END_TEST

KVC_TEST(spares_case, no_free_slot_reports_the_limit)
{
    prefork_limits_t l = httpd_defaults();
    prefork_census_t c = {0, 0};
    int rate = 16;
    prefork_action_t a = prefork_maintain_spares(&c, &l, &rate);

    ck_assert_int_eq(a.spawn, 0);
    ck_assert_int_eq(a.at_limit, 1);
    ck_assert_int_eq(rate, 1);
}
END_TEST

int main(void)
{
    return kvc_run("prefork_policy");
}
