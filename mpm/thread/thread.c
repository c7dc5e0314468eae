/* The thread MPM: a new thread for each connection, in one serving process. The thread
 * serves its connection to the end, keep-alive included, and exits with it;
 * MaxRequestWorkers bounds the threads alive at once.
 *
 * As under every kiva MPM the parent (root, re-reads the configuration) never serves: it
 * keeps one child of the running generation, replaces it when it crashes or has served
 * MaxConnectionsPerChild connections, and leaves a second process slot to the child of
 * the previous generation while that one drains after a graceful restart.
 *
 * In the child the main thread is the listener: it takes the signals (connection threads
 * block them), waits while MaxRequestWorkers threads are alive, accepts into a new
 * transaction pool and starts a thread on it. A thread that ends joins the one that ended
 * before it, so at most one ended thread waits to be joined; the listener joins the last
 * one when it needs its slot or stops. Told to finish (graceful restart or stop,
 * MaxConnectionsPerChild), the child accepts no more, lets its threads end their connections
 * (each answers with Connection: close) and exits; TERM ends it at once.
 *
 * Under -X the listener and the threads run in the parent: a stop or restart cuts the
 * connections still served, a graceful one lets them finish (within GracefulShutdownTimeout,
 * if set) before the next generation serves. */
#include <signal.h>
#include <unistd.h>

#include <apr_thread_cond.h>
#include <apr_thread_mutex.h>
#include <apr_thread_proc.h>

#include "../accept.h"
#include "../frame.h"
#include "../parent.h"
#include "../policy/thread_limits.h"
#include "../policy/warnings.h"
#include "kv_connection.h"
#include "kv_http.h"
#include "kv_log.h"
#include "kv_mpm.h"
#include "kv_mpm_common.h"
#include "kv_scoreboard.h"

#define KV_LOG_MODULE "mpm_thread"

/* How long the listener waits for a thread to end before it looks at the signals again. */
#define LISTENER_TICK apr_time_from_sec(1)
/* Pause after a thread could not be started, so that want of resources does not spin. */
#define START_FAILED_PAUSE apr_time_from_msec(100)
/* Children replaced at once in one second; the parent's maintenance starts any more. */
#define MAX_RESPAWN_RATE 4

typedef struct {
    kv_mpm_conf_t head;
    thread_limits_t set; /* as configured: KV_UNSET_INT where not given */
    thread_limits_t run; /* in force: defaults applied and brought into range */
} thread_conf_t;

/* The parent of one generation. */
typedef struct {
    apr_pool_t *pconf;
    kv_server_t *s;
    thread_limits_t *l;
    kv_mpm_respawn_t rs; /* generation, holdoff, children replaced this second */
} parent_t;

typedef struct server server_t;

/* One worker slot of the serving process, and the connection thread in it. */
typedef struct conn_thread {
    server_t *sv;
    int t;                    /* worker slot in the process */
    apr_pool_t *tpool;        /* holds the apr_thread_t; cleared once it is joined */
    apr_thread_t *thd;        /* the thread, until joined */
    apr_pool_t *ptrans;       /* the connection's pool; the thread destroys it */
    apr_socket_t *csd;        /* the connection's socket while it is served (under lock) */
    long id;                  /* connection id */
    struct conn_thread *next; /* in the free list */
} conn_thread_t;

/* A process that serves: the child, or the parent itself under -X. */
struct server {
    kv_server_t *s;
    apr_pool_t *pchild;
    apr_pool_t *pconns; /* parent of the transaction and thread pools, with a locked
                         * allocator: threads destroy their pools while the listener
                         * creates others */
    kv_acceptor_t acc;
    apr_thread_mutex_t *lock;
    apr_thread_cond_t *changed; /* a thread ended, or a slot came free */
    conn_thread_t *slots;       /* nslots worker slots */
    conn_thread_t *free;        /* slots with no thread */
    conn_thread_t *ended;       /* the last thread that ended, not yet joined */
    int nslots;
    int live;        /* threads serving a connection */
    int max_live;    /* MaxRequestWorkers */
    int reported;    /* the MaxRequestWorkers message was logged */
    long next_id;    /* connections accepted */
    int one_process; /* -X */
    int slot;        /* process slot */
    int result;      /* -X: what the signal that ended serving asks for */
};

/* ---- Connection threads ---- */

