/* Taking connections, as every MPM does it (see accept.h). */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <apr_allocator.h>
#include <apr_portable.h>

#include "accept.h"
#include "kv_connection.h"
#include "kv_hooks.h"
#include "kv_listen.h"
#include "kv_log.h"
#include "kv_mpm.h"
#include "kv_mpm_common.h"
#include "kv_scoreboard.h"

#define KV_LOG_MODULE "mpm"

/* Free memory a connection's pool keeps between connections. */
#define PTRANS_MAX_FREE (512 * 1024)
/* How long a process waits for the accept mutex before it looks whether it must exit. */
#define LOCK_TICK apr_time_from_sec(1)
/* Pause of a process whose accept fails for want of descriptors or memory. */
#define RESOURCE_PAUSE apr_time_from_msec(500)

apr_status_t kv_accept_create_ptrans(apr_pool_t *parent, apr_pool_t **ptrans)
{
    apr_allocator_t *allocator;
    apr_status_t rv = apr_allocator_create(&allocator);

    if (rv != APR_SUCCESS) {
        return rv;
    }
    apr_allocator_max_free_set(allocator, PTRANS_MAX_FREE);
    rv = apr_pool_create_ex(ptrans, parent, NULL, allocator);
    if (rv != APR_SUCCESS) {
        apr_allocator_destroy(allocator);
        return rv;
    }
    apr_allocator_owner_set(allocator, *ptrans);
    apr_pool_tag(*ptrans, "transaction");
    return APR_SUCCESS;
}

apr_pool_t *kv_acceptor_child_start(kv_acceptor_t *a, apr_pool_t *pconf, kv_server_t *s,
                                    apr_proc_mutex_t *mutex)
{
    apr_pool_t *pchild;

    apr_pool_create(&pchild, pconf);
    apr_pool_tag(pchild, "pchild");
    /* The mutex first: a lock file of another mechanism may be root's. */
    a->mutex = mutex;
    if (a->mutex) {
        apr_status_t rv =
            apr_proc_mutex_child_init(&a->mutex, apr_proc_mutex_lockfile(a->mutex), pchild);
        if (rv != APR_SUCCESS) {
            kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, rv, s,
                         "KV00431: could not attach to the accept mutex");
            kv_mpm_child_exit(pchild, KV_MPM_CHILD_FATAL);
        }
    }
    if (kv_mpm_change_identity(s) != APR_SUCCESS) {
        kv_mpm_child_exit(pchild, KV_MPM_CHILD_FATAL);
    }
    kv_run_child_init(pchild, s);
    return pchild;
}

apr_status_t kv_one_process_start(apr_pool_t *pconf, kv_server_t *s, apr_pool_t **pchild)
{
    kv_sb_process_t *proc = kv_scoreboard_process(0);
    apr_status_t rv;

    proc->pid = getpid();
    proc->generation = kv_my_generation;
    apr_pool_create(pchild, pconf);
    apr_pool_tag(*pchild, "pchild");
    rv = kv_mpm_change_identity(s);
    if (rv == APR_SUCCESS) {
        kv_run_child_init(*pchild, s);
    }
    return rv;
}

void kv_one_process_end(apr_pool_t *pchild)
{
    kv_scoreboard_process(0)->pid = 0;
    apr_pool_destroy(pchild);
}

static apr_status_t pollset_add(apr_pollset_t *ps, apr_pool_t *p, apr_datatype_e type, void *desc,
                                void *data)
{
    apr_pollfd_t pfd = {0};

    pfd.p = p;
    pfd.desc_type = type;
    pfd.reqevents = APR_POLLIN;
    if (type == APR_POLL_SOCKET) {
        pfd.desc.s = desc;
    } else {
        pfd.desc.f = desc;
    }
    pfd.client_data = data;
    return apr_pollset_add(ps, &pfd);
}

