/* The event MPM seen from /proc and the wire. What sets it apart from worker is that a
 * connection waiting for its next request, in lingering close, or blocked writing to a slow
 * client waits in the listener's pollset, not in a worker thread; so most tests here give a
 * child one or two worker threads and show that connections beyond that are still served,
 * which under worker they are not (each would need a thread of its own). Also: timeouts from
 * the listener's timer queue, AsyncRequestWorkerFactor's limit on connections per child,
 * pipelining and lingering close through the poller, what a finishing child does with its
 * connections (graceful restart and stop, MaxConnectionsPerChild), and mod_status's count of
 * the connections kept alive in the poller. */
#include "harness.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEADLINE_MS 10000
/* A bound for an answer that needs no more than an idle worker thread: well under every
 * timeout the tests set, so a thread tied up by another connection shows as a failure. */
#define PROMPT_MS 1500
#define GET_F "GET /f.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
#define GET_F_CLOSE "GET /f.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
/* The same with a stray byte after it: the client may still be sending, so the server
 * lingers (a plain Connection: close whose request was read whole is closed at once). */
#define GET_F_CLOSE_MORE GET_F_CLOSE "x"
/* A slow reader's receive buffer, and the server's send buffer for it. */
#define SMALL_BUFFER 4096
#define DOWNLOAD_BYTES (1024 * 1024)

/* ---- helpers ---- */

struct count_cond {
    kvt_server_t *srv;
    int n;
};

static int has_children(void *arg)
{
    const struct count_cond *c = arg;
    return kvt_server_children(c->srv) == c->n;
}

static void wait_children(kvt_server_t *srv, int n)
{
    struct count_cond c = {srv, n};
    ck_assert_msg(kvt_wait_for(has_children, &c, DEADLINE_MS), "%d children, want %d",
                  kvt_server_children(srv), n);
}

/* Byte @a i of the files whose transfer must arrive byte-exact: a prime period, so a lost
 * or repeated block shows. */
static char pattern_byte(size_t i)
{
    return (char)(i % 251);
}

static char *pattern(size_t len)
{
    char *buf = malloc(len);

    ck_assert(buf != NULL);
    for (size_t i = 0; i < len; i++) {
        buf[i] = pattern_byte(i);
    }
    return buf;
}

static void write_pattern_file(kvt_server_t *srv, const char *name, size_t len)
{
    char *buf = pattern(len);

    kvt_write_file(srv, name, buf, len);
    free(buf);
}

static void assert_pattern(const kvt_response_t *r, size_t len)
{
    char *want = pattern(len);

    ck_assert_int_eq(r->status, 200);
    ck_assert_msg(r->body_len == len, "%zu bytes arrived of %zu", r->body_len, len);
    ck_assert_msg(memcmp(r->body, want, len) == 0, "the bytes differ from the file's");
    free(want);
}

/* One child (ServerLimit 1) of @a threads worker threads, nothing started yet;
 * AsyncRequestWorkerFactor @a factor unless NULL (then httpd's default, 2). */
static kvt_server_t *event_server(int threads, const char *factor)
{
    kvt_server_t *srv = kvt_server_new("event");

    kvt_write_file(srv, "f.txt", "f", 1);
    kvt_server_conf(srv, "ServerLimit 1");
    kvt_server_conf(srv, "StartServers 1");
    kvt_server_conf(srv, "ThreadsPerChild %d", threads);
    kvt_server_conf(srv, "MaxRequestWorkers %d", threads);
    kvt_server_conf(srv, "MinSpareThreads 1");
    kvt_server_conf(srv, "MaxSpareThreads %d", threads + 1);
    if (factor != NULL) {
        kvt_server_conf(srv, "AsyncRequestWorkerFactor %s", factor);
    }
    return srv;
}

/* Does something (bytes or EOF) arrive on @a fd within @a ms? Consumes nothing. */
static int readable_within(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    long deadline = kvt_now_ms() + ms;
    long left;

    while ((left = deadline - kvt_now_ms()) >= 0) {
        int r = poll(&p, 1, (int)left);
        if (r > 0) {
            return 1;
        }
        if (r == 0) {
            return 0;
        }
    }
    return 0;
}

/* A 200 answer with @a body on @a fd. */
static void read_body(int fd, const char *body, const char *what)
{
    kvt_response_t r;

    ck_assert_msg(kvt_read_response(fd, &r, 0) == 0, "%s: no answer", what);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, body);
    kvt_response_free(&r);
}

/* The 200 answer to a GET of f.txt on @a fd, which must arrive within PROMPT_MS. */
static void read_f(int fd, kvt_response_t *r, const char *what)
{
    long t0 = kvt_now_ms();

    ck_assert_msg(readable_within(fd, PROMPT_MS), "%s: no answer within %d ms", what, PROMPT_MS);
    ck_assert_msg(kvt_read_response(fd, r, 0) == 0, "%s: no complete answer", what);
    ck_assert_int_eq(r->status, 200);
    ck_assert_str_eq(r->body, "f");
    ck_assert_msg(kvt_now_ms() - t0 < PROMPT_MS, "%s: the answer took %ld ms", what,
                  kvt_now_ms() - t0);
}

/* A keep-alive GET of f.txt on @a fd, answered promptly; the connection stays open. */
static void get_kept(int fd, const char *what)
{
    kvt_response_t r;

    kvt_send(fd, GET_F);
    read_f(fd, &r, what);
    ck_assert_msg(!kvt_says_close(&r), "%s: the server closes the connection", what);
    kvt_response_free(&r);
}

/* A new connection's GET with Connection: close, answered promptly. */
static void get_fresh(kvt_server_t *srv, const char *what)
{
    kvt_response_t r;
    int fd = kvt_connect(kvt_server_port(srv));

    kvt_send(fd, GET_F_CLOSE);
    read_f(fd, &r, what);
    kvt_response_free(&r);
    close(fd);
}

/* A new connection (number @a i, for messages) after one keep-alive request answered:
 * idle, kept open. */
static int open_kept(kvt_server_t *srv, int i)
{
    char *what = kvt_strf("first request of kept connection %d", i);
    int fd = kvt_connect(kvt_server_port(srv));

    get_kept(fd, what);
    free(what);
    return fd;
}

static void open_idle(kvt_server_t *srv, int *fds, int n)
{
    for (int i = 0; i < n; i++) {
        fds[i] = open_kept(srv, i);
    }
}

static void close_all(int *fds, int n)
{
    for (int i = 0; i < n; i++) {
        close(fds[i]);
    }
}

/* Each of @a fds ends (EOF or reset) within @a ms of now. */
static void assert_all_closed(const int *fds, int n, int ms, const char *why)
{
    long deadline = kvt_now_ms() + ms;

    for (int i = 0; i < n; i++) {
        long left = deadline - kvt_now_ms();
        ck_assert_msg(kvt_is_closed(fds[i], left > 0 ? (int)left : 0),
                      "%s: connection %d still open after %d ms", why, i, ms);
    }
}

