/* The listener-to-workers hand-off (mpm/worker/fdqueue.c): order, the pool accounting
 * that lets the listener accept only when a worker is free, and terminate. */
#include <check.h>
#include <stdlib.h>

#include <apr_general.h>
#include <apr_thread_proc.h>

#include "fdqueue.h"
#include "../../check_run.h"

static apr_pool_t *pool;

/* Stand-ins: the queue never looks inside sockets or pools. */
static apr_socket_t *fake_sock(int i)
{
    static char socks[8];
    return (apr_socket_t *)&socks[i];
}

static apr_pool_t *fake_pool(int i)
{
    static char pools[8];
    return (apr_pool_t *)&pools[i];
}

KVU_POOL_CASE(queue_case, "queue", pool);

KVC_TEST(queue_case, test_fifo_order)
{
    worker_queue_t *q;
    apr_socket_t *sd;
    apr_pool_t *p;

    ck_assert_int_eq(worker_queue_create(&q, 3, pool), APR_SUCCESS);
    for (int round = 0; round < 3; round++) { /* wraps around the ring */
        ck_assert_int_eq(worker_queue_push(q, fake_sock(0), fake_pool(0)), APR_SUCCESS);
        ck_assert_int_eq(worker_queue_push(q, fake_sock(1), fake_pool(1)), APR_SUCCESS);
        ck_assert_int_eq(worker_queue_pop(q, &sd, &p), APR_SUCCESS);
        ck_assert_ptr_eq(sd, fake_sock(0));
        ck_assert_ptr_eq(p, fake_pool(0));
        ck_assert_int_eq(worker_queue_pop(q, &sd, &p), APR_SUCCESS);
        ck_assert_ptr_eq(sd, fake_sock(1));
    }
}
END_TEST

KVC_TEST(queue_case, test_full_queue_refuses)
{
    worker_queue_t *q;

    ck_assert_int_eq(worker_queue_create(&q, 1, pool), APR_SUCCESS);
    ck_assert_int_eq(worker_queue_push(q, fake_sock(0), fake_pool(0)), APR_SUCCESS);
    ck_assert_int_eq(worker_queue_push(q, fake_sock(1), fake_pool(1)), APR_ENOSPC);
}
END_TEST

/* No idle pool means no free worker: the listener waits, then gets APR_TIMEUP. */
KVC_TEST(queue_case, test_pools_bound_accepts)
{
    worker_queue_t *q;
    apr_pool_t *p;

    ck_assert_int_eq(worker_queue_create(&q, 2, pool), APR_SUCCESS);
    worker_queue_put_pool(q, fake_pool(0));
    worker_queue_put_pool(q, fake_pool(1));
    ck_assert_int_eq(worker_queue_get_pool(q, &p, apr_time_from_msec(10)), APR_SUCCESS);
    ck_assert_int_eq(worker_queue_get_pool(q, &p, apr_time_from_msec(10)), APR_SUCCESS);
    ck_assert(APR_STATUS_IS_TIMEUP(worker_queue_get_pool(q, &p, apr_time_from_msec(20))));
    worker_queue_put_pool(q, fake_pool(1));
    ck_assert_int_eq(worker_queue_get_pool(q, &p, apr_time_from_msec(10)), APR_SUCCESS);
    ck_assert_ptr_eq(p, fake_pool(1));
}
END_TEST

/* Queued connections are still handed out after terminate; then every taker gets EOF. */
KVC_TEST(queue_case, test_terminate_drains_then_eof)
{
    worker_queue_t *q;
    apr_socket_t *sd;
    apr_pool_t *p;

    ck_assert_int_eq(worker_queue_create(&q, 2, pool), APR_SUCCESS);
    ck_assert_int_eq(worker_queue_push(q, fake_sock(0), fake_pool(0)), APR_SUCCESS);
    worker_queue_terminate(q);
    ck_assert_int_eq(worker_queue_push(q, fake_sock(1), fake_pool(1)), APR_EOF);
    ck_assert_int_eq(worker_queue_pop(q, &sd, &p), APR_SUCCESS);
    ck_assert_int_eq(worker_queue_pop(q, &sd, &p), APR_EOF);
    ck_assert_int_eq(worker_queue_get_pool(q, &p, apr_time_from_sec(5)), APR_EOF);
}
END_TEST

static void *APR_THREAD_FUNC popper(apr_thread_t *t, void *data)
{
    worker_queue_t *q = data;
    apr_socket_t *sd;
    apr_pool_t *p;
    apr_status_t rv = worker_queue_pop(q, &sd, &p);

    apr_thread_exit(t, rv);
    return NULL;
}

/* A worker blocked waiting for a connection wakes on terminate. */
KVC_TEST(queue_case, test_terminate_wakes_waiting_worker)
{
    worker_queue_t *q;
    apr_thread_t *t;
    apr_status_t rv;

    ck_assert_int_eq(worker_queue_create(&q, 2, pool), APR_SUCCESS);
    ck_assert_int_eq(apr_thread_create(&t, NULL, popper, q, pool), APR_SUCCESS);
    worker_queue_terminate(q);
    ck_assert_int_eq(apr_thread_join(&rv, t), APR_SUCCESS);
    ck_assert_int_eq(rv, APR_EOF);
}
END_TEST

int main(void)
{
    return kvc_run("worker_fdqueue");
}
