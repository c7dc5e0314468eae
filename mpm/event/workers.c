/* The event MPM's worker threads and their hot sets (see event.h and "Hot sets" below). */
#include <apr_atomic.h>
#include <apr_portable.h>

#include "../threaded.h"
#include "event.h"
#include "kv_log.h"
#include "kv_scoreboard.h"

#define KV_LOG_MODULE "mpm_event"

/* ---- Idle and stuck workers, the overflow queue ---- */

/* The connections in @a w's hot set that may have work for it now: parked ones have none. */
static apr_uint32_t worker_load(worker_t *w)
{
    return apr_atomic_read32(&w->nhot) - apr_atomic_read32(&w->nparked);
}

static int worker_idle(worker_t *w)
{
    return worker_load(w) == 0;
}

int event_idle_workers(event_child_t *ev)
{
    int idle = -(int)apr_atomic_read32(&ev->queued);

    for (int i = 0; i < ev->nthreads; i++) {
        idle += worker_idle(&ev->workers[i]);
    }
    return idle;
}

/* A millisecond clock for step_since: 32 bits, compared by difference, never 0. */
static apr_uint32_t clock_msec(void)
{
    apr_uint32_t ms = (apr_uint32_t)apr_time_as_msec(apr_time_now());

    return ms ? ms : 1;
}

static int worker_stuck(worker_t *w, apr_uint32_t now)
{
    apr_uint32_t since = apr_atomic_read32(&w->step_since);

    return since && now - since > STUCK_MSEC;
}

/* The worker to wake for queued work: an idle one, else the least loaded that is not stuck. */
static worker_t *least_loaded(event_child_t *ev)
{
    apr_uint32_t now = clock_msec();
    worker_t *pick = NULL;

    for (int i = 0; i < ev->nthreads; i++) {
        worker_t *w = &ev->workers[i];

        if (!worker_stuck(w, now) && (!pick || worker_load(w) < worker_load(pick))) {
            pick = w;
        }
    }
    return pick;
}

/* Every hot set is full: queue @a ec for the first worker that has room. */
static void push_work(event_child_t *ev, event_conn_t *ec)
{
    worker_t *w;

    apr_thread_mutex_lock(ev->qlock);
    ec->next = NULL;
    if (ev->qtail) {
        ev->qtail->next = ec;
    } else {
        ev->qhead = ec;
    }
    ev->qtail = ec;
    apr_atomic_inc32(&ev->queued);
    apr_thread_mutex_unlock(ev->qlock);
    if ((w = least_loaded(ev)) != NULL) {
        apr_pollset_wakeup(w->hot);
    }
}

static event_conn_t *take_queued(event_child_t *ev)
{
    event_conn_t *ec;

    if (!apr_atomic_read32(&ev->queued)) {
        return NULL;
    }
    apr_thread_mutex_lock(ev->qlock);
    ec = ev->qhead;
    if (ec) {
        ev->qhead = ec->next;
        if (!ev->qhead) {
            ev->qtail = NULL;
        }
        apr_atomic_dec32(&ev->queued);
    }
    apr_thread_mutex_unlock(ev->qlock);
    return ec;
}

static void terminate_work(event_child_t *ev)
{
    apr_atomic_set32(&ev->terminated, 1);
    for (int t = 0; t < ev->nthreads; t++) {
        apr_pollset_wakeup(ev->workers[t].hot);
    }
}

/* ---- Hot sets ----
 *
 * A connection that becomes ready (a new one, a kept-alive one with a request, a slow reader
 * that can take more) goes to a worker's hot set: a pollset of that worker's own. The worker
 * serves whichever of its connections is ready, one step each, and keeps them while they are
 * busy: a kept-alive client's next request, or the client taking the next part of a response,
 * comes within a round trip. A connection idle for HOT_IDLE goes to the listener's pollset,
 * so that idle connections hold no worker. Under load a worker thus goes from one ready
 * connection to the next without sleeping, as a single-threaded event loop does, instead of
 * one sleep and wake-up per request; new work goes first to one worker per CPU.
 *
 * A worker may block in a step (a slow handler, a request body): once it has been busy for
 * STUCK_MSEC, the listener moves its other connections to other workers (unstick_workers).
 * Each conns[i] is written under the worker's lock; the worker reads its own without it,
 * except while it may be taken from (during a step). */