static void push_free(server_t *sv, conn_thread_t *ct)
{
    ct->next = sv->free;
    sv->free = ct;
}

/* Join the thread of @a ct, which has ended or is about to, and free its slot. */
static void release_slot(server_t *sv, conn_thread_t *ct)
{
    apr_status_t trv;

    apr_thread_join(&trv, ct->thd);
    ct->thd = NULL;
    apr_pool_clear(ct->tpool);
    apr_thread_mutex_lock(sv->lock);
    push_free(sv, ct);
    apr_thread_cond_broadcast(sv->changed);
    apr_thread_mutex_unlock(sv->lock);
}

/* The listener: join the thread that ended last, if any. */
static void reap_ended(server_t *sv)
{
    conn_thread_t *ct;

    apr_thread_mutex_lock(sv->lock);
    ct = sv->ended;
    sv->ended = NULL;
    apr_thread_mutex_unlock(sv->lock);
    if (ct) {
        release_slot(sv, ct);
    }
}

/* The end of a connection thread: it becomes the one that ended last, and joins the one
 * that was (a thread cannot join itself, and this keeps at most one ended thread). */
static void thread_ended(server_t *sv, conn_thread_t *ct)
{
    conn_thread_t *before;

    apr_thread_mutex_lock(sv->lock);
    before = sv->ended;
    sv->ended = ct;
    sv->live--;
    apr_thread_cond_broadcast(sv->changed);
    apr_thread_mutex_unlock(sv->lock);
    if (before) {
        release_slot(sv, before);
    }
}

static void *APR_THREAD_FUNC connection_thread(apr_thread_t *thd, void *data)
{
    conn_thread_t *ct = data;
    server_t *sv = ct->sv;
    int sb_slot = sv->slot * kv_scoreboard_thread_limit() + ct->t;
    kv_sb_worker_t *w = kv_scoreboard_worker(sv->slot, ct->t);
    kv_conn_t *c;

    (void)thd;
    w->generation = kv_scoreboard_process(sv->slot)->generation;
    kv_scoreboard_update(sb_slot, KV_SB_READ, NULL);
    c = kv_create_connection(ct->ptrans, sv->s, ct->csd, ct->id, sb_slot);
    if (c) {
        kv_process_connection(c, ct->csd);
    }
    w->conn_count++;
    kv_scoreboard_update(sb_slot, KV_SB_DEAD, NULL);
    apr_thread_mutex_lock(sv->lock);
    ct->csd = NULL;
    apr_thread_mutex_unlock(sv->lock);
    apr_pool_destroy(ct->ptrans);
    ct->ptrans = NULL;
    thread_ended(sv, ct);
    return NULL; /* not apr_thread_exit: the listener or the next thread to end joins it */
}

/* Start the thread that serves @a ct's connection, with every signal blocked: they all go
 * to the listener, whose blocked accept or poll they must interrupt. */
static apr_status_t start_thread(server_t *sv, conn_thread_t *ct)
{
    sigset_t all, old;
    apr_status_t rv;

    if (!ct->tpool) {
        rv = apr_pool_create(&ct->tpool, sv->pconns);
        if (rv != APR_SUCCESS) {
            return rv;
        }
        apr_pool_tag(ct->tpool, "thread");
    }
    apr_thread_mutex_lock(sv->lock);
    sv->live++;
    apr_thread_mutex_unlock(sv->lock);
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    rv = apr_thread_create(&ct->thd, NULL, connection_thread, ct, ct->tpool);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rv != APR_SUCCESS) {
        apr_thread_mutex_lock(sv->lock);
        sv->live--;
        apr_thread_mutex_unlock(sv->lock);
        ct->thd = NULL;
        apr_pool_clear(ct->tpool);
    }
    return rv;
}

/* A free slot once fewer than MaxRequestWorkers threads are alive; NULL after one tick
 * without (the caller looks at the signals, then asks again). */
static conn_thread_t *take_slot(server_t *sv)
{
    conn_thread_t *ct = NULL;

    reap_ended(sv);
    apr_thread_mutex_lock(sv->lock);
    if (sv->live >= sv->max_live || !sv->free) {
        if (sv->live >= sv->max_live) {
            kv_mpm_report_max_workers(sv->s, &sv->reported); /* once a process */
        }
        apr_thread_cond_timedwait(sv->changed, sv->lock, LISTENER_TICK);
    }
    if (sv->live < sv->max_live && sv->free) {
        ct = sv->free;
        sv->free = ct->next;
    }
    apr_thread_mutex_unlock(sv->lock);
    return ct;
}

