/* The process model seen from /proc, under prefork, worker and event (one run each; KVT_MPM=name
 * runs one): -k graceful
 * and graceful-stop, reloads refused, children switching to User/Group, daemon mode,
 * numbered log lines. Under prefork only: StartServers of single-threaded children and the
 * spare-server bounds. Respawn after a crash, TERM, -k stop and GracefulShutdownTimeout are
 * in test_mpm, under every MPM they apply to. */
#include "harness.h"

#include <grp.h>
#include <pwd.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SPARE_DEADLINE_MS 10000

static void wait_children(kvt_server_t *srv, int min, int max, const char *why)
{
    ck_assert_msg(kvt_wait_children(srv, min, max, SPARE_DEADLINE_MS),
                  "%s: %d children, want %d..%d", why, kvt_server_children(srv), min, max);
}

/* Worker threads per child under worker: more than one, so that a child is shared. */
#define WORKER_THREADS 2

/* A server under kvt_mpm(), not yet started: @a start children, spare bounds of
 * @a min_spare and @a max_spare children (prefork) or as many children's worth of idle
 * threads (worker). */
static kvt_server_t *new_server(int start, int min_spare, int max_spare)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_write_file(srv, "f.txt", "f", 1);
    if (kvt_mpm_has(KVT_MPM_SPARE_SERVERS)) {
        kvt_server_processes(srv, start, min_spare, max_spare);
    } else {
        kvt_server_conf(srv, "StartServers %d", start);
        kvt_server_conf(srv, "ThreadsPerChild %d", WORKER_THREADS);
        kvt_server_conf(srv, "MinSpareThreads %d", min_spare * WORKER_THREADS);
        kvt_server_conf(srv, "MaxSpareThreads %d", max_spare * WORKER_THREADS);
    }
    return srv;
}

static kvt_server_t *serve(int start, int min_spare, int max_spare)
{
    kvt_server_t *srv = new_server(start, min_spare, max_spare);
    kvt_server_start(srv);
    return srv;
}

static char *pid_file(kvt_server_t *srv)
{
    return kvt_strf("%s/logs/kiva.pid", kvt_server_root(srv));
}

/* The tests that hold under every MPM with spare bounds, and what only prefork has:
 * single-threaded children and spare servers (MinSpareServers, MaxSpareServers), which worker
 * and event do not have (see test_worker). */
KVT_MPM_CASE(per_mpm);
KVT_CASE(prefork_only, "prefork");

KVT_TEST_NEEDS(prefork_only, test_start_servers, KVT_MPM_SPARE_SERVERS)
{
    kvt_server_t *srv = serve(3, 1, 3);
    wait_children(srv, 3, 3, "StartServers 3");
    pid_t pids[KVT_MAX_PIDS];
    int n = kvt_children(kvt_server_pid(srv), pids, KVT_MAX_PIDS);
    for (int i = 0; i < n; i++) {
        ck_assert_msg(kvt_threads(pids[i]) == 1, "prefork child %d has %d threads", (int)pids[i],
                      kvt_threads(pids[i]));
    }
    ck_assert_int_eq(kvt_pid_in_file(pid_file(srv)), kvt_server_pid(srv));
    kvt_assert_serves(srv, "/f.txt", "f");
}
END_TEST

KVT_TEST_NEEDS(prefork_only, test_min_spare_servers, KVT_MPM_SPARE_SERVERS)
{
    kvt_server_t *srv = serve(1, 2, 4);
    wait_children(srv, 2, 4, "MinSpareServers 2 from StartServers 1");
}
END_TEST

KVT_TEST_NEEDS(prefork_only, test_max_spare_servers, KVT_MPM_SPARE_SERVERS)
{
    kvt_server_t *srv = serve(6, 1, 2);
    wait_children(srv, 1, 2, "MaxSpareServers 2 from StartServers 6");
    kvt_assert_serves(srv, "/f.txt", "f");
}
END_TEST

