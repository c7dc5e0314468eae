/* The MPM conformance suite: what every MPM owes its users, run under each of the six (one
 * Check run a MPM, its case named after it; KVT_MPM=name runs that one only). The harness's
 * MPM table (harness/mpms.c) says how each MPM keeps its children and threads, and each
 * scenario runs under every MPM that has what it needs (KVT_TEST_NEEDS): TERM and -k stop end
 * everything, a killed child is replaced, -X serves in one process, MaxKeepAliveRequests ends a
 * connection, MaxConnectionsPerChild replaces a child, a graceful restart lets the old child finish
 * its kept connection and the request in flight, a graceful stop finishes the request in flight and
 * GracefulShutdownTimeout bounds it. Each
 * scenario says which per-MPM test it came from, and asserts all of what those asserted.
 * What only one MPM does stays in its own file (test_prefork, test_worker, test_event,
 * test_fork, test_single, test_thread). */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEADLINE_MS 10000
#define GET_KEEPALIVE "GET /f.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"

KVT_MPM_CASE(per_mpm);

/* A server under @a m with /f.txt, not yet started. Where the MPM has spare bounds: @a start
 * children, spare bounds of @a min_spare and @a max_spare children (prefork) or as many
 * children's worth of idle threads at @a threads a child (worker, event). */
static kvt_server_t *new_server(const kvt_mpm_info_t *m, int start, int min_spare, int max_spare,
                                int threads)
{
    kvt_server_t *srv = kvt_server_new(m->name);

    kvt_write_file(srv, "f.txt", "f", 1);
    if (m->caps & KVT_MPM_THREAD_POOL) {
        kvt_server_conf(srv, "StartServers %d", start);
        kvt_server_conf(srv, "ThreadsPerChild %d", threads);
        kvt_server_conf(srv, "MinSpareThreads %d", min_spare * threads);
        kvt_server_conf(srv, "MaxSpareThreads %d", max_spare * threads);
    } else if (m->caps & KVT_MPM_SPARE_SERVERS) {
        kvt_server_processes(srv, start, min_spare, max_spare);
    }
    return srv;
}

/* A server under @a m with /f.txt, not yet started, with the fewest serving processes the
 * MPM allows: under worker and event one child of two threads (as test_worker's
 * worker_server(1, 2, 1, 3, 2)). */
static kvt_server_t *new_small_server(const kvt_mpm_info_t *m)
{
    kvt_server_t *srv = kvt_server_new(m->name);

    kvt_write_file(srv, "f.txt", "f", 1);
    if (m->caps & KVT_MPM_THREAD_POOL) {
        kvt_server_conf(srv, "StartServers 1");
        kvt_server_conf(srv, "ThreadsPerChild 2");
        kvt_server_conf(srv, "MinSpareThreads 1");
        kvt_server_conf(srv, "MaxSpareThreads 3");
        kvt_server_conf(srv, "MaxRequestWorkers 2");
    }
    return srv;
}

/* Wait until the children of a started idle server are what @a m makes of new_server's
 * @a start and @a max_spare: that many, one, or none. */
static void wait_started(const kvt_mpm_info_t *m, kvt_server_t *srv, int start, int max_spare)
{
    int min = start, max = max_spare;

    if (m->caps & KVT_MPM_ONE_CHILD) {
        min = max = 1;
    } else if (m->caps & KVT_MPM_CHILD_PER_CONN) {
        min = max = 0;
    }
    ck_assert_msg(kvt_wait_children(srv, min, max, DEADLINE_MS), "%d children, want %d..%d",
                  kvt_server_children(srv), min, max);
}

static char *pid_file(kvt_server_t *srv)
{
    return kvt_strf("%s/logs/kiva.pid", kvt_server_root(srv));
}

/* A started server under @a m with its children up and a served keep-alive connection
 * (KeepAliveTimeout 60, so it stays open) in *fd. */
