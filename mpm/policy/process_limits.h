/* The limits in force of the MPMs whose children have one thread (prefork, fork), brought
 * into range as httpd's prefork does. Pure, so that they are tested alone
 * (tests/unit/mpm/prefork). */
#ifndef KV_MPM_PROCESS_LIMITS_H
#define KV_MPM_PROCESS_LIMITS_H

/** Compile-time ceiling of ServerLimit, as httpd's. */
#define PREFORK_HARD_SERVER_LIMIT 20000

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

#endif
