/* A memcached for the session-cache tests (harness.h): Debian's, on a free loopback port,
 * started and stopped by its pid. It dies with the test process if a failed test does not
 * stop it (PR_SET_PDEATHSIG). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

#define MEMCACHED "/usr/bin/memcached"
#define MEMCACHED_START_MS 10000

static int memcached_listens(void *port)
{
    int fd = kvt_try_connect(*(int *)port, 0);

    if (fd < 0) {
        return 0;
    }
    close(fd);
    return 1;
}

pid_t kvt_memcached_start(int *port)
{
    char port_arg[16];
    pid_t pid;

    ck_assert_msg(access(MEMCACHED, X_OK) == 0, "%s is missing: ./buildconf --deps", MEMCACHED);
    *port = kvth_free_port();
    snprintf(port_arg, sizeof(port_arg), "%d", *port);
    pid = fork();
    ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        /* -U 0: no UDP; -u: memcached will not run as root; -m 8: 8 MiB is plenty. */
        execl(MEMCACHED, "memcached", "-l", "127.0.0.1", "-p", port_arg, "-U", "0", "-m", "8", "-u",
              "nobody", (char *)NULL);
        _exit(127);
    }
    ck_assert_msg(kvt_wait_for(memcached_listens, port, MEMCACHED_START_MS),
                  "memcached did not listen on 127.0.0.1:%d", *port);
    return pid;
}

void kvt_memcached_stop(pid_t pid)
{
    int status;

    kill(pid, SIGTERM);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
}
