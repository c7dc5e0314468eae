/*
 * libFuzzer target for the request-head parser and the path functions (see README).
 * Besides crashes and sanitizer reports, it aborts when a result breaks a promise the
 * parser or the path functions make.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "protocol.h"
#include "util_path.h"

#define DOCROOT "/docroot"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int cond)
{
    if (!cond) {
        abort();
    }
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

/* The core's order: split, decode, normalise, map; the result must stay under DOCROOT. */
static void resolve(apr_pool_t *p, const char *target)
{
    const char *path, *args, *host, *file;
    char *s;

    if (kv_split_target(p, target, &path, &args, &host) != 0 || strcmp(path, "*") == 0) {
        return;
    }
    s = apr_pstrdup(p, path);
    if (kv_unescape_path(s) != 0 || kv_normalize_path(s) != 0) {
        return;
    }
    require(is_normal(s));
    file = kv_map_uri_to_file(p, DOCROOT, s);
    require(file != NULL && strncmp(file, DOCROOT "/", strlen(DOCROOT "/")) == 0);
    require(strcmp(file + strlen(DOCROOT), s) == 0);
}

static int parse(apr_pool_t *p, const uint8_t *data, size_t size, kv_request_head_t *head)
{
    /* Small limits, so that the fuzzer reaches them. */
    static const kv_parse_limits_t lim = {.line_max = 200, .field_size_max = 100, .fields_max = 8};

    return kv_parse_request_head(p, (const char *)data, size, &lim, head);
}

/* One byte more never turns a result around: done stays done, an error stays the same error,
 * and "need more" only follows "need more". */
static void check_resumable(apr_pool_t *p, const uint8_t *data, size_t size, int rv,
                            const kv_request_head_t *head)
{
    kv_request_head_t shorter;
    int prev;

    if (size == 0) {
        return;
    }
    prev = parse(p, data, size - 1, &shorter);
    if (prev > 0) {
        require(rv == prev);
    } else if (prev == KV_PARSE_ERROR) {
        require(rv == KV_PARSE_ERROR && head->status == shorter.status);
    }
    if (rv == KV_PARSE_AGAIN) {
        require(prev == KV_PARSE_AGAIN);
    }
}

static void check_head(apr_pool_t *p, int rv, size_t size, const kv_request_head_t *head)
{
    const char *cl;
    apr_off_t len;

    if (rv == KV_PARSE_ERROR) {
        require(head->status >= 400 && head->status < 600 && head->reason != NULL);
        return;
    }
    if (rv == KV_PARSE_AGAIN) {
        return;
    }
    require(rv > 0 && (size_t)rv <= size);
    require(head->method && head->target && head->protocol && head->headers);
    require(head->proto_num >= KV_HTTP_VERSION(1, 0) && head->proto_num <= KV_HTTP_VERSION(1, 9));
    cl = apr_table_get(head->headers, "Content-Length");
    if (cl != NULL && kv_parse_content_length(cl, &len) == 0) {
        require(len >= 0);
    }
    resolve(p, head->target);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static apr_pool_t *root;
    apr_pool_t *p;
    kv_request_head_t head;
    int rv;

    if (root == NULL) {
        apr_initialize();
        apr_pool_create(&root, NULL);
    }
    apr_pool_create(&p, root);
    rv = parse(p, data, size, &head);
    check_head(p, rv, size, &head);
    check_resumable(p, data, size, rv, &head);
    /* The raw bytes as a target too, to reach the path functions with anything. */
    resolve(p, apr_pstrmemdup(p, (const char *)data, size));
    apr_pool_destroy(p);
    return 0;
}
