/* The single MPM seen from /proc and the wire: one child with one thread that serves one
 * connection at a time (a second client waits until the first one's keep-alive connection
 * is closed or times out), the child as User, graceful restarts while children drain, -k,
 * and mod_status naming the MPM. MaxKeepAliveRequests, MaxConnectionsPerChild, a killed
 * child replaced, a graceful restart whose old child finishes its connection with the old
 * config, a graceful stop that finishes the request in flight within
 * GracefulShutdownTimeout, TERM and -X are in test_mpm, under every MPM they apply to. */
#include "harness.h"

#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEADLINE_MS 10000
#define GET_KEEPALIVE "GET /f.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
#define LOAD_STATUS "LoadModule status_module %s/modules/.libs/mod_status.so"

/* ---- Helpers ---- */

static kvt_server_t *single_server(void)
{
    kvt_server_t *srv = kvt_server_new("single");
    kvt_write_file(srv, "f.txt", "f", 1);
    return srv;
}

/* Send a keep-alive GET of /f.txt on @a fd and read its 200 into @a r. */
static void exchange(int fd, kvt_response_t *r)
{
    kvt_send(fd, GET_KEEPALIVE);
    ck_assert_int_eq(kvt_read_response(fd, r, 0), 0);
    ck_assert_int_eq(r->status, 200);
    ck_assert_str_eq(r->body, "f");
}

/* A keep-alive GET on @a fd, answered without closing the connection. */
static void get_keepalive(int fd)
{
    kvt_response_t r;
    exchange(fd, &r);
    ck_assert_msg(!kvt_says_close(&r), "a keep-alive response says Connection: close");
    kvt_response_free(&r);
}

/* Does something (a response, or the close) arrive on @a fd within @a timeout_ms? */
static int answered_within(int fd, int timeout_ms)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    long deadline = kvt_now_ms() + timeout_ms;
    int n;

    do {
        long left = deadline - kvt_now_ms();
        n = poll(&pfd, 1, left > 0 ? (int)left : 0);
    } while (n < 0 && kvt_now_ms() < deadline);
    return n > 0;
}

/* The server's child @a victim goes away, another takes its place and serves. */
static void assert_replaced(kvt_server_t *srv, pid_t victim, const char *why)
{

    ck_assert_msg(kvt_server_wait_replaced(srv, victim, DEADLINE_MS), "child %d not replaced %s",
                  (int)victim, why);
    kvt_assert_serves(srv, "/f.txt", "f");
}

static char *pid_file(kvt_server_t *srv)
{
    return kvt_strf("%s/logs/kiva.pid", kvt_server_root(srv));
}

/* ---- The process model ---- */

KVT_CASE(single_case, "single");

KVC_TEST(single_case, test_one_child_one_thread_serves_files)
{
    kvt_server_t *srv = single_server();
    pid_t child;

    kvt_write_file(srv, "dir/index.html", "<p>index</p>", 12);
    kvt_server_start(srv);
    child = kvt_server_only_child(srv, DEADLINE_MS);
    kvt_assert_serves(srv, "/f.txt", "f");
    kvt_assert_serves_type(srv, "/dir/", "<p>index</p>", "text/html");
    kvt_assert_status(srv, "/missing.txt", 404);
    ck_assert_int_eq(kvt_threads(child), 1);
    ck_assert_int_eq(kvt_threads(kvt_server_pid(srv)), 1);
    ck_assert_int_eq(kvt_server_children(srv), 1);
    ck_assert_int_eq(kvt_server_only_child(srv, DEADLINE_MS), child);
}
END_TEST

/* While one client holds a keep-alive connection, another's request waits unanswered; it
 * is answered, by the same child, once the first connection is closed. */
