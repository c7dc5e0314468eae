/* OCSP stapling's pure parts: SSLStaplingCache's syntax, SSLStaplingResponseMaxAge's
 * value, whether a response's times are valid and when a response is fetched again. No
 * OpenSSL calls, so that the unit tests link them alone. */
#ifndef SSL_STAPLING_PARSE_H
#define SSL_STAPLING_PARSE_H

#include <apr_pools.h>
#include <apr_time.h>

/** SSLStaplingCache's argument, httpd's syntax `name[:args]` with the name of an httpd
 * socache provider (dbm, shmcb, dc, memcache, redis; any case). NULL, or why it is refused. */
const char *ssl_stapling_cache_check(apr_pool_t *p, const char *arg);

/** When the fetcher asks the responder again for a certificate whose response it got at
 * @a now: a good one (@a ok) after @a cache_timeout (SSLStaplingStandardCacheTimeout), but no
 * later than halfway to its nextUpdate (@a next_update, 0 if it has none), so that a fresh one
 * is in place before it expires; an error after @a errcache_timeout
 * (SSLStaplingErrorCacheTimeout). Never before one second from @a now. */
apr_time_t ssl_stapling_next_fetch(apr_time_t now, int ok, apr_interval_time_t cache_timeout,
                                   apr_interval_time_t errcache_timeout, apr_time_t next_update);

/** SSLStaplingResponseMaxAge -1, and its default: no limit (not KV_UNSET_TIME, -1). */
#define SSL_STAPLING_NO_MAX_AGE ((apr_interval_time_t)-2)

/** SSLStaplingResponseMaxAge's argument: seconds, or -1 for no limit (SSL_STAPLING_NO_MAX_AGE).
 * NULL, or why it is refused. */
const char *ssl_stapling_max_age_parse(apr_pool_t *p, const char *arg,
                                       apr_interval_time_t *max_age);

/** OCSP_check_validity's rule, as httpd applies it with SSLStaplingResponseTimeSkew
 * (@a skew) and SSLStaplingResponseMaxAge (@a max_age, negative: no limit): at @a now, a
 * response's @a this_update must not be more than @a skew ahead, nor more than @a max_age
 * old; its @a next_update (0: none) not more than @a skew past, nor before its
 * this_update. NULL if valid, else why not. */
const char *ssl_stapling_times_check(apr_time_t now, apr_time_t this_update, apr_time_t next_update,
                                     apr_interval_time_t skew, apr_interval_time_t max_age);

#endif
