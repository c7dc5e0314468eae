/* Tests of modules/ssl/ssl_stapling_parse.c's SSLStaplingResponseMaxAge value and of the
 * validity check of a response's times under SSLStaplingResponseTimeSkew and MaxAge
 * (OpenSSL's OCSP_check_validity rule, as httpd applies it). */
#include <check.h>
#include <string.h>

#include <apr_general.h>

#include "ssl_stapling_parse.h"
#include "../check_run.h"

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

KVU_CASE(times_case, "ssl_stapling_times", setup, teardown);

#define S(n) apr_time_from_sec(n)
/* A clock reading, in seconds since the epoch. */
#define NOW S(1800000000)
#define SKEW S(300)
#define NO_LIMIT SSL_STAPLING_NO_MAX_AGE

/* A response's times, the settings, and the reason expected (NULL: valid). */
static const struct {
    apr_time_t this_update, next_update;
    apr_interval_time_t skew, max_age;
    const char *why;
} cases[] = {
    /* A fresh response, with or without a nextUpdate. */
    {NOW - S(10), NOW + S(86400), SKEW, NO_LIMIT, NULL},
    {NOW - S(10), 0, SKEW, NO_LIMIT, NULL},
    {NOW, NOW, SKEW, NO_LIMIT, NULL},
    /* thisUpdate ahead of the clock: within the skew, and beyond it. */
    {NOW + S(300), 0, SKEW, NO_LIMIT, NULL},
    {NOW + S(301), 0, SKEW, NO_LIMIT, "thisUpdate is ahead of the clock"},
    {NOW + S(301), 0, S(600), NO_LIMIT, NULL},
    {NOW + S(1), 0, 0, NO_LIMIT, "thisUpdate is ahead of the clock"},
    /* nextUpdate passed: within the skew, and beyond it. */
    {NOW - S(3600), NOW - S(300), SKEW, NO_LIMIT, NULL},
    {NOW - S(3600), NOW - S(301), SKEW, NO_LIMIT, "nextUpdate has passed"},
    {NOW - S(3600), NOW - S(301), S(3600), NO_LIMIT, NULL},
    {NOW - S(3600), NOW - S(1), 0, NO_LIMIT, "nextUpdate has passed"},
    /* No age limit: an old response with its nextUpdate ahead is valid. */
    {NOW - S(86400 * 365), NOW + S(60), SKEW, NO_LIMIT, NULL},
    /* MaxAge: thisUpdate at most that old, whatever the skew; 0 is "now" exactly. */
    {NOW - S(60), NOW + S(86400), SKEW, S(60), NULL},
    {NOW - S(61), NOW + S(86400), SKEW, S(60), "older than SSLStaplingResponseMaxAge"},
    {NOW - S(61), 0, S(3600), S(60), "older than SSLStaplingResponseMaxAge"},
    {NOW, 0, SKEW, 0, NULL},
    {NOW - S(1), 0, SKEW, 0, "older than SSLStaplingResponseMaxAge"},
    /* A nextUpdate before its thisUpdate, and no thisUpdate at all. */
    {NOW - S(10), NOW - S(20), SKEW, NO_LIMIT, "nextUpdate is before its thisUpdate"},
    {0, NOW + S(60), SKEW, NO_LIMIT, "no thisUpdate"},
};

KVC_LOOP_TEST(times_case, checks_times_as_ocsp_check_validity, 0, KVU_COUNT(cases))
{
    const char *why = ssl_stapling_times_check(NOW, cases[_i].this_update, cases[_i].next_update,
                                               cases[_i].skew, cases[_i].max_age);

    if (!cases[_i].why) {
        ck_assert_msg(why == NULL, "case %d: %s", _i, why);
    } else {
        ck_assert_msg(why && strstr(why, cases[_i].why), "case %d: want '%s', got '%s'", _i,
                      cases[_i].why, why ? why : "(valid)");
    }
}
END_TEST

static const struct {
    const char *arg;
    apr_interval_time_t value;
} good_ages[] = {
    {"-1", SSL_STAPLING_NO_MAX_AGE},
    {"0", 0},
    {"3600", S(3600)},
    {"2147483647", S(2147483647LL)},
};

KVC_LOOP_TEST(times_case, takes_max_ages, 0, KVU_COUNT(good_ages))
{
    apr_interval_time_t v = 7;

    ck_assert_ptr_null(ssl_stapling_max_age_parse(pool, good_ages[_i].arg, &v));
    ck_assert_int_eq(v, good_ages[_i].value);
}
END_TEST

static const char *const bad_ages[] = {"-2", "", "1h", "ten", "2147483648", "99999999999999999999",
                                       " 5"};

KVC_LOOP_TEST(times_case, refuses_bad_max_ages, 0, KVU_COUNT(bad_ages))
{
    apr_interval_time_t v = 7;
    const char *err = ssl_stapling_max_age_parse(pool, bad_ages[_i], &v);

    ck_assert_msg(err && strstr(err, "or -1 (no limit)"), "'%s': %s", bad_ages[_i],
                  err ? err : "taken");
    ck_assert_int_eq(v, 7);
}
END_TEST

/* The default is neither KV_UNSET_TIME (-1 microsecond) nor a limit. */
KVC_TEST(times_case, no_limit_is_not_unset)
{
    ck_assert_int_lt(SSL_STAPLING_NO_MAX_AGE, 0);
    ck_assert_int_ne(SSL_STAPLING_NO_MAX_AGE, (apr_interval_time_t)-1);
}
END_TEST

int main(void)
{
    return kvu_run_apr("ssl_stapling_times");
}