/* Spare servers are wanted (MinSpareServers 6), but never more children than the limit. */
static void assert_children_capped(const char *const *lines, int cap)
{
    kvt_server_t *srv = kvt_server_new("prefork");

    kvt_write_file(srv, "f.txt", "f", 1);
    kvt_server_processes(srv, 1, 6, 8);
    for (; *lines; lines++) {
        kvt_server_conf(srv, "%s", *lines);
    }
    kvt_server_start(srv);
    wait_children(srv, cap, cap, "children up to the cap");
    /* The spare-server check runs every second: two rounds must not pass the cap. */
    ck_assert_msg(!kvt_wait_children(srv, cap + 1, KVT_MAX_PIDS, 2500), "%d children, cap %d",
                  kvt_server_children(srv), cap);
    kvt_assert_serves(srv, "/f.txt", "f");
}

static const char *const worker_caps[][2] = {
    {"MaxRequestWorkers 3", NULL},
    {"MaxClients 3", NULL},
};

KVC_LOOP_TEST_IF(prefork_only, test_max_request_workers_caps_children, 0, KVT_COUNT(worker_caps),
                 kvt_mpm_has, KVT_MPM_SPARE_SERVERS)
{
    assert_children_capped(worker_caps[_i], 3);
}
END_TEST

KVT_TEST_NEEDS(prefork_only, test_server_limit_clamps_max_request_workers, KVT_MPM_SPARE_SERVERS)
{
    static const char *const lines[] = {"ServerLimit 2", "MaxRequestWorkers 5", NULL};
    assert_children_capped(lines, 2);
}
END_TEST

