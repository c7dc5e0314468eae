/**
 * @file check_run.h
 * @brief The frame of every unit test's main(): build a Check suite from lists of tests, run
 * it and turn its result into the exit status the automake test driver reads.
 */
#ifndef KVU_CHECK_RUN_H
#define KVU_CHECK_RUN_H

#include <stddef.h>
#include <stdlib.h>

#include <check.h>

/** The number of elements of the array @a a. */
#define KVU_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/**
 * A test case @a name of suite @a s, with a checked fixture (@a setup and @a teardown run
 * around every test; either may be NULL). Add its tests with KVU_ADD_TESTS.
 */
static inline TCase *kvu_tcase(Suite *s, const char *name, SFun setup, SFun teardown)
{
    TCase *tc = tcase_create(name);

    tcase_add_checked_fixture(tc, setup, teardown);
    suite_add_tcase(s, tc);
    return tc;
}

/** Add the @a n tests of @a tests to @a tc, in order, each as tcase_add_test would. */
static inline void kvu_add_tests(TCase *tc, const TTest *const *tests, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        tcase_add_test(tc, tests[i]);
    }
}

/** Add the tests named (START_TEST names) to @a tc, in the order given. */
#define KVU_ADD_TESTS(tc, ...)                                                                 \
    do {                                                                                       \
        const TTest *const kvu_tests_[] = {__VA_ARGS__};                                       \
        kvu_add_tests((tc), kvu_tests_, KVU_COUNT(kvu_tests_));                                \
    } while (0)

/** Run every test of @a suite (CK_NORMAL output); EXIT_SUCCESS if none failed. */
static inline int kvu_run(Suite *suite)
{
    SRunner *sr = srunner_create(suite);
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