static void give_back_slot(server_t *sv, conn_thread_t *ct)
{
    apr_thread_mutex_lock(sv->lock);
    push_free(sv, ct);
    apr_thread_mutex_unlock(sv->lock);
}

/* Accept one connection into a new transaction pool of @a ct and start its thread; non-zero
 * if a connection was taken. */
static int accept_one(server_t *sv, conn_thread_t *ct)
{
    int taken = 0;
    apr_socket_t *csd = NULL;
    apr_status_t rv = kv_accept_create_ptrans(sv->pconns, &ct->ptrans);

    if (rv != APR_SUCCESS) {
        kv_acceptor_failed(&sv->acc, rv, NULL);
    } else if (kv_acceptor_accept(&sv->acc, ct->ptrans, &csd) == APR_SUCCESS) {
        taken = 1;
        ct->csd = csd;
        ct->id = ((long)sv->slot << 32) | sv->next_id++;
        rv = start_thread(sv, ct);
        if (rv == APR_SUCCESS) {
            return taken;
        }
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, rv, sv->s,
                     "KV01078: could not start a thread for a connection; closing it");
        ct->csd = NULL;
        apr_sleep(START_FAILED_PAUSE);
    }
    if (ct->ptrans) {
        apr_pool_destroy(ct->ptrans); /* closes the socket, if one was accepted */
        ct->ptrans = NULL;
    }
    give_back_slot(sv, ct);
    return taken;
}

/* Close both directions of every connection served, so that their threads end soon
 * (-X: a stop, or a drain that took too long). */
static void cut_connections(server_t *sv)
{
    apr_thread_mutex_lock(sv->lock);
    for (int t = 0; t < sv->nslots; t++) {
        if (sv->slots[t].csd) {
            apr_socket_shutdown(sv->slots[t].csd, APR_SHUTDOWN_READWRITE);
        }
    }
    apr_thread_mutex_unlock(sv->lock);
}

static int threads_alive(server_t *sv)
{
    int live;

    apr_thread_mutex_lock(sv->lock);
    live = sv->live;
    apr_thread_mutex_unlock(sv->lock);
    return live;
}

/* -X: a signal while the threads finish; a stop or a restart cuts their connections. */
static int drain_interrupted(server_t *sv)
{
    int now = sv->one_process ? kv_mpm_take_signal() : -1;

    if (now == KV_MPM_STOP) {
        sv->result = KV_MPM_STOP;
    }
    return now == KV_MPM_STOP || now == KV_MPM_RESTART;
}

/* Wait until every connection thread has ended, and join them. Their connections are cut
 * once @a cut_at passes (0: never) or on a stop or restart under -X. */
static void finish_threads(server_t *sv, apr_time_t cut_at)
{
    int cut = 0;

    while (threads_alive(sv) > 0) {
        if (!cut && ((cut_at && apr_time_now() >= cut_at) || drain_interrupted(sv))) {
            cut_connections(sv);
            cut = 1;
        }
        apr_thread_mutex_lock(sv->lock);
        if (sv->live > 0) {
            apr_thread_cond_timedwait(sv->changed, sv->lock, LISTENER_TICK);
        }
        apr_thread_mutex_unlock(sv->lock);
    }
    reap_ended(sv);
}

/* -X: when a drain that @a result asks for cuts the connections still served. */
static apr_time_t cut_time(int result)
{
    apr_interval_time_t timeout = kv_mpm_graceful_shutdown_timeout();

    if (result != KV_MPM_GRACEFUL && result != KV_MPM_GRACEFUL_STOP) {
        return apr_time_now();
    }
    return timeout > 0 ? apr_time_now() + timeout : 0;
}

/* ---- Serving: the child, or the parent under -X ---- */

/* A locked allocator under the transaction pools: they are made by the listener and
 * destroyed by their threads at the same time. */
