/* The worker MPM seen from /proc and the wire: children with a listener and ThreadsPerChild
 * worker threads, one child serving several connections at once, the spare-thread bounds,
 * and httpd's warnings about inconsistent limits. MaxConnectionsPerChild, respawn after a
 * crash, a graceful restart that lets a connection in flight finish, TERM and -X are in
 * test_mpm, under every MPM they apply to. */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEADLINE_MS 10000

static void wait_children(kvt_server_t *srv, int min, int max, const char *why)
{
    ck_assert_msg(kvt_wait_children(srv, min, max, DEADLINE_MS), "%s: %d children, want %d..%d",
                  why, kvt_server_children(srv), min, max);
}

/* A worker server with these limits (0: the default). */
static kvt_server_t *worker_server(int start, int threads, int min_spare, int max_spare,
                                   int max_workers)
{
    kvt_server_t *srv = kvt_server_new("worker");
    kvt_write_file(srv, "f.txt", "f", 1);
    kvt_server_conf(srv, "StartServers %d", start);
    kvt_server_conf(srv, "ThreadsPerChild %d", threads);
    kvt_server_conf(srv, "MinSpareThreads %d", min_spare);
    kvt_server_conf(srv, "MaxSpareThreads %d", max_spare);
    if (max_workers > 0) {
        kvt_server_conf(srv, "MaxRequestWorkers %d", max_workers);
    }
    return srv;
}

/* Send a keep-alive GET on @a fd and check its answer; the connection stays open. */
static void get_keepalive(int fd)
{
    kvt_response_t r;
    kvt_send(fd, "GET /f.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "f");
    kvt_response_free(&r);
}

static int children_have_threads(void *arg)
{
    pid_t pids[KVT_MAX_PIDS];
    int n = kvt_children(kvt_server_pid(arg), pids, KVT_MAX_PIDS);

    for (int i = 0; i < n; i++) {
        if (kvt_threads(pids[i]) < 5) {
            return 0;
        }
    }
    return n > 0;
}

KVT_CASE(worker_case, "worker");

KVC_TEST(worker_case, test_children_and_threads)
{
    kvt_server_t *srv = worker_server(3, 4, 1, 12, 0);
    pid_t pids[KVT_MAX_PIDS];
    int n;

    kvt_server_start(srv);
    wait_children(srv, 3, 3, "StartServers 3");
    kvt_assert_serves(srv, "/f.txt", "f");
    /* A child just forked may still be starting its threads. */
    ck_assert_msg(kvt_wait_for(children_have_threads, srv, 10000),
                  "a worker child has fewer than 4 + 1 threads");
    n = kvt_children(kvt_server_pid(srv), pids, KVT_MAX_PIDS);
    ck_assert_int_eq(n, 3);
}
END_TEST

/* ThreadsPerChild 4 and MaxRequestWorkers 4: one child only, yet four connections held
 * open are served at once, all by it. */
KVC_TEST(worker_case, test_one_child_serves_concurrently)
{
    kvt_server_t *srv = worker_server(1, 4, 1, 5, 4);
    int fds[4];
    pid_t served_by[4];

    kvt_server_start(srv);
    wait_children(srv, 1, 1, "MaxRequestWorkers 4 of 4 threads");
    for (int i = 0; i < 4; i++) {
        fds[i] = kvt_connect(kvt_server_port(srv));
    }
    for (int i = 3; i >= 0; i--) {
        get_keepalive(fds[i]); /* each connection keeps a thread busy */
        served_by[i] = kvt_serving_pid(srv, fds[i]);
    }
    ck_assert_int_eq(kvt_server_children(srv), 1);
    for (int i = 0; i < 4; i++) {
        ck_assert_msg(served_by[i] != 0 && served_by[i] == served_by[0],
                      "connection %d served by %d, connection 0 by %d", i, (int)served_by[i],
                      (int)served_by[0]);
        close(fds[i]);
    }
}
END_TEST

/* MinSpareThreads 5 with 2 threads a child: children are added until at least 3 (6 idle);
 * the spawn rate doubles each second, so 1 + 1 + 2 may make 4 (8 idle, MaxSpareThreads). */
KVC_TEST(worker_case, test_min_spare_threads_adds_children)
{
    kvt_server_t *srv = worker_server(1, 2, 5, 8, 0);

    kvt_server_start(srv);
    wait_children(srv, 3, 4, "MinSpareThreads 5 of 2 threads each from StartServers 1");
    kvt_assert_serves(srv, "/f.txt", "f");
}
END_TEST

/* MaxSpareThreads 6 with 2 threads a child: of 6 children, 3 stay. */
KVC_TEST(worker_case, test_max_spare_threads_retires_children)
{
    kvt_server_t *srv = worker_server(6, 2, 1, 6, 0);

    kvt_server_start(srv);
    wait_children(srv, 2, 3, "MaxSpareThreads 6 of 2 threads each from StartServers 6");
    kvt_assert_serves(srv, "/f.txt", "f");
}
END_TEST

KVC_TEST(worker_case, test_consistency_warnings)
{
    kvt_server_t *srv = worker_server(1, 10, 2, 3, 7);
    char *log;

    kvt_server_conf(srv, "ThreadLimit 4");
    kvt_server_conf(srv, "ServerLimit 1");
    kvt_server_start(srv);
    wait_children(srv, 1, 1, "one child");
    kvt_assert_serves(srv, "/f.txt", "f");
    log = kvt_server_error_log(srv);
    ck_assert_msg(kvt_contains(log, "ThreadsPerChild of 10 exceeds ThreadLimit of 4 threads, "
                                    "decreasing to 4"),
                  "%s", log);
    ck_assert_msg(kvt_contains(log, "MaxRequestWorkers of 7 is not an integer multiple of "
                                    "ThreadsPerChild of 4, decreasing to nearest multiple 4"),
                  "%s", log);
    ck_assert_msg(kvt_contains(log, "MaxSpareThreads of 3 is less than MinSpareThreads (2) "
                                    "plus ThreadsPerChild (4), increasing to 6"),
                  "%s", log);
    free(log);
}
END_TEST

KVC_TEST(worker_case, test_max_request_workers_clamped_to_server_limit)
{
    kvt_server_t *srv = worker_server(1, 2, 8, 10, 8);
    char *log;

    kvt_server_conf(srv, "ServerLimit 2");
    kvt_server_start(srv);
    wait_children(srv, 2, 2, "ServerLimit 2");
    log = kvt_server_error_log(srv);
    ck_assert_msg(kvt_contains(log, "MaxRequestWorkers of 8 would require 4 servers and would "
                                    "exceed ServerLimit of 2, decreasing to 4"),
                  "%s", log);
    free(log);
    /* MinSpareThreads 8 wants more, but two children is the most */
    ck_assert_msg(!kvt_wait_children(srv, 3, KVT_MAX_PIDS, 2500), "%d children over ServerLimit",
                  kvt_server_children(srv));
}
END_TEST

int main(void)
{
    return kvc_run("worker");
}
