/* Tests of server/http/http_range.c: the pure Range parser. */
/* Moved from tests/unit/server/test_http_range.c (server/ split into layer folders). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "http_range.h"
#include "../../check_run.h"

static apr_pool_t *pool;
static apr_array_header_t *ranges;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
    ranges = NULL;
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

static kv_range_result_t parse(const char *value, apr_off_t length)
{
    ranges = NULL;
    return kv_range_parse(pool, value, length, &ranges);
}

/* The parsed ranges, as "first-last,first-last". */
static const char *ranges_text(void)
{
    const char *text = "";

    for (int i = 0; ranges && i < ranges->nelts; i++) {
        const kv_byte_range_t *r = &APR_ARRAY_IDX(ranges, i, kv_byte_range_t);
        text = apr_psprintf(pool, "%s%s%" APR_OFF_T_FMT "-%" APR_OFF_T_FMT, text, i ? "," : "",
                            r->first, r->last);
    }
    return text;
}

/* @a value on a body of @a length gives the ranges @a want; @a where leads the messages. */
static void assert_ranges(const char *where, const char *value, apr_off_t length, const char *want)
{
    kv_range_result_t rv = parse(value, length);

    ck_assert_msg(rv == KV_RANGE_SATISFIABLE, "%s%s on %ld: result %d", where, value, (long)length,
                  rv);
    ck_assert_msg(strcmp(ranges_text(), want) == 0, "%s%s on %ld: %s, want %s", where, value,
                  (long)length, ranges_text(), want);
}

/* @a value on a body of @a length gives @a want; @a where leads the message. */
static void assert_result(const char *where, const char *value, apr_off_t length,
                          kv_range_result_t want)
{
    kv_range_result_t rv = parse(value, length);

    ck_assert_msg(rv == want, "%s%s on %ld: result %d, want %d", where, value, (long)length, rv,
                  want);
}

/* Satisfiable Range values and the ranges they give. */
#define SATISFIABLE_FILE "tests/unit/server/http/http_range_satisfiable.vectors"
#define SATISFIABLE 27 /* the vectors in SATISFIABLE_FILE */

KVU_CASE(parse_case, "parse", setup, teardown);

KVC_LOOP_TEST(parse_case, satisfiable_ranges, 0, SATISFIABLE)
{
    const struct kvc_vector *v = kvc_vector(SATISFIABLE_FILE, SATISFIABLE, 3, _i);

    assert_ranges(apr_psprintf(pool, "%s:%d: ", v->file, v->line), v->field[0],
                  kvc_vector_int(v, 1), v->field[2]);
}
END_TEST

/* Range values that give no ranges, and what they give instead. */
#define REFUSED_FILE "tests/unit/server/http/http_range_refused.vectors"
#define REFUSED 27 /* the vectors in REFUSED_FILE */

KVC_LOOP_TEST(parse_case, refused_ranges, 0, REFUSED)
{
    const struct kvc_vector *v = kvc_vector(REFUSED_FILE, REFUSED, 3, _i);
    const char *where = apr_psprintf(pool, "%s:%d: ", v->file, v->line);
    int unsatisfiable = strcmp(v->field[2], "UNSATISFIABLE") == 0;

    ck_assert_msg(unsatisfiable || strcmp(v->field[2], "IGNORE") == 0, "%s%s is no result", where,
                  v->field[2]);
    assert_result(where, v->field[0], kvc_vector_int(v, 1),
                  unsatisfiable ? KV_RANGE_UNSATISFIABLE : KV_RANGE_IGNORE);
    ck_assert_ptr_null(ranges);
}
END_TEST

KVC_TEST(parse_case, no_field)
{
    ck_assert_int_eq(kv_range_parse(pool, NULL, 100, &ranges), KV_RANGE_IGNORE);
}
END_TEST

static const char *repeat_spec(const char *spec, int n)
{
    const char *value = "bytes=";

    for (int i = 0; i < n; i++) {
        value = apr_pstrcat(pool, value, i ? "," : "", spec, NULL);
    }
    return value;
}

/* Ranges that neither overlap nor go backwards: 0-0,2-2,4-4,... */
static const char *disjoint_ranges(int n)
{
    const char *value = "bytes=";

    for (int i = 0; i < n; i++) {
        value = apr_psprintf(pool, "%s%s%d-%d", value, i ? "," : "", 2 * i, 2 * i);
    }
    return value;
}

KVC_TEST(parse_case, httpd_limits)
{
    parse(disjoint_ranges(KV_MAX_RANGES), 1000);
    ck_assert_int_eq(ranges->nelts, KV_MAX_RANGES);
    assert_result("", disjoint_ranges(KV_MAX_RANGES + 1), 1000, KV_RANGE_IGNORE);
    assert_ranges("", repeat_spec("0-5", KV_MAX_RANGE_OVERLAPS + 1), 100, "0-5");
    assert_result("", repeat_spec("0-5", KV_MAX_RANGE_OVERLAPS + 2), 100, KV_RANGE_IGNORE);
    /* 50-50,0-0,50-50,0-0,...: every range after the first goes backwards or forwards */
    assert_result("", repeat_spec("50-50,0-0", KV_MAX_RANGE_REVERSALS + 1), 100, KV_RANGE_IGNORE);
    parse(repeat_spec("50-50,0-0", KV_MAX_RANGE_REVERSALS), 100);
    ck_assert_int_eq(ranges->nelts, 2 * KV_MAX_RANGE_REVERSALS);
}
END_TEST

int main(void)
{
    return kvu_run_apr("http_range");
}
