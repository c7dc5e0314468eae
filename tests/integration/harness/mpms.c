/* Integration harness: the MPMs, what each can do, and running a suite under each of them. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* POSIX and GNU interfaces under -std=c11 */
#endif
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Shorthands for the table. */
#define SPARES (KVT_MPM_IDLE_CHILDREN | KVT_MPM_KEEPS_CHILDREN)
#define THREADED_SPARES (SPARES | KVT_MPM_THREAD_POOL | KVT_MPM_SOLE_CHILD)

/* The one list of the MPMs the tests know, in the order a suite runs under them. */
static const kvt_mpm_info_t mpms[] = {
    {"prefork", SPARES | KVT_MPM_SPARE_SERVERS | KVT_MPM_SERVER_LIMIT, 1, 1},
    /* -X: ThreadsPerChild 3 and the listener */
    {"worker", THREADED_SPARES | KVT_MPM_SERVER_LIMIT, 4, 0},
    {"event", THREADED_SPARES | KVT_MPM_SERVER_LIMIT | KVT_MPM_ASYNC, 4, 0},
    {"fork", KVT_MPM_CHILD_PER_CONN | KVT_MPM_SERVER_LIMIT, 1, 1},
    {"single", KVT_MPM_ONE_CHILD | KVT_MPM_KEEPS_CHILDREN | KVT_MPM_SOLE_CHILD, 1, 1},
    /* -X: the listener and the held connection's thread */
    {"thread",
     KVT_MPM_ONE_CHILD | KVT_MPM_KEEPS_CHILDREN | KVT_MPM_SOLE_CHILD | KVT_MPM_X_TERM_DROPS, 2, 0},
};

/* How many runs kvt_run_mpms has made in this program. */
static int runs_made;

int kvt_first_mpm_run(unsigned unused)
{
    (void)unused;
    return runs_made == 0;
}

static const kvt_mpm_info_t *find(const char *name)
{
    for (size_t i = 0; i < sizeof(mpms) / sizeof(mpms[0]); i++) {
        if (strcmp(mpms[i].name, name) == 0) {
            return &mpms[i];
        }
    }
    return NULL;
}

const kvt_mpm_info_t *kvt_mpm_info(void)
{
    const kvt_mpm_info_t *m = find(kvt_mpm());

    ck_assert_msg(m != NULL, "KVT_MPM=%s names no MPM the harness knows", kvt_mpm());
    return m;
}

int kvt_mpm_has(unsigned caps)
{
    const kvt_mpm_info_t *m = find(kvt_mpm());
    return m != NULL && (m->caps & caps) == caps;
}

int kvt_run_mpms(const char *suite, unsigned needs)
{
    /* A copy: the setenv below may replace the string getenv points to. */
    const char *env = getenv("KVT_MPM");
    char *only = env != NULL && *env != '\0' ? strdup(env) : NULL;
    int failed = 0;

    if (only != NULL && find(only) == NULL) {
        fprintf(stderr, "%s: KVT_MPM=%s names no MPM the harness knows\n", suite, only);
        free(only);
        return 1;
    }
    for (size_t i = 0; i < sizeof(mpms) / sizeof(mpms[0]); i++) {
        const kvt_mpm_info_t *m = &mpms[i];

        if (only != NULL && strcmp(only, m->name) != 0) {
            continue;
        }
        if ((m->caps & needs) != needs) {
            printf("%s: not run under %s, which lacks what its tests need\n", suite, m->name);
            continue;
        }
        /* What kvt_mpm() answers, here and in every process the run starts. */
        setenv("KVT_MPM", m->name, 1);
        printf("%s: under %s\n", suite, m->name);
        fflush(stdout);
        failed |= kvc_run(suite);
        runs_made++;
    }
    if (only == NULL) {
        unsetenv("KVT_MPM");
    }
    free(only);
    return failed;
}