/* Does the server answer with the media type the reloaded configuration adds? */
static int serves_new_type(void *arg)
{
    kvt_response_t r;
    const char *type;
    int yes;

    /* Polled across HUP, which may drop a connection an old child had accepted. */
    if (kvt_request(kvt_server_port(arg),
                    "GET /f.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                    &r) != 0) {
        return 0;
    }
    type = kvt_header(&r, "Content-Type");
    yes = r.status == 200 && type && strcmp(type, "text/x-reloaded") == 0;
    kvt_response_free(&r);
    return yes;
}

/* Remove the last line of a file (the broken directive a test appended). */
static void drop_last_line(const char *path)
{
    FILE *f = fopen(path, "r+");
    char buf[16384];
    size_t n;

    ck_assert_ptr_nonnull(f);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    ck_assert_uint_gt(n, 1);
    buf[n] = '\0';
    n--; /* the final newline */
    while (n > 0 && buf[n - 1] != '\n') {
        n--;
    }
    fclose(f);
    ck_assert_int_eq(truncate(path, (off_t)n), 0);
}

/* Run kiva -k CMD against the server's config; returns its exit status and stderr. */
static int run_k(kvt_server_t *srv, const char *cmd, char **err)
{
    int status;

    ck_assert_int_eq(kvt_run_kiva(&status, NULL, err, "-k", cmd, "-f",
                                  kvt_server_conf_path(srv), (const char *)NULL),
                     0);
    return status;
}

static int error_log_has(void *arg)
{
    const char **a = arg;
    char *path = kvt_strf("%s/logs/error_log", a[0]);
    FILE *f = fopen(path, "r");
    char line[4096];
    int found = 0;

    while (f && !found && fgets(line, sizeof(line), f)) {
        found = kvt_contains(line, a[1]);
    }
    if (f) {
        fclose(f);
    }
    free(path);
    return found;
}

/* -k graceful re-reads the config under the same parent pid. A broken edit is refused
 * both by -k restart (which reads the config first, as httpd) and by the server on HUP,
 * and the running configuration keeps serving. -k graceful-stop ends it. */
KVC_TEST(per_mpm, test_k_graceful_restart_and_graceful_stop)
{
    kvt_server_t *srv = serve(2, 1, 3);
    pid_t parent = kvt_server_pid(srv);
    const char *log_args[2] = {kvt_server_root(srv), "Syntax error on line"};
    char *err = NULL;

    wait_children(srv, 2, 3, "StartServers 2");
    ck_assert(!serves_new_type(srv));
    kvt_server_conf(srv, "AddType text/x-reloaded .txt");
    kvt_server_write_conf(srv);
    ck_assert_int_eq(run_k(srv, "graceful", &err), 0);
    ck_assert_msg(kvt_wait_for(serves_new_type, srv, 10000),
                  "AddType did not take effect after -k graceful");
    ck_assert_int_eq(kvt_pid_in_file(pid_file(srv)), parent);

    kvt_server_conf(srv, "NoSuchDirective 1");
    kvt_server_write_conf(srv);
    ck_assert_int_eq(run_k(srv, "restart", &err), 1);
    ck_assert_msg(kvt_contains(err, "Syntax error on line"), "-k restart said: %s", err);
    ck_assert_int_eq(kill(parent, SIGHUP), 0);
    ck_assert_msg(kvt_wait_for(error_log_has, log_args, 10000),
                  "the refused reload was not logged");
    ck_assert(kvt_pid_alive(parent));
    ck_assert_msg(kvt_wait_for(serves_new_type, srv, 10000),
                  "the previous configuration stopped serving after a broken reload");

    drop_last_line(kvt_server_conf_path(srv));
    ck_assert_int_eq(run_k(srv, "graceful-stop", &err), 0);
    ck_assert_msg(kvt_server_wait_exit(srv, 10000) != -1, "-k graceful-stop did not stop");
    ck_assert_msg(kvt_wait_for(kvt_group_gone, srv, 5000), "children outlived the parent");
    ck_assert_msg(access(pid_file(srv), F_OK) != 0, "PidFile left behind");
}
END_TEST

/* A reload whose config parses but cannot start (its ErrorLog cannot be opened) is
 * refused too, and the running generation keeps serving. */
KVC_TEST(per_mpm, test_reload_that_cannot_start_is_refused)
{
    kvt_server_t *srv = serve(1, 1, 2);
    pid_t parent = kvt_server_pid(srv);
    const char *log_args[2] = {kvt_server_root(srv), "NOT loaded"};

    kvt_server_conf(srv, "ErrorLog /nonexistent-kiva-dir/error_log");
    kvt_server_write_conf(srv);
    ck_assert_int_eq(kill(parent, SIGHUP), 0);
    ck_assert_msg(kvt_wait_for(error_log_has, log_args, 10000),
                  "the refused reload was not logged");
    ck_assert(kvt_pid_alive(parent));
    kvt_assert_serves(srv, "/f.txt", "f");
}
END_TEST

/* A child switched from root has exactly daemon's groups (resolved by the parent), root's
 * group 0 not among them. */
static void assert_groups_of_daemon(pid_t pid)
{
    char *path = kvt_strf("/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    struct group *daemon_group = getgrnam("daemon");
    char line[512], want[32];
    int found = 0;

    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(daemon_group);
    snprintf(want, sizeof(want), "%d", (int)daemon_group->gr_gid);
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "Groups:", 7) == 0) {
            found = 1;
            ck_assert_msg(strstr(line, want) != NULL, "child %d: %s", (int)pid, line);
            ck_assert_msg(strstr(line, "\t0 ") == NULL && strstr(line, " 0 ") == NULL,
                          "child %d keeps group 0: %s", (int)pid, line);
        }
    }
    fclose(f);
    free(path);
    ck_assert(found);
}

/* Every child of @a arg's server runs as @a arg's uid. A child just forked has not switched
 * yet (it does before it serves): a spare started while the test looks is waited for. */
struct identity {
    kvt_server_t *srv;
    uid_t want;
};

static int children_switched(void *arg)
{
    const struct identity *id = arg;
    pid_t pids[KVT_MAX_PIDS];
    int n = kvt_children(kvt_server_pid(id->srv), pids, KVT_MAX_PIDS);

    for (int i = 0; i < n; i++) {
        if (kvt_pid_uid(pids[i]) != id->want) {
            return 0;
        }
    }
    return n > 0;
}

