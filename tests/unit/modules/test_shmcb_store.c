/* Tests of modules/socache_shmcb/shmcb_store.c and shmcb_arg.c: the cyclic store in a block
 * of ordinary memory (store, retrieve, replace, remove, expiry, the oldest dropped when full
 * and the ring wrapping), and SSLSessionCache shmcb's argument as httpd takes and refuses it. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "shmcb_store.h"
#include "../check_run.h"

static apr_pool_t *pool;
KVU_POOL_CASE(store_case, "shmcb_store", pool);

#define NOW apr_time_from_sec(1000000)
#define LATER(s) (NOW + apr_time_from_sec(s))

/* A store of @a size bytes in the test pool, 8-byte aligned. */
static shmcb_t *new_store(apr_size_t size)
{
    shmcb_t *c = shmcb_init(apr_palloc(pool, size), size, 16, 100);

    ck_assert_ptr_nonnull(c);
    return c;
}

static apr_status_t put(shmcb_t *c, const char *id, const char *data, apr_time_t expiry)
{
    return shmcb_store(c, (const unsigned char *)id, (unsigned)strlen(id),
                       (const unsigned char *)data, (unsigned)strlen(data), expiry, NOW);
}

/* The object under @a id at @a now as a string in the pool, or NULL. */
static const char *get_at(shmcb_t *c, const char *id, apr_time_t now)
{
    unsigned char buf[4096];
    unsigned int len = sizeof(buf) - 1;

    if (shmcb_retrieve(c, (const unsigned char *)id, (unsigned)strlen(id), buf, &len, now) !=
        APR_SUCCESS) {
        return NULL;
    }
    return apr_pstrmemdup(pool, (const char *)buf, len);
}

KVC_TEST(store_case, stores_retrieves_replaces_and_removes)
{
    shmcb_t *c = new_store(SHMCB_MIN_SIZE);

    ck_assert_int_eq(put(c, "alpha", "first object", LATER(60)), APR_SUCCESS);
    ck_assert_int_eq(put(c, "beta", "second", LATER(60)), APR_SUCCESS);
    ck_assert_str_eq(get_at(c, "alpha", NOW), "first object");
    ck_assert_str_eq(get_at(c, "beta", NOW), "second");
    ck_assert_ptr_null(get_at(c, "gamma", NOW));
    ck_assert_ptr_null(get_at(c, "alph", NOW)); /* a prefix is another id */
    ck_assert_int_eq(put(c, "alpha", "replaced", LATER(60)), APR_SUCCESS);
    ck_assert_str_eq(get_at(c, "alpha", NOW), "replaced");
    ck_assert_int_eq(shmcb_remove(c, (const unsigned char *)"alpha", 5), APR_SUCCESS);
    ck_assert_ptr_null(get_at(c, "alpha", NOW));
    ck_assert_int_eq(shmcb_remove(c, (const unsigned char *)"alpha", 5), APR_NOTFOUND);
    ck_assert_str_eq(get_at(c, "beta", NOW), "second");
}
END_TEST

KVC_TEST(store_case, an_object_expires_at_its_time)
{
    shmcb_t *c = new_store(SHMCB_MIN_SIZE);

    ck_assert_int_eq(put(c, "short", "lives 5 s", LATER(5)), APR_SUCCESS);
    ck_assert_int_eq(put(c, "long", "lives 60 s", LATER(60)), APR_SUCCESS);
    ck_assert_str_eq(get_at(c, "short", LATER(4)), "lives 5 s");
    ck_assert_ptr_null(get_at(c, "short", LATER(5)));
    ck_assert_ptr_null(get_at(c, "short", LATER(6)));
    ck_assert_str_eq(get_at(c, "long", LATER(59)), "lives 60 s");
    ck_assert_ptr_null(get_at(c, "long", LATER(61)));
}
END_TEST

/* Far more objects than fit: the store keeps a bounded number, the newest are all there,
 * the oldest are gone, and the rings wrap many times without corrupting an object. */
/* Found by fuzz_shmcb: an id stored expired, then stored again, had two entries, and remove
 * forgot only the expired one. */
KVC_TEST(store_case, remove_forgets_an_id_stored_after_it_expired)
{
    /* Objects this large make one subcache, so that the two ids share it. */
    shmcb_t *c = shmcb_init(apr_palloc(pool, SHMCB_MIN_SIZE), SHMCB_MIN_SIZE, 16, 1000);

    ck_assert_ptr_nonnull(c);
    /* A live object first, so that the expired one is not the oldest, dropped first. */
    ck_assert_int_eq(put(c, "other", "lives", LATER(60)), APR_SUCCESS);
    ck_assert_int_eq(put(c, "id", "dead on arrival", NOW), APR_SUCCESS);
    ck_assert_int_eq(put(c, "id", "live", LATER(60)), APR_SUCCESS);
    ck_assert_str_eq(get_at(c, "id", NOW), "live");
    ck_assert_int_eq(shmcb_remove(c, (const unsigned char *)"id", 2), APR_SUCCESS);
    ck_assert_ptr_null(get_at(c, "id", NOW));
    ck_assert_str_eq(get_at(c, "other", NOW), "lives");
}
END_TEST

