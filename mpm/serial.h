/* A process that serves one connection at a time: accept, serve the connection to its end
 * (keep-alive included), clear its pool, accept again. It is what a single MPM child is, and
 * what a prefork child is; under -X the parent itself serves so. */
#ifndef KV_MPM_SERIAL_H
#define KV_MPM_SERIAL_H

#include <apr_proc_mutex.h>

#include "kv_http.h"
#include "parent.h"

/** Before forking the child of generation @a generation into process slot @a slot: the
 * slot shows it starting, and its worker's counters go to the retired totals. */
void kv_serial_claim_slot(int slot, int generation);

/** Fork a serving child of generation rs->generation into the free process slot @a slot,
 * accepting under @a mutex (NULL: none). If the fork fails, log it and hold off (see
 * kv_mpm_fork_failed) and return the error. */
apr_status_t kv_serial_make_child(apr_pool_t *pconf, kv_server_t *s, apr_proc_mutex_t *mutex,
                                  int slot, kv_mpm_respawn_t *rs);

/** -X: serve in this process, as process slot 0, until a signal; returns the
 * kv_mpm_result_t it asks for, or KV_MPM_FAILED. The one_process of a kv_mpm_t (@a conf is
 * not needed). */
int kv_serial_one_process(apr_pool_t *pconf, kv_server_t *s, void *conf);

#endif
