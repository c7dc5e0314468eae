/* The single MPM: the sequential server. One process serves one connection at a time: it
 * accepts, serves the connection to its end (every request on it, keep-alive included),
 * closes it and accepts again. No threads, no spare processes, no queue: the baseline with
 * the least machinery, against which the concurrent models are measured.
 *
 * As under every kiva MPM the parent stays root, never serves and never dies because of a
 * child: it re-reads the configuration and reopens logs on restarts, and keeps exactly one
 * serving child of the running generation, replacing it when it crashes or has served
 * MaxConnectionsPerChild connections. After a graceful restart the old child finishes its
 * connection (its responses then say Connection: close) while the new one already serves,
 * so the scoreboard has room for two processes. -X serves in the foreground process. */
#include <unistd.h>

#include <apr_thread_proc.h>

#include "kv_config.h"
#include "kv_connection.h"
#include "kv_http.h"
#include "kv_listen.h"
#include "kv_log.h"
#include "kv_module.h"
#include "kv_mpm.h"
#include "kv_mpm_common.h"
#include "kv_scoreboard.h"
#include "../accept.h"
#include "../parent.h"

#define KV_LOG_MODULE "mpm_single"

/* Serving processes of one generation. */
#define SERVING_CHILDREN 1
/* Most children replaced within a second: a child that crashes on every connection must
 * not make the parent spin, yet MaxConnectionsPerChild 1 must not wait a second each. */
#define MAX_RESPAWN_RATE 32

/* The parent of one generation. */
typedef struct {
    apr_pool_t *pconf;
    kv_server_t *s;
    kv_mpm_respawn_t rs; /* generation, holdoff, children replaced this second */
} parent_t;

/* The process that serves: the child, or the parent itself under -X. */
typedef struct {
    kv_server_t *s;
    apr_pool_t *ptrans; /* the connection's pool, cleared after each */
    kv_acceptor_t acc;
    int slot;   /* process slot; its one worker is worker 0 */
    int result; /* -X: what the signal that ended serving asks for, else -1 */
} server_t;

/* ---- Serving ---- */

static int sb_slot_of(const server_t *sv)
{
    return sv->slot * kv_scoreboard_thread_limit();
}

/* Ready @a sv to serve in process slot @a slot; the caller has set acc.one_process. */
static apr_status_t server_init(server_t *sv, apr_pool_t *pchild, kv_server_t *s, int slot)
{
    apr_status_t rv;

    sv->s = s;
    sv->slot = slot;
    sv->result = -1;
    sv->acc.s = s;
    rv = kv_accept_create_ptrans(pchild, &sv->ptrans);
    if (rv == APR_SUCCESS) {
        rv = kv_acceptor_init(&sv->acc, pchild);
    }
    if (rv != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, rv, s, "KV01030: could not set up the accept loop");
    }
    return rv;
}

/* A child stops when the parent tells it to (its listeners are gone then); under -X the
 * process stops on any signal of the parent's kind, and remembers it. */
static int time_to_stop(server_t *sv)
{
    if (sv->acc.failed) {
        return 1;
    }
    if (!sv->acc.one_process) {
        return kv_mpm_child_exiting();
    }
    sv->result = kv_mpm_take_signal();
    return sv->result >= 0;
}

/* Serve one accepted connection to its end, then free everything it used. */
static void serve_connection(server_t *sv, apr_socket_t *csd)
{
    kv_conn_t *c;

    kv_scoreboard_update(sb_slot_of(sv), KV_SB_READ, NULL);
    c = kv_create_connection(sv->ptrans, sv->s, csd, sv->slot, sb_slot_of(sv));
    if (c) {
        kv_process_connection(c, csd);
    }
    kv_scoreboard_worker(sv->slot, 0)->conn_count++;
    apr_pool_clear(sv->ptrans);
}

/* Accept, serve, close, again: until told to stop, or (a child) MaxConnectionsPerChild. */
static void serve_sequentially(server_t *sv)
{
    while (!time_to_stop(sv)) {
        apr_socket_t *csd = NULL;

        kv_scoreboard_update(sb_slot_of(sv), KV_SB_READY, NULL);
        if (kv_acceptor_accept(&sv->acc, sv->ptrans, &csd) == APR_SUCCESS) {
            serve_connection(sv, csd);
            if (!sv->acc.one_process && kv_mpm_count_connection()) {
                return;
            }
        }
    }
}

static void child_main(parent_t *pp, int slot) __attribute__((noreturn));

static void child_main(parent_t *pp, int slot)
{
    server_t sv = {0};
    apr_pool_t *pchild = kv_acceptor_child_start(&sv.acc, pp->pconf, pp->s, NULL);

    if (server_init(&sv, pchild, pp->s, slot) != APR_SUCCESS) {
        kv_mpm_child_exit(pchild, KV_MPM_CHILD_FATAL);
    }
    serve_sequentially(&sv);
    kv_mpm_child_exit(pchild, 0);
}

/* -X: serve in this process, as process slot 0, until a signal; returns what it asks for. */
static int serve_in_foreground(apr_pool_t *pconf, kv_server_t *s)
{
    kv_sb_process_t *proc = kv_scoreboard_process(0);
    server_t sv = {.acc.one_process = 1};
    apr_pool_t *pchild;
    int result = KV_MPM_FAILED;

    proc->pid = getpid();
    proc->generation = kv_my_generation;
    apr_pool_create(&pchild, pconf);
    apr_pool_tag(pchild, "pchild");
    if (kv_mpm_change_identity(s) == APR_SUCCESS) {
        kv_run_child_init(pchild, s);
        if (server_init(&sv, pchild, s, 0) == APR_SUCCESS) {
            serve_sequentially(&sv);
            result = sv.acc.failed ? KV_MPM_FAILED : sv.result;
        }
    }
    proc->pid = 0;
    kv_scoreboard_update(sb_slot_of(&sv), KV_SB_DEAD, NULL);
    apr_pool_destroy(pchild);
    return result;
}