static kvt_server_t *serve_holding(const kvt_mpm_info_t *m, int *fd)
{
    kvt_server_t *srv = new_server(m, 2, 1, 3, 2);
    pid_t child;

    kvt_server_conf(srv, "KeepAliveTimeout 60");
    kvt_server_start(srv);
    wait_started(m, srv, 2, 3);
    *fd = kvt_open_served(srv, "/f.txt", "f", &child);
    ck_assert_msg(child != kvt_server_pid(srv), "the parent serves a connection");
    return srv;
}

/* After a stop by @a how: the parent exits with status 0, no child is left, the held
 * connection @a fd is closed within @a close_ms, the PidFile and the listener are gone. */
static void assert_stopped(kvt_server_t *srv, int fd, int close_ms, const char *how)
{
    char *pidfile = pid_file(srv);
    int status = kvt_server_wait_exit(srv, DEADLINE_MS);

    ck_assert_msg(status != -1, "parent still running after %s", how);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "wait status %d after %s", status,
                  how);
    ck_assert_msg(kvt_wait_for(kvt_group_gone, srv, 5000), "children outlived the parent");
    ck_assert_msg(kvt_is_closed(fd, close_ms), "the connection survived %s", how);
    ck_assert_msg(access(pidfile, F_OK) != 0, "PidFile %s left behind", pidfile);
    ck_assert_int_eq(kvt_listen_backlog(kvt_server_port(srv)), -1);
    free(pidfile);
}

/* TERM: the parent exits with status 0 at once, its children with it and with the
 * connections they hold; the PidFile and the listener are gone.
 * From test_prefork's test_sigterm_stops_everything (prefork, and worker and event through
 * the old worker_generic.sh and event_generic.sh), test_worker's and test_single's
 * test_sigterm_stops_everything and test_fork's test_stop (the held connection); thread
 * (whose test_thread has -k stop) runs it too. */
KVC_TEST(per_mpm, test_sigterm_stops_everything)
{
    int fd;
    kvt_server_t *srv = serve_holding(kvt_mpm_info(), &fd);
    char *pidfile = pid_file(srv);

    ck_assert_int_eq(kvt_pid_in_file(pidfile), kvt_server_pid(srv));
    ck_assert_int_eq(kill(kvt_server_pid(srv), SIGTERM), 0);
    assert_stopped(srv, fd, 3000, "SIGTERM");
    close(fd);
    free(pidfile);
}
END_TEST

struct replaced {
    kvt_server_t *srv;
    pid_t old[KVT_MAX_PIDS];
    int nold;
    pid_t victim;
};

/* The victim is gone and a child that was not there before has taken its place. */
static int victim_replaced(void *arg)
{
    const struct replaced *r = arg;
    pid_t now[KVT_MAX_PIDS];
    int n;

    if (kvt_pid_alive(r->victim)) {
        return 0;
    }
    n = kvt_children(kvt_server_pid(r->srv), now, KVT_MAX_PIDS);
    for (int i = 0; i < n; i++) {
        int is_new = 1;
        for (int j = 0; j < r->nold; j++) {
            is_new = is_new && now[i] != r->old[j];
        }
        if (is_new) {
            return 1;
        }
    }
    return 0;
}

/* kill -9 of a serving child: the parent lives on, a new child takes its place (the only
 * child, where there is one) and serves.
 * From test_prefork's test_killed_child_is_replaced (prefork, and worker and event through
 * the old *_generic.sh scripts), test_worker's (with one child) and test_single's; thread runs
 * it too (test_thread keeps its SIGSEGV and the log line it gives). Not fork: its children
 * end with their connection, and the next connection gets a new one anyway. */
