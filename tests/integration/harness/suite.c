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

int kvt_run_suite(Suite *suite)
{
    SRunner *sr = srunner_create(suite);
    srunner_run_all(sr, CK_NORMAL);
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

void kvt_add_loop_test_at(TCase *tc, const TTest *test, int i)
{
    if (selected(test)) {
        tcase_add_loop_test(tc, test, i, i + 1);
    }
}
