/* The limits of the threaded MPMs (see threaded_limits.h). */
#include "threaded_limits.h"

/* Set *v to @a to and return @a bit if @a cond holds, else 0. */
static unsigned fix(int cond, int *v, int to, unsigned bit)
{
    if (!cond) {
        return 0;
    }
    *v = to;
    return bit;
}

static unsigned fix_process_limits(worker_limits_t *l)
{
    unsigned fixed = 0;

    fixed |= fix(l->server_limit > WORKER_HARD_SERVER_LIMIT, &l->server_limit,
                 WORKER_HARD_SERVER_LIMIT, WORKER_FIX_LIMIT_HIGH);
    fixed |= fix(l->server_limit < 1, &l->server_limit, 1, WORKER_FIX_LIMIT_LOW);
    fixed |= fix(l->thread_limit > WORKER_HARD_THREAD_LIMIT, &l->thread_limit,
                 WORKER_HARD_THREAD_LIMIT, WORKER_FIX_THREAD_LIMIT_HIGH);
    fixed |= fix(l->thread_limit < 1, &l->thread_limit, 1, WORKER_FIX_THREAD_LIMIT_LOW);
    fixed |= fix(l->threads_per_child > l->thread_limit, &l->threads_per_child, l->thread_limit,
                 WORKER_FIX_THREADS_HIGH);
    fixed |= fix(l->threads_per_child < 1, &l->threads_per_child, 1, WORKER_FIX_THREADS_LOW);
    return fixed;
}

/* MaxRequestWorkers: at least one child's threads, a whole number of children, and no more
 * children than ServerLimit. */
static unsigned fix_workers(worker_limits_t *l)
{
    int tpc = l->threads_per_child;
    unsigned fixed = 0;

    fixed |= fix(l->max_workers < tpc, &l->max_workers, tpc, WORKER_FIX_WORKERS_LOW);
    fixed |= fix(l->max_workers % tpc != 0, &l->max_workers, l->max_workers / tpc * tpc,
                 WORKER_FIX_WORKERS_MULTIPLE);
    fixed |= fix(l->max_workers / tpc > l->server_limit, &l->max_workers, l->server_limit * tpc,
                 WORKER_FIX_WORKERS_HIGH);
    return fixed;
}

unsigned worker_limits_fix(worker_limits_t *l)
{
    unsigned fixed = fix_process_limits(l) | fix_workers(l);

    fixed |= fix(l->start_servers < 1, &l->start_servers, 1, WORKER_FIX_START_LOW);
    fixed |= fix(l->min_spare < 1, &l->min_spare, 1, WORKER_FIX_MIN_SPARE_LOW);
    fixed |= fix(l->max_spare < l->min_spare + l->threads_per_child, &l->max_spare,
                 l->min_spare + l->threads_per_child, WORKER_FIX_MAX_SPARE_LOW);
    return fixed;
}

int worker_daemons_limit(const worker_limits_t *l)
{
    return l->max_workers / l->threads_per_child;
}
