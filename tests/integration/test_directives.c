/* Directives that must reach the kernel or the process model: ListenBacklog,
 * SendBufferSize/ReceiveBufferSize, MaxConnectionsPerChild and its alias. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONNECTIONS 6

static kvt_server_t *serve(const char *line)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_write_file(srv, "f.txt", "f", 1);
    if (line != NULL) {
        kvt_server_conf(srv, "%s", line);
    }
    kvt_server_start(srv);
    return srv;
}

KVT_CASE(directives_case, "directives");

KVC_TEST(directives_case, test_listen_backlog)
{
    kvt_server_t *srv = serve("ListenBacklog 7");
    long backlog = kvt_listen_backlog(kvt_server_port(srv));
    ck_assert_msg(backlog == 7, "listen backlog %ld, want 7", backlog);
}
END_TEST

/* Without the directive the backlog is something else, so 7 above is not a coincidence. */
KVC_TEST(directives_case, test_listen_backlog_default)
{
    kvt_server_t *srv = serve(NULL);
    long backlog = kvt_listen_backlog(kvt_server_port(srv));
    ck_assert_msg(backlog > 7, "default listen backlog %ld", backlog);
}
END_TEST

/* Open a kept-alive connection that a child has accepted and answered. */
static int served_connection(kvt_server_t *srv)
{
    int fd = kvt_connect(kvt_server_port(srv));
    kvt_send(fd, "GET /f.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
    kvt_response_t r;
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    ck_assert_int_eq(r.status, 200);
    kvt_response_free(&r);
    return fd;
}

static void server_buffers(kvt_server_t *srv, long *rb, long *tb)
{
    int fd = served_connection(srv);
    ck_assert_msg(kvt_server_sock_buffers(srv, fd, rb, tb) == 0,
                  "no server-side socket in ss -tmn for port %d", kvt_server_port(srv));
    close(fd);
}

/* The kernel doubles what SO_SNDBUF/SO_RCVBUF are given; ss shows the doubled value. The
 * sizes are chosen unlike the kernel's defaults (rb 131072 from tcp_rmem). */
KVC_TEST(directives_case, test_socket_buffer_sizes)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_write_file(srv, "f.txt", "f", 1);
    kvt_server_conf(srv, "SendBufferSize 50000");
    kvt_server_conf(srv, "ReceiveBufferSize 40000");
    kvt_server_start(srv);
    kvt_server_t *plain = serve(NULL);
    long rb, tb, plain_rb, plain_tb;
    server_buffers(srv, &rb, &tb);
    server_buffers(plain, &plain_rb, &plain_tb);
    ck_assert_msg(tb == 100000, "send buffer %ld, want 2 * 50000", tb);
    ck_assert_msg(rb == 80000, "receive buffer %ld, want 2 * 40000", rb);
    ck_assert_msg(plain_tb != tb && plain_rb != rb,
                  "a server without the directives has the same buffers (%ld, %ld)", plain_rb,
                  plain_tb);
}
END_TEST

struct served {
    pid_t pid[CONNECTIONS];
    int n;
};

/* How many of the connections @a pid served. */
static int served_by(const struct served *s, pid_t pid)
{
    int count = 0;
    for (int i = 0; i < s->n; i++) {
        count += s->pid[i] == pid;
    }
    return count;
}

static int distinct_pids(const struct served *s)
{
    int distinct = 0;
    for (int i = 0; i < s->n; i++) {
        int seen = 0;
        for (int j = 0; j < i; j++) {
            seen |= s->pid[j] == s->pid[i];
        }
        distinct += !seen;
    }
    return distinct;
}

/* One child at a time (StartServers 1, spares 1): with a limit of 2 connections per child,
 * no child serves more than 2 of 6 sequential connections, so at least 3 children do, and
 * the first child exits. */
static void assert_children_recycled(const char *directive)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_write_file(srv, "f.txt", "f", 1);
    kvt_server_processes(srv, 1, 1, 1);
    kvt_server_conf(srv, "%s 2", directive);
    kvt_server_start(srv);
    struct served s = {.n = 0};
    for (int i = 0; i < CONNECTIONS; i++) {
        int fd = served_connection(srv);
        s.pid[s.n] = kvt_serving_pid(srv, fd);
        ck_assert_msg(s.pid[s.n] > 0, "connection %d: no serving process found", i + 1);
        s.n++;
        close(fd);
    }
    for (int i = 0; i < s.n; i++) {
        int count = served_by(&s, s.pid[i]);
        ck_assert_msg(count <= 2, "%s 2: child %d served %d connections", directive, (int)s.pid[i],
                      count);
    }
    int distinct = distinct_pids(&s);
    ck_assert_msg(distinct >= 3, "%d connections served by only %d children", s.n, distinct);
    ck_assert_msg(kvt_wait_for(kvt_pid_gone, &s.pid[0], 5000), "first child %d still alive",
                  (int)s.pid[0]);
}

