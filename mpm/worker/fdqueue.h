/* The hand-off between a worker child's listener and its worker threads: a bounded queue
 * of accepted sockets, each with the transaction pool it was accepted into, and a stack of
 * idle transaction pools. There are as many pools as worker threads, so the listener, which
 * takes a pool before every accept, accepts only when some worker is free to serve. */
#ifndef KV_WORKER_FDQUEUE_H
#define KV_WORKER_FDQUEUE_H

#include <apr_network_io.h>
#include <apr_pools.h>
#include <apr_time.h>

/** The queue; its mutex and conditions live in the pool it is created in. */
typedef struct worker_queue_t worker_queue_t;

/** Create a queue for @a capacity connections and @a capacity idle pools, in @a p. */
apr_status_t worker_queue_create(worker_queue_t **q, int capacity, apr_pool_t *p);

/** Give an idle (cleared) transaction pool back, or add one at start. */
void worker_queue_put_pool(worker_queue_t *q, apr_pool_t *ptrans);

/** Take an idle pool, waiting up to @a timeout for one. Returns APR_SUCCESS, APR_TIMEUP,
 * or APR_EOF once the queue is terminated. */
apr_status_t worker_queue_get_pool(worker_queue_t *q, apr_pool_t **ptrans,
                                   apr_interval_time_t timeout);

/** Queue an accepted connection. APR_EOF once terminated (the caller closes it then);
 * APR_ENOSPC if the queue is full, which the pool accounting rules out. */
apr_status_t worker_queue_push(worker_queue_t *q, apr_socket_t *sd, apr_pool_t *ptrans);

/** Take the next connection, waiting for one. APR_EOF once the queue is terminated and
 * empty: queued connections are still served after a terminate. */
apr_status_t worker_queue_pop(worker_queue_t *q, apr_socket_t **sd, apr_pool_t **ptrans);

/** No more connections will come: wake every waiter. */
void worker_queue_terminate(worker_queue_t *q);

#endif
