/* mod_headers' actions without a server: the Header/RequestHeader argument parser, the
 * value formats, and what each action does to a table. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "header_action.h"
#include "../check_run.h"
#include "../support/request_tables.h"

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

static kv_request_t *request(void)
{
    kv_request_t *r = apr_pcalloc(pool, sizeof(*r));

    r->pool = pool;
    r->request_time = apr_time_now();
    kvu_request_tables(r, pool);
    return r;
}

/* Split @a line at blanks (no quoting needed by these tests) and parse it. */
static const char *parse(int request, const char *line, hdr_action_t **a)
{
    const char *argv[16];
    int argc = 0;
    char *last, *copy = apr_pstrdup(pool, line);

    for (char *w = apr_strtok(copy, " ", &last); w && argc < 15; w = apr_strtok(NULL, " ", &last)) {
        argv[argc++] = w;
    }
    argv[argc] = NULL;
    return hdr_action_parse(pool, request, argc, argv, a);
}

static hdr_action_t *parse_ok(int request, const char *line)
{
    hdr_action_t *a = NULL;
    const char *err = parse(request, line, &a);

    ck_assert_msg(err == NULL, "'%s' refused: %s", line, err);
    return a;
}

/* The line is refused with a reason that mentions @a reason. */
static void expect_refusal(int request, const char *line, const char *reason)
{
    hdr_action_t *a = NULL;
    const char *err = parse(request, line, &a);

    ck_assert_msg(err != NULL, "'%s' accepted", line);
    ck_assert_msg(strstr(err, reason) != NULL, "'%s': '%s' does not mention '%s'", line, err,
                  reason);
}

/* Run one Header line (onsuccess or always) on the table it works on; the table. */
static apr_table_t *run(kv_request_t *r, const char *line)
{
    hdr_action_t *a = parse_ok(0, line);
    apr_table_t *t = a->table == HDR_TABLE_ALWAYS ? r->err_headers_out : r->headers_out;

    hdr_action_run(r, t, a);
    return t;
}

KVU_CASE(actions_case, "actions", setup, teardown);

KVC_TEST(actions_case, test_parse_conditions_and_tables)
{
    ck_assert_int_eq(parse_ok(0, "set X-A 1")->table, HDR_TABLE_OUT);
    ck_assert_int_eq(parse_ok(0, "onsuccess set X-A 1")->table, HDR_TABLE_OUT);
    ck_assert_int_eq(parse_ok(0, "always set X-A 1")->table, HDR_TABLE_ALWAYS);
    ck_assert_int_eq(parse_ok(0, "ALWAYS set X-A 1")->table, HDR_TABLE_ALWAYS);
    ck_assert_int_eq(parse_ok(1, "set X-A 1")->table, HDR_TABLE_IN);
    /* RequestHeader has no condition word: "always" is an unknown action there. */
    expect_refusal(1, "always set X-A 1", "unknown action 'always'");
}
END_TEST

KVC_TEST(actions_case, test_parse_every_action)
{
    static const struct {
        const char *line;
        hdr_kind_t kind;
    } rows[] = {
        {"add X 1", HDR_ADD},          {"append X 1", HDR_APPEND},
        {"echo ^X", HDR_ECHO},         {"edit X a b", HDR_EDIT},
        {"edit* X a b", HDR_EDIT_ALL}, {"merge X 1", HDR_MERGE},
        {"set X 1", HDR_SET},          {"setifempty X 1", HDR_SETIFEMPTY},
        {"unset X", HDR_UNSET},        {"note X n", HDR_NOTE},
        {"SET X 1", HDR_SET},
    };

    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        ck_assert_int_eq(parse_ok(0, rows[i].line)->kind, rows[i].kind);
    }
}
END_TEST

KVC_TEST(actions_case, test_parse_clauses)
{
    hdr_action_t *a = parse_ok(0, "set X 1 env=FOO");
    ck_assert_str_eq(a->env, "FOO");
    ck_assert_int_eq(a->env_negated, 0);
    a = parse_ok(0, "set X 1 env=!FOO");
    ck_assert_str_eq(a->env, "FOO");
    ck_assert_int_eq(a->env_negated, 1);
    ck_assert_int_eq(parse_ok(1, "set X 1 early")->early, 1);
    ck_assert_int_eq(parse_ok(0, "set X 1")->early, 0);
    /* unset and echo take the condition in the value's place. */
    ck_assert_str_eq(parse_ok(0, "unset X env=FOO")->env, "FOO");
    ck_assert_str_eq(parse_ok(0, "echo ^X env=!FOO")->env, "FOO");
    ck_assert_str_eq(parse_ok(0, "edit X a b env=FOO")->env, "FOO");
    expect_refusal(0, "set X 1 env=", "variable name");
    expect_refusal(0, "set X 1 env=!", "variable name");
    expect_refusal(0, "set X 1 sometimes", "unknown condition");
    ck_assert_ptr_nonnull(parse_ok(0, "set X 1 expr=true")->cond);
    ck_assert_ptr_nonnull(parse_ok(1, "unset X expr=-n%{HTTP:Y}")->cond);
    ck_assert_ptr_nonnull(parse_ok(0, "set X expr=%{REQUEST_URI}")->value_expr);
    expect_refusal(0, "set X 1 expr=%{NOPE}==1", "bad expr= condition: unknown variable 'NOPE'");
    expect_refusal(0, "set X expr=%{NOPE}", "bad expr= value: unknown variable 'NOPE'");
}
END_TEST

