/* A process that serves one connection at a time (see serial.h). */
#include <unistd.h>

#include "serial.h"
#include "accept.h"
#include "kv_connection.h"
#include "kv_hooks.h"
#include "kv_mpm.h"
#include "kv_mpm_common.h"
#include "kv_scoreboard.h"

/* A serving process. */
typedef struct {
    kv_server_t *s;
    apr_pool_t *ptrans; /* the connection's pool, cleared after each */
    kv_acceptor_t acc;  /* acc.one_process: -X, the parent serves */
    int slot;           /* process slot; its one worker is worker 0 */
    int result;         /* -X: what the signal that ended serving asks for, else -1 */
} serial_t;

static int sb_slot_of(int slot)
{
    return slot * kv_scoreboard_thread_limit();
}

/* Ready @a sv to serve in process slot @a slot from @a pchild; the caller has set
 * acc.one_process (and acc.mutex). Logs and returns the error if it cannot. */
static apr_status_t serial_init(serial_t *sv, apr_pool_t *pchild, kv_server_t *s, int slot)
{
    sv->s = s;
    sv->slot = slot;
    sv->result = -1;
    sv->acc.s = s;
    return kv_acceptor_setup(&sv->acc, pchild, &sv->ptrans);
}

/* Accept and serve connections one at a time until told to stop (a child: the parent asks
 * it to finish; -X: a signal, kept in sv->result), accepting fails for good, or a child has
 * served MaxConnectionsPerChild connections. */
static void serial_serve(serial_t *sv)
{
    while (!kv_acceptor_stopping(&sv->acc, &sv->result)) {
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

/* In a new child: start it (with the accept @a mutex), serve in process slot @a slot, and
 * exit: 0, or KV_MPM_CHILD_FATAL if it could not serve at all. */
static void child_main(apr_pool_t *pconf, kv_server_t *s, apr_proc_mutex_t *mutex, int slot)
    __attribute__((noreturn));

static void child_main(apr_pool_t *pconf, kv_server_t *s, apr_proc_mutex_t *mutex, int slot)
{
    serial_t sv = {0};
    apr_pool_t *pchild = kv_acceptor_child_start(&sv.acc, pconf, s, mutex);

    if (serial_init(&sv, pchild, s, slot) != APR_SUCCESS) {
        kv_mpm_child_exit(pchild, KV_MPM_CHILD_FATAL);
    }
    serial_serve(&sv);
    kv_mpm_child_exit(pchild, 0);
}

apr_status_t kv_serial_make_child(apr_pool_t *pconf, kv_server_t *s, apr_proc_mutex_t *mutex,
                                  int slot, kv_mpm_respawn_t *rs)
{
    apr_proc_t child;
    apr_status_t rv;

    kv_serial_claim_slot(slot, rs->generation);
    rv = kv_mpm_fork(&child, pconf);
    if (rv == APR_INCHILD) {
        child_main(pconf, s, mutex, slot);
    }
    if (rv != APR_INPARENT) {
        kv_scoreboard_worker(slot, 0)->status = KV_SB_DEAD;
        kv_mpm_fork_failed(s, rv, rs);
        return rv;
    }
    kv_scoreboard_process(slot)->pid = child.pid;
    return APR_SUCCESS;
}

int kv_serial_one_process(apr_pool_t *pconf, kv_server_t *s, void *conf)
{
    serial_t sv = {.acc.one_process = 1};
    apr_pool_t *pchild;
    int result = KV_MPM_FAILED;

    (void)conf;
    if (kv_one_process_start(pconf, s, &pchild) == APR_SUCCESS &&
        serial_init(&sv, pchild, s, 0) == APR_SUCCESS) {
        serial_serve(&sv);
        result = sv.acc.failed ? KV_MPM_FAILED : sv.result;
    }
    kv_scoreboard_update(sb_slot_of(0), KV_SB_DEAD, NULL);
    kv_one_process_end(pchild);
    return result;
}
