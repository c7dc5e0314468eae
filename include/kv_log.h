/**
 * @file kv_log.h
 * @brief The error log.
 *
 * Every line carries a stable message number, written first in the format:
 * @code
 * #define KV_LOG_MODULE "mime"   // before including kv_log.h's users, once per file
 * kv_log_error(KV_LOG_MARK, KV_LOG_ERR, rv, s, "KV00042: cannot open %s", path);
 * @endcode
 * A new message takes the number in server/log-message-next-number, which is then
 * incremented in the same commit; numbers are never reused.
 */
#ifndef KV_LOG_H
#define KV_LOG_H

#include <apr_errno.h>

#include "kv_http.h"

/** Log levels, as httpd's LogLevel names them. */
typedef enum {
    KV_LOG_EMERG, KV_LOG_ALERT, KV_LOG_CRIT, KV_LOG_ERR, KV_LOG_WARNING,
    KV_LOG_NOTICE, KV_LOG_INFO, KV_LOG_DEBUG, KV_LOG_TRACE1, KV_LOG_TRACE2,
    KV_LOG_TRACE3, KV_LOG_TRACE4, KV_LOG_TRACE5, KV_LOG_TRACE6, KV_LOG_TRACE7,
    KV_LOG_TRACE8
} kv_log_level_t;

/** Default LogLevel. */
#define KV_LOG_DEFAULT KV_LOG_WARNING

/** Where a message comes from: the file's module name (KV_LOG_MODULE), file and line. */
#define KV_LOG_MARK KV_LOG_MODULE, __FILE__, __LINE__

/** Log to the server's error log (or stderr before logs are open). @a s may be NULL. */
KV_DECLARE(void) kv_log_error(const char *module, const char *file, int line, int level,
                              apr_status_t status, const kv_server_t *s, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/** Log about a request: adds the client address. */
KV_DECLARE(void) kv_log_rerror(const char *module, const char *file, int line, int level,
                               apr_status_t status, const kv_request_t *r, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/** Log about a connection: adds the client address. */
KV_DECLARE(void) kv_log_cerror(const char *module, const char *file, int line, int level,
                               apr_status_t status, const kv_conn_t *c, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/** Level number for a LogLevel name, or -1. */
KV_DECLARE(int) kv_log_level_from_name(const char *name);

/** Would a message at @a level from @a module be written for @a s? */
KV_DECLARE(int) kv_log_enabled(const kv_server_t *s, const char *module, int level);

#endif
