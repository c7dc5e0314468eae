/* The prefork parent's pure decisions: the limits in force, and how many idle children to
 * start or stop. No I/O, so that they are tested alone (tests/unit/mpm/prefork). */
#ifndef KV_PREFORK_POLICY_H
#define KV_PREFORK_POLICY_H

/** Compile-time ceiling of ServerLimit, as httpd's. */
#define PREFORK_HARD_SERVER_LIMIT 20000
/** Most children started in one second when idle ones run short. */
#define PREFORK_MAX_SPAWN_RATE 32

/** The prefork settings. */
typedef struct {
    int start_servers; /**< StartServers */
    int min_spare;     /**< MinSpareServers */
    int max_spare;     /**< MaxSpareServers */
    int max_workers;   /**< MaxRequestWorkers (MaxClients) */
    int server_limit;  /**< ServerLimit */
} prefork_limits_t;

/** What prefork_limits_fix changed; each deserves a warning. */
enum {
    PREFORK_FIX_LIMIT_HIGH = 1 << 0,    /**< ServerLimit above the hard limit */
    PREFORK_FIX_LIMIT_LOW = 1 << 1,     /**< ServerLimit below 1 */
    PREFORK_FIX_WORKERS_HIGH = 1 << 2,  /**< MaxRequestWorkers above ServerLimit */
    PREFORK_FIX_WORKERS_LOW = 1 << 3,   /**< MaxRequestWorkers below 1 */
    PREFORK_FIX_START_LOW = 1 << 4,     /**< StartServers below 1 */
    PREFORK_FIX_MIN_SPARE_LOW = 1 << 5, /**< MinSpareServers below 1 */
    PREFORK_FIX_MAX_SPARE_LOW = 1 << 6  /**< MaxSpareServers not above MinSpareServers */
};

/** Bring @a l into range as httpd does; returns the PREFORK_FIX_* bits of what changed. */
unsigned prefork_limits_fix(prefork_limits_t *l);

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
