/* Restarts seen by clients, under every MPM (one run each; KVT_MPM=name runs one): graceful
 * restarts under load lose nothing, a download spans one, draining children neither starve
 * the new generation nor outlive GracefulShutdownTimeout, -k graceful reports the outcome,
 * signal storms and crashes. */
#include "harness.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define BODY "lifecycle body\n"
#define DOWNLOAD_SIZE (1024 * 1024)
#define GEN_DEADLINE_MS 20000

/* ---- Helpers ---- */

static void wait_log(kvt_server_t *srv, const char *needle, int timeout_ms)
{
    char *log = kvt_server_wait_log(srv, needle, timeout_ms);
    int found = kvt_contains(log, needle);

    free(log);
    ck_assert_msg(found, "the error log never said '%s'", needle);
}

static int send_all(int fd, const char *s)
{
    return kvt_send_raw(fd, s, strlen(s));
}

/* One request on @a fd whose response must be 200 with BODY: 0 if it was not, 1 if it was,
 * 2 if it was and the server ends the connection (Connection: close). */
static int exchange(int fd, int last)
{
    kvt_response_t r;
    const char *conn;
    int ok;

    if (send_all(fd, last ? "GET /f.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                          : "GET /f.txt HTTP/1.1\r\nHost: t\r\n\r\n") != 0 ||
        kvt_read_response(fd, &r, 0) != 0) {
        return 0;
    }
    ok = r.status == 200 && r.body_len == strlen(BODY) && memcmp(r.body, BODY, r.body_len) == 0;
    conn = kvt_header(&r, "Connection");
    if (ok && conn && strcasecmp(conn, "close") == 0) {
        ok = 2;
    }
    kvt_response_free(&r);
    return ok;
}

/* Shared between the test and its load client. */
struct load {
    volatile int stop;
    volatile int done;     /* requests answered correctly */
    volatile int failures; /* requests that were not */
};

/* The load client: connections of 1 or 3 requests, alternately, until told to stop or
 * 60 s pass; every failure is counted. */
static void load_client(int port, struct load *ld)
{
    long deadline = kvt_now_ms() + 60000;

    for (int i = 0; !ld->stop && kvt_now_ms() < deadline; i++) {
        int n = i % 2 ? 3 : 1;
        int fd = kvt_try_connect(port, 0);

        for (int k = 0; k < n; k++) {
            int got = fd >= 0 ? exchange(fd, k == n - 1) : 0;
            if (!got) {
                ld->failures++;
                break;
            }
            ld->done++;
            if (got == 2 && k < n - 1) {
                /* As any HTTP client: after Connection: close, a new connection. */
                close(fd);
                fd = kvt_try_connect(port, 0);
            }
        }
        if (fd >= 0) {
            close(fd);
        }
    }
    _exit(0);
}

struct progress {
    struct load *ld;
    int target;
};

static int made_progress(void *arg)
{
    const struct progress *p = arg;
    return p->ld->done >= p->target;
}

/* worker or event: threads in children, and the same directives. */
static int is_worker(void)
{
    return kvt_mpm_has(KVT_MPM_THREAD_POOL);
}

/* Worker threads per child under worker: more than one, so that a child is shared. */
#define WORKER_THREADS 2

/* A server under kvt_mpm(): @a start children, and spare bounds of @a min_spare and
 * @a max_spare children (prefork) or as many children's worth of threads (worker). */
static kvt_server_t *serve(int start, int min_spare, int max_spare)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_write_file(srv, "f.txt", BODY, strlen(BODY));
    if (is_worker()) {
        kvt_server_conf(srv, "StartServers %d", start);
        kvt_server_conf(srv, "ThreadsPerChild %d", WORKER_THREADS);
        kvt_server_conf(srv, "MinSpareThreads %d", min_spare * WORKER_THREADS);
        kvt_server_conf(srv, "MaxSpareThreads %d", max_spare * WORKER_THREADS);
    } else {
        kvt_server_processes(srv, start, min_spare, max_spare);
    }
    return srv;
}

static void assert_serves(kvt_server_t *srv)
{
    long t0 = kvt_now_ms();

    kvt_assert_serves(srv, "/f.txt", BODY);
    ck_assert_msg(kvt_now_ms() - t0 < 5000, "the answer took %ld ms", kvt_now_ms() - t0);
}

