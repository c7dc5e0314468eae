/* HTTP dates (IMF-fixdate), formatted at most once a second per cache. Internal to the core. */
#ifndef KV_UTIL_DATE_H
#define KV_UTIL_DATE_H

#include <apr_date.h>
#include <apr_time.h>

/** The last date a caller formatted; one per call site and thread (_Thread_local), since
 * the same second recurs there response after response. */
typedef struct {
    apr_time_t sec; /**< the second it holds, -1 for none */
    char text[APR_RFC822_DATE_LEN];
} kv_date_cache_t;

#define KV_DATE_CACHE_INIT {-1, ""}

/** Write the IMF-fixdate of @a t to @a out (APR_RFC822_DATE_LEN bytes), from @a cache when
 * it holds the same second. */
void kv_http_date(kv_date_cache_t *cache, char *out, apr_time_t t);

#endif
