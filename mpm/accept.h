/* What the MPM modules share to take connections: transaction pools, and the accept of a
 * serving process (one blocking accept, or a poll over several listeners and, under -X,
 * the signal pipe), serialised across processes by an accept mutex when there are several
 * listeners. */
#ifndef KV_MPM_ACCEPT_H
#define KV_MPM_ACCEPT_H

#include <apr_network_io.h>
#include <apr_poll.h>
#include <apr_proc_mutex.h>

#include "kv_http.h"
#include "kv_listen.h"

/** How a serving process accepts. */
typedef struct {
    kv_server_t *s;
    apr_pool_t *pchild;
    apr_pollset_t *pollset;  /**< NULL: one listener and a blocking accept */
    apr_proc_mutex_t *mutex; /**< NULL: no serialising */
    int one_process;         /**< -X: the signal pipe is polled too */
    unsigned next;           /**< round robin over ready listeners */
    int failed;              /**< accepting cannot go on: the process stops serving */
} kv_acceptor_t;

/** A pool for one connection, with an allocator of its own that keeps at most 512 KB
 * free, so that a thread may use it while others use theirs. */
apr_status_t kv_accept_create_ptrans(apr_pool_t *parent, apr_pool_t **ptrans);

/** In a new child: create its pool under @a pconf, attach to the accept @a mutex (if any)
 * as a->mutex, switch to User and Group, run the child_init hooks. Ends the child with
 * KV_MPM_CHILD_FATAL if it cannot serve. Returns the child's pool. */
apr_pool_t *kv_acceptor_child_start(kv_acceptor_t *a, apr_pool_t *pconf, kv_server_t *s,
                                    apr_proc_mutex_t *mutex);

/** -X: this process serves as process slot 0 of the running generation, as a child would:
 * its pool under @a pconf in *pchild, then User and Group and the child_init hooks. Returns
 * APR_SUCCESS, or the error of switching identity (logged). Either way the caller ends
 * with kv_one_process_end. */
apr_status_t kv_one_process_start(apr_pool_t *pconf, kv_server_t *s, apr_pool_t **pchild);

/** -X: this process serves no more; destroys @a pchild. */
void kv_one_process_end(apr_pool_t *pchild);

/** Set @a a up in @a pchild; the caller has set s, mutex and one_process. */
apr_status_t kv_acceptor_init(kv_acceptor_t *a, apr_pool_t *pchild);

/** Set @a a up in @a pool, as kv_acceptor_init, with a connection pool for it in *ptrans.
 * Logs and returns the error if it cannot. */
apr_status_t kv_acceptor_setup(kv_acceptor_t *a, apr_pool_t *pool, apr_pool_t **ptrans);

/** Must the process that accepts with @a a stop serving? When accepting failed for good; a
 * child when the parent asked it to finish; under -X on any signal of the parent's kind,
 * whose kv_mpm_result_t then goes to *result (else -1). */
int kv_acceptor_stopping(kv_acceptor_t *a, int *result);

/** Deal with an error of accepting on @a lr (NULL if unknown): ignore what concerns one
 * connection only, pause on want of resources, else log and set a->failed. */
void kv_acceptor_failed(kv_acceptor_t *a, apr_status_t rv, const kv_listen_rec_t *lr);

/** Accept one connection into @a ptrans. Returns APR_SUCCESS, or an error already dealt
 * with: logged when it matters, a->failed set when accepting cannot go on. */
apr_status_t kv_acceptor_accept(kv_acceptor_t *a, apr_pool_t *ptrans, apr_socket_t **csd);

/** Serve @a csd, accepted into @a ptrans, to its end as the one worker of process slot
 * @a slot (its scoreboard status and connection count kept), then clear @a ptrans. For the
 * MPMs whose processes serve one connection at a time. */
void kv_acceptor_serve_connection(kv_server_t *s, apr_pool_t *ptrans, apr_socket_t *csd, int slot);

#endif