/* A parked connection is one no longer (w->lock held). */
static void unpark(worker_t *w, event_conn_t *ec)
{
    if (ec->parked) {
        ec->parked = 0;
        apr_atomic_dec32(&w->nparked);
    }
}

static void hot_forget(worker_t *w, event_conn_t *ec)
{
    unpark(w, ec);
    w->conns[ec->hot_slot] = NULL;
    w->seq[ec->hot_slot]++;
    ec->hot_slot = -1;
    apr_atomic_dec32(&w->nhot);
}

/* Take @a ec out of @a w's hot set (w->lock held). A closed socket has left the pollset
 * already (the kernel drops a descriptor when it is closed; the hot set keeps no copy of the
 * entry, APR_POLLSET_NOCOPY). */
static void hot_remove(worker_t *w, event_conn_t *ec)
{
    apr_os_sock_t fd = -1;

    if (apr_os_sock_get(&fd, ec->pfd.desc.s) == APR_SUCCESS && fd >= 0) {
        apr_pollset_remove(w->hot, &ec->pfd);
    }
    hot_forget(w, ec);
}

/* When @a ec, idle from now, goes to the listener. */
static apr_time_t hot_deadline(const event_conn_t *ec)
{
    return apr_time_now() + (ec->c->handshaking ? HOT_IDLE_HANDSHAKE : HOT_IDLE);
}

/* Put @a ec in @a w's hot set (w->lock held); 0 if it has no room. */
static int hot_add(worker_t *w, event_conn_t *ec)
{
    for (int i = 0; i < HOT_MAX; i++) {
        if (w->conns[i]) {
            continue;
        }
        /* in place before the pollset may report it to the worker */
        ec->hot_slot = i;
        ec->hot_until = hot_deadline(ec);
        ec->hot_waited = 0;
        ec->parked = 0;
        ec->pfd.reqevents =
            ec->c->state == KV_CONN_STATE_WRITE_COMPLETION ? APR_POLLOUT : APR_POLLIN;
        w->conns[i] = ec;
        w->seq[i]++;
        apr_atomic_inc32(&w->nhot);
        if (apr_pollset_add(w->hot, &ec->pfd) != APR_SUCCESS) {
            hot_forget(w, ec);
            return 0;
        }
        return 1;
    }
    return 0;
}



/* ---- Far clients' handshakes ----
 *
 * A handshaking connection waits for the client's next flight in the hot set for
 * HOT_IDLE_HANDSHAKE: a near client (the same machine, a LAN) sends it within that, and a
 * trip through the listener would cost more. A client a real round trip away does not: each
 * such wait ends in a wake-up for nothing, and a worker with a handshake in its hot set does
 * not count as idle (may_accept). Each child counts how its handshakes' waits end; while most
 * end idle, a handshake is parked instead: it stays in the worker's hot set until its
 * client's flight comes or its timeout passes, and counts as no load (worker_load), so that
 * the flight wakes that worker directly rather than the listener and then a worker. One in
 * HS_PROBE still waits hot, which keeps measuring. */

static void hs_far_move(event_child_t *ev, int far)
{
    apr_uint32_t was, to;

    do {
        was = apr_atomic_read32(&ev->hs_far);
        to = far ? (was < HS_FAR_MAX ? was + 1 : was) : (was > 0 ? was - 1 : was);
        if (to == was) {
            return;
        }
    } while (apr_atomic_cas32(&ev->hs_far, to, was) != was);
    if ((far && to == HS_FAR_ON) || (!far && was == HS_FAR_ON)) {
        kv_log_error(KV_LOG_MARK, KV_LOG_DEBUG, 0, ev->s,
                     far ? "KV01630: most TLS clients take longer than %d ms to answer a "
                           "handshake flight: their handshakes wait parked in their worker, "
                           "without waking it, until the flight comes or times out"
                         : "KV01631: most TLS clients answer a handshake flight within %d ms: "
                           "their handshakes wait in the worker that served them",
                     (int)apr_time_as_msec(HOT_IDLE_HANDSHAKE));
    }
}

