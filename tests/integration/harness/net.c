/* Integration harness: the server's sockets, as /proc/net/tcp and /proc/<pid>/fd show them. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* POSIX and GNU interfaces under -std=c11 */
#endif
#include "internal.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Inode of the IPv4 TCP socket with these local and remote loopback ports in the given
 * /proc/net/tcp state (hex, "0A" = LISTEN, "01" = ESTABLISHED; NULL for any), or 0. */
unsigned long kvth_tcp_inode(int local_port, int remote_port, const char *state)
{
    FILE *f = fopen("/proc/net/tcp", "r");
    if (f == NULL) {
        return 0;
    }
    char line[512];
    unsigned long found = 0;
    while (found == 0 && fgets(line, sizeof(line), f) != NULL) {
        unsigned lport, rport;
        char st[8];
        unsigned long inode;
        if (sscanf(line, " %*d: %*8s:%x %*8s:%x %7s %*s %*s %*s %*s %*s %lu", &lport, &rport, st,
                   &inode) != 4) {
            continue;
        }
        if ((int)lport == local_port && (remote_port < 0 || (int)rport == remote_port) &&
            (state == NULL || strcmp(st, state) == 0)) {
            found = inode;
        }
    }
    fclose(f);
    return found;
}

static int holds_socket(pid_t pid, unsigned long inode)
{
    char dir[64], target[64], want[64];
    snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
    snprintf(want, sizeof(want), "socket:[%lu]", inode);
    DIR *d = opendir(dir);
    if (d == NULL) {
        return 0;
    }
    int held = 0;
    struct dirent *e;
    while (!held && (e = readdir(d)) != NULL) {
        char link[384];
        snprintf(link, sizeof(link), "%s/%s", dir, e->d_name);
        ssize_t n = readlink(link, target, sizeof(target) - 1);
        if (n > 0) {
            target[n] = '\0';
            held = strcmp(target, want) == 0;
        }
    }
    closedir(d);
    return held;
}

int kvth_local_port(int fd)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    if (getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        return -1;
    }
    return ntohs(sa.sin_port);
}

long kvt_server_send_queue(kvt_server_t *srv, int client_fd)
{
    FILE *f = fopen("/proc/net/tcp", "r");
    if (f == NULL) {
        return -1;
    }
    int client_port = kvth_local_port(client_fd);
    char line[512];
    long queue = -1;
    while (queue < 0 && fgets(line, sizeof(line), f) != NULL) {
        unsigned lport, rport, st;
        unsigned long tx;
        if (sscanf(line, " %*d: %*8s:%x %*8s:%x %x %lx:%*x", &lport, &rport, &st, &tx) == 4 &&
            (int)lport == srv->port && (int)rport == client_port && st == 0x01) {
            queue = (long)tx;
        }
    }
    fclose(f);
    return queue;
}

pid_t kvt_serving_pid(kvt_server_t *srv, int client_fd)
{
    unsigned long inode = kvth_tcp_inode(srv->port, kvth_local_port(client_fd), "01");
    if (inode == 0) {
        return 0;
    }
    pid_t pids[KVT_MAX_PIDS];
    int n = kvt_children(srv->pid, pids, KVT_MAX_PIDS);
    for (int i = 0; i < n; i++) {
        if (holds_socket(pids[i], inode)) {
            return pids[i];
        }
    }
    return holds_socket(srv->pid, inode) ? srv->pid : 0;
}

unsigned long kvt_listener_inode(int port)
{
    return kvth_tcp_inode(port, -1, "0A");
}

struct holders {
    pid_t group;
    unsigned long inode;
    int count;
};

static void count_holder(pid_t pid, pid_t ppid, pid_t pgrp, void *arg)
{
    struct holders *h = arg;

    (void)ppid;
    if (pgrp == h->group && holds_socket(pid, h->inode)) {
        h->count++;
    }
}

int kvt_server_socket_holders(kvt_server_t *srv, unsigned long inode)
{
    struct holders h = {srv->pid, inode, 0};

    kvth_each_process(count_holder, &h);
    return h.count;
}

int kvt_pid_holds_socket(pid_t pid, unsigned long inode)
{
    return holds_socket(pid, inode);
}

int kvt_server_holds_conn(kvt_server_t *srv, int client_fd)
{
    return kvth_tcp_inode(srv->port, kvth_local_port(client_fd), NULL) != 0;
}

struct released_cond {
    kvt_server_t *srv;
    unsigned long inode;
};

static int released(void *arg)
{
    const struct released_cond *c = arg;

    return kvt_server_socket_holders(c->srv, c->inode) == 0;
}

/* By the socket's inode, not its ports: a socket that got the RST leaves /proc/net/tcp at
 * once, while the process holding it has yet to see it. */
int kvt_reset_conn(kvt_server_t *srv, int client_fd, int timeout_ms)
{
    struct released_cond c = {srv, kvth_tcp_inode(srv->port, kvth_local_port(client_fd), NULL)};
    struct linger reset = {1, 0};

    setsockopt(client_fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
    close(client_fd);
    return c.inode == 0 || kvt_wait_for(released, &c, timeout_ms);
}

struct serving_cond {
    kvt_server_t *srv;
    int fd;
    pid_t pid;
};

static int is_serving(void *arg)
{
    const struct serving_cond *c = arg;
    return kvt_serving_pid(c->srv, c->fd) == c->pid;
}

int kvt_wait_serving_pid(kvt_server_t *srv, int client_fd, pid_t pid, int timeout_ms)
{
    struct serving_cond c = {srv, client_fd, pid};
    return kvt_wait_for(is_serving, &c, timeout_ms);
}

static int is_served(void *arg)
{
    const struct serving_cond *c = arg;
    return kvt_serving_pid(c->srv, c->fd) > 0;
}

pid_t kvt_wait_served(kvt_server_t *srv, int client_fd, int timeout_ms)
{
    struct serving_cond c = {srv, client_fd, 0};

    kvt_wait_for(is_served, &c, timeout_ms);
    return kvt_serving_pid(srv, client_fd);
}
