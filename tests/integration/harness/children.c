/* Integration harness: the server's children and generations, as a test waits for them. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* POSIX and GNU interfaces under -std=c11 */
#endif
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

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
                  "generation %d never served (status says %d)", gen, kvt_status_generation(srv));
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

struct count_cond {
    kvt_server_t *srv;
    int min; /* at least this many children ... */
    int max; /* ... and at most this many */
};

static int children_between(void *arg)
{
    const struct count_cond *c = arg;
    int n = kvt_server_children(c->srv);

    return n >= c->min && n <= c->max;
}

int kvt_wait_children(kvt_server_t *srv, int min, int max, int timeout_ms)
{
    struct count_cond c = {srv, min, max};

    return kvt_wait_for(children_between, &c, timeout_ms);
}

int kvt_server_has_child(kvt_server_t *srv, pid_t pid)
{
    pid_t pids[KVT_MAX_PIDS];
    int n = kvt_children(kvt_server_pid(srv), pids, KVT_MAX_PIDS);

    for (int i = 0; i < n; i++) {
        if (pids[i] == pid) {
            return 1;
        }
    }
    return 0;
}
