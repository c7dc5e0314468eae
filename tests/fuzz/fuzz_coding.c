/*
 * libFuzzer target for the content-coding lists (server/http/util_coding.c, see README.md): an
 * Accept-Encoding or Content-Encoding value. Besides crashes and sanitizer reports, it aborts
 * when an answer breaks a promise: a coding is accepted only when the value names it, another
 * element before or after never changes whether it is, and a value that only names identity
 * codings accepts neither gzip nor br.
 */
#include <string.h>

#include <apr_strings.h>

#include "fuzz_common.h"
#include "kv_coding.h"

static const char *const codings[] = {"gzip", "br"};

/* Does @a s contain @a needle, ignoring case? */
static int contains(const char *s, const char *needle)
{
    size_t n = strlen(needle);

    for (; *s; s++) {
        if (strncasecmp(s, needle, n) == 0) {
            return 1;
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_input_pool();
    /* A field value holds no NUL (the head parser refuses it): the bytes up to the first. */
    const char *value = apr_pstrmemdup(p, (const char *)data, size);
    const char *before = apr_pstrcat(p, "x-other, ", value, NULL);
    const char *after = apr_pstrcat(p, value, ", x-other;q=0", NULL);
    int identity = kv_coding_is_identity(value);

    for (size_t i = 0; i < sizeof(codings) / sizeof(codings[0]); i++) {
        int yes = kv_coding_accepted(value, codings[i]);
        FUZZ_REQUIRE(yes == 0 || yes == 1);
        FUZZ_REQUIRE(!yes || contains(value, codings[i]));
        FUZZ_REQUIRE(kv_coding_accepted(before, codings[i]) == yes);
        FUZZ_REQUIRE(kv_coding_accepted(after, codings[i]) == yes);
        FUZZ_REQUIRE(!(identity && yes));
    }
    FUZZ_REQUIRE(kv_coding_is_identity(apr_pstrcat(p, "identity, ", value, NULL)) == identity);
    apr_pool_destroy(p);
    return 0;
}
