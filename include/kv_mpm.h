/**
 * @file kv_mpm.h
 * @brief The contract between the core and the one loaded MPM.
 *
 * The core reads the configuration, opens logs and listeners, then runs the
 * mpm hook. The MPM serves until a signal asks for a stop or a restart and then
 * returns which; the core tears the generation down and, for a restart, builds
 * the next one. Exactly one module must register the mpm hook.
 */
#ifndef KV_MPM_H
#define KV_MPM_H

#include "kv_http.h"

/** What the MPM's run hook returns: why it stopped serving. */
typedef enum {
    KV_MPM_STOP = 0,        /**< exit (TERM) */
    KV_MPM_RESTART = 1,     /**< re-read config, children stopped at once (HUP) */
    KV_MPM_GRACEFUL = 2,    /**< re-read config, children finish first (USR1) */
    KV_MPM_GRACEFUL_STOP = 3, /**< finish in-flight work, then exit (WINCH) */
    KV_MPM_FAILED = 4       /**< could not serve at all; exit with status 1 */
} kv_mpm_result_t;

/** Run-first (the first function that does not answer KV_DECLINED wins), for MPM modules
 * only: the loaded MPM registers it, and a configuration that loads none or two is refused
 * while it is read. Runs in the parent once per generation, after post_config, with the
 * generation's @a pconf and @a plog: it starts the children (or threads) its model has,
 * each of which runs child_init and serves accepted sockets through kv_create_connection
 * and kv_process_connection (kv_conn_step for an asynchronous MPM), and it returns only
 * when a signal asks for a stop or restart (kv_mpm_common.h), with a kv_mpm_result_t; the
 * core then ends the generation. */
KV_DECLARE_HOOK(int, mpm, (apr_pool_t *pconf, apr_pool_t *plog, kv_server_t *s))

/** Capability queries for kv_mpm_query. */
typedef enum {
    KV_MPMQ_IS_THREADED,    /**< result: 0 or 1 */
    KV_MPMQ_IS_FORKED,      /**< result: 0 or 1 */
    KV_MPMQ_IS_ASYNC,       /**< result: 0 or 1 */
    KV_MPMQ_MAX_DAEMONS,    /**< result: ServerLimit in force */
    KV_MPMQ_MAX_THREADS,    /**< result: threads per child */
    KV_MPMQ_MAX_WORKERS     /**< result: MaxRequestWorkers in force */
} kv_mpm_query_t;

/** Run-first, for MPM modules only: answer capability query @a query (a kv_mpm_query_t)
 * with KV_OK and *result, or KV_DECLINED for a query it does not know. Asked through
 * kv_mpm_query in any process at any time once the configuration is read (modules in
 * post_config or per request, -t, mod_status); it must not block or change state beyond
 * bringing its own limits into range. */
KV_DECLARE_HOOK(int, mpm_query, (int query, int *result))

/** Run-first (NULL declines), for MPM modules only: the running MPM's name ("prefork"),
 * for -V, -S and logs; a constant string, in any process at any time. */
KV_DECLARE_HOOK(const char *, mpm_get_name, (void))

/** Ask the running MPM; returns its answer, or -1 if no MPM answers. */
KV_DECLARE(int) kv_mpm_query(kv_mpm_query_t query);

/** Generation counter: 0 for the first configuration, +1 on each restart. */
KV_DECLARE_DATA extern int kv_my_generation;

/** Pool that outlives configuration generations (listeners, scoreboard). */
KV_DECLARE_DATA extern apr_pool_t *kv_pglobal;

#endif
