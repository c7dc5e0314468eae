/* The worker MPM: a parent that keeps a pool of children, each with a listener thread and
 * ThreadsPerChild worker threads, with httpd worker's directives, defaults and behaviour.
 * The parent and the directives are shared with event (../threaded.c); this is a child.
 *
 * In a child the main thread is the listener: worker threads block the signals, so a
 * graceful signal interrupts the accept of the listener, which then stops, lets the workers
 * finish what they hold, joins them and exits. */
#include <signal.h>
#include <unistd.h>

#include <apr_proc_mutex.h>
#include <apr_thread_proc.h>

#include "../accept.h"
#include "../threaded.h"
#include "fdqueue.h"
#include "kv_config.h"
#include "kv_connection.h"
#include "kv_http.h"
#include "kv_listen.h"
#include "kv_log.h"
#include "kv_module.h"
#include "kv_mpm.h"
#include "kv_mpm_common.h"
#include "kv_scoreboard.h"

#define KV_LOG_MODULE "mpm_worker"

/* How long the listener waits for a free worker before it looks whether it must stop. */
#define LISTENER_TICK apr_time_from_sec(1)

/* A process that serves: a child, or the parent itself under -X. */
typedef struct {
    kv_server_t *s;
    apr_pool_t *pchild;
    kv_acceptor_t acc;
    worker_queue_t *queue;
    apr_thread_t **threads;
    int nthreads; /* worker threads started */
    int one_process;
    int slot;   /* process slot */
    int result; /* -X: what the signal that ended serving asks for */
} server_t;

/* What a worker thread is given. */
typedef struct {
    server_t *sv;
    int sb_slot;
} worker_arg_t;

/* ---- Serving: a child, or the parent under -X ---- */

static void *APR_THREAD_FUNC worker_thread(apr_thread_t *thd, void *data)
{
    worker_arg_t *a = data;
    server_t *sv = a->sv;
    apr_socket_t *csd;
    apr_pool_t *ptrans;

    threaded_coarse_timers();
    kv_scoreboard_update(a->sb_slot, KV_SB_READY, NULL);
    while (worker_queue_pop(sv->queue, &csd, &ptrans) == APR_SUCCESS) {
        kv_sb_worker_t *w =
            kv_scoreboard_worker(sv->slot, a->sb_slot % kv_scoreboard_thread_limit());
        kv_conn_t *c;

        kv_scoreboard_update(a->sb_slot, KV_SB_READ, NULL);
        c = kv_create_connection(ptrans, sv->s, csd, a->sb_slot, a->sb_slot);
        if (c) {
            kv_process_connection(c, csd);
        }
        w->conn_count++;
        apr_pool_clear(ptrans);
        kv_scoreboard_update(a->sb_slot, kv_mpm_child_exiting() ? KV_SB_GRACEFUL : KV_SB_READY,
                             NULL);
        worker_queue_put_pool(sv->queue, ptrans);
    }
    kv_scoreboard_update(a->sb_slot, KV_SB_DEAD, NULL);
    apr_thread_exit(thd, APR_SUCCESS);
    return NULL;
}

/* Worker threads never take the process's signals: they all go to the listener, whose
 * blocked accept or poll they must interrupt. */
