/* The error log's open file, per generation (in plog). Internal to the core. */
#ifndef KV_LOG_TARGET_H
#define KV_LOG_TARGET_H

#include <apr_pools.h>

#include "kv_http.h"

struct kv_log_target {
    const char *path; /* absolute path of ErrorLog */
    int fd;           /* open for append, -1 if not open */
};

/** Open ErrorLog @a path for @a s in @a plog. */
KV_DECLARE(apr_status_t) kv_open_error_log(apr_pool_t *plog, kv_server_t *s, const char *path);

/** Send stderr to the error log (once detached, so stray writes are not lost). */
KV_DECLARE(void) kv_error_log_to_stderr(const kv_server_t *s);

#endif
