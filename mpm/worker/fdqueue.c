/* The listener-to-workers hand-off (see fdqueue.h). */
#include <apr_thread_cond.h>
#include <apr_thread_mutex.h>

#include "fdqueue.h"

typedef struct {
    apr_socket_t *sd;
    apr_pool_t *ptrans;
} queue_item_t;

struct worker_queue_t {
    apr_thread_mutex_t *mutex;
    apr_thread_cond_t *not_empty; /* a connection was queued, or terminate */
    apr_thread_cond_t *pool_free; /* a pool came back, or terminate */
    queue_item_t *items;          /* ring of queued connections */
    apr_pool_t **pools;           /* stack of idle pools */
    int capacity;
    int head;
    int count;
    int npools;
    int terminated;
};

apr_status_t worker_queue_create(worker_queue_t **qp, int capacity, apr_pool_t *p)
{
    worker_queue_t *q = apr_pcalloc(p, sizeof(*q));
    apr_status_t rv = apr_thread_mutex_create(&q->mutex, APR_THREAD_MUTEX_DEFAULT, p);

    if (rv == APR_SUCCESS) {
        rv = apr_thread_cond_create(&q->not_empty, p);
    }
    if (rv == APR_SUCCESS) {
        rv = apr_thread_cond_create(&q->pool_free, p);
    }
    if (rv != APR_SUCCESS) {
        return rv;
    }
    q->capacity = capacity;
    q->items = apr_pcalloc(p, sizeof(*q->items) * (apr_size_t)capacity);
    q->pools = apr_pcalloc(p, sizeof(*q->pools) * (apr_size_t)capacity);
    *qp = q;
    return APR_SUCCESS;
}

void worker_queue_put_pool(worker_queue_t *q, apr_pool_t *ptrans)
{
    apr_thread_mutex_lock(q->mutex);
    if (q->npools < q->capacity) {
        q->pools[q->npools++] = ptrans;
    }
    apr_thread_cond_signal(q->pool_free);
    apr_thread_mutex_unlock(q->mutex);
}

apr_status_t worker_queue_get_pool(worker_queue_t *q, apr_pool_t **ptrans,
                                   apr_interval_time_t timeout)
{
    apr_time_t deadline = apr_time_now() + timeout;
    apr_status_t rv = APR_SUCCESS;

    apr_thread_mutex_lock(q->mutex);
    while (!q->terminated && q->npools == 0 && rv == APR_SUCCESS) {
        apr_time_t now = apr_time_now();

        if (now >= deadline) {
            rv = APR_TIMEUP;
            break;
        }
        rv = apr_thread_cond_timedwait(q->pool_free, q->mutex, deadline - now);
        if (APR_STATUS_IS_TIMEUP(rv)) {
            rv = APR_SUCCESS; /* the loop looks at the deadline again */
        }
    }
    if (q->terminated) {
        rv = APR_EOF;
    } else if (rv == APR_SUCCESS) {
        *ptrans = q->pools[--q->npools];
    }
    apr_thread_mutex_unlock(q->mutex);
    return rv;
}

apr_status_t worker_queue_push(worker_queue_t *q, apr_socket_t *sd, apr_pool_t *ptrans)
{
    apr_status_t rv = APR_SUCCESS;

    apr_thread_mutex_lock(q->mutex);
    if (q->terminated) {
        rv = APR_EOF;
    } else if (q->count == q->capacity) {
        rv = APR_ENOSPC;
    } else {
        queue_item_t *it = &q->items[(q->head + q->count) % q->capacity];

        it->sd = sd;
        it->ptrans = ptrans;
        q->count++;
        apr_thread_cond_signal(q->not_empty);
    }
    apr_thread_mutex_unlock(q->mutex);
    return rv;
}

apr_status_t worker_queue_pop(worker_queue_t *q, apr_socket_t **sd, apr_pool_t **ptrans)
{
    apr_status_t rv = APR_SUCCESS;

    apr_thread_mutex_lock(q->mutex);
    while (q->count == 0 && !q->terminated) {
        apr_thread_cond_wait(q->not_empty, q->mutex);
    }
    if (q->count == 0) {
        rv = APR_EOF;
    } else {
        *sd = q->items[q->head].sd;
        *ptrans = q->items[q->head].ptrans;
        q->head = (q->head + 1) % q->capacity;
        q->count--;
    }
    apr_thread_mutex_unlock(q->mutex);
    return rv;
}

void worker_queue_terminate(worker_queue_t *q)
{
    apr_thread_mutex_lock(q->mutex);
    q->terminated = 1;
    apr_thread_cond_broadcast(q->not_empty);
    apr_thread_cond_broadcast(q->pool_free);
    apr_thread_mutex_unlock(q->mutex);
}
