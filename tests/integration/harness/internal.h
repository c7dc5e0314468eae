/**
 * @file internal.h
 * @brief What the parts of the integration harness share and the tests do not see: the
 * server record, the limits, and the helpers one part of the harness offers another.
 * The tests' API is ../harness.h. Test-only code, so plain libc and POSIX.
 */
#ifndef KVT_HARNESS_INTERNAL_H
#define KVT_HARNESS_INTERNAL_H

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#include "../harness.h"

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

/* util.c: small utilities and files */
void kvth_sleep_ms(int ms);
char *kvth_strdup(const char *s);
char *kvth_vformat(const char *fmt, va_list ap);
void kvth_write_path(const char *path, const char *content, size_t len);
void kvth_remove_tree(const char *path);

/* proc.c: processes in /proc */
void kvth_each_process(void (*fn)(pid_t pid, pid_t ppid, pid_t pgrp, void *arg), void *arg);
int kvth_group_alive(pid_t pgid);

/* net.c: sockets in /proc/net/tcp */
unsigned long kvth_tcp_inode(int local_port, int remote_port, const char *state);
int kvth_local_port(int fd);

/* run.c: running programs */
void kvth_close_from(int first, int keep);
pid_t kvth_spawn(const char *const argv[], const char *out_path, const char *err_path);
int kvth_decode_status(int status);
int kvth_wait_child(pid_t pid, int timeout_ms);
void kvth_kill_group(pid_t pgid, int timeout_ms);

/* config.c: the generated configuration */
int kvth_free_port(void);
void kvth_base_config(kvt_server_t *srv);


/* watcher.c: the process that stops a server its dead test left behind */
void kvth_start_watcher(kvt_server_t *srv);
void kvth_watcher_send(kvt_server_t *srv, char tag);

#endif
