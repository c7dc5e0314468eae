/* The error log: one line per message, with time, module, level, pid and a message number.
 * Before ErrorLog is open (while reading the configuration) messages go to stderr. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <apr_file_io.h>
#include <apr_portable.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include <apr_time.h>

#include "kv_log.h"
#include "log_target.h"

static const char *const level_names[] = {
    "emerg", "alert", "crit", "error", "warn", "notice", "info", "debug",
    "trace1", "trace2", "trace3", "trace4", "trace5", "trace6", "trace7", "trace8"};

KV_DECLARE(int) kv_log_level_from_name(const char *name)
{
    for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
        if (strcasecmp(name, level_names[i]) == 0) {
            return (int)i;
        }
    }
    return -1;
}

KV_DECLARE(int) kv_log_enabled(const kv_server_t *s, const char *module, int level)
{
    int limit = KV_LOG_DEFAULT;

    if (s) {
        limit = s->log_level;
        if (s->module_log_levels && module) {
            const int *own = apr_hash_get(s->module_log_levels, module, APR_HASH_KEY_STRING);
            if (own) {
                limit = *own;
            }
        }
    }
    return level <= limit;
}

/* The fd messages go to: the server's ErrorLog once open, else stderr. */
static int log_fd(const kv_server_t *s)
{
    if (s && s->error_log && s->error_log->fd >= 0) {
        return s->error_log->fd;
    }
    return STDERR_FILENO;
}

static void write_line(const char *module, int level, apr_status_t status, const kv_server_t *s,
                       const char *client, const char *fmt, va_list ap)
{
    char buf[8192];
    char timestr[APR_CTIME_LEN];
    apr_time_t now = apr_time_now();
    size_t len;
    int n;

    apr_ctime(timestr, now);
    /* "Mon Nov 23 13:48:10 2026" gets microseconds after the seconds, as httpd prints. */
    n = snprintf(buf, sizeof(buf), "[%.19s.%06d %s] [%s:%s] [pid %d] ", timestr,
                 (int)apr_time_usec(now), timestr + 20, module,
                 level_names[level < 0 ? 0 : level > KV_LOG_TRACE8 ? KV_LOG_TRACE8 : level],
                 (int)getpid());
    len = n > 0 ? (size_t)n : 0;
    if (client && len < sizeof(buf)) {
        n = snprintf(buf + len, sizeof(buf) - len, "[client %s] ", client);
        len += n > 0 ? (size_t)n : 0;
    }
    if (len < sizeof(buf)) {
        n = vsnprintf(buf + len, sizeof(buf) - len, fmt, ap);
        len += n > 0 ? (size_t)n : 0;
    }
    if (status != APR_SUCCESS && len < sizeof(buf)) {
        char err[256];
        n = snprintf(buf + len, sizeof(buf) - len, ": %s",
                     apr_strerror(status, err, sizeof(err)));
        len += n > 0 ? (size_t)n : 0;
    }
    if (len > sizeof(buf) - 2) {
        len = sizeof(buf) - 2;
    }
    buf[len++] = '\n';
    /* One write(2) per line: O_APPEND keeps lines of concurrent children whole. */
    if (write(log_fd(s), buf, len) < 0) {
        return;
    }
}

/* The body of the three entry points below, which differ only in where the server and the
 * client's address come from; a macro because each has its own variable arguments. */
#define LOG_LINE(server, client_ip)                                                     \
    do {                                                                                \
        va_list ap;                                                                     \
        (void)file;                                                                     \
        (void)line;                                                                     \
        if (kv_log_enabled((server), module, level)) {                                  \
            va_start(ap, fmt);                                                          \
            write_line(module, level, status, (server), (client_ip), fmt, ap);          \
            va_end(ap);                                                                 \
        }                                                                               \
    } while (0)

KV_DECLARE(void) kv_log_error(const char *module, const char *file, int line, int level,
                              apr_status_t status, const kv_server_t *s, const char *fmt, ...)
{
    LOG_LINE(s, NULL);
}

KV_DECLARE(void) kv_log_rerror(const char *module, const char *file, int line, int level,
                               apr_status_t status, const kv_request_t *r, const char *fmt, ...)
{
    LOG_LINE(r->server, r->useragent_ip);
}

KV_DECLARE(void) kv_log_cerror(const char *module, const char *file, int line, int level,
                               apr_status_t status, const kv_conn_t *c, const char *fmt, ...)
{
    LOG_LINE(c->base_server, c->client_ip);
}

KV_DECLARE(apr_status_t) kv_open_error_log(apr_pool_t *plog, kv_server_t *s, const char *path)
{
    apr_file_t *f;
    apr_status_t rv;
    struct kv_log_target *t = apr_pcalloc(plog, sizeof(*t));

    t->path = path;
    t->fd = -1;
    rv = apr_file_open(&f, path, APR_WRITE | APR_APPEND | APR_CREATE, APR_OS_DEFAULT, plog);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    apr_os_file_get(&t->fd, f);
    s->error_log = t;
    return APR_SUCCESS;
}

KV_DECLARE(void) kv_error_log_to_stderr(const kv_server_t *s)
{
    if (s->error_log && s->error_log->fd >= 0) {
        dup2(s->error_log->fd, STDERR_FILENO);
    }
}
