/* Open files kept per thread. Opening a file walks its path, opens its inode and, at the
 * close, releases it again: for a small static file, three of a request's system calls and
 * much of its kernel time. A thread keeps the descriptors of the files it served last, and a
 * request takes one only when the stat that it made of the path anyway (map_to_storage)
 * shows the same file unchanged: the same device and inode, size, modification and change
 * time. A replaced, rewritten, truncated or chmod-ed file is opened afresh, so what is served
 * is what opening it now would serve; only the open is saved. nginx's open_file_cache, by
 * contrast, trusts what it saw for open_file_cache_valid seconds.
 *
 * Each thread has a cache of its own: no lock, and a descriptor is never used by two threads
 * at once. A descriptor in use by a request is pinned until the request's pool goes; one a
 * response still needs after its request (write completion) is duplicated by the network
 * filter first. The descriptors a process keeps are bounded, whatever its threads. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apr_atomic.h>
#include <apr_hash.h>
#include <apr_portable.h>

#include "file_cache.h"

#define OPEN_FLAGS (APR_FOPEN_READ | APR_FOPEN_BINARY | APR_FOPEN_SENDFILE_ENABLED)

typedef struct {
    char path[KV_FILE_CACHE_PATH_CAP];
    apr_uint32_t hash;
    int fd; /* -1: an empty entry */
    unsigned int pins;  /* requests using it now */
    unsigned long used; /* the cache's clock when last taken */
    apr_ino_t inode;
    apr_dev_t device;
    apr_off_t size;
    apr_time_t mtime, ctime;
} cached_file_t;

typedef struct {
    cached_file_t files[KV_FILE_CACHE_THREAD_FILES];
    unsigned long clock;
} file_cache_t;

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static int have_key;
static volatile apr_uint32_t process_files; /* entries holding a descriptor, all threads */

/* A thread ends: close what it kept. */
static void drop_cache(void *data)
{
    file_cache_t *fc = data;

    for (int i = 0; i < KV_FILE_CACHE_THREAD_FILES; i++) {
        if (fc->files[i].fd >= 0) {
            close(fc->files[i].fd);
            apr_atomic_dec32(&process_files);
        }
    }
    free(fc);
}

static void make_key(void)
{
    have_key = pthread_key_create(&cache_key, drop_cache) == 0;
}

/* This thread's cache, made on its first request (the one allocation it makes). */
static file_cache_t *thread_cache(void)
{
    file_cache_t *fc;

    pthread_once(&cache_once, make_key);
    if (!have_key) {
        return NULL;
    }
    fc = pthread_getspecific(cache_key);
    if (!fc && (fc = calloc(1, sizeof(*fc))) != NULL) {
        for (int i = 0; i < KV_FILE_CACHE_THREAD_FILES; i++) {
            fc->files[i].fd = -1;
        }
        if (pthread_setspecific(cache_key, fc) != 0) {
            free(fc);
            fc = NULL;
        }
    }
    return fc;
}

static int same_file(const cached_file_t *e, const apr_finfo_t *fi)
{
    return e->inode == fi->inode && e->device == fi->device && e->size == fi->size &&
           e->mtime == fi->mtime && e->ctime == fi->ctime;
}

static void forget(cached_file_t *e)
{
    close(e->fd);
    e->fd = -1;
    apr_atomic_dec32(&process_files);
}

/* The entry for @a path, or NULL. */
static cached_file_t *lookup(file_cache_t *fc, const char *path, apr_uint32_t hash)
{
    for (int i = 0; i < KV_FILE_CACHE_THREAD_FILES; i++) {
        cached_file_t *e = &fc->files[i];

        if (e->fd >= 0 && e->hash == hash && strcmp(e->path, path) == 0) {
            return e;
        }
    }
    return NULL;
}

/* An entry to open a file into: an empty one while the process may keep more descriptors,
 * else the least recently used one not in use (closed). NULL if there is none. */
static cached_file_t *make_room(file_cache_t *fc)
{
    cached_file_t *lru = NULL;

    for (int i = 0; i < KV_FILE_CACHE_THREAD_FILES; i++) {
        cached_file_t *e = &fc->files[i];

        if (e->fd < 0) {
            if (apr_atomic_inc32(&process_files) < KV_FILE_CACHE_PROCESS_FILES) {
                return e;
            }
            apr_atomic_dec32(&process_files);
        } else if (!e->pins && (!lru || e->used < lru->used)) {
            lru = e;
        }
    }
    if (lru) {
        forget(lru);
        apr_atomic_inc32(&process_files);
    }
    return lru;
}

static apr_status_t fill(cached_file_t *e, const kv_request_t *r, apr_uint32_t hash)
{
    int fd = open(r->filename, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        apr_atomic_dec32(&process_files);
        return APR_FROM_OS_ERROR(errno);
    }
    strcpy(e->path, r->filename);
    e->hash = hash;
    e->fd = fd;
    e->inode = r->finfo.inode;
    e->device = r->finfo.device;
    e->size = r->finfo.size;
    e->mtime = r->finfo.mtime;
    e->ctime = r->finfo.ctime;
    return APR_SUCCESS;
}

static apr_status_t unpin(void *data)
{
    cached_file_t *e = data;

    e->pins--;
    return APR_SUCCESS;
}

/* The cached descriptor of r->filename, opened if need be; NULL where it cannot be cached. */
static cached_file_t *take(file_cache_t *fc, kv_request_t *r, apr_status_t *rv)
{
    apr_ssize_t len = APR_HASH_KEY_STRING;
    apr_uint32_t hash = apr_hashfunc_default(r->filename, &len); /* compares few paths */
    cached_file_t *e = lookup(fc, r->filename, hash);

    *rv = APR_SUCCESS;
    if (e && !same_file(e, &r->finfo)) {
        if (e->pins) {
            return NULL; /* changed while an earlier request of this thread still sends it */
        }
        forget(e);
        apr_atomic_inc32(&process_files);
    } else if (!e && (e = make_room(fc)) == NULL) {
        return NULL;
    }
    if (e->fd < 0 && (*rv = fill(e, r, hash)) != APR_SUCCESS) {
        return NULL;
    }
    e->pins++;
    e->used = ++fc->clock;
    apr_pool_cleanup_register(r->pool, e, unpin, apr_pool_cleanup_null);
    return e;
}

apr_status_t kv_file_cache_open(apr_file_t **file, kv_request_t *r)
{
    const apr_int32_t need = APR_FINFO_IDENT | APR_FINFO_SIZE | APR_FINFO_MTIME | APR_FINFO_CTIME;
    file_cache_t *fc;
    cached_file_t *e = NULL;
    apr_status_t rv = APR_SUCCESS;

    if ((r->finfo.valid & need) == need && strlen(r->filename) < KV_FILE_CACHE_PATH_CAP &&
        (fc = thread_cache()) != NULL) {
        e = take(fc, r, &rv);
    }
    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (!e) {
        return apr_file_open(file, r->filename, OPEN_FLAGS, 0, r->pool);
    }
    return apr_os_file_put(file, &e->fd, OPEN_FLAGS, r->pool);
}
