/* Integration harness: a watcher process stops the server of a test that died. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* POSIX and GNU interfaces under -std=c11 */
#endif
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Messages to the watcher: 'P' and the server's pid once it runs; 'D' when the test has
 * cleaned up itself. End of file without 'D' means the test process died. */
static void watch(int fd, const char *root)
{
    pid_t pgid = 0;
    for (;;) {
        char msg[1 + sizeof(pid_t)];
        ssize_t n;
        do {
            n = read(fd, msg, sizeof(msg));
        } while (n < 0 && errno == EINTR);
        if (n >= 1 && msg[0] == 'D') {
            _exit(0);
        }
        if (n != (ssize_t)sizeof(msg) || msg[0] != 'P') {
            break;
        }
        memcpy(&pgid, msg + 1, sizeof(pgid));
    }
    kvth_kill_group(pgid, STOP_TIMEOUT_MS);
    kvth_remove_tree(root);
    _exit(0);
}

/* A process that outlives a test which died without its teardown (a failed assertion
 * exits at once; a timeout kills it) and then stops the server and removes its files.
 * It sits in its own process group so that Check's kill of the test's group misses it. */
void kvth_start_watcher(kvt_server_t *srv)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        kvth_close_from(3, fds[0]);
        watch(fds[0], srv->root);
    }
    ck_assert_msg(pid > 0, "fork: %s", strerror(errno));
    setpgid(pid, pid); /* before the test can die: Check then kills the test's group */
    close(fds[0]);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    srv->watcher = pid;
    srv->watcher_fd = fds[1];
}

/* Tell the watcher which process group to stop; one write below PIPE_BUF is atomic. */
void kvth_watcher_send(kvt_server_t *srv, char tag)
{
    char msg[1 + sizeof(pid_t)];
    msg[0] = tag;
    memcpy(msg + 1, &srv->pid, sizeof(srv->pid));
    ssize_t n = write(srv->watcher_fd, msg, tag == 'P' ? sizeof(msg) : 1);
    (void)n;
}
