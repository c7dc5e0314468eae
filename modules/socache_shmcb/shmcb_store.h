/* mod_socache_shmcb's store: a bounded cyclic store of (id, object, expiry) in one block of
 * memory that several processes map. Pure: no locking (the module holds its mutex around each
 * call), no clock (the caller passes now), no allocation. The block is cut into subcaches
 * chosen by a hash of the id, as httpd's shmcb, so that a lookup scans a short index; each
 * subcache is a ring of index entries and a ring of data bytes, where a new object goes after
 * the newest and, when there is no room, the oldest objects are dropped first. */
#ifndef SHMCB_STORE_H
#define SHMCB_STORE_H

#include <apr_errno.h>
#include <apr_pools.h>
#include <apr_time.h>

/** The smallest and largest block the store is made in (httpd's bounds on shmcb's size). */
#define SHMCB_MIN_SIZE 8192
#define SHMCB_MAX_SIZE (64 * 1024 * 1024)

typedef struct shmcb_header shmcb_t;

/** Lay out a new, empty store over @a size bytes at @a base (aligned for 8-byte fields), for
 * objects of about @a avg_obj bytes with ids of about @a avg_id bytes. NULL if @a size is
 * too small. */
shmcb_t *shmcb_init(void *base, apr_size_t size, apr_size_t avg_id, apr_size_t avg_obj);

/** Store @a data under @a id until @a expiry, replacing what @a id had; expired objects, then
 * the oldest, make room. APR_ENOSPC if the object could never fit in a subcache. */
apr_status_t shmcb_store(shmcb_t *cache, const unsigned char *id, unsigned int idlen,
                         const unsigned char *data, unsigned int datalen, apr_time_t expiry,
                         apr_time_t now);

/** Copy the object under @a id into @a data (room for *@a datalen bytes; then its length).
 * APR_NOTFOUND if absent or expired at @a now, APR_ENOSPC if it does not fit. */
apr_status_t shmcb_retrieve(shmcb_t *cache, const unsigned char *id, unsigned int idlen,
                            unsigned char *data, unsigned int *datalen, apr_time_t now);

/** Forget the object under @a id. APR_NOTFOUND if there was none. */
apr_status_t shmcb_remove(shmcb_t *cache, const unsigned char *id, unsigned int idlen);

/** How many objects the store holds, expired ones not yet dropped included (for tests). */
unsigned int shmcb_count(const shmcb_t *cache);

/** SSLSessionCache's argument after "shmcb:", httpd's `path(size)`, `path` or nothing: *path
 * (in @a p; NULL when none) and *size (512000 when not given). NULL or the reason it is
 * refused, in httpd's words. */
const char *shmcb_parse_arg(apr_pool_t *p, const char *arg, const char **path, apr_size_t *size);

#endif
