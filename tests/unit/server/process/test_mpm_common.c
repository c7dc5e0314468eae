/* Tests of server/process/mpm_common.c: PidFile, -k, the common directives, identity, the parent's
 * signals, and forking, telling, stopping and reaping children through the scoreboard. */
/* Moved from tests/unit/server/test_mpm_common.c (server/ split into layer folders). */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <apr_file_io.h>
#include <apr_general.h>
#include <apr_strings.h>

#include "kv_mpm.h"
#include "kv_mpm_common.h"
#include "../../check_run.h"

/* Bounded waits: at most this many ticks of 100 ms for a child to end. */
#define WAIT_TICKS 50

static apr_pool_t *pool;
#define DIR_TEMPLATE "/tmp/kv_test_mpm_common.XXXXXX"
static char dir[sizeof(DIR_TEMPLATE)];

static void setup(void)
{
    kvu_apr_pool_setup(&pool);
    kv_pglobal = pool;
    memcpy(dir, DIR_TEMPLATE, sizeof(DIR_TEMPLATE));
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Remove the test's files (it makes no subdirectories) and its directory. */
static void remove_dir(void)
{
    apr_dir_t *d;
    apr_finfo_t fi;

    if (apr_dir_open(&d, dir, pool) != APR_SUCCESS) {
        return;
    }
    while (apr_dir_read(&fi, APR_FINFO_NAME | APR_FINFO_TYPE, d) == APR_SUCCESS) {
        if (fi.filetype == APR_REG) {
            apr_file_remove(apr_pstrcat(pool, dir, "/", fi.name, NULL), pool);
        }
    }
    apr_dir_close(d);
    apr_dir_remove(dir, pool);
}

static void teardown(void)
{
    remove_dir();
    kvu_apr_pool_teardown(pool);
}

static const char *write_file(const char *name, const char *content)
{
    const char *path = apr_pstrcat(pool, dir, "/", name, NULL);
    apr_file_t *f;

    ck_assert_int_eq(
        apr_file_open(&f, path, APR_FOPEN_WRITE | APR_FOPEN_CREATE, APR_OS_DEFAULT, pool),
        APR_SUCCESS);
    apr_file_puts(content, f);
    apr_file_close(f);
    return path;
}

/* A fresh main-server config of mpm_common, as the core makes one per generation. */
static kv_server_t *new_server(void)
{
    kv_server_t *s = apr_pcalloc(pool, sizeof(*s));

    s->pool = pool;
    s->module_config = apr_pcalloc(pool, sizeof(void *));
    mpm_common_module.index = 0;
    s->module_config[0] = mpm_common_module.create_server_config(pool, s);
    return s;
}

/* Run directive @a name of mpm_common with one argument; NULL or the reason. */
static const char *directive(kv_server_t *s, const char *name, const char *arg)
{
    const char *argv[] = {arg, NULL};
    kv_cmd_parms_t cmd;

    for (const kv_command_t *c = mpm_common_module.commands; c->name; c++) {
        if (strcmp(c->name, name) == 0) {
            memset(&cmd, 0, sizeof(cmd));
            cmd.info = c->info;
            cmd.cmd = c;
            cmd.module = &mpm_common_module;
            cmd.pool = pool;
            cmd.temp_pool = pool;
            cmd.server = s;
            cmd.context = KV_CTX_MAIN;
            return c->func(&cmd, s->module_config[0], 1, argv);
        }
    }
    ck_abort_msg("no directive %s", name);
    return NULL;
}

/* Reap until the child in @a slot is gone; returns how it ended. */
typedef struct {
    int slot;
    kv_sb_process_t was;
    apr_exit_why_e why;
    int code;
    int calls;
} reaped_t;

static void record(void *baton, int slot, const kv_sb_process_t *was, apr_exit_why_e why, int code)
{
    reaped_t *r = baton;

    r->slot = slot;
    if (was) {
        r->was = *was;
    }
    r->why = why;
    r->code = code;
    r->calls++;
}

static reaped_t reap_one(void)
{
    reaped_t r = {-2, {0}, 0, 0, 0};

    for (int i = 0; i < WAIT_TICKS && r.calls == 0; i++) {
        kv_mpm_wait_event(apr_time_from_msec(100));
        kv_mpm_reap_children(NULL, record, &r);
    }
    ck_assert_int_eq(r.calls, 1);
    return r;
}

/* Fork a child into scoreboard slot @a slot as an MPM does; the child runs @a body. */
static pid_t fork_child(int slot, void (*body)(void))
{
    apr_proc_t proc;
    apr_status_t rv = kv_mpm_fork(&proc, pool);

    if (rv == APR_INCHILD) {
        alarm(10); /* never outlive a broken test */
        body();
        _exit(99);
    }
    ck_assert_int_eq(rv, APR_INPARENT);
    kv_scoreboard_process(slot)->pid = proc.pid;
    kv_scoreboard_process(slot)->generation = kv_my_generation;
    return proc.pid;
}

static void wait_to_be_told(void)
{
    while (!kv_mpm_child_exiting()) {
        pause();
    }
    _exit(7);
}

static void wait_forever(void)
{
    for (;;) {
        pause();
    }
}

static void crash(void)
{
    kill(getpid(), SIGKILL);
}

/* ---- PidFile and -k ---- */

KVU_CASE(pidfile, "pidfile", setup, teardown);
KVU_CASE(directives_case, "directives", setup, teardown);
KVU_CASE(signals_case, "signals", setup, teardown);
KVC_CASE(children_case, .name = "children", .setup = setup, .teardown = teardown, .timeout = 30);

KVC_TEST(pidfile, read_pidfile_accepts_a_pid)
{
    pid_t pid = 0;

    ck_assert_int_eq(kv_mpm_read_pidfile(write_file("a.pid", "1234\n"), &pid), APR_SUCCESS);
    ck_assert_int_eq(pid, 1234);
}
END_TEST

KVC_TEST(pidfile, read_pidfile_refuses_junk)
{
    pid_t pid = 77;

    ck_assert_int_eq(kv_mpm_read_pidfile(write_file("b.pid", "abc\n"), &pid), APR_EINVAL);
    ck_assert_int_eq(kv_mpm_read_pidfile(write_file("c.pid", ""), &pid), APR_EINVAL);
    ck_assert_int_eq(kv_mpm_read_pidfile(write_file("d.pid", "0\n"), &pid), APR_EINVAL);
    ck_assert_int_eq(kv_mpm_read_pidfile(write_file("e.pid", "-5\n"), &pid), APR_EINVAL);
    ck_assert_int_eq(pid, 77);
}
END_TEST

KVC_TEST(pidfile, read_pidfile_reports_a_missing_file)
{
    pid_t pid;
    apr_status_t rv = kv_mpm_read_pidfile(apr_pstrcat(pool, dir, "/none.pid", NULL), &pid);

    ck_assert(APR_STATUS_IS_ENOENT(rv));
}
END_TEST

KVC_TEST(pidfile, write_then_remove_pidfile)
{
    kv_server_t *s = new_server();
    const char *path = apr_pstrcat(pool, dir, "/kiva.pid", NULL);
    pid_t pid = 0;

    ck_assert_ptr_null(directive(s, "PidFile", path));
    ck_assert_str_eq(kv_mpm_pidfile(), path);
    ck_assert_int_eq(kv_mpm_write_pidfile(pool), APR_SUCCESS);
    ck_assert_int_eq(kv_mpm_read_pidfile(path, &pid), APR_SUCCESS);
    ck_assert_int_eq(pid, getpid());
    ck_assert_int_eq(kv_mpm_remove_pidfile(), APR_SUCCESS);
    ck_assert(APR_STATUS_IS_ENOENT(kv_mpm_read_pidfile(path, &pid)));
    ck_assert_int_eq(kv_mpm_remove_pidfile(), APR_SUCCESS);
}
END_TEST

/* The PidFile is written beside and renamed into place, never truncated and rewritten: a
 * reader (kiva -k, a supervisor) sees the old whole file or the new one, and no temporary
 * file stays behind. */
KVC_TEST(pidfile, pidfile_replaced_whole)
{
    kv_server_t *s = new_server();
    const char *path = apr_pstrcat(pool, dir, "/kiva.pid", NULL);
    struct stat before, after;
    apr_dir_t *d;
    apr_finfo_t fi;
    int entries = 0;

    ck_assert_ptr_null(directive(s, "PidFile", path));
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("999999\n", f);
    fclose(f);
    ck_assert_int_eq(stat(path, &before), 0);
    ck_assert_int_eq(kv_mpm_write_pidfile(pool), APR_SUCCESS);
    ck_assert_int_eq(stat(path, &after), 0);
    ck_assert_msg(after.st_ino != before.st_ino, "the PidFile was rewritten in place");
    ck_assert_int_eq(apr_dir_open(&d, dir, pool), APR_SUCCESS);
    while (apr_dir_read(&fi, APR_FINFO_NAME, d) == APR_SUCCESS) {
        entries += strcmp(fi.name, ".") != 0 && strcmp(fi.name, "..") != 0;
    }
    apr_dir_close(d);
    ck_assert_int_eq(entries, 1);
    ck_assert_int_eq(kv_mpm_remove_pidfile(), APR_SUCCESS);
}
END_TEST

KVC_TEST(pidfile, signal_server_refuses_unknown_commands)
{
    ck_assert_int_eq(kv_mpm_signal_server(getpid(), "reload"), APR_EINVAL);
}
END_TEST

KVC_TEST(pidfile, signal_server_sees_no_server)
{
    pid_t pid = fork();

    if (pid == 0) {
        _exit(0);
    }
    ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
    ck_assert_int_eq(kv_mpm_signal_server(pid, "stop"), APR_FROM_OS_ERROR(ESRCH));
    ck_assert_int_eq(kv_mpm_signal_server(0, "graceful"), APR_FROM_OS_ERROR(ESRCH));
    ck_assert_int_eq(kv_mpm_signal_server(0, "start"), APR_FROM_OS_ERROR(ESRCH));
    ck_assert_int_eq(kv_mpm_signal_server(getpid(), "start"), APR_SUCCESS);
}
END_TEST

KVC_TEST(pidfile, signal_server_sends_the_signal_of_the_command)
{
    static const struct {
        const char *cmd;
        int sig;
    } cases[] = {
        {"stop", SIGTERM}, {"restart", SIGHUP}, {"graceful", SIGUSR1}, {"graceful-stop", SIGWINCH}};

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sigset_t set;
        int status = 0;
        pid_t pid;

        sigemptyset(&set);
        sigaddset(&set, cases[i].sig);
        sigprocmask(SIG_BLOCK, &set, NULL);
        pid = fork();
        if (pid == 0) {
            int got = 0;

            alarm(10);
            sigwait(&set, &got);
            _exit(got == cases[i].sig ? 0 : 1);
        }
        ck_assert_int_eq(kv_mpm_signal_server(pid, cases[i].cmd), APR_SUCCESS);
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "-k %s", cases[i].cmd);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
    }
}
END_TEST

