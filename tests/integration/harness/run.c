/* Integration harness: running programs (kiva -t, kivactl, ss) to completion, bounded in time. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* POSIX and GNU interfaces under -std=c11 */
#endif
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* In a forked child: close every descriptor from @a first on except @a keep. The child
 * must not call Check either: Check's message file is shared with the test process, and
 * Check reads it once the test process has exited, while a child may still write. */
void kvth_close_from(int first, int keep)
{
    for (int fd = first; fd < 1024; fd++) {
        if (fd != keep) {
            close(fd);
        }
    }
}

static void child_stdio(const char *out_path, const char *err_path)
{
    int in = open("/dev/null", O_RDONLY);
    int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0) {
        _exit(126);
    }
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
}

/* Fork and exec argv in a new process group with stdio to the given files. */
pid_t kvth_spawn(const char *const argv[], const char *out_path, const char *err_path)
{
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        child_stdio(out_path, err_path);
        kvth_close_from(3, -1); /* not the test's sockets, nor Check's message file */
        signal(SIGPIPE, SIG_DFL);
        execvp(argv[0], (char *const *)argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    ck_assert_msg(pid > 0, "fork: %s", strerror(errno));
    setpgid(pid, pid); /* also here, so there is no window in which it has our group */
    return pid;
}

int kvth_decode_status(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Wait up to timeout_ms for our child pid; its wait status, or -1. */
int kvth_wait_child(pid_t pid, int timeout_ms)
{
    long deadline = kvt_now_ms() + timeout_ms;
    int status;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            return status;
        }
        if (r < 0 && errno != EINTR) {
            return -1;
        }
        if (kvt_now_ms() >= deadline) {
            return -1;
        }
        kvth_sleep_ms(5);
    }
}

/* TERM the group, wait for it to go, then KILL what is left. Used where the parent of the
 * group may not be our child any more (the watcher), so liveness comes from /proc. */
void kvth_kill_group(pid_t pgid, int timeout_ms)
{
    if (pgid <= 0) {
        return;
    }
    kill(-pgid, SIGTERM);
    long deadline = kvt_now_ms() + timeout_ms;
    while (kvth_group_alive(pgid) && kvt_now_ms() < deadline) {
        kvth_sleep_ms(POLL_MS);
    }
    if (kvth_group_alive(pgid)) {
        kill(-pgid, SIGKILL);
    }
}

static char *temp_path(const char *tag)
{
    char *p = kvt_strf("/tmp/kvt-%s-XXXXXX", tag);
    int fd = mkstemp(p);
    ck_assert_msg(fd >= 0, "mkstemp: %s", strerror(errno));
    close(fd);
    return p;
}

int kvt_run(const char *const argv[], int timeout_ms, int *exit_status, char **out, char **err)
{
    char *out_path = temp_path("out");
    char *err_path = temp_path("err");
    pid_t pid = kvth_spawn(argv, out_path, err_path);
    int status = kvth_wait_child(pid, timeout_ms);
    int rv = 0;
    if (status == -1) {
        kvth_kill_group(pid, 2000);
        kill(-pid, SIGKILL);
        waitpid(pid, &status, 0);
        rv = -1;
    }
    if (exit_status != NULL) {
        *exit_status = kvth_decode_status(status);
    }
    if (out != NULL) {
        *out = kvt_read_file(out_path);
    }
    if (err != NULL) {
        *err = kvt_read_file(err_path);
    }
    unlink(out_path);
    unlink(err_path);
    free(out_path);
    free(err_path);
    return rv;
}

int kvt_run_kiva(int *exit_status, char **out, char **err, const char *arg, ...)
{
    const char *argv[MAX_ARGS + 2];
    int n = 0;
    argv[n++] = KIVA_BINARY;
    va_list ap;
    va_start(ap, arg);
    for (const char *a = arg; a != NULL && n < MAX_ARGS; a = va_arg(ap, const char *)) {
        argv[n++] = a;
    }
    va_end(ap);
    argv[n] = NULL;
    return kvt_run(argv, RUN_TIMEOUT_MS, exit_status, out, err);
}

/* kvt_assert_refused, its failure messages led by @a where (a vector's "file:line: "). */
static void assert_refused(kvt_server_t *srv, const char *how, const char *line,
                           const char *reason, const char *where)
{
    kvt_server_conf(srv, "%s", line);
    const char *conf = kvt_server_write_conf(srv);
    int status;
    char *err = NULL;

    ck_assert_int_eq(kvt_run_kiva(&status, NULL, &err, how, "-f", conf, (const char *)NULL), 0);
    ck_assert_msg(status == 1, "%s%s: exit status %d, want 1; stderr:\n%s", where, line, status,
                  err);
    char *want =
        kvt_strf("kiva: Syntax error on line %u of %s: ", kvt_conf_line_of(srv, line), conf);
    ck_assert_msg(kvt_contains(err, want), "%sstderr lacks \"%s\":\n%s", where, want, err);
    ck_assert_msg(kvt_contains(err, reason), "%sstderr lacks \"%s\":\n%s", where, reason, err);
    free(want);
    free(err);
}

void kvt_assert_refused(kvt_server_t *srv, const char *how, const char *line, const char *reason)
{
    assert_refused(srv, how, line, reason, "");
}

void kvt_assert_refused_vector(kvt_server_t *srv, const char *how, const struct kvc_vector *v)
{
    char *where = kvt_strf("%s:%d: ", v->file, v->line);

    assert_refused(srv, how, v->field[0], v->field[1], where);
    free(where);
}