KVC_TEST(actions_case, test_parse_refusals)
{
    expect_refusal(0, "frob X 1", "unknown action 'frob'");
    expect_refusal(1, "echo ^X", "unknown action 'echo'");
    expect_refusal(1, "note X n", "unknown action 'note'");
    expect_refusal(0, "set X", "needs a value");
    expect_refusal(0, "always set", "needs an action and a header");
    expect_refusal(0, "set X 1 2 3", "too many arguments");
    expect_refusal(0, "set X 1 env=A env=B", "too many arguments");
    expect_refusal(0, "unset X env=A early", "too many arguments");
    expect_refusal(0, "set X 1 2 3 4", "too many arguments");
    expect_refusal(0, "edit X a", "regex and a replacement");
    expect_refusal(0, "edit X ( b", "bad regular expression");
    expect_refusal(0, "echo (X", "bad regular expression");
    expect_refusal(0, "set : 1", "empty header name");
    expect_refusal(1, "set X 1 2 3", "RequestHeader");
}
END_TEST

KVC_TEST(actions_case, test_parse_strips_colon)
{
    ck_assert_str_eq(parse_ok(0, "set X-Foo: 1")->header, "X-Foo");
}
END_TEST

static const char *expand(kv_request_t *r, const char *value)
{
    apr_array_header_t *pieces;
    const char *err = hdr_format_parse(pool, value, &pieces);

    ck_assert_msg(err == NULL, "'%s' refused: %s", value, err);
    return hdr_format_expand(r, pieces);
}

KVC_TEST(actions_case, test_format_expand)
{
    kv_request_t *r = request();
    apr_table_set(r->subprocess_env, "FOO", "bar");
    ck_assert_str_eq(expand(r, "plain"), "plain");
    ck_assert_str_eq(expand(r, "100%% sure"), "100% sure");
    ck_assert_str_eq(expand(r, "<%{FOO}e>"), "<bar>");
    ck_assert_str_eq(expand(r, "%{NOPE}e"), "(null)");
    ck_assert_str_eq(expand(r, "%t"), apr_psprintf(pool, "t=%" APR_TIME_T_FMT, r->request_time));
    r->request_time -= apr_time_from_sec(2);
    const char *d = expand(r, "%D");
    ck_assert_msg(strncmp(d, "D=", 2) == 0 && atol(d + 2) >= 2000000, "%%D gave %s", d);
}
END_TEST

KVC_TEST(actions_case, test_format_refusals)
{
    static const char *const bad[] = {"%x", "%{SSL_PROTOCOL}s", "%{FOO", "%{}e", "end %"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        apr_array_header_t *pieces;
        ck_assert_msg(hdr_format_parse(pool, bad[i], &pieces) != NULL, "'%s' accepted", bad[i]);
    }
}
END_TEST

KVC_TEST(actions_case, test_has_token)
{
    ck_assert(hdr_has_token("a, b,c", "b"));
    ck_assert(hdr_has_token("a, b,c", "c"));
    ck_assert(hdr_has_token(" a ", "a"));
    ck_assert(!hdr_has_token("ab, c", "a"));
    ck_assert(!hdr_has_token("A", "a"));
    ck_assert(hdr_has_token("\"x,y\", z", "\"x,y\""));
    ck_assert(!hdr_has_token("\"x,y\", z", "y\""));
    ck_assert(!hdr_has_token("", "a"));
}
END_TEST

KVC_TEST(actions_case, test_run_add_append_set_unset)
{
    kv_request_t *r = request();
    apr_table_t *t = run(r, "add X a");
    run(r, "add X b");
    ck_assert_int_eq(apr_table_elts(t)->nelts, 2);
    run(r, "append Y 1");
    run(r, "append Y 2");
    ck_assert_str_eq(apr_table_get(t, "Y"), "1, 2");
    run(r, "set X c");
    ck_assert_int_eq(apr_table_elts(t)->nelts, 2);
    ck_assert_str_eq(apr_table_get(t, "X"), "c");
    run(r, "unset x");
    ck_assert_ptr_null(apr_table_get(t, "X"));
    ck_assert_str_eq(apr_table_get(t, "Y"), "1, 2");
}
END_TEST

KVC_TEST(actions_case, test_run_merge_setifempty)
{
    kv_request_t *r = request();
    apr_table_t *t = run(r, "merge Cache-Control no-cache");
    run(r, "merge Cache-Control no-store");
    run(r, "merge Cache-Control no-cache");
    ck_assert_str_eq(apr_table_get(t, "Cache-Control"), "no-cache, no-store");
    run(r, "setifempty Cache-Control private");
    ck_assert_str_eq(apr_table_get(t, "Cache-Control"), "no-cache, no-store");
    run(r, "setifempty X-New v");
    ck_assert_str_eq(apr_table_get(t, "X-New"), "v");
}
END_TEST

