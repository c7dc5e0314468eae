/* Integration test harness: see harness.h. Test-only code, so plain libc and POSIX. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* vasprintf, strcasestr */
#endif
#include "harness.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef KV_TEST_BUILDDIR
#error "KV_TEST_BUILDDIR must name the build tree"
#endif
#ifndef KV_TEST_SRCDIR
#error "KV_TEST_SRCDIR must name the source tree"
#endif

#define KIVA_BINARY KV_TEST_BUILDDIR "/kiva"
#define MODULES_DIR KV_TEST_BUILDDIR "/modules/.libs"

#define MAX_LINES 256
#define MAX_ARGS 32
#define MAX_SERVERS 32
#define START_TIMEOUT_MS 10000
#define STOP_TIMEOUT_MS 10000
#define RUN_TIMEOUT_MS 10000
#define POLL_MS 20
#define IO_TIMEOUT_S 5
#define RESPONSE_TIMEOUT_MS 10000
#define MAX_HEAD_BYTES 65536
#define MAX_BODY_BYTES (16 * 1024 * 1024)

struct kvt_server {
    char root[64]; /* /tmp/kvt-XXXXXX */
    char docroot[PATH_MAX];
    char conf[PATH_MAX];
    char mpm[32];
    int port;
    char *base[MAX_LINES];
    int nbase;
    char *extra[MAX_LINES];
    int nextra;
    const char *args[MAX_ARGS];
    int nargs;
    pid_t pid;      /* the kiva parent, also its process group id */
    int reaped;     /* pid has been waited for */
    pid_t watcher;  /* cleans up if this test process dies first */
    int watcher_fd; /* write end of the watcher's pipe */
    int stopped;
};

static kvt_server_t *servers[MAX_SERVERS];
static int nservers;

/* ---- small utilities ---- */

long kvt_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

int kvt_contains(const char *haystack, const char *needle)
{
    return haystack != NULL && strstr(haystack, needle) != NULL;
}

int kvt_contains_nocase(const char *haystack, const char *needle)
{
    return haystack != NULL && strcasestr(haystack, needle) != NULL;
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    ck_assert_msg(d != NULL, "out of memory");
    return d;
}

static char *vformat(const char *fmt, va_list ap)
{
    char *s = NULL;
    ck_assert_msg(vasprintf(&s, fmt, ap) >= 0, "out of memory");
    return s;
}

char *kvt_strf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vformat(fmt, ap);
    va_end(ap);
    return s;
}

/* The whole file, NUL-terminated, or NULL if it cannot be read. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0) {
            break;
        }
        if (cap - len - 1 == 0) {
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf != NULL) {
        buf[len] = '\0';
    }
    return buf;
}

static void make_parents(const char *path)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
                ck_abort_msg("mkdir %s: %s", tmp, strerror(errno));
            }
            chmod(tmp, 0755);
            *p = '/';
        }
    }
}

static void write_path(const char *path, const char *content, size_t len)
{
    make_parents(path);
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot write %s: %s", path, strerror(errno));
    ck_assert_msg(fwrite(content, 1, len, f) == len, "short write to %s", path);
    ck_assert_int_eq(fclose(f), 0);
    chmod(path, 0644);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void remove_tree(const char *path)
{
    if (path[0] != '\0') {
        nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
}

/* ---- /proc ---- */

/* Fields of /proc/<pid>/stat: state, ppid and pgrp. 0, or -1 if the pid is gone. */
static int read_stat(pid_t pid, char *state, pid_t *ppid, pid_t *pgrp)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return -1;
    }
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* comm may hold spaces and parentheses: the fields start after the last ')'. */
    char *close = strrchr(buf, ')');
    int pp = 0, pg = 0;
    if (close == NULL || sscanf(close + 1, " %c %d %d", state, &pp, &pg) != 3) {
        return -1;
    }
    *ppid = pp;
    *pgrp = pg;
    return 0;
}

int kvt_pid_alive(pid_t pid)
{
    char state;
    pid_t ppid, pgrp;
    return read_stat(pid, &state, &ppid, &pgrp) == 0 && state != 'Z' && state != 'X';
}

int kvt_pid_stopped(pid_t pid)
{
    char state;
    pid_t ppid, pgrp;
    return read_stat(pid, &state, &ppid, &pgrp) == 0 && state == 'T';
}

static int is_stopped(void *arg)
{
    return kvt_pid_stopped(*(pid_t *)arg);
}

void kvt_stop_process(pid_t pid)
{
    ck_assert_int_eq(kill(pid, SIGSTOP), 0);
    ck_assert_msg(kvt_wait_for(is_stopped, &pid, 5000), "process %d did not stop", (int)pid);
}

/* Calls fn for every live process in /proc with its ppid and pgrp. */
static void each_process(void (*fn)(pid_t pid, pid_t ppid, pid_t pgrp, void *arg), void *arg)
{
    DIR *d = opendir("/proc");
    if (d == NULL) {
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!isdigit((unsigned char)e->d_name[0])) {
            continue;
        }
        pid_t pid = (pid_t)atoi(e->d_name);
        char state;
        pid_t ppid, pgrp;
        if (read_stat(pid, &state, &ppid, &pgrp) == 0 && state != 'Z' && state != 'X') {
            fn(pid, ppid, pgrp, arg);
        }
    }
    closedir(d);
}

struct pid_list {
    pid_t parent; /* match on ppid, or ... */
    pid_t group;  /* ... on pgrp */
    pid_t *out;
    int max;
    int count;
};