typedef enum { HOT_LEAVES, HOT_STAYS, HOT_PARKS } hot_wait_t;

/* How @a ec, in @a state after a step, waits: in the hot set, parked there (a handshake
 * waiting for a far client's next flight), or in the listener's pollset. */
static hot_wait_t hot_wait(event_child_t *ev, const event_conn_t *ec, kv_conn_state_t state)
{
    if (state != KV_CONN_STATE_READ_REQUEST && state != KV_CONN_STATE_WRITE_COMPLETION) {
        return HOT_LEAVES;
    }
    if (!ec->c->handshaking || kv_conn_poll_events(ec->c) != APR_POLLIN ||
        apr_atomic_read32(&ev->hs_far) < HS_FAR_ON ||
        apr_atomic_inc32(&ev->hs_probe) % HS_PROBE == 0) {
        return HOT_STAYS;
    }
    return HOT_PARKS;
}

/* Give @a ec, ready, to a worker: the least loaded of the first `spread` (one per CPU) while
 * it has room, else the first with room; none stuck. 0 if every hot set is full. */
static int assign(event_child_t *ev, event_conn_t *ec)
{
    apr_uint32_t now = clock_msec();
    worker_t *pick = NULL;
    int ok = 0;

    for (int i = 0; i < ev->nthreads; i++) {
        worker_t *w = &ev->workers[i];
        if (apr_atomic_read32(&w->nhot) < HOT_MAX && !worker_stuck(w, now) &&
            (!pick || worker_load(w) < worker_load(pick))) {
            pick = w;
        }
        if (pick && i + 1 >= ev->spread) {
            break;
        }
    }
    if (pick) {
        apr_thread_mutex_lock(pick->lock);
        ok = hot_add(pick, ec);
        apr_thread_mutex_unlock(pick->lock);
    }
    return ok;
}

void event_give_work(event_child_t *ev, event_conn_t *ec)
{
    if (!assign(ev, ec)) {
        push_work(ev, ec);
    }
}

/* Whether @a w holds connections besides the one it may be blocked in. */
static int holds_others(worker_t *w)
{
    return apr_atomic_read32(&w->nhot) >= 2;
}

int event_workers_may_stick(event_child_t *ev)
{
    if (apr_atomic_read32(&ev->queued)) {
        return 1;
    }
    for (int t = 0; t < ev->nthreads; t++) {
        if (holds_others(&ev->workers[t])) {
            return 1;
        }
    }
    return 0;
}

void event_unstick_workers(event_child_t *ev)
{
    apr_uint32_t now = clock_msec();

    for (int t = 0; t < ev->nthreads; t++) {
        worker_t *w = &ev->workers[t];
        event_conn_t *moved[HOT_MAX];
        int n = 0;

        if (!holds_others(w) || !worker_stuck(w, now)) {
            continue;
        }
        apr_thread_mutex_lock(w->lock);
        if (worker_stuck(w, now)) {
            for (int i = 0; i < HOT_MAX; i++) {
                if (w->conns[i] && i != w->current) {
                    moved[n++] = w->conns[i];
                    hot_remove(w, w->conns[i]);
                }
            }
        }
        apr_thread_mutex_unlock(w->lock);
        for (int i = 0; i < n; i++) {
            event_give_work(ev, moved[i]);
        }
    }
}

/* One step of @a ec in slot @a slot of @a w's hot set; then it stays (busy), or leaves for
 * the listener's pollset, or is done. */