KVC_TEST(store_case, a_full_store_drops_the_oldest_and_wraps)
{
    shmcb_t *c = new_store(SHMCB_MIN_SIZE);
    char id[32], data[200];
    unsigned int held;
    int n = 2000, kept = 0;

    for (int i = 0; i < n; i++) {
        snprintf(id, sizeof(id), "id-%d", i);
        /* sizes vary so that objects straddle the end of the data ring */
        snprintf(data, sizeof(data), "%0*d", 20 + (i * 37) % 150, i);
        ck_assert_int_eq(put(c, id, data, LATER(60)), APR_SUCCESS);
    }
    held = shmcb_count(c);
    ck_assert_uint_gt(held, 8);
    ck_assert_uint_lt(held, SHMCB_MIN_SIZE / 40);
    ck_assert_ptr_null(get_at(c, "id-0", NOW));
    ck_assert_ptr_null(get_at(c, "id-1", NOW));
    for (int i = n - 1; i >= 0; i--) {
        const char *got;

        snprintf(id, sizeof(id), "id-%d", i);
        snprintf(data, sizeof(data), "%0*d", 20 + (i * 37) % 150, i);
        got = get_at(c, id, NOW);
        if (got) {
            ck_assert_str_eq(got, data);
            kept++;
        }
    }
    ck_assert_int_eq(kept, (int)held);
    /* The last object stored is always there. */
    snprintf(id, sizeof(id), "id-%d", n - 1);
    ck_assert_ptr_nonnull(get_at(c, id, NOW));
}
END_TEST

KVC_TEST(store_case, refuses_what_cannot_fit)
{
    shmcb_t *c = new_store(SHMCB_MIN_SIZE);
    char *big = apr_pcalloc(pool, SHMCB_MIN_SIZE + 1);
    unsigned char small[4];
    unsigned int len = sizeof(small);

    memset(big, 'x', SHMCB_MIN_SIZE);
    ck_assert_int_eq(put(c, "big", big, LATER(60)), APR_ENOSPC);
    ck_assert_int_eq(put(c, "ok", "longer than four", LATER(60)), APR_SUCCESS);
    ck_assert_int_eq(shmcb_retrieve(c, (const unsigned char *)"ok", 2, small, &len, NOW),
                     APR_ENOSPC);
    ck_assert_ptr_null(shmcb_init(apr_palloc(pool, 64), 64, 16, 100));
}
END_TEST

static const struct {
    const char *arg;
    const char *path;
    apr_size_t size;
} good_args[] = {
    {"/run/kiva/ssl_scache(512000)", "/run/kiva/ssl_scache", 512000},
    {"/tmp/c(8192)", "/tmp/c", 8192},
    {"logs/scache", "logs/scache", 512 * 1024},
    {"", NULL, 512 * 1024},
};

KVC_LOOP_TEST(store_case, parses_httpd_arguments, 0, KVU_COUNT(good_args))
{
    const char *path;
    apr_size_t size;

    ck_assert_ptr_null(shmcb_parse_arg(pool, good_args[_i].arg, &path, &size));
    if (good_args[_i].path) {
        ck_assert_str_eq(path, good_args[_i].path);
    } else {
        ck_assert_ptr_null(path);
    }
    ck_assert_uint_eq(size, good_args[_i].size);
}
END_TEST

static const struct {
    const char *arg;
    const char *error;
} bad_args[] = {
    {"/tmp/c(512000", "no closing parenthesis"},
    {"/tmp/c512000)", "no opening parenthesis"},
    {"/tmp/c(12k)", "not numerical"},
    {"/tmp/c()", "not numerical"},
    {"/tmp/c(4096)", ">= 8192"},
    {"/tmp/c(99999999999)", "size has to be <"},
};

KVC_LOOP_TEST(store_case, refuses_what_httpd_refuses, 0, KVU_COUNT(bad_args))
{
    const char *path;
    apr_size_t size;
    const char *err = shmcb_parse_arg(pool, bad_args[_i].arg, &path, &size);

    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, bad_args[_i].error), "%s: %s", bad_args[_i].arg, err);
}
END_TEST

int main(void)
{
    return kvc_run("shmcb_store");
}
