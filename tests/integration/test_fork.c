/* The fork MPM seen from /proc and the wire: a fresh child per connection that exits when
 * the connection ends, no children while no connection is open, MaxRequestWorkers bounding
 * the connections served at once (the rest wait in the backlog), keep-alive limits inside
 * one child, restart and mod_status. TERM, -X, MaxKeepAliveRequests, a graceful restart
 * (old children finish their connection with Connection: close) and a graceful stop that
 * finishes the request in flight within GracefulShutdownTimeout are in test_mpm, under
 * every MPM they apply to. */
#include "harness.h"

#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEADLINE_MS 10000

static const char get_f[] = "GET /f.txt HTTP/1.1\r\nHost: localhost\r\n\r\n";

/* A fork server with /f.txt, not yet started. */
static kvt_server_t *fork_server(void)
{
    kvt_server_t *srv = kvt_server_new("fork");
    kvt_write_file(srv, "f.txt", "f", 1);
    return srv;
}

static int no_children(void *arg)
{
    return kvt_server_children(arg) == 0;
}

static void wait_no_children(kvt_server_t *srv, const char *why)
{
    ck_assert_msg(kvt_wait_for(no_children, srv, DEADLINE_MS), "%s: %d children left", why,
                  kvt_server_children(srv));
}

static void wait_pid_gone(pid_t pid, const char *why)
{
    ck_assert_msg(kvt_wait_for(kvt_pid_gone, &pid, DEADLINE_MS), "%s: pid %d still alive", why,
                  (int)pid);
}

/* Does a response start arriving on @a fd within @a ms? */
static int answered_within(int fd, int ms)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    return poll(&pfd, 1, ms) == 1;
}

/* Open descriptors of @a pid, from /proc. */
static int open_fds(pid_t pid)
{
    char *path = kvt_strf("/proc/%d/fd", (int)pid);
    DIR *d = opendir(path);
    struct dirent *e;
    int n = 0;

    ck_assert_msg(d != NULL, "cannot read %s", path);
    while ((e = readdir(d)) != NULL) {
        n += e->d_name[0] != '.';
    }
    closedir(d);
    free(path);
    return n;
}

/* Does process @a pid hold the server's listening socket? Asks `ss -ltnp`. */
static int holds_listener(kvt_server_t *srv, pid_t pid)
{
    char *filter = kvt_strf("sport = :%d", kvt_server_port(srv));
    char *want = kvt_strf("pid=%d,", (int)pid);
    const char *argv[] = {"ss", "-ltnpH", filter, NULL};
    char *out = NULL;
    int status = -1, holds;

    ck_assert_int_eq(kvt_run(argv, 10000, &status, &out, NULL), 0);
    ck_assert_msg(status == 0 && kvt_contains(out, "LISTEN"), "ss -ltnp said: %s", out);
    holds = kvt_contains(out, want);
    free(out);
    free(want);
    free(filter);
    return holds;
}

/* ---- Serving ---- */

KVT_CASE(fork_case, "fork");

KVC_TEST(fork_case, test_serves_files)
{
    kvt_server_t *srv = fork_server();
    kvt_response_t r;

    kvt_write_file(srv, "dir/index.html", "<p>index</p>", 12);
    kvt_server_start(srv);
    kvt_assert_serves(srv, "/f.txt", "f");
    kvt_get(kvt_server_port(srv), "/dir/", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "<p>index</p>");
    ck_assert_str_eq(kvt_header(&r, "Content-Type"), "text/html");
    kvt_response_free(&r);
    kvt_get(kvt_server_port(srv), "/missing.txt", &r);
    ck_assert_int_eq(r.status, 404);
    kvt_response_free(&r);
}
END_TEST

/* ---- A fresh process per connection ---- */

