/* The access log format language of httpd's mod_log_config: a format string is compiled
 * once, at config time, into an array of items (literal text and %-directives); each
 * request renders it into one line. Pure: no files, no server state beyond the request. */
#ifndef LOG_FORMAT_H
#define LOG_FORMAT_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_time.h>

#include "kv_http.h"

/** The Common Log Format, kiva's built-in nickname "common". */
#define LOG_FORMAT_COMMON "%h %l %u %t \"%r\" %>s %b"
/** The Combined Log Format, kiva's built-in nickname "combined". */
#define LOG_FORMAT_COMBINED LOG_FORMAT_COMMON " \"%{Referer}i\" \"%{User-agent}i\""

/** A compiled format. */
typedef struct log_format {
    const char *text;          /**< the format as written */
    apr_array_header_t *items; /**< log_item_t, in order */
} log_format_t;

/** Compile @a text into *out (allocated from @a p). Returns NULL, or the reason the format
 * is refused, naming the offending directive ("unrecognized directive %Z"). */
const char *log_format_compile(apr_pool_t *p, const char *text, log_format_t **out);

/** Render @a fmt for @a r into one newline-terminated line from r->pool. @a now is the time
 * the request is logged (for %D, %T and %{end:...}t); *len receives the line's length. */
char *log_format_render(const log_format_t *fmt, kv_request_t *r, apr_time_t now, apr_size_t *len);

#endif
