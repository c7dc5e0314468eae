/* Integration harness: processes, as /proc shows them, and signals to them. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* POSIX and GNU interfaces under -std=c11 */
#endif
#include "internal.h"

#include <ctype.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
void kvth_each_process(void (*fn)(pid_t pid, pid_t ppid, pid_t pgrp, void *arg), void *arg)
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
    kvth_each_process(collect, &l);
    return l.count < max ? l.count : max;
}

int kvth_group_alive(pid_t pgid)
{
    struct pid_list l = {.group = pgid, .out = NULL, .max = 0};
    kvth_each_process(collect, &l);
    return l.count > 0;
}

/* A "Name:\tvalue" line of the status file @a path as a number, or -1. */
static long status_file_field(const char *path, const char *name)
{
    char line[256];
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

/* A "Name:\tvalue" line of /proc/<pid>/status (its main thread's) as a number, or -1. */
static long status_field(pid_t pid, const char *name)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    return status_file_field(path, name);
}

long kvt_main_thread_sleeps(pid_t pid)
{
    return status_field(pid, "voluntary_ctxt_switches");
}

long kvt_process_sleeps(pid_t pid)
{
    char dir[64], path[384];
    struct dirent *e;
    long total = 0;
    DIR *d;

    snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
    if ((d = opendir(dir)) == NULL) {
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        long v;

        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s/status", dir, e->d_name);
        if ((v = status_file_field(path, "voluntary_ctxt_switches")) > 0) {
            total += v; /* -1: a thread that has just ended */
        }
    }
    closedir(d);
    return total;
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

long kvt_pid_in_file(const char *path)
{
    FILE *f = fopen(path, "r");
    long pid = -1;

    if (f != NULL) {
        if (fscanf(f, "%ld", &pid) != 1) {
            pid = -1;
        }
        fclose(f);
    }
    return pid;
}
