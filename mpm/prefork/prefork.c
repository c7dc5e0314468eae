/* The prefork MPM: a parent that keeps a pool of single-threaded children, each serving
 * one connection at a time, with httpd prefork's directives, defaults and behaviour.
 *
 * The parent never serves and never dies because of a child. Once a second it reaps
 * children, replaces those that died unasked, and keeps the idle ones of the running
 * generation between MinSpareServers and MaxSpareServers. Signals, reaping and telling
 * children to go are shared with the other MPMs in server/process/mpm_common.c; the parent is
 * ../spare_parent.c's, a child ../serial.c's, the configuration ../process_conf.c's, the
 * module ../frame.c's. */
#include "kv_http.h"
#include "kv_mpm.h"
#include "kv_scoreboard.h"
#include "../process_conf.h"
#include "../serial.h"
#include "../spare_parent.h"

/* httpd prefork's defaults. */
#define DEFAULT_START_SERVERS 5
#define DEFAULT_MIN_SPARE 5
#define DEFAULT_MAX_SPARE 10
#define DEFAULT_MAX_WORKERS 256
#define DEFAULT_SERVER_LIMIT 256

/* ---- The parent ---- */

static apr_status_t make_child(kv_spare_parent_t *pp, int slot)
{
    return kv_serial_make_child(pp->pconf, pp->s, pp->mutex, slot, &pp->rs);
}

/* The idle children of the running generation; *to_stop is the one to stop if there are
 * too many (ready rather than still starting). */
static int count_idle(const kv_spare_parent_t *pp, int *to_stop)
{
    int limit = kv_scoreboard_server_limit(), starting = -1, idle = 0;

    *to_stop = -1;
    for (int slot = 0; slot < limit; slot++) {
        const kv_sb_process_t *proc = kv_scoreboard_process(slot);
        kv_sb_status_t status = kv_scoreboard_worker(slot, 0)->status;

        if (proc->pid == 0) {
            continue;
        }
        if (proc->generation != pp->rs.generation || proc->quiescing) {
            continue;
        }
        if (status == KV_SB_READY) {
            idle++;
            *to_stop = slot;
        } else if (status == KV_SB_STARTING) {
            idle++;
            starting = slot;
        }
    }
    if (*to_stop < 0) {
        *to_stop = starting;
    }
    return idle;
}

static const kv_spare_ops_t prefork_ops = {
    make_child, count_idle,
    "KV00434: server seems busy, (you may need to increase StartServers, or "
    "Min/MaxSpareServers), spawning %d children, there are %d idle, and %d total children"};

static int prefork_parent(apr_pool_t *pconf, kv_server_t *s, void *conf)
{
    const prefork_limits_t *l = &((process_conf_t *)conf)->run;
    kv_spare_parent_t pp = {
        .pconf = pconf, .s = s, .ops = &prefork_ops, .max_children = l->max_workers, .bounds = *l};

    return kv_spare_parent_run(&pp, l->start_servers);
}

/* ---- The module ---- */

static void prefork_defaults(void *conf)
{
    static const prefork_limits_t defaults = {DEFAULT_START_SERVERS, DEFAULT_MIN_SPARE,
                                              DEFAULT_MAX_SPARE, DEFAULT_MAX_WORKERS,
                                              DEFAULT_SERVER_LIMIT};

    process_apply_defaults(conf, &defaults);
}

static const kv_command_t prefork_cmds[] = {
    PROCESS_INT("StartServers", start_servers, "StartServers N: children started at startup"),
    PROCESS_INT("MinSpareServers", min_spare, "MinSpareServers N: fewest idle children to keep"),
    PROCESS_INT("MaxSpareServers", max_spare, "MaxSpareServers N: most idle children to keep"),
    PROCESS_COMMANDS("MaxRequestWorkers N: most children serving at once")};

static const kv_mpm_t prefork_mpm =
    PROCESS_MPM("prefork", prefork_defaults, prefork_parent, kv_serial_one_process);

KV_MPM_MODULE(prefork, prefork_cmds, prefork_mpm);