KVC_TEST(single_case, test_second_client_waits_for_close)
{
    kvt_server_t *srv = single_server();
    pid_t child;
    kvt_response_t r;
    int first, second;

    kvt_server_conf(srv, "KeepAliveTimeout 30");
    kvt_server_start(srv);
    child = kvt_server_only_child(srv, DEADLINE_MS);
    first = kvt_connect(kvt_server_port(srv));
    get_keepalive(first);
    ck_assert_int_eq(kvt_serving_pid(srv, first), child);
    second = kvt_connect(kvt_server_port(srv));
    kvt_send(second, GET_KEEPALIVE);
    ck_assert_msg(!answered_within(second, 1500),
                  "a second connection was served while the first was held open");
    get_keepalive(first); /* the first connection is still the one being served */
    close(first);
    ck_assert_int_eq(kvt_read_response(second, &r, 0), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "f");
    kvt_response_free(&r);
    ck_assert_int_eq(kvt_serving_pid(srv, second), child);
    close(second);
}
END_TEST

/* A first client that goes idle holds the server for KeepAliveTimeout: the second request
 * is answered no sooner than that after the first request was sent, and the first
 * connection is closed by then. */
KVC_TEST(single_case, test_second_client_waits_for_keepalive_timeout)
{
    kvt_server_t *srv = single_server();
    kvt_response_t r;
    long sent, waited;
    int first, second;

    kvt_server_conf(srv, "KeepAliveTimeout 2");
    kvt_server_start(srv);
    kvt_server_only_child(srv, DEADLINE_MS);
    first = kvt_connect(kvt_server_port(srv));
    sent = kvt_now_ms();
    get_keepalive(first);
    second = kvt_connect(kvt_server_port(srv));
    kvt_send(second, GET_KEEPALIVE);
    ck_assert_int_eq(kvt_read_response(second, &r, 0), 0);
    waited = kvt_now_ms() - sent;
    ck_assert_int_eq(r.status, 200);
    kvt_response_free(&r);
    ck_assert_msg(waited >= 1900,
                  "second client answered after %ld ms, before the first "
                  "connection's KeepAliveTimeout of 2 s",
                  waited);
    ck_assert_msg(kvt_is_closed(first, 1000), "the idle first connection is still open");
    close(first);
    close(second);
}
END_TEST

/* Started as root, the parent keeps its identity (it binds, signals and reopens logs) and
 * the serving child runs as User. */
KVC_TEST(single_case, test_child_runs_as_user)
{
    kvt_server_t *srv = single_server();
    uid_t want = geteuid();
    pid_t child;

    if (want == 0) {
        struct passwd *pw = getpwnam("daemon");
        ck_assert_msg(pw != NULL, "no user daemon on this machine");
        want = pw->pw_uid;
    }
    kvt_server_start(srv);
    child = kvt_server_only_child(srv, DEADLINE_MS);
    ck_assert_msg(kvt_pid_uid(child) == want, "the child runs as uid %d, want %d",
                  (int)kvt_pid_uid(child), (int)want);
    ck_assert_int_eq(kvt_pid_uid(kvt_server_pid(srv)), geteuid());
}
END_TEST

/* ---- Signals ---- */

/* The scoreboard has room for one draining child: after two graceful restarts while both
 * earlier children hold a connection, the newest generation starts its child once one
 * of them is done, and that child answers the request that waited. */
KVC_TEST(single_case, test_graceful_restarts_while_children_drain)
{
    kvt_server_t *srv = single_server();
    pid_t gen0_child, gen1_child;
    kvt_response_t r;
    int held0, held1, waiting;

    kvt_server_conf(srv, "KeepAliveTimeout 30");
    kvt_server_start(srv);
    kvt_wait_generation(srv, 0);
    gen0_child = kvt_server_only_child(srv, DEADLINE_MS);
    held0 = kvt_connect(kvt_server_port(srv));
    get_keepalive(held0);
    ck_assert_int_eq(kill(kvt_server_pid(srv), SIGUSR1), 0);
    kvt_wait_generation(srv, 1);
    held1 = kvt_connect(kvt_server_port(srv));
    get_keepalive(held1);
    gen1_child = kvt_serving_pid(srv, held1);
    ck_assert_int_ne(gen1_child, gen0_child);

    ck_assert_int_eq(kill(kvt_server_pid(srv), SIGUSR1), 0);
    kvt_wait_generation(srv, 2);
    waiting = kvt_connect(kvt_server_port(srv));
    kvt_send(waiting, GET_KEEPALIVE);
    ck_assert_msg(!answered_within(waiting, 1500),
                  "answered while both process slots hold draining children");
    close(held0);
    ck_assert_int_eq(kvt_read_response(waiting, &r, 0), 0);
    ck_assert_int_eq(r.status, 200);
    kvt_response_free(&r);
    ck_assert_msg(!kvt_pid_alive(gen0_child), "the first child still runs");
    ck_assert_int_ne(kvt_serving_pid(srv, waiting), gen1_child);
    exchange(held1, &r);
    ck_assert_msg(kvt_says_close(&r), "the draining child's response lacks Connection: close");
    kvt_response_free(&r);
    close(held1);
    close(waiting);
}
END_TEST

