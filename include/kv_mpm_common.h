/**
 * @file kv_mpm_common.h
 * @brief What every MPM shares: the common directives (PidFile, User, Group,
 * MaxConnectionsPerChild, GracefulShutdownTimeout), the PidFile, the switch to User and
 * Group, the parent's signals, and the bookkeeping of child processes in the scoreboard.
 *
 * Signal handlers live here, in the binary, not in an MPM: MPM modules are unloaded and
 * loaded again on every restart, and a handler must never point into unloaded code.
 *
 * How a parent serves, in outline:
 * @code
 * kv_mpm_parent_signals();
 * for (;;) {
 *     kv_mpm_wait_event(apr_time_from_sec(1));   // wakes early on a signal or a child exit
 *     kv_mpm_reap_children(s, on_reaped, baton); // logs how children ended, frees slots
 *     int sig = kv_mpm_take_signal();
 *     if (sig >= 0) { ... return sig; }           // a kv_mpm_result_t
 *     ... keep enough children: kv_mpm_fork() ...
 * }
 * @endcode
 */
#ifndef KV_MPM_COMMON_H
#define KV_MPM_COMMON_H

#include <sys/types.h>

#include <apr_thread_proc.h>
#include <apr_time.h>
#include <apr_user.h>

#include "kv_config.h"
#include "kv_http.h"
#include "kv_scoreboard.h"

/** The built-in module that owns the common MPM directives. */
extern kv_module_t mpm_common_module;

/** Non-zero under -X: the MPM serves in the calling process, with no children, until
 * TERM or INT. Set by the core before it runs the MPM. */
KV_DECLARE_DATA extern int kv_mpm_one_process;

/** PidFile when none is configured, relative to ServerRoot. */
#define KV_MPM_DEFAULT_PIDFILE "logs/kiva.pid"
/** User and Group when none is configured. */
#define KV_MPM_DEFAULT_USER "daemon"
/** Group when none is configured. */
#define KV_MPM_DEFAULT_GROUP "daemon"

/** Exit status of a child that could not start serving at all (it could not switch to
 * User and Group, say). The parent logs it and waits a while before starting more. */
#define KV_MPM_CHILD_FATAL 0x0f

/* ---- The common directives, as the running generation set them ---- */

/** The PidFile path, absolute; NULL before a configuration has been read. */
KV_DECLARE(const char *) kv_mpm_pidfile(void);

/** MaxConnectionsPerChild (or its old name MaxRequestsPerChild); 0 = unlimited. */
KV_DECLARE(int) kv_mpm_max_connections_per_child(void);

/** GracefulShutdownTimeout, for a graceful stop: 0 = wait for in-flight work as long as it
 * takes (httpd's default). */
KV_DECLARE(apr_interval_time_t) kv_mpm_graceful_shutdown_timeout(void);

/** How long the old generation may drain after a graceful restart unless
 * GracefulShutdownTimeout says otherwise: finite, so that slow clients cannot keep old
 * generations alive for ever, and long, so that a reload rarely cuts a download. */
#define KV_MPM_DEFAULT_RESTART_DRAIN apr_time_from_sec(600)

/** GracefulShutdownTimeout for the drain after a graceful restart: the directive's value
 * when set (0 = no limit), else KV_MPM_DEFAULT_RESTART_DRAIN. */
KV_DECLARE(apr_interval_time_t) kv_mpm_graceful_restart_timeout(void);

/** User as configured ("daemon", or "#1001"). */
KV_DECLARE(const char *) kv_mpm_user(void);

/** Group as configured ("daemon", or "#1001"). */
KV_DECLARE(const char *) kv_mpm_group(void);

/* ---- PidFile ---- */

/** Write this process's pid to kv_mpm_pidfile(), warning if a file left by another
 * process is overwritten. @a p is for temporary allocations. Logs and returns the error. */
KV_DECLARE(apr_status_t) kv_mpm_write_pidfile(apr_pool_t *p);

/** Remove the PidFile this process wrote, if any. Safe to call more than once. */
KV_DECLARE(apr_status_t) kv_mpm_remove_pidfile(void);

/** Read the pid in @a path into *pid. Returns APR_SUCCESS, the error of opening or reading
 * the file (APR_STATUS_IS_ENOENT when there is none), or APR_EINVAL when it does not hold
 * a positive decimal pid. */
KV_DECLARE(apr_status_t) kv_mpm_read_pidfile(const char *path, pid_t *pid);

/** Act on `-k CMD` for the server whose pid is @a pid (0 if there is no PidFile): start,
 * stop (TERM), restart (HUP), graceful (USR1) or graceful-stop (WINCH). Prints httpd's
 * messages on stderr: "kiva (pid N) already running" for start, "kiva (no pid file) not
 * running" when no server is alive. Returns APR_SUCCESS when the signal was sent or the
 * server is already running for start; APR_FROM_OS_ERROR(ESRCH) when no server is alive;
 * APR_EINVAL for an unknown command; or the error of kill(2). */
KV_DECLARE(apr_status_t) kv_mpm_signal_server(pid_t pid, const char *cmd);

/* ---- Identity ---- */

/** In a process started as root, switch to Group (setgid, initgroups) and then User
 * (setuid). A no-op for any other user. Logs and returns an error if the switch fails or
 * User is root; the caller must then exit rather than serve. */
KV_DECLARE(apr_status_t) kv_mpm_change_identity(kv_server_t *s);

/** The uid and gid kv_mpm_change_identity switches to (User and Group), for a process that
 * must prepare a file or directory for them first. APR_SUCCESS, or why they are unknown. */