/* ---- Directives ---- */

KVC_TEST(directives_case, defaults_without_directives)
{
    new_server();
    ck_assert_str_eq(kv_mpm_user(), "daemon");
    ck_assert_str_eq(kv_mpm_group(), "daemon");
    ck_assert_int_eq(kv_mpm_max_connections_per_child(), 0);
    ck_assert_int_eq(kv_mpm_graceful_shutdown_timeout(), 0);
    ck_assert_int_eq(kv_mpm_graceful_restart_timeout(), apr_time_from_sec(600));
    ck_assert_ptr_nonnull(strstr(kv_mpm_pidfile(), "/logs/kiva.pid"));
    ck_assert_int_eq(kv_mpm_pidfile()[0], '/');
}
END_TEST

KVC_TEST(directives_case, directives_set_values)
{
    kv_server_t *s = new_server();

    ck_assert_ptr_null(directive(s, "User", "#4321"));
    ck_assert_ptr_null(directive(s, "Group", "#4322"));
    ck_assert_ptr_null(directive(s, "MaxConnectionsPerChild", "25"));
    ck_assert_ptr_null(directive(s, "GracefulShutdownTimeout", "3"));
    ck_assert_ptr_null(directive(s, "PidFile", "run/x.pid"));
    ck_assert_str_eq(kv_mpm_user(), "#4321");
    ck_assert_str_eq(kv_mpm_group(), "#4322");
    ck_assert_int_eq(kv_mpm_max_connections_per_child(), 25);
    ck_assert_int_eq(kv_mpm_graceful_shutdown_timeout(), apr_time_from_sec(3));
    ck_assert_int_eq(kv_mpm_graceful_restart_timeout(), apr_time_from_sec(3));
    ck_assert_ptr_null(directive(s, "GracefulShutdownTimeout", "0"));
    ck_assert_int_eq(kv_mpm_graceful_restart_timeout(), 0);
    ck_assert_ptr_nonnull(strstr(kv_mpm_pidfile(), "/run/x.pid"));
    ck_assert_int_eq(kv_mpm_pidfile()[0], '/');
    ck_assert_ptr_null(directive(s, "MaxRequestsPerChild", "7"));
    ck_assert_int_eq(kv_mpm_max_connections_per_child(), 7);
}
END_TEST