KVT_TEST_NEEDS(per_mpm, test_killed_child_is_replaced, KVT_MPM_KEEPS_CHILDREN)
{
    const kvt_mpm_info_t *m = kvt_mpm_info();
    kvt_server_t *srv = new_server(m, 2, 2, 3, 2);
    struct replaced r = {.srv = srv};

    kvt_server_start(srv);
    wait_started(m, srv, 2, 3);
    r.nold = kvt_children(kvt_server_pid(srv), r.old, KVT_MAX_PIDS);
    r.victim = r.old[0];
    ck_assert_int_eq(kill(r.victim, SIGKILL), 0);
    ck_assert_msg(kvt_wait_for(victim_replaced, &r, DEADLINE_MS),
                  "no new child after kill -9 of %d", (int)r.victim);
    ck_assert_msg(kvt_pid_alive(kvt_server_pid(srv)), "the parent died with its child");
    if (m->caps & KVT_MPM_ONE_CHILD) {
        ck_assert_msg(kvt_server_wait_replaced(srv, r.victim, DEADLINE_MS),
                      "not one child after kill -9 of %d", (int)r.victim);
    }
    kvt_assert_serves(srv, "/f.txt", "f");
}
END_TEST

/* -X: the foreground process itself serves each connection, with no child, on as many
 * threads as the MPM runs; TERM ends it (thread: even while it holds a connection).
 * From test_worker's, test_fork's, test_single's and test_thread's test_one_process_mode;
 * prefork and event run it too. */
KVC_TEST(per_mpm, test_one_process_mode)
{
    const kvt_mpm_info_t *m = kvt_mpm_info();
    kvt_server_t *srv = new_server(m, 2, 1, 2, 3);
    pid_t served_by;
    int fd, status, threads;

    kvt_server_conf(srv, "KeepAliveTimeout 30"); /* the held connection waits for TERM */
    kvt_server_arg(srv, "-X");
    kvt_server_start(srv);
    for (int i = 0; i < 2; i++) {
        fd = kvt_open_served(srv, "/f.txt", "f", &served_by);
        ck_assert_int_eq(served_by, kvt_server_pid(srv));
        ck_assert_int_eq(kvt_server_children(srv), 0);
        close(fd);
    }
    kvt_assert_serves(srv, "/f.txt", "f");
    kvt_assert_serves(srv, "/f.txt", "f");
    ck_assert_int_eq(kvt_server_children(srv), 0);
    fd = kvt_open_served(srv, "/f.txt", "f", &served_by);
    ck_assert_int_eq(served_by, kvt_server_pid(srv));
    threads = kvt_threads(kvt_server_pid(srv));
    ck_assert_msg(
        threads >= m->x_threads_min && (m->x_threads_max == 0 || threads <= m->x_threads_max),
        "-X server has %d threads, want %d..%d", threads, m->x_threads_min, m->x_threads_max);
    if (!(m->caps & KVT_MPM_X_TERM_DROPS)) {
        close(fd);
    }
    ck_assert_int_eq(kill(kvt_server_pid(srv), SIGTERM), 0);
    status = kvt_server_wait_exit(srv, DEADLINE_MS);
    ck_assert_msg(status != -1, "-X server still running after SIGTERM");
    if (m->caps & KVT_MPM_X_TERM_DROPS) {
        ck_assert_msg(kvt_is_closed(fd, 5000), "a held connection outlived the -X server");
        close(fd);
    }
}
END_TEST

/* MaxKeepAliveRequests 3: the same process answers all three requests of a connection, the
 * third with Connection: close, and then closes it; the server serves on (under fork, the
 * connection's child ends with it).
 * From test_fork's, test_single's and test_thread's test_max_keepalive_requests; prefork,
 * worker and event run it too. */
KVC_TEST(per_mpm, test_max_keepalive_requests)
{
    const kvt_mpm_info_t *m = kvt_mpm_info();
    kvt_server_t *srv = new_server(m, 1, 1, 2, 2);
    pid_t child;
    int fd;

    kvt_server_conf(srv, "MaxKeepAliveRequests 3");
    kvt_server_start(srv);
    wait_started(m, srv, 1, 2);
    fd = kvt_open_served(srv, "/f.txt", "f", &child);
    ck_assert_msg(!kvt_get_keepalive(fd, "/f.txt", "f"), "response 2 of 3 says close");
    ck_assert_int_eq(kvt_serving_pid(srv, fd), child);
    ck_assert_msg(kvt_get_keepalive(fd, "/f.txt", "f"), "response 3 of 3 lacks Connection: close");
    ck_assert_msg(kvt_is_closed(fd, 3000), "the connection stayed open after response 3");
    close(fd);
    if (m->caps & KVT_MPM_CHILD_PER_CONN) {
        ck_assert_msg(kvt_wait_for(kvt_pid_gone, &child, DEADLINE_MS),
                      "the child after MaxKeepAliveRequests: pid %d still alive", (int)child);
    }
    kvt_assert_serves(srv, "/f.txt", "f"); /* the server accepts again */
}
END_TEST

