/* Tests of modules/version/version_test.c: httpd's version syntax, the comparison, and each
 * operator of <IfVersion> with its negation, regular expressions and errors. */
#include <limits.h>
#include <string.h>

#include <apr_general.h>
#include <check.h>

#include "kv_release.h"
#include "version_test.h"
#include "../check_run.h"

static apr_pool_t *pool;

#define INVALID "Version appears to be invalid"

/* What httpd's compare_version takes, and what it refuses. */
static const struct {
    const char *text;
    int major, minor, patch;
    int valid;
} versions[] = {
    {"2", 2, 0, 0, 1},
    {"2.4", 2, 4, 0, 1},
    {"2.4.71", 2, 4, 71, 1},
    {"10.20.30", 10, 20, 30, 1},
    {"002.04.0071", 2, 4, 71, 1},
    {"2.", 2, 0, 0, 1}, /* httpd: an empty part is 0 */
    {"2..4", 2, 0, 4, 1},
    {"2.4.71.", 2, 4, 71, 1}, /* httpd: one trailing dot after the patch level */
    {"99999999999.1", INT_MAX, 1, 0, 1},
    {"", 0, 0, 0, 0},
    {".2", 0, 0, 0, 0},
    {"v2.4", 0, 0, 0, 0},
    {"-2", 0, 0, 0, 0},
    {"2.4.71.1", 0, 0, 0, 0},
    {"2.4.x", 0, 0, 0, 0},
    {"2.4-1", 0, 0, 0, 0},
    {"2.4 ", 0, 0, 0, 0},
    {"2.4.71..", 0, 0, 0, 0},
    {"/2.4/", 0, 0, 0, 0},
};

KVU_POOL_CASE(version_test_case, "version_test", pool);

KVC_LOOP_TEST(version_test_case, test_parse, 0, (int)(sizeof(versions) / sizeof(versions[0])))
{
    vt_version_t v = {-1, -1, -1};
    const char *err = vt_parse(versions[_i].text, &v);

    if (!versions[_i].valid) {
        ck_assert_msg(err && strstr(err, INVALID), "'%s' was taken", versions[_i].text);
        return;
    }
    ck_assert_msg(!err, "'%s': %s", versions[_i].text, err);
    ck_assert_int_eq(v.major, versions[_i].major);
    ck_assert_int_eq(v.minor, versions[_i].minor);
    ck_assert_int_eq(v.patch, versions[_i].patch);
}
END_TEST

KVC_TEST(version_test_case, test_compare)
{
    const vt_version_t v = {2, 4, 71};
    const vt_version_t older[] = {{1, 99, 99}, {2, 3, 999}, {2, 4, 70}, {0, 0, 0}};
    const vt_version_t newer[] = {{3, 0, 0}, {2, 5, 0}, {2, 4, 72}, {INT_MAX, 0, 0}};

    ck_assert_int_eq(vt_compare(&v, &v), 0);
    for (size_t i = 0; i < sizeof(older) / sizeof(older[0]); i++) {
        ck_assert_int_gt(vt_compare(&v, &older[i]), 0);
        ck_assert_int_lt(vt_compare(&older[i], &v), 0);
        ck_assert_int_lt(vt_compare(&v, &newer[i]), 0);
        ck_assert_int_gt(vt_compare(&newer[i], &v), 0);
    }
}
END_TEST

/* The compat version is one <IfVersion> can compare: httpd 2.4. */
KVC_TEST(version_test_case, test_compat_version)
{
    vt_version_t v;

    ck_assert_ptr_null(vt_parse(KV_HTTPD_COMPAT_VERSION, &v));
    ck_assert_int_eq(v.major, 2);
    ck_assert_int_eq(v.minor, 4);
}
END_TEST

/* Conditions against 2.4.71: whether each holds, or the reason it is refused for. */
#define CONDITIONS_FILE "tests/unit/modules/version_test_conditions.vectors"
#define CONDITIONS 48 /* the vectors in CONDITIONS_FILE */

KVC_LOOP_TEST(version_test_case, test_condition, 0, CONDITIONS)
{
    const struct kvc_vector *v = kvc_vector(CONDITIONS_FILE, CONDITIONS, 4, _i);
    const char *op = v->field[0], *arg = v->field[1];
    int want = kvc_vector_int(v, 2), holds = -1;
    const char *err = vt_condition(pool, op, arg, "2.4.71", &holds);

    if (want < 0) {
        ck_assert_msg(v->field[3] != NULL, "%s:%d: a refusal needs its reason", v->file, v->line);
        ck_assert_msg(err && strstr(err, v->field[3]), "%s:%d: '%s %s': %s", v->file, v->line, op,
                      arg, err ? err : "taken");
        return;
    }
    ck_assert_msg(!err, "%s:%d: '%s %s': %s", v->file, v->line, op, arg, err);
    ck_assert_msg(holds == want, "%s:%d: '%s %s' gave %d", v->file, v->line, op, arg, holds);
}
END_TEST

/* The version compared against must itself be one (it is kiva's constant; this guards it). */
KVC_TEST(version_test_case, test_bad_own_version)
{
    int holds = -1;

    ck_assert_ptr_nonnull(vt_condition(pool, ">=", "2.4", "2.4.x", &holds));
    ck_assert_ptr_null(vt_condition(pool, "~", "x$", "2.4.x", &holds));
    ck_assert_int_eq(holds, 1);
}
END_TEST

int main(void)
{
    return kvc_run("version_test");
}