/* Run kiva -k CMD against the server's config; it must succeed. */
static void run_k(kvt_server_t *srv, const char *cmd)
{
    int status;
    char *err = NULL;

    ck_assert_int_eq(kvt_run_kiva(&status, NULL, &err, "-k", cmd, "-f", kvt_server_conf_path(srv),
                                  (const char *)NULL),
                     0);
    ck_assert_msg(status == 0, "kiva -k %s exited %d: %s", cmd, status, err);
    free(err);
}

/* -k graceful waits until the new generation serves, under the same parent and with a new
 * child; -k graceful-stop ends it all and removes the PidFile. */
KVC_TEST(single_case, test_k_graceful_and_k_graceful_stop)
{
    kvt_server_t *srv = single_server();
    char *pidfile = pid_file(srv);
    pid_t parent, old_child;
    kvt_response_t r;

    kvt_server_start(srv);
    parent = kvt_server_pid(srv);
    old_child = kvt_server_only_child(srv, DEADLINE_MS);
    kvt_server_conf(srv, "AddType text/x-reloaded .txt");
    kvt_server_write_conf(srv);
    run_k(srv, "graceful");
    ck_assert_int_eq(kvt_status_generation(srv), 1);
    kvt_get(kvt_server_port(srv), "/f.txt", &r);
    ck_assert_pstr_eq(kvt_header(&r, "Content-Type"), "text/x-reloaded");
    kvt_response_free(&r);
    ck_assert(kvt_pid_alive(parent));
    assert_replaced(srv, old_child, "after -k graceful");

    run_k(srv, "graceful-stop");
    ck_assert_msg(kvt_server_wait_exit(srv, DEADLINE_MS) != -1, "-k graceful-stop did not stop");
    ck_assert_msg(kvt_wait_for(kvt_group_gone, srv, 5000), "the child outlived the parent");
    ck_assert_msg(access(pidfile, F_OK) != 0, "PidFile left behind");
    free(pidfile);
}
END_TEST

/* ---- mod_status ---- */

/* The lines ?auto must show while one request is served. */
static const char *const status_lines[] = {
    "ServerMPM: single\n", "BusyWorkers: 1\n", "IdleWorkers: 0\n",
    /* the serving slot, and the one kept for a child that drains after a graceful restart */
    "Scoreboard: W.\n", "Total Accesses: 1\n"};

/* ?auto names the MPM and shows one busy worker: the one answering this very request. */
KVC_TEST(single_case, test_status_names_single)
{
    kvt_server_t *srv = single_server();
    kvt_response_t r;

    kvt_server_conf(srv, LOAD_STATUS, KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "<Location /server-status>\nSetHandler server-status\n</Location>");
    kvt_server_start(srv);
    kvt_assert_serves(srv, "/f.txt", "f");
    kvt_get(kvt_server_port(srv), "/server-status?auto", &r);
    ck_assert_int_eq(r.status, 200);
    for (int i = 0; i < KVT_COUNT(status_lines); i++) {
        ck_assert_msg(kvt_contains(r.body, status_lines[i]), "%s", r.body);
    }
    kvt_response_free(&r);
}
END_TEST

int main(void)
{
    return kvc_run("single");
}
