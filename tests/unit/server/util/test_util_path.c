/* Tests of server/util/util_path.c: decoding, normalising and mapping request paths. */
/* Moved from tests/unit/server/test_util_path.c (server/ split into layer folders). */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <check.h>

#include "kv_http.h"
#include "protocol.h"
#include "util_path.h"
#include "../../check_run.h"

#define DOCROOT "/srv/www"

static apr_pool_t *pool;

/* Run fn over a copy of in; the copy is returned through out. */
static int run(int (*fn)(char *), const char *in, const char **out)
{
    char *s = apr_pstrdup(pool, in);
    int rv = fn(s);
    *out = s;
    return rv;
}

/* fn accepts a copy of vector @a v's first field and leaves its second. */
static void assert_rewrites(int (*fn)(char *), const struct kvc_vector *v)
{
    const char *out;
    int rv = run(fn, v->field[0], &out);

    ck_assert_msg(rv == 0, "%s:%d: '%s' refused (%d)", v->file, v->line, v->field[0], rv);
    ck_assert_msg(strcmp(out, v->field[1]) == 0, "%s:%d: '%s' gives '%s', want '%s'", v->file,
                  v->line, v->field[0], out, v->field[1]);
}

#define GOOD_ESCAPES_FILE "tests/unit/server/util/util_path_unescape_ok.vectors"
#define GOOD_ESCAPES 9 /* the vectors in GOOD_ESCAPES_FILE */

KVU_POOL_CASE(util_path_case, "util_path", pool);

KVC_LOOP_TEST(util_path_case, unescape_ok, 0, GOOD_ESCAPES)
{
    assert_rewrites(kv_unescape_path, kvc_vector(GOOD_ESCAPES_FILE, GOOD_ESCAPES, 2, _i));
}
END_TEST

#define BAD_ESCAPES_FILE "tests/unit/server/util/util_path_unescape_refused.vectors"
#define BAD_ESCAPES 14 /* the vectors in BAD_ESCAPES_FILE */

KVC_LOOP_TEST(util_path_case, unescape_refused, 0, BAD_ESCAPES)
{
    const struct kvc_vector *v = kvc_vector(BAD_ESCAPES_FILE, BAD_ESCAPES, 2, _i);
    const char *out;
    int rv = run(kv_unescape_path, v->field[0], &out);

    ck_assert_msg(rv == kvc_vector_int(v, 1), "%s:%d: '%s' gives %d, want %s", v->file, v->line,
                  v->field[0], rv, v->field[1]);
}
END_TEST

#define GOOD_PATHS_FILE "tests/unit/server/util/util_path_normalize_ok.vectors"
#define GOOD_PATHS 21 /* the vectors in GOOD_PATHS_FILE */

KVC_LOOP_TEST(util_path_case, normalize_ok, 0, GOOD_PATHS)
{
    assert_rewrites(kv_normalize_path, kvc_vector(GOOD_PATHS_FILE, GOOD_PATHS, 2, _i));
}
END_TEST

static const char *const bad_paths[] = {
    "",
    "a/b",
    "./a",
    "../a",
    "/..",
    "/../",
    "/../etc/passwd",
    "/a/../../x",
    "/a/../..",
    "/./..",
    "//..",
    "/a/b/../../../c",
};

KVC_LOOP_TEST(util_path_case, normalize_refused, 0, sizeof(bad_paths) / sizeof(bad_paths[0]))
{
    const char *out;

    ck_assert_int_eq(run(kv_normalize_path, bad_paths[_i], &out), KV_HTTP_BAD_REQUEST);
}
END_TEST

KVC_TEST(util_path_case, normalize_is_idempotent)
{
    const char *once, *twice;

    for (int i = 0; i < GOOD_PATHS; i++) {
        const struct kvc_vector *v = kvc_vector(GOOD_PATHS_FILE, GOOD_PATHS, 2, i);

        ck_assert_int_eq(run(kv_normalize_path, v->field[0], &once), 0);
        ck_assert_int_eq(run(kv_normalize_path, once, &twice), 0);
        ck_assert_msg(strcmp(once, twice) == 0, "%s:%d: '%s', then '%s'", v->file, v->line, once,
                      twice);
    }
}
END_TEST

