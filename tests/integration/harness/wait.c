/* Integration harness: waiting for a condition, bounded in time. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* POSIX and GNU interfaces under -std=c11 */
#endif
#include "internal.h"

#include <time.h>

int kvt_wait_for(int (*cond)(void *arg), void *arg, int timeout_ms)
{
    long deadline = kvt_now_ms() + timeout_ms;
    int result;
    while (!(result = cond(arg)) && kvt_now_ms() < deadline) {
        kvth_sleep_ms(POLL_MS);
    }
    return result;
}

int kvt_pid_gone(void *pid)
{
    return !kvt_pid_alive(*(pid_t *)pid);
}

int kvt_group_gone(void *srv)
{
    return !kvt_server_group_alive(srv);
}
