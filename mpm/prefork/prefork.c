/* The prefork MPM: a parent that keeps a pool of single-threaded children, each serving
 * one connection at a time, with httpd prefork's directives, defaults and behaviour.
 *
 * The parent never serves and never dies because of a child. Once a second it reaps
 * children, replaces those that died unasked, and keeps the idle ones of the running
 * generation between MinSpareServers and MaxSpareServers. Signals, reaping and telling
 * children to go are shared with the other MPMs in server/mpm_common.c. */
#include <unistd.h>

#include <apr_proc_mutex.h>
#include <apr_thread_proc.h>

#include "kv_config.h"
#include "kv_connection.h"
#include "kv_http.h"
#include "kv_listen.h"
#include "kv_log.h"
#include "kv_module.h"
#include "kv_mpm.h"
#include "kv_mpm_common.h"
#include "kv_scoreboard.h"
#include "../accept.h"
#include "../parent.h"
#include "policy.h"
#include "warnings.h"

#define KV_LOG_MODULE "mpm_prefork"

/* httpd prefork's defaults. */
#define DEFAULT_START_SERVERS 5
#define DEFAULT_MIN_SPARE 5
#define DEFAULT_MAX_SPARE 10
#define DEFAULT_MAX_WORKERS 256
#define DEFAULT_SERVER_LIMIT 256

extern kv_module_t mpm_prefork_module;

typedef struct {
    prefork_limits_t set; /* as configured: KV_UNSET_INT where not given */
    prefork_limits_t run; /* in force: defaults applied and brought into range */
    int ready;            /* run is computed */
} prefork_conf_t;

/* The main server's settings in the running generation, for the query hook. */
static prefork_conf_t *cur_conf;

/* The parent of one generation. */
typedef struct {
    apr_pool_t *pconf;
    kv_server_t *s;
    prefork_limits_t *l;
    apr_proc_mutex_t *mutex; /* serialises accept over several listeners, else NULL */
    int spawn_rate;          /* carried by prefork_maintain_spares */
    int reported_limit;      /* the MaxRequestWorkers message was logged */
    kv_mpm_respawn_t rs;     /* generation, holdoff, children replaced this second */
} parent_t;

/* A process that serves: a child, or the parent itself under -X. */
typedef struct {
    kv_server_t *s;
    apr_pool_t *pchild;
    apr_pool_t *ptrans; /* the connection's pool, cleared after each */
    kv_acceptor_t acc;
    int one_process;
    int slot;    /* process slot */
    int sb_slot; /* its one worker's slot */
    int result;  /* -X: what the signal that ended serving asks for */
} server_t;

/* ---- Configuration ---- */

static apr_status_t forget_conf(void *conf)
{
    if (cur_conf == conf) {
        cur_conf = NULL;
    }
    return APR_SUCCESS;
}

static void *create_prefork_conf(apr_pool_t *p, kv_server_t *s)
{
    prefork_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    conf->set.start_servers = KV_UNSET_INT;
    conf->set.min_spare = KV_UNSET_INT;
    conf->set.max_spare = KV_UNSET_INT;
    conf->set.max_workers = KV_UNSET_INT;
    conf->set.server_limit = KV_UNSET_INT;
    if (!s->is_virtual) {
        cur_conf = conf;
        apr_pool_cleanup_register(p, conf, forget_conf, apr_pool_cleanup_null);
    }
    return conf;
}

/* The configured limits with defaults applied, not yet brought into range. */
static prefork_limits_t merged_limits(const prefork_limits_t *set)
{
    prefork_limits_t l;

    l.start_servers = KV_MERGE_INT(set->start_servers, KV_UNSET_INT, DEFAULT_START_SERVERS);
    l.min_spare = KV_MERGE_INT(set->min_spare, KV_UNSET_INT, DEFAULT_MIN_SPARE);
    l.max_spare = KV_MERGE_INT(set->max_spare, KV_UNSET_INT, DEFAULT_MAX_SPARE);
    l.server_limit = KV_MERGE_INT(set->server_limit, KV_UNSET_INT, DEFAULT_SERVER_LIMIT);
    l.max_workers = KV_MERGE_INT(set->max_workers, KV_UNSET_INT, DEFAULT_MAX_WORKERS);
    return l;
}

