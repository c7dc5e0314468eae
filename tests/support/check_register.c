/* Self-registering Check tests: the registry the KVC_CASE and KVC_TEST constructors fill, and
 * the runner that builds a suite from it. Test-only code, so plain libc. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dladdr */
#endif
#include "check_register.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct kvc_case *cases;
static struct kvc_test *tests;

void kvc_add_case(struct kvc_case *tc)
{
    tc->next = cases;
    cases = tc;
}

void kvc_add_test(struct kvc_test *t)
{
    t->next = tests;
    tests = t;
}

static int by_place(const char *file_a, int line_a, const char *file_b, int line_b)
{
    int c = strcmp(file_a, file_b);
    return c != 0 ? c : (line_a > line_b) - (line_a < line_b);
}

static int case_order(const void *a, const void *b)
{
    const struct kvc_case *x = *(void *const *)a, *y = *(void *const *)b;
    return by_place(x->file, x->line, y->file, y->line);
}

static int test_order(const void *a, const void *b)
{
    const struct kvc_test *x = *(void *const *)a, *y = *(void *const *)b;
    return by_place(x->file, x->line, y->file, y->line);
}

/* The elements of a list linked by the pointer at @a next_at in each, in a malloc'd array
 * sorted by @a order (where they stand in the source); their count in *n. */
static void **sorted(void *head, size_t next_at, int (*order)(const void *, const void *),
                     size_t *n)
{
    size_t count = 0, i = 0;
    void **all;

    for (char *p = head; p != NULL; p = *(char **)(p + next_at)) {
        count++;
    }
    all = malloc((count + 1) * sizeof(*all));
    if (all == NULL) {
        perror("kvc_run");
        exit(EXIT_FAILURE);
    }
    for (char *p = head; p != NULL; p = *(char **)(p + next_at)) {
        all[i++] = p;
    }
    qsort(all, count, sizeof(*all), order);
    *n = count;
    return all;
}

static int env_set(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && *v != '\0' && strcmp(v, "0") != 0;
}

/* Does the environment leave @a t in (KVT_TEST names one test alone)? */
static int selected(const struct kvc_test *t)
{
    const char *only = getenv("KVT_TEST");
    return only == NULL || *only == '\0' || strcmp(only, (*t->test)->name) == 0;
}

/* A fixture function for the listing: its symbol where the dynamic linker knows it, else its
 * offset in the executable (what `nm` shows for it), else "-" for none. */
static const char *fixture_name(SFun fn, char *buf, size_t size)
{
    Dl_info info;

    if (fn == NULL) {
        return "-";
    }
    if (dladdr((void *)(size_t)fn, &info) != 0 && info.dli_sname != NULL) {
        return info.dli_sname;
    }
    snprintf(buf, size, "@%lx",
             (unsigned long)((size_t)fn - (size_t)(info.dli_fbase ? info.dli_fbase : 0)));
    return buf;
}

static void list_test(const char *suite, const char *tcname, const struct kvc_case *tc,
                      const struct kvc_test *t, int runs)
{
    char b[4][32];

    printf("%s\t%s\t%s\t%s\t%d..%d\tsetup=%s teardown=%s unchecked=%s,%s timeout=%g%s%s\n",
           runs ? "test" : "skip", suite, tcname, (*t->test)->name, t->start, t->end,
           fixture_name(tc->setup, b[0], sizeof(b[0])),
           fixture_name(tc->teardown, b[1], sizeof(b[1])),
           fixture_name(tc->unchecked_setup, b[2], sizeof(b[2])),
           fixture_name(tc->unchecked_teardown, b[3], sizeof(b[3])), tc->timeout,
           runs ? "" : "\tneeds ", runs ? "" : t->when_name);
}

/* Add the tests of @a tc that run now to a new TCase of @a s (none if none runs), or list
 * them. */
static void build_case(Suite *s, const char *suite, const struct kvc_case *tc, void **all, size_t n,
                       int listing)
{
    const char *name = tc->name_of ? tc->name_of() : tc->name;
    TCase *made = NULL;

    for (size_t i = 0; i < n; i++) {
        const struct kvc_test *t = all[i];
        int runs;

        if (t->tcase != tc || !selected(t)) {
            continue;
        }
        runs = t->when == NULL || t->when(t->when_arg);
        if (listing) {
            list_test(suite, name, tc, t, runs);
            continue;
        }
        if (!runs) {
            fprintf(stderr, "%s: %s not run here: %s does not hold\n", suite, (*t->test)->name,
                    t->when_name);
            continue;
        }
        if (made == NULL) {
            made = tcase_create(name);
            if (tc->setup != NULL || tc->teardown != NULL) {
                tcase_add_checked_fixture(made, tc->setup, tc->teardown);
            }
            if (tc->unchecked_setup != NULL || tc->unchecked_teardown != NULL) {
                tcase_add_unchecked_fixture(made, tc->unchecked_setup, tc->unchecked_teardown);
            }
            if (tc->timeout > 0) {
                tcase_set_timeout(made, tc->timeout);
            }
            suite_add_tcase(s, made);
        }
        tcase_add_loop_test(made, *t->test, t->start, t->end);
    }
}

int kvc_run(const char *name)
{
    size_t ncases, ntests;
    void **tcs = sorted(cases, offsetof(struct kvc_case, next), case_order, &ncases);
    void **all = sorted(tests, offsetof(struct kvc_test, next), test_order, &ntests);
    int listing = env_set("KVC_LIST");
    Suite *s = listing ? NULL : suite_create(name);
    int failed = 0;

    for (size_t i = 0; i < ncases; i++) {
        build_case(s, name, tcs[i], all, ntests, listing);
    }
    if (s != NULL) {
        SRunner *sr = srunner_create(s);

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
    }
    free(tcs);
    free(all);
    return failed == 0 ? 0 : 1;
}
