/* The single MPM: the sequential server. One process serves one connection at a time: it
 * accepts, serves the connection to its end (every request on it, keep-alive included),
 * closes it and accepts again. No threads, no spare processes, no queue of its own (waiting
 * clients sit in the listen backlog): the baseline with the least machinery, against which
 * the concurrent models are measured.
 *
 * As under every kiva MPM the parent stays root, never serves and never dies because of a
 * child: it re-reads the configuration and reopens logs on restarts, and keeps exactly one
 * serving child of the running generation, replacing it when it crashes or has served
 * MaxConnectionsPerChild connections. After a graceful restart the old child finishes its
 * connection (its responses then say Connection: close) while the new one already serves,
 * so the scoreboard has room for two processes. -X serves in the foreground process. */
#include "kv_http.h"
#include "kv_mpm.h"
#include "kv_mpm_common.h"
#include "kv_scoreboard.h"
#include "../frame.h"
#include "../parent.h"
#include "../serial.h"

/* Serving processes of one generation. */
#define SERVING_CHILDREN 1
/* Most children replaced within a second: a child that crashes on every connection must
 * not make the parent spin, yet MaxConnectionsPerChild 1 must not wait a second each. */
#define MAX_RESPAWN_RATE 32

/* ---- The parent ---- */

/* The parent of one generation. */
typedef struct {
    apr_pool_t *pconf;
    kv_server_t *s;
    kv_mpm_respawn_t rs; /* generation, holdoff, children replaced this second */
} parent_t;

/* Fork the serving child of the running generation into process slot @a slot. No accept
 * mutex: only one process of a generation accepts, and a draining old child has given its
 * listeners up. */
static apr_status_t make_child(parent_t *pp, int slot)
{
    return kv_serial_make_child(pp->pconf, pp->s, NULL, slot, &pp->rs);
}

/* The first free process slot, or -1: a free one can be missing only while children of
 * earlier generations still finish their connections. */
static int free_slot(void)
{
    int limit = kv_scoreboard_server_limit();

    for (int slot = 0; slot < limit; slot++) {
        if (kv_scoreboard_process(slot)->pid == 0) {
            return slot;
        }
    }
    return -1;
}

static int child_missing(const parent_t *pp)
{
    return kv_mpm_room_for_children(pp->rs.generation, SERVING_CHILDREN) > 0;
}

/* Start the serving child if the running generation has none and a slot is free. */
static void ensure_child(parent_t *pp)
{
    int slot = free_slot();

    if (child_missing(pp) && slot >= 0 && !kv_mpm_holding_off(&pp->rs)) {
        make_child(pp, slot);
    }
}

/* The child that died unasked (it crashed, or served MaxConnectionsPerChild connections) is
 * replaced at once, within MAX_RESPAWN_RATE (see kv_mpm_respawn_wanted). An old
 * generation's child that finished frees the slot a new generation may be waiting for. */
static void on_reaped(void *baton, int slot, const kv_sb_process_t *was, apr_exit_why_e why,
                      int code)
{
    parent_t *pp = baton;
    int slot_limit = child_missing(pp) ? kv_scoreboard_server_limit() : 0;

    if (kv_mpm_respawn_wanted(&pp->rs, slot, was, why, code, slot_limit, MAX_RESPAWN_RATE)) {
        make_child(pp, slot);
    } else if (was && was->generation != pp->rs.generation) {
        ensure_child(pp);
    }
}

/* Once a second: start the child that could not be started or replaced before (a holdoff,
 * the respawn rate, slots still held by draining children). */
static void maintain(void *baton)
{
    parent_t *pp = baton;

    ensure_child(pp);
    pp->rs.respawned = 0;
}

static int single_parent(apr_pool_t *pconf, kv_server_t *s, void *conf)
{
    parent_t pp = {.pconf = pconf, .s = s, .rs.generation = kv_my_generation};

    (void)conf;
    ensure_child(&pp);
    return kv_mpm_parent_loop(s, maintain, on_reaped, &pp);
}

/* ---- The module ---- */

static void single_caps(const void *conf, kv_mpm_caps_t *caps)
{
    (void)conf;
    caps->forked = 1;
    caps->max_daemons = SERVING_CHILDREN;
    caps->max_threads = 1;
    caps->max_workers = SERVING_CHILDREN;
}

/* The scoreboard has room for the serving child and one old child that finishes after a
 * graceful restart (SERVING_CHILDREN process slots, times KV_MPM_DRAIN_HEADROOM). */
static const kv_mpm_t single_mpm = {
    .name = "single",
    .conf_size = sizeof(kv_mpm_conf_t),
    .caps = single_caps,
    .parent = single_parent,
    .one_process = kv_serial_one_process,
};

KV_MPM_MODULE(single, NULL, single_mpm);
