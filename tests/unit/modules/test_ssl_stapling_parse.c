/* Tests of modules/ssl/ssl_stapling_parse.c: SSLStaplingCache's names as httpd takes and
 * refuses them, and when the stapling fetcher asks its responder again. */
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

KVU_CASE(stapling_case, "ssl_stapling_parse", setup, teardown);

static const char *const good[] = {
    "shmcb:/var/run/apache2/ssl_stapling(32768)",
    "shmcb",
    "SHMCB:logs/x(1)",
    "dbm:/tmp/db",
    "memcache:127.0.0.1:11211",
    "dc:UNIX:/var/run/dc",
    "redis:127.0.0.1:6379",
};

KVC_LOOP_TEST(stapling_case, takes_httpd_socache_names, 0, KVU_COUNT(good))
{
    ck_assert_ptr_null(ssl_stapling_cache_check(pool, good[_i]));
}
END_TEST

static const struct {
    const char *arg, *reason;
} bad[] = {
    {"none", "SSLStaplingCache: 'none' stapling cache not supported (known names: dbm, shmcb, dc, "
             "memcache, redis)"},
    {"shm:/tmp/x", "SSLStaplingCache: 'shm' stapling cache not supported"},
    {":/tmp/x", "SSLStaplingCache: '' stapling cache not supported"},
    {"shmcbx", "SSLStaplingCache: 'shmcbx' stapling cache not supported"},
};

KVC_LOOP_TEST(stapling_case, refuses_unknown_names, 0, KVU_COUNT(bad))
{
    const char *err = ssl_stapling_cache_check(pool, bad[_i].arg);

    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strncmp(err, bad[_i].reason, strlen(bad[_i].reason)) == 0, "%s", err);
}
END_TEST

#define S(n) apr_time_from_sec(n)

KVC_TEST(stapling_case, next_fetch_of_good_and_error_responses)
{
    apr_time_t now = S(1000000);

    /* Good, no nextUpdate: the standard cache timeout. */
    ck_assert_int_eq(ssl_stapling_next_fetch(now, 1, S(3600), S(600), 0), now + S(3600));
    /* Good, nextUpdate in a day: the cache timeout comes first. */
    ck_assert_int_eq(ssl_stapling_next_fetch(now, 1, S(3600), S(600), now + S(86400)),
                     now + S(3600));
    /* Good, nextUpdate in 20 minutes: halfway there, before it expires. */
    ck_assert_int_eq(ssl_stapling_next_fetch(now, 1, S(3600), S(600), now + S(1200)), now + S(600));
    /* Good, nextUpdate passed: not sooner than a second. */
    ck_assert_int_eq(ssl_stapling_next_fetch(now, 1, S(3600), S(600), now - S(5)), now + S(3600));
    ck_assert_int_eq(ssl_stapling_next_fetch(now, 1, S(3600), S(600), now + S(1)), now + S(1));
    /* An error: the error cache timeout, whatever the nextUpdate. */
    ck_assert_int_eq(ssl_stapling_next_fetch(now, 0, S(3600), S(600), now + S(60)), now + S(600));
    ck_assert_int_eq(ssl_stapling_next_fetch(now, 0, S(3600), S(1), 0), now + S(1));
}
END_TEST

int main(void)
{
    return kvu_run_apr("ssl_stapling_parse");
}