/* Several listeners, or -X (which also watches the signal pipe), need a poll before the
 * accept. Plain poll(2), because a child retires its listeners by putting /dev/null in
 * their place, which poll sees at once. */
/* An event child of an earlier generation may have made the listeners non-blocking (the flag
 * is the socket's, shared by every process); this accept waits. */
static void make_listeners_blocking(void)
{
    for (kv_listen_rec_t *lr = kv_listeners; lr; lr = lr->next) {
        apr_os_sock_t sd;
        int flags;

        if (lr->sd && apr_os_sock_get(&sd, lr->sd) == APR_SUCCESS &&
            (flags = fcntl(sd, F_GETFL)) >= 0 && (flags & O_NONBLOCK)) {
            fcntl(sd, F_SETFL, flags & ~O_NONBLOCK);
        }
    }
}

apr_status_t kv_acceptor_init(kv_acceptor_t *a, apr_pool_t *pchild)
{
    apr_status_t rv;

    a->pchild = pchild;
    make_listeners_blocking();
    if (kv_listeners_count() < 2 && !a->one_process) {
        return APR_SUCCESS;
    }
    rv = apr_pollset_create_ex(&a->pollset, (apr_uint32_t)kv_listeners_count() + 1, pchild, 0,
                               APR_POLLSET_POLL);
    for (kv_listen_rec_t *lr = kv_listeners; lr && rv == APR_SUCCESS; lr = lr->next) {
        rv = pollset_add(a->pollset, pchild, APR_POLL_SOCKET, lr->sd, lr);
    }
    if (rv == APR_SUCCESS && a->one_process) {
        rv = pollset_add(a->pollset, pchild, APR_POLL_FILE, kv_mpm_wakeup_pipe(), NULL);
    }
    return rv;
}

apr_status_t kv_acceptor_setup(kv_acceptor_t *a, apr_pool_t *pool, apr_pool_t **ptrans)
{
    apr_status_t rv = kv_accept_create_ptrans(pool, ptrans);

    if (rv == APR_SUCCESS) {
        rv = kv_acceptor_init(a, pool);
    }
    if (rv != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, rv, a->s,
                     "KV00427: could not set up the accept loop");
    }
    return rv;
}

int kv_acceptor_stopping(kv_acceptor_t *a, int *result)
{
    if (a->failed) {
        return 1;
    }
    if (!a->one_process) {
        return kv_mpm_child_exiting();
    }
    *result = kv_mpm_take_signal();
    return *result >= 0;
}

static apr_status_t accept_lock(kv_acceptor_t *a)
{
    apr_status_t rv;

    if (!a->mutex) {
        return APR_SUCCESS;
    }
    /* Timed, so that a child told to exit while it waits for the mutex notices. */
    while (!kv_mpm_child_exiting()) {
        rv = apr_proc_mutex_timedlock(a->mutex, LOCK_TICK);
        if (rv == APR_ENOTIMPL) {
            return apr_proc_mutex_lock(a->mutex);
        }
        if (!APR_STATUS_IS_TIMEUP(rv) && !APR_STATUS_IS_EINTR(rv)) {
            return rv;
        }
    }
    return APR_EINTR;
}

/* The listener to accept on: the only one, or one that poll found ready. */
static apr_status_t wait_for_listener(kv_acceptor_t *a, kv_listen_rec_t **lr)
{
    const apr_pollfd_t *ready;
    apr_int32_t n;
    apr_status_t rv;

    if (!a->pollset) {
        *lr = kv_listeners;
        return APR_SUCCESS;
    }
    rv = apr_pollset_poll(a->pollset, -1, &n, &ready);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    for (apr_int32_t i = 0; i < n; i++) {
        if (!ready[i].client_data) {
            kv_mpm_wait_event(0); /* -X: a signal; the caller looks at it */
            return APR_EINTR;
        }
    }
    *lr = ready[a->next++ % (unsigned)n].client_data;
    return APR_SUCCESS;
}

