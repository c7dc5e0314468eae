/*
 * libFuzzer target for the path functions (server/util/util_path.c) and the target splitter
 * (kv_split_target in server/http/protocol.c), in the core's order: split the request-target,
 * decode, normalise, map under the document root. The input is a request-target. Besides
 * crashes it aborts when a result breaks a promise: decoding never makes a '/', the
 * normalised path agrees with a plain segment-stack model and is its own normal form, and the
 * file name stays under the document root.
 */
#include <string.h>

#include <apr_strings.h>
#include <apr_tables.h>

#include "fuzz_common.h"
#include "protocol.h"
#include "util_path.h"

#define DOCROOT "/docroot"

static size_t count_char(const char *s, char c)
{
    size_t n = 0;

    for (; *s; s++) {
        n += *s == c;
    }
    return n;
}

/* The model: a stack of segments; "" and "." are dropped, ".." pops (and fails on an empty
 * stack); a path whose last segment is "", "." or ".." ends with '/'. NULL on failure. */
static const char *model_normalize(apr_pool_t *p, const char *path)
{
    apr_array_header_t *stack = apr_array_make(p, 8, sizeof(const char *));
    const char *s = path + 1;
    const char *last = "";
    int dir = 0;

    for (;;) {
        size_t len = strcspn(s, "/");
        const char *seg = apr_pstrmemdup(p, s, len);

        last = seg;
        if (strcmp(seg, "..") == 0) {
            if (apr_array_pop(stack) == NULL) {
                return NULL;
            }
        } else if (*seg != '\0' && strcmp(seg, ".") != 0) {
            APR_ARRAY_PUSH(stack, const char *) = seg;
        }
        if (s[len] == '\0') {
            break;
        }
        s += len + 1;
    }
    dir = *last == '\0' || strcmp(last, ".") == 0 || strcmp(last, "..") == 0;
    if (stack->nelts == 0) {
        return "/";
    }
    return apr_pstrcat(p, "/", apr_array_pstrcat(p, stack, '/'), dir ? "/" : "", NULL);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int is_normal(const char *s)
{
    return s[0] == '/' && strstr(s, "//") == NULL && strstr(s, "/./") == NULL &&
           strstr(s, "/../") == NULL && !ends_with(s, "/.") && !ends_with(s, "/..");
}

static void check_split(const char *target, const char *path, const char *args, const char *host)
{
    FUZZ_REQUIRE(path != NULL && *path != '\0');
    FUZZ_REQUIRE(strchr(target, '#') == NULL);
    if (target[0] == '/') {
        /* origin-form: the target is exactly path ["?" args]. */
        size_t n = strlen(path);
        FUZZ_REQUIRE(host == NULL && strncmp(target, path, n) == 0);
        FUZZ_REQUIRE(args ? target[n] == '?' && strcmp(target + n + 1, args) == 0
                          : target[n] == '\0');
    } else if (strcmp(path, "*") != 0) {
        FUZZ_REQUIRE(host != NULL && *host != '\0' && path[0] == '/');
    }
}

static void check_normalize(apr_pool_t *p, const char *decoded)
{
    char *s = apr_pstrdup(p, decoded);
    const char *model = model_normalize(p, decoded);
    char *again;

    if (kv_normalize_path(s) != 0) {
        FUZZ_REQUIRE(model == NULL);
        return;
    }
    FUZZ_REQUIRE(model != NULL && strcmp(s, model) == 0);
    FUZZ_REQUIRE(is_normal(s) && strlen(s) <= strlen(decoded));
    again = apr_pstrdup(p, s);
    FUZZ_REQUIRE(kv_normalize_path(again) == 0 && strcmp(again, s) == 0);
}

/* Decoding happens once and never makes a separator or a NUL. */
static void check_unescape(apr_pool_t *p, const char *path, char **decoded)
{
    char *s = apr_pstrdup(p, path);
    int rv = kv_unescape_path(s);

    *decoded = NULL;
    FUZZ_REQUIRE(rv == 0 || rv == KV_HTTP_BAD_REQUEST || rv == KV_HTTP_NOT_FOUND);
    if (rv != 0) {
        return;
    }
    FUZZ_REQUIRE(strlen(s) <= strlen(path));
    FUZZ_REQUIRE(count_char(s, '/') == count_char(path, '/'));
    if (strchr(path, '%') == NULL) {
        FUZZ_REQUIRE(strcmp(s, path) == 0);
    }
    *decoded = s;
}

static void check_map(apr_pool_t *p, const char *decoded)
{
    static const char *const roots[] = {DOCROOT, DOCROOT "/", DOCROOT "//", "/"};

    for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
        const char *file = kv_map_uri_to_file(p, roots[i], decoded);
        const char *root = i < 3 ? DOCROOT : "";
        char *norm = apr_pstrdup(p, decoded);

        if (kv_normalize_path(norm) != 0) {
            FUZZ_REQUIRE(file == NULL);
            continue;
        }
        FUZZ_REQUIRE(file != NULL && strncmp(file, root, strlen(root)) == 0);
        FUZZ_REQUIRE(strcmp(file + strlen(root), norm) == 0 && strstr(file, "//") == NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_input_pool();
    const char *target = apr_pstrmemdup(p, (const char *)data, size);
    const char *path, *args, *host;
    char *decoded;

    if (strlen(target) == size && kv_split_target(p, target, &path, &args, &host) == 0) {
        check_split(target, path, args, host);
        if (path[0] == '/') {
            check_unescape(p, path, &decoded);
            if (decoded) {
                check_normalize(p, decoded);
                check_map(p, decoded);
            }
        }
    }
    /* The raw input as a path too, to reach the path functions with anything. */
    if (target[0] == '/') {
        check_normalize(p, target);
        check_unescape(p, target, &decoded);
    }
    apr_pool_destroy(p);
    return 0;
}