KVC_TEST(directives_case, test_max_connections_per_child)
{
    assert_children_recycled("MaxConnectionsPerChild");
}
END_TEST

KVC_TEST(directives_case, test_max_requests_per_child_alias)
{
    assert_children_recycled("MaxRequestsPerChild");
}
END_TEST

/* 0 means never: one child serves every connection. */
KVC_TEST(directives_case, test_max_connections_per_child_zero)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_write_file(srv, "f.txt", "f", 1);
    kvt_server_processes(srv, 1, 1, 1);
    kvt_server_conf(srv, "MaxConnectionsPerChild 0");
    kvt_server_start(srv);
    pid_t first = 0;
    for (int i = 0; i < CONNECTIONS; i++) {
        int fd = served_connection(srv);
        pid_t pid = kvt_serving_pid(srv, fd);
        ck_assert_msg(pid > 0, "connection %d: no serving process found", i + 1);
        first = first ? first : pid;
        close(fd);
        ck_assert_msg(kvt_pid_alive(first), "child %d exited with MaxConnectionsPerChild 0",
                      (int)first);
    }
}
END_TEST

/* AcceptFilter: with httpd's default on Linux (data: TCP_DEFER_ACCEPT) the server does not
 * take a connection whose client has sent nothing, yet serves it once it sends; with none
 * it takes it at once. Connections are accepted in the order they were made, so once a
 * later connection has been answered, the silent one would have been taken without the
 * filter. Listener options are the same under every MPM; each is run. */
static const char *const filter_mpms[] = {"prefork", "worker", "event"};

struct conn_of {
    kvt_server_t *srv;
    int fd;
};

static int server_took(void *arg)
{
    const struct conn_of *c = arg;
    return kvt_server_holds_conn(c->srv, c->fd);
}

static void assert_accept_filter(const char *mpm, const char *line, int takes_silent)
{
    kvt_server_t *srv = kvt_server_new(mpm);
    struct conn_of silent;
    kvt_response_t r;
    int later;

    kvt_write_file(srv, "f.txt", "f", 1);
    if (line != NULL) {
        kvt_server_conf(srv, "%s", line);
    }
    kvt_server_start(srv);
    silent.srv = srv;
    silent.fd = kvt_connect(kvt_server_port(srv));
    later = served_connection(srv);
    if (takes_silent) {
        ck_assert_msg(kvt_wait_for(server_took, &silent, 5000),
                      "%s, %s: a silent connection was not accepted", mpm, line);
    } else {
        ck_assert_msg(!kvt_server_holds_conn(srv, silent.fd),
                      "%s, default AcceptFilter: a connection that sent nothing was accepted",
                      mpm);
    }
    kvt_send(silent.fd, "GET /f.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
    ck_assert_int_eq(kvt_read_response(silent.fd, &r, 0), 0);
    ck_assert_int_eq(r.status, 200);
    kvt_response_free(&r);
    close(silent.fd);
    close(later);
}

KVC_LOOP_TEST(directives_case, test_accept_filter_default_defers, 0, KVT_COUNT(filter_mpms))
{
    assert_accept_filter(filter_mpms[_i], NULL, 0);
}
END_TEST

KVC_LOOP_TEST(directives_case, test_accept_filter_none_takes_at_once, 0, KVT_COUNT(filter_mpms))
{
    assert_accept_filter(filter_mpms[_i], "AcceptFilter http none", 1);
}
END_TEST

/* The filter is per protocol: one for another protocol leaves http's default alone. */
KVC_TEST(directives_case, test_accept_filter_other_protocol)
{
    assert_accept_filter("prefork", "AcceptFilter nntp none", 0);
}
END_TEST

/* A name httpd does not know is refused with the line and the names it takes. */
KVC_TEST(directives_case, test_accept_filter_unknown_refused)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    const char *conf;
    char *err = NULL, *want;
    int status;

    kvt_server_conf(srv, "AcceptFilter http dtaa");
    conf = kvt_server_write_conf(srv);
    ck_assert_int_eq(kvt_run_kiva(&status, NULL, &err, "-t", "-f", conf, (const char *)NULL), 0);
    want = kvt_strf("Syntax error on line %u of %s: AcceptFilter http: unknown filter 'dtaa'",
                    kvt_conf_line_of(srv, "AcceptFilter"), conf);
    ck_assert_msg(status == 1 && kvt_contains(err, want), "exit %d; stderr lacks \"%s\":\n%s",
                  status, want, err);
    free(want);
    free(err);
}
END_TEST

int main(void)
{
    return kvc_run("directives");
}