KVC_TEST(util_path_case, map_joins_without_double_slash)
{
    ck_assert_str_eq(kv_map_uri_to_file(pool, "/srv/www", "/x"), "/srv/www/x");
    ck_assert_str_eq(kv_map_uri_to_file(pool, "/srv/www/", "/x"), "/srv/www/x");
    ck_assert_str_eq(kv_map_uri_to_file(pool, "/srv/www//", "/a/b/"), "/srv/www/a/b/");
    ck_assert_str_eq(kv_map_uri_to_file(pool, "/srv/www", "/"), "/srv/www/");
    ck_assert_str_eq(kv_map_uri_to_file(pool, "/", "/x"), "/x");
}
END_TEST

KVC_TEST(util_path_case, map_never_leaves_docroot)
{
    ck_assert_str_eq(kv_map_uri_to_file(pool, DOCROOT, "//a/./b/../c"), DOCROOT "/a/c");
    ck_assert_ptr_null(kv_map_uri_to_file(pool, DOCROOT, "/../etc/passwd"));
    ck_assert_ptr_null(kv_map_uri_to_file(pool, DOCROOT, "/a/../../x"));
    ck_assert_ptr_null(kv_map_uri_to_file(pool, DOCROOT, "../x"));
    ck_assert_ptr_null(kv_map_uri_to_file(pool, DOCROOT, ""));
}
END_TEST

/* The core's order: split the target, decode, normalise, map. 0 and *file, or a status. */
static int resolve(const char *target, const char **file)
{
    const char *path, *args, *host;
    char *decoded;
    int rv = kv_split_target(pool, target, &path, &args, &host);

    if (rv != 0) {
        return rv;
    }
    decoded = apr_pstrdup(pool, path);
    rv = kv_unescape_path(decoded);
    if (rv == 0) {
        rv = kv_normalize_path(decoded);
    }
    if (rv == 0) {
        *file = kv_map_uri_to_file(pool, DOCROOT, decoded);
    }
    return rv;
}

static const struct {
    const char *target;
    int status;
    const char *file;
} resolutions[] = {
    {"/index.html", 0, DOCROOT "/index.html"},
    {"/a%20b/c.txt?x=/../..", 0, DOCROOT "/a b/c.txt"},
    {"/../etc/passwd", 400, NULL},
    {"/a/../../x", 400, NULL},
    {"/%2e%2e/x", 400, NULL},
    {"/%2E%2E/%2E%2E/etc/passwd", 400, NULL},
    {"/%2E%2E%2Fx", 404, NULL},
    {"/a/%2e%2e/%2e%2e/x", 400, NULL},
    {"/..", 400, NULL},
    {"/a/..", 0, DOCROOT "/"},
    {"/a/%2e%2e", 0, DOCROOT "/"},
    {"/a/b/..", 0, DOCROOT "/a/"},
    {"/%00", 404, NULL},
    {"/index.html%00.txt", 404, NULL},
    {"/%252e%252e/x", 0, DOCROOT "/%2e%2e/x"},
    {"/%252e%252e%252f..%252fetc", 0, DOCROOT "/%2e%2e%2f..%2fetc"},
    {"/..%2f..%2fetc/passwd", 404, NULL},
    {"/%", 400, NULL},
    {"//etc/passwd", 0, DOCROOT "/etc/passwd"},
    {"http://example.com/../x", 400, NULL},
    {"http://example.com/a/b?q", 0, DOCROOT "/a/b"},
};

KVC_LOOP_TEST(util_path_case, traversal_attempts, 0, sizeof(resolutions) / sizeof(resolutions[0]))
{
    const char *file = NULL;
    int rv = resolve(resolutions[_i].target, &file);

    ck_assert_int_eq(rv, resolutions[_i].status);
    if (rv == 0) {
        ck_assert_str_eq(file, resolutions[_i].file);
    }
}
END_TEST

int main(void)
{
    return kvc_run("util_path");
}
