/* A process that serves one connection at a time: accept, serve the connection to its end
 * (keep-alive included), clear its pool, accept again. It is what a single MPM child is, and
 * what a prefork child is; under -X the parent itself serves so. */
#ifndef KV_MPM_SERIAL_H
#define KV_MPM_SERIAL_H

#include <apr_proc_mutex.h>

#include "kv_http.h"
#include "accept.h"
#include "parent.h"

/** A serving process. */
typedef struct {
    kv_server_t *s;
    apr_pool_t *ptrans; /**< the connection's pool, cleared after each */
    kv_acceptor_t acc;  /**< acc.one_process: -X, the parent serves */
    int slot;           /**< process slot; its one worker is worker 0 */
    int result;         /**< -X: what the signal that ended serving asks for, else -1 */
} kv_serial_t;

/** Ready @a sv to serve in process slot @a slot from @a pchild; the caller has set
 * acc.one_process (and acc.mutex). Logs and returns the error if it cannot. */
apr_status_t kv_serial_init(kv_serial_t *sv, apr_pool_t *pchild, kv_server_t *s, int slot);

/** Accept and serve connections one at a time until told to stop (a child: the parent
 * asks it to finish; -X: a signal, kept in sv->result), accepting fails for good, or a
 * child has served MaxConnectionsPerChild connections. */
void kv_serial_serve(kv_serial_t *sv);

/** Before forking the child of generation @a generation into process slot @a slot: the
 * slot shows it starting, and its worker's counters go to the retired totals. */
void kv_serial_claim_slot(int slot, int generation);

/** Fork a serving child of generation rs->generation into the free process slot @a slot,
 * accepting under @a mutex (NULL: none). If the fork fails, log it and hold off (see
 * kv_mpm_fork_failed) and return the error. */
apr_status_t kv_serial_make_child(apr_pool_t *pconf, kv_server_t *s, apr_proc_mutex_t *mutex,
                                  int slot, kv_mpm_respawn_t *rs);

/** -X: serve in this process, as process slot 0, until a signal; returns the
 * kv_mpm_result_t it asks for, or KV_MPM_FAILED. */
int kv_serial_one_process(apr_pool_t *pconf, kv_server_t *s);

#endif