KVC_TEST(per_mpm, test_children_switch_user)
{
    kvt_server_t *srv = serve(2, 1, 3);
    wait_children(srv, 2, 3, "StartServers 2");
    struct identity id = {srv, geteuid()};
    if (id.want == 0) {
        struct passwd *pw = getpwnam("daemon");
        ck_assert_msg(pw != NULL, "no user daemon on this machine");
        id.want = pw->pw_uid;
    }
    pid_t pids[KVT_MAX_PIDS];
    ck_assert_msg(kvt_wait_for(children_switched, &id, SPARE_DEADLINE_MS),
                  "a child still runs as another uid than %d", (int)id.want);
    int n = kvt_children(kvt_server_pid(srv), pids, KVT_MAX_PIDS);
    for (int i = 0; i < n && geteuid() == 0; i++) {
        assert_groups_of_daemon(pids[i]);
    }
    /* the parent keeps its identity: it must be able to bind, signal and reopen logs */
    ck_assert_int_eq(kvt_pid_uid(kvt_server_pid(srv)), geteuid());
}
END_TEST

static int file_exists(void *path)
{
    return access(path, F_OK) == 0;
}

/* Without -DFOREGROUND kiva detaches: the command returns at once with status 0 while the
 * server, in a session of its own, serves until -k stop. */
KVC_TEST(per_mpm, test_daemon_mode)
{
    kvt_server_t *srv = new_server(2, 1, 3);
    const char *conf = kvt_server_write_conf(srv);
    char *pidfile = pid_file(srv);
    int status;
    char *err = NULL;
    ck_assert_msg(kvt_run_kiva(&status, NULL, &err, "-f", conf, (const char *)NULL) == 0,
                  "kiva without -DFOREGROUND did not return");
    ck_assert_msg(status == 0, "kiva exited %d: %s", status, err);
    ck_assert_msg(kvt_wait_for(file_exists, pidfile, 5000), "no PidFile from the daemon");
    /* Read at once: the PidFile is renamed into place whole (never seen empty). */
    pid_t daemon = (pid_t)kvt_pid_in_file(pidfile);
    ck_assert_msg(daemon > 0 && kvt_pid_alive(daemon), "PidFile names no live process");
    kvt_server_adopt(srv, daemon);
    ck_assert_msg(getsid(daemon) == daemon, "the daemon did not start a session of its own");
    kvt_assert_serves(srv, "/f.txt", "f");
    ck_assert_int_eq(
        kvt_run_kiva(&status, NULL, &err, "-k", "stop", "-f", conf, (const char *)NULL), 0);
    ck_assert_msg(status == 0, "kiva -k stop exited %d: %s", status, err);
    ck_assert_msg(kvt_wait_for(kvt_group_gone, srv, 10000), "-k stop left the daemon running");
    ck_assert_msg(access(pidfile, F_OK) != 0, "PidFile left behind");
}
END_TEST

static int is_numbered_log_line(const char *line)
{
    regex_t re;
    ck_assert_int_eq(regcomp(&re,
                             "^\\[[^]]+\\] \\[[a-z_]+:[a-z0-9]+\\] \\[pid [0-9]+\\] .*KV[0-9]{5}: ",
                             REG_EXTENDED | REG_NOSUB),
                     0);
    int match = regexec(&re, line, 0, NULL, 0) == 0;
    regfree(&re);
    return match;
}

/* Every error-log line has its time, module:level, pid and a stable KVnnnnn number. */
KVC_TEST(per_mpm, test_error_log_lines_numbered)
{
    kvt_server_t *srv = serve(1, 1, 1);
    kvt_response_t r;
    kvt_get(kvt_server_port(srv), "/missing.txt", &r);
    ck_assert_int_eq(r.status, 404);
    kill(kvt_server_pid(srv), SIGTERM);
    ck_assert_msg(kvt_server_wait_exit(srv, 10000) != -1, "still running after SIGTERM");
    char *path = kvt_strf("%s/logs/error_log", kvt_server_root(srv));
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "no error_log");
    char line[4096];
    int lines = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        lines++;
        ck_assert_msg(is_numbered_log_line(line), "error_log line %d: %s", lines, line);
    }
    fclose(f);
    ck_assert_msg(lines >= 2, "LogLevel info wrote %d lines for a start, a 404 and a stop", lines);
}
END_TEST

int main(void)
{
    /* Under every MPM with spare bounds: under the others the servers here would configure
     * worker's ThreadsPerChild and spare threads, which fork, single and thread do not know. */
    return kvt_run_mpms("processes", KVT_MPM_IDLE_CHILDREN);
}