/* MaxConnectionsPerChild 3 with one child: after three connections it is replaced, and the
 * new child serves.
 * From test_worker's (one child of two threads), test_single's and test_thread's
 * test_max_connections_per_child; event runs it too (test_event keeps the case of kept
 * connections). Not prefork, whose spare children share the connections, nor fork. */
KVT_TEST_NEEDS(per_mpm, test_max_connections_per_child, KVT_MPM_SOLE_CHILD)
{
    const kvt_mpm_info_t *m = kvt_mpm_info();
    kvt_server_t *srv = new_small_server(m);
    pid_t victim;

    kvt_server_conf(srv, "MaxConnectionsPerChild 3");
    kvt_server_start(srv);
    victim = kvt_server_only_child(srv, DEADLINE_MS);
    for (int i = 0; i < 3; i++) {
        kvt_assert_serves(srv, "/f.txt", "f");
    }
    ck_assert_msg(kvt_server_wait_replaced(srv, victim, DEADLINE_MS),
                  "child %d not replaced after MaxConnectionsPerChild 3", (int)victim);
    kvt_assert_serves(srv, "/f.txt", "f");
}
END_TEST

/* The pid line of the server's status file (the parent that wrote it), or 0. */
static pid_t status_pid(kvt_server_t *srv)
{
    char *path = kvt_strf("%s/logs/kiva.status", kvt_server_root(srv));
    FILE *f = fopen(path, "r");
    char line[256];
    long pid = 0;

    while (f && fgets(line, sizeof(line), f)) {
        if (sscanf(line, "pid %ld", &pid) == 1) {
            break;
        }
    }
    if (f) {
        fclose(f);
    }
    free(path);
    return (pid_t)pid;
}

/* USR1 with a keep-alive connection open: the same parent (which the status file names)
 * serves the new generation at once, with the new config (AddType), from a new child; the
 * old child answers the next request of its kept connection with the old config and
 * Connection: close, closes it and exits; the new child keeps its connection (and is the
 * only child, where there is one).
 * From test_fork's test_graceful_restart_lets_old_child_finish and test_single's and
 * test_thread's test_graceful_restart; prefork, worker and event run it too. */
