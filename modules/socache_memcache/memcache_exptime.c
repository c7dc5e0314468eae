/* How an object's expiry is said to memcached (memcache_exptime.h). */
#include <stdint.h>

#include "memcache_exptime.h"

apr_uint32_t memcache_exptime(apr_time_t expiry, apr_time_t now)
{
    apr_time_t left = apr_time_sec(expiry - now);
    apr_time_t at = apr_time_sec(expiry);

    if (left < 1) {
        return 1;
    }
    if (left <= MEMCACHE_RELATIVE_MAX) {
        return (apr_uint32_t)left;
    }
    return at > (apr_time_t)UINT32_MAX ? UINT32_MAX : (apr_uint32_t)at;
}
