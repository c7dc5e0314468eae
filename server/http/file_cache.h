/* Open files kept per thread for the default handler (file_cache.c). */
#ifndef KV_FILE_CACHE_H
#define KV_FILE_CACHE_H

#include <apr_file_io.h>

#include "kv_http.h"

/** Files one thread keeps open, and all the threads of a process together. */
#define KV_FILE_CACHE_THREAD_FILES 8
#define KV_FILE_CACHE_PROCESS_FILES 64
/** Paths this long or longer are opened each time. */
#define KV_FILE_CACHE_PATH_CAP 240

/** Open r->filename, the regular file r->finfo describes, for reading for the life of
 * r->pool. The descriptor may be one this thread keeps open between requests (then the file
 * carries APR_FOPEN_NOCLEANUP: it is not closed with r->pool, and what must outlive the
 * request needs a descriptor of its own). */
apr_status_t kv_file_cache_open(apr_file_t **file, kv_request_t *r);

#endif
