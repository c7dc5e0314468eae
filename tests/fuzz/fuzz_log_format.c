/*
 * libFuzzer target for mod_log_config's format language (modules/log_config/log_format.c).
 * The input is "FORMAT\0VALUE": the format is compiled and, if valid, rendered for a request
 * whose client-controlled fields all carry VALUE. Besides crashes it aborts when a result
 * breaks a promise: a line is one string of the length reported, ending in a newline, and
 * what the client sent can never add a line break to it (values are escaped).
 */
#include <string.h>

#include <apr_strings.h>

#include "fuzz_common.h"
#include "log_config/log_format.h"

/* When the request is logged: 1.5 s after it arrived. */
#define LOGGED_AFTER 1500000

static size_t line_breaks(const char *s, apr_size_t len)
{
    size_t n = 0;

    for (apr_size_t i = 0; i < len; i++) {
        n += s[i] == '\n' || s[i] == '\r';
    }
    return n;
}

/* @a value with every control character replaced, so that it cannot break a line. */
static const char *harmless(apr_pool_t *p, const char *value)
{
    char *s = apr_pstrdup(p, value);

    for (char *c = s; *c; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f) {
            *c = '_';
        }
    }
    return s;
}

static const char *render(apr_pool_t *p, const log_format_t *fmt, const char *value,
                          apr_size_t *len)
{
    kv_request_t *r = fuzz_make_request(p, value);
    const char *line = log_format_render(fmt, r, r->request_time + LOGGED_AFTER, len);

    FUZZ_REQUIRE(line != NULL && *len >= 1 && strlen(line) == *len && line[*len - 1] == '\n');
    return line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_input_pool();
    const char *text, *value, *line, *plain;
    apr_size_t len, plain_len;
    log_format_t *fmt = NULL;
    const char *err;

    fuzz_split(p, data, size, &text, &value);
    err = log_format_compile(p, text, &fmt);
    if (err != NULL) {
        FUZZ_REQUIRE(*err != '\0');
    } else {
        FUZZ_REQUIRE(fmt != NULL && strcmp(fmt->text, text) == 0);
        line = render(p, fmt, value, &len);
        plain = render(p, fmt, harmless(p, value), &plain_len);
        FUZZ_REQUIRE(line_breaks(line, len) == line_breaks(plain, plain_len));
    }
    apr_pool_destroy(p);
    return 0;
}