struct conn_cond {
    kvt_server_t *srv;
    int fd;
};

/* The server has data for the client that the client does not take: its write waits. */
static int server_write_blocked(void *arg)
{
    const struct conn_cond *c = arg;
    return kvt_server_send_queue(c->srv, c->fd) > 0;
}

/* The server side of the connection is no longer established: the server closed it. */
static int server_side_closed(void *arg)
{
    const struct conn_cond *c = arg;
    return kvt_server_send_queue(c->srv, c->fd) < 0;
}

/* A slow reader that asked for @a path and reads nothing: wait until the server's write to
 * it is blocked. */
static int stuck_download(kvt_server_t *srv, const char *path)
{
    int fd = kvt_connect_rcvbuf(kvt_server_port(srv), SMALL_BUFFER);
    char *req = kvt_strf("GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n", path);
    struct conn_cond c = {srv, fd};

    kvt_send(fd, req);
    free(req);
    ck_assert_msg(kvt_wait_for(server_write_blocked, &c, DEADLINE_MS),
                  "the server's write to the slow reader never blocked");
    return fd;
}

/* ---- 1. processes and threads ---- */

/* Every child of the server has at least ThreadsPerChild 4 + a listener thread. */
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

KVT_CASE(event_case, "event");

/* A parent and StartServers children, each with ThreadsPerChild workers and a listener
 * (a child just forked may still be starting its threads). */
KVC_TEST(event_case, test_children_and_threads)
{
    kvt_server_t *srv = kvt_server_new("event");

    kvt_write_file(srv, "f.txt", "f", 1);
    kvt_server_conf(srv, "StartServers 3");
    kvt_server_conf(srv, "ThreadsPerChild 4");
    kvt_server_conf(srv, "MinSpareThreads 1");
    kvt_server_conf(srv, "MaxSpareThreads 12");
    kvt_server_start(srv);
    wait_children(srv, 3);
    get_fresh(srv, "GET on a fresh connection");
    ck_assert_msg(kvt_wait_for(children_have_threads, srv, DEADLINE_MS),
                  "an event child has fewer than 4 + 1 threads");
    ck_assert_int_eq(kvt_server_children(srv), 3);
}
END_TEST

/* ---- 1b. connections gather in the lowest listening child ---- */

#define GATHERED 12

/* StartServers children of four threads, each with room for 4 + 16 x (its idle threads)
 * connections, every thread started, and one request served so that every listener is up. */
static kvt_server_t *gathering_server(int children)
{
    kvt_server_t *srv = kvt_server_new("event");

    kvt_write_file(srv, "f.txt", "f", 1);
    kvt_server_conf(srv, "StartServers %d", children);
    kvt_server_conf(srv, "ThreadsPerChild 4");
    kvt_server_conf(srv, "MinSpareThreads 1");
    kvt_server_conf(srv, "MaxSpareThreads %d", children * 4);
    kvt_server_conf(srv, "AsyncRequestWorkerFactor 16");
    kvt_server_conf(srv, "KeepAliveTimeout 30");
    kvt_server_start(srv);
    wait_children(srv, children);
    ck_assert_msg(kvt_wait_for(children_have_threads, srv, DEADLINE_MS),
                  "an event child has fewer than 4 + 1 threads");
    get_fresh(srv, "a first request");
    return srv;
}

/* The oldest child (@a oldest) or the newest: pids grow. */
static pid_t child_by_age(kvt_server_t *srv, int oldest)
{
    pid_t pids[KVT_MAX_PIDS], pick = 0;
    int n = kvt_children(kvt_server_pid(srv), pids, KVT_MAX_PIDS);

    for (int i = 0; i < n; i++) {
        if (pick == 0 || (oldest ? pids[i] < pick : pids[i] > pick)) {
            pick = pids[i];
        }
    }
    return pick;
}

struct replaced_cond {
    kvt_server_t *srv;
    pid_t victim;
    int n;
};

static int replaced_in_full(void *arg)
{
    const struct replaced_cond *c = arg;
    pid_t pids[KVT_MAX_PIDS];
    int n = kvt_children(kvt_server_pid(c->srv), pids, KVT_MAX_PIDS);

    for (int i = 0; i < n; i++) {
        if (pids[i] == c->victim) {
            return 0;
        }
    }
    return n == c->n && children_have_threads(c->srv);
}

struct held_cond {
    kvt_server_t *srv;
    pid_t by;
};

/* A new kept connection is held by the process c->by. */
static int new_connection_held_by(void *arg)
{
    const struct held_cond *c = arg;
    int fd = open_kept(c->srv, 0);
    pid_t pid = kvt_serving_pid(c->srv, fd);

    close(fd);
    return pid == c->by;
}

/* Four children with room for all; the oldest, in the lowest slot, is killed and replaced in
 * that slot, so that the lowest child is the newest (the kernel wakes the oldest pollers
 * first, and the first one awake would win each accept). Returns the new lowest child, once
 * it has taken a connection. */
static pid_t replace_lowest_child(kvt_server_t *srv)
{
    struct replaced_cond rc = {srv, child_by_age(srv, 1), 4};
    struct held_cond hc = {srv, 0};

    ck_assert_int_eq(kill(rc.victim, SIGKILL), 0);
    ck_assert_msg(kvt_wait_for(replaced_in_full, &rc, DEADLINE_MS),
                  "child %d not replaced by a child with its threads", (int)rc.victim);
    hc.by = child_by_age(srv, 0);
    ck_assert_msg(kvt_wait_for(new_connection_held_by, &hc, DEADLINE_MS),
                  "the new child in the lowest slot (pid %d) takes no connection",
                  (int)hc.by);
    return hc.by;
}

/* Twelve connections, one after another: the new lowest child holds them all. Spread over
 * every child, each child's threads would have too little to do and sleep and wake for every
 * request. */
KVC_TEST(event_case, test_connections_gather_in_lowest_child)
{
    kvt_server_t *srv = gathering_server(4);
    pid_t lowest = replace_lowest_child(srv);
    int fds[GATHERED];

    open_idle(srv, fds, GATHERED);
    for (int i = 0; i < GATHERED; i++) {
        ck_assert_msg(kvt_serving_pid(srv, fds[i]) == lowest,
                      "connection %d is held by pid %d, not by the lowest child %d", i,
                      (int)kvt_serving_pid(srv, fds[i]), (int)lowest);
    }
    close_all(fds, GATHERED);
}
END_TEST

/* Longer than a deferring child's longest step and its patience together (event.c,
 * DEFER_STEP_MAX + DEFER_PATIENCE): the other children have given up waiting for the lowest
 * one to accept, and listen again. */
#define IDLE_SPELL_MS 40
#define IDLE_SPELLS 8

