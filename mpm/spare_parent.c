/* The parent that keeps spare workers (see spare_parent.h). */
#include "spare_parent.h"
#include "frame.h"
#include "kv_log.h"
#include "kv_mpm.h"
#include "kv_mpm_common.h"
#include "kv_scoreboard.h"

/* Logged as the MPM module that runs it. */
#define KV_LOG_MODULE kv_mpm_log_name()

/* How many more children the running generation may start (draining ones of old
 * generations do not count). */
static int room_for_children(const kv_spare_parent_t *pp)
{
    return kv_mpm_room_for_children(pp->rs.generation, pp->max_children);
}

/* Start up to @a n children in free slots, within max_children. */
static void start_children(kv_spare_parent_t *pp, int n)
{
    int limit = kv_scoreboard_server_limit();
    int room = room_for_children(pp);

    n = n < room ? n : room;
    for (int slot = 0; slot < limit && n > 0; slot++) {
        if (kv_scoreboard_process(slot)->pid != 0) {
            continue;
        }
        if (pp->ops->make_child(pp, slot) != APR_SUCCESS) {
            return;
        }
        n--;
    }
}

/* A child that died unasked is replaced at once (see kv_mpm_respawn_wanted). */
static void on_reaped(void *baton, int slot, const kv_sb_process_t *was, apr_exit_why_e why,
                      int code)
{
    kv_spare_parent_t *pp = baton;
    int limit = room_for_children(pp) > 0 ? kv_scoreboard_server_limit() : 0;

    if (kv_mpm_respawn_wanted(&pp->rs, slot, was, why, code, limit, PREFORK_MAX_SPAWN_RATE)) {
        pp->ops->make_child(pp, slot);
    }
}

static void maintain_spares(kv_spare_parent_t *pp)
{
    int to_stop;
    prefork_census_t c = {0, room_for_children(pp)};
    prefork_action_t a;

    c.idle = pp->ops->count_idle(pp, &to_stop);
    if (kv_mpm_holding_off(&pp->rs)) {
        return;
    }
    a = prefork_maintain_spares(&c, &pp->bounds, &pp->spawn_rate);
    if (a.kill_one && to_stop >= 0) {
        kv_mpm_tell_child_to_exit(to_stop);
    }
    if (a.at_limit) {
        kv_mpm_report_max_workers(pp->s, &pp->reported_limit);
    }
    if (a.busy) {
        kv_log_error(KV_LOG_MARK, KV_LOG_INFO, 0, pp->s, pp->ops->busy_fmt, a.spawn, c.idle,
                     kv_mpm_live_children());
    }
    start_children(pp, a.spawn);
}

/* Once a second: replace no more dead children until the next round, keep the spares. */
static void maintain(void *baton)
{
    kv_spare_parent_t *pp = baton;

    maintain_spares(pp);
    pp->rs.respawned = 0;
}

int kv_spare_parent_run(kv_spare_parent_t *pp, int start)
{
    pp->rs.generation = kv_my_generation;
    pp->spawn_rate = 1;
    if (kv_mpm_create_accept_mutex(pp->s, pp->pconf, &pp->mutex) != APR_SUCCESS) {
        return KV_MPM_FAILED;
    }
    start_children(pp, start);
    return kv_mpm_parent_loop(pp->s, maintain, on_reaped, pp);
}
