/**
 * @file check_register.h
 * @brief Check tests that register themselves where they are defined, so that a test
 * program has no suite function to keep in step with its tests.
 *
 * A program declares its test cases once at file scope, each with its settings:
 *
 *     KVU_CASE(parse, "parse", setup, teardown);
 *
 * and defines each test with KVC_TEST in place of Check's START_TEST (END_TEST stays):
 *
 *     KVC_TEST(parse, numbers_are_read)
 *     {
 *         ...
 *     }
 *     END_TEST
 *
 * A constructor function that the macro writes registers the test before main runs; main
 * is one call, kvc_run("suite name"), which builds the suite (cases in the order they are
 * declared, the tests of each in the order of their file and line), runs it and returns
 * the exit status the automake test driver reads.
 *
 * The environment: KVT_TEST=name runs that test alone; KVC_LIST=1 prints one line a test
 * instead of running anything ("test", or "skip" where its condition does not hold; suite,
 * case, test, loop range, fixtures, timeout); Check's own CK_RUN_CASE and CK_RUN_SUITE keep
 * working.
 *
 * Used by the unit tests (tests/unit/check_run.h) and the integration tests
 * (tests/integration/harness.h), which add their own defaults for a case.
 */
#ifndef KVC_CHECK_REGISTER_H
#define KVC_CHECK_REGISTER_H

#include <check.h>

/** A test case: its name and settings, as Check's tcase_* calls take them. Declare it with
 * KVC_CASE (or the unit or integration shorthand), never as a plain variable: the macro
 * registers it, and the cases of a program run in the order they are declared. */
struct kvc_case {
    const char *name;             /**< the case's name (CK_RUN_CASE selects by it) ... */
    const char *(*name_of)(void); /**< ... or, if set, what this returns when the suite
                                       is built (an integration case named after the MPM) */
    SFun setup, teardown;         /**< checked fixture: around every test, in its process */
    SFun unchecked_setup;         /**< unchecked fixture: once around the case, in the */
    SFun unchecked_teardown;      /**< runner's process */
    double timeout;               /**< seconds; 0 leaves Check's default */
    const char *file;             /**< where it is declared: set by KVC_CASE */
    int line;
    struct kvc_case *next; /**< registered cases, for the runner */
};

/** Whether a test runs, asked when the suite is built: @a arg is what the test's macro gave
 * (KVC_TEST_IF). */
typedef int kvc_when_fn(unsigned arg);

/** A registered test. KVC_TEST and its kin fill one in. */
struct kvc_test {
    struct kvc_case *tcase;   /**< the case it belongs to */
    const TTest *const *test; /**< the test START_TEST defines */
    int start, end;           /**< loop range: _i runs from start to end - 1 */
    kvc_when_fn *when;        /**< NULL, or it runs only if this says so */
    unsigned when_arg;
    const char *when_name; /**< how the condition reads: "when(arg)" */
    const char *file;      /**< where it is defined: the order within its case */
    int line;
    struct kvc_test *next; /**< registered tests, for the runner */
};

/** Register a case (KVC_CASE does). */
void kvc_add_case(struct kvc_case *tc);

/** Register a test (KVC_TEST and its kin do). */
void kvc_add_test(struct kvc_test *t);

/** A constructor: a function that runs before main (GCC and Clang). */
#define KVC_CONSTRUCTOR(fn)                                                                        \
    static void fn(void) __attribute__((constructor));                                             \
    static void fn(void)

/** Declare test case @a var: the rest are designated initializers of struct kvc_case
 * (.name = "parse", .setup = setup, .timeout = 30 ...). */
#define KVC_CASE(var, ...)                                                                         \
    static struct kvc_case var;                                                                    \
    KVC_CONSTRUCTOR(kvc_case_##var)                                                                \
    {                                                                                              \
        var.file = __FILE__;                                                                       \
        var.line = __LINE__;                                                                       \
        kvc_add_case(&var);                                                                        \
    }                                                                                              \
    static struct kvc_case var = {__VA_ARGS__}

/** Define test @a name of case @a tc, run for _i from @a from to @a to - 1, if @a cond(@a arg)
 * says so when the suite is built (a @a cond of NULL: always). Followed by the test's body and
 * END_TEST, as START_TEST is. */
#define KVC_LOOP_TEST_IF(tc, name, from, to, cond, arg)                                            \
    static const TTest *name;                                                                      \
    KVC_CONSTRUCTOR(kvc_register_##name)                                                           \
    {                                                                                              \
        static struct kvc_test t = {.tcase = &(tc),                                                \
                                    .test = &(name),                                               \
                                    .start = (from),                                               \
                                    .end = (to),                                                   \
                                    .when = (cond),                                                \
                                    .when_arg = (arg),                                             \
                                    .when_name = #cond "(" #arg ")",                               \
                                    .file = __FILE__,                                              \
                                    .line = __LINE__};                                             \
        kvc_add_test(&t);                                                                          \
    }                                                                                              \
    START_TEST(name)

/** A test of case @a tc, run once (as tcase_add_test). */
#define KVC_TEST(tc, name) KVC_LOOP_TEST_IF(tc, name, 0, 1, NULL, 0)

/** A test of case @a tc run for _i from @a start to @a end - 1 (as tcase_add_loop_test). */
#define KVC_LOOP_TEST(tc, name, start, end) KVC_LOOP_TEST_IF(tc, name, start, end, NULL, 0)

/** A test of case @a tc, run once if @a when(@a arg) holds when the suite is built. */
#define KVC_TEST_IF(tc, name, when, arg) KVC_LOOP_TEST_IF(tc, name, 0, 1, when, arg)

/** Build the suite @a name from every registered case and test and run it (CK_NORMAL
 * output), or list it (KVC_LIST): 0 if no test failed, else 1, the exit status for the
 * test driver. It may run again (the tests' conditions are asked anew each time). */
int kvc_run(const char *name);

#endif
