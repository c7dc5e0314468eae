/**
 * @file kv_regex.h
 * @brief Regular expressions (PCRE2) as the configuration uses them: compile once in
 * pconf, match per request, substitute $0..$9 into a template.
 */
#ifndef KV_REGEX_H
#define KV_REGEX_H

#include <apr_pools.h>

#include "kv_hooks.h"

/** A compiled expression; freed with the pool it was compiled in. */
typedef struct kv_regex kv_regex_t;

/** Most capture groups a match reports ($0 to $9). */
#define KV_REGEX_MAX_MATCH 10

/** Flags for kv_regex_compile. */
enum {
    KV_REGEX_ICASE = 1 << 0 /**< case-insensitive */
};

/** One match: offsets into the subject, -1 for a group that did not take part. */
typedef struct {
    int start[KV_REGEX_MAX_MATCH];
    int end[KV_REGEX_MAX_MATCH];
} kv_regmatch_t;

/** Compile @a pattern in @a p. Returns NULL and sets *err to a message naming the
 * offset on a bad pattern. */
KV_DECLARE(kv_regex_t *) kv_regex_compile(apr_pool_t *p, const char *pattern, int flags,
                                          const char **err);

/** Match @a subject, with scratch memory from @a p; fills @a m when given. Returns 1 on a
 * match, 0 otherwise. */
KV_DECLARE(int) kv_regex_match(apr_pool_t *p, const kv_regex_t *re, const char *subject,
                               kv_regmatch_t *m);

/** @a tmpl with $0..$9 replaced by the groups of @a m in @a subject ("\$" is a
 * literal dollar). */
KV_DECLARE(const char *) kv_regex_substitute(apr_pool_t *p, const char *tmpl,
                                             const char *subject, const kv_regmatch_t *m);

#endif