static void serve_hot(worker_t *w, int slot)
{
    event_child_t *ev = w->ev;
    event_conn_t *ec = w->conns[slot];
    kv_conn_state_t state;
    hot_wait_t wait;

    if (ec->c->state == KV_CONN_STATE_NEW) {
        kv_scoreboard_worker(ev->slot, w->sb_slot % kv_scoreboard_thread_limit())->conn_count++;
    } else if (ec->c->handshaking && ec->hot_waited) {
        hs_far_move(ev, 0); /* the client's flight came while the connection waited here */
    }
    ec->c->sb_slot = w->sb_slot;
    kv_scoreboard_update(w->sb_slot,
                         ec->c->state == KV_CONN_STATE_WRITE_COMPLETION ? KV_SB_WRITE
                                                                        : KV_SB_READ,
                         NULL);
    state = kv_conn_step(ec->c);
    ec->c->sb_slot = -1;
    kv_scoreboard_update(w->sb_slot,
                         apr_atomic_read32(&ev->exiting) ? KV_SB_GRACEFUL : KV_SB_READY, NULL);
    apr_thread_mutex_lock(w->lock);
    w->current = -1;
    apr_atomic_set32(&w->step_since, 0);
    wait = hot_wait(ev, ec, state);
    if (wait != HOT_LEAVES) {
        apr_int16_t want = kv_conn_poll_events(ec->c);

        if (ec->pfd.reqevents != want) {
            apr_pollset_remove(w->hot, &ec->pfd);
            ec->pfd.reqevents = want;
            apr_pollset_add(w->hot, &ec->pfd);
        }
        ec->hot_waited = wait == HOT_STAYS;
        if (wait == HOT_PARKS) {
            ec->hot_until = apr_time_now() + kv_conn_wait_timeout(ec->c);
            ec->parked = 1;
            apr_atomic_inc32(&w->nparked);
        } else {
            ec->hot_until = hot_deadline(ec);
        }
        apr_thread_mutex_unlock(w->lock);
        return;
    }
    hot_remove(w, ec);
    apr_thread_mutex_unlock(w->lock);
    event_after_step(ev, ec, state);
}

/* Serve the slots the pollset found ready, unless taken meanwhile (their seq moved on). */
static void serve_ready(worker_t *w, const apr_pollfd_t *out, apr_int32_t n)
{
    int slot[HOT_MAX];
    unsigned seq[HOT_MAX];
    int m = 0;

    for (apr_int32_t i = 0; i < n && m < HOT_MAX; i++) {
        const event_conn_t *ec = out[i].client_data;

        slot[m] = ec->hot_slot;
        seq[m++] = w->seq[ec->hot_slot];
    }
    for (int i = 0; i < m; i++) {
        apr_thread_mutex_lock(w->lock);
        if (w->seq[slot[i]] != seq[i]) {
            apr_thread_mutex_unlock(w->lock);
            continue;
        }
        w->current = slot[i];
        unpark(w, w->conns[slot[i]]);
        apr_atomic_set32(&w->step_since, clock_msec());
        apr_thread_mutex_unlock(w->lock);
        serve_hot(w, slot[i]);
    }
}

/* Hand the connections idle for HOT_IDLE to the listener, and end the parked ones whose
 * timeout has passed, as the listener would have; returns how long until the next one is
 * due, rounded up to whole milliseconds (epoll's unit: a shorter wait would not sleep). */
static apr_interval_time_t expire_hot(worker_t *w)
{
    apr_time_t now = apr_time_now(), next = 0;
    event_conn_t *idle[HOT_MAX];
    int parked[HOT_MAX];
    int n = 0;

    apr_thread_mutex_lock(w->lock);
    for (int i = 0; i < HOT_MAX; i++) {
        event_conn_t *ec = w->conns[i];

        if (!ec) {
            continue;
        }
        if (ec->hot_until <= now) {
            if (ec->c->handshaking && ec->hot_waited) {
                hs_far_move(w->ev, 1);
            }
            parked[n] = ec->parked;
            hot_remove(w, ec);
            idle[n++] = ec;
        } else if (!next || ec->hot_until < next) {
            next = ec->hot_until;
        }
    }
    apr_thread_mutex_unlock(w->lock);
    for (int i = 0; i < n; i++) {
        event_after_step(w->ev, idle[i],
                         parked[i] ? kv_conn_expire(idle[i]->c) : idle[i]->c->state);
    }
    return next ? ((next - now) / 1000 + 1) * 1000 : LISTENER_TICK;
}