/* Compute the limits in force once per generation, warning about what was changed. */
static prefork_limits_t *conf_ready(prefork_conf_t *conf, kv_server_t *s)
{
    if (!conf->ready) {
        prefork_limits_t was = merged_limits(&conf->set);

        conf->run = was;
        prefork_warn_fixes(KV_LOG_MODULE, s, &was, &conf->run, prefork_limits_fix(&conf->run));
        conf->ready = 1;
    }
    return &conf->run;
}

static prefork_conf_t *conf_of(kv_server_t *s)
{
    return kv_get_module_config(s->module_config, &mpm_prefork_module);
}

static const kv_command_t prefork_cmds[] = {
    {"StartServers", kv_set_int_slot, KV_OFFSET(prefork_conf_t, set.start_servers), 1, 1,
     KV_CTX_MAIN, KV_CMD_SERVER_CONF, "StartServers N: children started at startup"},
    {"MinSpareServers", kv_set_int_slot, KV_OFFSET(prefork_conf_t, set.min_spare), 1, 1,
     KV_CTX_MAIN, KV_CMD_SERVER_CONF, "MinSpareServers N: fewest idle children to keep"},
    {"MaxSpareServers", kv_set_int_slot, KV_OFFSET(prefork_conf_t, set.max_spare), 1, 1,
     KV_CTX_MAIN, KV_CMD_SERVER_CONF, "MaxSpareServers N: most idle children to keep"},
    {"MaxRequestWorkers", kv_set_int_slot, KV_OFFSET(prefork_conf_t, set.max_workers), 1, 1,
     KV_CTX_MAIN, KV_CMD_SERVER_CONF, "MaxRequestWorkers N: most children serving at once"},
    {"MaxClients", kv_set_int_slot, KV_OFFSET(prefork_conf_t, set.max_workers), 1, 1, KV_CTX_MAIN,
     KV_CMD_SERVER_CONF, "MaxClients N: old name of MaxRequestWorkers"},
    {"ServerLimit", kv_set_int_slot, KV_OFFSET(prefork_conf_t, set.server_limit), 1, 1, KV_CTX_MAIN,
     KV_CMD_SERVER_CONF,
     "ServerLimit N: upper bound of MaxRequestWorkers for the life of the server"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

/* ---- Serving: a child, or the parent under -X ---- */

static apr_status_t server_init(server_t *sv, apr_pool_t *pchild, kv_server_t *s, int slot)
{
    apr_status_t rv;

    sv->s = s;
    sv->pchild = pchild;
    sv->slot = slot;
    sv->sb_slot = slot * kv_scoreboard_thread_limit();
    sv->result = -1;
    sv->acc.s = s;
    sv->acc.one_process = sv->one_process;
    rv = kv_accept_create_ptrans(pchild, &sv->ptrans);
    if (rv == APR_SUCCESS) {
        rv = kv_acceptor_init(&sv->acc, pchild);
    }
    if (rv != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, rv, s, "KV00427: could not set up the accept loop");
    }
    return rv;
}

static int should_stop(server_t *sv)
{
    if (sv->acc.failed) {
        return 1;
    }
    if (!sv->one_process) {
        return kv_mpm_child_exiting();
    }
    sv->result = kv_mpm_take_signal();
    return sv->result >= 0;
}

static void serve(server_t *sv)
{
    while (!should_stop(sv)) {
        apr_socket_t *csd = NULL;

        kv_scoreboard_update(sv->sb_slot, KV_SB_READY, NULL);
        if (kv_acceptor_accept(&sv->acc, sv->ptrans, &csd) != APR_SUCCESS) {
            continue;
        }
        kv_acceptor_serve_connection(sv->s, sv->ptrans, csd, sv->slot);
        if (!sv->one_process && kv_mpm_count_connection()) {
            return; /* MaxConnectionsPerChild: the parent starts a fresh child */
        }
    }
}

static void child_main(parent_t *pp, int slot) __attribute__((noreturn));

static void child_main(parent_t *pp, int slot)
{
    server_t sv = {0};
    apr_pool_t *pchild;

    pchild = kv_acceptor_child_start(&sv.acc, pp->pconf, pp->s, pp->mutex);
    if (server_init(&sv, pchild, pp->s, slot) != APR_SUCCESS) {
        kv_mpm_child_exit(pchild, KV_MPM_CHILD_FATAL);
    }
    serve(&sv);
    kv_mpm_child_exit(pchild, 0);
}

/* -X: serve in this process until a signal; returns what it asks for. */
static int serve_one_process(apr_pool_t *pconf, kv_server_t *s)
{
    kv_sb_process_t *proc = kv_scoreboard_process(0);
    server_t sv = {0};
    apr_pool_t *pchild;
    int result = KV_MPM_FAILED;

    proc->pid = getpid();
    proc->generation = kv_my_generation;
    apr_pool_create(&pchild, pconf);
    apr_pool_tag(pchild, "pchild");
    sv.one_process = 1;
    if (kv_mpm_change_identity(s) == APR_SUCCESS) {
        kv_run_child_init(pchild, s);
        if (server_init(&sv, pchild, s, 0) == APR_SUCCESS) {
            serve(&sv);
            result = sv.acc.failed ? KV_MPM_FAILED : sv.result;
        }
    }
    proc->pid = 0;
    kv_scoreboard_update(sv.sb_slot, KV_SB_DEAD, NULL);
    apr_pool_destroy(pchild);
    return result;
}

/* ---- The parent ---- */

static apr_status_t make_child(parent_t *pp, int slot)
{
    kv_sb_process_t *proc = kv_scoreboard_process(slot);
    kv_sb_worker_t *w = kv_scoreboard_worker(slot, 0);
    apr_proc_t child;
    apr_status_t rv;

    proc->pid = 0;
    proc->generation = pp->rs.generation;
    proc->quiescing = 0;
    w->generation = pp->rs.generation;
    kv_scoreboard_retire_worker(slot, 0);
    kv_scoreboard_update(slot * kv_scoreboard_thread_limit(), KV_SB_STARTING, NULL);
    rv = kv_mpm_fork(&child, pp->pconf);
    if (rv == APR_INCHILD) {
        child_main(pp, slot);
    }
    if (rv != APR_INPARENT) {
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, rv, pp->s,
                     "KV00432: could not fork a child; trying again in %d seconds",
                     (int)apr_time_sec(KV_MPM_HOLDOFF));
        w->status = KV_SB_DEAD;
        kv_mpm_hold_off(&pp->rs);
        return rv;
    }
    proc->pid = child.pid;
    return APR_SUCCESS;
}

