/* The event MPM: worker's processes and threads (the parent and the directives are shared,
 * ../threaded.c), but a connection that waits (for its next request, for a slow client to
 * take the end of a response, in a lingering close) waits in the listener thread's epoll
 * pollset instead of holding a worker thread, so a few threads hold many connections.
 *
 * The listener thread (the child's main thread, which takes the signals) polls the
 * listening sockets and the waiting connections. A connection that becomes ready is given to
 * a worker thread's hot set (see "Hot sets"): the worker runs steps of it (kv_conn_step)
 * while it is busy, then hands it back to the listener's pollset with the timeout its state
 * has (KeepAliveTimeout, Timeout, the lingering close), kept in FIFO timeout lists
 * (timerq.c). A connection is always owned by exactly one side: the listener's pollset and
 * its timeout entry, or one worker's hot set (or, when every hot set is full, the overflow
 * queue). Lingering connections are drained by the listener itself.
 *
 * A child accepts only while it has an idle worker and fewer connections (not counting
 * lingering ones) than ThreadsPerChild + idle workers x AsyncRequestWorkerFactor, as httpd's
 * event does, so that a child whose workers are all busy leaves new connections to others.
 * Told to finish, it stops accepting, lets its connections complete (see begin_exit) and
 * exits. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#include <apr_atomic.h>
#include <apr_poll.h>
#include <apr_portable.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <apr_thread_proc.h>

#include "../accept.h"
#include "../threaded.h"
#include "kv_config.h"
#include "kv_connection.h"
#include "kv_http.h"
#include "kv_listen.h"
#include "kv_log.h"
#include "kv_module.h"
#include "kv_mpm.h"
#include "kv_mpm_common.h"
#include "kv_scoreboard.h"
#include "event.h"

#define KV_LOG_MODULE "mpm_event"

/* AsyncRequestWorkerFactor is a real number; kept scaled by this, as httpd does. */
#define FACTOR_SCALE 16
#define DEFAULT_FACTOR (2 * FACTOR_SCALE)
/* Events taken from the pollset at once. */
#define POLL_RESULTS 512
/* Free memory the connections' allocator keeps for new connections. */
#define CONNS_MAX_FREE (2 * 1024 * 1024)
/* Leaving new connections to a lower child: how long before looking again (doubled, up to
 * the most, while it keeps accepting), and how long it may accept nothing before this child
 * accepts them itself. */
#define DEFER_STEP apr_time_from_msec(1)
#define DEFER_STEP_MAX apr_time_from_msec(16)
#define DEFER_PATIENCE apr_time_from_msec(5)

extern kv_module_t mpm_event_module;

typedef struct {
    threaded_conf_t t; /* first: the shared code sees this */
    int factor;        /* AsyncRequestWorkerFactor x FACTOR_SCALE */
} event_conf_t;

/* ---- Configuration ---- */

static void event_init_conf(void *conf)
{
    threaded_init_conf(conf);
    ((event_conf_t *)conf)->factor = KV_UNSET_INT;
}

static const char *set_async_factor(kv_cmd_parms_t *cmd, void *dconf, int argc,
                                    const char *const argv[])
{
    event_conf_t *conf = kv_get_module_config(cmd->server->module_config, &mpm_event_module);
    char *end;
    double val;

    (void)dconf;
    (void)argc;
    val = strtod(argv[0], &end);
    if (end == argv[0] || *end) {
        return apr_psprintf(cmd->pool, "AsyncRequestWorkerFactor: '%s' is not a number",
                            argv[0]);
    }
    if (!(val > 0) || val > 1000000) {
        return "AsyncRequestWorkerFactor must be a positive number (at most 1000000)";
    }
    conf->factor = (int)(val * FACTOR_SCALE);
    return NULL;
}

static int factor_of(const event_conf_t *conf)
{
    return conf && conf->factor != KV_UNSET_INT ? conf->factor : DEFAULT_FACTOR;
}

