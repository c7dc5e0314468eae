/* The thread MPM seen from /proc and the wire: one serving child whose threads come and go
 * with its connections, the MaxRequestWorkers bound, KeepAliveTimeout, respawn after a
 * crash (and the log line of its signal), mod_status and httpd's warning about
 * MaxRequestWorkers above ThreadLimit. MaxKeepAliveRequests, MaxConnectionsPerChild,
 * kill -9, graceful restart, graceful stop, TERM, -k stop and -X are in test_mpm, under
 * every MPM they apply to. */
#include "harness.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEADLINE_MS 10000
#define LOAD_STATUS "LoadModule status_module %s/modules/.libs/mod_status.so"

static kvt_server_t *thread_server(void)
{
    kvt_server_t *srv = kvt_server_new("thread");

    kvt_write_file(srv, "f.txt", "f", 1);
    kvt_server_conf(srv, "KeepAliveTimeout 30");
    return srv;
}

/* A keep-alive GET on @a fd answered 200 "f"; the value of its Connection header ("" if
 * none) in @a conn. */
static void get_keepalive(int fd, char *conn, size_t len)
{
    kvt_response_t r;
    const char *h;

    kvt_send(fd, "GET /f.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "f");
    h = kvt_header(&r, "Connection");
    if (conn) {
        snprintf(conn, len, "%s", h ? h : "");
    }
    kvt_response_free(&r);
}

/* A new connection kept open after one answered request. */
static int held_connection(kvt_server_t *srv)
{
    int fd = kvt_connect(kvt_server_port(srv));
    get_keepalive(fd, NULL, 0);
    return fd;
}

/* Do bytes arrive on @a fd within @a ms? */
static int answered_within(int fd, int ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    return poll(&p, 1, ms) > 0;
}

struct threads_cond {
    pid_t pid;
    int min, max;
};

static int threads_between(void *arg)
{
    const struct threads_cond *c = arg;
    int n = kvt_threads(c->pid);
    return n >= c->min && n <= c->max;
}

static void wait_threads(pid_t pid, int min, int max, const char *why)
{
    struct threads_cond c = {pid, min, max};
    ck_assert_msg(kvt_wait_for(threads_between, &c, DEADLINE_MS), "%s: %d threads, want %d..%d",
                  why, kvt_threads(pid), min, max);
}

/* ---- Serving ---- */

KVT_CASE(thread_case, "thread");

KVC_TEST(thread_case, test_serves_files_from_one_child)
{
    kvt_server_t *srv = thread_server();
    pid_t child;
    int fd;

    kvt_write_file(srv, "index.html", "<p>home</p>", 11);
    kvt_server_start(srv);
    child = kvt_server_only_child(srv, DEADLINE_MS);
    kvt_assert_serves(srv, "/f.txt", "f");
    kvt_assert_serves_type(srv, "/", "<p>home</p>", "text/html");
    kvt_assert_status(srv, "/missing", 404);
    fd = held_connection(srv);
    ck_assert_int_eq(kvt_serving_pid(srv, fd), child);
    close(fd);
    ck_assert_int_eq(kvt_server_children(srv), 1);
}
END_TEST

/* Five connections held open: five more threads in the child; closed: back to the
 * listener's own. */
KVC_TEST(thread_case, test_a_thread_per_connection)
{
    kvt_server_t *srv = thread_server();
    int fds[5];
    pid_t child;
    int base;

    kvt_server_start(srv);
    child = kvt_server_only_child(srv, DEADLINE_MS);
    kvt_assert_serves(srv, "/f.txt", "f");
    wait_threads(child, 1, 1, "idle child: its listener only");
    base = kvt_threads(child);
    for (int i = 0; i < 5; i++) {
        fds[i] = held_connection(srv);
    }
    ck_assert_msg(kvt_threads(child) >= base + 5, "5 connections held, %d threads (idle: %d)",
                  kvt_threads(child), base);
    ck_assert_int_ge(kvt_threads(child), 6);
    for (int i = 0; i < 5; i++) {
        close(fds[i]);
    }
    wait_threads(child, 1, base, "connections closed");
    kvt_assert_serves(srv, "/f.txt", "f");
    ck_assert_int_eq(kvt_server_only_child(srv, DEADLINE_MS), child);
}
END_TEST

/* MaxRequestWorkers 2: a third connection waits, unanswered, until one of two closes. */
KVC_TEST(thread_case, test_max_request_workers_bounds_connections)
{
    kvt_server_t *srv = thread_server();
    kvt_response_t r;
    char *log;
    int a, b, c;

    kvt_server_conf(srv, "MaxRequestWorkers 2");
    kvt_server_start(srv);
    kvt_server_only_child(srv, DEADLINE_MS);
    a = held_connection(srv);
    b = held_connection(srv);
    c = kvt_connect(kvt_server_port(srv));
    kvt_send(c, "GET /f.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
    ck_assert_msg(!answered_within(c, 1500), "a third connection was served at once");
    close(a);
    ck_assert_int_eq(kvt_read_response(c, &r, 0), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "f");
    kvt_response_free(&r);
    log = kvt_server_wait_log(srv, "KV00433: server reached MaxRequestWorkers setting", 10000);
    ck_assert_msg(kvt_contains(log, "KV00433: server reached MaxRequestWorkers setting"), "%s",
                  log);
    free(log);
    close(b);
    close(c);
}
END_TEST

/* KeepAliveTimeout 1 ends an idle connection, and its thread with it. */
KVC_TEST(thread_case, test_keepalive_timeout_ends_the_thread)
{
    kvt_server_t *srv = kvt_server_new("thread");
    pid_t child;
    int fd;

    kvt_write_file(srv, "f.txt", "f", 1);
    kvt_server_conf(srv, "KeepAliveTimeout 1");
    kvt_server_start(srv);
    child = kvt_server_only_child(srv, DEADLINE_MS);
    wait_threads(child, 1, 1, "idle child");
    fd = held_connection(srv);
    ck_assert_int_ge(kvt_threads(child), 2);
    ck_assert_msg(kvt_is_closed(fd, 5000), "KeepAliveTimeout 1 did not close the connection");
    wait_threads(child, 1, 1, "after the timeout");
    close(fd);
}
END_TEST

/* ---- The child's life ---- */

KVC_TEST(thread_case, test_crashed_child_is_replaced)
{
    kvt_server_t *srv = thread_server();
    pid_t victim;
    char *log, *want;

    kvt_server_start(srv);
    victim = kvt_server_only_child(srv, DEADLINE_MS);
    ck_assert_int_eq(kill(victim, SIGSEGV), 0);
    ck_assert_msg(kvt_server_wait_replaced(srv, victim, DEADLINE_MS), "no new child after SIGSEGV");
    kvt_assert_serves(srv, "/f.txt", "f");
    want = kvt_strf("child pid %ld exit signal Segmentation fault (11)", (long)victim);
    log = kvt_server_wait_log(srv, want, 10000);
    ck_assert_msg(kvt_contains(log, want), "%s", log);
    free(want);
    free(log);
}
END_TEST

/* ---- Status, limits, -X ---- */

/* The ?auto page names the MPM, and its scoreboard shows this request's thread writing ('W')
 * and the held connection's waiting for its next request ('K'), once that thread is back
 * to waiting. */
static int status_shows_both_threads(void *arg)
{
    kvt_response_t r;
    const char *board;
    int yes;

    kvt_get(kvt_server_port(arg), "/server-status?auto", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(kvt_contains(r.body, "ServerMPM: thread\n"), "%s", r.body);
    board = strstr(r.body, "Scoreboard: ");
    ck_assert_ptr_nonnull(board);
    yes = strchr(board, 'W') && strchr(board, 'K');
    kvt_response_free(&r);
    return yes;
}

KVC_TEST(thread_case, test_status_names_the_mpm)
{
    kvt_server_t *srv = thread_server();
    int fd;

    kvt_server_conf(srv, LOAD_STATUS, KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "<Location /server-status>\nSetHandler server-status\n</Location>");
    kvt_server_start(srv);
    kvt_server_only_child(srv, DEADLINE_MS);
    fd = held_connection(srv);
    ck_assert_msg(kvt_wait_for(status_shows_both_threads, srv, DEADLINE_MS),
                  "the scoreboard never showed a 'W' and a 'K' thread");
    close(fd);
}
END_TEST

KVC_TEST(thread_case, test_max_request_workers_clamped_to_thread_limit)
{
    kvt_server_t *srv = thread_server();
    char *log, *err = NULL;
    int status;

    kvt_server_conf(srv, "ThreadLimit 4");
    kvt_server_conf(srv, "MaxRequestWorkers 10");
    kvt_server_write_conf(srv);
    ck_assert_int_eq(kvt_run_kiva(&status, NULL, &err, "-f", kvt_server_conf_path(srv), "-t",
                                  (const char *)NULL),
                     0);
    ck_assert_int_eq(status, 0);
    ck_assert_msg(kvt_contains(err, "decreasing MaxRequestWorkers to 4") &&
                      kvt_contains(err, "see the ThreadLimit directive") &&
                      kvt_contains(err, "Syntax OK"),
                  "kiva -t said: %s", err);
    kvt_server_start(srv);
    kvt_server_only_child(srv, DEADLINE_MS);
    kvt_assert_serves(srv, "/f.txt", "f");
    log = kvt_server_wait_log(srv, "MaxRequestWorkers of 10 exceeds ThreadLimit", 10000);
    ck_assert_msg(kvt_contains(log, "MaxRequestWorkers of 10 exceeds ThreadLimit value of 4 "
                                    "threads, decreasing MaxRequestWorkers to 4"),
                  "%s", log);
    free(log);
}
END_TEST

int main(void)
{
    return kvc_run("thread");
}