/* A connection after an idle spell still goes to the lowest child: the others wake with it,
 * and an idle spell (no connection waited) is no sign that the lowest child is stuck. */
KVC_TEST(event_case, test_connection_after_idle_spell_goes_to_lowest_child)
{
    kvt_server_t *srv = gathering_server(4);
    pid_t lowest = replace_lowest_child(srv);

    for (int i = 0; i < IDLE_SPELLS; i++) {
        int fd;
        pid_t by;

        poll(NULL, 0, IDLE_SPELL_MS); /* the idle spell itself, not a wait for a condition */
        fd = open_kept(srv, 0);
        by = kvt_serving_pid(srv, fd);
        close(fd);
        ck_assert_msg(by == lowest,
                      "the connection after idle spell %d is held by pid %d, not by the "
                      "lowest child %d", i, (int)by, (int)lowest);
    }
}
END_TEST

/* The child the others leave new connections to stops taking them (stopped with SIGSTOP,
 * as a hung process would be): the others take them after a few milliseconds. */
KVC_TEST(event_case, test_stopped_child_holds_back_no_connection)
{
    kvt_server_t *srv = gathering_server(2);
    int kept = open_kept(srv, 0);
    pid_t gathering = kvt_serving_pid(srv, kept);

    ck_assert_int_gt(gathering, 0);
    kvt_stop_process(gathering);
    get_fresh(srv, "a fresh connection while the gathering child is stopped");
    ck_assert_int_eq(kill(gathering, SIGCONT), 0);
    get_kept(kept, "the kept connection once its child goes on");
    close(kept);
}
END_TEST

/* How often the threads of @a pid have gone to sleep so far (their voluntary context
 * switches, summed). */
static long thread_sleeps(pid_t pid)
{
    long n = kvt_process_sleeps(pid);

    ck_assert_msg(n >= 0, "cannot read the threads of %d", (int)pid);
    return n;
}

#define HERD_CONNECTIONS 300

/* While the lowest child keeps accepting, the other child sleeps: each new connection used
 * to wake every child's listener, which gave its listeners back to the lower one (two
 * epoll_ctl calls), a millisecond later took them again, and was woken by the next one. */
KVC_TEST(event_case, test_deferring_child_sleeps_while_lower_accepts)
{
    kvt_server_t *srv = gathering_server(2);
    int kept = open_kept(srv, 0);
    pid_t lower = kvt_serving_pid(srv, kept), pids[KVT_MAX_PIDS], other = 0;
    int n = kvt_children(kvt_server_pid(srv), pids, KVT_MAX_PIDS);
    long before, slept;

    for (int i = 0; i < n; i++) {
        if (pids[i] != lower) {
            other = pids[i];
        }
    }
    ck_assert_msg(n == 2 && lower > 0 && other > 0, "%d children, lower %d", n, (int)lower);
    before = thread_sleeps(other);
    for (int i = 0; i < HERD_CONNECTIONS; i++) {
        get_fresh(srv, "a fresh connection");
    }
    slept = thread_sleeps(other) - before;
    ck_assert_msg(slept < HERD_CONNECTIONS / 5,
                  "the deferring child slept and woke %ld times for %d connections", slept,
                  HERD_CONNECTIONS);
    close(kept);
}
END_TEST

/* MaxConnectionsPerChild 3, the third connection while two are kept: the child finishes
 * them (at their KeepAliveTimeout) and a new one takes its place. */
KVC_TEST(event_case, test_max_connections_per_child_with_kept_connections)
{
    kvt_server_t *srv = event_server(2, NULL);
    pid_t victim;
    int kept[2];

    kvt_server_conf(srv, "MaxConnectionsPerChild 3");
    kvt_server_conf(srv, "KeepAliveTimeout 2");
    kvt_server_start(srv);
    victim = kvt_server_only_child(srv, DEADLINE_MS);
    open_idle(srv, kept, 2);
    get_fresh(srv, "third connection");
    ck_assert_msg(kvt_server_wait_replaced(srv, victim, DEADLINE_MS),
                  "child %d not replaced after MaxConnectionsPerChild 3", (int)victim);
    get_fresh(srv, "request to the replacing child");
    close_all(kept, 2);
}
END_TEST

/* ---- 2. idle keep-alive connections hold no worker ---- */

#define IDLE_CONNS 20

/* Two worker threads, twenty idle keep-alive connections: a fresh connection is answered
 * at once, and every kept one can still make a second request, all in the one child. */
KVC_TEST(event_case, test_idle_keepalive_holds_no_worker)
{
    kvt_server_t *srv = event_server(2, "50");
    int fds[IDLE_CONNS];
    pid_t child;

    kvt_server_conf(srv, "KeepAliveTimeout 30");
    kvt_server_start(srv);
    child = kvt_server_only_child(srv, DEADLINE_MS);
    open_idle(srv, fds, IDLE_CONNS);
    get_fresh(srv, "fresh connection beside 20 idle ones");
    for (int i = 0; i < IDLE_CONNS; i++) {
        char *what = kvt_strf("second request of kept connection %d", i);
        get_kept(fds[i], what);
        free(what);
        ck_assert_int_eq(kvt_serving_pid(srv, fds[i]), child);
    }
    ck_assert_int_eq(kvt_server_children(srv), 1);
    close_all(fds, IDLE_CONNS);
}
END_TEST

/* Long enough for thirty of the listener's looks for a held-up worker (every STUCK_MSEC,
 * 10 ms) had it kept looking; the settling spell lets the kept connections leave their
 * workers (HOT_IDLE, 1 ms) first. */
#define QUIET_SPELL_MS 300
#define SETTLE_MS 50
#define QUIET_CONNS 8

/* Idle keep-alive connections wait in the listener's pollset and no worker holds any: then
 * the child sleeps until a connection or a timeout needs it, rather than waking every 10 ms
 * to look for a worker held up in a step with other connections waiting behind it, which no
 * worker can then be. */
KVC_TEST(event_case, test_idle_connections_let_the_child_sleep)
{
    kvt_server_t *srv = gathering_server(1);
    int fds[QUIET_CONNS];
    long before, slept;
    pid_t child;

    open_idle(srv, fds, QUIET_CONNS);
    child = kvt_serving_pid(srv, fds[0]);
    ck_assert_int_gt(child, 0);
    poll(NULL, 0, SETTLE_MS);
    before = thread_sleeps(child);
    poll(NULL, 0, QUIET_SPELL_MS); /* the quiet spell itself, not a wait for a condition */
    slept = thread_sleeps(child) - before;
    ck_assert_msg(slept < QUIET_SPELL_MS / 10 / 3,
                  "the child slept and woke %ld times in %d ms with %d idle connections",
                  slept, QUIET_SPELL_MS, QUIET_CONNS);
    get_kept(fds[0], "a kept connection after the quiet spell");
    close_all(fds, QUIET_CONNS);
}
END_TEST

/* ---- 3. KeepAliveTimeout from the listener's timer queue ---- */

