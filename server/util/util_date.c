/* HTTP dates, cached per second (see util_date.h). */
#include <string.h>

#include "util_date.h"

void kv_http_date(kv_date_cache_t *cache, char *out, apr_time_t t)
{
    apr_time_t sec = apr_time_sec(t);

    if (sec != cache->sec) {
        apr_rfc822_date(cache->text, apr_time_from_sec(sec));
        cache->sec = sec;
    }
    memcpy(out, cache->text, sizeof(cache->text));
}