KVC_TEST(directives_case, directives_refuse_junk)
{
    kv_server_t *s = new_server();

    ck_assert_ptr_nonnull(directive(s, "User", "no-such-user-kiva"));
    ck_assert_ptr_nonnull(directive(s, "User", "#abc"));
    ck_assert_ptr_nonnull(directive(s, "Group", "no-such-group-kiva"));
    ck_assert_ptr_nonnull(directive(s, "MaxConnectionsPerChild", "abc"));
    ck_assert_ptr_nonnull(directive(s, "MaxConnectionsPerChild", "-1"));
    ck_assert_ptr_nonnull(directive(s, "GracefulShutdownTimeout", "soon"));
    ck_assert_str_eq(kv_mpm_user(), "daemon");
    ck_assert_int_eq(kv_mpm_max_connections_per_child(), 0);
}
END_TEST

KVC_TEST(directives_case, count_connection_stops_at_the_limit)
{
    kv_server_t *s = new_server();

    ck_assert_ptr_null(directive(s, "MaxConnectionsPerChild", "3"));
    ck_assert_int_eq(kv_mpm_count_connection(), 0);
    ck_assert_int_eq(kv_mpm_count_connection(), 0);
    ck_assert_int_ne(kv_mpm_count_connection(), 0);
}
END_TEST

