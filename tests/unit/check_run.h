/**
 * @file check_run.h
 * @brief The end of every unit test's main(): run a Check suite and turn its result into
 * the exit status the automake test driver reads.
 */
#ifndef KVU_CHECK_RUN_H
#define KVU_CHECK_RUN_H

#include <stdlib.h>

#include <check.h>

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
