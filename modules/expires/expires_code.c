/* mod_expires' pure helpers: expiry codes, the code for a type, the expiry time. */
#include <string.h>
#include <strings.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "expires_code.h"

/* httpd's units, each recognised by its first @a significant letters. */
static const struct {
    const char *name;
    size_t significant;
    long seconds;
} units[] = {
    {"years", 1, 60L * 60 * 24 * 365}, {"months", 2, 60L * 60 * 24 * 30},
    {"weeks", 1, 60L * 60 * 24 * 7},   {"days", 1, 60L * 60 * 24},
    {"hours", 1, 60L * 60},            {"minutes", 2, 60},
    {"seconds", 1, 1},
};

/* Does @a word start as httpd's strncasecmp(word, name, n) wants it to? */
static int starts_as(const char *word, const char *name, size_t n)
{
    return strncasecmp(word, name, n) == 0;
}

/* A decimal number of at most EX_MAX_SECONDS, all digits; -1 if @a s is not one. */
static long parse_seconds(const char *s)
{
    long n = 0;

    if (!*s) {
        return -1;
    }
    for (; *s; s++) {
        if (!apr_isdigit(*s) || n > (EX_MAX_SECONDS - (*s - '0')) / 10) {
            return -1;
        }
        n = n * 10 + (*s - '0');
    }
    return n;
}

/* The old form, "A3600" or "M3600". */
static const char *parse_short(apr_pool_t *p, const char *text, ex_code_t *code)
{
    long n = parse_seconds(text + 1);

    if (n < 0) {
        return apr_psprintf(p, "bad expires code, %s: want A or M and at most %ld seconds",
                            text, EX_MAX_SECONDS);
    }
    code->base = text[0];
    code->seconds = n;
    return NULL;
}

static long unit_seconds(const char *word)
{
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (starts_as(word, units[i].name, units[i].significant)) {
            return units[i].seconds;
        }
    }
    return 0;
}

const char *ex_parse_code(apr_pool_t *p, const char *text, ex_code_t *code)
{
    char *words = apr_pstrdup(p, text), *last = NULL;
    const char *word = apr_strtok(words, " \t", &last);
    long total = 0;
    char base;

    /* httpd takes any code starting with A or M as the old form, so that "Access plus 1 day"
     * silently means 0 seconds; kiva reads the old form only when digits follow. */
    if ((text[0] == 'A' || text[0] == 'M') && apr_isdigit(text[1])) {
        return parse_short(p, text, code);
    }
    if (!word) {
        return "bad expires code, unrecognised <base> ''";
    }
    if (starts_as(word, "now", 1) || starts_as(word, "access", 1)) {
        base = 'A';
    } else if (starts_as(word, "modification", 1)) {
        base = 'M';
    } else {
        return apr_psprintf(p, "bad expires code, unrecognised <base> '%s'", word);
    }
    word = apr_strtok(NULL, " \t", &last);
    if (word && starts_as(word, "plus", 1)) {
        word = apr_strtok(NULL, " \t", &last);
    }
    for (; word; word = apr_strtok(NULL, " \t", &last)) {
        long num = parse_seconds(word), factor;
        const char *type = apr_strtok(NULL, " \t", &last);
        if (num < 0) {
            return apr_psprintf(p, "bad expires code, numeric value expected <num> '%s'", word);
        }
        if (!type) {
            return "bad expires code, missing <type>";
        }
        if (!(factor = unit_seconds(type))) {
            return apr_psprintf(p, "bad expires code, unrecognised <type> '%s'", type);
        }
        if (num > (EX_MAX_SECONDS - total) / factor) {
            return apr_psprintf(p, "bad expires code, more than %ld seconds", EX_MAX_SECONDS);
        }
        total += num * factor;
    }
    code->base = base;
    code->seconds = total;
    return NULL;
}

const char *ex_type_key(apr_pool_t *p, const char *type)
{
    char *key;

    if (!strchr(type, '/')) {
        return NULL;
    }
    key = apr_pstrdup(p, type);
    for (char *c = key; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    return key;
}

const ex_code_t *ex_code_for_type(apr_pool_t *p, apr_hash_t *by_type, const char *content_type,
                                  const ex_code_t *fallback)
{
    const char *type, *key, *slash;
    const ex_code_t *code;

    if (!content_type) {
        return fallback;
    }
    type = apr_pstrndup(p, content_type, strcspn(content_type, "; \t"));
    if (!(key = ex_type_key(p, type))) {
        return fallback;
    }
    if ((code = apr_hash_get(by_type, key, APR_HASH_KEY_STRING))) {
        return code;
    }
    slash = strchr(key, '/');
    code = apr_hash_get(by_type, apr_pstrcat(p, apr_pstrndup(p, key, (apr_size_t)(slash - key)),
                                             "/*", NULL),
                        APR_HASH_KEY_STRING);
    return code ? code : fallback;
}

apr_time_t ex_expires_at(const ex_code_t *code, apr_time_t request_time, int has_file,
                         apr_time_t mtime)
{
    apr_time_t base = request_time, at;

    if (code->base == 'M') {
        if (!has_file) {
            return 0;
        }
        base = mtime;
    }
    at = base + apr_time_from_sec(code->seconds);
    return at < request_time ? request_time : at;
}
