/* The scoreboard: process and worker slots in anonymous shared memory that the parent and
 * every child of every generation share. */
#include <string.h>

#include <apr_shm.h>
#include <apr_strings.h>

#include "kv_scoreboard.h"

/* What retired workers served, kept in the shared memory with the slots. */
typedef struct {
    unsigned long accesses;
    apr_off_t bytes;
} retired_t;

/* The one scoreboard of the process: the process slots, the worker slots, then the
 * retired workers' totals. */
static struct {
    apr_shm_t *shm;
    retired_t *retired;
    kv_sb_process_t *procs;
    kv_sb_worker_t *workers;
    int server_limit;
    int thread_limit;
    char mpm[32]; /* the MPM that made it */
} sb;

/* The parent's history; children inherit it when forked. */
static struct {
    apr_time_t start;
    apr_time_t restart;
    unsigned long restarts[KV_SB_RESTART_KINDS];
} history;

/* The scoreboard goes with the pool it was made in; forget it then. */
static apr_status_t scoreboard_forget(void *unused)
{
    (void)unused;
    sb.shm = NULL;
    sb.procs = NULL;
    sb.workers = NULL;
    sb.retired = NULL;
    sb.server_limit = 0;
    sb.thread_limit = 0;
    sb.mpm[0] = '\0';
    return APR_SUCCESS;
}

KV_DECLARE(apr_status_t)
kv_scoreboard_create(apr_pool_t *pglobal, int server_limit, int thread_limit)
{
    apr_size_t procs_size, workers_size, size;
    apr_status_t rv;

    if (sb.shm) {
        return server_limit == sb.server_limit && thread_limit == sb.thread_limit ? APR_SUCCESS
                                                                                  : APR_EINVAL;
    }
    if (server_limit < 1 || thread_limit < 1) {
        return APR_EINVAL;
    }
    procs_size = APR_ALIGN_DEFAULT(sizeof(kv_sb_process_t) * (apr_size_t)server_limit);
    workers_size =
        APR_ALIGN_DEFAULT(sizeof(kv_sb_worker_t) * (apr_size_t)server_limit * thread_limit);
    size = procs_size + workers_size + sizeof(retired_t);
    rv = apr_shm_create(&sb.shm, size, NULL, pglobal);
    if (rv != APR_SUCCESS) {
        sb.shm = NULL;
        return rv;
    }
    sb.procs = apr_shm_baseaddr_get(sb.shm);
    memset(sb.procs, 0, size);
    sb.workers = (kv_sb_worker_t *)((char *)sb.procs + procs_size);
    sb.retired = (retired_t *)((char *)sb.workers + workers_size);
    sb.server_limit = server_limit;
    sb.thread_limit = thread_limit;
    if (!history.start) {
        history.start = apr_time_now();
        history.restart = history.start;
    }
    apr_pool_cleanup_register(pglobal, NULL, scoreboard_forget, apr_pool_cleanup_null);
    return APR_SUCCESS;
}

/* Add what the workers in the current slots served to the retired totals. */
static retired_t all_served(void)
{
    retired_t t = *sb.retired;

    for (int i = 0; i < sb.server_limit * sb.thread_limit; i++) {
        t.accesses += sb.workers[i].access_count;
        t.bytes += sb.workers[i].bytes_served;
    }
    return t;
}

/* Another MPM made the scoreboard: make one of this MPM's limits, keeping the totals and
 * the process slots of the children still alive (they finish in their own copy of the old
 * one), so that the parent still reaps and signals them. */
static apr_status_t replace(apr_pool_t *pglobal, int server_limit, int thread_limit)
{
    retired_t totals = all_served();
    int old_limit = sb.server_limit, kept = 0;
    kv_sb_process_t *live;
    apr_pool_t *ptemp;
    apr_status_t rv = apr_pool_create(&ptemp, pglobal);

    if (rv != APR_SUCCESS) {
        return rv;
    }
    live = apr_pcalloc(ptemp, sizeof(*live) * (apr_size_t)old_limit);
    for (int i = 0; i < old_limit; i++) {
        if (sb.procs[i].pid != 0) {
            live[kept++] = sb.procs[i];
        }
    }
    apr_shm_destroy(sb.shm);
    apr_pool_cleanup_kill(pglobal, NULL, scoreboard_forget);
    scoreboard_forget(NULL);
    rv = kv_scoreboard_create(pglobal, server_limit, thread_limit);
    if (rv == APR_SUCCESS) {
        *sb.retired = totals;
        for (int i = 0; i < kept && i < server_limit; i++) {
            sb.procs[i] = live[i];
            sb.procs[i].quiescing = 1;
        }
    }
    apr_pool_destroy(ptemp);
    return rv;
}