static const kv_command_t event_cmds[] = {
    THREADED_COMMANDS,
    {"AsyncRequestWorkerFactor", set_async_factor, NULL, 1, 1, KV_CTX_MAIN, KV_CMD_SERVER_CONF,
     "AsyncRequestWorkerFactor N: connections a child takes per idle worker beyond "
     "ThreadsPerChild"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

/* ---- Accepting ---- */

/* httpd's rule: accept while a worker is idle and the connections that may need one stay
 * below ThreadsPerChild + idle workers x AsyncRequestWorkerFactor. A worker is idle when its
 * hot set is empty. */
static int may_accept(event_child_t *ev)
{
    int idle = event_idle_workers(ev), busy;

    if (idle <= 0) {
        return 0;
    }
    busy = (int)(apr_atomic_read32(&ev->connections) - apr_atomic_read32(&ev->lingering));
    return (apr_int64_t)busy * FACTOR_SCALE <
           (apr_int64_t)ev->threads_per_child * FACTOR_SCALE + (apr_int64_t)idle * ev->factor;
}

/* Only a wake-up that lets the listener go on is worth its pipe write and its poll: every
 * connection ending and every worker going idle calls here. A listener stopped for want of
 * room may accept again; an exiting one may end once the last connection has. */
void event_room_made(event_child_t *ev)
{
    if (apr_atomic_read32(&ev->exiting) ? apr_atomic_read32(&ev->connections) == 0
                                        : apr_atomic_read32(&ev->at_limit) && may_accept(ev)) {
        apr_pollset_wakeup(ev->pollset);
    }
}

/* ---- Connections waiting in the pollset ---- */

static event_conn_t *conn_of_timer(timerq_entry_t *e)
{
    return (event_conn_t *)(void *)((char *)e - offsetof(event_conn_t, timer));
}

/* A connection is finished: its socket is closed; free it. */
static void conn_done(event_child_t *ev, event_conn_t *ec)
{
    if (ec->c) {
        kv_conn_close(ec->c);
    }
    if (ec->lingering) {
        apr_atomic_dec32(&ev->lingering);
    }
    apr_atomic_dec32(&ev->connections);
    apr_pool_destroy(ec->p);
    event_room_made(ev);
}

/* Hand @a ec to the listener until its socket is ready for @a events, at most @a timeout. */
static void wait_for(event_child_t *ev, event_conn_t *ec, wait_kind_t kind, apr_int16_t events,
                     apr_interval_time_t timeout)
{
    apr_time_t now = apr_time_now();
    apr_status_t rv;
    int wake;

    ec->pfd.reqevents = events;
    apr_thread_mutex_lock(ev->timers_lock);
    timerq_add(ev->timers, &ec->timer, timeout, now);
    rv = apr_pollset_add(ev->pollset, &ec->pfd);
    if (rv != APR_SUCCESS) {
        timerq_remove(ev->timers, &ec->timer);
    } else {
        ec->waits_as = kind;
        ev->waiting[kind]++;
    }
    wake = rv == APR_SUCCESS && now + timeout < ev->poll_until;
    apr_thread_mutex_unlock(ev->timers_lock);
    if (rv != APR_SUCCESS) {
        kv_log_cerror(KV_LOG_MARK, KV_LOG_ERR, rv, ec->c,
                      "KV01020: could not wait for the connection in the pollset; closing it");
        conn_done(ev, ec);
        return;
    }
    if (wake) {
        apr_pollset_wakeup(ev->pollset); /* its timeout comes before the listener wakes */
    }
}

/* After a step: wait for what the connection's state needs, or free it. */
void event_after_step(event_child_t *ev, event_conn_t *ec, kv_conn_state_t state)
{
    switch (state) {
    case KV_CONN_STATE_NEW:
        /* Its client has sent nothing yet: a first step reads without waiting, and leaves
         * it to wait for its request head as a head's wait is bounded (kv_conn_wait_timeout). */
        event_after_step(ev, ec, kv_conn_step(ec->c));
        return;
    case KV_CONN_STATE_READ_REQUEST:
        kv_conn_release_idle(ec->c);
        wait_for(ev, ec, WAIT_KEEPALIVE, kv_conn_poll_events(ec->c), kv_conn_wait_timeout(ec->c));
        return;
    case KV_CONN_STATE_WRITE_COMPLETION:
        wait_for(ev, ec, WAIT_WRITING, kv_conn_poll_events(ec->c), kv_conn_wait_timeout(ec->c));
        return;
    case KV_CONN_STATE_LINGER:
        if (!ec->lingering) {
            ec->lingering = 1;
            apr_atomic_inc32(&ev->lingering);
        }
        wait_for(ev, ec, WAIT_CLOSING, kv_conn_poll_events(ec->c), kv_conn_wait_timeout(ec->c));
        return;
    default:
        conn_done(ev, ec);
        return;
    }
}

/* Take @a ec out of the pollset (the caller holds timers_lock). */
static void stop_waiting(event_child_t *ev, event_conn_t *ec)
{
    apr_pollset_remove(ev->pollset, &ec->pfd);
    ev->waiting[ec->waits_as]--;
}

/* Take @a ec out of the pollset and its timeout list (the listener owns it then). */
static void unwait(event_child_t *ev, event_conn_t *ec)
{
    apr_thread_mutex_lock(ev->timers_lock);
    timerq_remove(ev->timers, &ec->timer);
    stop_waiting(ev, ec);
    apr_thread_mutex_unlock(ev->timers_lock);
}

/* A lingering connection stays in the pollset between its steps; a transport layer may
 * change the direction it waits for. */
static void rewait(event_child_t *ev, event_conn_t *ec)
{
    apr_int16_t events = kv_conn_poll_events(ec->c);

    if (events != ec->pfd.reqevents) {
        apr_thread_mutex_lock(ev->timers_lock);
        apr_pollset_remove(ev->pollset, &ec->pfd);
        ec->pfd.reqevents = events;
        apr_pollset_add(ev->pollset, &ec->pfd);
        apr_thread_mutex_unlock(ev->timers_lock);
    }
}

/* The pollset says @a ec is ready: a lingering close is drained here, the rest is work. */
static void conn_ready(event_child_t *ev, event_conn_t *ec)
{
    if (ec->c->state == KV_CONN_STATE_LINGER) {
        if (kv_conn_step(ec->c) == KV_CONN_STATE_CLOSED) {
            unwait(ev, ec);
            conn_done(ev, ec);
        } else {
            rewait(ev, ec);
        }
        return;
    }
    unwait(ev, ec);
    event_give_work(ev, ec);
}

/* The connections whose time is up: a request head that had begun is answered as it
 * timed out (a small answer, written without waiting, as a lingering close is drained
 * here too); the others are closed. */
static void expire_timeouts(event_child_t *ev)
{
    event_conn_t *expired = NULL;
    timerq_entry_t *e;
    apr_time_t now = apr_time_now();

    apr_thread_mutex_lock(ev->timers_lock);
    while ((e = timerq_pop_expired(ev->timers, now)) != NULL) {
        event_conn_t *ec = conn_of_timer(e);

        stop_waiting(ev, ec);
        ec->next = expired;
        expired = ec;
    }
    apr_thread_mutex_unlock(ev->timers_lock);
    while (expired) {
        event_conn_t *next = expired->next;

        event_after_step(ev, expired, kv_conn_expire(expired->c));
        expired = next;
    }
}

/* ---- The listener ---- */

static void set_listening(event_child_t *ev, int on)
{
    if ((int)apr_atomic_read32(&ev->listening) == on) {
        return;
    }
    for (int i = 0; i < ev->nlisteners; i++) {
        if (on) {
            apr_pollset_add(ev->pollset, &ev->listeners[i].pfd);
        } else {
            apr_pollset_remove(ev->pollset, &ev->listeners[i].pfd);
        }
    }
    apr_atomic_set32(&ev->listening, (apr_uint32_t)on);
    kv_scoreboard_process(ev->slot)->listening = on;
}

/* ---- Gathering connections in few children ----
 *
 * Every child polls the listeners, so a new connection wakes them all. A child leaves it to
 * a child of its generation in a lower slot that is listening, so that busy connections
 * gather in as few processes, and by assign() in as few threads, as the load needs (nginx's
 * few workers hold them so), rather than spreading thin over every child's threads, each of
 * which would then sleep and wake for every request or two. The lower child stops listening
 * when it is at its limit (may_accept), and the next one takes over. A deferring child keeps
 * its listeners out of its pollset for a step, then looks again at the scoreboard, without
 * its listeners: while the lower child keeps accepting, the steps grow (each connection
 * would otherwise wake every child: two epoll_ctl calls and two thread wake-ups in each, for
 * nothing). It takes its listeners back when the lower child stops listening, or when the
 * lower child has accepted nothing for DEFER_PATIENCE: if a connection waits then, the lower
 * child is stuck (or dead and not yet reaped) and this one accepts until it moves again; if
 * none waits, it is idle, and the next connection begins a new spell of deferring (an idle
 * spell is no reason to take the next connection from it). */

static int lower_listening_child(const event_child_t *ev)
{
    for (int i = 0; i < ev->slot; i++) {
        const kv_sb_process_t *p = kv_scoreboard_process(i);

        if (p->pid > 0 && p->generation == kv_my_generation && p->listening && !p->quiescing) {
            return i;
        }
    }
    return -1;
}

/* The lower listening child to leave new connections to, with its accept count in
 * @a accepts; -1, and no more deferring, when there is none. */
static int defer_target(event_child_t *ev, unsigned int *accepts)
{
    int lower = ev->one_process ? -1 : lower_listening_child(ev);

    if (lower < 0) {
        ev->defer_until = 0;
        return -1;
    }
    *accepts = kv_scoreboard_process(lower)->accepts;
    return lower;
}

/* Whether a connection waits on one of the listeners now (they are out of the pollset). */
static int connection_waiting(const event_child_t *ev)
{
    for (int i = 0; i < ev->nlisteners; i++) {
        apr_pollfd_t pfd = ev->listeners[i].pfd;
        apr_int32_t n = 0;

        pfd.reqevents = APR_POLLIN;
        if (apr_poll(&pfd, 1, &n, 0) == APR_SUCCESS && n > 0) {
            return 1;
        }
    }
    return 0;
}

/* Woken by a new connection while listening: whether to leave it to a lower child. Each
 * wake-up after an idle spell begins a new spell of deferring; only a child found stuck
 * (defer_look), which has still accepted nothing since, is passed over. */
static int defer_accept(event_child_t *ev, apr_time_t now)
{
    unsigned int accepts = 0;
    int lower = defer_target(ev, &accepts);

    if (lower < 0) {
        return 0;
    }
    if (ev->defer_stuck && lower == ev->defer_to && accepts == ev->defer_accepts) {
        return 0;
    }
    ev->defer_stuck = 0;
    ev->defer_to = lower;
    ev->defer_accepts = accepts;
    ev->defer_progress = now;
    ev->defer_step = DEFER_STEP;
    ev->defer_until = now + DEFER_STEP;
    return 1;
}

/* A step of deferring is over: look at the lower child again, still without the listeners.
 * While it keeps accepting the steps grow. When it has accepted nothing for DEFER_PATIENCE,
 * this child listens again: the lower child is idle if no connection waits, stuck if one
 * does (then this child accepts until the lower one moves again). */
static void defer_look(event_child_t *ev, apr_time_t now)
{
    unsigned int accepts = 0;
    int lower = defer_target(ev, &accepts);

    if (lower < 0) {
        return;
    }
    if (lower == ev->defer_to && accepts == ev->defer_accepts) {
        if (now - ev->defer_progress > DEFER_PATIENCE) {
            ev->defer_stuck = connection_waiting(ev);
            ev->defer_until = 0;
            return;
        }
        ev->defer_step = DEFER_STEP;
    } else {
        ev->defer_step = lower != ev->defer_to ? DEFER_STEP : 2 * ev->defer_step;
        if (ev->defer_step > DEFER_STEP_MAX) {
            ev->defer_step = DEFER_STEP_MAX;
        }
        ev->defer_to = lower;
        ev->defer_accepts = accepts;
        ev->defer_progress = now;
    }
    ev->defer_until = now + ev->defer_step;
}

/* Close this process's own copies of the listeners (add_listeners): once every process has
 * closed its copies, the socket stops listening and new connections are refused rather
 * than left in a backlog no one takes from. */
static void close_listeners(event_child_t *ev)
{
    for (int i = 0; i < ev->nlisteners; i++) {
        apr_socket_close(ev->listeners[i].sd);
    }
    ev->nlisteners = 0;
}

/* Accept no more. Kept-alive connections are not cut: a request that may already be on its
 * way is answered (with Connection: close, kv_mpm_child_exiting), the others end with their
 * KeepAliveTimeout, so that no client sees its request dropped. */
static void begin_exit(event_child_t *ev)
{
    apr_atomic_set32(&ev->exiting, 1);
    if (!ev->one_process) {
        kv_mpm_child_finish();
    }
    set_listening(ev, 0);
    close_listeners(ev);
}

static void accept_on(event_child_t *ev, listener_t *l)
{
    apr_pool_t *p;
    apr_socket_t *sd;
    apr_status_t rv;
    event_conn_t *ec;

    if (apr_pool_create(&p, ev->pconns) != APR_SUCCESS) {
        return;
    }
    rv = apr_socket_accept(&sd, l->sd, p);
    if (rv != APR_SUCCESS) {
        apr_pool_destroy(p);
        kv_acceptor_failed(&ev->acc, rv, l->lr);
        return;
    }
    ec = apr_pcalloc(p, sizeof(*ec));
    ec->kind = HELD_CONN;
    ec->p = p;
    ec->c = kv_create_connection(p, ev->s, sd, ((long)ev->slot << 32) | (long)ev->next_id++, -1);
    if (!ec->c) {
        apr_pool_destroy(p);
        return;
    }
    ec->c->async = 1;
    ec->pfd.p = p;
    ec->pfd.desc_type = APR_POLL_SOCKET;
    ec->pfd.desc.s = sd;
    ec->pfd.client_data = ec;
    apr_atomic_inc32(&ev->connections);
    kv_scoreboard_process(ev->slot)->accepts++;
    event_give_work(ev, ec);
    if (!ev->one_process && kv_mpm_count_connection()) {
        begin_exit(ev); /* MaxConnectionsPerChild: finish, then exit */
    }
}

static int told_to_stop(event_child_t *ev)
{
    if (ev->acc.failed) {
        return 1;
    }
    if (!ev->one_process) {
        return kv_mpm_child_exiting();
    }
    return ev->result >= 0;
}

static apr_interval_time_t poll_timeout(event_child_t *ev)
{
    apr_time_t now = apr_time_now();
    apr_time_t next;

    apr_thread_mutex_lock(ev->timers_lock);
    next = timerq_next(ev->timers);
    /* while a worker could hold others up, look every STUCK_MSEC whether it does */
    ev->poll_until = now + (event_workers_may_stick(ev) ? apr_time_from_msec(STUCK_MSEC)
                                                        : LISTENER_TICK);
    if (next && next < ev->poll_until) {
        ev->poll_until = next > now ? next : now;
    }
    if (ev->defer_until > now && ev->defer_until < ev->poll_until) {
        ev->poll_until = ev->defer_until;
    }
    apr_thread_mutex_unlock(ev->timers_lock);
    /* whole milliseconds, rounded up: epoll's unit, and a shorter wait would not sleep */
    return (ev->poll_until - now + 999) / 1000 * 1000;
}

static void handle_events(event_child_t *ev, const apr_pollfd_t *out, apr_int32_t n)
{
    for (apr_int32_t i = 0; i < n; i++) {
        held_kind_t *kind = out[i].client_data;

        if (*kind == HELD_CONN) {
            conn_ready(ev, out[i].client_data);
        } else if (*kind == HELD_LISTENER) {
            if (!apr_atomic_read32(&ev->listening) || !may_accept(ev)) {
                continue;
            }
            if (defer_accept(ev, apr_time_now())) {
                set_listening(ev, 0);
            } else {
                accept_on(ev, out[i].client_data);
            }
        } else {
            int result;

            kv_mpm_wait_event(0); /* -X: a signal */
            if ((result = kv_mpm_take_signal()) >= 0) {
                ev->result = result;
            }
        }
    }
}

/* Show mod_status what this process holds (the listener is the only writer). */
static void publish_counts(event_child_t *ev)
{
    kv_sb_process_t *proc = kv_scoreboard_process(ev->slot);

    apr_thread_mutex_lock(ev->timers_lock);
    proc->conns_keepalive = ev->waiting[WAIT_KEEPALIVE];
    proc->conns_writing = ev->waiting[WAIT_WRITING];
    proc->conns_closing = ev->waiting[WAIT_CLOSING];
    apr_thread_mutex_unlock(ev->timers_lock);
    proc->conns_total = (int)apr_atomic_read32(&ev->connections);
}

static void listener_loop(event_child_t *ev)
{
    for (;;) {
        const apr_pollfd_t *out;
        apr_int32_t n = 0;
        apr_status_t rv;

        if (!apr_atomic_read32(&ev->exiting) && told_to_stop(ev)) {
            begin_exit(ev);
        }
        if (apr_atomic_read32(&ev->exiting)) {
            if (apr_atomic_read32(&ev->listening)) {
                begin_exit(ev);
            }
            kv_scoreboard_process(ev->slot)->not_accepting = 0;
            apr_atomic_set32(&ev->at_limit, 0);
            if (apr_atomic_read32(&ev->connections) == 0) {
                return;
            }
        } else {
            apr_time_t now = apr_time_now();
            int can;

            /* at_limit first: room made while may_accept looks either shows in it or
             * wakes this thread (event_room_made) */
            apr_atomic_set32(&ev->at_limit, 1);
            can = may_accept(ev);
            apr_atomic_set32(&ev->at_limit, !can);

            /* a step of deferring is over: look again before listening */
            if (can && ev->defer_until && now >= ev->defer_until) {
                defer_look(ev, now);
            }
            set_listening(ev, can && now >= ev->defer_until);
            kv_scoreboard_process(ev->slot)->not_accepting = !can;
        }
        publish_counts(ev);
        rv = apr_pollset_poll(ev->pollset, poll_timeout(ev), &n, &out);
        if (rv == APR_SUCCESS) {
            handle_events(ev, out, n);
        }
        expire_timeouts(ev);
        event_unstick_workers(ev);
    }
}

/* ---- Setting a serving process up ---- */

/* The listener polls descriptors of its own for the listening sockets: a child told to
 * finish has its copies of the listeners replaced (mpm_common.c), which epoll would not see.
 * Close-on-exec, as the originals are, so that no program a module starts holds one. */
static apr_status_t add_listeners(event_child_t *ev)
{
    int i = 0;

    ev->nlisteners = kv_listeners_count();
    ev->listeners = apr_pcalloc(ev->pchild, sizeof(listener_t) * (apr_size_t)ev->nlisteners);
    for (kv_listen_rec_t *lr = kv_listeners; lr && i < ev->nlisteners; lr = lr->next, i++) {
        listener_t *l = &ev->listeners[i];
        apr_os_sock_info_t info = {0};
        apr_os_sock_t fd, copy;
        apr_status_t rv;

        if (apr_os_sock_get(&fd, lr->sd) != APR_SUCCESS || (copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0) {
            return APR_FROM_OS_ERROR(errno);
        }
        info.os_sock = &copy;
        info.local = (struct sockaddr *)&lr->bind_addr->sa;
        info.family = lr->bind_addr->family;
        info.type = SOCK_STREAM;
        rv = apr_os_sock_make(&l->sd, &info, ev->pchild);
        if (rv == APR_SUCCESS) {
            rv = apr_socket_opt_set(l->sd, APR_SO_NONBLOCK, 1);
        }
        if (rv == APR_SUCCESS) {
            /* Already set on the socket (listen.c); this tells APR, so that accepted
             * sockets are known to inherit it. */
            rv = apr_socket_opt_set(l->sd, APR_TCP_NODELAY, 1);
        }
        if (rv != APR_SUCCESS) {
            close(copy);
            return rv;
        }
        l->kind = HELD_LISTENER;
        l->lr = lr;
        l->pfd.p = ev->pchild;
        l->pfd.desc_type = APR_POLL_SOCKET;
        l->pfd.desc.s = l->sd;
        l->pfd.reqevents = APR_POLLIN;
        l->pfd.client_data = l;
    }
    return APR_SUCCESS;
}

static apr_status_t add_signal_pipe(event_child_t *ev)
{
    ev->signals_kind = HELD_SIGNALS;
    ev->signals_pfd.p = ev->pchild;
    ev->signals_pfd.desc_type = APR_POLL_FILE;
    ev->signals_pfd.desc.f = kv_mpm_wakeup_pipe();
    ev->signals_pfd.reqevents = APR_POLLIN;
    ev->signals_pfd.client_data = &ev->signals_kind;
    return apr_pollset_add(ev->pollset, &ev->signals_pfd);
}

/* Connection pools share one allocator, locked, that keeps a bounded amount free: memory an
 * idle connection gave back serves the busy ones. */
static apr_status_t create_conns_pool(event_child_t *ev)
{
    apr_allocator_t *allocator;
    apr_thread_mutex_t *mutex;
    apr_status_t rv = apr_allocator_create(&allocator);

    if (rv != APR_SUCCESS) {
        return rv;
    }
    apr_allocator_max_free_set(allocator, CONNS_MAX_FREE);
    rv = apr_pool_create_ex(&ev->pconns, ev->pchild, NULL, allocator);
    if (rv != APR_SUCCESS) {
        apr_allocator_destroy(allocator);
        return rv;
    }
    apr_allocator_owner_set(allocator, ev->pconns);
    apr_pool_tag(ev->pconns, "connections");
    rv = apr_thread_mutex_create(&mutex, APR_THREAD_MUTEX_DEFAULT, ev->pconns);
    if (rv == APR_SUCCESS) {
        apr_allocator_mutex_set(allocator, mutex);
    }
    return rv;
}

static apr_status_t child_setup(event_child_t *ev)
{
    apr_status_t rv;

    ev->result = -1;
    ev->defer_to = -1;
    ev->defer_step = DEFER_STEP;
    ev->acc.s = ev->s;
    ev->acc.pchild = ev->pchild;
    ev->acc.one_process = ev->one_process;
    ev->factor = factor_of(kv_mpm_current_conf());
    if ((rv = create_conns_pool(ev)) != APR_SUCCESS ||
        (rv = apr_thread_mutex_create(&ev->timers_lock, APR_THREAD_MUTEX_DEFAULT, ev->pchild)) !=
            APR_SUCCESS ||
        (rv = apr_thread_mutex_create(&ev->qlock, APR_THREAD_MUTEX_DEFAULT, ev->pchild)) !=
            APR_SUCCESS) {
        return rv;
    }
    ev->timers = timerq_create(ev->pchild);
    rv = apr_pollset_create_ex(&ev->pollset, POLL_RESULTS, ev->pchild,
                               APR_POLLSET_THREADSAFE | APR_POLLSET_NOCOPY |
                                   APR_POLLSET_WAKEABLE | APR_POLLSET_NODEFAULT,
                               APR_POLLSET_EPOLL);
    if (rv == APR_SUCCESS) {
        rv = add_listeners(ev);
    }
    if (rv == APR_SUCCESS && ev->one_process) {
        rv = add_signal_pipe(ev);
    }
    if (rv == APR_SUCCESS) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);

        ev->spread = cpus > 0 ? (int)cpus : 1;
        rv = event_start_workers(ev);
    }
    /* A child told to finish while it set up has /dev/null where its listeners were
     * (kv_mpm_fork's graceful handler): it fails here, and is no failure. */
    if (rv != APR_SUCCESS && !kv_mpm_child_exiting()) {
        kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, rv, ev->s,
                     "KV01021: could not set up the listener, its pollset and its worker "
                     "threads");
    }
    return rv;
}