KVC_TEST(per_mpm, test_graceful_restart_old_child_finishes)
{
    const kvt_mpm_info_t *m = kvt_mpm_info();
    kvt_server_t *srv = new_server(m, 1, 1, 2, 2);
    pid_t parent, old, now;
    kvt_response_t r;
    int held, fresh;

    kvt_server_conf(srv, "KeepAliveTimeout 30");
    kvt_server_start(srv);
    kvt_wait_generation(srv, 0);
    parent = kvt_server_pid(srv);
    held = kvt_open_served(srv, "/f.txt", "f", &old);
    ck_assert_msg(kvt_server_has_child(srv, old), "pid %d is no child of the parent", (int)old);

    kvt_server_conf(srv, "AddType text/x-reloaded .txt");
    kvt_server_write_conf(srv);
    ck_assert_int_eq(kill(parent, SIGUSR1), 0);
    kvt_wait_generation(srv, 1);
    ck_assert_int_eq(status_pid(srv), parent);
    ck_assert(kvt_pid_alive(parent));

    fresh = kvt_connect(kvt_server_port(srv));
    kvt_send(fresh, GET_KEEPALIVE);
    ck_assert_int_eq(kvt_read_response(fresh, &r, 0), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "f");
    ck_assert_pstr_eq(kvt_header(&r, "Content-Type"), "text/x-reloaded");
    ck_assert_msg(!kvt_says_close(&r), "the new generation closes its connection");
    kvt_response_free(&r);
    now = kvt_serving_pid(srv, fresh);
    ck_assert_msg(now != 0 && now != old && kvt_server_has_child(srv, now),
                  "the new generation is served by %d, the old child is %d", (int)now, (int)old);

    ck_assert_msg(kvt_pid_alive(old), "the old child did not wait for its connection");
    ck_assert_int_eq(kvt_serving_pid(srv, held), old);
    kvt_send(held, GET_KEEPALIVE);
    ck_assert_int_eq(kvt_read_response(held, &r, 0), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "f");
    ck_assert_msg(kvt_says_close(&r), "the old child's response lacks Connection: close");
    ck_assert_pstr_eq(kvt_header(&r, "Content-Type"), "text/plain");
    kvt_response_free(&r);
    ck_assert_msg(kvt_is_closed(held, 3000), "the old child kept the connection open");
    close(held);
    ck_assert_msg(kvt_wait_for(kvt_pid_gone, &old, DEADLINE_MS), "the old child did not exit");

    ck_assert_msg(!kvt_get_keepalive(fresh, "/f.txt", "f"), "the new child closes its connection");
    close(fresh);
    ck_assert_int_eq(kvt_server_pid(srv), parent);
    if (m->caps & KVT_MPM_ONE_CHILD) {
        ck_assert_int_eq(kvt_server_only_child(srv, DEADLINE_MS), now);
        kvt_assert_serves(srv, "/f.txt", "f");
    }
}
END_TEST

/* WINCH with a request half sent on a served connection: the server stops listening at
 * once but waits; the request, once whole, is answered with Connection: close; then the
 * parent exits with status 0, and its children with it.
 * From test_fork's and test_thread's test_graceful_stop_finishes_connection and
 * test_single's test_graceful_stop_finishes_request (test_thread's half-sent request was the
 * connection's first; here it is its second, as in the other two); prefork, worker and event
 * run it too. */
KVC_TEST(per_mpm, test_graceful_stop_finishes_request)
{
    const kvt_mpm_info_t *m = kvt_mpm_info();
    kvt_server_t *srv = new_server(m, 1, 1, 2, 2);
    kvt_response_t r;
    pid_t parent, child;
    int fd, status;

    kvt_server_conf(srv, "Timeout 30");
    kvt_server_start(srv);
    parent = kvt_server_pid(srv);
    fd = kvt_open_served(srv, "/f.txt", "f", &child);
    kvt_send(fd, "GET /f.txt HTTP/1.1\r\nHost: localhost\r\n");
    ck_assert_msg(kvt_wait_serving_pid(srv, fd, child, DEADLINE_MS), "the child let go of it");
    ck_assert_int_eq(kill(parent, SIGWINCH), 0);
    ck_assert_msg(!kvt_wait_for(kvt_pid_gone, &parent, 1000),
                  "graceful-stop did not wait for the request in flight");
    ck_assert_int_eq(kvt_listen_backlog(kvt_server_port(srv)), -1);
    kvt_send(fd, "\r\n");
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "f");
    ck_assert_msg(kvt_says_close(&r), "the response of a stopping server lacks Connection: close");
    kvt_response_free(&r);
    close(fd);
    status = kvt_server_wait_exit(srv, DEADLINE_MS);
    ck_assert_msg(status != -1, "parent still running once its last connection ended");
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "wait status %d", status);
    ck_assert_msg(kvt_wait_for(kvt_group_gone, srv, 5000), "children outlived the parent");
}
END_TEST

/* WINCH while a served connection holds half a request: the server waits, and
 * GracefulShutdownTimeout 2 (with Timeout 30) ends the wait; the parent and its children
 * exit.
 * From test_prefork's test_graceful_shutdown_timeout (prefork, and worker and event through
 * the old *_generic.sh scripts) and test_fork's and test_single's test_graceful_stop_timeout;
 * thread runs it too. */