KVC_TEST(actions_case, test_run_edit)
{
    kv_request_t *r = request();
    apr_table_add(r->headers_out, "X", "a-b-c");
    apr_table_add(r->headers_out, "X", "d-e");
    run(r, "edit X -(.) _$1");
    const apr_array_header_t *elts = apr_table_elts(r->headers_out);
    const apr_table_entry_t *e = (const apr_table_entry_t *)elts->elts;
    ck_assert_int_eq(elts->nelts, 2);
    ck_assert_str_eq(e[0].val, "a_b-c");
    ck_assert_str_eq(e[1].val, "d_e");
    apr_table_set(r->headers_out, "Y", "a-b-c");
    run(r, "edit* Y -(.) <$1>");
    ck_assert_str_eq(apr_table_get(r->headers_out, "Y"), "a<b><c>");
    run(r, "edit Absent x y");
    ck_assert_ptr_null(apr_table_get(r->headers_out, "Absent"));
    /* An empty match steps on instead of looping. */
    apr_table_set(r->headers_out, "Z", "ab");
    run(r, "edit* Z x* -");
    ck_assert_str_eq(apr_table_get(r->headers_out, "Z"), "-a-b-");
}
END_TEST

KVC_TEST(actions_case, test_run_echo_note)
{
    kv_request_t *r = request();
    apr_table_set(r->headers_in, "X-One", "1");
    apr_table_set(r->headers_in, "X-Two", "2");
    apr_table_set(r->headers_in, "Other", "3");
    apr_table_t *t = run(r, "echo ^X-");
    ck_assert_str_eq(apr_table_get(t, "X-One"), "1");
    ck_assert_str_eq(apr_table_get(t, "X-Two"), "2");
    ck_assert_ptr_null(apr_table_get(t, "Other"));
    run(r, "note X-One copied");
    ck_assert_str_eq(apr_table_get(r->notes, "copied"), "1");
    run(r, "note Absent nothing");
    ck_assert_ptr_null(apr_table_get(r->notes, "nothing"));
}
END_TEST

KVC_TEST(actions_case, test_actions_run_filters)
{
    kv_request_t *r = request();
    apr_array_header_t *actions = apr_array_make(pool, 4, sizeof(hdr_action_t *));
    static const char *const lines[] = {"set A 1",         "always set B 1", "set C 1 env=ON",
                                        "set D 1 env=!ON", "set E 1 early",  "set F %{ON}e"};
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        *(hdr_action_t **)apr_array_push(actions) = parse_ok(0, lines[i]);
    }
    apr_table_set(r->subprocess_env, "ON", "yes");
    hdr_actions_run(r, r->headers_out, actions, HDR_TABLE_OUT, 0);
    ck_assert_str_eq(apr_table_get(r->headers_out, "A"), "1");
    ck_assert_ptr_null(apr_table_get(r->headers_out, "B"));
    ck_assert_str_eq(apr_table_get(r->headers_out, "C"), "1");
    ck_assert_ptr_null(apr_table_get(r->headers_out, "D"));
    ck_assert_ptr_null(apr_table_get(r->headers_out, "E"));
    ck_assert_str_eq(apr_table_get(r->headers_out, "F"), "yes");
    hdr_actions_run(r, r->headers_out, actions, HDR_TABLE_OUT, 1);
    ck_assert_str_eq(apr_table_get(r->headers_out, "E"), "1");
}
END_TEST

/* expr= conditions decide per request, alone and with env=; expr= values are evaluated. */
KVC_TEST(actions_case, test_expr_conditions_and_values)
{
    kv_request_t *r = request();
    apr_array_header_t *actions = apr_array_make(pool, 4, sizeof(hdr_action_t *));
    static const char *const lines[] = {"set A 1 expr=%{env:ON}=='yes'",
                                        "set B 1 expr=%{env:ON}=='no'", "set C expr=on=%{env:ON}",
                                        "set D expr=%{HTTP:Y}"};
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        *(hdr_action_t **)apr_array_push(actions) = parse_ok(0, lines[i]);
    }
    apr_table_set(r->subprocess_env, "ON", "yes");
    apr_table_set(r->headers_in, "Y", "why");
    hdr_actions_run(r, r->headers_out, actions, HDR_TABLE_OUT, 0);
    ck_assert_str_eq(apr_table_get(r->headers_out, "A"), "1");
    ck_assert_ptr_null(apr_table_get(r->headers_out, "B"));
    ck_assert_str_eq(apr_table_get(r->headers_out, "C"), "on=yes");
    ck_assert_str_eq(apr_table_get(r->headers_out, "D"), "why");
}
END_TEST

int main(void)
{
    return kvu_run_apr("header_action");
}
