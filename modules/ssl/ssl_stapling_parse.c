/* OCSP stapling's pure parts (ssl_stapling_parse.h). */
#include <string.h>
#include <strings.h>

#include <apr_strings.h>

#include "ssl_stapling_parse.h"

/* httpd 2.4's socache providers, by the names SSLStaplingCache takes. */
static const char *const providers[] = {"dbm", "shmcb", "dc", "memcache", "redis", NULL};

const char *ssl_stapling_cache_check(apr_pool_t *p, const char *arg)
{
    const char *colon = strchr(arg, ':');
    const char *name = colon ? apr_pstrmemdup(p, arg, (apr_size_t)(colon - arg)) : arg;

    for (int i = 0; providers[i]; i++) {
        if (strcasecmp(name, providers[i]) == 0) {
            return NULL;
        }
    }
    return apr_psprintf(p,
                        "SSLStaplingCache: '%s' stapling cache not supported (known names: "
                        "dbm, shmcb, dc, memcache, redis)",
                        name);
}

apr_time_t ssl_stapling_next_fetch(apr_time_t now, int ok, apr_interval_time_t cache_timeout,
                                   apr_interval_time_t errcache_timeout, apr_time_t next_update)
{
    apr_time_t at = now + (ok ? cache_timeout : errcache_timeout);

    if (ok && next_update > now && now + (next_update - now) / 2 < at) {
        at = now + (next_update - now) / 2;
    }
    return at < now + apr_time_from_sec(1) ? now + apr_time_from_sec(1) : at;
}
