/* The shared part of the threaded MPMs (see threaded.h): configuration and the parent.
 *
 * The parent is prefork's (spare_parent.c), counting threads instead of children: once a
 * second it reaps, replaces children that died unasked, and keeps the idle threads of the
 * running generation between MinSpareThreads and MaxSpareThreads by starting or retiring
 * whole children. */
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "kv_http.h"
#include "kv_log.h"
#include "kv_mpm.h"
#include "kv_mpm_common.h"
#include "kv_scoreboard.h"
#include "policy/warnings.h"
#include "spare_parent.h"
#include "threaded.h"

/* Logged as the MPM module this copy of the code serves. */
#define KV_LOG_MODULE kv_mpm_log_name()

/* httpd worker's and event's defaults. */
#define DEFAULT_START_SERVERS 3
#define DEFAULT_SERVER_LIMIT 16
#define DEFAULT_THREADS_PER_CHILD 25
#define DEFAULT_THREAD_LIMIT 64
#define DEFAULT_MIN_SPARE 75
#define DEFAULT_MAX_SPARE 250

/* ---- Configuration ---- */

/* The threaded MPM this copy of the code serves. */
static const threaded_mpm_t *mpm(void)
{
    return (const threaded_mpm_t *)kv_mpm_current();
}

void threaded_init_conf(void *conf)
{
    threaded_conf_t *c = conf;

    c->set.start_servers = KV_UNSET_INT;
    c->set.server_limit = KV_UNSET_INT;
    c->set.threads_per_child = KV_UNSET_INT;
    c->set.thread_limit = KV_UNSET_INT;
    c->set.max_workers = KV_UNSET_INT;
    c->set.min_spare = KV_UNSET_INT;
    c->set.max_spare = KV_UNSET_INT;
}

/* The configured limits with defaults applied, not yet brought into range. MaxRequestWorkers
 * defaults to ServerLimit x ThreadsPerChild, as httpd's 400 is 16 x 25. */
void threaded_apply_defaults(void *conf)
{
    const worker_limits_t *set = &((threaded_conf_t *)conf)->set;
    worker_limits_t *l = &((threaded_conf_t *)conf)->run;

    l->start_servers = KV_MERGE_INT(set->start_servers, KV_UNSET_INT, DEFAULT_START_SERVERS);
    l->server_limit = KV_MERGE_INT(set->server_limit, KV_UNSET_INT, DEFAULT_SERVER_LIMIT);
    l->threads_per_child =
        KV_MERGE_INT(set->threads_per_child, KV_UNSET_INT, DEFAULT_THREADS_PER_CHILD);
    l->thread_limit = KV_MERGE_INT(set->thread_limit, KV_UNSET_INT, DEFAULT_THREAD_LIMIT);
    l->max_workers = KV_MERGE_INT(set->max_workers, KV_UNSET_INT,
                                  DEFAULT_SERVER_LIMIT * DEFAULT_THREADS_PER_CHILD);
    l->min_spare = KV_MERGE_INT(set->min_spare, KV_UNSET_INT, DEFAULT_MIN_SPARE);
    l->max_spare = KV_MERGE_INT(set->max_spare, KV_UNSET_INT, DEFAULT_MAX_SPARE);
}

void threaded_fix_limits(void *conf, kv_server_t *s)
{
    threaded_conf_t *c = conf;
    worker_limits_t was = c->run;

    worker_warn_fixes(KV_LOG_MODULE, s, &was, &c->run, worker_limits_fix(&c->run));
}

void threaded_caps(const void *conf, kv_mpm_caps_t *caps)
{
    const worker_limits_t *l = &((const threaded_conf_t *)conf)->run;

    caps->threaded = 1;
    caps->forked = 1;
    caps->async = mpm()->is_async;
    caps->max_daemons = l->server_limit;
    caps->max_threads = l->threads_per_child;
    caps->max_workers = l->max_workers;
}

/* ---- The parent ---- */

static const worker_limits_t *limits_of(const kv_spare_parent_t *pp)
{
    return pp->limits;
}

