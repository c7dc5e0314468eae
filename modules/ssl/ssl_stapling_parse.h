/* OCSP stapling's pure parts: SSLStaplingCache's syntax and when a response is fetched
 * again. No OpenSSL calls, so that the unit tests link them alone. */
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

#endif
