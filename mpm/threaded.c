/* The shared part of the threaded MPMs (see threaded.h): configuration, the parent, hooks.
 *
 * The parent is prefork's, counting threads instead of children: once a second it reaps,
 * replaces children that died unasked, and keeps the idle threads of the running generation
 * between MinSpareThreads and MaxSpareThreads by starting or retiring whole children. */
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "accept.h"
#include "kv_config.h"
#include "kv_http.h"
#include "kv_log.h"
#include "kv_module.h"
#include "kv_mpm.h"
#include "kv_mpm_common.h"
#include "kv_scoreboard.h"
#include "parent.h"
#include "prefork/policy.h"
#include "threaded.h"

#define KV_LOG_MODULE KV_THREADED_MODULE

/* httpd worker's and event's defaults. */
#define DEFAULT_START_SERVERS 3
#define DEFAULT_SERVER_LIMIT 16
#define DEFAULT_THREADS_PER_CHILD 25
#define DEFAULT_THREAD_LIMIT 64
#define DEFAULT_MIN_SPARE 75
#define DEFAULT_MAX_SPARE 250

/* The MPM this copy of the code serves. */
static const threaded_mpm_t *mpm;

/* The main server's settings in the running generation, for the query hook. */
static threaded_conf_t *cur_conf;

/* The parent of one generation. */
typedef struct {
    apr_pool_t *pconf;
    kv_server_t *s;
    worker_limits_t *l;
    apr_proc_mutex_t *mutex; /* serialises accept over several listeners, else NULL */
    int spawn_rate;          /* carried by prefork_maintain_spares */
    int reported_limit;      /* the MaxRequestWorkers message was logged */
    kv_mpm_respawn_t rs;     /* generation, holdoff, children replaced this second */
} parent_t;

/* ---- Configuration ---- */

static apr_status_t forget_conf(void *conf)
{
    if (cur_conf == conf) {
        cur_conf = NULL;
    }
    return APR_SUCCESS;
}

void *threaded_create_conf(apr_pool_t *p, kv_server_t *s, apr_size_t size)
{
    threaded_conf_t *conf = apr_pcalloc(p, size);

    conf->set.start_servers = KV_UNSET_INT;
    conf->set.server_limit = KV_UNSET_INT;
    conf->set.threads_per_child = KV_UNSET_INT;
    conf->set.thread_limit = KV_UNSET_INT;
    conf->set.max_workers = KV_UNSET_INT;
    conf->set.min_spare = KV_UNSET_INT;
    conf->set.max_spare = KV_UNSET_INT;
    if (!s->is_virtual) {
        cur_conf = conf;
        apr_pool_cleanup_register(p, conf, forget_conf, apr_pool_cleanup_null);
    }
    return conf;
}

/* The configured limits with defaults applied, not yet brought into range. MaxRequestWorkers
 * defaults to ServerLimit x ThreadsPerChild, as httpd's 400 is 16 x 25. */
static worker_limits_t merged_limits(const worker_limits_t *set)
{
    worker_limits_t l;

    l.start_servers = KV_MERGE_INT(set->start_servers, KV_UNSET_INT, DEFAULT_START_SERVERS);
    l.server_limit = KV_MERGE_INT(set->server_limit, KV_UNSET_INT, DEFAULT_SERVER_LIMIT);
    l.threads_per_child =
        KV_MERGE_INT(set->threads_per_child, KV_UNSET_INT, DEFAULT_THREADS_PER_CHILD);
    l.thread_limit = KV_MERGE_INT(set->thread_limit, KV_UNSET_INT, DEFAULT_THREAD_LIMIT);
    l.max_workers = KV_MERGE_INT(set->max_workers, KV_UNSET_INT,
                                 DEFAULT_SERVER_LIMIT * DEFAULT_THREADS_PER_CHILD);
    l.min_spare = KV_MERGE_INT(set->min_spare, KV_UNSET_INT, DEFAULT_MIN_SPARE);
    l.max_spare = KV_MERGE_INT(set->max_spare, KV_UNSET_INT, DEFAULT_MAX_SPARE);
    return l;
}

