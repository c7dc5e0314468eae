/* Integration harness: Check suites, cases and the KVT_TEST selection. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* POSIX and GNU interfaces under -std=c11 */
#endif
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static int selected(const TTest *test)
{
    const char *only = getenv("KVT_TEST");
    return only == NULL || *only == '\0' || strcmp(only, test->name) == 0;
}

void kvt_add_test(TCase *tc, const TTest *test)
{
    if (selected(test)) {
        tcase_add_test(tc, test);
    }
}

void kvt_add_loop_test(TCase *tc, const TTest *test, int n)
{
    if (selected(test)) {
        tcase_add_loop_test(tc, test, 0, n);
    }
}

int kvt_run_suite(Suite *suite)
{
    SRunner *sr = srunner_create(suite);
    kvth_certs_begin();
    srunner_run_all(sr, CK_NORMAL);
    kvth_certs_end();
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}

TCase *kvt_tcase(const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, NULL, kvt_teardown);
    return tc;
}

int kvt_run_tests(const char *name, const TTest *const *tests, int n)
{
    Suite *s = suite_create(name);
    TCase *tc = kvt_tcase(name);

    for (int i = 0; i < n; i++) {
        kvt_add_test(tc, tests[i]);
    }
    suite_add_tcase(s, tc);
    return kvt_run_suite(s);
}

void kvt_add_loop_test_at(TCase *tc, const TTest *test, int i)
{
    if (selected(test)) {
        tcase_add_loop_test(tc, test, i, i + 1);
    }
}