/* ---- 1. Graceful restarts under continuous load ---- */

KVC_CASE(per_mpm, .name_of = kvt_mpm, .timeout = 120);

KVC_TEST(per_mpm, test_graceful_restarts_under_load_lose_nothing)
{
    kvt_server_t *srv = serve(2, 2, 4);
    struct load *ld = mmap(NULL, sizeof(*ld), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                           -1, 0);
    pid_t client;
    int status = 0;

    ck_assert(ld != MAP_FAILED);
    memset(ld, 0, sizeof(*ld));
    kvt_server_start(srv);
    kvt_wait_generation(srv, 0);
    client = fork();
    ck_assert(client >= 0);
    if (client == 0) {
        load_client(kvt_server_port(srv), ld);
    }
    for (int gen = 1; gen <= 5; gen++) {
        struct progress p = {ld, ld->done + 30};

        ck_assert_int_eq(kill(kvt_server_pid(srv), SIGUSR1), 0);
        kvt_wait_generation(srv, gen);
        ck_assert_msg(kvt_wait_for(made_progress, &p, 10000),
                      "the client stalled after graceful restart %d (%d done, %d failed)", gen,
                      ld->done, ld->failures);
    }
    ld->stop = 1;
    ck_assert_int_eq(waitpid(client, &status, 0), client);
    ck_assert_msg(ld->failures == 0, "%d of %d requests failed across 5 graceful restarts",
                  ld->failures, ld->done + ld->failures);
    ck_assert_int_ge(ld->done, 150);
    munmap(ld, sizeof(*ld));
}
END_TEST