/* Warn as httpd does about each limit worker_limits_fix changed (@a fixed), from the values
 * @a was to @a l. */
static void warn_fixes(kv_server_t *s, const worker_limits_t *was, const worker_limits_t *l,
                       unsigned fixed)
{
    const kv_mpm_fix_warning_t warnings[] = {
        {WORKER_FIX_LIMIT_HIGH,
         "KV00900: ServerLimit of %d exceeds compile-time limit of %d servers, decreasing to %d.",
         was->server_limit, WORKER_HARD_SERVER_LIMIT, l->server_limit, 0},
        {WORKER_FIX_LIMIT_LOW, "KV00901: ServerLimit of %d not allowed, increasing to 1.",
         was->server_limit, 0, 0, 0},
        {WORKER_FIX_THREAD_LIMIT_HIGH,
         "KV00902: ThreadLimit of %d exceeds compile-time limit of %d threads, decreasing to %d.",
         was->thread_limit, WORKER_HARD_THREAD_LIMIT, l->thread_limit, 0},
        {WORKER_FIX_THREAD_LIMIT_LOW, "KV00903: ThreadLimit of %d not allowed, increasing to 1.",
         was->thread_limit, 0, 0, 0},
        {WORKER_FIX_THREADS_HIGH,
         "KV00904: ThreadsPerChild of %d exceeds ThreadLimit of %d threads, decreasing to %d. "
         "To increase, please see the ThreadLimit directive.",
         was->threads_per_child, l->thread_limit, l->threads_per_child, 0},
        {WORKER_FIX_THREADS_LOW, "KV00905: ThreadsPerChild of %d not allowed, increasing to 1.",
         was->threads_per_child, 0, 0, 0},
        {WORKER_FIX_WORKERS_LOW,
         "KV00906: MaxRequestWorkers of %d is less than ThreadsPerChild of %d, increasing to "
         "%d. MaxRequestWorkers must be at least as large as the number of threads in a single "
         "server.",
         was->max_workers, l->threads_per_child, l->threads_per_child, 0},
        {WORKER_FIX_WORKERS_MULTIPLE,
         "KV00907: MaxRequestWorkers of %d is not an integer multiple of ThreadsPerChild of %d, "
         "decreasing to nearest multiple %d, for a maximum of %d servers.",
         was->max_workers, l->threads_per_child,
         was->max_workers / l->threads_per_child * l->threads_per_child,
         was->max_workers / l->threads_per_child},
        {WORKER_FIX_WORKERS_HIGH,
         "KV00908: MaxRequestWorkers of %d would require %d servers and would exceed ServerLimit "
         "of %d, decreasing to %d. To increase, please see the ServerLimit directive.",
         was->max_workers, was->max_workers / l->threads_per_child, l->server_limit,
         l->max_workers},
        {WORKER_FIX_START_LOW, "KV00909: StartServers of %d not allowed, increasing to 1.",
         was->start_servers, 0, 0, 0},
        {WORKER_FIX_MIN_SPARE_LOW, "KV00910: MinSpareThreads of %d not allowed, increasing to 1.",
         was->min_spare, 0, 0, 0},
        {WORKER_FIX_MAX_SPARE_LOW,
         "KV00911: MaxSpareThreads of %d is less than MinSpareThreads (%d) plus ThreadsPerChild "
         "(%d), increasing to %d.",
         was->max_spare, l->min_spare, l->threads_per_child, l->max_spare},
    };

    kv_mpm_warn_fixes(KV_LOG_MODULE, s, warnings, sizeof(warnings) / sizeof(warnings[0]), fixed);
}

/* Compute the limits in force once per generation, warning about what was changed. */
static worker_limits_t *conf_ready(threaded_conf_t *conf, kv_server_t *s)
{
    if (!conf->ready) {
        worker_limits_t was = merged_limits(&conf->set);

        conf->run = was;
        warn_fixes(s, &was, &conf->run, worker_limits_fix(&conf->run));
        conf->ready = 1;
    }
    return &conf->run;
}

static threaded_conf_t *conf_of(kv_server_t *s)
{
    return kv_get_module_config(s->module_config, mpm->module);
}

/* ---- The parent ---- */