static void collect(pid_t pid, pid_t ppid, pid_t pgrp, void *arg)
{
    struct pid_list *l = arg;
    int match = (l->parent != 0 && ppid == l->parent) || (l->group != 0 && pgrp == l->group);
    if (match) {
        if (l->count < l->max) {
            l->out[l->count] = pid;
        }
        l->count++;
    }
}

int kvt_children(pid_t pid, pid_t *out, int max)
{
    struct pid_list l = {.parent = pid, .out = out, .max = max};
    each_process(collect, &l);
    return l.count < max ? l.count : max;
}

static int group_alive(pid_t pgid)
{
    struct pid_list l = {.group = pgid, .out = NULL, .max = 0};
    each_process(collect, &l);
    return l.count > 0;
}

/* A "Name:\tvalue" line of /proc/<pid>/status as a number, or -1. */
static long status_field(pid_t pid, const char *name)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return -1;
    }
    long value = -1;
    size_t nlen = strlen(name);
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, name, nlen) == 0 && line[nlen] == ':') {
            value = strtol(line + nlen + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return value;
}

int kvt_threads(pid_t pid)
{
    return (int)status_field(pid, "Threads");
}

uid_t kvt_pid_uid(pid_t pid)
{
    long uid = status_field(pid, "Uid");
    return uid < 0 ? (uid_t)-1 : (uid_t)uid;
}

int kvt_wait_for(int (*cond)(void *arg), void *arg, int timeout_ms)
{
    long deadline = kvt_now_ms() + timeout_ms;
    int result;
    while (!(result = cond(arg)) && kvt_now_ms() < deadline) {
        sleep_ms(POLL_MS);
    }
    return result;
}

/* Inode of the IPv4 TCP socket with these local and remote loopback ports in the given
 * /proc/net/tcp state (hex, "0A" = LISTEN, "01" = ESTABLISHED; NULL for any), or 0. */
static unsigned long tcp_inode(int local_port, int remote_port, const char *state)
{
    FILE *f = fopen("/proc/net/tcp", "r");
    if (f == NULL) {
        return 0;
    }
    char line[512];
    unsigned long found = 0;
    while (found == 0 && fgets(line, sizeof(line), f) != NULL) {
        unsigned lport, rport;
        char st[8];
        unsigned long inode;
        if (sscanf(line, " %*d: %*8s:%x %*8s:%x %7s %*s %*s %*s %*s %*s %lu", &lport, &rport, st,
                   &inode) != 4) {
            continue;
        }
        if ((int)lport == local_port && (remote_port < 0 || (int)rport == remote_port) &&
            (state == NULL || strcmp(st, state) == 0)) {
            found = inode;
        }
    }
    fclose(f);
    return found;
}

static int holds_socket(pid_t pid, unsigned long inode)
{
    char dir[64], target[64], want[64];
    snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
    snprintf(want, sizeof(want), "socket:[%lu]", inode);
    DIR *d = opendir(dir);
    if (d == NULL) {
        return 0;
    }
    int held = 0;
    struct dirent *e;
    while (!held && (e = readdir(d)) != NULL) {
        char link[384];
        snprintf(link, sizeof(link), "%s/%s", dir, e->d_name);
        ssize_t n = readlink(link, target, sizeof(target) - 1);
        if (n > 0) {
            target[n] = '\0';
            held = strcmp(target, want) == 0;
        }
    }
    closedir(d);
    return held;
}

static int local_port_of(int fd)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    if (getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        return -1;
    }
    return ntohs(sa.sin_port);
}

long kvt_server_send_queue(kvt_server_t *srv, int client_fd)
{
    FILE *f = fopen("/proc/net/tcp", "r");
    if (f == NULL) {
        return -1;
    }
    int client_port = local_port_of(client_fd);
    char line[512];
    long queue = -1;
    while (queue < 0 && fgets(line, sizeof(line), f) != NULL) {
        unsigned lport, rport, st;
        unsigned long tx;
        if (sscanf(line, " %*d: %*8s:%x %*8s:%x %x %lx:%*x", &lport, &rport, &st, &tx) == 4 &&
            (int)lport == srv->port && (int)rport == client_port && st == 0x01) {
            queue = (long)tx;
        }
    }
    fclose(f);
    return queue;
}

pid_t kvt_serving_pid(kvt_server_t *srv, int client_fd)
{
    unsigned long inode = tcp_inode(srv->port, local_port_of(client_fd), "01");
    if (inode == 0) {
        return 0;
    }
    pid_t pids[KVT_MAX_PIDS];
    int n = kvt_children(srv->pid, pids, KVT_MAX_PIDS);
    for (int i = 0; i < n; i++) {
        if (holds_socket(pids[i], inode)) {
            return pids[i];
        }
    }
    return holds_socket(srv->pid, inode) ? srv->pid : 0;
}

unsigned long kvt_listener_inode(int port)
{
    return tcp_inode(port, -1, "0A");
}

struct holders {
    pid_t group;
    unsigned long inode;
    int count;
};

static void count_holder(pid_t pid, pid_t ppid, pid_t pgrp, void *arg)
{
    struct holders *h = arg;

    (void)ppid;
    if (pgrp == h->group && holds_socket(pid, h->inode)) {
        h->count++;
    }
}

int kvt_server_socket_holders(kvt_server_t *srv, unsigned long inode)
{
    struct holders h = {srv->pid, inode, 0};

    each_process(count_holder, &h);
    return h.count;
}

int kvt_server_holds_conn(kvt_server_t *srv, int client_fd)
{
    return tcp_inode(srv->port, local_port_of(client_fd), NULL) != 0;
}

