/* The event MPM's child, shared by its two halves: event.c (the listener: accepting, the
 * pollset of waiting connections and their timeouts) and workers.c (the worker threads and
 * their hot sets). Internal to the module. */
#ifndef KV_EVENT_H
#define KV_EVENT_H

#include <apr_poll.h>
#include <apr_thread_mutex.h>
#include <apr_thread_proc.h>

#include "../accept.h"
#include "kv_connection.h"
#include "kv_http.h"
#include "kv_listen.h"
#include "timerq.h"

/* The longest the listener sleeps before it looks at the signals again. */
#define LISTENER_TICK apr_time_from_sec(1)
/* How long a connection stays in a worker's hot set with nothing to do (no next request, the
 * client taking nothing of a response) before the worker hands it to the listener. */
#define HOT_IDLE apr_time_from_msec(1)
/* The same in a handshake (TLS): the client's next flight comes after its own public-key
 * work (checking the server's signature, its key exchange), often more than HOT_IDLE; handed
 * to the listener and back, each handshake would cost four epoll_ctl calls and two thread
 * wake-ups more. */
#define HOT_IDLE_HANDSHAKE apr_time_from_msec(20)
/* Clients a real round trip away send it later still: how each child learns it (workers.c,
 * "Far clients' handshakes"). */
#define HS_FAR_MAX 16
#define HS_FAR_ON 8
#define HS_PROBE 16
/* Connections in one worker's hot set at most. */
#define HOT_MAX 16
/* A worker busy with one connection for longer than this has the others of its hot set
 * taken from it, and gets no new ones, until it is done. */
#define STUCK_MSEC 10
/* What a pollset entry stands for: its client_data points at one of these. */
typedef enum { HELD_LISTENER, HELD_CONN, HELD_SIGNALS } held_kind_t;

typedef struct {
    held_kind_t kind;
    apr_pollfd_t pfd;
    apr_socket_t *sd; /* a descriptor of our own for the listening socket */
    kv_listen_rec_t *lr;
} listener_t;

typedef struct event_conn {
    held_kind_t kind;
    apr_pollfd_t pfd;
    timerq_entry_t timer;
    struct event_conn *next; /* in the overflow queue */
    kv_conn_t *c;
    apr_pool_t *p;
    int lingering; /* counted in lingering */
    int waits_as;  /* the wait_kind_t it is counted as while in the pollset */
    int hot_slot;  /* its place in a worker's hot set, -1 when in none */
    apr_time_t hot_until; /* when it leaves the hot set if nothing happens on it */
    int hot_waited;       /* it stayed in the hot set after a step (not newly given to it) */
    int parked;           /* a handshake waiting there for a far client, until its timeout */
} event_conn_t;

/* What a connection in the pollset waits for, as counted for mod_status. */
typedef enum { WAIT_KEEPALIVE, WAIT_WRITING, WAIT_CLOSING, WAIT_KINDS } wait_kind_t;

/* One serving process: a child, or the parent under -X. */
typedef struct {
    kv_server_t *s;
    apr_pool_t *pchild;
    apr_pool_t *pconns; /* parent of the connection pools, with a locked allocator */
    apr_pollset_t *pollset;
    listener_t *listeners;
    int nlisteners;
    volatile apr_uint32_t listening; /* the listeners are in the pollset */
    volatile apr_uint32_t at_limit;  /* not listening for want of room (may_accept) */
    held_kind_t signals_kind;
    apr_pollfd_t signals_pfd; /* -X: the signal pipe */

    apr_thread_mutex_t *timers_lock; /* the timeout lists and adding to the pollset */
    timerq_t *timers;
    apr_time_t poll_until; /* when the listener wakes at the latest */
    int waiting[WAIT_KINDS]; /* connections in the pollset by what they wait for */

    apr_thread_mutex_t *qlock; /* the overflow queue: connections no hot set had room for */
    event_conn_t *qhead, *qtail;
    volatile apr_uint32_t queued; /* connections in the queue */
    volatile apr_uint32_t terminated; /* no more work: workers end */

    volatile apr_uint32_t connections; /* open, wherever they are */
    volatile apr_uint32_t lingering;   /* of which in lingering close */
    volatile apr_uint32_t exiting;     /* finishing: accept no more, close idle ones */
    volatile apr_uint32_t hs_far;      /* 0..HS_FAR_MAX: handshake waits that ended idle */
    volatile apr_uint32_t hs_probe;    /* handshakes that waited, to sample while far */

    /* New connections left to a child in a lower slot (event.c, "Gathering connections"): */
    apr_time_t defer_until;     /* the listeners stay out of the pollset until then */
    apr_time_t defer_step;      /* the last step of deferring */
    int defer_to;               /* the slot deferred to last */
    unsigned int defer_accepts; /* its accept count when last seen to move */
    apr_time_t defer_progress;  /* when that was */
    int defer_stuck;            /* it accepted nothing while a connection waited */

    kv_acceptor_t acc;
    struct worker *workers;
    int spread; /* new work goes to this many workers first (the CPUs), as evenly as may be */
    apr_thread_t **threads;
    int nthreads;
    int threads_per_child;
    int factor;
    int slot;
    int one_process;
    int result; /* -X: what the signal that ended serving asks for */
    unsigned long next_id;
} event_child_t;

/* A worker thread and its hot set: the connections it serves and waits on itself, in a
 * pollset of its own, so that it goes from one ready connection to the next without sleeping
 * and without a trip through the listener (see "Hot sets" below). */
typedef struct worker {
    event_child_t *ev;
    int sb_slot;
    apr_pollset_t *hot;
    apr_thread_mutex_t *lock;        /* conns, seq and step_since; taken by the listener too */
    event_conn_t *conns[HOT_MAX];
    unsigned seq[HOT_MAX];           /* changes whenever conns[i] does */
    int current;                     /* the slot being served, -1 */
    volatile apr_uint32_t nhot;      /* connections in conns (written under lock) */
    volatile apr_uint32_t nparked;   /* of which parked: no work until their client answers */
    volatile apr_uint32_t step_since; /* ms clock when the current step began; 0: none */
} worker_t;

/** After a step: wait in the listener's pollset for what the connection's state needs, or
 * free it (event.c). */
void event_after_step(event_child_t *ev, event_conn_t *ec, kv_conn_state_t state);

/** Start the child's worker threads, each with its hot set (workers.c). */
apr_status_t event_start_workers(event_child_t *ev);

/** Let the workers finish what they hold, then end them and wait for them. */
void event_stop_workers(event_child_t *ev);

/** Give @a ec, ready, to a worker's hot set, or queue it when every hot set is full. */
void event_give_work(event_child_t *ev, event_conn_t *ec);

/** A connection ended or a worker became idle: wake the listener if it stopped listening
 * for want of room and now has some, or if it is exiting and no connection is left
 * (event.c). */
void event_room_made(event_child_t *ev);

/** Idle workers (an empty hot set), less the connections queued for one. */
int event_idle_workers(event_child_t *ev);

/** Move the connections of workers blocked in a step for over STUCK_MSEC to other workers;
 * the listener calls it at least every STUCK_MSEC while event_workers_may_stick. */
void event_unstick_workers(event_child_t *ev);

/** Whether a worker holds more than the connection it may be blocked in, or work is queued.
 * Only the listener adds to the hot sets and the queue, so while it sleeps no worker can
 * come to hold more: when this is 0 it need not look for stuck workers until it wakes. */
int event_workers_may_stick(event_child_t *ev);

#endif
