/* The thread MPM's limits in force (see thread_limits.h). */
#include "thread_limits.h"
#include "kv_config.h"

static int smaller(int a, int b)
{
    return a < b ? a : b;
}

thread_limits_t thread_limits_default(const thread_limits_t *set)
{
    thread_limits_t l;
    int by_limit = THREAD_DEFAULT_MAX_WORKERS;
    int room;

    if (set->thread_limit >= 1) {
        by_limit = smaller(by_limit, set->thread_limit);
    }
    l.max_workers = KV_MERGE_INT(set->max_workers, KV_UNSET_INT, by_limit);
    room = l.max_workers > THREAD_DEFAULT_MAX_WORKERS ? l.max_workers : THREAD_DEFAULT_MAX_WORKERS;
    l.thread_limit =
        KV_MERGE_INT(set->thread_limit, KV_UNSET_INT, smaller(room, THREAD_HARD_THREAD_LIMIT));
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