struct serving_cond {
    kvt_server_t *srv;
    int fd;
    pid_t pid;
};

static int is_serving(void *arg)
{
    const struct serving_cond *c = arg;
    return kvt_serving_pid(c->srv, c->fd) == c->pid;
}

int kvt_wait_serving_pid(kvt_server_t *srv, int client_fd, pid_t pid, int timeout_ms)
{
    struct serving_cond c = {srv, client_fd, pid};
    return kvt_wait_for(is_serving, &c, timeout_ms);
}

/* ---- running programs ---- */

/* In a forked child: close every descriptor from @a first on except @a keep. The child
 * must not call Check either: Check's message file is shared with the test process, and
 * Check reads it once the test process has exited, while a child may still write. */
static void close_from(int first, int keep)
{
    for (int fd = first; fd < 1024; fd++) {
        if (fd != keep) {
            close(fd);
        }
    }
}

static void child_stdio(const char *out_path, const char *err_path)
{
    int in = open("/dev/null", O_RDONLY);
    int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0) {
        _exit(126);
    }
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
}

/* Fork and exec argv in a new process group with stdio to the given files. */
static pid_t spawn(const char *const argv[], const char *out_path, const char *err_path)
{
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        child_stdio(out_path, err_path);
        close_from(3, -1); /* not the test's sockets, nor Check's message file */
        signal(SIGPIPE, SIG_DFL);
        execvp(argv[0], (char *const *)argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    ck_assert_msg(pid > 0, "fork: %s", strerror(errno));
    setpgid(pid, pid); /* also here, so there is no window in which it has our group */
    return pid;
}

static int decode_status(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Wait up to timeout_ms for our child pid; its wait status, or -1. */
static int wait_child(pid_t pid, int timeout_ms)
{
    long deadline = kvt_now_ms() + timeout_ms;
    int status;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            return status;
        }
        if (r < 0 && errno != EINTR) {
            return -1;
        }
        if (kvt_now_ms() >= deadline) {
            return -1;
        }
        sleep_ms(5);
    }
}

/* TERM the group, wait for it to go, then KILL what is left. Used where the parent of the
 * group may not be our child any more (the watcher), so liveness comes from /proc. */
static void kill_group(pid_t pgid, int timeout_ms)
{
    if (pgid <= 0) {
        return;
    }
    kill(-pgid, SIGTERM);
    long deadline = kvt_now_ms() + timeout_ms;
    while (group_alive(pgid) && kvt_now_ms() < deadline) {
        sleep_ms(POLL_MS);
    }
    if (group_alive(pgid)) {
        kill(-pgid, SIGKILL);
    }
}

static char *temp_path(const char *tag)
{
    char *p = kvt_strf("/tmp/kvt-%s-XXXXXX", tag);
    int fd = mkstemp(p);
    ck_assert_msg(fd >= 0, "mkstemp: %s", strerror(errno));
    close(fd);
    return p;
}

int kvt_run(const char *const argv[], int timeout_ms, int *exit_status, char **out, char **err)
{
    char *out_path = temp_path("out");
    char *err_path = temp_path("err");
    pid_t pid = spawn(argv, out_path, err_path);
    int status = wait_child(pid, timeout_ms);
    int rv = 0;
    if (status == -1) {
        kill_group(pid, 2000);
        kill(-pid, SIGKILL);
        waitpid(pid, &status, 0);
        rv = -1;
    }
    if (exit_status != NULL) {
        *exit_status = decode_status(status);
    }
    if (out != NULL) {
        *out = slurp(out_path);
    }
    if (err != NULL) {
        *err = slurp(err_path);
    }
    unlink(out_path);
    unlink(err_path);
    free(out_path);
    free(err_path);
    return rv;
}

int kvt_run_kiva(int *exit_status, char **out, char **err, const char *arg, ...)
{
    const char *argv[MAX_ARGS + 2];
    int n = 0;
    argv[n++] = KIVA_BINARY;
    va_list ap;
    va_start(ap, arg);
    for (const char *a = arg; a != NULL && n < MAX_ARGS; a = va_arg(ap, const char *)) {
        argv[n++] = a;
    }
    va_end(ap);
    argv[n] = NULL;
    return kvt_run(argv, RUN_TIMEOUT_MS, exit_status, out, err);
}

/* ---- the server ---- */

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_msg(fd >= 0, "socket: %s", strerror(errno));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(sa);
    ck_assert_msg(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "bind: %s", strerror(errno));
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    close(fd);
    return ntohs(sa.sin_port);
}

