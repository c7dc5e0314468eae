/* How many idle children to start or stop, once a second, to keep the idle ones (children
 * of prefork, threads of worker and event) between the spare bounds, as httpd's prefork
 * does. Pure, so that it is tested alone (tests/unit/mpm/prefork). */
#ifndef KV_MPM_SPARES_H
#define KV_MPM_SPARES_H

#include "process_limits.h"

/** Most children started in one second when idle ones run short. */
#define PREFORK_MAX_SPAWN_RATE 32

/** What the parent sees once a second. */
typedef struct {
    int idle;       /**< idle children of the running generation, not asked to exit */
    int free_slots; /**< children the running generation may still start */
} prefork_census_t;

/** What the parent does about it. */
typedef struct {
    int spawn;    /**< children to start now */
    int kill_one; /**< ask one idle child to exit */
    int at_limit; /**< more children were needed but MaxRequestWorkers are running */
    int busy;     /**< spawning fast: worth an info message */
} prefork_action_t;

/** Keep idle children between MinSpareServers and MaxSpareServers. @a spawn_rate (1 to
 * PREFORK_MAX_SPAWN_RATE) carries over from one call to the next: it doubles every second
 * idle children stay short, and falls back to 1 otherwise. */
prefork_action_t prefork_maintain_spares(const prefork_census_t *c, const prefork_limits_t *l,
                                         int *spawn_rate);

#endif
