/* A process that serves one connection at a time (see serial.h). */
#include <unistd.h>

#include "serial.h"
#include "kv_connection.h"
#include "kv_hooks.h"
#include "kv_log.h"
#include "kv_mpm.h"
#include "kv_mpm_common.h"
#include "kv_scoreboard.h"

#define KV_LOG_MODULE "mpm"

static int sb_slot_of(int slot)
{
    return slot * kv_scoreboard_thread_limit();
}

apr_status_t kv_serial_init(kv_serial_t *sv, apr_pool_t *pchild, kv_server_t *s, int slot)
{
    apr_status_t rv;

    sv->s = s;
    sv->slot = slot;
    sv->result = -1;
    sv->acc.s = s;
    rv = kv_accept_create_ptrans(pchild, &sv->ptrans);
    if (rv == APR_SUCCESS) {
        rv = kv_acceptor_init(&sv->acc, pchild);
    }
    if (rv != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, rv, s, "KV01030: could not set up the accept loop");
    }
    return rv;
}

/* A child stops when the parent tells it to (its listeners are gone then); under -X the
 * process stops on any signal of the parent's kind, and remembers it. */
static int time_to_stop(kv_serial_t *sv)
{
    if (sv->acc.failed) {
        return 1;
    }
    if (!sv->acc.one_process) {
        return kv_mpm_child_exiting();
    }
    sv->result = kv_mpm_take_signal();
    return sv->result >= 0;
}

void kv_serial_serve(kv_serial_t *sv)
{
    while (!time_to_stop(sv)) {
        apr_socket_t *csd = NULL;

        kv_scoreboard_update(sb_slot_of(sv->slot), KV_SB_READY, NULL);
        if (kv_acceptor_accept(&sv->acc, sv->ptrans, &csd) != APR_SUCCESS) {
            continue;
        }
        kv_acceptor_serve_connection(sv->s, sv->ptrans, csd, sv->slot);
        if (!sv->acc.one_process && kv_mpm_count_connection()) {
            return; /* MaxConnectionsPerChild: the parent starts a fresh child */
        }
    }
}

void kv_serial_claim_slot(int slot, int generation)
{
    kv_sb_process_t *proc = kv_scoreboard_process(slot);

    proc->pid = 0;
    proc->generation = generation;
    proc->quiescing = 0;
    kv_scoreboard_retire_worker(slot, 0);
    kv_scoreboard_worker(slot, 0)->generation = generation;
    kv_scoreboard_update(sb_slot_of(slot), KV_SB_STARTING, NULL);
}

void kv_serial_child_main(apr_pool_t *pconf, kv_server_t *s, apr_proc_mutex_t *mutex, int slot)
{
    kv_serial_t sv = {0};
    apr_pool_t *pchild = kv_acceptor_child_start(&sv.acc, pconf, s, mutex);

    if (kv_serial_init(&sv, pchild, s, slot) != APR_SUCCESS) {
        kv_mpm_child_exit(pchild, KV_MPM_CHILD_FATAL);
    }
    kv_serial_serve(&sv);
    kv_mpm_child_exit(pchild, 0);
}

int kv_serial_one_process(apr_pool_t *pconf, kv_server_t *s)
{
    kv_sb_process_t *proc = kv_scoreboard_process(0);
    kv_serial_t sv = {.acc.one_process = 1};
    apr_pool_t *pchild;
    int result = KV_MPM_FAILED;

    proc->pid = getpid();
    proc->generation = kv_my_generation;
    apr_pool_create(&pchild, pconf);
    apr_pool_tag(pchild, "pchild");
    if (kv_mpm_change_identity(s) == APR_SUCCESS) {
        kv_run_child_init(pchild, s);
        if (kv_serial_init(&sv, pchild, s, 0) == APR_SUCCESS) {
            kv_serial_serve(&sv);
            result = sv.acc.failed ? KV_MPM_FAILED : sv.result;
        }
    }
    proc->pid = 0;
    kv_scoreboard_update(sb_slot_of(0), KV_SB_DEAD, NULL);
    apr_pool_destroy(pchild);
    return result;
}