#define TIMED_CONNS 3

/* Time of the end (EOF or reset) of each of @a fds into @a at (-1: none within @a ms). */
static void end_times(const int *fds, int n, long *at, int ms)
{
    long deadline = kvt_now_ms() + ms;
    int open = n;
    char buf[256];

    for (int i = 0; i < n; i++) {
        at[i] = -1;
    }
    while (open > 0 && kvt_now_ms() < deadline) {
        struct pollfd p[TIMED_CONNS];
        for (int i = 0; i < n; i++) {
            p[i] = (struct pollfd){.fd = at[i] < 0 ? fds[i] : -1, .events = POLLIN};
        }
        if (poll(p, (nfds_t)n, 50) <= 0) {
            continue;
        }
        for (int i = 0; i < n; i++) {
            if (p[i].revents != 0 && recv(fds[i], buf, sizeof(buf), MSG_DONTWAIT) <= 0) {
                at[i] = kvt_now_ms();
                open--;
            }
        }
    }
}

/* KeepAliveTimeout 1 with one worker thread: three idle connections at once (one thread
 * could wait on one only) are each closed by the server after about a second, not before
 * half of it. */
KVC_TEST(event_case, test_keepalive_timeout_from_timer_queue)
{
    kvt_server_t *srv = event_server(1, "10");
    int fds[TIMED_CONNS];
    long answered[TIMED_CONNS], ended[TIMED_CONNS];

    kvt_server_conf(srv, "KeepAliveTimeout 1");
    kvt_server_start(srv);
    kvt_server_only_child(srv, DEADLINE_MS);
    for (int i = 0; i < TIMED_CONNS; i++) {
        fds[i] = open_kept(srv, i);
        answered[i] = kvt_now_ms();
    }
    end_times(fds, TIMED_CONNS, ended, 5000);
    for (int i = 0; i < TIMED_CONNS; i++) {
        ck_assert_msg(ended[i] >= 0, "idle connection %d still open 5 s after KeepAliveTimeout 1",
                      i);
        ck_assert_msg(
            ended[i] - answered[i] >= 500,
            "idle connection %d closed %ld ms after its answer, before KeepAliveTimeout 1", i,
            ended[i] - answered[i]);
    }
    close_all(fds, TIMED_CONNS);
}
END_TEST

/* KeepAliveTimeout 1 counts from the end of the last response: a connection that asks
 * again every 600 ms stays open for several seconds. */
KVC_TEST(event_case, test_keepalive_timeout_restarts_with_each_request)
{
    kvt_server_t *srv = event_server(1, NULL);
    int fd;

    kvt_server_conf(srv, "KeepAliveTimeout 1");
    kvt_server_start(srv);
    fd = open_kept(srv, 0);
    for (int i = 1; i <= 5; i++) {
        char *what = kvt_strf("request %d, 600 ms after the one before", i);
        ck_assert_msg(!readable_within(fd, 600), "closed before KeepAliveTimeout 1 passed");
        get_kept(fd, what);
        free(what);
    }
    close(fd);
}
END_TEST

/* ---- 4. Timeout for a client that does not read ---- */

#define BIG_BYTES (8 * 1024 * 1024)

/* One worker thread. A client asks for 8 MiB and reads nothing: the write waits in the
 * poller, so another client is answered at once; after Timeout 3 without progress the server
 * closes the stuck connection, which then ends long before 8 MiB. */
KVC_TEST(event_case, test_slow_reader_waits_in_poller_until_timeout)
{
    kvt_server_t *srv = event_server(1, NULL);
    struct conn_cond stuck;
    long t_stuck, waited;
    size_t got;
    char *bytes;

    write_pattern_file(srv, "big.bin", BIG_BYTES);
    kvt_server_conf(srv, "Timeout 3");
    kvt_server_conf(srv, "SendBufferSize %d", SMALL_BUFFER);
    kvt_server_start(srv);
    kvt_server_only_child(srv, DEADLINE_MS);
    stuck = (struct conn_cond){srv, stuck_download(srv, "/big.bin")};
    t_stuck = kvt_now_ms();
    get_fresh(srv, "fresh connection while the only thread's response is stuck");
    ck_assert_msg(kvt_wait_for(server_side_closed, &stuck, DEADLINE_MS),
                  "the stuck connection is still open %d ms after Timeout 3", DEADLINE_MS);
    waited = kvt_now_ms() - t_stuck;
    ck_assert_msg(waited >= 2000, "the stuck connection was closed after %ld ms, before Timeout 3",
                  waited);
    bytes = kvt_read_until_close(stuck.fd, &got);
    ck_assert_msg(got < BIG_BYTES / 2, "%zu bytes arrived after the timeout", got);
    free(bytes);
    close(stuck.fd);
}
END_TEST

#define TRICKLE_BYTES (96 * 1024)
#define TRICKLE_STEP 4096

/* Timeout 1 bounds a write that makes no progress, not the whole response: a client that
 * takes 4 KiB every 250 ms gets all of 96 KiB over several seconds. */
KVC_TEST(event_case, test_timeout_restarts_with_each_write_progress)
{
    kvt_server_t *srv = event_server(1, NULL);
    char *got = malloc(TRICKLE_BYTES + 4096), *want = pattern(TRICKLE_BYTES), *body;
    size_t len = 0;
    long deadline = kvt_now_ms() + 40000;
    int fd;

    ck_assert(got != NULL);
    write_pattern_file(srv, "trickle.bin", TRICKLE_BYTES);
    kvt_server_conf(srv, "Timeout 1");
    kvt_server_conf(srv, "SendBufferSize %d", SMALL_BUFFER);
    kvt_server_start(srv);
    fd = stuck_download(srv, "/trickle.bin");
    while (kvt_now_ms() < deadline) {
        ssize_t n = recv(fd, got + len, TRICKLE_STEP, 0);
        if (n <= 0) {
            break;
        }
        len += (size_t)n;
        poll(NULL, 0, 250);
    }
    got[len] = '\0';
    body = strstr(got, "\r\n\r\n");
    ck_assert_msg(body != NULL, "no response head in %zu bytes", len);
    body += 4;
    ck_assert_msg(len - (size_t)(body - got) == TRICKLE_BYTES,
                  "%zu body bytes arrived of %d before the server closed",
                  len - (size_t)(body - got), TRICKLE_BYTES);
    ck_assert(memcmp(body, want, TRICKLE_BYTES) == 0);
    free(got);
    free(want);
    close(fd);
}
END_TEST

/* ---- 4b. a busy connection stays with its worker, but not behind a blocked one ---- */

/* A busy client held behind a blocked worker waits until the blocked client's head is
 * whole, which the test sends only afterwards: any bound well below that shows it, and a
 * loose one keeps a loaded sanitizer run through the trickle layer from failing (1500 ms
 * did once in CI). */
#define NOT_HELD_MS 8000

