/* The limits of single-threaded children (see process_limits.h). */
#include "process_limits.h"

/* Set *v to @a to and return @a bit if @a cond holds, else 0. */
static unsigned fix(int cond, int *v, int to, unsigned bit)
{
    if (!cond) {
        return 0;
    }
    *v = to;
    return bit;
}

unsigned prefork_limits_fix(prefork_limits_t *l)
{
    unsigned fixed = 0;

    fixed |= fix(l->server_limit > PREFORK_HARD_SERVER_LIMIT, &l->server_limit,
                 PREFORK_HARD_SERVER_LIMIT, PREFORK_FIX_LIMIT_HIGH);
    fixed |= fix(l->server_limit < 1, &l->server_limit, 1, PREFORK_FIX_LIMIT_LOW);
    fixed |= fix(l->max_workers > l->server_limit, &l->max_workers, l->server_limit,
                 PREFORK_FIX_WORKERS_HIGH);
    fixed |= fix(l->max_workers < 1, &l->max_workers, 1, PREFORK_FIX_WORKERS_LOW);
    fixed |= fix(l->start_servers < 1, &l->start_servers, 1, PREFORK_FIX_START_LOW);
    fixed |= fix(l->min_spare < 1, &l->min_spare, 1, PREFORK_FIX_MIN_SPARE_LOW);
    fixed |= fix(l->max_spare <= l->min_spare, &l->max_spare, l->min_spare + 1,
                 PREFORK_FIX_MAX_SPARE_LOW);
    return fixed;
}
