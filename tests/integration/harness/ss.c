/* Integration harness: what ss(8) tells of the server's sockets. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* POSIX and GNU interfaces under -std=c11 */
#endif
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *ss_output(const char *const argv[])
{
    int status;
    char *out = NULL, *err = NULL;
    int rv = kvt_run(argv, 5000, &status, &out, &err);
    ck_assert_msg(rv == 0 && status == 0, "%s failed (status %d): %s", argv[0], status,
                  err ? err : "");
    free(err);
    return out;
}

long kvt_listen_backlog(int port)
{
    char filter[32];
    snprintf(filter, sizeof(filter), ":%d", port);
    const char *argv[] = {"ss", "-ltnH", "sport", "=", filter, NULL};
    char *out = ss_output(argv);
    long backlog = -1;
    char state[32], local[128];
    long recvq, sendq;
    char *line = out;
    while (line != NULL && *line) {
        if (sscanf(line, "%31s %ld %ld %127s", state, &recvq, &sendq, local) == 4 &&
            strcmp(state, "LISTEN") == 0 && kvt_contains(local, filter)) {
            backlog = sendq;
            break;
        }
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    free(out);
    return backlog;
}

int kvt_server_sock_buffers(kvt_server_t *srv, int client_fd, long *rb, long *tb)
{
    char sport[32], dport[32];
    snprintf(sport, sizeof(sport), ":%d", srv->port);
    snprintf(dport, sizeof(dport), ":%d", kvth_local_port(client_fd));
    const char *argv[] = {"ss",  "-tmnH", "state", "established", "(",   "sport", "=",
                          sport, "and",   "dport", "=",           dport, ")",     NULL};
    char *out = ss_output(argv);
    const char *skmem = out ? strstr(out, "skmem:(") : NULL;
    const char *r = skmem ? strstr(skmem, ",rb") : NULL;
    const char *t = skmem ? strstr(skmem, ",tb") : NULL;
    int rv = -1;
    if (r != NULL && t != NULL) {
        *rb = strtol(r + 3, NULL, 10);
        *tb = strtol(t + 3, NULL, 10);
        rv = 0;
    }
    free(out);
    return rv;
}
