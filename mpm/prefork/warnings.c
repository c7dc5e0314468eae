/* The warnings prefork's limits policy deserves, as httpd words them (see warnings.h). */
#include "kv_log.h"
#include "warnings.h"
#include "../parent.h"

void prefork_warn_fixes(const char *module, kv_server_t *s, const prefork_limits_t *was,
                        const prefork_limits_t *l, unsigned fixed)
{
    const kv_mpm_fix_warning_t warnings[] = {
        {PREFORK_FIX_LIMIT_HIGH,
         "KV00420: ServerLimit of %d exceeds compile-time limit of %d servers, decreasing to %d.",
         was->server_limit, PREFORK_HARD_SERVER_LIMIT, l->server_limit, 0},
        {PREFORK_FIX_LIMIT_LOW, "KV00421: ServerLimit of %d not allowed, increasing to 1.",
         was->server_limit, 0, 0, 0},
        {PREFORK_FIX_WORKERS_HIGH,
         "KV00422: MaxRequestWorkers of %d exceeds ServerLimit value of %d servers, decreasing "
         "MaxRequestWorkers to %d. To increase, please see the ServerLimit directive.",
         was->max_workers, l->server_limit, l->max_workers, 0},
        {PREFORK_FIX_WORKERS_LOW, "KV00423: MaxRequestWorkers of %d not allowed, increasing to 1.",
         was->max_workers, 0, 0, 0},
        {PREFORK_FIX_START_LOW, "KV00424: StartServers of %d not allowed, increasing to 1.",
         was->start_servers, 0, 0, 0},
        {PREFORK_FIX_MIN_SPARE_LOW, "KV00425: MinSpareServers of %d not allowed, increasing to 1.",
         was->min_spare, 0, 0, 0},
        {PREFORK_FIX_MAX_SPARE_LOW,
         "KV00426: MaxSpareServers of %d is not above MinSpareServers (%d), increasing it to %d.",
         was->max_spare, l->min_spare, l->max_spare, 0},
    };

    kv_mpm_warn_fixes(module, s, warnings, sizeof(warnings) / sizeof(warnings[0]), fixed);
}
