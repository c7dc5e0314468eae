/* Tests of modules/alias/alias_util.c: URL-path matching, redirect status words, joining a
 * mapped path under its target. */
#include <stdlib.h>

#include <apr_general.h>
#include <check.h>

#include "alias_util.h"
#include "../check_run.h"

static apr_pool_t *pool;

#define MATCHES_FILE "tests/unit/modules/alias_util_match_len.vectors"
#define MATCHES 15 /* the vectors in MATCHES_FILE */

KVU_POOL_CASE(alias_util_case, "alias_util", pool);

KVC_LOOP_TEST(alias_util_case, match_len, 0, MATCHES)
{
    const struct kvc_vector *v = kvc_vector(MATCHES_FILE, MATCHES, 3, _i);
    apr_size_t len = alias_match_len(v->field[0], v->field[1]);

    ck_assert_msg(len == (apr_size_t)kvc_vector_int(v, 2), "%s:%d: '%s' under '%s': %zu, want %s",
                  v->file, v->line, v->field[0], v->field[1], len, v->field[2]);
}
END_TEST

static const struct {
    const char *word;
    int status;
} statuses[] = {
    {"permanent", 301}, {"Permanent", 301}, {"temp", 302}, {"seeother", 303}, {"gone", 410},
    {"301", 301},       {"307", 307},       {"308", 308},  {"300", 300},      {"399", 399},
    {"410", 410},       {"404", 404},       {"/path", 0},  {"http://x", 0},   {"200", -1},
    {"299", -1},        {"600", -1},        {"3010", -1},  {"30x", -1},       {"499", -1},
};

KVC_LOOP_TEST(alias_util_case, status_words, 0, sizeof(statuses) / sizeof(statuses[0]))
{
    ck_assert_int_eq(alias_redirect_status(statuses[_i].word), statuses[_i].status);
}
END_TEST

KVC_TEST(alias_util_case, urls)
{
    ck_assert(alias_is_url("http://example.com/"));
    ck_assert(alias_is_url("https://example.com"));
    ck_assert(alias_is_url("mailto:root@example.com"));
    ck_assert(alias_is_url("svn+ssh://host/x"));
    ck_assert(!alias_is_url("/path"));
    ck_assert(!alias_is_url("relative/path"));
    ck_assert(!alias_is_url("1http://x"));
    ck_assert(!alias_is_url(""));
}
END_TEST

static const struct {
    const char *root, *rest, *out;
} joins[] = {
    {"/srv/data", "/a.txt", "/srv/data/a.txt"},
    {"/srv/data/", "a.txt", "/srv/data/a.txt"},
    {"/srv/data", "", "/srv/data"},
    {"/srv/data", "/", "/srv/data"},
    {"/srv/data", "/sub/", "/srv/data/sub/"},
    {"/srv/data", "//a//b", "/srv/data/a/b"},
    {"/srv/data", "/a/../b", "/srv/data/b"},
    {"/srv/data", "/..", NULL},
    {"/srv/data", "/../x", NULL},
    {"/srv/data", "/a/../../x", NULL},
    {"/srv/data", "/./../x", NULL},
};

KVC_LOOP_TEST(alias_util_case, join, 0, sizeof(joins) / sizeof(joins[0]))
{
    const char *out = alias_join(pool, joins[_i].root, joins[_i].rest);

    if (joins[_i].out) {
        ck_assert_ptr_nonnull(out);
        ck_assert_str_eq(out, joins[_i].out);
    } else {
        ck_assert_ptr_null(out);
    }
}
END_TEST

KVC_TEST(alias_util_case, literal_dir)
{
    ck_assert_uint_eq(alias_literal_dir_len("/srv/img/$1.png"), 9);
    ck_assert_uint_eq(alias_literal_dir_len("/srv/x$1"), 5);
    ck_assert_uint_eq(alias_literal_dir_len("/srv/\\$1/$2"), 5);
    ck_assert_uint_eq(alias_literal_dir_len("$1"), 0);
    ck_assert_uint_eq(alias_literal_dir_len("/srv/file.txt"), 13);
}
END_TEST

int main(void)
{
    return kvc_run("alias_util");
}