static void reset_workers(parent_t *pp, int slot)
{
    int limit = kv_scoreboard_thread_limit();

    for (int t = 0; t < pp->l->threads_per_child; t++) {
        kv_sb_worker_t *w = kv_scoreboard_worker(slot, t);

        w->generation = pp->rs.generation;
        w->access_count = 0;
        w->conn_count = 0;
        w->bytes_served = 0;
        kv_scoreboard_update(slot * limit + t, KV_SB_STARTING, NULL);
    }
}

static apr_status_t make_child(parent_t *pp, int slot)
{
    kv_sb_process_t *proc = kv_scoreboard_process(slot);
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
        threaded_child_t ch = {pp->s, pp->pconf, pp->mutex, slot, pp->l->threads_per_child};

        mpm->child_main(&ch);
    }
    if (rv != APR_INPARENT) {
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, rv, pp->s,
                     "KV00917: could not fork a child; trying again in %d seconds",
                     (int)apr_time_sec(KV_MPM_HOLDOFF));
        for (int t = 0; t < pp->l->threads_per_child; t++) {
            kv_scoreboard_worker(slot, t)->status = KV_SB_DEAD;
        }
        kv_mpm_hold_off(&pp->rs);
        return rv;
    }
    proc->pid = child.pid;
    return APR_SUCCESS;
}

/* How many more children the running generation may start (of MaxRequestWorkers /
 * ThreadsPerChild; draining ones of old generations do not count). */
static int room_for_children(const parent_t *pp)
{
    return kv_mpm_room_for_children(pp->rs.generation, worker_daemons_limit(pp->l));
}

/* Start up to @a n children in free slots, within MaxRequestWorkers / ThreadsPerChild. */
static void start_children(parent_t *pp, int n)
{
    int room = room_for_children(pp);

    n = n < room ? n : room;
    for (int slot = 0; slot < kv_scoreboard_server_limit() && n > 0; slot++) {
        if (kv_scoreboard_process(slot)->pid != 0) {
            continue;
        }
        if (make_child(pp, slot) != APR_SUCCESS) {
            return;
        }
        n--;
    }
}

/* A child that died unasked is replaced at once (see kv_mpm_respawn_wanted). */
static void on_reaped(void *baton, int slot, const kv_sb_process_t *was, apr_exit_why_e why,
                      int code)
{
    parent_t *pp = baton;

    int limit = room_for_children(pp) > 0 ? kv_scoreboard_server_limit() : 0;

    if (kv_mpm_respawn_wanted(&pp->rs, slot, was, why, code, limit, PREFORK_MAX_SPAWN_RATE)) {
        make_child(pp, slot);
    }
}

static int worker_is_idle(kv_sb_status_t status)
{
    return status == KV_SB_READY || status == KV_SB_STARTING;
}

/* Count the idle threads of the running generation's children (starting ones count as
 * idle, as they soon will be) and the free slots; *to_stop is the child to retire if there
 * are too many: the one with the most idle threads. */
static prefork_census_t take_census(const parent_t *pp, int *to_stop)
{
    prefork_census_t c = {0, 0};
    int best = -1;

    *to_stop = -1;
    c.free_slots = room_for_children(pp);
    for (int slot = 0; slot < kv_scoreboard_server_limit(); slot++) {
        const kv_sb_process_t *proc = kv_scoreboard_process(slot);
        int idle = 0;

        if (proc->pid == 0 || proc->generation != pp->rs.generation || proc->quiescing ||
            proc->not_accepting) {
            continue; /* as httpd: a child at its connection limit offers no spare threads */
        }
        for (int t = 0; t < pp->l->threads_per_child; t++) {
            idle += worker_is_idle(kv_scoreboard_worker(slot, t)->status);
        }
        c.idle += idle;
        if (idle > best) {
            best = idle;
            *to_stop = slot;
        }
    }
    return c;
}