KV_DECLARE(apr_status_t) kv_mpm_identity(apr_uid_t *uid, apr_gid_t *gid);

/* ---- Signals of the parent ---- */

/** Install the parent's handlers: TERM and INT stop, HUP restarts, USR1 restarts
 * gracefully, WINCH stops gracefully, CHLD wakes kv_mpm_wait_event; PIPE is ignored.
 * Handlers interrupt system calls (no SA_RESTART). Safe to call on every run. */
KV_DECLARE(apr_status_t) kv_mpm_parent_signals(void);

/** Take the action the signals received so far ask for: a kv_mpm_result_t, or -1 for
 * none. Stop wins over graceful stop, over restart, over graceful restart. */
KV_DECLARE(int) kv_mpm_take_signal(void);

/** Sleep until a signal arrives, a child exits, or @a timeout passes (0: just clear
 * what woke the last wait). */
KV_DECLARE(void) kv_mpm_wait_event(apr_interval_time_t timeout);

/** A pipe end that is readable whenever kv_mpm_wait_event would wake, for an MPM that
 * polls it with its listeners (one-process mode); kv_mpm_wait_event(0) clears it. NULL
 * before kv_mpm_parent_signals. */
KV_DECLARE(apr_file_t *) kv_mpm_wakeup_pipe(void);

/* ---- Child processes ---- */

/** Fork a child with signals blocked across the fork, so that the child never runs a
 * handler of the parent. In the child (APR_INCHILD): TERM, HUP and INT end it at once,
 * USR1 and WINCH ask it to finish (kv_mpm_child_exiting) and retire its copies of the
 * listeners so that a blocked accept or poll returns at once. @a p is used in the child. */
KV_DECLARE(apr_status_t) kv_mpm_fork(apr_proc_t *proc, apr_pool_t *p);

/** In a child: has the parent asked it to finish (graceful restart or stop, or too many
 * idle children)? Its listeners are retired then; it must not accept again. */
KV_DECLARE(int) kv_mpm_child_exiting(void);

/** The flag kv_mpm_child_exiting reads, for kv_conn_t.child_exiting: the protocol asks its
 * connection, not the process layer, whether the child is finishing. */
KV_DECLARE(const volatile sig_atomic_t *) kv_mpm_child_exiting_flag(void);

/** In a child that decided itself to finish (e.g. MaxConnectionsPerChild): from now on
 * kv_mpm_child_exiting is true, so responses end their connections. */
KV_DECLARE(void) kv_mpm_child_finish(void);

/** In a child: count one served connection; non-zero once MaxConnectionsPerChild is
 * reached and the child should exit. */
KV_DECLARE(int) kv_mpm_count_connection(void);

/** End a child process: destroy @a pchild (running its cleanups), then _exit(@a status),
 * so that no cleanup or atexit handler of the parent runs in the child. */
KV_DECLARE(void) kv_mpm_child_exit(apr_pool_t *pchild, int status) __attribute__((noreturn));

/** Called for every reaped child. @a slot is its process slot, or -1 for a process not in
 * the scoreboard (then @a was is NULL); @a was is a copy of the slot before it was freed.
 * @a why and @a code are as apr_proc_wait gives them. */
typedef void (*kv_mpm_reaped_fn)(void *baton, int slot, const kv_sb_process_t *was,
                                 apr_exit_why_e why, int code);

/** Reap every child that has ended, without blocking: log how it ended ("child pid N exit
 * signal Segmentation fault (11)" at error level; a normal exit at debug level), free its
 * scoreboard slot and call @a fn (may be NULL). Returns how many were reaped. */
KV_DECLARE(int) kv_mpm_reap_children(kv_server_t *s, kv_mpm_reaped_fn fn, void *baton);

/** Number of process slots that hold a child not yet reaped. */
KV_DECLARE(int) kv_mpm_live_children(void);

/** Ask the child in process slot @a slot to finish its connection and exit (SIGUSR1), and
 * mark it quiescing. */
KV_DECLARE(void) kv_mpm_tell_child_to_exit(int slot);

/** Ask every live child to finish and exit, as kv_mpm_tell_child_to_exit. This is how the
 * children of an old generation learn of a graceful restart. Returns how many were told. */
KV_DECLARE(int) kv_mpm_tell_children_to_exit(void);

/** Graceful restart: ask every live child to finish and exit, as
 * kv_mpm_tell_children_to_exit, and remember when each is to be stopped if still serving:
 * @a timeout from now (GracefulShutdownTimeout; 0: never). A child already draining keeps
 * the earlier of its deadlines. Returns how many were told. */
KV_DECLARE(int) kv_mpm_retire_children(apr_interval_time_t timeout);

/** In the parent's loop: stop (SIGTERM) every draining child whose deadline set by
 * kv_mpm_retire_children has passed, logging each. Cheap when there is none. */
KV_DECLARE(void) kv_mpm_stop_overdue_children(kv_server_t *s);

/** Stop every child now: TERM, then KILL whatever is still alive after a few seconds;
 * reaps them. Returns once they are gone or after a bounded wait. */
KV_DECLARE(void) kv_mpm_stop_children(kv_server_t *s);

/** Graceful stop: tell every child to finish, wait for them up to @a timeout (0: as long
 * as it takes), then stop whatever is left. A TERM or INT received meanwhile cuts the wait
 * short. */
KV_DECLARE(void) kv_mpm_graceful_stop_children(kv_server_t *s, apr_interval_time_t timeout);

#endif