static void child_main(const threaded_child_t *ch) __attribute__((noreturn));

static void child_main(const threaded_child_t *ch)
{
    event_child_t ev = {0};

    ev.pchild = kv_acceptor_child_start(&ev.acc, ch->pconf, ch->s, NULL);
    ev.s = ch->s;
    ev.slot = ch->slot;
    ev.threads_per_child = ch->threads;
    if (child_setup(&ev) != APR_SUCCESS) {
        event_stop_workers(&ev);
        kv_mpm_child_exit(ev.pchild, kv_mpm_child_exiting() ? 0 : KV_MPM_CHILD_FATAL);
    }
    listener_loop(&ev);
    event_stop_workers(&ev);
    kv_mpm_child_exit(ev.pchild, 0);
}

/* -X: serve in this process until a signal; returns what it asks for. */
static int serve_one_process(apr_pool_t *pconf, kv_server_t *s, int threads)
{
    event_child_t ev = {.s = s, .one_process = 1, .threads_per_child = threads};
    int result = KV_MPM_FAILED;

    if (kv_one_process_start(pconf, s, &ev.pchild) == APR_SUCCESS) {
        if (child_setup(&ev) == APR_SUCCESS) {
            listener_loop(&ev);
            result = ev.acc.failed ? KV_MPM_FAILED : ev.result;
        }
        event_stop_workers(&ev);
    }
    kv_one_process_end(ev.pchild);
    return result;
}

/* ---- The module ---- */

static const threaded_mpm_t event_mpm = {THREADED_MPM("event", event_conf_t, event_init_conf), 1,
                                         child_main, serve_one_process};

KV_MPM_MODULE(event, event_cmds, event_mpm.mpm);
