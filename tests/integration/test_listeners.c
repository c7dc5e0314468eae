/* Listening sockets at a stop, a graceful stop and a graceful restart, as a client sees
 * them, under every MPM (one run each; KVT_MPM=name runs one): a connection made
 * once the server stops for good is refused, never accepted and left unanswered -- even
 * while a child that cannot take signals still holds its copy of the listener --, no
 * process keeps a copy, and what was accepted before the signal is answered in full; a
 * connection made during a graceful restart is served by the new generation. */
#include "harness.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BODY "listeners body\n"
#define DOWNLOAD_SIZE (1024 * 1024)
/* Bytes read of a download before the signal: its response is well under way then. */
#define DOWNLOAD_STARTED 65536
#define GEN_DEADLINE_MS 20000
/* How long a refusal may take once the parent has the signal: it acts at once. */
#define REFUSE_DEADLINE_MS 2500
/* Connections tried during a graceful restart's drain. */
#define RESTART_PROBES 10

static char download_data[DOWNLOAD_SIZE];

/* ---- Helpers ---- */

static kvt_server_t *start_server(void)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());

    for (size_t i = 0; i < DOWNLOAD_SIZE; i++) {
        download_data[i] = (char)('a' + (i * 7 + i / 1000) % 26);
    }
    kvt_write_file(srv, "f.txt", BODY, strlen(BODY));
    kvt_write_file(srv, "big.bin", download_data, DOWNLOAD_SIZE);
    kvt_server_conf(srv, "SendBufferSize 16384"); /* a child blocks in its writes */
    kvt_server_start(srv);
    kvt_wait_generation(srv, 0);
    return srv;
}

/* One GET of f.txt on a connection the server accepted: it must be answered in full. */
static void assert_answered(int fd, const char *when)
{
    kvt_response_t r;

    kvt_send(fd, "GET /f.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    ck_assert_msg(kvt_read_response(fd, &r, 0) == 0,
                  "a connection made %s was accepted and never answered", when);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, BODY);
    kvt_response_free(&r);
}

struct port_cond {
    int port;
};

static int nothing_listens(void *arg)
{
    const struct port_cond *pc = arg;
    return kvt_listener_inode(pc->port) == 0;
}

/* Once the parent has acted on the signal, no socket listens on the port any more, and a
 * new connection is refused. (One made a moment before that races the stop: it may be
 * taken in the backlog and reset, as under httpd.) */
static void assert_refused(kvt_server_t *srv, const char *when)
{
    struct port_cond pc = {kvt_server_port(srv)};
    int fd;

    ck_assert_msg(kvt_wait_for(nothing_listens, &pc, REFUSE_DEADLINE_MS),
                  "the port still listened %d ms %s", REFUSE_DEADLINE_MS, when);
    fd = kvt_try_connect(pc.port, 0);
    ck_assert_msg(fd < 0 && errno == ECONNREFUSED, "a new connection %s was not refused: %s",
                  when, fd < 0 ? strerror(errno) : "it was accepted");
}

/* A 1 MiB download under way: its first DOWNLOAD_STARTED bytes read, the server's child
 * blocked in its writes. */
struct download {
    int fd;
    char *buf;
    size_t got, cap;
    pid_t child;
};

static void start_download(kvt_server_t *srv, struct download *dl)
{
    ssize_t n;

    dl->cap = DOWNLOAD_SIZE + 4096;
    dl->buf = malloc(dl->cap);
    dl->got = 0;
    dl->fd = kvt_try_connect(kvt_server_port(srv), 4096);
    ck_assert_int_ge(dl->fd, 0);
    kvt_send(dl->fd, "GET /big.bin HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    while (dl->got < DOWNLOAD_STARTED &&
           (n = read(dl->fd, dl->buf + dl->got, DOWNLOAD_STARTED - dl->got)) > 0) {
        dl->got += (size_t)n;
    }
    ck_assert_int_eq(dl->got, DOWNLOAD_STARTED);
    dl->child = kvt_serving_pid(srv, dl->fd);
    ck_assert_int_gt(dl->child, 0);
}

/* Read the rest of the download: the whole file, byte for byte. */
static void finish_download(struct download *dl)
{
    ssize_t n;
    char *body;

    while (dl->got < dl->cap && (n = read(dl->fd, dl->buf + dl->got, dl->cap - dl->got)) > 0) {
        dl->got += (size_t)n;
    }
    close(dl->fd);
    body = strstr(dl->buf, "\r\n\r\n");
    ck_assert_ptr_nonnull(body);
    body += 4;
    ck_assert_msg(dl->got - (size_t)(body - dl->buf) == DOWNLOAD_SIZE,
                  "got %zu body bytes of %d", dl->got - (size_t)(body - dl->buf), DOWNLOAD_SIZE);
    ck_assert_msg(memcmp(body, download_data, DOWNLOAD_SIZE) == 0, "the download is corrupt");
    free(dl->buf);
}

/* A kept-alive connection that has been answered once; *child is the process holding it. */
static int kept_alive_connection(kvt_server_t *srv, pid_t *child)
{
    kvt_response_t r;
    int fd = kvt_try_connect(kvt_server_port(srv), 0);

    ck_assert_int_ge(fd, 0);
    kvt_send(fd, "GET /f.txt HTTP/1.1\r\nHost: t\r\n\r\n");
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    ck_assert_int_eq(r.status, 200);
    kvt_response_free(&r);
    *child = kvt_serving_pid(srv, fd);
    ck_assert_int_gt(*child, 0);
    return fd;
}

struct copies {
    kvt_server_t *srv;
    unsigned long inode;
};

