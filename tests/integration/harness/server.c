/* Integration harness: a server under test, from its temp ServerRoot to its stop. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* POSIX and GNU interfaces under -std=c11 */
#endif
#include "internal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static kvt_server_t *servers[MAX_SERVERS];
static int nservers;

kvt_server_t *kvt_server_new(const char *mpm)
{
    ck_assert_msg(nservers < MAX_SERVERS, "too many servers in one test");
    kvt_server_t *srv = calloc(1, sizeof(*srv));
    ck_assert_msg(srv != NULL, "out of memory");
    snprintf(srv->mpm, sizeof(srv->mpm), "%s", mpm);
    snprintf(srv->root, sizeof(srv->root), "/tmp/kvt-XXXXXX");
    ck_assert_msg(mkdtemp(srv->root) != NULL, "mkdtemp: %s", strerror(errno));
    /* Children that switched to User daemon must still reach the docroot. */
    chmod(srv->root, 0755);
    snprintf(srv->docroot, sizeof(srv->docroot), "%s/htdocs", srv->root);
    snprintf(srv->conf, sizeof(srv->conf), "%s/kiva.conf", srv->root);
    char logs[PATH_MAX + 8];
    snprintf(logs, sizeof(logs), "%s/logs", srv->root);
    ck_assert_int_eq(mkdir(srv->docroot, 0755), 0);
    ck_assert_int_eq(mkdir(logs, 0755), 0);
    chmod(srv->docroot, 0755);
    chmod(logs, 0755);
    srv->port = kvth_free_port();
    kvth_start_watcher(srv);
    kvth_base_config(srv);
    servers[nservers++] = srv;
    return srv;
}

static int port_listens(void *arg)
{
    return kvth_tcp_inode(*(int *)arg, -1, "0A") != 0;
}

void kvt_server_start(kvt_server_t *srv)
{
    ck_assert_msg(srv->pid == 0, "server already started");
    kvt_server_write_conf(srv);
    const char *argv[MAX_ARGS + 8];
    int n = 0;
    argv[n++] = KIVA_BINARY;
    argv[n++] = "-f";
    argv[n++] = srv->conf;
    argv[n++] = "-DFOREGROUND";
    for (int i = 0; i < srv->nargs; i++) {
        argv[n++] = srv->args[i];
    }
    argv[n] = NULL;
    char out_path[PATH_MAX + 16], err_path[PATH_MAX + 16];
    snprintf(out_path, sizeof(out_path), "%s/stdout", srv->root);
    snprintf(err_path, sizeof(err_path), "%s/stderr", srv->root);
    srv->pid = kvth_spawn(argv, out_path, err_path);
    kvth_watcher_send(srv, 'P');
    /* Readiness is the LISTEN socket in /proc/net/tcp, not a probe connection: a probe
     * would count against MaxConnectionsPerChild and show up in the children's work. */
    long deadline = kvt_now_ms() + START_TIMEOUT_MS;
    while (!port_listens(&srv->port)) {
        int status;
        if (waitpid(srv->pid, &status, WNOHANG) == srv->pid) {
            srv->reaped = 1;
            ck_abort_msg("kiva exited with status %d before listening on port %d\n%s",
                         kvth_decode_status(status), srv->port, kvt_server_diagnostics(srv));
        }
        if (kvt_now_ms() >= deadline) {
            ck_abort_msg("kiva did not listen on port %d within %d ms\n%s", srv->port,
                         START_TIMEOUT_MS, kvt_server_diagnostics(srv));
        }
        kvth_sleep_ms(POLL_MS);
    }
}

int kvt_server_wait_exit(kvt_server_t *srv, int timeout_ms)
{
    if (srv->pid == 0 || srv->reaped) {
        return -1;
    }
    int status = kvth_wait_child(srv->pid, timeout_ms);
    if (status != -1) {
        srv->reaped = 1;
    }
    return status;
}

void kvt_server_adopt(kvt_server_t *srv, pid_t pid)
{
    ck_assert_msg(srv->pid == 0, "server already started");
    srv->pid = pid;
    srv->reaped = 1; /* not our child: never waited for */
    kvth_watcher_send(srv, 'P');
}

int kvt_server_group_alive(kvt_server_t *srv)
{
    return srv->pid != 0 && kvth_group_alive(srv->pid);
}

void kvt_server_stop(kvt_server_t *srv)
{
    if (srv->stopped) {
        return;
    }
    srv->stopped = 1;
    if (srv->pid != 0) {
        if (!srv->reaped) {
            kill(srv->pid, SIGTERM);
            if (kvt_server_wait_exit(srv, STOP_TIMEOUT_MS) == -1) {
                kill(-srv->pid, SIGKILL);
                waitpid(srv->pid, NULL, 0);
                srv->reaped = 1;
            }
        }
        /* Children the parent left behind are still in its group; an adopted daemon
         * leads a group of its own. */
        kvth_kill_group(srv->pid, STOP_TIMEOUT_MS);
    }
    kvth_remove_tree(srv->root);
    kvth_watcher_send(srv, 'D');
    close(srv->watcher_fd);
    waitpid(srv->watcher, NULL, 0);
}

void kvt_teardown(void)
{
    for (int i = 0; i < nservers; i++) {
        kvt_server_stop(servers[i]);
    }
    nservers = 0;
}

int kvt_server_port(const kvt_server_t *srv)
{
    return srv->port;
}

pid_t kvt_server_pid(const kvt_server_t *srv)
{
    return srv->pid;
}

const char *kvt_server_root(const kvt_server_t *srv)
{
    return srv->root;
}

const char *kvt_server_docroot(const kvt_server_t *srv)
{
    return srv->docroot;
}

const char *kvt_server_conf_path(const kvt_server_t *srv)
{
    return srv->conf;
}