static void reset_workers(kv_spare_parent_t *pp, int slot)
{
    int limit = kv_scoreboard_thread_limit();

    for (int t = 0; t < limits_of(pp)->threads_per_child; t++) {
        kv_sb_worker_t *w = kv_scoreboard_worker(slot, t);

        w->generation = pp->rs.generation;
        w->access_count = 0;
        w->conn_count = 0;
        w->bytes_served = 0;
        kv_scoreboard_update(slot * limit + t, KV_SB_STARTING, NULL);
    }
}

static apr_status_t make_child(kv_spare_parent_t *pp, int slot)
{
    kv_sb_process_t *proc = kv_scoreboard_process(slot);
    int threads = limits_of(pp)->threads_per_child;
    apr_proc_t child;
    apr_status_t rv;

    proc->pid = 0;
    proc->generation = pp->rs.generation;
    proc->quiescing = 0;
    proc->not_accepting = proc->listening = 0;
    proc->conns_total = proc->conns_keepalive = proc->conns_writing = proc->conns_closing = 0;
    reset_workers(pp, slot);
    rv = kv_mpm_fork(&child, pp->pconf);
    if (rv == APR_INCHILD) {
        threaded_child_t ch = {pp->s, pp->pconf, pp->mutex, slot, threads};

        mpm()->child_main(&ch);
    }
    if (rv != APR_INPARENT) {
        for (int t = 0; t < threads; t++) {
            kv_scoreboard_worker(slot, t)->status = KV_SB_DEAD;
        }
        kv_mpm_fork_failed(pp->s, rv, &pp->rs);
        return rv;
    }
    proc->pid = child.pid;
    return APR_SUCCESS;
}

static int worker_is_idle(kv_sb_status_t status)
{
    return status == KV_SB_READY || status == KV_SB_STARTING;
}

/* The idle threads of the running generation's children (starting ones count as idle, as
 * they soon will be); *to_stop is the child to retire if there are too many: the one with
 * the most idle threads. */
static int count_idle(const kv_spare_parent_t *pp, int *to_stop)
{
    int best = -1, total = 0;

    *to_stop = -1;
    for (int slot = 0; slot < kv_scoreboard_server_limit(); slot++) {
        const kv_sb_process_t *proc = kv_scoreboard_process(slot);
        int idle = 0;

        if (proc->pid == 0 || proc->generation != pp->rs.generation || proc->quiescing ||
            proc->not_accepting) {
            continue; /* as httpd: a child at its connection limit offers no spare threads */
        }
        for (int t = 0; t < limits_of(pp)->threads_per_child; t++) {
            idle += worker_is_idle(kv_scoreboard_worker(slot, t)->status);
        }
        total += idle;
        if (idle > best) {
            best = idle;
            *to_stop = slot;
        }
    }
    return total;
}

static const kv_spare_ops_t threaded_ops = {
    make_child, count_idle,
    "KV00919: server seems busy, (you may need to increase StartServers, ThreadsPerChild or "
    "Min/MaxSpareThreads), spawning %d children, there are around %d idle threads, and %d "
    "total children"};

int threaded_parent(apr_pool_t *pconf, kv_server_t *s, void *conf)
{
    const worker_limits_t *l = &((threaded_conf_t *)conf)->run;
    kv_spare_parent_t pp = {.pconf = pconf,
                            .s = s,
                            .ops = &threaded_ops,
                            .limits = l,
                            .max_children = worker_daemons_limit(l),
                            .bounds = {.min_spare = l->min_spare, .max_spare = l->max_spare}};

    return kv_spare_parent_run(&pp, l->start_servers);
}

int threaded_one_process(apr_pool_t *pconf, kv_server_t *s, void *conf)
{
    return mpm()->serve_one_process(pconf, s, ((threaded_conf_t *)conf)->run.threads_per_child);
}

void threaded_block_signals(sigset_t *old)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGWINCH);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

void threaded_coarse_timers(void)
{
#ifdef PR_SET_TIMERSLACK
    prctl(PR_SET_TIMERSLACK, 10000000UL);
#endif
}
