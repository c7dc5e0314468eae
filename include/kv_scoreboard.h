/**
 * @file kv_scoreboard.h
 * @brief The shared-memory scoreboard: one slot per child process and per worker.
 *
 * It lives in anonymous shared memory from the global pool, so it survives restarts
 * and every child of every generation sees the same one. Its size is fixed by the
 * first generation's ServerLimit and ThreadLimit.
 */
#ifndef KV_SCOREBOARD_H
#define KV_SCOREBOARD_H

#include <apr_time.h>
#include <sys/types.h>

#include "kv_http.h"

/** What a worker is doing. */
typedef enum {
    KV_SB_DEAD = 0,      /**< no worker in this slot */
    KV_SB_STARTING,      /**< being started */
    KV_SB_READY,         /**< idle, waiting for a connection */
    KV_SB_READ,          /**< reading a request */
    KV_SB_WRITE,         /**< sending a response */
    KV_SB_KEEPALIVE,     /**< waiting for the next request on a connection */
    KV_SB_LOGGING,       /**< logging the request */
    KV_SB_CLOSING,       /**< closing the connection */
    KV_SB_GRACEFUL       /**< finishing before exit */
} kv_sb_status_t;

/** One child process. */
typedef struct {
    pid_t pid;           /**< 0 when the slot is free */
    int generation;      /**< kv_my_generation it was started in */
    int quiescing;       /**< finishing, no longer accepting */
    int not_accepting;   /**< serving, but its connections are at its limit: it does not
                          * accept now, so its idle workers are no spares (event) */
    int listening;       /**< its listeners are in its poller now (event) */
    unsigned int accepts; /**< connections it has accepted, wrapping (event) */
    /* Kept by an asynchronous MPM (event), 0 under the others: */
    int conns_total;     /**< open connections */
    int conns_keepalive; /**< of which waiting in the poller for their next request */
    int conns_writing;   /**< of which waiting in the poller to write a response's end */
    int conns_closing;   /**< of which in a lingering close in the poller */
} kv_sb_process_t;

/** One worker (a prefork child has one). */
typedef struct {
    kv_sb_status_t status;      /**< what it does now */
    int generation;             /**< generation of its process */
    unsigned long access_count; /**< requests served */
    unsigned long conn_count;   /**< connections served */
    apr_off_t bytes_served;     /**< body bytes sent */
    apr_time_t last_used;       /**< when its most recent request began (httpd's SS) */
    char client[64];            /**< client address of the current request */
    char request[128];          /**< current request line, truncated */
} kv_sb_worker_t;

/** Create the scoreboard in @a pglobal for @a server_limit processes of
 * @a thread_limit workers each, or reuse the existing one. Returns APR_SUCCESS,
 * or APR_EINVAL when one exists with other limits (they apply from the next start). */
KV_DECLARE(apr_status_t) kv_scoreboard_create(apr_pool_t *pglobal, int server_limit,
                                              int thread_limit);

/** As kv_scoreboard_create, for the MPM named @a mpm. A scoreboard another MPM made is
 * replaced by one of these limits (a restart that switches the MPM takes its limits): the
 * totals served and the process slots of live children are carried over. */
KV_DECLARE(apr_status_t) kv_scoreboard_create_for(apr_pool_t *pglobal, const char *mpm,
                                                  int server_limit, int thread_limit);

/** Limits the scoreboard was created with. */
KV_DECLARE(int) kv_scoreboard_server_limit(void);
/** Workers per process in the scoreboard. */
KV_DECLARE(int) kv_scoreboard_thread_limit(void);

/** Process slot @a i. */
KV_DECLARE(kv_sb_process_t *) kv_scoreboard_process(int i);
/** Worker @a thread of process @a proc. */
KV_DECLARE(kv_sb_worker_t *) kv_scoreboard_worker(int proc, int thread);

/** Set a worker's status; @a r, if given, records the request (and its start as last_used:
 * no clock is read, this runs several times per request).
 * @a slot is proc * thread_limit + thread, as kv_conn_t.sb_slot holds it; -1 is ignored. */
KV_DECLARE(void) kv_scoreboard_update(int slot, kv_sb_status_t status, const kv_request_t *r);

/** Add a served request and its body bytes to the worker's counters. */
KV_DECLARE(void) kv_scoreboard_count_request(int slot, apr_off_t bytes);

/** Fold a worker's request and byte counts into the totals of retired workers and zero
 * them (its connection count too): the MPM calls it before a new process takes the slot, so
 * server-wide totals never go down. */
KV_DECLARE(void) kv_scoreboard_retire_worker(int proc, int thread);

/** Requests and body bytes of every retired worker since the scoreboard was created. */
KV_DECLARE(void) kv_scoreboard_retired(unsigned long *accesses, apr_off_t *bytes);

/** Restarts the parent has done, by kind. */
typedef enum {
    KV_SB_RESTART_GRACEFUL = 0, /**< USR1: old children finish first */
    KV_SB_RESTART_HARD,         /**< HUP: children stopped at once */
    KV_SB_RESTART_KINDS         /**< number of kinds */
} kv_sb_restart_kind_t;

/** Record a restart of @a kind now, in the parent before it builds the next generation.
 * The counts and times are process memory: children forked afterwards inherit them. */
KV_DECLARE(void) kv_scoreboard_note_restart(kv_sb_restart_kind_t kind);

/** Restarts of @a kind since the parent started. */
KV_DECLARE(unsigned long) kv_scoreboard_restarts(kv_sb_restart_kind_t kind);

/** When the parent first created the scoreboard (server start), 0 if it has not. */
KV_DECLARE(apr_time_t) kv_scoreboard_start_time(void);

/** When the running generation began: the last restart, or the start. */
KV_DECLARE(apr_time_t) kv_scoreboard_restart_time(void);

#endif
