/* PCRE2 behind kv_regex.h. A match's scratch memory comes from the caller's pool through
 * a PCRE2 general context, so nothing is malloc'ed on the request path. */
#include <string.h>

#include <apr_strings.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "kv_regex.h"

struct kv_regex {
    pcre2_code *code;
};

static apr_status_t free_code(void *data)
{
    pcre2_code_free(((kv_regex_t *)data)->code);
    return APR_SUCCESS;
}

KV_DECLARE(kv_regex_t *) kv_regex_compile(apr_pool_t *p, const char *pattern, int flags,
                                          const char **err)
{
    kv_regex_t *re = apr_pcalloc(p, sizeof(*re));
    int code;
    PCRE2_SIZE offset;
    uint32_t options = (flags & KV_REGEX_ICASE) ? PCRE2_CASELESS : 0;

    re->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, options, &code,
                             &offset, NULL);
    if (!re->code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof(msg));
        *err = apr_psprintf(p, "bad regular expression '%s' at offset %lu: %s", pattern,
                            (unsigned long)offset, (const char *)msg);
        return NULL;
    }
    apr_pool_cleanup_register(p, re, free_code, apr_pool_cleanup_null);
    return re;
}

static void *pool_alloc(PCRE2_SIZE size, void *pool)
{
    return apr_palloc(pool, size);
}

static void pool_free(void *mem, void *pool)
{
    /* Freed with the pool. */
    (void)mem;
    (void)pool;
}

KV_DECLARE(int) kv_regex_match(apr_pool_t *p, const kv_regex_t *re, const char *subject,
                               kv_regmatch_t *m)
{
    pcre2_general_context *gc = pcre2_general_context_create(pool_alloc, pool_free, p);
    pcre2_match_data *md = gc ? pcre2_match_data_create(KV_REGEX_MAX_MATCH, gc) : NULL;
    int rc;

    if (!md) {
        return 0;
    }
    rc = pcre2_match(re->code, (PCRE2_SPTR)subject, strlen(subject), 0, 0, md, NULL);
    if (rc >= 0 && m) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        uint32_t pairs = pcre2_get_ovector_count(md);
        for (int i = 0; i < KV_REGEX_MAX_MATCH; i++) {
            int used = (uint32_t)i < pairs && (rc == 0 || i < rc) && ov[2 * i] != PCRE2_UNSET;
            m->start[i] = used ? (int)ov[2 * i] : -1;
            m->end[i] = used ? (int)ov[2 * i + 1] : -1;
        }
    }
    return rc >= 0;
}

KV_DECLARE(const char *) kv_regex_substitute(apr_pool_t *p, const char *tmpl,
                                             const char *subject, const kv_regmatch_t *m)
{
    size_t len = 0;
    char *out, *o;

    /* Two passes: measure, then copy. */
    for (const char *t = tmpl; *t; t++) {
        if (*t == '\\' && (t[1] == '$' || t[1] == '\\')) {
            t++;
            len++;
        } else if (*t == '$' && t[1] >= '0' && t[1] <= '9') {
            int g = t[1] - '0';
            t++;
            if (m->start[g] >= 0) {
                len += (size_t)(m->end[g] - m->start[g]);
            }
        } else {
            len++;
        }
    }
    o = out = apr_palloc(p, len + 1);
    for (const char *t = tmpl; *t; t++) {
        if (*t == '\\' && (t[1] == '$' || t[1] == '\\')) {
            *o++ = *++t;
        } else if (*t == '$' && t[1] >= '0' && t[1] <= '9') {
            int g = *++t - '0';
            if (m->start[g] >= 0) {
                memcpy(o, subject + m->start[g], (size_t)(m->end[g] - m->start[g]));
                o += m->end[g] - m->start[g];
            }
        } else {
            *o++ = *t;
        }
    }
    *o = '\0';
    return out;
}