static apr_status_t create_conns_parent(server_t *sv)
{
    apr_thread_mutex_t *mutex;
    apr_status_t rv = kv_accept_create_ptrans(sv->pchild, &sv->pconns);

    if (rv == APR_SUCCESS) {
        apr_pool_tag(sv->pconns, "connections");
        rv = apr_thread_mutex_create(&mutex, APR_THREAD_MUTEX_DEFAULT, sv->pconns);
    }
    if (rv == APR_SUCCESS) {
        apr_allocator_mutex_set(apr_pool_allocator_get(sv->pconns), mutex);
    }
    return rv;
}

static apr_status_t server_init(server_t *sv, apr_pool_t *pchild, kv_server_t *s, int slot,
                                const thread_limits_t *l)
{
    apr_status_t rv;

    sv->s = s;
    sv->pchild = pchild;
    sv->slot = slot;
    sv->result = -1;
    sv->max_live = l->max_workers;
    sv->nslots = kv_scoreboard_thread_limit();
    sv->acc.s = s;
    sv->acc.one_process = sv->one_process;
    sv->slots = apr_pcalloc(pchild, sizeof(*sv->slots) * (apr_size_t)sv->nslots);
    for (int t = sv->nslots - 1; t >= 0; t--) {
        sv->slots[t].sv = sv;
        sv->slots[t].t = t;
        push_free(sv, &sv->slots[t]);
    }
    rv = apr_thread_mutex_create(&sv->lock, APR_THREAD_MUTEX_DEFAULT, pchild);
    if (rv == APR_SUCCESS) {
        rv = apr_thread_cond_create(&sv->changed, pchild);
    }
    if (rv == APR_SUCCESS) {
        rv = create_conns_parent(sv);
    }
    if (rv == APR_SUCCESS) {
        rv = kv_acceptor_init(&sv->acc, pchild);
    }
    if (rv != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, rv, s, "KV01077: could not set up the listener");
    }
    return rv;
}

/* The listener: a free slot, then a connection and a thread for it. */
static void listen_loop(server_t *sv)
{
    while (!kv_acceptor_stopping(&sv->acc, &sv->result)) {
        conn_thread_t *ct = take_slot(sv);

        if (!ct) {
            continue;
        }
        if (accept_one(sv, ct) && !sv->one_process && kv_mpm_count_connection()) {
            kv_mpm_child_finish(); /* MaxConnectionsPerChild: threads close their connections */
            return;
        }
    }
}

static void child_main(parent_t *pp, int slot) __attribute__((noreturn));

static void child_main(parent_t *pp, int slot)
{
    server_t sv = {0};
    apr_pool_t *pchild;

    pchild = kv_acceptor_child_start(&sv.acc, pp->pconf, pp->s, NULL);
    if (server_init(&sv, pchild, pp->s, slot, pp->l) != APR_SUCCESS) {
        kv_mpm_child_exit(pchild, KV_MPM_CHILD_FATAL);
    }
    listen_loop(&sv);
    /* The parent stops a drain that outlives GracefulShutdownTimeout. */
    finish_threads(&sv, 0);
    kv_mpm_child_exit(pchild, 0);
}

/* -X: serve in this process until a signal; returns what it asks for. */
static int serve_one_process(apr_pool_t *pconf, kv_server_t *s, const thread_limits_t *l)
{
    server_t sv = {.one_process = 1};
    apr_pool_t *pchild;
    int result = KV_MPM_FAILED;

    if (kv_one_process_start(pconf, s, &pchild) == APR_SUCCESS &&
        server_init(&sv, pchild, s, 0, l) == APR_SUCCESS) {
        listen_loop(&sv);
        finish_threads(&sv, cut_time(sv.result)); /* a stop meanwhile sets sv.result */
        result = sv.acc.failed ? KV_MPM_FAILED : sv.result;
    }
    kv_one_process_end(pchild);
    return result;
}

/* ---- The parent ---- */

static apr_status_t make_child(parent_t *pp, int slot)
{
    kv_sb_process_t *proc = kv_scoreboard_process(slot);
    apr_proc_t child;
    apr_status_t rv;

    proc->pid = 0;
    proc->generation = pp->rs.generation;
    proc->quiescing = 0;
    proc->conns_total = proc->conns_keepalive = proc->conns_writing = proc->conns_closing = 0;
    for (int t = 0; t < kv_scoreboard_thread_limit(); t++) {
        kv_scoreboard_retire_worker(slot, t);
        kv_scoreboard_worker(slot, t)->generation = pp->rs.generation;
    }
    rv = kv_mpm_fork(&child, pp->pconf);
    if (rv == APR_INCHILD) {
        child_main(pp, slot);
    }
    if (rv != APR_INPARENT) {
        kv_mpm_fork_failed(pp->s, rv, &pp->rs);
        return rv;
    }
    proc->pid = child.pid;
    return APR_SUCCESS;
}