/* Request after request on @a fd for at least @a ms (and at most 10000 requests), each
 * answered within NOT_HELD_MS. */
static void busy_for(int fd, long ms, const char *what)
{
    long until = kvt_now_ms() + ms;
    kvt_response_t r;

    for (int i = 0; i < 10000 && kvt_now_ms() < until; i++) {
        kvt_send(fd, GET_F);
        ck_assert_msg(readable_within(fd, NOT_HELD_MS), "%s: request %d not answered within %d ms",
                      what, i, NOT_HELD_MS);
        ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
        ck_assert_int_eq(r.status, 200);
        kvt_response_free(&r);
    }
}

/* A client that sends request after request stays with the worker that serves it (its hot
 * set). Three worker threads; two clients each send half a request head, and the worker that
 * takes one blocks reading the rest. The first blocks a worker the busy client is not with;
 * once that worker has been busy for longer than event's STUCK_MSEC (10 ms) it gets no new
 * work, so the second goes to the busy client's worker (on a machine of up to 2 CPUs, where
 * new work goes to 2 workers first). The busy client is then moved to the third worker and
 * answered at once, not once the blocked client sends the rest of its head. */
KVC_TEST(event_case, test_blocked_worker_does_not_hold_busy_clients)
{
    kvt_server_t *srv = event_server(3, NULL);
    int busy, stuck[2];
    kvt_response_t r;

    kvt_server_conf(srv, "KeepAliveTimeout 30");
    kvt_server_conf(srv, "MaxKeepAliveRequests 0");
    kvt_server_start(srv);
    kvt_server_only_child(srv, DEADLINE_MS);
    busy = kvt_connect(kvt_server_port(srv));
    busy_for(busy, 20, "before any worker blocks");
    for (int i = 0; i < 2; i++) {
        stuck[i] = kvt_connect(kvt_server_port(srv));
        kvt_send(stuck[i], "GET /f.txt HTTP/1.1\r\n");
        busy_for(busy, 50, i == 0 ? "while one worker blocks" : "while two workers block");
    }
    for (int i = 0; i < 2; i++) {
        kvt_send(stuck[i], "Host: localhost\r\n\r\n");
        read_f(stuck[i], &r, "a client that sent its head in two parts");
        kvt_response_free(&r);
        close(stuck[i]);
    }
    close(busy);
}
END_TEST

/* ---- 5. pipelining and lingering close ---- */

/* A connection idle in the poller, then three pipelined requests in one packet: answered in
 * order, the last (Connection: close) followed by EOF. */
KVC_TEST(event_case, test_pipelined_after_idle_in_order)
{
    kvt_server_t *srv = event_server(2, NULL);
    const char *bodies[] = {"a", "bb", "ccc"};
    kvt_response_t r;
    int fd;

    kvt_write_file(srv, "a.txt", "a", 1);
    kvt_write_file(srv, "b.txt", "bb", 2);
    kvt_write_file(srv, "c.txt", "ccc", 3);
    kvt_server_start(srv);
    open_idle(srv, &fd, 1);
    ck_assert(!readable_within(fd, 300)); /* idle: nothing comes, nothing closes */
    kvt_send(fd, "GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
                 "GET /b.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
                 "GET /c.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    for (int i = 0; i < 3; i++) {
        ck_assert_msg(kvt_read_response(fd, &r, 0) == 0, "no pipelined response %d", i + 1);
        ck_assert_int_eq(r.status, 200);
        ck_assert_str_eq(r.body, bodies[i]);
        ck_assert_int_eq(kvt_says_close(&r), i == 2);
        kvt_response_free(&r);
    }
    ck_assert_msg(kvt_is_closed(fd, 2000), "no EOF after Connection: close");
    close(fd);
}
END_TEST

/* The start of a second request arrives with the first; the connection then waits for the
 * rest, which must not be lost when the wait moves to the poller. */
KVC_TEST(event_case, test_partial_pipelined_request_survives_idle)
{
    kvt_server_t *srv = event_server(1, NULL);
    kvt_response_t r;
    int fd;

    kvt_write_file(srv, "b.txt", "bb", 2);
    kvt_server_start(srv);
    fd = kvt_connect(kvt_server_port(srv));
    kvt_send(fd, GET_F "GET /b.txt HTTP/1.1\r\nHo");
    read_f(fd, &r, "first of two pipelined requests");
    kvt_response_free(&r);
    ck_assert(!readable_within(fd, 300)); /* the second is incomplete: no answer yet */
    kvt_send(fd, "st: localhost\r\n\r\n");
    read_body(fd, "bb", "second of two pipelined requests, completed");
    close(fd);
}
END_TEST

#define MID_BYTES (256 * 1024)
#define JUNK_BYTES (64 * 1024)

/* The only worker thread keeps big.bin open between requests. Its response to a slow reader
 * waits in the poller when big.bin is replaced (a new file by rename), and the next request
 * for it has the thread close the descriptor it kept and open the new file: the slow reader
 * still gets the old file whole, from a descriptor of its own. */
KVC_TEST(event_case, test_write_completion_outlives_the_kept_descriptor)
{
    kvt_server_t *srv = event_server(1, NULL);
    char *tmp, *path;
    int stuck;
    kvt_response_t r;

    write_pattern_file(srv, "big.bin", DOWNLOAD_BYTES);
    kvt_server_conf(srv, "SendBufferSize %d", SMALL_BUFFER);
    kvt_server_start(srv);
    kvt_server_only_child(srv, DEADLINE_MS);
    stuck = stuck_download(srv, "/big.bin");
    kvt_write_file(srv, "big.new", "replaced", 8);
    tmp = kvt_strf("%s/big.new", kvt_server_docroot(srv));
    path = kvt_strf("%s/big.bin", kvt_server_docroot(srv));
    ck_assert_int_eq(rename(tmp, path), 0);
    kvt_get(kvt_server_port(srv), "/big.bin", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "replaced");
    kvt_response_free(&r);
    ck_assert_msg(kvt_read_response(stuck, &r, 0) == 0, "the slow download did not complete");
    assert_pattern(&r, DOWNLOAD_BYTES);
    kvt_response_free(&r);
    close(stuck);
    free(tmp);
    free(path);
}
END_TEST

/* A second request arrives with the first, whose response the client takes slowly, so its
 * end waits in the poller: once it is written, the second, already read, is answered
 * without the client sending anything more. */
KVC_TEST(event_case, test_pipelined_after_write_completion)
{
    kvt_server_t *srv = event_server(1, NULL);
    kvt_response_t r;
    int fd;

    write_pattern_file(srv, "mid.bin", MID_BYTES);
    kvt_server_conf(srv, "SendBufferSize %d", SMALL_BUFFER);
    kvt_server_start(srv);
    fd = kvt_connect_rcvbuf(kvt_server_port(srv), SMALL_BUFFER);
    kvt_send(fd, "GET /mid.bin HTTP/1.1\r\nHost: localhost\r\n\r\n" GET_F);
    ck_assert_msg(kvt_wait_for(server_write_blocked, &(struct conn_cond){srv, fd}, DEADLINE_MS),
                  "the server's write to the slow reader never blocked");
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    assert_pattern(&r, MID_BYTES);
    kvt_response_free(&r);
    read_f(fd, &r, "pipelined request behind a slowly taken response");
    kvt_response_free(&r);
    close(fd);
}
END_TEST

