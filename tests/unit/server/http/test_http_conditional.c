/* Tests of server/http/http_conditional.c: entity-tag comparison, If-Range and the
 * precondition order of RFC 9110 section 13.2.2. */
/* Moved from tests/unit/server/test_http_conditional.c (server/ split into layer folders). */
#include <check.h>
#include <stdlib.h>

#include <apr_general.h>
#include <apr_tables.h>

#include "http_conditional.h"
#include "../../check_run.h"

#define ETAG "\"abc-123\""
/* 1700000000 and the seconds around it as HTTP dates. */
#define MTIME_HTTP "Tue, 14 Nov 2023 22:13:20 GMT"
#define BEFORE_HTTP "Tue, 14 Nov 2023 22:13:19 GMT"
#define AFTER_HTTP "Tue, 14 Nov 2023 22:13:21 GMT"
#define FUTURE_HTTP "Wed, 15 Nov 2023 22:13:20 GMT"

static apr_pool_t *pool;
static apr_table_t *h;
static kv_cond_state_t st;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
    h = apr_table_make(pool, 4);
    st.method = KV_M_GET;
    st.etag = ETAG;
    /* the file changed half a second into 1700000000: dates compare in whole seconds */
    st.mtime = apr_time_from_sec(1700000000) + 500000;
    st.now = apr_time_from_sec(1700000100);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

static int eval_one(const char *name, const char *value)
{
    apr_table_clear(h);
    apr_table_set(h, name, value);
    return kv_cond_evaluate(h, &st);
}

KVU_CASE(evaluate, "evaluate", setup, teardown);

KVC_TEST(evaluate, strong_and_weak_comparison)
{
    ck_assert(kv_etag_list_matches(ETAG, ETAG, 1));
    ck_assert(kv_etag_list_matches(ETAG, ETAG, 0));
    ck_assert(!kv_etag_list_matches("W/" ETAG, ETAG, 1));
    ck_assert(kv_etag_list_matches("W/" ETAG, ETAG, 0));
    ck_assert(!kv_etag_list_matches(ETAG, "W/" ETAG, 1));
    ck_assert(kv_etag_list_matches(ETAG, "W/" ETAG, 0));
    ck_assert(!kv_etag_list_matches("W/" ETAG, "W/" ETAG, 1));
    ck_assert(kv_etag_list_matches("W/" ETAG, "W/" ETAG, 0));
    ck_assert(!kv_etag_list_matches("\"abc-12\"", ETAG, 0));
    ck_assert(!kv_etag_list_matches("\"ABC-123\"", ETAG, 0));
}
END_TEST

KVC_TEST(evaluate, lists_and_star)
{
    ck_assert(kv_etag_list_matches("\"x\", " ETAG, ETAG, 1));
    ck_assert(kv_etag_list_matches("\"x\"," ETAG ",\"y\"", ETAG, 1));
    ck_assert(kv_etag_list_matches(" \"x\" , W/\"y\" ,, " ETAG " ", ETAG, 1));
    ck_assert(!kv_etag_list_matches("\"x\", \"y\"", ETAG, 0));
    ck_assert(kv_etag_list_matches("*", ETAG, 1));
    ck_assert(kv_etag_list_matches(" * ", NULL, 0));
    ck_assert(!kv_etag_list_matches("\"x\" junk, " ETAG, ETAG, 0));
    ck_assert(!kv_etag_list_matches("abc-123", ETAG, 0));
    ck_assert(!kv_etag_list_matches("\"unterminated", ETAG, 0));
    ck_assert(!kv_etag_list_matches(ETAG, NULL, 0));
    ck_assert(!kv_etag_list_matches(NULL, ETAG, 0));
    ck_assert(!kv_etag_list_matches("", ETAG, 0));
}
END_TEST

KVC_TEST(evaluate, no_preconditions_go_on)
{
    ck_assert_int_eq(kv_cond_evaluate(h, &st), KV_OK);
}
END_TEST