KV_DECLARE(apr_status_t)
kv_scoreboard_create_for(apr_pool_t *pglobal, const char *mpm, int server_limit, int thread_limit)
{
    apr_status_t rv;

    if (sb.shm && strcmp(sb.mpm, mpm) != 0 && server_limit >= 1 && thread_limit >= 1) {
        rv = replace(pglobal, server_limit, thread_limit);
    } else {
        rv = kv_scoreboard_create(pglobal, server_limit, thread_limit);
    }
    if (sb.shm) {
        apr_cpystrn(sb.mpm, mpm, sizeof(sb.mpm));
    }
    return rv;
}

KV_DECLARE(int) kv_scoreboard_server_limit(void)
{
    return sb.server_limit;
}

KV_DECLARE(int) kv_scoreboard_thread_limit(void)
{
    return sb.thread_limit;
}

KV_DECLARE(kv_sb_process_t *) kv_scoreboard_process(int i)
{
    if (i < 0 || i >= sb.server_limit) {
        return NULL;
    }
    return &sb.procs[i];
}

KV_DECLARE(kv_sb_worker_t *) kv_scoreboard_worker(int proc, int thread)
{
    if (proc < 0 || proc >= sb.server_limit || thread < 0 || thread >= sb.thread_limit) {
        return NULL;
    }
    return &sb.workers[proc * sb.thread_limit + thread];
}

/* The worker of a connection's slot number, or NULL for -1 or out of range. */
static kv_sb_worker_t *worker_of_slot(int slot)
{
    if (slot < 0 || slot >= sb.server_limit * sb.thread_limit) {
        return NULL;
    }
    return &sb.workers[slot];
}

KV_DECLARE(void) kv_scoreboard_update(int slot, kv_sb_status_t status, const kv_request_t *r)
{
    kv_sb_worker_t *w = worker_of_slot(slot);

    if (!w) {
        return;
    }
    w->status = status;
    if (r) {
        w->last_used = r->request_time;
        const char *client = r->connection ? r->connection->client_ip : NULL;

        apr_cpystrn(w->client, client ? client : "", sizeof(w->client));
        apr_cpystrn(w->request, r->the_request ? r->the_request : "", sizeof(w->request));
    }
}

KV_DECLARE(void) kv_scoreboard_count_request(int slot, apr_off_t bytes)
{
    kv_sb_worker_t *w = worker_of_slot(slot);

    if (!w) {
        return;
    }
    w->access_count++;
    w->bytes_served += bytes;
}

KV_DECLARE(void) kv_scoreboard_retire_worker(int proc, int thread)
{
    kv_sb_worker_t *w = kv_scoreboard_worker(proc, thread);

    if (!w) {
        return;
    }
    sb.retired->accesses += w->access_count;
    sb.retired->bytes += w->bytes_served;
    w->access_count = 0;
    w->bytes_served = 0;
    w->conn_count = 0;
}

KV_DECLARE(void) kv_scoreboard_retired(unsigned long *accesses, apr_off_t *bytes)
{
    *accesses = sb.retired ? sb.retired->accesses : 0;
    *bytes = sb.retired ? sb.retired->bytes : 0;
}

static int known_kind(kv_sb_restart_kind_t kind)
{
    return (int)kind >= 0 && (int)kind < KV_SB_RESTART_KINDS;
}

KV_DECLARE(void) kv_scoreboard_note_restart(kv_sb_restart_kind_t kind)
{
    if (!known_kind(kind)) {
        return;
    }
    history.restarts[kind]++;
    history.restart = apr_time_now();
}

KV_DECLARE(unsigned long) kv_scoreboard_restarts(kv_sb_restart_kind_t kind)
{
    return !known_kind(kind) ? 0 : history.restarts[kind];
}

KV_DECLARE(apr_time_t) kv_scoreboard_start_time(void)
{
    return history.start;
}

KV_DECLARE(apr_time_t) kv_scoreboard_restart_time(void)
{
    return history.restart;
}
