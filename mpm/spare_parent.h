/* The parent that keeps spare workers, as httpd's prefork does, and its worker and event
 * counting threads: it starts StartServers children, replaces at once a child that died
 * unasked, and once a second keeps the idle workers of the running generation between the
 * spare bounds (policy/spares.h) by starting children or retiring one. The MPM says how a
 * child starts and how its idle workers are counted. */
#ifndef KV_MPM_SPARE_PARENT_H
#define KV_MPM_SPARE_PARENT_H

#include <apr_proc_mutex.h>

#include "kv_http.h"
#include "parent.h"
#include "policy/spares.h"

typedef struct kv_spare_parent kv_spare_parent_t;

/** What the MPM brings. */
typedef struct {
    /** Fork a child of generation pp->rs.generation into the free process slot @a slot; if
     * it fails, log it and hold off (kv_mpm_fork_failed) and return the error. */
    apr_status_t (*make_child)(kv_spare_parent_t *pp, int slot);
    /** The idle workers of the running generation's children; *to_stop is the child to
     * retire if there are too many, or -1. */
    int (*count_idle)(const kv_spare_parent_t *pp, int *to_stop);
    /** httpd's info message when children start fast: the number started, the idle
     * workers, the children alive. */
    const char *busy_fmt;
} kv_spare_ops_t;

/** The parent of one generation. */
struct kv_spare_parent {
    apr_pool_t *pconf;
    kv_server_t *s;
    const kv_spare_ops_t *ops;
    const void *limits;      /**< the MPM's limits in force, for its ops */
    int max_children;        /**< children of the generation at most */
    prefork_limits_t bounds; /**< min_spare and max_spare: the idle workers to keep */
    apr_proc_mutex_t *mutex; /**< serialises accept over several listeners, else NULL */
    int spawn_rate;          /**< carried by prefork_maintain_spares */
    int reported_limit;      /**< the MaxRequestWorkers message was logged */
    kv_mpm_respawn_t rs;     /**< generation, holdoff, children replaced this second */
};

/** Serve as the parent of generation kv_my_generation, starting with @a start children,
 * until a signal ends it; @a pp has its pconf, s, ops, limits, max_children and bounds set.
 * Returns the kv_mpm_result_t, or KV_MPM_FAILED if it could not serve. */
int kv_spare_parent_run(kv_spare_parent_t *pp, int start);

#endif