/* Connection: close followed by bytes the server never reads: a close without lingering
 * would reset the connection and lose the response's tail; it arrives whole, then EOF. */
KVC_TEST(event_case, test_lingering_close_delivers_whole_response)
{
    kvt_server_t *srv = event_server(1, NULL);
    char *junk = malloc(JUNK_BYTES);
    kvt_response_t r;
    int fd;

    ck_assert(junk != NULL);
    memset(junk, 'x', JUNK_BYTES);
    write_pattern_file(srv, "mid.bin", MID_BYTES);
    kvt_server_conf(srv, "SendBufferSize %d", SMALL_BUFFER);
    kvt_server_start(srv);
    fd = kvt_connect_rcvbuf(kvt_server_port(srv), SMALL_BUFFER);
    kvt_send(fd, "GET /mid.bin HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    ck_assert_int_eq(kvt_send_raw(fd, junk, JUNK_BYTES), 0);
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    assert_pattern(&r, MID_BYTES);
    kvt_response_free(&r);
    ck_assert_msg(kvt_is_closed(fd, 5000), "no EOF after Connection: close");
    close(fd);
    free(junk);
}
END_TEST

/* One worker thread. A client is answered with Connection: close and keeps sending a byte
 * now and then, so the server lingers on it; meanwhile another client is answered at once,
 * because the lingering close waits in the poller. */
KVC_TEST(event_case, test_lingering_close_holds_no_worker)
{
    kvt_server_t *srv = event_server(1, NULL);
    kvt_response_t r;
    int lingering, fresh;
    long deadline;

    kvt_server_start(srv);
    kvt_server_only_child(srv, DEADLINE_MS);
    lingering = kvt_connect(kvt_server_port(srv));
    kvt_send(lingering, GET_F_CLOSE_MORE);
    read_f(lingering, &r, "request with Connection: close");
    kvt_response_free(&r);
    ck_assert_msg(kvt_is_closed(lingering, 2000), "no EOF after Connection: close");
    fresh = kvt_connect(kvt_server_port(srv));
    kvt_send(fresh, GET_F_CLOSE);
    deadline = kvt_now_ms() + PROMPT_MS;
    while (!readable_within(fresh, 100) && kvt_now_ms() < deadline) {
        kvt_send_raw(lingering, "x", 1); /* may fail once the server is done with it */
    }
    ck_assert_msg(readable_within(fresh, 0), "no answer within %d ms while another lingers",
                  PROMPT_MS);
    read_f(fresh, &r, "fresh connection while another lingers");
    kvt_response_free(&r);
    close(fresh);
    close(lingering);
}
END_TEST

/* ---- 6. AsyncRequestWorkerFactor ---- */

/* httpd 2.4's event MPM: a child accepts only while it has an idle worker and its
 * connections not in lingering close number fewer than
 *     ThreadsPerChild + idle workers * AsyncRequestWorkerFactor
 * (default factor 2; the number is a factor, refused when not a number or negative). With
 * ThreadsPerChild 1 and its worker idle, factor 1 allows 2 connections and the default 3.
 * httpd re-enables accepting with some hysteresis, so the test closes every kept connection
 * before it expects the waiting one to be served. */
static const struct {
    const char *factor; /* NULL: the default */
    int connections;
} factors[] = {
    {"1", 2},
    {NULL, 3},
};

KVC_LOOP_TEST(event_case, test_async_factor_limits_connections, 0, KVT_COUNT(factors))
{
    kvt_server_t *srv = event_server(1, factors[_i].factor);
    int n = factors[_i].connections;
    int fds[4];
    int extra;

    kvt_server_conf(srv, "KeepAliveTimeout 30");
    kvt_server_start(srv);
    kvt_server_only_child(srv, DEADLINE_MS);
    open_idle(srv, fds, n);
    extra = kvt_connect(kvt_server_port(srv));
    kvt_send(extra, GET_F_CLOSE);
    ck_assert_msg(!readable_within(extra, 1000),
                  "AsyncRequestWorkerFactor %s: connection %d answered beside %d idle ones",
                  factors[_i].factor ? factors[_i].factor : "default", n + 1, n);
    close_all(fds, n);
    ck_assert_msg(readable_within(extra, DEADLINE_MS),
                  "the waiting connection was not served once the others closed");
    read_body(extra, "f", "the waiting connection");
    close(extra);
}
END_TEST

/* A child at its connection limit offers no spare threads (httpd's not_accepting), so the
 * parent starts another child for the connections beyond it: with factor 1 and 2 threads a
 * child takes 4, yet 10 idle connections are all answered (by 3 children or more). */
KVC_TEST(event_case, test_full_child_idle_threads_are_no_spares)
{
    kvt_server_t *srv = kvt_server_new("event");
    int fds[10];

    kvt_write_file(srv, "f.txt", "f", 1);
    kvt_server_conf(srv, "StartServers 1");
    kvt_server_conf(srv, "ServerLimit 4");
    kvt_server_conf(srv, "ThreadsPerChild 2");
    kvt_server_conf(srv, "MaxRequestWorkers 8");
    kvt_server_conf(srv, "MinSpareThreads 2");
    kvt_server_conf(srv, "MaxSpareThreads 8");
    kvt_server_conf(srv, "AsyncRequestWorkerFactor 1");
    kvt_server_conf(srv, "KeepAliveTimeout 60");
    kvt_server_start(srv);
    open_idle(srv, fds, 10);
    ck_assert_int_ge(kvt_server_children(srv), 3);
    close_all(fds, 10);
}
END_TEST

/* Connections in lingering close do not count: with factor 1 (2 connections), two clients
 * that got Connection: close and keep their end open (the server lingers on them for up to
 * 2 s) leave room for two kept connections at once. */
KVC_TEST(event_case, test_async_factor_ignores_lingering)
{
    kvt_server_t *srv = event_server(1, "1");
    int lingering[2], kept[2];
    kvt_response_t r;

    kvt_server_conf(srv, "KeepAliveTimeout 30");
    kvt_server_start(srv);
    kvt_server_only_child(srv, DEADLINE_MS);
    for (int i = 0; i < 2; i++) {
        lingering[i] = kvt_connect(kvt_server_port(srv));
        kvt_send(lingering[i], GET_F_CLOSE_MORE);
        read_f(lingering[i], &r, "request with Connection: close");
        kvt_response_free(&r);
        ck_assert_msg(kvt_is_closed(lingering[i], 1000), "no EOF after Connection: close");
    }
    open_idle(srv, kept, 2);
    close_all(kept, 2);
    close_all(lingering, 2);
}
END_TEST

/* A whole number is a factor; kiva -t accepts it. */
KVC_TEST(event_case, test_async_factor_number_accepted)
{
    kvt_server_t *srv = kvt_server_new("event");
    const char *conf;
    char *out = NULL, *err = NULL;
    int status;

    kvt_server_conf(srv, "AsyncRequestWorkerFactor 3");
    conf = kvt_server_write_conf(srv);
    ck_assert_int_eq(kvt_run_kiva(&status, &out, &err, "-t", "-f", conf, (const char *)NULL), 0);
    ck_assert_msg(status == 0 && (kvt_contains(out, "Syntax OK") || kvt_contains(err, "Syntax OK")),
                  "AsyncRequestWorkerFactor 3: exit %d; stdout:\n%s\nstderr:\n%s", status, out,
                  err);
    free(out);
    free(err);
}
END_TEST

static const char *const bad_factors[] = {"abc", "-1", "2x", ""};

KVC_LOOP_TEST(event_case, test_async_factor_bad_values_refused, 0, KVT_COUNT(bad_factors))
{
    kvt_server_t *srv = kvt_server_new("event");
    const char *conf;
    char *err = NULL, *want;
    int status;

    kvt_server_conf(srv, "AsyncRequestWorkerFactor \"%s\"", bad_factors[_i]);
    conf = kvt_server_write_conf(srv);
    ck_assert_int_eq(kvt_run_kiva(&status, NULL, &err, "-t", "-f", conf, (const char *)NULL), 0);
    want = kvt_strf("Syntax error on line %u of %s", kvt_conf_line_of(srv, "AsyncRequest"), conf);
    ck_assert_msg(status == 1, "AsyncRequestWorkerFactor \"%s\": exit %d, want 1; stderr:\n%s",
                  bad_factors[_i], status, err);
    ck_assert_msg(kvt_contains(err, want), "stderr lacks \"%s\":\n%s", want, err);
    free(want);
    free(err);
}
END_TEST

/* ---- 7. graceful restart and graceful stop ---- */

/* How long kept-alive connections wait for their next request in these tests. */
#define LIFECYCLE_KEEPALIVE_S 4

/* Two worker threads, ServerLimit 2 so an old and a new generation fit, a 1 MiB file for a
 * slow reader. */
static kvt_server_t *lifecycle_server(void)
{
    kvt_server_t *srv = kvt_server_new("event");

    kvt_write_file(srv, "f.txt", "f", 1);
    write_pattern_file(srv, "dl.bin", DOWNLOAD_BYTES);
    kvt_server_conf(srv, "ServerLimit 2");
    kvt_server_conf(srv, "StartServers 1");
    kvt_server_conf(srv, "ThreadsPerChild 2");
    kvt_server_conf(srv, "MaxRequestWorkers 2");
    kvt_server_conf(srv, "MinSpareThreads 1");
    kvt_server_conf(srv, "MaxSpareThreads 3");
    kvt_server_conf(srv, "AsyncRequestWorkerFactor 10");
    kvt_server_conf(srv, "KeepAliveTimeout %d", LIFECYCLE_KEEPALIVE_S);
    kvt_server_conf(srv, "SendBufferSize %d", SMALL_BUFFER);
    return srv;
}

static void assert_download_completes(int fd)
{
    kvt_response_t r;

    ck_assert_msg(kvt_read_response(fd, &r, 0) == 0, "the download in flight did not complete");
    assert_pattern(&r, DOWNLOAD_BYTES);
    kvt_response_free(&r);
}

#define KEPT_CONNS 4
/* Enough for a kept connection's KeepAliveTimeout to pass, with room for a slow machine. */
#define KEEPALIVE_END_MS ((LIFECYCLE_KEEPALIVE_S + 4) * 1000)

/* What a finishing child does with its connections (begin_exit in mpm/event/event.c): a
 * request on a kept connection, which may have been on its way when the signal came, is
 * answered, with Connection: close; kept connections that stay silent end at their
 * KeepAliveTimeout; a download in flight arrives whole, and its connection is closed
 * after it. (httpd's event closes the silent ones at once instead.) */
static void assert_finishing_child_drains(int *kept, int dl)
{
    kvt_response_t r;
    int closing = 0;

    /* The signal reaches the child through the parent: until it has, answers keep alive. */
    for (int i = 0; i < 50 && !closing; i++) {
        if (i > 0) {
            poll(NULL, 0, 100);
        }
        kvt_send(kept[0], GET_F);
        read_f(kept[0], &r, "request on a kept connection after the signal");
        closing = kvt_says_close(&r);
        kvt_response_free(&r);
    }
    ck_assert_msg(closing, "a finishing child still keeps connections alive after 5 s");
    ck_assert_msg(kvt_is_closed(kept[0], 2000), "no EOF after the finishing child's answer");
    assert_all_closed(kept + 1, KEPT_CONNS - 1, KEEPALIVE_END_MS,
                      "silent kept connection of a finishing child");
    assert_download_completes(dl);
    ck_assert_msg(kvt_is_closed(dl, KEEPALIVE_END_MS),
                  "the finishing child keeps the finished download's connection open");
}

/* USR1 with four kept connections (two threads) and a download in flight: a new child
 * serves new connections at once, the old one drains its connections, then exits. */
struct holder {
    pid_t pid;
    unsigned long inode;
};

static int stops_holding(void *arg)
{
    const struct holder *h = arg;
    return !kvt_pid_holds_socket(h->pid, h->inode);
}

KVC_TEST(event_case, test_graceful_restart_drains_kept_and_download)
{
    kvt_server_t *srv = lifecycle_server();
    int kept[KEPT_CONNS], dl, fresh;
    pid_t old;
    pid_t served_by;

    kvt_server_start(srv);
    old = kvt_server_only_child(srv, DEADLINE_MS);
    open_idle(srv, kept, KEPT_CONNS);
    dl = stuck_download(srv, "/dl.bin");
    ck_assert_int_eq(kill(kvt_server_pid(srv), SIGUSR1), 0);
    wait_children(srv, 2); /* the old one, busy with the download, and a new one */
    /* Until the old child has acted on its signal it may still accept, and would answer
     * with Connection: close, as it is leaving. */
    struct holder old_listens = {old, kvt_listener_inode(kvt_server_port(srv))};
    ck_assert_msg(kvt_wait_for(stops_holding, &old_listens, DEADLINE_MS),
                  "the old child %d still holds the listener", (int)old);
    fresh = kvt_connect(kvt_server_port(srv));
    get_kept(fresh, "request after the graceful restart");
    served_by = kvt_serving_pid(srv, fresh);
    ck_assert_msg(served_by != 0 && served_by != old,
                  "served by %d after the graceful restart, the old child is %d", (int)served_by,
                  (int)old);
    assert_finishing_child_drains(kept, dl);
    ck_assert_msg(kvt_wait_for(kvt_pid_gone, &old, DEADLINE_MS), "the old child did not exit");
    get_fresh(srv, "request once the old child is gone");
    close(dl);
    close(fresh);
    close_all(kept, KEPT_CONNS);
}
END_TEST

struct taken {
    kvt_server_t *srv;
    int fd;
    pid_t pid;
};

static int taken_by(void *arg)
{
    const struct taken *t = arg;
    return kvt_serving_pid(t->srv, t->fd) == t->pid;
}

/* USR1 while a request is half sent: it is in flight, so the old child waits for the
 * rest and answers it, while a new child serves new connections. */
KVC_TEST(event_case, test_graceful_restart_finishes_half_sent_request)
{
    kvt_server_t *srv = lifecycle_server();
    pid_t old;
    int fd;

    kvt_server_start(srv);
    old = kvt_server_only_child(srv, DEADLINE_MS);
    fd = kvt_connect(kvt_server_port(srv));
    kvt_send(fd, "GET /f.txt HTTP/1.1\r\nHost: localhost\r\n");
    ck_assert_msg(kvt_wait_for(taken_by, &(struct taken){srv, fd, old}, DEADLINE_MS),
                  "the child did not take the connection");
    ck_assert_int_eq(kill(kvt_server_pid(srv), SIGUSR1), 0);
    wait_children(srv, 2);
    get_fresh(srv, "request to the new generation");
    ck_assert_msg(kvt_pid_alive(old), "the old child dropped the half-sent request");
    kvt_send(fd, "\r\n");
    read_body(fd, "f", "the half-sent request, completed");
    ck_assert_msg(kvt_wait_for(kvt_pid_gone, &old, DEADLINE_MS), "the old child did not exit");
    close(fd);
}
END_TEST

/* WINCH with four kept connections and a download in flight: the connections drain as
 * under a graceful restart, then the server exits. */
KVC_TEST(event_case, test_graceful_stop_drains_kept_and_download)
{
    kvt_server_t *srv = lifecycle_server();
    int kept[KEPT_CONNS], dl, status;

    kvt_server_start(srv);
    kvt_server_only_child(srv, DEADLINE_MS);
    open_idle(srv, kept, KEPT_CONNS);
    dl = stuck_download(srv, "/dl.bin");
    ck_assert_int_eq(kill(kvt_server_pid(srv), SIGWINCH), 0);
    assert_finishing_child_drains(kept, dl);
    status = kvt_server_wait_exit(srv, DEADLINE_MS);
    ck_assert_msg(status != -1, "the server did not exit once its connections ended");
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "wait status %d", status);
    close(dl);
    close_all(kept, KEPT_CONNS);
}
END_TEST