/* Queued work (every hot set was full when it came), while this worker has room. */
static void adopt_queued(worker_t *w)
{
    event_conn_t *ec;

    while (apr_atomic_read32(&w->nhot) < HOT_MAX && (ec = take_queued(w->ev)) != NULL) {
        int ok;

        apr_thread_mutex_lock(w->lock);
        ok = hot_add(w, ec);
        apr_thread_mutex_unlock(w->lock);
        if (!ok) {
            push_work(w->ev, ec);
            return;
        }
    }
}

static void *APR_THREAD_FUNC worker_thread(apr_thread_t *thd, void *data)
{
    worker_t *w = data;
    event_child_t *ev = w->ev;
    apr_interval_time_t timeout = LISTENER_TICK;

    threaded_coarse_timers();
    kv_scoreboard_update(w->sb_slot, KV_SB_READY, NULL);
    while (!apr_atomic_read32(&ev->terminated) || apr_atomic_read32(&w->nhot) ||
           apr_atomic_read32(&ev->queued)) {
        const apr_pollfd_t *out;
        apr_int32_t n = 0;

        adopt_queued(w);
        if (apr_pollset_poll(w->hot, timeout, &n, &out) == APR_SUCCESS) {
            serve_ready(w, out, n);
        }
        timeout = expire_hot(w);
        if (worker_idle(w)) {
            event_room_made(ev);
        }
    }
    kv_scoreboard_update(w->sb_slot, KV_SB_DEAD, NULL);
    apr_thread_exit(thd, APR_SUCCESS);
    return NULL;
}

apr_status_t event_start_workers(event_child_t *ev)
{
    int limit = kv_scoreboard_thread_limit();
    apr_status_t rv = APR_SUCCESS;
    sigset_t old;

    ev->threads =
        apr_pcalloc(ev->pchild, sizeof(*ev->threads) * (apr_size_t)ev->threads_per_child);
    ev->workers =
        apr_pcalloc(ev->pchild, sizeof(*ev->workers) * (apr_size_t)ev->threads_per_child);
    for (int t = 0; t < ev->threads_per_child && rv == APR_SUCCESS; t++) {
        worker_t *w = &ev->workers[t];

        w->ev = ev;
        w->sb_slot = ev->slot * limit + t;
        w->current = -1;
        rv = apr_thread_mutex_create(&w->lock, APR_THREAD_MUTEX_DEFAULT, ev->pchild);
        if (rv == APR_SUCCESS) {
            rv = apr_pollset_create_ex(&w->hot, HOT_MAX, ev->pchild,
                                       APR_POLLSET_THREADSAFE | APR_POLLSET_NOCOPY |
                                           APR_POLLSET_WAKEABLE | APR_POLLSET_NODEFAULT,
                                       APR_POLLSET_EPOLL);
        }
    }
    threaded_block_signals(&old);
    for (int t = 0; t < ev->threads_per_child && rv == APR_SUCCESS; t++) {
        rv = apr_thread_create(&ev->threads[t], NULL, worker_thread, &ev->workers[t],
                               ev->pchild);
        if (rv == APR_SUCCESS) {
            ev->nthreads++;
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rv;
}

void event_stop_workers(event_child_t *ev)
{
    terminate_work(ev);
    for (int t = 0; t < ev->nthreads; t++) {
        apr_status_t trv;

        apr_thread_join(&trv, ev->threads[t]);
    }
    ev->nthreads = 0;
}

