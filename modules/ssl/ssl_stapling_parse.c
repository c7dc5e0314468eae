/* OCSP stapling's pure parts (ssl_stapling_parse.h). */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include <limits.h>

#include <apr_lib.h>
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

const char *ssl_stapling_max_age_parse(apr_pool_t *p, const char *arg, apr_interval_time_t *max_age)
{
    char *end;
    apr_int64_t n = apr_strtoi64(arg, &end, 10);

    if ((*arg != '-' && !apr_isdigit(*arg)) || end == arg || *end || errno == ERANGE || n < -1 ||
        n > INT_MAX) {
        return apr_psprintf(p, "'%s' is not a number of seconds (0 to %d) or -1 (no limit)", arg,
                            INT_MAX);
    }
    *max_age = n < 0 ? SSL_STAPLING_NO_MAX_AGE : apr_time_from_sec(n);
    return NULL;
}

const char *ssl_stapling_times_check(apr_time_t now, apr_time_t this_update, apr_time_t next_update,
                                     apr_interval_time_t skew, apr_interval_time_t max_age)
{
    if (this_update == 0) {
        return "it has no thisUpdate";
    }
    if (this_update > now + skew) {
        return "its thisUpdate is ahead of the clock by more than SSLStaplingResponseTimeSkew";
    }
    if (max_age >= 0 && this_update < now - max_age) {
        return "its thisUpdate is older than SSLStaplingResponseMaxAge";
    }
    if (next_update != 0 && next_update < now - skew) {
        return "its nextUpdate has passed by more than SSLStaplingResponseTimeSkew";
    }
    if (next_update != 0 && next_update < this_update) {
        return "its nextUpdate is before its thisUpdate";
    }
    return NULL;
}