/* ---- the scoreboard ---- */

#define LOAD_STATUS "LoadModule status_module %s/modules/.libs/mod_status.so"

struct status_cond {
    kvt_server_t *srv;
    char *body; /* the last page read */
};

/* mod_status counts exactly the three kept connections as keep-alive: not fewer (those in the
 * poller count too) and not more (none is counted twice, by a worker and by the poller). */
/* Read the status page (Prometheus form) into c->body. */
static const char *read_status(struct status_cond *c)
{
    kvt_response_t r;

    kvt_get(kvt_server_port(c->srv), "/server-status?prometheus", &r);
    free(c->body);
    c->body = kvt_strf("%d\n%s", r.status, r.body);
    kvt_response_free(&r);
    return c->body;
}

static int three_kept_alive(void *arg)
{
    return kvt_contains(read_status(arg), "kiva_connections{state=\"keepalive\"} 3\n");
}

/* Two worker threads and three idle keep-alive connections, which wait in the poller: a
 * worker may hold one for a moment after its response, so the count is awaited. */
KVC_TEST(event_case, test_status_counts_idle_keepalive)
{
    kvt_server_t *srv = event_server(2, "10");
    struct status_cond c = {srv, NULL};
    int kept[3];

    kvt_server_conf(srv, "KeepAliveTimeout 30");
    kvt_server_conf(srv, LOAD_STATUS, KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "<Location /server-status>\nSetHandler server-status\n</Location>");
    kvt_server_start(srv);
    open_idle(srv, kept, 3);
    ck_assert_msg(kvt_wait_for(three_kept_alive, &c, 5000),
                  "3 idle keep-alive connections, but:\n%s", c.body);
    free(c.body);
    close_all(kept, 3);
}
END_TEST