static int slot_is_free(int slot)
{
    return kv_scoreboard_process(slot)->pid == 0;
}

/* How many more children the running generation may start (draining ones do not count). */
static int room_for_children(const parent_t *pp)
{
    return kv_mpm_room_for_children(pp->rs.generation, pp->l->max_workers);
}

/* Start up to @a n children in free slots, within MaxRequestWorkers. */
static void start_children(parent_t *pp, int n)
{
    int limit = kv_scoreboard_server_limit();
    int room = room_for_children(pp);

    n = n < room ? n : room;
    for (int slot = 0; slot < limit && n > 0; slot++) {
        if (!slot_is_free(slot)) {
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

/* Count the idle children of the running generation and the free slots; *to_stop is the
 * idle child to stop if there are too many (ready rather than still starting). */
static prefork_census_t take_census(const parent_t *pp, int *to_stop)
{
    prefork_census_t c = {0, room_for_children(pp)};
    int limit = kv_scoreboard_server_limit(), starting = -1;

    *to_stop = -1;
    for (int slot = 0; slot < limit; slot++) {
        const kv_sb_process_t *proc = kv_scoreboard_process(slot);
        kv_sb_status_t status = kv_scoreboard_worker(slot, 0)->status;

        if (proc->pid == 0) {
            continue;
        }
        if (proc->generation != pp->rs.generation || proc->quiescing) {
            continue;
        }
        if (status == KV_SB_READY) {
            c.idle++;
            *to_stop = slot;
        } else if (status == KV_SB_STARTING) {
            c.idle++;
            starting = slot;
        }
    }
    if (*to_stop < 0) {
        *to_stop = starting;
    }
    return c;
}

static void maintain_spares(parent_t *pp)
{
    int to_stop;
    prefork_census_t c = take_census(pp, &to_stop);
    prefork_action_t a;

    if (kv_mpm_holding_off(&pp->rs)) {
        return;
    }
    a = prefork_maintain_spares(&c, pp->l, &pp->spawn_rate);
    if (a.kill_one && to_stop >= 0) {
        kv_mpm_tell_child_to_exit(to_stop);
    }
    if (a.at_limit) {
        kv_mpm_report_max_workers(pp->s, &pp->reported_limit);
    }
    if (a.busy) {
        kv_log_error(KV_LOG_MARK, KV_LOG_INFO, 0, pp->s,
                     "KV00434: server seems busy, (you may need to increase StartServers, or "
                     "Min/MaxSpareServers), spawning %d children, there are %d idle, and %d "
                     "total children",
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

/* The scoreboard keeps the first generation's ServerLimit (see kv_mpm_setup_scoreboard). */
static apr_status_t setup_scoreboard(prefork_limits_t *l, kv_server_t *s)
{
    prefork_limits_t was = *l;
    int threads = 1, kept;
    apr_status_t rv = kv_mpm_setup_scoreboard(s, "prefork", &l->server_limit, &threads, &kept);

    if (kept) {
        prefork_warn_fixes(KV_LOG_MODULE, s, &was, l, prefork_limits_fix(l));
    }
    return rv;
}

static int prefork_run(apr_pool_t *pconf, apr_pool_t *plog, kv_server_t *s)
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
        return serve_one_process(pconf, s);
    }
    if (kv_mpm_create_accept_mutex(s, pconf, &pp.mutex) != APR_SUCCESS) {
        return KV_MPM_FAILED;
    }
    start_children(&pp, pp.l->start_servers);
    return kv_mpm_parent_loop(s, maintain, on_reaped, &pp);
}

/* ---- Hooks and the module record ---- */

static int prefork_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                               kv_server_t *s)
{
    (void)pconf;
    (void)plog;
    (void)ptemp;
    conf_ready(conf_of(s), s);
    return KV_OK;
}

static int prefork_query(int query, int *result)
{
    static const prefork_limits_t unset = {KV_UNSET_INT, KV_UNSET_INT, KV_UNSET_INT, KV_UNSET_INT,
                                           KV_UNSET_INT};
    prefork_limits_t l;

    /* Asked before post_config (kiva -t): bring the limits into range now, with the same
     * warnings, so that the effective values and the directive to change are shown. */
    if (cur_conf && !cur_conf->ready) {
        conf_ready(cur_conf, NULL);
    }
    l = cur_conf ? cur_conf->run : merged_limits(&unset);
    prefork_limits_fix(&l);
    kv_mpm_caps_t caps = {.forked = 1, .max_daemons = l.server_limit, .max_threads = 1,
                          .max_workers = l.max_workers};

    return kv_mpm_answer_query(&caps, query, result);
}

static const char *prefork_get_name(void)
{
    return "prefork";
}

static void prefork_register_hooks(apr_pool_t *p)
{
    (void)p;
    kv_hook_mpm(prefork_run, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_mpm_query(prefork_query, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_mpm_get_name(prefork_get_name, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_post_config(prefork_post_config, NULL, NULL, KV_HOOK_MIDDLE);
}

kv_module_t mpm_prefork_module = {
    KV_MODULE_HEADER("mpm_prefork"),
    .create_server_config = create_prefork_conf,
    .commands = prefork_cmds,
    .register_hooks = prefork_register_hooks,
};
