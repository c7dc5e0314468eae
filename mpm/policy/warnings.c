/* The warnings the limits policies deserve, as httpd words them (see warnings.h). */
#include "kv_log.h"
#include "warnings.h"
#include "../parent.h"

/* The texts more than one MPM logs, each with its one number. */
#define SERVER_LIMIT_HIGH                                                                          \
    "KV00420: ServerLimit of %d exceeds compile-time limit of %d servers, decreasing to %d."
#define SERVER_LIMIT_LOW "KV00421: ServerLimit of %d not allowed, increasing to 1."
#define WORKERS_LOW "KV00423: MaxRequestWorkers of %d not allowed, increasing to 1."
#define START_LOW "KV00424: StartServers of %d not allowed, increasing to 1."
#define THREAD_LIMIT_HIGH                                                                          \
    "KV00902: ThreadLimit of %d exceeds compile-time limit of %d threads, decreasing to %d."
#define THREAD_LIMIT_LOW "KV00903: ThreadLimit of %d not allowed, increasing to 1."

/* The two rows of a limit with a compile-time ceiling: above it, and below 1. */
#define LIMIT_ROWS(fix, field, hard, high, low)                                                    \
    {fix##_HIGH, high, was->field, hard, l->field, 0},                                             \
    {                                                                                              \
        fix##_LOW, low, was->field, 0, 0, 0                                                        \
    }

/* The two rows of MaxRequestWorkers bounded by the limit at @a field: above it (message
 * @a high), and below 1. */
#define WORKERS_ROWS(fix, field, high)                                                             \
    {fix##_WORKERS_HIGH, high, was->max_workers, l->field, l->max_workers, 0},                     \
    {                                                                                              \
        fix##_WORKERS_LOW, WORKERS_LOW, was->max_workers, 0, 0, 0                                  \
    }

#define WARN(module, s, table, fixed)                                                              \
    kv_mpm_warn_fixes(module, s, table, sizeof(table) / sizeof(table[0]), fixed)

void prefork_warn_fixes(const char *module, kv_server_t *s, const prefork_limits_t *was,
                        const prefork_limits_t *l, unsigned fixed)
{
    const kv_mpm_fix_warning_t warnings[] = {
        LIMIT_ROWS(PREFORK_FIX_LIMIT, server_limit, PREFORK_HARD_SERVER_LIMIT, SERVER_LIMIT_HIGH,
                   SERVER_LIMIT_LOW),
        WORKERS_ROWS(PREFORK_FIX, server_limit,
                     "KV00422: MaxRequestWorkers of %d exceeds ServerLimit value of %d servers, "
                     "decreasing MaxRequestWorkers to %d. To increase, please see the ServerLimit "
                     "directive."),
        {PREFORK_FIX_START_LOW, START_LOW, was->start_servers, 0, 0, 0},
        {PREFORK_FIX_MIN_SPARE_LOW, "KV00425: MinSpareServers of %d not allowed, increasing to 1.",
         was->min_spare, 0, 0, 0},
        {PREFORK_FIX_MAX_SPARE_LOW,
         "KV00426: MaxSpareServers of %d is not above MinSpareServers (%d), increasing it to %d.",
         was->max_spare, l->min_spare, l->max_spare, 0},
    };

    WARN(module, s, warnings, fixed);
}

void worker_warn_fixes(const char *module, kv_server_t *s, const worker_limits_t *was,
                       const worker_limits_t *l, unsigned fixed)
{
    const kv_mpm_fix_warning_t warnings[] = {
        LIMIT_ROWS(WORKER_FIX_LIMIT, server_limit, WORKER_HARD_SERVER_LIMIT, SERVER_LIMIT_HIGH,
                   SERVER_LIMIT_LOW),
        LIMIT_ROWS(WORKER_FIX_THREAD_LIMIT, thread_limit, WORKER_HARD_THREAD_LIMIT,
                   THREAD_LIMIT_HIGH, THREAD_LIMIT_LOW),
        {WORKER_FIX_THREADS_HIGH,
         "KV00904: ThreadsPerChild of %d exceeds ThreadLimit of %d threads, decreasing to %d. "
         "To increase, please see the ThreadLimit directive.",
         was->threads_per_child, l->thread_limit, l->threads_per_child, 0},
        {WORKER_FIX_THREADS_LOW, "KV00905: ThreadsPerChild of %d not allowed, increasing to 1.",
         was->threads_per_child, 0, 0, 0},
        {WORKER_FIX_WORKERS_LOW,
         "KV00906: MaxRequestWorkers of %d is less than ThreadsPerChild of %d, increasing to "
         "%d. MaxRequestWorkers must be at least as large as the number of threads in a single "
         "server.",
         was->max_workers, l->threads_per_child, l->threads_per_child, 0},
        {WORKER_FIX_WORKERS_MULTIPLE,
         "KV00907: MaxRequestWorkers of %d is not an integer multiple of ThreadsPerChild of %d, "
         "decreasing to nearest multiple %d, for a maximum of %d servers.",
         was->max_workers, l->threads_per_child,
         was->max_workers / l->threads_per_child * l->threads_per_child,
         was->max_workers / l->threads_per_child},
        {WORKER_FIX_WORKERS_HIGH,
         "KV00908: MaxRequestWorkers of %d would require %d servers and would exceed ServerLimit "
         "of %d, decreasing to %d. To increase, please see the ServerLimit directive.",
         was->max_workers, was->max_workers / l->threads_per_child, l->server_limit,
         l->max_workers},
        {WORKER_FIX_START_LOW, START_LOW, was->start_servers, 0, 0, 0},
        {WORKER_FIX_MIN_SPARE_LOW, "KV00910: MinSpareThreads of %d not allowed, increasing to 1.",
         was->min_spare, 0, 0, 0},
        {WORKER_FIX_MAX_SPARE_LOW,
         "KV00911: MaxSpareThreads of %d is less than MinSpareThreads (%d) plus ThreadsPerChild "
         "(%d), increasing to %d.",
         was->max_spare, l->min_spare, l->threads_per_child, l->max_spare},
    };

    WARN(module, s, warnings, fixed);
}

void thread_warn_fixes(const char *module, kv_server_t *s, const thread_limits_t *was,
                       const thread_limits_t *l, unsigned fixed)
{
    const kv_mpm_fix_warning_t warnings[] = {
        LIMIT_ROWS(THREAD_FIX_LIMIT, thread_limit, THREAD_HARD_THREAD_LIMIT, THREAD_LIMIT_HIGH,
                   THREAD_LIMIT_LOW),
        WORKERS_ROWS(THREAD_FIX, thread_limit,
                     "KV01072: MaxRequestWorkers of %d exceeds ThreadLimit value of %d threads, "
                     "decreasing MaxRequestWorkers to %d. To increase, please see the ThreadLimit "
                     "directive."),
    };

    WARN(module, s, warnings, fixed);
}