KVC_TEST(per_mpm, test_graceful_stop_timeout)
{
    const kvt_mpm_info_t *m = kvt_mpm_info();
    kvt_server_t *srv = new_server(m, 1, 1, 2, 2);
    pid_t parent, child;
    int fd;

    kvt_server_conf(srv, "Timeout 30");
    kvt_server_conf(srv, "GracefulShutdownTimeout 2");
    kvt_server_start(srv);
    parent = kvt_server_pid(srv);
    fd = kvt_open_served(srv, "/f.txt", "f", &child);
    kvt_send(fd, "GET /f.txt HTTP/1.1\r\n");
    ck_assert_int_eq(kill(parent, SIGWINCH), 0);
    ck_assert_msg(!kvt_wait_for(kvt_pid_gone, &parent, 1000),
                  "graceful-stop did not wait for the busy child");
    ck_assert_msg(kvt_server_wait_exit(srv, DEADLINE_MS) != -1,
                  "GracefulShutdownTimeout 2 did not end the graceful stop (Timeout is 30)");
    ck_assert_msg(kvt_wait_for(kvt_group_gone, srv, 5000), "children outlived the parent");
    ck_assert_msg(!kvt_pid_alive(child), "the child %d after GracefulShutdownTimeout", (int)child);
    close(fd);
}
END_TEST

/* kiva -k stop: the command succeeds, the parent exits with status 0, its children with
 * it and with the connection they hold, and the PidFile and the listener are gone.
 * From test_prefork's test_k_stop (prefork, and worker and event through the old
 * *_generic.sh scripts) and test_thread's (the held connection); fork and single run it
 * too. */
KVC_TEST(per_mpm, test_k_stop)
{
    int fd, status;
    kvt_server_t *srv = serve_holding(kvt_mpm_info(), &fd);
    char *err = NULL;

    ck_assert_int_eq(kvt_run_kiva(&status, NULL, &err, "-k", "stop", "-f",
                                  kvt_server_conf_path(srv), (const char *)NULL),
                     0);
    ck_assert_msg(status == 0, "kiva -k stop exited %d: %s", status, err);
    assert_stopped(srv, fd, 5000, "-k stop");
    close(fd);
    free(err);
}
END_TEST

/* USR1 while the first request of a connection is half sent: the child that took it waits
 * for the rest, answers it and then exits; the server serves on.
 * From test_worker's test_graceful_finishes_connection_in_flight (one child of two
 * threads); the other five run it too (test_event keeps its variant, with a prompt answer
 * from the new generation while the old child waits). */
KVC_TEST(per_mpm, test_graceful_restart_finishes_request)
{
    const kvt_mpm_info_t *m = kvt_mpm_info();
    kvt_server_t *srv = new_small_server(m);
    int fd;
    kvt_response_t r;
    pid_t old;

    kvt_server_start(srv);
    fd = kvt_connect(kvt_server_port(srv));
    kvt_send(fd, "GET /f.txt HTTP/1.1\r\nHost: localhost\r\n");
    old = kvt_wait_served(srv, fd, DEADLINE_MS);
    ck_assert_msg(old > 0, "no child took the connection");
    ck_assert_msg(old != kvt_server_pid(srv), "the parent took the connection");
    if (m->caps & (KVT_MPM_ONE_CHILD | KVT_MPM_THREAD_POOL)) {
        ck_assert_int_eq(kvt_server_only_child(srv, DEADLINE_MS), old);
    }
    ck_assert_int_eq(kill(kvt_server_pid(srv), SIGUSR1), 0);
    ck_assert_msg(!kvt_wait_for(kvt_pid_gone, &old, 1000), "the old child did not wait");
    kvt_send(fd, "Connection: close\r\n\r\n");
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "f");
    kvt_response_free(&r);
    close(fd);
    ck_assert_msg(kvt_wait_for(kvt_pid_gone, &old, DEADLINE_MS), "the old child did not exit");
    kvt_assert_serves(srv, "/f.txt", "f");
}
END_TEST

int main(void)
{
    return kvt_run_mpms("mpm", 0);
}
