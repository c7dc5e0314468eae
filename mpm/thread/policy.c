/* The thread MPM's limits in force (see policy.h). */
#include "policy.h"
#include "kv_config.h"

thread_limits_t thread_limits_default(const thread_limits_t *set)
{
    thread_limits_t l;
    int at_least;

    l.max_workers = KV_MERGE_INT(set->max_workers, KV_UNSET_INT, THREAD_DEFAULT_MAX_WORKERS);
    at_least = l.max_workers > THREAD_DEFAULT_MAX_WORKERS ? l.max_workers
                                                          : THREAD_DEFAULT_MAX_WORKERS;
    if (at_least > THREAD_HARD_THREAD_LIMIT) {
        at_least = THREAD_HARD_THREAD_LIMIT;
    }
    l.thread_limit = KV_MERGE_INT(set->thread_limit, KV_UNSET_INT, at_least);
    return l;
}

unsigned thread_limits_fix(thread_limits_t *l)
{
    unsigned fixed = 0;

    if (l->thread_limit > THREAD_HARD_THREAD_LIMIT) {
        l->thread_limit = THREAD_HARD_THREAD_LIMIT;
        fixed |= THREAD_FIX_LIMIT_HIGH;
    } else if (l->thread_limit < 1) {
        l->thread_limit = 1;
        fixed |= THREAD_FIX_LIMIT_LOW;
    }
    if (l->max_workers > l->thread_limit) {
        l->max_workers = l->thread_limit;
        fixed |= THREAD_FIX_WORKERS_HIGH;
    } else if (l->max_workers < 1) {
        l->max_workers = 1;
        fixed |= THREAD_FIX_WORKERS_LOW;
    }
    return fixed;
}