static void maintain_spares(parent_t *pp)
{
    prefork_limits_t bounds = {0};
    int to_stop;
    prefork_census_t c = take_census(pp, &to_stop);
    prefork_action_t a;

    if (kv_mpm_holding_off(&pp->rs)) {
        return;
    }
    bounds.min_spare = pp->l->min_spare;
    bounds.max_spare = pp->l->max_spare;
    a = prefork_maintain_spares(&c, &bounds, &pp->spawn_rate);
    if (a.kill_one && to_stop >= 0) {
        kv_mpm_tell_child_to_exit(to_stop);
    }
    if (a.at_limit) {
        kv_mpm_report_max_workers(pp->s, &pp->reported_limit);
    }
    if (a.busy) {
        kv_log_error(KV_LOG_MARK, KV_LOG_INFO, 0, pp->s,
                     "KV00919: server seems busy, (you may need to increase StartServers, "
                     "ThreadsPerChild or Min/MaxSpareThreads), spawning %d children, there are "
                     "around %d idle threads, and %d total children",
                     a.spawn, c.idle, kv_mpm_live_children());
    }
    start_children(pp, a.spawn);
}

/* Once a second: replace no more dead children until the next round, keep the spares. */
static void maintain(void *baton)
{
    parent_t *pp = baton;

    maintain_spares(pp);
    pp->rs.respawned = 0;
}

/* The scoreboard keeps the first generation's ServerLimit and ThreadLimit (see
 * kv_mpm_setup_scoreboard). */
static apr_status_t setup_scoreboard(worker_limits_t *l, kv_server_t *s)
{
    worker_limits_t was = *l;
    int kept;
    apr_status_t rv =
        kv_mpm_setup_scoreboard(s, mpm->name, &l->server_limit, &l->thread_limit, &kept);

    if (kept) {
        warn_fixes(s, &was, l, worker_limits_fix(l));
    }
    return rv;
}

static int threaded_run(apr_pool_t *pconf, apr_pool_t *plog, kv_server_t *s)
{
    parent_t pp = {0};

    (void)plog;
    pp.pconf = pconf;
    pp.s = s;
    pp.l = conf_ready(conf_of(s), s);
    pp.rs.generation = kv_my_generation;
    pp.spawn_rate = 1;
    if (kv_mpm_parent_prepare(s) != APR_SUCCESS || setup_scoreboard(pp.l, s) != APR_SUCCESS) {
        return KV_MPM_FAILED;
    }
    if (kv_mpm_one_process) {
        return mpm->serve_one_process(pconf, s, pp.l->threads_per_child);
    }
    if (kv_mpm_create_accept_mutex(s, pconf, &pp.mutex) != APR_SUCCESS) {
        return KV_MPM_FAILED;
    }
    start_children(&pp, pp.l->start_servers);
    return kv_mpm_parent_loop(s, maintain, on_reaped, &pp);
}

/* ---- Hooks ---- */

static int threaded_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                              kv_server_t *s)
{
    (void)pconf;
    (void)plog;
    (void)ptemp;
    conf_ready(conf_of(s), s);
    return KV_OK;
}

static int threaded_query(int query, int *result)
{
    static const worker_limits_t unset = {KV_UNSET_INT, KV_UNSET_INT, KV_UNSET_INT, KV_UNSET_INT,
                                          KV_UNSET_INT, KV_UNSET_INT, KV_UNSET_INT};
    worker_limits_t l;

    /* Asked before post_config (kiva -t): bring the limits into range now, with the same
     * warnings, so that the effective values and the directive to change are shown. */
    if (cur_conf && !cur_conf->ready) {
        conf_ready(cur_conf, NULL);
    }
    l = cur_conf ? cur_conf->run : merged_limits(&unset);
    worker_limits_fix(&l);
    kv_mpm_caps_t caps = {.threaded = 1, .forked = 1, .async = mpm->is_async,
                          .max_daemons = l.server_limit, .max_threads = l.threads_per_child,
                          .max_workers = l.max_workers};

    return kv_mpm_answer_query(&caps, query, result);
}

static const char *threaded_get_name(void)
{
    return mpm->name;
}

void threaded_register_hooks(const threaded_mpm_t *m)
{
    mpm = m;
    kv_hook_mpm(threaded_run, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_mpm_query(threaded_query, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_mpm_get_name(threaded_get_name, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_post_config(threaded_post_config, NULL, NULL, KV_HOOK_MIDDLE);
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
