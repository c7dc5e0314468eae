/* How an object's expiry is said to memcached (its protocol's "exptime"). */
#ifndef MEMCACHE_EXPTIME_H
#define MEMCACHE_EXPTIME_H

#include <apr_time.h>

/** memcached reads an exptime above this (30 days, in seconds) as an absolute Unix time. */
#define MEMCACHE_RELATIVE_MAX (60 * 60 * 24 * 30)

/** The exptime for an object that expires at @a expiry, @a now being now: the seconds left
 * while they are at most MEMCACHE_RELATIVE_MAX, else the absolute Unix time (the largest one
 * memcached can take at most); at least 1, since 0 would mean "never". */
apr_uint32_t memcache_exptime(apr_time_t expiry, apr_time_t now);

#endif