KVC_TEST(fork_case, test_fresh_child_per_connection)
{
    kvt_server_t *srv = fork_server();
    pid_t first, second;
    int fd;

    kvt_server_conf(srv, "KeepAliveTimeout 30"); /* held connections outlast slow checks */
    kvt_server_start(srv);
    wait_no_children(srv, "a server with no connection open");
    fd = kvt_open_served(srv, "/f.txt", "f", &first);
    ck_assert_msg(first != kvt_server_pid(srv), "the parent served the connection itself");
    ck_assert_msg(kvt_server_has_child(srv, first), "pid %d is no child of the parent", (int)first);
    ck_assert_msg(holds_listener(srv, kvt_server_pid(srv)), "the parent does not listen");
    ck_assert_msg(!holds_listener(srv, first), "the child kept the listening socket");
    ck_assert_msg(!kvt_get_keepalive(fd, "/f.txt", "f"),
                  "the second response closes the connection");
    ck_assert_int_eq(kvt_serving_pid(srv, fd), first);
    close(fd);
    wait_pid_gone(first, "the child of a closed connection");

    fd = kvt_open_served(srv, "/f.txt", "f", &second);
    ck_assert_msg(second != first, "two connections served by the same pid %d", (int)first);
    ck_assert_msg(kvt_server_has_child(srv, second), "pid %d is no child of the parent",
                  (int)second);
    close(fd);
    wait_pid_gone(second, "the child of a closed connection");
    wait_no_children(srv, "both connections closed");
    kvt_assert_serves(srv, "/f.txt", "f");
}
END_TEST

/* Connections open at once have a child each; the parent keeps no copy of their sockets. */
KVC_TEST(fork_case, test_concurrent_connections_have_own_children)
{
    kvt_server_t *srv = fork_server();
    int fds[3], idle_fds;
    pid_t pids[3];

    kvt_server_conf(srv, "KeepAliveTimeout 30");
    kvt_server_start(srv);
    kvt_assert_serves(srv, "/f.txt", "f");
    wait_no_children(srv, "one connection served");
    idle_fds = open_fds(kvt_server_pid(srv));
    for (int i = 0; i < 3; i++) {
        fds[i] = kvt_open_served(srv, "/f.txt", "f", &pids[i]);
    }
    ck_assert_int_eq(kvt_server_children(srv), 3);
    ck_assert_msg(open_fds(kvt_server_pid(srv)) == idle_fds,
                  "the parent holds %d descriptors while 3 children serve, %d before",
                  open_fds(kvt_server_pid(srv)), idle_fds);
    ck_assert(pids[0] != pids[1] && pids[1] != pids[2] && pids[0] != pids[2]);
    for (int i = 0; i < 3; i++) {
        close(fds[i]);
    }
    wait_no_children(srv, "three connections closed");
}
END_TEST

/* ---- MaxRequestWorkers ---- */

KVC_TEST(fork_case, test_max_request_workers_bounds_connections)
{
    kvt_server_t *srv = fork_server();
    kvt_response_t r;
    pid_t held[2], late;
    int fds[2], third;
    char *log;

    kvt_server_conf(srv, "MaxRequestWorkers 2");
    kvt_server_conf(srv, "KeepAliveTimeout 30");
    kvt_server_start(srv);
    fds[0] = kvt_open_served(srv, "/f.txt", "f", &held[0]);
    fds[1] = kvt_open_served(srv, "/f.txt", "f", &held[1]);
    third = kvt_connect(kvt_server_port(srv)); /* the kernel completes it: the backlog */
    kvt_send(third, get_f);
    ck_assert_msg(!answered_within(third, 1500),
                  "a third connection was answered with MaxRequestWorkers 2 held");
    ck_assert_int_eq(kvt_server_children(srv), 2);
    close(fds[0]);
    ck_assert_int_eq(kvt_read_response(third, &r, 0), 0);
    ck_assert_int_eq(r.status, 200);
    kvt_response_free(&r);
    late = kvt_serving_pid(srv, third);
    ck_assert_msg(late != held[0] && late != held[1] && kvt_server_has_child(srv, late),
                  "the waiting connection is served by %d, not by a child of its own", (int)late);
    log = kvt_server_wait_log(srv, "KV00433: server reached MaxRequestWorkers setting", 10000);
    ck_assert_msg(kvt_contains(log, "KV00433: server reached MaxRequestWorkers setting"), "%s",
                  log);
    free(log);
    ck_assert_msg(!kvt_get_keepalive(fds[1], "/f.txt", "f"), "the held connection closes");
    close(fds[1]);
    close(third);
    wait_no_children(srv, "every connection closed");
}
END_TEST