static void base_line(kvt_server_t *srv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void base_line(kvt_server_t *srv, const char *fmt, ...)
{
    ck_assert_msg(srv->nbase < MAX_LINES, "too many base lines");
    va_list ap;
    va_start(ap, fmt);
    srv->base[srv->nbase++] = vformat(fmt, ap);
    va_end(ap);
}

/* KVT_TRANSPORT=trickle: every connection through the test-only transport layer
 * (transport_trickle.sh), which hands reads back a byte at a time. */
static int trickling(void)
{
    const char *transport = getenv("KVT_TRANSPORT");
    return transport && strcmp(transport, "trickle") == 0;
}

/* How long a response may take: a trickled one of a large body, longer (under the
 * sanitizers, a 256 KiB request body fed to a CGI script byte by byte takes over 10 s). */
static long response_timeout_ms(void)
{
    return trickling() ? 4 * RESPONSE_TIMEOUT_MS : RESPONSE_TIMEOUT_MS;
}

static void base_config(kvt_server_t *srv)
{
    base_line(srv, "# written by tests/integration/harness.c");
    base_line(srv, "ServerRoot \"%s\"", srv->root);
    base_line(srv, "LoadModule mpm_%s_module %s/mod_mpm_%s.so", srv->mpm, MODULES_DIR, srv->mpm);
    base_line(srv, "LoadModule mime_module %s/mod_mime.so", MODULES_DIR);
    base_line(srv, "LoadModule dir_module %s/mod_dir.so", MODULES_DIR);
    if (trickling()) {
        base_line(srv, "LoadModule test_trickle_module %s/tests/modules/.libs/mod_test_trickle.so",
                  KV_TEST_BUILDDIR);
    }
    base_line(srv, "Listen 127.0.0.1:%d", srv->port);
    base_line(srv, "ServerName localhost");
    base_line(srv, "PidFile logs/kiva.pid");
    base_line(srv, "ErrorLog logs/error_log");
    base_line(srv, "LogLevel info");
    if (geteuid() == 0) {
        /* Started as root, children must switch: to a user that can read world-readable
         * files only, so a mode-000 file really is unreadable to them. */
        base_line(srv, "User daemon");
        base_line(srv, "Group daemon");
    }
    base_line(srv, "DocumentRoot \"%s\"", srv->docroot);
    base_line(srv, "TypesConfig %s/conf/mime.types", KV_TEST_SRCDIR);
    base_line(srv, "DirectoryIndex index.html");
    /* Spare servers are prefork's: another MPM would not know the directives. */
    base_line(srv, "<IfModule mpm_prefork_module>");
    base_line(srv, "    StartServers 2");
    base_line(srv, "    MinSpareServers 1");
    base_line(srv, "    MaxSpareServers 3");
    base_line(srv, "</IfModule>");
}

/* Messages to the watcher: 'P' and the server's pid once it runs; 'D' when the test has
 * cleaned up itself. End of file without 'D' means the test process died. */
static void watch(int fd, const char *root)
{
    pid_t pgid = 0;
    for (;;) {
        char msg[1 + sizeof(pid_t)];
        ssize_t n;
        do {
            n = read(fd, msg, sizeof(msg));
        } while (n < 0 && errno == EINTR);
        if (n >= 1 && msg[0] == 'D') {
            _exit(0);
        }
        if (n != (ssize_t)sizeof(msg) || msg[0] != 'P') {
            break;
        }
        memcpy(&pgid, msg + 1, sizeof(pgid));
    }
    kill_group(pgid, STOP_TIMEOUT_MS);
    remove_tree(root);
    _exit(0);
}

/* A process that outlives a test which died without its teardown (a failed assertion
 * exits at once; a timeout kills it) and then stops the server and removes its files.
 * It sits in its own process group so that Check's kill of the test's group misses it. */
static void start_watcher(kvt_server_t *srv)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        close_from(3, fds[0]);
        watch(fds[0], srv->root);
    }
    ck_assert_msg(pid > 0, "fork: %s", strerror(errno));
    setpgid(pid, pid); /* before the test can die: Check then kills the test's group */
    close(fds[0]);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    srv->watcher = pid;
    srv->watcher_fd = fds[1];
}

/* Tell the watcher which process group to stop; one write below PIPE_BUF is atomic. */
static void watcher_send(kvt_server_t *srv, char tag)
{
    char msg[1 + sizeof(pid_t)];
    msg[0] = tag;
    memcpy(msg + 1, &srv->pid, sizeof(srv->pid));
    ssize_t n = write(srv->watcher_fd, msg, tag == 'P' ? sizeof(msg) : 1);
    (void)n;
}

const char *kvt_mpm(void)
{
    const char *mpm = getenv("KVT_MPM");
    return mpm && *mpm ? mpm : "prefork";
}

kvt_server_t *kvt_server_new(const char *mpm)
{
    ck_assert_msg(nservers < MAX_SERVERS, "too many servers in one test");
    kvt_server_t *srv = calloc(1, sizeof(*srv));
    ck_assert_msg(srv != NULL, "out of memory");
    snprintf(srv->mpm, sizeof(srv->mpm), "%s", mpm);
    snprintf(srv->root, sizeof(srv->root), "/tmp/kvt-XXXXXX");
    ck_assert_msg(mkdtemp(srv->root) != NULL, "mkdtemp: %s", strerror(errno));
    /* Children that switched to User daemon must still reach the docroot. */
    chmod(srv->root, 0755);
    snprintf(srv->docroot, sizeof(srv->docroot), "%s/htdocs", srv->root);
    snprintf(srv->conf, sizeof(srv->conf), "%s/kiva.conf", srv->root);
    char logs[PATH_MAX + 8];
    snprintf(logs, sizeof(logs), "%s/logs", srv->root);
    ck_assert_int_eq(mkdir(srv->docroot, 0755), 0);
    ck_assert_int_eq(mkdir(logs, 0755), 0);
    chmod(srv->docroot, 0755);
    chmod(logs, 0755);
    srv->port = free_port();
    start_watcher(srv);
    base_config(srv);
    servers[nservers++] = srv;
    return srv;
}

void kvt_server_conf(kvt_server_t *srv, const char *fmt, ...)
{
    ck_assert_msg(srv->nextra < MAX_LINES, "too many config lines");
    va_list ap;
    va_start(ap, fmt);
    srv->extra[srv->nextra++] = vformat(fmt, ap);
    va_end(ap);
}

static int starts_with_word(const char *line, const char *prefix)
{
    while (*line == ' ' || *line == '\t') {
        line++;
    }
    return strncmp(line, prefix, strlen(prefix)) == 0;
}

