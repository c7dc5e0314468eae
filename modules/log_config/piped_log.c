/* Piped access logs, as httpd runs them: the parent starts the program in post_config,
 * before the MPM forks its children, so every child inherits the pipe's write end. The
 * program is registered with APR's other-child list; kv_mpm_reap_children alerts that
 * list when it reaps a process that is not a server child, and refreshes it on every
 * round, so a program that died, or that a daemonising parent left behind, is started
 * again on the same pipe. A program that dies within a second of its start is restarted
 * a round later, so a broken command cannot make the parent spin. */
#include <signal.h>
#include <unistd.h>

#include <apr_strings.h>
#include <apr_thread_proc.h>

#include "kv_log.h"
#include "piped_log.h"

#define KV_LOG_MODULE "log_config"

/* A program that lives shorter than this is not restarted at once. */
#define QUICK_DEATH apr_time_from_sec(1)
/* How long a program gets to exit on SIGTERM when its generation ends. */
#define STOP_GRACE apr_time_from_sec(1)
#define STOP_TICK apr_time_from_msec(10)

struct piped_log {
    apr_pool_t *pool;      /* the generation's log pool */
    const char *command;   /* as configured, without the '|' */
    kv_server_t *s;        /* for messages */
    apr_file_t *read_end;  /* the program's stdin; the parent keeps it open */
    apr_file_t *write_end; /* inherited by the server's children */
    apr_proc_t proc;       /* the program, while running */
    int running;           /* proc is a program this process started and has not reaped */
    pid_t owner;           /* the process that started it: only that one may stop it */
    apr_time_t started;    /* when it was last started */
};

static void maintenance(int reason, void *data, int status);

static apr_status_t spawn(piped_log_t *pl)
{
    const char *args[] = {pl->command, NULL};
    apr_pool_t *tmp;
    apr_procattr_t *attr;
    apr_status_t rv;

    apr_pool_create(&tmp, pl->pool);
    rv = apr_procattr_create(&attr, tmp);
    if (rv == APR_SUCCESS) {
        rv = apr_procattr_cmdtype_set(attr, APR_SHELLCMD_ENV);
    }
    if (rv == APR_SUCCESS) {
        rv = apr_procattr_child_in_set(attr, pl->read_end, pl->write_end);
    }
    if (rv == APR_SUCCESS) {
        rv = apr_proc_create(&pl->proc, pl->command, args, NULL, attr, tmp);
    }
    apr_pool_destroy(tmp); /* the copies of the pipe's ends made for the program */
    pl->started = apr_time_now();
    if (rv != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, rv, pl->s,
                     "KV00501: could not start piped log program '%s'", pl->command);
        return rv;
    }
    pl->running = 1;
    pl->owner = getpid();
    return APR_SUCCESS;
}

/* Watch the program through APR's other-child list. */
static void watch(piped_log_t *pl)
{
    apr_proc_other_child_register(&pl->proc, maintenance, pl, pl->write_end, pl->pool);
}

/* Start the program again now, or, if it died young or cannot be started, at the next
 * refresh: watching our own pid, which is surely no child of ours, makes that refresh
 * report it LOST (a reaped pid could meanwhile belong to another child). */
static void restart(piped_log_t *pl)
{
    if (apr_time_now() - pl->started >= QUICK_DEATH && spawn(pl) == APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_NOTICE, 0, pl->s,
                     "KV00502: piped log program '%s' restarted as pid %ld", pl->command,
                     (long)pl->proc.pid);
    } else {
        pl->proc.pid = getpid();
    }
    watch(pl);
}

static void log_death(const piped_log_t *pl, int reason, int status)
{
    if (reason == APR_OC_REASON_LOST) {
        kv_log_error(KV_LOG_MARK, KV_LOG_NOTICE, 0, pl->s,
                     "KV00506: piped log program '%s' (pid %ld) is not a child of this process "
                     "(it was started before the server detached); starting it again",
                     pl->command, (long)pl->proc.pid);
        return;
    }
    if (apr_time_now() - pl->started < QUICK_DEATH) {
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, 0, pl->s,
                     "KV00503: piped log program '%s' (pid %ld) ended within a second of its "
                     "start (status %d); restarting it in a second",
                     pl->command, (long)pl->proc.pid, status);
        return;
    }
    kv_log_error(KV_LOG_MARK, KV_LOG_ERR, 0, pl->s,
                 "KV00504: piped log program '%s' (pid %ld) ended (status %d); restarting it",
                 pl->command, (long)pl->proc.pid, status);
}

/* APR's other-child callback. APR has cleared its record of the process on DEATH and LOST,
 * so the record must be replaced before anyone walks the list again. */
static void maintenance(int reason, void *data, int status)
{
    piped_log_t *pl = data;

    if (reason != APR_OC_REASON_DEATH && reason != APR_OC_REASON_LOST) {
        return; /* still running, or unregistered as its pool goes */
    }
    if (pl->running) {
        log_death(pl, reason, status);
    }
    pl->running = 0;
    apr_proc_other_child_unregister(pl);
    restart(pl);
}

/* SIGTERM, a bounded wait, then SIGKILL: the generation's program must not outlive it. */
static apr_status_t stop_program(void *data)
{
    piped_log_t *pl = data;
    apr_time_t deadline = apr_time_now() + STOP_GRACE;

    if (!pl->running || pl->owner != getpid()) {
        return APR_SUCCESS;
    }
    pl->running = 0;
    apr_proc_kill(&pl->proc, SIGTERM);
    while (apr_proc_wait(&pl->proc, NULL, NULL, APR_NOWAIT) == APR_CHILD_NOTDONE) {
        if (apr_time_now() >= deadline) {
            apr_proc_kill(&pl->proc, SIGKILL);
            apr_proc_wait(&pl->proc, NULL, NULL, APR_WAIT);
            break;
        }
        apr_sleep(STOP_TICK);
    }
    return APR_SUCCESS;
}

/* Both ends stay out of programs the server execs (this one gets a copy of the read end
 * as its stdin); forked children keep them. */
static apr_status_t create_pipe(piped_log_t *pl)
{
    apr_status_t rv =
        apr_file_pipe_create_ex(&pl->read_end, &pl->write_end, APR_FULL_BLOCK, pl->pool);

    if (rv == APR_SUCCESS) {
        rv = apr_file_inherit_unset(pl->read_end);
    }
    if (rv == APR_SUCCESS) {
        rv = apr_file_inherit_unset(pl->write_end);
    }
    return rv;
}

apr_status_t piped_log_open(apr_pool_t *p, const char *command, kv_server_t *s, piped_log_t **out)
{
    piped_log_t *pl = apr_pcalloc(p, sizeof(*pl));
    apr_status_t rv;

    pl->pool = p;
    pl->command = apr_pstrdup(p, command);
    pl->s = s;
    rv = create_pipe(pl);
    if (rv != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, rv, s,
                     "KV00505: could not create the pipe for piped log program '%s'", command);
        return rv;
    }
    apr_pool_cleanup_register(p, pl, stop_program, apr_pool_cleanup_null);
    rv = spawn(pl);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    watch(pl);
    *out = pl;
    return APR_SUCCESS;
}

apr_file_t *piped_log_write_end(const piped_log_t *pl)
{
    return pl->write_end;
}