/* Errors of accept that concern one connection only (it went away before we took it). */
static int accept_error_is_transient(apr_status_t rv)
{
    static const int transient[] = {EPROTO,     ENETDOWN,    EHOSTDOWN,   ENOPROTOOPT,
                                    EOPNOTSUPP, ENETUNREACH, EHOSTUNREACH};

    if (APR_STATUS_IS_EINTR(rv) || APR_STATUS_IS_EAGAIN(rv) || APR_STATUS_IS_ECONNABORTED(rv) ||
        APR_STATUS_IS_ECONNRESET(rv) || APR_STATUS_IS_ETIMEDOUT(rv) || APR_STATUS_IS_TIMEUP(rv)) {
        return 1;
    }
    for (size_t i = 0; i < sizeof(transient) / sizeof(transient[0]); i++) {
        if (rv == APR_FROM_OS_ERROR(transient[i])) {
            return 1;
        }
    }
    return 0;
}

static int accept_error_is_resource(apr_status_t rv)
{
    return rv == APR_FROM_OS_ERROR(EMFILE) || rv == APR_FROM_OS_ERROR(ENFILE) ||
           rv == APR_FROM_OS_ERROR(ENOBUFS) || rv == APR_FROM_OS_ERROR(ENOMEM);
}

void kv_acceptor_failed(kv_acceptor_t *a, apr_status_t rv, const kv_listen_rec_t *lr)
{
    if (kv_mpm_child_exiting() || accept_error_is_transient(rv)) {
        return;
    }
    if (APR_STATUS_IS_EINVAL(rv)) {
        /* The socket no longer listens: the parent shut it down because the server stops
         * (kv_shutdown_listeners), and the signal that says so may come a moment later.
         * Finish what this process serves, as if told to. */
        kv_mpm_child_finish();
        return;
    }
    if (accept_error_is_resource(rv)) {
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, rv, a->s,
                     "KV00428: accept on %s failed for want of resources; pausing",
                     lr ? lr->text : "a listener");
        apr_sleep(RESOURCE_PAUSE);
        return;
    }
    kv_log_error(KV_LOG_MARK, KV_LOG_ERR, rv, a->s,
                 "KV00429: accept on %s failed; this process stops serving",
                 lr ? lr->text : "a listener");
    a->failed = 1;
}

apr_status_t kv_acceptor_accept(kv_acceptor_t *a, apr_pool_t *ptrans, apr_socket_t **csd)
{
    kv_listen_rec_t *lr = NULL;
    apr_status_t rv = accept_lock(a);

    if (rv != APR_SUCCESS) {
        if (!kv_mpm_child_exiting()) {
            kv_log_error(KV_LOG_MARK, KV_LOG_ERR, rv, a->s,
                         "KV00430: could not take the accept mutex; child exiting");
            a->failed = 1;
        }
        return rv;
    }
    rv = wait_for_listener(a, &lr);
    if (rv == APR_SUCCESS) {
        rv = apr_socket_accept(csd, lr->sd, ptrans);
    }
    if (a->mutex) {
        apr_proc_mutex_unlock(a->mutex);
    }
    if (rv != APR_SUCCESS) {
        kv_acceptor_failed(a, rv, lr);
    }
    return rv;
}

void kv_acceptor_serve_connection(kv_server_t *s, apr_pool_t *ptrans, apr_socket_t *csd, int slot)
{
    int sb_slot = slot * kv_scoreboard_thread_limit();
    kv_sb_worker_t *w = kv_scoreboard_worker(slot, 0);
    kv_conn_t *c;

    kv_scoreboard_update(sb_slot, KV_SB_READ, NULL);
    c = kv_create_connection(ptrans, s, csd, sb_slot, sb_slot);
    if (c) {
        kv_process_connection(c, csd);
    }
    if (w) {
        w->conn_count++;
    }
    apr_pool_clear(ptrans);
}
