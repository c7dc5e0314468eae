/**
 * @file protocol.h
 * @brief The HTTP/1.1 request-head parser (internal to the core).
 *
 * The parser is pure and resumable: the connection code keeps every byte received since the
 * start of the current request in one buffer and calls kv_parse_request_head() on the whole
 * buffer each time more bytes arrive, until it returns a length ("done") or an error.
 * It never reads a socket and never logs.
 */
#ifndef KV_PROTOCOL_H
#define KV_PROTOCOL_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "kv_http.h"

/** kv_parse_request_head(): the buffer is not a complete head yet; call again with more. */
#define KV_PARSE_AGAIN (-2)
/** kv_parse_request_head(): the head is malformed or over a limit; see status and reason. */
#define KV_PARSE_ERROR (-1)

/** Most empty lines skipped before a request line (httpd allows as many). */
#define KV_PARSE_MAX_BLANK_LINES 10

/** The limits a head is parsed under. Line lengths exclude the line ending. */
typedef struct {
    apr_size_t line_max;       /**< LimitRequestLine: longest request line */
    apr_size_t field_size_max; /**< LimitRequestFieldSize: longest field line */
    int fields_max;            /**< LimitRequestFields: most field lines; 0 is unlimited */
} kv_parse_limits_t;

/** A parsed request head. On success every string is a copy in the caller's pool. */
typedef struct {
    const char *request_line;  /**< request line as received, without its line ending */
    const char *method;        /**< method token */
    kv_method_t method_number; /**< method as a number, KV_M_OTHER if unknown */
    const char *target;        /**< request-target as received */
    const char *protocol;      /**< "HTTP/1.1" */
    int proto_num;             /**< KV_HTTP_VERSION(1, 1) */
    apr_table_t *headers;      /**< field names as received; values trimmed of SP and HTAB */
    int status;                /**< on error: the HTTP status to answer */
    const char *reason;        /**< on error: short static text for the error log */
} kv_request_head_t;

/**
 * Parse a request head (optional empty lines, request line, field lines, empty line) at the
 * start of @a buf, as RFC 9112 says and httpd 2.4 answers in its default strict mode.
 * @param p    pool the strings and the header table are copied into, on success only
 * @param buf  every byte received since the start of the request
 * @param len  length of @a buf
 * @param lim  the limits; a buffer already over one is an error, never KV_PARSE_AGAIN
 * @param out  filled on success; on error only status and reason are set
 * @return bytes the head takes (> 0; what follows is the body or the next request),
 *         KV_PARSE_AGAIN if more bytes are needed, or KV_PARSE_ERROR.
 * Each call costs time in proportion to @a len: call it when bytes arrive, not per byte.
 */
int kv_parse_request_head(apr_pool_t *p, const char *buf, apr_size_t len,
                          const kv_parse_limits_t *lim, kv_request_head_t *out);

/**
 * Has a whole, valid request line arrived at the start of @a buf (after the empty lines a
 * head may start with)? What a request that times out gets depends on it, as in httpd: a
 * 408 answer once the request line is in, only a closed connection before.
 * @param line on 1: the request line without its end, copied into @a p
 * @return 1, or 0 if the line is not whole yet or is malformed
 */
int kv_request_line_received(apr_pool_t *p, const char *buf, apr_size_t len,
                             const kv_parse_limits_t *lim, const char **line);

/**
 * Parse a Content-Length value: one or more digits, nothing else (no sign, no space, no
 * comma-separated list), not above the largest apr_off_t.
 * @return 0 with *out set, or -1 if the value is invalid.
 */
int kv_parse_content_length(const char *s, apr_off_t *out);

/**
 * Split a request-target into path, query and host.
 * - origin-form "/p?q": path "/p", args "q", host NULL;
 * - absolute-form "http://host[:port]/p?q": path "/p" ("/" if empty), args "q",
 *   host "host[:port]" as written (a Host field value, to replace the Host field);
 * - asterisk-form "*": path "*", args NULL, host NULL.
 * args is NULL if there is no '?'. Authority-form, other schemes, userinfo, an empty
 * authority or one kv_parse_host() refuses, and fragments are refused. The path is still
 * percent-encoded.
 * @return 0, or KV_HTTP_BAD_REQUEST (outputs then untouched).
 */
int kv_split_target(apr_pool_t *p, const char *target, const char **path, const char **args,
                    const char **host);

/** What kv_check_field_line() found wrong with a field line; each caller words it. */
typedef enum {
    KV_FIELD_OK,
    KV_FIELD_FOLDED,         /**< starts with SP or HTAB: obs-fold, or an indented line */
    KV_FIELD_NO_COLON,       /**< no colon */
    KV_FIELD_SPACE_IN_NAME,  /**< SP or HTAB in the name, before the colon included */
    KV_FIELD_BAD_NAME,       /**< the name is not a token (a NUL in it included) */
    KV_FIELD_BAD_VALUE       /**< a control character other than HTAB (NUL included) in
                                  the value */
} kv_field_fault_t;

/** A field line split at its first colon, pointing into the line; not NUL-terminated. */
typedef struct {
    const char *name;
    apr_size_t name_len;
    const char *value; /**< trimmed of SP and HTAB */
    apr_size_t value_len;
} kv_field_line_t;

/**
 * Check one field line, without its line end, by RFC 9110 section 5 and RFC 9112 section 5:
 * the rules of the request head's fields and of a chunked body's trailer fields alike.
 * @param out on KV_FIELD_OK: the name and the trimmed value
 */
kv_field_fault_t kv_check_field_line(const char *line, apr_size_t len, kv_field_line_t *out);

/** Is @a c a tchar of RFC 9110 section 5.6.2, a byte a token may hold? */
int kv_is_tchar(char c);

#endif