/* The running generation has its one child, or one starts in a free process slot. */
static void keep_child(parent_t *pp)
{
    if (kv_mpm_holding_off(&pp->rs) || kv_mpm_room_for_children(pp->rs.generation, 1) <= 0) {
        return;
    }
    for (int slot = 0; slot < kv_scoreboard_server_limit(); slot++) {
        if (kv_scoreboard_process(slot)->pid == 0) {
            make_child(pp, slot);
            return;
        }
    }
}

/* A child that died unasked is replaced at once (see kv_mpm_respawn_wanted). */
static void on_reaped(void *baton, int slot, const kv_sb_process_t *was, apr_exit_why_e why,
                      int code)
{
    parent_t *pp = baton;
    int limit =
        kv_mpm_room_for_children(pp->rs.generation, 1) > 0 ? kv_scoreboard_server_limit() : 0;

    if (kv_mpm_respawn_wanted(&pp->rs, slot, was, why, code, limit, MAX_RESPAWN_RATE)) {
        make_child(pp, slot);
    }
}

/* Once a second: a child if there is none (a slot came free, a holdoff ended). */
static void maintain(void *baton)
{
    parent_t *pp = baton;

    keep_child(pp);
    pp->rs.respawned = 0;
}

static int thread_parent(apr_pool_t *pconf, kv_server_t *s, void *conf)
{
    parent_t pp = {0};

    pp.pconf = pconf;
    pp.s = s;
    pp.l = &((thread_conf_t *)conf)->run;
    pp.rs.generation = kv_my_generation;
    keep_child(&pp);
    return kv_mpm_parent_loop(s, maintain, on_reaped, &pp);
}

static int thread_one_process(apr_pool_t *pconf, kv_server_t *s, void *conf)
{
    return serve_one_process(pconf, s, &((thread_conf_t *)conf)->run);
}

/* ---- The module ---- */

static void thread_init_conf(void *conf)
{
    thread_conf_t *c = conf;

    c->set.max_workers = KV_UNSET_INT;
    c->set.thread_limit = KV_UNSET_INT;
}

static void thread_defaults(void *conf)
{
    thread_conf_t *c = conf;

    c->run = thread_limits_default(&c->set);
}

static void thread_fix_limits(void *conf, kv_server_t *s)
{
    thread_conf_t *c = conf;
    thread_limits_t was = c->run;

    thread_warn_fixes(KV_LOG_MODULE, s, &was, &c->run, thread_limits_fix(&c->run));
}

static void thread_caps(const void *conf, kv_mpm_caps_t *caps)
{
    const thread_conf_t *c = conf;

    caps->threaded = 1;
    caps->forked = 1;
    caps->max_daemons = 1;
    caps->max_threads = c->run.max_workers;
    caps->max_workers = c->run.max_workers;
}

#define THREAD_INT(name, field, help) KV_MPM_INT(name, thread_conf_t, set.field, help)

static const kv_command_t thread_cmds[] = {
    THREAD_INT("MaxRequestWorkers", max_workers,
               "MaxRequestWorkers N: most connections served at once, a thread each"),
    THREAD_INT("MaxClients", max_workers, "MaxClients N: old name of MaxRequestWorkers"),
    THREAD_INT("ThreadLimit", thread_limit,
               "ThreadLimit N: upper bound of MaxRequestWorkers for the life of the server"),
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

/* The scoreboard keeps the first generation's ThreadLimit for the life of the parent, and a
 * process slot for the child of the previous generation while it drains. */
static const kv_mpm_t thread_mpm = {
    .name = "thread",
    .conf_size = sizeof(thread_conf_t),
    .thread_limit_at = offsetof(thread_conf_t, run.thread_limit),
    .init_conf = thread_init_conf,
    .apply_defaults = thread_defaults,
    .fix_limits = thread_fix_limits,
    .caps = thread_caps,
    .parent = thread_parent,
    .one_process = thread_one_process,
};

KV_MPM_MODULE(thread, thread_cmds, thread_mpm);