KVC_TEST(fork_case, test_server_limit_clamps_max_request_workers)
{
    kvt_server_t *srv = fork_server();
    pid_t held;
    int fd, other;
    char *log;

    kvt_server_conf(srv, "ServerLimit 1");
    kvt_server_conf(srv, "MaxRequestWorkers 5");
    kvt_server_conf(srv, "KeepAliveTimeout 30");
    kvt_server_start(srv);
    log = kvt_server_wait_log(srv, "MaxRequestWorkers of 5 exceeds ServerLimit", 10000);
    ck_assert_msg(kvt_contains(log, "MaxRequestWorkers of 5 exceeds ServerLimit value of 1 "
                                    "servers, decreasing MaxRequestWorkers to 1"),
                  "%s", log);
    free(log);
    fd = kvt_open_served(srv, "/f.txt", "f", &held);
    other = kvt_connect(kvt_server_port(srv));
    kvt_send(other, get_f);
    ck_assert_msg(!answered_within(other, 1000), "a second connection served with ServerLimit 1");
    close(fd);
    ck_assert_msg(answered_within(other, DEADLINE_MS), "the waiting connection was not served");
    close(other);
}
END_TEST

/* ---- Keep-alive limits inside the one child ---- */

KVC_TEST(fork_case, test_keepalive_timeout_ends_child)
{
    kvt_server_t *srv = fork_server();
    pid_t child;
    long t0;
    int fd;

    kvt_server_conf(srv, "KeepAliveTimeout 2");
    kvt_server_start(srv);
    fd = kvt_connect(kvt_server_port(srv));
    ck_assert_msg(!kvt_get_keepalive(fd, "/f.txt", "f"), "the response closes the connection");
    t0 = kvt_now_ms(); /* the idle wait began before this */
    child = kvt_serving_pid(srv, fd);
    ck_assert_msg(child > 0, "no process holds the connection");
    ck_assert_msg(kvt_is_closed(fd, 6000), "idle connection still open after 6 s");
    ck_assert_msg(kvt_now_ms() - t0 >= 1700, "closed after %ld ms, want about 2000",
                  kvt_now_ms() - t0);
    wait_pid_gone(child, "the child after KeepAliveTimeout");
    close(fd);
}
END_TEST

KVC_TEST(fork_case, test_keepalive_off)
{
    kvt_server_t *srv = fork_server();
    kvt_response_t r;
    int fd;

    kvt_server_conf(srv, "KeepAlive Off");
    kvt_server_start(srv);
    fd = kvt_connect(kvt_server_port(srv));
    kvt_send(fd, get_f);
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    ck_assert_msg(kvt_says_close(&r), "KeepAlive Off, yet no Connection: close");
    kvt_response_free(&r);
    ck_assert_msg(kvt_is_closed(fd, 3000), "KeepAlive Off left the connection open");
    close(fd);
    wait_no_children(srv, "KeepAlive Off");
}
END_TEST

/* ---- Signals ---- */

/* HUP: children stopped at once, with what they serve. */
KVC_TEST(fork_case, test_restart_stops_children)
{
    kvt_server_t *srv = fork_server();
    pid_t old;
    int fd;

    kvt_server_conf(srv, "KeepAliveTimeout 60");
    kvt_server_start(srv);
    kvt_wait_generation(srv, 0);
    fd = kvt_open_served(srv, "/f.txt", "f", &old);
    ck_assert_int_eq(kill(kvt_server_pid(srv), SIGHUP), 0);
    kvt_wait_generation(srv, 1);
    wait_pid_gone(old, "a child after SIGHUP");
    ck_assert_msg(kvt_is_closed(fd, 3000), "the connection survived SIGHUP");
    close(fd);
    kvt_assert_serves(srv, "/f.txt", "f");
}
END_TEST

/* ---- mod_status and -X ---- */

KVC_TEST(fork_case, test_status_names_fork)
{
    kvt_server_t *srv = fork_server();
    kvt_response_t r;
    pid_t held;
    int fd;

    kvt_server_conf(srv, "LoadModule status_module %s/modules/.libs/mod_status.so",
                    KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "<Location /server-status>\nSetHandler server-status\n</Location>");
    kvt_server_conf(srv, "KeepAliveTimeout 30");
    kvt_server_start(srv);
    fd = kvt_open_served(srv, "/f.txt", "f", &held);
    kvt_get(kvt_server_port(srv), "/server-status?auto", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(kvt_contains(r.body, "ServerMPM: fork\n"), "%s", r.body);
    /* the held keep-alive connection and the status request itself */
    ck_assert_msg(kvt_contains(r.body, "BusyWorkers: 2\n"), "%s", r.body);
    kvt_response_free(&r);
    close(fd);
}
END_TEST

int main(void)
{
    return kvc_run("fork");
}