static int no_copy_left(void *arg)
{
    const struct copies *c = arg;
    return kvt_server_socket_holders(c->srv, c->inode) == 0;
}

static void assert_exits(kvt_server_t *srv)
{
    ck_assert_msg(kvt_server_wait_exit(srv, GEN_DEADLINE_MS) == 0,
                  "the server did not exit cleanly: %s", kvt_server_diagnostics(srv));
}

/* Nothing in a graceful stop was an error: a child that finds its listener shut down
 * before its signal comes stops accepting quietly. */
static void assert_quiet_log(kvt_server_t *srv)
{
    char *log = kvt_server_error_log(srv);

    ck_assert_msg(!kvt_contains(log, ":error]") && !kvt_contains(log, ":crit]") &&
                      !kvt_contains(log, ":emerg]"),
                  "the graceful stop logged errors: %s", log);
    free(log);
}

/* ---- Stopping for good ---- */

KVT_MPM_CASE(per_mpm);

/* A graceful stop while a download is sent: new connections are refused at once, no
 * process keeps a copy of the listener (the draining child's included), and the download
 * completes. */
KVC_TEST(per_mpm, test_graceful_stop_refuses_and_finishes_download)
{
    kvt_server_t *srv = start_server();
    struct download dl;
    struct copies c = {srv, kvt_listener_inode(kvt_server_port(srv))};

    ck_assert_uint_ne(c.inode, 0);
    start_download(srv, &dl);
    ck_assert_int_eq(kill(kvt_server_pid(srv), SIGWINCH), 0);
    assert_refused(srv, "after a graceful stop");
    ck_assert_msg(kvt_wait_for(no_copy_left, &c, 5000),
                  "%d processes of the server still hold a copy of the listener",
                  kvt_server_socket_holders(srv, c.inode));
    ck_assert_msg(kvt_pid_alive(dl.child), "the child sending the download is gone");
    finish_download(&dl);
    assert_exits(srv);
    assert_quiet_log(srv);
}
END_TEST

/* How the server is told to stop for good, and whether its log stays free of errors (a stop
 * kills a child that does not exit on SIGTERM, and says so). */
static const struct {
    int sig;
    const char *when;
    int quiet;
} stops[] = {
    {SIGWINCH, "after a graceful stop, with a stopped child", 1},
    {SIGTERM, "after a stop, with a stopped child", 0},
};

/* A child that cannot act on its signal (stopped, so the signal waits) still holds its copy
 * of the listener: new connections are refused all the same, at once -- not only once the
 * child is gone (a stop kills it after a few seconds, a graceful stop waits for it). */
KVC_LOOP_TEST(per_mpm, test_stop_refuses_despite_stopped_child, 0, KVT_COUNT(stops))
{
    kvt_server_t *srv = start_server();
    pid_t child;
    int fd = kept_alive_connection(srv, &child);

    kvt_stop_process(child);
    ck_assert_int_eq(kill(kvt_server_pid(srv), stops[_i].sig), 0);
    assert_refused(srv, stops[_i].when);
    ck_assert_msg(kvt_pid_alive(child), "refused only once the stopped child was gone");
    ck_assert_int_eq(kill(child, SIGCONT), 0);
    close(fd);
    assert_exits(srv);
    if (stops[_i].quiet) {
        assert_quiet_log(srv);
    }
}
END_TEST

/* ---- Restarting gracefully ---- */

/* During a graceful restart's drain every new connection is accepted and answered, from
 * the signal on; once the new generation serves, by it, while the old child finishes its
 * download. */
KVC_TEST(per_mpm, test_graceful_restart_serves_new_connections)
{
    kvt_server_t *srv = start_server();
    struct download dl;

    start_download(srv, &dl);
    ck_assert_int_eq(kill(kvt_server_pid(srv), SIGUSR1), 0);
    for (int i = 0; i < RESTART_PROBES; i++) {
        int fd = kvt_try_connect(kvt_server_port(srv), 0);

        ck_assert_msg(fd >= 0, "connect during a graceful restart: %s", strerror(errno));
        assert_answered(fd, "during a graceful restart");
        close(fd);
    }
    kvt_wait_generation(srv, 1);
    for (int i = 0; i < RESTART_PROBES; i++) {
        pid_t child;
        int fd = kept_alive_connection(srv, &child);

        ck_assert_msg(child != dl.child, "the draining child took a new connection");
        close(fd);
    }
    ck_assert_msg(kvt_pid_alive(dl.child), "the old child left before its download was read");
    finish_download(&dl);
}
END_TEST

/* ---- Accepted just before the signal ---- */

static const int signals_of_ending[] = {SIGWINCH, SIGUSR1};

/* A connection the server took just before a graceful stop or restart, whose request had
 * not all come yet: its request is read and answered in full. */
KVC_LOOP_TEST(per_mpm, test_accepted_before_signal_answered_in_full, 0,
              KVT_COUNT(signals_of_ending))
{
    kvt_server_t *srv = start_server();
    struct download dl = {0};

    dl.cap = DOWNLOAD_SIZE + 4096;
    dl.buf = malloc(dl.cap);
    dl.fd = kvt_try_connect(kvt_server_port(srv), 4096);
    ck_assert_int_ge(dl.fd, 0);
    kvt_send(dl.fd, "GET /big.bin HTTP/1.1\r\n");
    ck_assert_msg(kvt_wait_served(srv, dl.fd, 5000) > 0, "no process took the connection");
    ck_assert_int_eq(kill(kvt_server_pid(srv), signals_of_ending[_i]), 0);
    kvt_send(dl.fd, "Host: t\r\nConnection: close\r\n\r\n");
    finish_download(&dl);
}
END_TEST

int main(void)
{
    return kvt_run_mpms("listeners", 0);
}