KVC_TEST(directives_case, count_connection_without_limit_never_stops)
{
    new_server();
    for (int i = 0; i < 1000; i++) {
        ck_assert_int_eq(kv_mpm_count_connection(), 0);
    }
}
END_TEST

/* ---- Identity ---- */

static int identity_child(const char *user, const char *group)
{
    kv_server_t *s = new_server();
    int status = 0;
    pid_t pid;

    ck_assert_ptr_null(directive(s, "User", user));
    ck_assert_ptr_null(directive(s, "Group", group));
    pid = fork();
    if (pid == 0) {
        apr_status_t rv = kv_mpm_change_identity(s);

        if (rv != APR_SUCCESS) {
            _exit(geteuid() == 0 ? 2 : 3);
        }
        _exit(getuid() == 12345 && getgid() == 12346 ? 0 : 1);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    return WEXITSTATUS(status);
}

KVC_TEST(directives_case, change_identity_switches_when_root)
{
    int code = identity_child("#12345", "#12346");

    if (geteuid() == 0) {
        ck_assert_int_eq(code, 0);
    } else {
        ck_assert_int_eq(code, 1); /* a no-op: nothing to switch */
    }
}
END_TEST

KVC_TEST(directives_case, user_root_is_refused)
{
    kv_server_t *s = new_server();

    ck_assert_ptr_nonnull(directive(s, "User", "#0"));
    ck_assert_ptr_nonnull(directive(s, "User", "root"));
    ck_assert_str_eq(kv_mpm_user(), "daemon");
}
END_TEST

/* ---- Signals of the parent ---- */

KVC_TEST(signals_case, signals_map_to_results)
{
    ck_assert_int_eq(kv_mpm_parent_signals(), APR_SUCCESS);
    ck_assert_int_eq(kv_mpm_take_signal(), -1);
    raise(SIGUSR1);
    ck_assert_int_eq(kv_mpm_take_signal(), KV_MPM_GRACEFUL);
    ck_assert_int_eq(kv_mpm_take_signal(), -1);
    raise(SIGHUP);
    ck_assert_int_eq(kv_mpm_take_signal(), KV_MPM_RESTART);
    raise(SIGWINCH);
    ck_assert_int_eq(kv_mpm_take_signal(), KV_MPM_GRACEFUL_STOP);
    raise(SIGTERM);
    ck_assert_int_eq(kv_mpm_take_signal(), KV_MPM_STOP);
    raise(SIGINT);
    ck_assert_int_eq(kv_mpm_take_signal(), KV_MPM_STOP);
    ck_assert_int_eq(kv_mpm_take_signal(), -1);
}
END_TEST

KVC_TEST(signals_case, stop_wins_and_clears_the_rest)
{
    ck_assert_int_eq(kv_mpm_parent_signals(), APR_SUCCESS);
    raise(SIGUSR1);
    raise(SIGHUP);
    raise(SIGTERM);
    raise(SIGWINCH);
    ck_assert_int_eq(kv_mpm_take_signal(), KV_MPM_STOP);
    ck_assert_int_eq(kv_mpm_take_signal(), -1);
}
END_TEST

KVC_TEST(signals_case, wait_event_wakes_on_a_signal)
{
    apr_time_t start;

    ck_assert_int_eq(kv_mpm_parent_signals(), APR_SUCCESS);
    ck_assert_ptr_nonnull(kv_mpm_wakeup_pipe());
    raise(SIGUSR1);
    start = apr_time_now();
    kv_mpm_wait_event(apr_time_from_sec(20));
    ck_assert(apr_time_now() - start < apr_time_from_sec(10));
    ck_assert_int_eq(kv_mpm_take_signal(), KV_MPM_GRACEFUL);
}
END_TEST

KVC_TEST(signals_case, sigpipe_is_ignored)
{
    ck_assert_int_eq(kv_mpm_parent_signals(), APR_SUCCESS);
    raise(SIGPIPE); /* would end the test process if not ignored */
    ck_assert_int_eq(kv_mpm_take_signal(), -1);
}
END_TEST

/* ---- Children ---- */

KVC_TEST(children_case, reap_logs_and_frees_the_slot_of_a_crashed_child)
{
    pid_t pid;
    reaped_t r;

    ck_assert_int_eq(kv_mpm_parent_signals(), APR_SUCCESS);
    ck_assert_int_eq(kv_scoreboard_create(pool, 4, 1), APR_SUCCESS);
    pid = fork_child(2, crash);
    ck_assert_int_eq(kv_mpm_live_children(), 1);
    r = reap_one();
    ck_assert_int_eq(r.slot, 2);
    ck_assert_int_eq(r.was.pid, pid);
    ck_assert(APR_PROC_CHECK_SIGNALED(r.why));
    ck_assert_int_eq(r.code, SIGKILL);
    ck_assert_int_eq(kv_scoreboard_process(2)->pid, 0);
    ck_assert_int_eq(kv_mpm_live_children(), 0);
}
END_TEST

KVC_TEST(children_case, told_child_finishes_and_exits)
{
    reaped_t r;

    ck_assert_int_eq(kv_mpm_parent_signals(), APR_SUCCESS);
    ck_assert_int_eq(kv_scoreboard_create(pool, 4, 1), APR_SUCCESS);
    fork_child(1, wait_to_be_told);
    ck_assert_int_eq(kv_mpm_tell_children_to_exit(), 1);
    ck_assert_int_eq(kv_scoreboard_process(1)->quiescing, 1);
    r = reap_one();
    ck_assert_int_eq(r.slot, 1);
    ck_assert_int_eq(r.was.quiescing, 1);
    ck_assert(APR_PROC_CHECK_EXIT(r.why));
    ck_assert_int_eq(r.code, 7);
    ck_assert_int_eq(kv_scoreboard_process(1)->quiescing, 0);
}
END_TEST

KVC_TEST(children_case, stop_children_ends_them_all)
{
    ck_assert_int_eq(kv_mpm_parent_signals(), APR_SUCCESS);
    ck_assert_int_eq(kv_scoreboard_create(pool, 4, 1), APR_SUCCESS);
    fork_child(0, wait_forever);
    fork_child(3, wait_forever);
    ck_assert_int_eq(kv_mpm_live_children(), 2);
    kv_mpm_stop_children(NULL);
    ck_assert_int_eq(kv_mpm_live_children(), 0);
    ck_assert_int_eq(kv_scoreboard_process(0)->pid, 0);
    ck_assert_int_eq(kv_scoreboard_process(3)->pid, 0);
}
END_TEST

KVC_TEST(children_case, graceful_stop_waits_for_told_children)
{
    ck_assert_int_eq(kv_mpm_parent_signals(), APR_SUCCESS);
    ck_assert_int_eq(kv_scoreboard_create(pool, 2, 1), APR_SUCCESS);
    fork_child(0, wait_to_be_told);
    fork_child(1, wait_to_be_told);
    kv_mpm_graceful_stop_children(NULL, apr_time_from_sec(20));
    ck_assert_int_eq(kv_mpm_live_children(), 0);
}
END_TEST

KVC_TEST(children_case, graceful_stop_times_out)
{
    apr_time_t start;

    ck_assert_int_eq(kv_mpm_parent_signals(), APR_SUCCESS);
    ck_assert_int_eq(kv_scoreboard_create(pool, 2, 1), APR_SUCCESS);
    fork_child(0, wait_forever); /* ignores being told: must be stopped */
    start = apr_time_now();
    kv_mpm_graceful_stop_children(NULL, apr_time_from_msec(300));
    ck_assert_int_eq(kv_mpm_live_children(), 0);
    ck_assert(apr_time_now() - start < apr_time_from_sec(8));
}
END_TEST

int main(void)
{
    return kvc_run("mpm_common");
}
