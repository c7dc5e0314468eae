/* The parent's loop and the end of a generation, as every MPM does them (see parent.h). */
#include "parent.h"
#include "kv_listen.h"
#include "kv_log.h"
#include "kv_mpm.h"
#include "kv_mutex.h"

#define KV_LOG_MODULE "mpm"

/* How often the parent looks at its children. */
#define MAINTENANCE_INTERVAL apr_time_from_sec(1)

apr_status_t kv_mpm_parent_prepare(kv_server_t *s)
{
    if (!kv_listeners) {
        kv_log_error(KV_LOG_MARK, KV_LOG_ALERT, 0, s,
                     "KV00441: no listening sockets available, shutting down");
        return APR_EINVAL;
    }
    return kv_mpm_parent_signals();
}

apr_status_t kv_mpm_create_accept_mutex(kv_server_t *s, apr_pool_t *pconf, apr_proc_mutex_t **mutex)
{
    apr_status_t rv;

    *mutex = NULL;
    if (kv_listeners_count() < 2) {
        return APR_SUCCESS;
    }
    rv = kv_proc_mutex_create(mutex, KV_MUTEX_ACCEPT, pconf);
    if (rv != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, rv, s,
                     "KV00442: could not create the accept mutex");
    }
    return rv;
}

void kv_mpm_hold_off(kv_mpm_respawn_t *r)
{
    r->holdoff_until = apr_time_now() + KV_MPM_HOLDOFF;
}

int kv_mpm_holding_off(const kv_mpm_respawn_t *r)
{
    return apr_time_now() < r->holdoff_until;
}

void kv_mpm_fork_failed(kv_server_t *s, apr_status_t rv, kv_mpm_respawn_t *r)
{
    kv_log_error(KV_LOG_MARK, KV_LOG_ERR, rv, s,
                 "KV00432: could not fork a child; trying again in %d seconds",
                 (int)apr_time_sec(KV_MPM_HOLDOFF));
    kv_mpm_hold_off(r);
}

int kv_mpm_respawn_wanted(kv_mpm_respawn_t *r, int slot, const kv_sb_process_t *was,
                          apr_exit_why_e why, int code, int slot_limit, int max_rate)
{
    if (slot < 0 || was->generation != r->generation || was->quiescing) {
        return 0;
    }
    if (APR_PROC_CHECK_EXIT(why) && code == KV_MPM_CHILD_FATAL) {
        kv_mpm_hold_off(r);
        return 0;
    }
    if (slot >= slot_limit || kv_mpm_holding_off(r) || r->respawned >= max_rate) {
        return 0;
    }
    r->respawned++;
    return 1;
}

void kv_mpm_warn_fixes(const char *module, kv_server_t *s, const kv_mpm_fix_warning_t *w,
                       size_t n, unsigned fixed)
{
    for (size_t i = 0; i < n; i++) {
        if (fixed & w[i].bit) {
            kv_log_error(module, __FILE__, __LINE__, KV_LOG_WARNING, 0, s, w[i].fmt, w[i].a,
                         w[i].b, w[i].c, w[i].d);
        }
    }
}

int kv_mpm_room_for_children(int generation, int max_children)
{
    int limit = kv_scoreboard_server_limit(), current = 0, free_slots = 0;

    for (int slot = 0; slot < limit; slot++) {
        const kv_sb_process_t *proc = kv_scoreboard_process(slot);

        current += proc->pid != 0 && proc->generation == generation;
        free_slots += proc->pid == 0;
    }
    return max_children - current < free_slots ? max_children - current : free_slots;
}