static apr_status_t start_workers(server_t *sv, int threads)
{
    int limit = kv_scoreboard_thread_limit();
    apr_status_t rv = worker_queue_create(&sv->queue, threads, sv->pchild);
    sigset_t old;

    for (int t = 0; t < threads && rv == APR_SUCCESS; t++) {
        apr_pool_t *ptrans;

        rv = kv_accept_create_ptrans(sv->pchild, &ptrans);
        if (rv == APR_SUCCESS) {
            worker_queue_put_pool(sv->queue, ptrans);
        }
    }
    if (rv != APR_SUCCESS) {
        return rv;
    }
    sv->threads = apr_pcalloc(sv->pchild, sizeof(*sv->threads) * (apr_size_t)threads);
    threaded_block_signals(&old);
    for (int t = 0; t < threads && rv == APR_SUCCESS; t++) {
        worker_arg_t *a = apr_palloc(sv->pchild, sizeof(*a));

        a->sv = sv;
        a->sb_slot = sv->slot * limit + t;
        rv = apr_thread_create(&sv->threads[t], NULL, worker_thread, a, sv->pchild);
        if (rv == APR_SUCCESS) {
            sv->nthreads++;
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rv;
}

/* No more connections: the workers serve what is queued and what they hold, then end. */
static void stop_workers(server_t *sv)
{
    if (!sv->queue) {
        return;
    }
    worker_queue_terminate(sv->queue);
    for (int t = 0; t < sv->nthreads; t++) {
        apr_status_t trv;

        apr_thread_join(&trv, sv->threads[t]);
    }
    sv->nthreads = 0;
}

static apr_status_t server_init(server_t *sv, apr_pool_t *pchild, kv_server_t *s, int slot,
                                int threads)
{
    apr_status_t rv;

    sv->s = s;
    sv->pchild = pchild;
    sv->slot = slot;
    sv->result = -1;
    sv->acc.s = s;
    sv->acc.one_process = sv->one_process;
    rv = kv_acceptor_init(&sv->acc, pchild);
    if (rv == APR_SUCCESS) {
        rv = start_workers(sv, threads);
    }
    if (rv != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, rv, s,
                     "KV00912: could not set up the listener and its worker threads");
    }
    return rv;
}

/* The listener: take a free worker's pool, accept into it, hand the connection over. */
static void listen_loop(server_t *sv)
{
    while (!kv_acceptor_stopping(&sv->acc, &sv->result)) {
        apr_socket_t *csd = NULL;
        apr_pool_t *ptrans;

        if (worker_queue_get_pool(sv->queue, &ptrans, LISTENER_TICK) != APR_SUCCESS) {
            continue; /* every worker busy: look at the signals again */
        }
        if (kv_acceptor_accept(&sv->acc, ptrans, &csd) != APR_SUCCESS ||
            worker_queue_push(sv->queue, csd, ptrans) != APR_SUCCESS) {
            apr_pool_clear(ptrans);
            worker_queue_put_pool(sv->queue, ptrans);
            continue;
        }
        if (!sv->one_process && kv_mpm_count_connection()) {
            return; /* MaxConnectionsPerChild: the parent starts a fresh child */
        }
    }
}

static void child_main(const threaded_child_t *ch) __attribute__((noreturn));

static void child_main(const threaded_child_t *ch)
{
    server_t sv = {0};
    apr_pool_t *pchild;

    pchild = kv_acceptor_child_start(&sv.acc, ch->pconf, ch->s, ch->mutex);
    if (server_init(&sv, pchild, ch->s, ch->slot, ch->threads) != APR_SUCCESS) {
        stop_workers(&sv);
        kv_mpm_child_exit(pchild, KV_MPM_CHILD_FATAL);
    }
    listen_loop(&sv);
    stop_workers(&sv);
    kv_mpm_child_exit(pchild, 0);
}

/* -X: serve in this process until a signal; returns what it asks for. */
static int serve_one_process(apr_pool_t *pconf, kv_server_t *s, int threads)
{
    server_t sv = {.one_process = 1};
    apr_pool_t *pchild;
    int result = KV_MPM_FAILED;

    if (kv_one_process_start(pconf, s, &pchild) == APR_SUCCESS) {
        if (server_init(&sv, pchild, s, 0, threads) == APR_SUCCESS) {
            listen_loop(&sv);
            result = sv.acc.failed ? KV_MPM_FAILED : sv.result;
        }
        stop_workers(&sv);
    }
    kv_one_process_end(pchild);
    return result;
}

/* ---- The module ---- */

static const kv_command_t worker_cmds[] = {THREADED_COMMANDS, {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

static const threaded_mpm_t worker_mpm = {
    THREADED_MPM("worker", threaded_conf_t, threaded_init_conf), 0, child_main, serve_one_process};

KV_MPM_MODULE(worker, worker_cmds, worker_mpm.mpm);