void kvt_server_drop_base(kvt_server_t *srv, const char *prefix)
{
    int kept = 0;
    for (int i = 0; i < srv->nbase; i++) {
        if (starts_with_word(srv->base[i], prefix)) {
            free(srv->base[i]);
        } else {
            srv->base[kept++] = srv->base[i];
        }
    }
    srv->nbase = kept;
}

/* Replace the base line that starts with prefix; it must exist. */
static void replace_base(kvt_server_t *srv, const char *prefix, char *line)
{
    for (int i = 0; i < srv->nbase; i++) {
        if (starts_with_word(srv->base[i], prefix)) {
            free(srv->base[i]);
            srv->base[i] = line;
            return;
        }
    }
    ck_abort_msg("no base line %s", prefix);
}

void kvt_server_processes(kvt_server_t *srv, int start, int min_spare, int max_spare)
{
    replace_base(srv, "StartServers", kvt_strf("    StartServers %d", start));
    replace_base(srv, "MinSpareServers", kvt_strf("    MinSpareServers %d", min_spare));
    replace_base(srv, "MaxSpareServers", kvt_strf("    MaxSpareServers %d", max_spare));
}

void kvt_server_arg(kvt_server_t *srv, const char *arg)
{
    ck_assert_msg(srv->nargs < MAX_ARGS - 8, "too many arguments");
    srv->args[srv->nargs++] = arg;
}

const char *kvt_server_write_conf(kvt_server_t *srv)
{
    FILE *f = fopen(srv->conf, "w");
    ck_assert_msg(f != NULL, "cannot write %s: %s", srv->conf, strerror(errno));
    for (int i = 0; i < srv->nbase; i++) {
        fprintf(f, "%s\n", srv->base[i]);
    }
    for (int i = 0; i < srv->nextra; i++) {
        fprintf(f, "%s\n", srv->extra[i]);
    }
    ck_assert_int_eq(fclose(f), 0);
    chmod(srv->conf, 0644);
    return srv->conf;
}

unsigned kvt_conf_line_of(kvt_server_t *srv, const char *needle)
{
    FILE *f = fopen(srv->conf, "r");
    ck_assert_msg(f != NULL, "config %s not written yet", srv->conf);
    char line[4096];
    unsigned n = 0, found = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        n++;
        if (strstr(line, needle) != NULL) {
            found = n;
        }
    }
    fclose(f);
    ck_assert_msg(found != 0, "no line with \"%s\" in %s", needle, srv->conf);
    return found;
}

void kvt_write_file(kvt_server_t *srv, const char *relpath, const char *content, size_t len)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof(path), "%s/%s", srv->docroot, relpath);
    write_path(path, content, len);
}

const char *kvt_write_root_file(kvt_server_t *srv, const char *relpath, const char *content)
{
    char *path = kvt_strf("%s/%s", srv->root, relpath);
    write_path(path, content, strlen(content));
    return path;
}

char *kvt_server_diagnostics(kvt_server_t *srv)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/stderr", srv->root);
    char *err = slurp(path);
    snprintf(path, sizeof(path), "%s/logs/error_log", srv->root);
    char *log = slurp(path);
    /* Check truncates long messages: keep the tail, where the reason usually is. */
    const char *e = err ? err : "(none)", *l = log ? log : "(none)";
    if (strlen(e) > 1500) {
        e += strlen(e) - 1500;
    }
    if (strlen(l) > 1500) {
        l += strlen(l) - 1500;
    }
    char *d = kvt_strf("stderr: %s\nerror_log: %s", e, l);
    free(err);
    free(log);
    return d;
}

char *kvt_server_error_log(kvt_server_t *srv)
{
    char *path = kvt_strf("%s/logs/error_log", srv->root);
    char *log = slurp(path);

    free(path);
    return log ? log : kvt_strf("%s", "");
}

struct log_wait {
    kvt_server_t *srv;
    const char *needle;
};

static int log_has(void *arg)
{
    const struct log_wait *w = arg;
    char *log = kvt_server_error_log(w->srv);
    int yes = kvt_contains(log, w->needle);

    free(log);
    return yes;
}

char *kvt_server_wait_log(kvt_server_t *srv, const char *needle, int timeout_ms)
{
    struct log_wait w = {srv, needle};

    kvt_wait_for(log_has, &w, timeout_ms);
    return kvt_server_error_log(srv);
}

static int port_listens(void *arg)
{
    return tcp_inode(*(int *)arg, -1, "0A") != 0;
}

void kvt_server_start(kvt_server_t *srv)
{
    ck_assert_msg(srv->pid == 0, "server already started");
    kvt_server_write_conf(srv);
    const char *argv[MAX_ARGS + 8];
    int n = 0;
    argv[n++] = KIVA_BINARY;
    argv[n++] = "-f";
    argv[n++] = srv->conf;
    argv[n++] = "-DFOREGROUND";
    for (int i = 0; i < srv->nargs; i++) {
        argv[n++] = srv->args[i];
    }
    argv[n] = NULL;
    char out_path[PATH_MAX + 16], err_path[PATH_MAX + 16];
    snprintf(out_path, sizeof(out_path), "%s/stdout", srv->root);
    snprintf(err_path, sizeof(err_path), "%s/stderr", srv->root);
    srv->pid = spawn(argv, out_path, err_path);
    watcher_send(srv, 'P');
    /* Readiness is the LISTEN socket in /proc/net/tcp, not a probe connection: a probe
     * would count against MaxConnectionsPerChild and show up in the children's work. */
    long deadline = kvt_now_ms() + START_TIMEOUT_MS;
    while (!port_listens(&srv->port)) {
        int status;
        if (waitpid(srv->pid, &status, WNOHANG) == srv->pid) {
            srv->reaped = 1;
            ck_abort_msg("kiva exited with status %d before listening on port %d\n%s",
                         decode_status(status), srv->port, kvt_server_diagnostics(srv));
        }
        if (kvt_now_ms() >= deadline) {
            ck_abort_msg("kiva did not listen on port %d within %d ms\n%s", srv->port,
                         START_TIMEOUT_MS, kvt_server_diagnostics(srv));
        }
        sleep_ms(POLL_MS);
    }
}

