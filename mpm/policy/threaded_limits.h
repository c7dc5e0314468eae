/* The limits in force of the threaded MPMs (worker, event), brought into range as httpd's
 * worker does. Pure, so that they are tested alone (tests/unit/mpm/worker). Keeping idle
 * threads between the spare bounds is spares.h's, counting threads. */
#ifndef KV_MPM_THREADED_LIMITS_H
#define KV_MPM_THREADED_LIMITS_H

/** Compile-time ceiling of ServerLimit, as httpd worker's. */
#define WORKER_HARD_SERVER_LIMIT 20000
/** Compile-time ceiling of ThreadLimit, as httpd worker's. */
#define WORKER_HARD_THREAD_LIMIT 20000

/** The worker settings. */
typedef struct {
    int start_servers;     /**< StartServers */
    int server_limit;      /**< ServerLimit */
    int threads_per_child; /**< ThreadsPerChild */
    int thread_limit;      /**< ThreadLimit */
    int max_workers;       /**< MaxRequestWorkers (MaxClients) */
    int min_spare;         /**< MinSpareThreads */
    int max_spare;         /**< MaxSpareThreads */
} worker_limits_t;

/** What worker_limits_fix changed; each deserves a warning. */
enum {
    WORKER_FIX_LIMIT_HIGH = 1 << 0,        /**< ServerLimit above the hard limit */
    WORKER_FIX_LIMIT_LOW = 1 << 1,         /**< ServerLimit below 1 */
    WORKER_FIX_THREAD_LIMIT_HIGH = 1 << 2, /**< ThreadLimit above the hard limit */
    WORKER_FIX_THREAD_LIMIT_LOW = 1 << 3,  /**< ThreadLimit below 1 */
    WORKER_FIX_THREADS_HIGH = 1 << 4,      /**< ThreadsPerChild above ThreadLimit */
    WORKER_FIX_THREADS_LOW = 1 << 5,       /**< ThreadsPerChild below 1 */
    WORKER_FIX_WORKERS_LOW = 1 << 6,       /**< MaxRequestWorkers below ThreadsPerChild */
    WORKER_FIX_WORKERS_MULTIPLE = 1 << 7,  /**< MaxRequestWorkers not a multiple of it */
    WORKER_FIX_WORKERS_HIGH = 1 << 8,      /**< MaxRequestWorkers above ServerLimit x it */
    WORKER_FIX_START_LOW = 1 << 9,         /**< StartServers below 1 */
    WORKER_FIX_MIN_SPARE_LOW = 1 << 10,    /**< MinSpareThreads below 1 */
    WORKER_FIX_MAX_SPARE_LOW = 1 << 11     /**< MaxSpareThreads below Min + ThreadsPerChild */
};

/** Bring @a l into range as httpd does; returns the WORKER_FIX_* bits of what changed. */
unsigned worker_limits_fix(worker_limits_t *l);

/** Children that may run at once: MaxRequestWorkers / ThreadsPerChild (limits fixed). */
int worker_daemons_limit(const worker_limits_t *l);

#endif
