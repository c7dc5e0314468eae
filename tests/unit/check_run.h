/**
 * @file check_run.h
 * @brief What the unit tests add to self-registering Check tests (../support/check_register.h):
 * their default test case, the usual APR fixture, and main for tests that need APR initialized.
 */
#ifndef KVU_CHECK_RUN_H
#define KVU_CHECK_RUN_H

#include <apr_general.h>
#include <apr_pools.h>

#include "../support/check_register.h"
#include "../support/vectors.h"

/** The number of elements of the array @a a. */
#define KVU_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/** Declare test case @a var named @a case_name with a checked fixture: @a setup_fn and
 * @a teardown_fn run around every test, either may be NULL. Check's default timeout. */
#define KVU_CASE(var, case_name, setup_fn, teardown_fn)                                            \
    KVC_CASE(var, .name = (case_name), .setup = (setup_fn), .teardown = (teardown_fn))

/** The start of a checked fixture for a test that uses APR: initialize it and create the test's
 * pool in *@a pool. */
static inline void kvu_apr_pool_setup(apr_pool_t **pool)
{
    ck_assert_int_eq(apr_initialize(), APR_SUCCESS);
    ck_assert_int_eq(apr_pool_create(pool, NULL), APR_SUCCESS);
}

/** The end of a checked fixture begun by kvu_apr_pool_setup: destroy @a pool, terminate APR. */
static inline void kvu_apr_pool_teardown(apr_pool_t *pool)
{
    apr_pool_destroy(pool);
    apr_terminate();
}

/** Declare test case @a var named @a case_name whose checked fixture is kvu_apr_pool_setup on
 * @a pool_var (a file-scope apr_pool_t *) and kvu_apr_pool_teardown: APR initialized and a
 * new pool around every test. */
#define KVU_POOL_CASE(var, case_name, pool_var)                                                    \
    static void var##_setup(void)                                                                  \
    {                                                                                              \
        kvu_apr_pool_setup(&(pool_var));                                                           \
    }                                                                                              \
    static void var##_teardown(void)                                                               \
    {                                                                                              \
        kvu_apr_pool_teardown(pool_var);                                                           \
    }                                                                                              \
    KVU_CASE(var, case_name, var##_setup, var##_teardown)

/** kvc_run between apr_initialize and apr_terminate: main in one call for the tests whose
 * fixtures use APR without initializing it themselves. */
static inline int kvu_run_apr(const char *suite)
{
    int failed;

    apr_initialize();
    failed = kvc_run(suite);
    apr_terminate();
    return failed;
}

#endif