int kvt_server_wait_exit(kvt_server_t *srv, int timeout_ms)
{
    if (srv->pid == 0 || srv->reaped) {
        return -1;
    }
    int status = wait_child(srv->pid, timeout_ms);
    if (status != -1) {
        srv->reaped = 1;
    }
    return status;
}

void kvt_server_adopt(kvt_server_t *srv, pid_t pid)
{
    ck_assert_msg(srv->pid == 0, "server already started");
    srv->pid = pid;
    srv->reaped = 1; /* not our child: never waited for */
    watcher_send(srv, 'P');
}

int kvt_server_group_alive(kvt_server_t *srv)
{
    return srv->pid != 0 && group_alive(srv->pid);
}

void kvt_server_stop(kvt_server_t *srv)
{
    if (srv->stopped) {
        return;
    }
    srv->stopped = 1;
    if (srv->pid != 0) {
        if (!srv->reaped) {
            kill(srv->pid, SIGTERM);
            if (kvt_server_wait_exit(srv, STOP_TIMEOUT_MS) == -1) {
                kill(-srv->pid, SIGKILL);
                waitpid(srv->pid, NULL, 0);
                srv->reaped = 1;
            }
        }
        /* Children the parent left behind are still in its group; an adopted daemon
         * leads a group of its own. */
        kill_group(srv->pid, STOP_TIMEOUT_MS);
    }
    remove_tree(srv->root);
    watcher_send(srv, 'D');
    close(srv->watcher_fd);
    waitpid(srv->watcher, NULL, 0);
}

void kvt_teardown(void)
{
    for (int i = 0; i < nservers; i++) {
        kvt_server_stop(servers[i]);
    }
    nservers = 0;
}

static int selected(const TTest *test)
{
    const char *only = getenv("KVT_TEST");
    return only == NULL || *only == '\0' || strcmp(only, test->name) == 0;
}

void kvt_add_test(TCase *tc, const TTest *test)
{
    if (selected(test)) {
        tcase_add_test(tc, test);
    }
}

void kvt_add_loop_test(TCase *tc, const TTest *test, int n)
{
    if (selected(test)) {
        tcase_add_loop_test(tc, test, 0, n);
    }
}

int kvt_run_suite(Suite *suite)
{
    SRunner *sr = srunner_create(suite);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}

TCase *kvt_tcase(const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, NULL, kvt_teardown);
    return tc;
}

int kvt_server_port(const kvt_server_t *srv)
{
    return srv->port;
}

pid_t kvt_server_pid(const kvt_server_t *srv)
{
    return srv->pid;
}

const char *kvt_server_root(const kvt_server_t *srv)
{
    return srv->root;
}

const char *kvt_server_docroot(const kvt_server_t *srv)
{
    return srv->docroot;
}

const char *kvt_server_conf_path(const kvt_server_t *srv)
{
    return srv->conf;
}

/* ---- raw HTTP ---- */

int kvt_connect(int port)
{
    return kvt_connect_rcvbuf(port, 0);
}

