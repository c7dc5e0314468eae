/**
 * @file check_run.h
 * @brief What the unit tests add to self-registering Check tests (../support/check_register.h):
 * their default test case, and main for tests that need APR initialized.
 */
#ifndef KVU_CHECK_RUN_H
#define KVU_CHECK_RUN_H

#include <apr_general.h>

#include "../support/check_register.h"

/** The number of elements of the array @a a. */
#define KVU_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/** Declare test case @a var named @a case_name with a checked fixture: @a setup_fn and
 * @a teardown_fn run around every test, either may be NULL. Check's default timeout. */
#define KVU_CASE(var, case_name, setup_fn, teardown_fn)                                            \
    KVC_CASE(var, .name = (case_name), .setup = (setup_fn), .teardown = (teardown_fn))

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