/* One precondition field against the representation of setup(). */
static const struct {
    kv_method_t method;
    const char *name;
    const char *value;
    int want;
} single_field[] = {
    {KV_M_GET, "If-Match", ETAG, KV_OK},
    {KV_M_GET, "If-Match", "\"x\", " ETAG, KV_OK},
    {KV_M_GET, "If-Match", "*", KV_OK},
    {KV_M_GET, "If-Match", "\"x\"", KV_HTTP_PRECONDITION_FAILED},
    /* If-Match compares strongly */
    {KV_M_GET, "If-Match", "W/" ETAG, KV_HTTP_PRECONDITION_FAILED},

    {KV_M_GET, "If-Unmodified-Since", MTIME_HTTP, KV_OK},
    {KV_M_GET, "If-Unmodified-Since", AFTER_HTTP, KV_OK},
    {KV_M_GET, "If-Unmodified-Since", BEFORE_HTTP, KV_HTTP_PRECONDITION_FAILED},
    {KV_M_POST, "If-Unmodified-Since", BEFORE_HTTP, KV_HTTP_PRECONDITION_FAILED},
    /* an invalid date is ignored */
    {KV_M_GET, "If-Unmodified-Since", "yesterday", KV_OK},

    {KV_M_GET, "If-None-Match", ETAG, KV_HTTP_NOT_MODIFIED},
    /* If-None-Match compares weakly */
    {KV_M_GET, "If-None-Match", "W/" ETAG, KV_HTTP_NOT_MODIFIED},
    {KV_M_GET, "If-None-Match", "\"x\", " ETAG, KV_HTTP_NOT_MODIFIED},
    {KV_M_GET, "If-None-Match", "*", KV_HTTP_NOT_MODIFIED},
    {KV_M_GET, "If-None-Match", "\"x\"", KV_OK},
    {KV_M_HEAD, "If-None-Match", ETAG, KV_HTTP_NOT_MODIFIED},
    /* other methods fail instead */
    {KV_M_POST, "If-None-Match", ETAG, KV_HTTP_PRECONDITION_FAILED},
    {KV_M_POST, "If-None-Match", "\"x\"", KV_OK},

    {KV_M_GET, "If-Modified-Since", MTIME_HTTP, KV_HTTP_NOT_MODIFIED},
    {KV_M_GET, "If-Modified-Since", AFTER_HTTP, KV_HTTP_NOT_MODIFIED},
    {KV_M_GET, "If-Modified-Since", BEFORE_HTTP, KV_OK},
    {KV_M_GET, "If-Modified-Since", "not a date", KV_OK},
    /* a date later than the request is ignored */
    {KV_M_GET, "If-Modified-Since", FUTURE_HTTP, KV_OK},
    /* the other formats apr_date_parse_http knows */
    {KV_M_GET, "If-Modified-Since", "Tuesday, 14-Nov-23 22:13:20 GMT", KV_HTTP_NOT_MODIFIED},
    {KV_M_GET, "If-Modified-Since", "Tue Nov 14 22:13:20 2023", KV_HTTP_NOT_MODIFIED},
    {KV_M_HEAD, "If-Modified-Since", MTIME_HTTP, KV_HTTP_NOT_MODIFIED},
    /* only for GET and HEAD */
    {KV_M_POST, "If-Modified-Since", MTIME_HTTP, KV_OK},
};

KVC_LOOP_TEST(evaluate, one_field, 0, (int)(sizeof(single_field) / sizeof(single_field[0])))
{
    int got;

    st.method = single_field[_i].method;
    got = eval_one(single_field[_i].name, single_field[_i].value);
    ck_assert_msg(got == single_field[_i].want, "%s: %s gives %d, want %d", single_field[_i].name,
                  single_field[_i].value, got, single_field[_i].want);
}
END_TEST