int kvt_try_connect(int port, int rcvbuf)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), saved;
    if (fd < 0) {
        return -1;
    }
    /* Before connect: the window offered in the handshake follows the buffer. */
    if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) != 0) {
        saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    struct timeval tv = {IO_TIMEOUT_S, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int kvt_connect_rcvbuf(int port, int rcvbuf)
{
    int fd = kvt_try_connect(port, rcvbuf);
    ck_assert_msg(fd >= 0, "connect to %d: %s", port, strerror(errno));
    return fd;
}

int kvt_send_raw(int fd, const char *bytes, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t n = send(fd, bytes + off, len - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        off += (size_t)n;
    }
    return 0;
}

void kvt_send(int fd, const char *bytes)
{
    ck_assert_msg(kvt_send_raw(fd, bytes, strlen(bytes)) == 0, "send: %s", strerror(errno));
}

/* One byte from fd before the deadline: 1, 0 at EOF, -1 on error or timeout. */
static int read_byte(int fd, char *c, long deadline)
{
    while (kvt_now_ms() < deadline) {
        ssize_t n = recv(fd, c, 1, 0);
        if (n == 1) {
            return 1;
        }
        if (n == 0) {
            return 0;
        }
        if (errno != EINTR) {
            return -1;
        }
    }
    return -1;
}

/* A line ending in LF (CR LF or LF) into buf without the ending; its length, or -1.
 * Reads byte by byte so that nothing of a pipelined next response is consumed. */
static long read_line(int fd, char *buf, size_t cap, long deadline)
{
    size_t len = 0;
    for (;;) {
        char c;
        if (read_byte(fd, &c, deadline) != 1) {
            return -1;
        }
        if (c == '\n') {
            break;
        }
        if (len + 1 >= cap) {
            return -1;
        }
        buf[len++] = c;
    }
    if (len > 0 && buf[len - 1] == '\r') {
        len--;
    }
    buf[len] = '\0';
    return (long)len;
}

static int read_exact(int fd, char *buf, size_t len, long deadline)
{
    size_t off = 0;
    while (off < len) {
        if (kvt_now_ms() >= deadline) {
            return -1;
        }
        ssize_t n = recv(fd, buf + off, len - off, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        off += (size_t)n;
    }
    return 0;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
        s[--n] = '\0';
    }
    return s;
}

static int parse_status_line(char *line, kvt_response_t *resp)
{
    char *sp = strchr(line, ' ');
    if (sp == NULL || (size_t)(sp - line) >= sizeof(resp->version) ||
        strncmp(line, "HTTP/", 5) != 0) {
        return -1;
    }
    memcpy(resp->version, line, (size_t)(sp - line));
    resp->version[sp - line] = '\0';
    char *end;
    long status = strtol(sp + 1, &end, 10);
    if (end != sp + 4 || status < 100 || status > 999) {
        return -1;
    }
    resp->status = (int)status;
    resp->reason = xstrdup(*end == ' ' ? end + 1 : end);
    return 0;
}

static int read_fields(int fd, kvt_response_t *resp, long deadline)
{
    char line[MAX_HEAD_BYTES];
    for (int i = 0; i < 1000; i++) {
        long len = read_line(fd, line, sizeof(line), deadline);
        if (len < 0) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        char *colon = strchr(line, ':');
        if (colon == NULL || resp->nheaders >= KVT_MAX_HEADERS) {
            return -1;
        }
        *colon = '\0';
        resp->headers[resp->nheaders].name = xstrdup(line);
        resp->headers[resp->nheaders].value = xstrdup(trim(colon + 1));
        resp->nheaders++;
    }
    return -1;
}

/* Append len bytes to the response body. */
static int body_append(kvt_response_t *resp, const char *bytes, size_t len)
{
    if (resp->body_len + len > MAX_BODY_BYTES) {
        return -1;
    }
    char *b = realloc(resp->body, resp->body_len + len + 1);
    if (b == NULL) {
        return -1;
    }
    memcpy(b + resp->body_len, bytes, len);
    resp->body = b;
    resp->body_len += len;
    resp->body[resp->body_len] = '\0';
    return 0;
}

static int read_sized_body(int fd, kvt_response_t *resp, size_t len, long deadline)
{
    if (len > MAX_BODY_BYTES) {
        return -1;
    }
    char *buf = malloc(len + 1);
    if (buf == NULL || read_exact(fd, buf, len, deadline) != 0) {
        free(buf);
        return -1;
    }
    int rv = body_append(resp, buf, len);
    free(buf);
    return rv;
}

static int read_chunked_body(int fd, kvt_response_t *resp, long deadline)
{
    char line[1024];
    resp->chunked = 1;
    for (int i = 0; i < 100000; i++) {
        if (read_line(fd, line, sizeof(line), deadline) < 0) {
            return -1;
        }
        char *end;
        unsigned long size = strtoul(line, &end, 16);
        if (end == line) {
            return -1;
        }
        if (size == 0) {
            /* trailer fields up to the empty line */
            for (int t = 0; t < 100; t++) {
                long n = read_line(fd, line, sizeof(line), deadline);
                if (n <= 0) {
                    return (int)n;
                }
            }
            return -1;
        }
        if (read_sized_body(fd, resp, size, deadline) != 0 ||
            read_line(fd, line, sizeof(line), deadline) != 0) {
            return -1;
        }
    }
    return -1;
}

static int read_body_until_close(int fd, kvt_response_t *resp, long deadline)
{
    char buf[8192];
    resp->until_close = 1;
    while (kvt_now_ms() < deadline) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n == 0) {
            return 0;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 || body_append(resp, buf, (size_t)n) != 0) {
            return -1;
        }
    }
    return -1;
}

static int has_no_body(const kvt_response_t *resp, int head_request)
{
    return head_request || resp->status / 100 == 1 || resp->status == 204 || resp->status == 304;
}

int kvt_read_response(int fd, kvt_response_t *resp, int head_request)
{
    memset(resp, 0, sizeof(*resp));
    long deadline = kvt_now_ms() + response_timeout_ms();
    char line[MAX_HEAD_BYTES];
    if (read_line(fd, line, sizeof(line), deadline) < 0 || parse_status_line(line, resp) != 0 ||
        read_fields(fd, resp, deadline) != 0) {
        return -1;
    }
    resp->body = xstrdup("");
    if (has_no_body(resp, head_request)) {
        return 0;
    }
    const char *te = kvt_header(resp, "Transfer-Encoding");
    const char *cl = kvt_header(resp, "Content-Length");
    if (te != NULL && strcasecmp(te, "chunked") == 0) {
        return read_chunked_body(fd, resp, deadline);
    }
    if (cl != NULL) {
        char *end;
        unsigned long long n = strtoull(cl, &end, 10);
        if (end == cl || *end != '\0') {
            return -1;
        }
        return read_sized_body(fd, resp, (size_t)n, deadline);
    }
    return read_body_until_close(fd, resp, deadline);
}

const char *kvt_header(const kvt_response_t *resp, const char *name)
{
    for (int i = 0; i < resp->nheaders; i++) {
        if (strcasecmp(resp->headers[i].name, name) == 0) {
            return resp->headers[i].value;
        }
    }
    return NULL;
}

void kvt_response_free(kvt_response_t *resp)
{
    for (int i = 0; i < resp->nheaders; i++) {
        free(resp->headers[i].name);
        free(resp->headers[i].value);
    }
    free(resp->reason);
    free(resp->body);
    memset(resp, 0, sizeof(*resp));
}

