/* mod_expires' pure helpers: the expiry codes of ExpiresDefault and ExpiresByType ("A3600",
 * "access plus 1 month 2 days"), the code that applies to a media type, and the time a
 * response expires. No request or config state, so a unit test can call them directly. */
#ifndef KV_EXPIRES_CODE_H
#define KV_EXPIRES_CODE_H

#include <apr_hash.h>
#include <apr_time.h>

/* An expiry: a base and seconds after it. */
typedef struct {
    char base;    /* 'A': the time of the request (access); 'M': the file's modification */
    long seconds; /* added to the base */
} ex_code_t;

/* The longest expiry accepted, in seconds (as httpd, which keeps it in an int). */
#define EX_MAX_SECONDS 2147483647L

/* Parse an expiry code into @a code: httpd's "A<seconds>" or "M<seconds>" (digits must
 * follow the letter), or
 * "<base> [plus] {<num> <type>}*" with base access|now|modification and type
 * years|months|weeks|days|hours|minutes|seconds (singular or plural; httpd compares only
 * the first letter, two for months and minutes, and so does kiva). NULL, or the reason. */
const char *ex_parse_code(apr_pool_t *p, const char *text, ex_code_t *code);

/* The key ExpiresByType files @a type under in a by-type hash: the type in lower case
 * ("image/" and a star for a whole major type). NULL if the type has no '/', which httpd refuses. */
const char *ex_type_key(apr_pool_t *p, const char *type);

/* The code for a response of Content-Type @a content_type (parameters ignored, case
 * ignored) from @a by_type (ex_type_key -> ex_code_t *): the exact type, else the major
 * type's ("image/" and a star), else @a fallback (may be NULL). */
const ex_code_t *ex_code_for_type(apr_pool_t *p, apr_hash_t *by_type, const char *content_type,
                                  const ex_code_t *fallback);

/* When a response expires under @a code: its base (@a request_time, or @a mtime for 'M')
 * plus the seconds, never before @a request_time. 0 if the code is 'M' and there is no
 * file (@a has_file 0): then no header is set, as in httpd. */
apr_time_t ex_expires_at(const ex_code_t *code, apr_time_t request_time, int has_file,
                         apr_time_t mtime);

#endif