KVC_TEST(evaluate, without_validators)
{
    st.etag = NULL;
    ck_assert_int_eq(eval_one("If-Match", ETAG), KV_HTTP_PRECONDITION_FAILED);
    ck_assert_int_eq(eval_one("If-None-Match", ETAG), KV_OK);
    st.mtime = 0;
    ck_assert_int_eq(eval_one("If-Modified-Since", MTIME_HTTP), KV_OK);
    ck_assert_int_eq(eval_one("If-Unmodified-Since", BEFORE_HTTP), KV_OK);
}
END_TEST

KVC_TEST(evaluate, rfc_9110_order)
{
    /* If-Match decides before If-None-Match */
    apr_table_set(h, "If-Match", "\"x\"");
    apr_table_set(h, "If-None-Match", ETAG);
    ck_assert_int_eq(kv_cond_evaluate(h, &st), KV_HTTP_PRECONDITION_FAILED);
    /* If-Unmodified-Since is not evaluated when If-Match is present */
    apr_table_clear(h);
    apr_table_set(h, "If-Match", ETAG);
    apr_table_set(h, "If-Unmodified-Since", BEFORE_HTTP);
    ck_assert_int_eq(kv_cond_evaluate(h, &st), KV_OK);
    /* If-Modified-Since is not evaluated when If-None-Match is present */
    apr_table_clear(h);
    apr_table_set(h, "If-None-Match", "\"x\"");
    apr_table_set(h, "If-Modified-Since", MTIME_HTTP);
    ck_assert_int_eq(kv_cond_evaluate(h, &st), KV_OK);
    apr_table_set(h, "If-None-Match", ETAG);
    apr_table_set(h, "If-Modified-Since", BEFORE_HTTP);
    ck_assert_int_eq(kv_cond_evaluate(h, &st), KV_HTTP_NOT_MODIFIED);
    /* a failed If-Unmodified-Since wins over a matching If-None-Match */
    apr_table_clear(h);
    apr_table_set(h, "If-Unmodified-Since", BEFORE_HTTP);
    apr_table_set(h, "If-None-Match", ETAG);
    ck_assert_int_eq(kv_cond_evaluate(h, &st), KV_HTTP_PRECONDITION_FAILED);
    /* a passed If-Match goes on to If-Modified-Since */
    apr_table_clear(h);
    apr_table_set(h, "If-Match", ETAG);
    apr_table_set(h, "If-Modified-Since", MTIME_HTTP);
    ck_assert_int_eq(kv_cond_evaluate(h, &st), KV_HTTP_NOT_MODIFIED);
}
END_TEST

KVC_TEST(evaluate, if_range)
{
    apr_time_t mtime = st.mtime;

    ck_assert(kv_if_range_matches(ETAG, ETAG, mtime));
    ck_assert(kv_if_range_matches(" " ETAG " ", ETAG, mtime));
    ck_assert(!kv_if_range_matches("\"x\"", ETAG, mtime));
    /* entity tags must match strongly */
    ck_assert(!kv_if_range_matches("W/" ETAG, ETAG, mtime));
    ck_assert(!kv_if_range_matches(ETAG, "W/" ETAG, mtime));
    ck_assert(!kv_if_range_matches(ETAG, NULL, mtime));
    /* a list is not an If-Range value */
    ck_assert(!kv_if_range_matches(ETAG ", \"x\"", ETAG, mtime));
    /* dates must be equal */
    ck_assert(kv_if_range_matches(MTIME_HTTP, ETAG, mtime));
    ck_assert(!kv_if_range_matches(AFTER_HTTP, ETAG, mtime));
    ck_assert(!kv_if_range_matches(BEFORE_HTTP, ETAG, mtime));
    ck_assert(!kv_if_range_matches("garbage", ETAG, mtime));
    ck_assert(!kv_if_range_matches(MTIME_HTTP, ETAG, 0));
}
END_TEST

int main(void)
{
    return kvu_run_apr("http_conditional");
}