int kv_mpm_end_generation(kv_server_t *s, int result)
{
    switch (result) {
    case KV_MPM_STOP:
        kv_log_error(KV_LOG_MARK, KV_LOG_NOTICE, 0, s, "KV00435: caught SIGTERM, shutting down");
        kv_shutdown_listeners();
        kv_mpm_stop_children(s);
        break;
    case KV_MPM_RESTART:
        kv_log_error(KV_LOG_MARK, KV_LOG_NOTICE, 0, s,
                     "KV00436: SIGHUP received.  Attempting to restart");
        kv_mpm_stop_children(s);
        break;
    case KV_MPM_GRACEFUL:
        kv_log_error(KV_LOG_MARK, KV_LOG_NOTICE, 0, s,
                     "KV00437: SIGUSR1 received.  Doing graceful restart");
        kv_mpm_retire_children(kv_mpm_graceful_restart_timeout());
        break;
    default:
        kv_log_error(KV_LOG_MARK, KV_LOG_NOTICE, 0, s,
                     "KV00438: SIGWINCH received.  Doing graceful shutdown");
        kv_shutdown_listeners();
        kv_mpm_graceful_stop_children(s, kv_mpm_graceful_shutdown_timeout());
        break;
    }
    return result;
}

int kv_mpm_parent_loop(kv_server_t *s, kv_mpm_maintain_fn maintain, kv_mpm_reaped_fn reaped,
                       void *baton)
{
    apr_time_t next = apr_time_now() + MAINTENANCE_INTERVAL;

    for (;;) {
        apr_time_t now = apr_time_now();
        int result;

        if (next - now > MAINTENANCE_INTERVAL) {
            next = now + MAINTENANCE_INTERVAL; /* the clock went back */
        }
        kv_mpm_wait_event(next > now ? next - now : 0);
        kv_mpm_reap_children(s, reaped, baton);
        kv_mpm_stop_overdue_children(s);
        result = kv_mpm_take_signal();
        if (result >= 0) {
            return kv_mpm_end_generation(s, result);
        }
        if (apr_time_now() >= next) {
            maintain(baton);
            next = apr_time_now() + MAINTENANCE_INTERVAL;
        }
    }
}

apr_status_t kv_mpm_setup_scoreboard(kv_server_t *s, const char *mpm, int *server_limit,
                                     int *thread_limit, int *kept)
{
    apr_status_t rv = kv_scoreboard_create_for(
        kv_pglobal, mpm, *server_limit * KV_MPM_DRAIN_HEADROOM, *thread_limit);
    int kept_servers = kv_scoreboard_server_limit() / KV_MPM_DRAIN_HEADROOM;
    int kept_threads = kv_scoreboard_thread_limit();

    *kept = 0;
    if (rv == APR_EINVAL && kept_servers > 0) {
        if (kept_servers != *server_limit) {
            kv_log_error(KV_LOG_MARK, KV_LOG_WARNING, 0, s,
                         "KV00924: changing ServerLimit to %d from original value of %d not "
                         "allowed during restart",
                         *server_limit, kept_servers);
        }
        if (kept_threads != *thread_limit) {
            kv_log_error(KV_LOG_MARK, KV_LOG_WARNING, 0, s,
                         "KV00925: changing ThreadLimit to %d from original value of %d not "
                         "allowed during restart",
                         *thread_limit, kept_threads);
        }
        *server_limit = kept_servers;
        *thread_limit = kept_threads;
        *kept = 1;
        return APR_SUCCESS;
    }
    if (rv != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, rv, s, "KV00926: could not create the scoreboard");
    }
    return rv;
}

void kv_mpm_report_max_workers(kv_server_t *s, int *reported)
{
    if (!*reported) {
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, 0, s,
                     "KV00433: server reached MaxRequestWorkers setting, consider raising the "
                     "MaxRequestWorkers setting");
        *reported = 1;
    }
}

int kv_mpm_answer_query(const kv_mpm_caps_t *caps, int query, int *result)
{
    switch (query) {
    case KV_MPMQ_IS_THREADED:
        *result = caps->threaded;
        return KV_OK;
    case KV_MPMQ_IS_FORKED:
        *result = caps->forked;
        return KV_OK;
    case KV_MPMQ_IS_ASYNC:
        *result = caps->async;
        return KV_OK;
    case KV_MPMQ_MAX_DAEMONS:
        *result = caps->max_daemons;
        return KV_OK;
    case KV_MPMQ_MAX_THREADS:
        *result = caps->max_threads;
        return KV_OK;
    case KV_MPMQ_MAX_WORKERS:
        *result = caps->max_workers;
        return KV_OK;
    default:
        return KV_DECLINED;
    }
}