/* ---- The parent ---- */

/* Fork the serving child of the running generation into process slot @a slot. */
static apr_status_t make_child(parent_t *pp, int slot)
{
    kv_sb_process_t *proc = kv_scoreboard_process(slot);
    apr_proc_t child;
    apr_status_t rv;

    proc->pid = 0;
    proc->generation = pp->rs.generation;
    proc->quiescing = 0;
    kv_scoreboard_retire_worker(slot, 0);
    kv_scoreboard_worker(slot, 0)->generation = pp->rs.generation;
    kv_scoreboard_update(slot * kv_scoreboard_thread_limit(), KV_SB_STARTING, NULL);
    rv = kv_mpm_fork(&child, pp->pconf);
    if (rv == APR_INCHILD) {
        child_main(pp, slot);
    }
    if (rv != APR_INPARENT) {
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, rv, pp->s,
                     "KV01031: could not fork the serving child; trying again in %d seconds",
                     (int)apr_time_sec(KV_MPM_HOLDOFF));
        kv_scoreboard_update(slot * kv_scoreboard_thread_limit(), KV_SB_DEAD, NULL);
        kv_mpm_hold_off(&pp->rs);
        return rv;
    }
    proc->pid = child.pid;
    return APR_SUCCESS;
}

/* The first free process slot, or -1: a free one can be missing only while children of
 * earlier generations still finish their connections. */
static int free_slot(void)
{
    int limit = kv_scoreboard_server_limit();

    for (int slot = 0; slot < limit; slot++) {
        if (kv_scoreboard_process(slot)->pid == 0) {
            return slot;
        }
    }
    return -1;
}

static int child_missing(const parent_t *pp)
{
    return kv_mpm_room_for_children(pp->rs.generation, SERVING_CHILDREN) > 0;
}

/* Start the serving child if the running generation has none and a slot is free. */
static void ensure_child(parent_t *pp)
{
    int slot = free_slot();

    if (child_missing(pp) && slot >= 0 && !kv_mpm_holding_off(&pp->rs)) {
        make_child(pp, slot);
    }
}

/* The child that died unasked (it crashed, or served MaxConnectionsPerChild connections) is
 * replaced at once, within MAX_RESPAWN_RATE (see kv_mpm_respawn_wanted). */
static void on_reaped(void *baton, int slot, const kv_sb_process_t *was, apr_exit_why_e why,
                      int code)
{
    parent_t *pp = baton;
    int slot_limit = child_missing(pp) ? kv_scoreboard_server_limit() : 0;

    if (kv_mpm_respawn_wanted(&pp->rs, slot, was, why, code, slot_limit, MAX_RESPAWN_RATE)) {
        make_child(pp, slot);
    }
}

/* Once a second: start the child that could not be started or replaced before (a holdoff,
 * the respawn rate, slots still held by draining children). */
static void maintain(void *baton)
{
    parent_t *pp = baton;

    ensure_child(pp);
    pp->rs.respawned = 0;
}

/* Room for the serving child and one old child that finishes after a graceful restart. */
static apr_status_t setup_scoreboard(kv_server_t *s)
{
    apr_status_t rv = kv_scoreboard_create_for(
        kv_pglobal, "single", SERVING_CHILDREN * KV_MPM_DRAIN_HEADROOM, 1);

    if (rv != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, rv, s, "KV01032: could not create the scoreboard");
    }
    return rv;
}

static int single_run(apr_pool_t *pconf, apr_pool_t *plog, kv_server_t *s)
{
    parent_t pp = {.pconf = pconf, .s = s, .rs.generation = kv_my_generation};

    (void)plog;
    if (kv_mpm_parent_prepare(s) != APR_SUCCESS || setup_scoreboard(s) != APR_SUCCESS) {
        return KV_MPM_FAILED;
    }
    if (kv_mpm_one_process) {
        return serve_in_foreground(pconf, s);
    }
    /* No accept mutex: only one process of a generation accepts, and a draining old child
     * has given its listeners up. */
    ensure_child(&pp);
    return kv_mpm_parent_loop(s, maintain, on_reaped, &pp);
}

/* ---- Hooks and the module record ---- */

static int single_query(int query, int *result)
{
    switch (query) {
    case KV_MPMQ_IS_THREADED:
    case KV_MPMQ_IS_ASYNC:
        *result = 0;
        return KV_OK;
    case KV_MPMQ_IS_FORKED:
        *result = 1;
        return KV_OK;
    case KV_MPMQ_MAX_DAEMONS:
    case KV_MPMQ_MAX_THREADS:
    case KV_MPMQ_MAX_WORKERS:
        *result = SERVING_CHILDREN;
        return KV_OK;
    default:
        return KV_DECLINED;
    }
}

static const char *single_get_name(void)
{
    return "single";
}

static void single_register_hooks(apr_pool_t *p)
{
    (void)p;
    kv_hook_mpm(single_run, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_mpm_query(single_query, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_mpm_get_name(single_get_name, NULL, NULL, KV_HOOK_MIDDLE);
}

kv_module_t mpm_single_module = {
    KV_MODULE_HEADER("mpm_single"),
    .register_hooks = single_register_hooks,
};