int kvt_request(int port, const char *request, kvt_response_t *resp)
{
    int fd = kvt_connect(port);
    int rv = kvt_send_raw(fd, request, strlen(request));
    if (rv == 0) {
        rv = kvt_read_response(fd, resp, strncmp(request, "HEAD ", 5) == 0);
    }
    close(fd);
    return rv;
}

void kvt_get(int port, const char *path, kvt_response_t *resp)
{
    char *req = kvt_strf("GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", path);
    ck_assert_msg(kvt_request(port, req, resp) == 0, "no response to GET %s", path);
    free(req);
}

char *kvt_read_until_close(int fd, size_t *len)
{
    kvt_response_t acc;
    memset(&acc, 0, sizeof(acc));
    acc.body = xstrdup("");
    read_body_until_close(fd, &acc, kvt_now_ms() + response_timeout_ms());
    if (len != NULL) {
        *len = acc.body_len;
    }
    return acc.body;
}

int kvt_is_closed(int fd, int timeout_ms)
{
    long deadline = kvt_now_ms() + timeout_ms;
    char buf[4096];
    for (;;) {
        long left = deadline - kvt_now_ms();
        if (left < 0) {
            return 0;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return 0;
        }
        ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n == 0 || (n < 0 && (errno == ECONNRESET || errno == EPIPE))) {
            return 1;
        }
    }
}

/* ---- ss ---- */

static char *ss_output(const char *const argv[])
{
    int status;
    char *out = NULL, *err = NULL;
    int rv = kvt_run(argv, 5000, &status, &out, &err);
    ck_assert_msg(rv == 0 && status == 0, "%s failed (status %d): %s", argv[0], status,
                  err ? err : "");
    free(err);
    return out;
}

long kvt_listen_backlog(int port)
{
    char filter[32];
    snprintf(filter, sizeof(filter), ":%d", port);
    const char *argv[] = {"ss", "-ltnH", "sport", "=", filter, NULL};
    char *out = ss_output(argv);
    long backlog = -1;
    char state[32], local[128];
    long recvq, sendq;
    char *line = out;
    while (line != NULL && *line) {
        if (sscanf(line, "%31s %ld %ld %127s", state, &recvq, &sendq, local) == 4 &&
            strcmp(state, "LISTEN") == 0 && kvt_contains(local, filter)) {
            backlog = sendq;
            break;
        }
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    free(out);
    return backlog;
}

int kvt_server_sock_buffers(kvt_server_t *srv, int client_fd, long *rb, long *tb)
{
    char sport[32], dport[32];
    snprintf(sport, sizeof(sport), ":%d", srv->port);
    snprintf(dport, sizeof(dport), ":%d", local_port_of(client_fd));
    const char *argv[] = {"ss",  "-tmnH", "state", "established", "(",   "sport", "=",
                          sport, "and",   "dport", "=",           dport, ")",     NULL};
    char *out = ss_output(argv);
    const char *skmem = out ? strstr(out, "skmem:(") : NULL;
    const char *r = skmem ? strstr(skmem, ",rb") : NULL;
    const char *t = skmem ? strstr(skmem, ",tb") : NULL;
    int rv = -1;
    if (r != NULL && t != NULL) {
        *rb = strtol(r + 3, NULL, 10);
        *tb = strtol(t + 3, NULL, 10);
        rv = 0;
    }
    free(out);
    return rv;
}

int kvt_status_generation(kvt_server_t *srv)
{
    char *path = kvt_strf("%s/logs/kiva.status", kvt_server_root(srv));
    FILE *f = fopen(path, "r");
    int gen = -1;

    if (f) {
        if (fscanf(f, "generation %d", &gen) != 1) {
            gen = -1;
        }
        fclose(f);
    }
    free(path);
    return gen;
}

struct gen_cond {
    kvt_server_t *srv;
    int gen;
};

static int reached_generation(void *arg)
{
    const struct gen_cond *c = arg;
    return kvt_status_generation(c->srv) >= c->gen;
}

void kvt_wait_generation(kvt_server_t *srv, int gen)
{
    struct gen_cond c = {srv, gen};
    ck_assert_msg(kvt_wait_for(reached_generation, &c, 20000),
                  "generation %d never served (status says %d)", gen,
                  kvt_status_generation(srv));
}

int kvt_server_children(kvt_server_t *srv)
{
    pid_t pids[KVT_MAX_PIDS];
    return kvt_children(kvt_server_pid(srv), pids, KVT_MAX_PIDS);
}

static int has_one_child(void *arg)
{
    return kvt_server_children(arg) == 1;
}

pid_t kvt_server_only_child(kvt_server_t *srv, int timeout_ms)
{
    pid_t pids[KVT_MAX_PIDS];

    ck_assert_msg(kvt_wait_for(has_one_child, srv, timeout_ms), "%d children, want 1",
                  kvt_server_children(srv));
    ck_assert_int_eq(kvt_children(kvt_server_pid(srv), pids, KVT_MAX_PIDS), 1);
    return pids[0];
}

struct replaced {
    kvt_server_t *srv;
    pid_t victim;
};

static int victim_replaced(void *arg)
{
    const struct replaced *r = arg;
    pid_t now[KVT_MAX_PIDS];

    return !kvt_pid_alive(r->victim) &&
           kvt_children(kvt_server_pid(r->srv), now, KVT_MAX_PIDS) == 1 && now[0] != r->victim;
}

int kvt_server_wait_replaced(kvt_server_t *srv, pid_t victim, int timeout_ms)
{
    struct replaced r = {srv, victim};

    return kvt_wait_for(victim_replaced, &r, timeout_ms);
}
