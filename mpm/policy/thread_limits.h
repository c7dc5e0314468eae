/* The thread MPM's limits in force: pure, so that they are tested alone
 * (tests/unit/mpm/thread). Beside the other MPMs' limits, whose warnings it shares. */
#ifndef KV_MPM_THREAD_LIMITS_H
#define KV_MPM_THREAD_LIMITS_H

/** Compile-time ceiling of ThreadLimit, as httpd's. */
#define THREAD_HARD_THREAD_LIMIT 20000
/** MaxRequestWorkers when none is configured, as httpd's prefork. */
#define THREAD_DEFAULT_MAX_WORKERS 256

/** The thread MPM's settings. */
typedef struct {
    int max_workers;  /**< MaxRequestWorkers (MaxClients): connection threads at once */
    int thread_limit; /**< ThreadLimit: worker slots of the scoreboard */
} thread_limits_t;

/** What thread_limits_fix changed; each deserves a warning. */
enum {
    THREAD_FIX_LIMIT_HIGH = 1 << 0,   /**< ThreadLimit above the hard limit */
    THREAD_FIX_LIMIT_LOW = 1 << 1,    /**< ThreadLimit below 1 */
    THREAD_FIX_WORKERS_HIGH = 1 << 2, /**< MaxRequestWorkers above ThreadLimit */
    THREAD_FIX_WORKERS_LOW = 1 << 3   /**< MaxRequestWorkers below 1 */
};

/** Apply the defaults to @a set (KV_UNSET_INT where not configured): MaxRequestWorkers 256
 * (or ThreadLimit if that is smaller), ThreadLimit as large as MaxRequestWorkers and at least
 * 256, so that setting either one alone is enough. */
thread_limits_t thread_limits_default(const thread_limits_t *set);

/** Bring @a l into range as httpd does; returns the THREAD_FIX_* bits of what changed. */
unsigned thread_limits_fix(thread_limits_t *l);

#endif