/* ---- request heads that come slowly ---- */

#define HALF_HEADS 4

/* mod_status shows no worker reading a head: the one serving the page is sending, the other
 * waits. */
static int no_worker_reading(void *arg)
{
    const char *page = read_status(arg);

    return kvt_contains(page, "kiva_workers{state=\"reading\"} 0\n") &&
           kvt_contains(page, "kiva_workers{state=\"waiting\"} 1\n");
}

/* Half a request head waits in the listener's poller with its bytes kept, not in a worker:
 * with ThreadsPerChild 2 and four connections each half way through a head, a request on
 * another connection is answered and both workers are free; each head, completed, is
 * answered whole. */
KVC_TEST(event_case, test_partial_heads_hold_no_worker)
{
    kvt_server_t *srv = event_server(2, NULL);
    struct status_cond c = {srv, NULL};
    int fds[HALF_HEADS];

    kvt_server_conf(srv, LOAD_STATUS, KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "<Location /server-status>\nSetHandler server-status\n</Location>");
    kvt_server_start(srv);
    for (int i = 0; i < HALF_HEADS; i++) {
        fds[i] = kvt_connect(kvt_server_port(srv));
        kvt_send(fds[i], "GET /f.txt HTTP/1.1\r\nHost: loc");
    }
    get_fresh(srv, "a request beside four half heads");
    ck_assert_msg(kvt_wait_for(no_worker_reading, &c, DEADLINE_MS),
                  "a worker waits for a head:\n%s", c.body);
    free(c.body);
    for (int i = 0; i < HALF_HEADS; i++) {
        kvt_response_t r;
        char *what = kvt_strf("half head %d, completed", i);

        kvt_send(fds[i], "alhost\r\nConnection: close\r\n\r\n");
        read_f(fds[i], &r, what);
        kvt_response_free(&r);
        free(what);
    }
    close_all(fds, HALF_HEADS);
}
END_TEST

/* Automake's exit status for a skipped test. */
#define EXIT_SKIP 77

int main(void)
{
    /* This branch may be built before the event MPM is: skip, not fail, without it. */
    if (access(KV_TEST_BUILDDIR "/modules/.libs/mod_mpm_event.so", R_OK) != 0) {
        fprintf(stderr, "test_event: skipped: modules/.libs/mod_mpm_event.so is not built\n");
        return EXIT_SKIP;
    }
    return kvc_run("event");
}
