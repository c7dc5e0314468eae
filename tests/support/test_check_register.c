/* Self-registering tests (check_register.h) seen from outside: this program runs itself again
 * and reads what its own sample cases list (KVC_LIST) and run. Cases go in the order they are
 * declared, tests in the order of the file, a test whose condition does not hold is listed
 * as skipped and not run, KVT_TEST keeps one test alone. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* popen, setenv */
#endif
#include "check_register.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Declared first, so listed and run first, though its tests stand last in the file. */
KVC_CASE(first, .name = "first", .timeout = 7);
KVC_CASE(samples, .name = "samples");
KVC_CASE(checks, .name = "checks");

static int never(unsigned arg)
{
    return arg == 1;
}

/* Each sample test notes that it ran (and its _i) in $KVC_SELFTEST_LOG, when that is set. */
static void note(const char *name, int i)
{
    const char *path = getenv("KVC_SELFTEST_LOG");
    FILE *f = path ? fopen(path, "a") : NULL;

    if (f != NULL) {
        fprintf(f, "%s %d\n", name, i);
        fclose(f);
    }
}

KVC_TEST(samples, sample_one)
{
    note("sample_one", _i);
}
END_TEST

KVC_LOOP_TEST(samples, sample_rows, 2, 4)
{
    note("sample_rows", _i);
}
END_TEST

KVC_TEST_IF(samples, sample_never, never, 0)
{
    note("sample_never", _i);
}
END_TEST

KVC_TEST(first, sample_early_case)
{
    note("sample_early_case", _i);
}
END_TEST

/* This program run again with @a env (NAME=VALUE words) set: its standard output. */
static char *run_self(const char *env)
{
    char *cmd, *out = calloc(1, 8192);
    size_t n;
    FILE *p;

    ck_assert_int_gt(asprintf(&cmd, "env %s /proc/%d/exe", env, (int)getpid()), 0);
    p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    n = fread(out, 1, 8191, p);
    out[n] = '\0';
    pclose(p);
    free(cmd);
    return out;
}

/* What the listing says of the sample cases. */
static const char *const listed[] = {
    "test\tself\tfirst\tsample_early_case\t0..1\tsetup=- teardown=- unchecked=-,- timeout=7\n",
    "test\tself\tsamples\tsample_one\t0..1\tsetup=- teardown=- unchecked=-,- timeout=0\n",
    "test\tself\tsamples\tsample_rows\t2..4\tsetup=- teardown=- unchecked=-,- timeout=0\n",
    "skip\tself\tsamples\tsample_never\t0..1\tsetup=- teardown=- unchecked=-,- timeout=0"
    "\tneeds never(0)\n",
};

/* In a run that run_follows_the_listing starts, a check only notes that it ran. */
#define ONLY_NOTE_IN_A_CHILD_RUN(name)                                                             \
    if (getenv("KVC_SELFTEST_LOG") != NULL) {                                                      \
        note(name, _i);                                                                            \
        return;                                                                                    \
    }

KVC_TEST(checks, listing_follows_declaration_then_file_order)
{
    ONLY_NOTE_IN_A_CHILD_RUN("listing_follows_declaration_then_file_order");
    char *out = run_self("KVC_LIST=1");
    char *want = calloc(1, 8192);

    for (size_t i = 0; i < sizeof(listed) / sizeof(listed[0]); i++) {
        strcat(want, listed[i]);
    }
    ck_assert_ptr_nonnull(strstr(out, want));
    free(want);
    free(out);
}
END_TEST

KVC_TEST(checks, kvt_test_keeps_one_test)
{
    ONLY_NOTE_IN_A_CHILD_RUN("kvt_test_keeps_one_test");
    char *out = run_self("KVC_LIST=1 KVT_TEST=sample_rows");

    ck_assert_str_eq(out, listed[2]);
    free(out);
}
END_TEST

/* What a run of the whole program runs, in order: the listing's, once each _i, and not the
 * skipped test. (In that run the checks case only notes that it ran: it runs nothing again.) */
KVC_TEST(checks, run_follows_the_listing)
{
    ONLY_NOTE_IN_A_CHILD_RUN("run_follows_the_listing");
    char path[] = "/tmp/kvc-selftest-XXXXXX";
    int fd = mkstemp(path);
    char *env, *log = calloc(1, 4096);
    FILE *f;

    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_gt(asprintf(&env, "KVC_SELFTEST_LOG=%s KVT_TEST=", path), 0);
    free(run_self(env));
    free(env);
    f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_gt(fread(log, 1, 4095, f), 0);
    fclose(f);
    unlink(path);
    ck_assert_str_eq(log, "sample_early_case 0\nsample_one 0\nsample_rows 2\nsample_rows 3\n"
                          "listing_follows_declaration_then_file_order 0\n"
                          "kvt_test_keeps_one_test 0\nrun_follows_the_listing 0\n");
    free(log);
}
END_TEST

int main(void)
{
    return kvc_run("self");
}