/* A 1 MiB download that is half read when a graceful restart happens completes exactly. */
KVC_TEST(per_mpm, test_download_spans_graceful_restart)
{
    kvt_server_t *srv = serve(1, 1, 2);
    char *data = malloc(DOWNLOAD_SIZE);
    char head[256];
    size_t got = 0, cap = DOWNLOAD_SIZE + 4096;
    char *buf = malloc(cap);
    pid_t server_child;
    int fd;
    ssize_t n;

    for (size_t i = 0; i < DOWNLOAD_SIZE; i++) {
        data[i] = (char)('a' + (i * 7 + i / 1000) % 26);
    }
    kvt_write_file(srv, "big.bin", data, DOWNLOAD_SIZE);
    kvt_server_conf(srv, "SendBufferSize 16384"); /* the child blocks in its writes */
    kvt_server_start(srv);
    kvt_wait_generation(srv, 0);
    fd = kvt_try_connect(kvt_server_port(srv), 4096);
    ck_assert_int_ge(fd, 0);
    snprintf(head, sizeof(head), "GET /big.bin HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    ck_assert_int_eq(send_all(fd, head), 0);
    while (got < 65536 && (n = read(fd, buf + got, 65536 - got)) > 0) {
        got += (size_t)n;
    }
    server_child = kvt_serving_pid(srv, fd);
    ck_assert_int_gt(server_child, 0);
    ck_assert_int_eq(kill(kvt_server_pid(srv), SIGUSR1), 0);
    kvt_wait_generation(srv, 1);
    assert_serves(srv);
    ck_assert_msg(kvt_pid_alive(server_child),
                  "the child sending the download was gone before the client read it all");
    while (got < cap && (n = read(fd, buf + got, cap - got)) > 0) {
        got += (size_t)n;
    }
    close(fd);
    char *body = strstr(buf, "\r\n\r\n");
    ck_assert_ptr_nonnull(body);
    body += 4;
    ck_assert_msg(got - (size_t)(body - buf) == DOWNLOAD_SIZE, "got %zu body bytes of %d",
                  got - (size_t)(body - buf), DOWNLOAD_SIZE);
    ck_assert_msg(memcmp(body, data, DOWNLOAD_SIZE) == 0, "the download is corrupt");
    free(buf);
    free(data);
}
END_TEST

/* ---- 2. Draining children: slots and GracefulShutdownTimeout ---- */

/* A connection that holds a child: half a request head. */
static int hold_child(kvt_server_t *srv, pid_t *child)
{
    long deadline = kvt_now_ms() + 5000;
    int fd = kvt_connect(kvt_server_port(srv));

    kvt_send(fd, "GET /f.txt HTTP/1.1\r\n");
    while ((*child = kvt_serving_pid(srv, fd)) == 0 && kvt_now_ms() < deadline) {
        poll(NULL, 0, 20);
    }
    ck_assert_msg(*child > 0, "no child took the slow connection");
    return fd;
}

/* The number in the "server reached MaxRequestWorkers" log line of kvt_mpm(). */
/* Every MPM words it as httpd does, whatever its message number. */
static const char *max_workers_reached_msg(void)
{
    return "server reached MaxRequestWorkers setting";
}

/* Slow clients hold every MaxRequestWorkers worker (of ServerLimit 2 children); five graceful
 * restarts later the server still answers at once, and the slow clients still get their
 * answers. Not under single and thread: ServerLimit is no directive of theirs. */
KVT_TEST_NEEDS(per_mpm, test_draining_children_leave_slots_to_new_generation, KVT_MPM_SERVER_LIMIT)
{
    kvt_server_t *srv = serve(2, 1, 2);
    int per_child = is_worker() ? WORKER_THREADS : 1;
    int nheld = 2 * per_child;
    int fds[2 * WORKER_THREADS];
    pid_t held[2 * WORKER_THREADS];
    kvt_response_t r;

    kvt_server_conf(srv, "ServerLimit 2");
    kvt_server_conf(srv, "MaxRequestWorkers %d", nheld);
    kvt_server_conf(srv, "Timeout 30");
    kvt_server_start(srv);
    kvt_wait_generation(srv, 0);
    for (int i = 0; i < nheld; i++) {
        fds[i] = hold_child(srv, &held[i]);
    }
    /* Before the restarts the slow clients do hold every worker: only what is logged after
     * counts. */
    char *before = kvt_server_error_log(srv);
    size_t skip = strlen(before);
    free(before);
    for (int gen = 1; gen <= 5; gen++) {
        ck_assert_int_eq(kill(kvt_server_pid(srv), SIGUSR1), 0);
        kvt_wait_generation(srv, gen);
        assert_serves(srv);
    }
    char *whole = kvt_server_error_log(srv);
    char *log = strdup(whole + (strlen(whole) >= skip ? skip : 0));
    free(whole);
    ck_assert_msg(!kvt_contains(log, max_workers_reached_msg()), "MaxRequestWorkers reached: %s",
                  log);
    free(log);
    for (int i = 0; i < nheld; i++) {
        ck_assert(kvt_pid_alive(held[i]));
        kvt_send(fds[i], "Host: t\r\n\r\n");
        ck_assert_int_eq(kvt_read_response(fds[i], &r, 0), 0);
        ck_assert_int_eq(r.status, 200);
        kvt_response_free(&r);
        close(fds[i]);
    }
}
END_TEST

KVC_TEST(per_mpm, test_graceful_shutdown_timeout_bounds_restart_drain)
{
    kvt_server_t *srv = serve(1, 1, 2);
    pid_t held;
    int fd;

    kvt_server_conf(srv, "Timeout 30");
    kvt_server_conf(srv, "GracefulShutdownTimeout 2");
    kvt_server_start(srv);
    kvt_wait_generation(srv, 0);
    fd = hold_child(srv, &held);
    ck_assert_int_eq(kill(kvt_server_pid(srv), SIGUSR1), 0);
    kvt_wait_generation(srv, 1);
    assert_serves(srv);
    ck_assert_msg(!kvt_wait_for(kvt_pid_gone, &held, 1000), "the draining child did not drain");
    ck_assert_msg(kvt_wait_for(kvt_pid_gone, &held, 6000),
                  "GracefulShutdownTimeout 2 did not stop the draining child (Timeout is 30)");
    wait_log(srv, "KV00971", 2000);
    assert_serves(srv);
    close(fd);
}
END_TEST

/* ---- 3. -k graceful and kivactl wait for the outcome ---- */

static int run_cmd(const char *const argv[], char **err)
{
    int status = -1;
    ck_assert_int_eq(kvt_run(argv, 30000, &status, NULL, err), 0);
    return status;
}

static int serves_reloaded_type(kvt_server_t *srv)
{
    kvt_response_t r;
    int yes;

    kvt_get(kvt_server_port(srv), "/f.txt", &r);
    yes = r.status == 200 && kvt_header(&r, "Content-Type") &&
          kvt_contains(kvt_header(&r, "Content-Type"), "text/x-reloaded");
    kvt_response_free(&r);
    return yes;
}

KVC_TEST(per_mpm, test_k_graceful_waits_and_reports_errors)
{
    kvt_server_t *srv = serve(1, 1, 2);
    char *good = kvt_strf("%s.good", kvt_server_conf_path(srv));
    char *kiva = kvt_strf("%s/kiva", KV_TEST_BUILDDIR);
    char *err = NULL;
    unsigned line;

    kvt_server_start(srv);
    kvt_wait_generation(srv, 0);
    kvt_server_conf(srv, "AddType text/x-reloaded .txt");
    kvt_server_write_conf(srv);
    {
        const char *argv[] = {kiva, "-k", "graceful", "-f", kvt_server_conf_path(srv), NULL};
        ck_assert_int_eq(run_cmd(argv, &err), 0);
    }
    ck_assert_msg(serves_reloaded_type(srv), "-k graceful returned before the reload served");
    ck_assert_int_eq(kvt_status_generation(srv), 1);

    /* -k reads the good copy; the server re-reads its own file, now broken. */
    ck_assert_int_eq(rename(kvt_server_conf_path(srv), good), 0);
    kvt_server_conf(srv, "NoSuchDirective 1");
    kvt_server_write_conf(srv);
    line = kvt_conf_line_of(srv, "NoSuchDirective");
    {
        char *kivactl = kvt_strf("%s/kivactl", KV_TEST_BUILDDIR);
        const char *argv[] = {kivactl, "graceful", "-f", good, NULL};
        setenv("KIVA", kiva, 1);
        ck_assert_int_eq(run_cmd(argv, &err), 1);
        free(kivactl);
    }
    char *want = kvt_strf("%s:%u: ", kvt_server_conf_path(srv), line);
    ck_assert_msg(kvt_contains(err, want), "kivactl graceful said '%s', not '%s...'", err, want);
    ck_assert_msg(kvt_contains(err, "NoSuchDirective"), "kivactl graceful said '%s'", err);
    ck_assert_msg(serves_reloaded_type(srv), "the running configuration stopped serving");
    {
        const char *argv[] = {kiva, "-k", "restart", "-f", good, NULL};
        ck_assert_int_eq(run_cmd(argv, &err), 1);
        ck_assert_msg(kvt_contains(err, want), "-k restart said '%s'", err);
    }
    ck_assert(kvt_pid_alive(kvt_server_pid(srv)));
    free(want);
    free(good);
    free(kiva);
}
END_TEST

/* Run kiva -f CONF A [B]; its exit status, and its stderr in *err. */
static int kiva_on_conf(kvt_server_t *srv, const char *a, const char *b, char **err)
{
    int status;

    ck_assert_int_eq(kvt_run_kiva(&status, NULL, err, "-f", kvt_server_conf_path(srv), a, b,
                                  (const char *)NULL),
                     0);
    return status;
}

/* A syntax error that -k itself finds is printed as FILE:LINE: REASON too. */
KVC_TEST(per_mpm, test_k_graceful_syntax_error_file_line)
{
    kvt_server_t *srv = serve(1, 1, 2);
    char *err = NULL;

    kvt_server_start(srv);
    kvt_wait_generation(srv, 0);
    kvt_server_conf(srv, "NoSuchDirective 1");
    kvt_server_write_conf(srv);
    char *want = kvt_strf("%s:%u: ", kvt_server_conf_path(srv),
                          kvt_conf_line_of(srv, "NoSuchDirective"));
    ck_assert_int_eq(kiva_on_conf(srv, "-k", "graceful", &err), 1);
    ck_assert_msg(kvt_contains(err, want), "-k graceful said '%s', not '%s...'", err, want);
    ck_assert_int_eq(kvt_status_generation(srv), 0);
    free(want);
}
END_TEST

/* ---- 4. kiva -t shows the limits the MPM will change ---- */

/* What kvt_mpm() says about MaxRequestWorkers 10 with ServerLimit 4 (and, under worker,
 * ThreadsPerChild 2: 10 threads would need 5 children). */
static const char *max_workers_clamp_msg(void)
{
    return is_worker() ? "MaxRequestWorkers of 10 would require 5 servers and would exceed "
                         "ServerLimit of 4, decreasing to 8"
                       : "MaxRequestWorkers of 10 exceeds ServerLimit value of 4 servers, "
                         "decreasing MaxRequestWorkers to 4";
}

/* Not under single and thread, which have no ServerLimit (thread's clamp of MaxRequestWorkers to
 * ThreadLimit is in test_thread). */
KVT_TEST_NEEDS(per_mpm, test_t_shows_clamped_limits, KVT_MPM_SERVER_LIMIT)
{
    kvt_server_t *srv = serve(1, 1, 2);
    char *err = NULL;

    kvt_server_conf(srv, "ServerLimit 4");
    kvt_server_conf(srv, "MaxRequestWorkers 10");
    kvt_server_write_conf(srv);
    ck_assert_int_eq(kiva_on_conf(srv, "-t", NULL, &err), 0);
    ck_assert_msg(kvt_contains(err, max_workers_clamp_msg()) &&
                      kvt_contains(err, "see the ServerLimit directive"),
                  "kiva -t said: %s", err);
    ck_assert_msg(kvt_contains(err, "Syntax OK"), "kiva -t said: %s", err);
}
END_TEST

/* ---- 5. Signal storms and crashes ---- */

/* One correct answer on a new connection, without asserting. */
static int answers(void *arg)
{
    int fd = kvt_try_connect(kvt_server_port(arg), 0);
    int ok = fd >= 0 && exchange(fd, 1);

    if (fd >= 0) {
        close(fd);
    }
    return ok;
}

KVC_TEST(per_mpm, test_signal_storm_leaves_a_serving_server)
{
    kvt_server_t *srv = serve(2, 2, 4);
    pid_t parent;

    kvt_server_start(srv);
    kvt_wait_generation(srv, 0);
    parent = kvt_server_pid(srv);
    for (int i = 0; i < 20; i++) {
        ck_assert_int_eq(kill(parent, i % 3 == 2 ? SIGHUP : SIGUSR1), 0);
    }
    kvt_wait_generation(srv, 1);
    /* A HUP still being acted on stops the children with what they serve: retry. */
    ck_assert_msg(kvt_wait_for(answers, srv, GEN_DEADLINE_MS), "no answer after the storm");
    ck_assert(kvt_pid_alive(parent));
    char *log = kvt_server_error_log(srv);
    ck_assert_msg(!kvt_contains(log, "[emerg]") && !kvt_contains(log, "[alert]") &&
                      !kvt_contains(log, "NOT loaded") && !kvt_contains(log, "exit signal"),
                  "the storm left this log: %s", log);
    free(log);
}
END_TEST

static int has_children(void *arg)
{
    pid_t kids[KVT_MAX_PIDS];
    return kvt_children(kvt_server_pid(arg), kids, KVT_MAX_PIDS) > 0;
}

static int two_children(void *arg)
{
    pid_t kids[KVT_MAX_PIDS];
    return kvt_children(kvt_server_pid(arg), kids, KVT_MAX_PIDS) >= 2;
}

/* A crashed child is logged and replaced once the server is idle again. Under the MPMs with idle
 * children only: fork has none, and a child that dies ends only its own connection; single and
 * thread keep one child (test_thread covers their crash and replacement). */
KVT_TEST_NEEDS(per_mpm, test_crashed_child_is_logged_and_replaced, KVT_MPM_IDLE_CHILDREN)
{
    kvt_server_t *srv = serve(2, 2, 3);
    pid_t kids[KVT_MAX_PIDS];
    pid_t victim;
    char *want;

    kvt_server_start(srv);
    kvt_wait_generation(srv, 0);
    ck_assert_msg(kvt_wait_for(has_children, srv, 10000), "no child started");
    ck_assert_int_ge(kvt_children(kvt_server_pid(srv), kids, KVT_MAX_PIDS), 1);
    victim = kids[0];
    ck_assert_int_eq(kill(victim, SIGSEGV), 0);
    want = kvt_strf("child pid %ld exit signal Segmentation fault (11)", (long)victim);
    wait_log(srv, want, 10000);
    ck_assert_msg(kvt_wait_for(kvt_pid_gone, &victim, 5000), "the crashed child was not reaped");
    ck_assert_msg(kvt_wait_for(two_children, srv, 10000), "the crashed child was not replaced");
    assert_serves(srv);
    free(want);
}
END_TEST

int main(void)
{
    return kvt_run_mpms("lifecycle", 0);
}
