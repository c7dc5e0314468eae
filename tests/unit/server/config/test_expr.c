/* Tests of server/config/expr.c: every operator, precedence, variables, functions, the string
 * form, and parse errors with their positions, against a fake request in a pool. */
/* Moved from tests/unit/server/test_expr.c (server/ split into layer folders). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_hooks.h>
#include <apr_strings.h>

#include "kv_expr.h"
#include "../../check_run.h"
#include "../../support/request_tables.h"

static apr_pool_t *pool;
static kv_request_t *req;

static void setup(void)
{
    kv_conn_t *c;
    kv_server_t *s;

    apr_pool_create(&pool, NULL);
    c = apr_pcalloc(pool, sizeof(*c));
    s = apr_pcalloc(pool, sizeof(*s));
    req = apr_pcalloc(pool, sizeof(*req));
    c->pool = pool;
    c->client_ip = "127.0.0.1";
    s->server_hostname = "www.example.com";
    s->port = 8080;
    req->pool = pool;
    req->connection = c;
    req->useragent_ip = "10.1.2.3"; /* behind the peer 127.0.0.1 */
    req->server = s;
    req->method = "GET";
    req->protocol = "HTTP/1.1";
    req->the_request = "GET /a/b.html?x=1 HTTP/1.1";
    req->uri = "/a/b.html";
    req->args = "x=1";
    req->filename = "/srv/a/b.html";
    kvu_request_tables(req, pool);
    apr_table_set(req->headers_in, "Host", "example.com");
    apr_table_set(req->headers_in, "X-Foo", "bar");
    apr_table_set(req->headers_out, "X-Out", "out");
    apr_table_set(req->subprocess_env, "VAR", "value");
    apr_table_set(req->notes, "N", "note");
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

/* The truth of @a text for the fake request; fails the test on a parse error. */
static int eval(const char *text)
{
    const char *err = NULL;
    kv_expr_t *e = kv_expr_parse(pool, text, &err);
    int res;

    ck_assert_msg(e != NULL, "'%s' refused: %s", text, err);
    res = kv_expr_eval(req, e, &err);
    ck_assert_msg(res >= 0, "'%s' failed: %s", text, err);
    return res;
}

#define TRUE_(text) ck_assert_msg(eval(text) == 1, "'%s' is not true", text)
#define FALSE_(text) ck_assert_msg(eval(text) == 0, "'%s' is not false", text)

static void expect_string(const char *text, const char *want)
{
    const char *err = NULL;
    kv_expr_t *e = kv_expr_parse_string(pool, text, &err);
    const char *got;

    ck_assert_msg(e != NULL, "'%s' refused: %s", text, err);
    got = kv_expr_eval_string(req, e, &err);
    ck_assert_msg(got != NULL, "'%s' failed: %s", text, err);
    ck_assert_msg(strcmp(got, want) == 0, "'%s' is '%s', want '%s'", text, got, want);
}

/* @a text must be refused with a reason containing @a want. */
static void expect_refusal(const char *text, const char *want)
{
    const char *err = NULL;

    ck_assert_msg(kv_expr_parse(pool, text, &err) == NULL, "'%s' was accepted", text);
    ck_assert_msg(err && strstr(err, want), "'%s': '%s' lacks '%s'", text, err, want);
}

KVU_CASE(expr_case, "expr", setup, teardown);

KVC_TEST(expr_case, booleans_and_precedence)
{
    TRUE_("true");
    FALSE_("false");
    FALSE_("!true");
    TRUE_("!!true");
    TRUE_("true && true");
    FALSE_("true && false");
    TRUE_("false || true");
    FALSE_("false || false");
    /* && binds tighter than ||, ! tighter than &&. */
    TRUE_("true || false && false");
    FALSE_("(true || false) && false");
    FALSE_("!true && false");
    TRUE_("!(true && false)");
    TRUE_("  ( ( true ) )  ");
}
END_TEST

KVC_TEST(expr_case, string_comparisons)
{
    TRUE_("'abc' == 'abc'");
    TRUE_("'abc' = 'abc'");
    FALSE_("'abc' == 'abd'");
    TRUE_("'abc' != 'abd'");
    FALSE_("'abc' != 'abc'");
    TRUE_("'abc' < 'abd'");
    FALSE_("'abd' < 'abc'");
    TRUE_("'abc' <= 'abc'");
    TRUE_("'abd' > 'abc'");
    TRUE_("'abc' >= 'abc'");
    FALSE_("'abc' >= 'abd'");
    /* As strings, "10" sorts before "9". */
    TRUE_("'10' < '9'");
}
END_TEST

KVC_TEST(expr_case, numeric_comparisons)
{
    TRUE_("10 -eq 10");
    FALSE_("10 -eq 9");
    TRUE_("10 -ne 9");
    TRUE_("9 -lt 10");
    FALSE_("10 -lt 10");
    TRUE_("10 -le 10");
    TRUE_("10 -gt 9");
    FALSE_("9 -gt 10");
    TRUE_("10 -ge 10");
    TRUE_("-1 -lt 0");
    TRUE_("'42' -eq 42");
}
END_TEST

KVC_TEST(expr_case, number_comparison_of_text_fails)
{
    const char *err = NULL;
    kv_expr_t *e = kv_expr_parse(pool, "%{REQUEST_METHOD} -lt 3", &err);

    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(kv_expr_eval(req, e, &err), -1);
    ck_assert_ptr_nonnull(strstr(err, "'GET' is not a number"));
}
END_TEST

KVC_TEST(expr_case, regex_matches)
{
    TRUE_("%{REQUEST_URI} =~ /^\\/a\\//");
    TRUE_("%{REQUEST_URI} =~ m#^/a/#");
    FALSE_("%{REQUEST_URI} =~ m#^/b/#");
    TRUE_("%{REQUEST_URI} !~ m#^/b/#");
    FALSE_("%{REQUEST_URI} !~ m#^/a/#");
    FALSE_("%{REQUEST_URI} =~ m#^/A/#");
    TRUE_("%{REQUEST_URI} =~ m#^/A/#i");
    TRUE_("%{REQUEST_URI} =~ m|B\\.HTML$|i");
    /* The groups of the last match are $0..$9 in later words. */
    TRUE_("%{REQUEST_URI} =~ m#^/(\\w+)/(\\w+)# && $2 == 'b' && $1 . '-' . $2 == 'a-b'");
    TRUE_("$1 == ''");
}
END_TEST

KVC_TEST(expr_case, string_tests_and_lists)
{
    TRUE_("-n %{REQUEST_METHOD}");
    FALSE_("-z %{REQUEST_METHOD}");
    TRUE_("-z %{HTTP:X-Missing}");
    FALSE_("-n ''");
    TRUE_("%{REQUEST_METHOD} in {'GET', 'HEAD'}");
    FALSE_("%{REQUEST_METHOD} in {'POST','PUT'}");
    TRUE_("'x' in {'x'}");
}
END_TEST

KVC_TEST(expr_case, ip_matches)
{
    TRUE_("%{REMOTE_ADDR} -ipmatch '10.0.0.0/8'");
    FALSE_("%{REMOTE_ADDR} -ipmatch '192.168.0.0/16'");
    TRUE_("%{REMOTE_ADDR} -ipmatch '10.1.2.3'");
    TRUE_("'::1' -ipmatch '::1/128'");
    FALSE_("'cafe' -ipmatch '10.0.0.0/8'");
    FALSE_("'not-an-ip' -ipmatch '10.0.0.0/8'");
    apr_table_set(req->subprocess_env, "NET", "10.1.0.0/16");
    TRUE_("%{REMOTE_ADDR} -ipmatch %{env:NET}");
}
END_TEST

KVC_TEST(expr_case, remote_address_shorthand)
{
    TRUE_("-R '10.0.0.0/8'");
    FALSE_("-R '192.168.0.0/16'");
    TRUE_("!-R '192.168.0.0/16' && -R '10.1.2.3'");
    expect_refusal("-R 'nonsense/99'", "bad IP address or network");
}
END_TEST

KVC_TEST(expr_case, wildcard_matches)
{
    TRUE_("%{REQUEST_URI} -strmatch '/a/*.html'");
    TRUE_("%{REQUEST_URI} -strmatch '*.html'");
    FALSE_("%{REQUEST_URI} -strmatch '/A/*'");
    TRUE_("%{REQUEST_URI} -strcmatch '/A/*.HTML'");
    FALSE_("%{REQUEST_URI} -fnmatch '/*.html'");
    TRUE_("%{REQUEST_URI} -fnmatch '/*/*.html'");
    TRUE_("%{REQUEST_URI} -strmatch '/a/?.htm[lx]'");
}
END_TEST

KVC_TEST(expr_case, header_variables)
{
    apr_table_set(req->headers_in, "User-Agent", "curl/8");
    apr_table_set(req->headers_in, "Referer", "http://r/");
    apr_table_set(req->headers_in, "Cookie", "a=b");
    apr_table_set(req->headers_in, "Accept", "*/*");
    TRUE_("%{HTTP_USER_AGENT} =~ m#^curl/#");
    TRUE_("%{HTTP_REFERER} == 'http://r/'");
    TRUE_("%{HTTP_COOKIE} == 'a=b' && %{HTTP_ACCEPT} == '*/*'");
    TRUE_("%{HTTP_FORWARDED} == '' && %{HTTP_PROXY_CONNECTION} == ''");
    TRUE_("%{SCRIPT_FILENAME} == '/srv/a/b.html' && %{PATH_INFO} == ''");
    TRUE_("%{IPV6} == 'off'");
    req->useragent_ip = "::1";
    TRUE_("%{IPV6} == 'on'");
}
END_TEST

KVC_TEST(expr_case, variables)
{
    TRUE_("%{REQUEST_METHOD} == 'GET'");
    TRUE_("%{REQUEST_SCHEME} == 'http'");
    TRUE_("%{REQUEST_URI} == '/a/b.html'");
    TRUE_("%{QUERY_STRING} == 'x=1'");
    TRUE_("%{REMOTE_ADDR} == '10.1.2.3'");
    TRUE_("%{SERVER_NAME} == 'www.example.com'");
    TRUE_("%{SERVER_PORT} == '8080'");
    TRUE_("%{SERVER_PROTOCOL} == 'HTTP/1.1'");
    TRUE_("%{HTTP_HOST} == 'example.com'");
    TRUE_("%{REMOTE_USER} == ''");
    TRUE_("%{THE_REQUEST} == 'GET /a/b.html?x=1 HTTP/1.1'");
    TRUE_("%{REQUEST_FILENAME} == '/srv/a/b.html'");
    TRUE_("%{HTTPS} == 'off'");
    TRUE_("%{TIME} =~ /^[0-9]{14}$/");
    TRUE_("%{TIME_YEAR} -ge 2000 && %{TIME_MON} -le 12 && %{TIME_DAY} -ge 1");
    TRUE_("%{TIME_HOUR} -lt 24 && %{TIME_MIN} -lt 60 && %{TIME_SEC} -le 60");
    TRUE_("%{HTTP:X-Foo} == 'bar'");
    TRUE_("%{http:x-foo} == 'bar'");
    TRUE_("%{req:X-Foo} == 'bar'");
    TRUE_("%{resp:X-Out} == 'out'");
    TRUE_("%{env:VAR} == 'value'");
    TRUE_("%{note:N} == 'note'");
    TRUE_("%{env:NONE} == ''");
    TRUE_("'%{REQUEST_METHOD} %{REQUEST_URI}' == 'GET /a/b.html'");
    TRUE_("'it\\'s' == \"it's\"");
}
END_TEST

KVC_TEST(expr_case, functions)
{
    TRUE_("tolower('AbC') == 'abc'");
    TRUE_("toupper(%{REQUEST_METHOD} . 'x') == 'GETX'");
    TRUE_("req('X-Foo') == 'bar'");
    TRUE_("http('X-Foo') == 'bar'");
    TRUE_("resp('X-Out') == 'out'");
    TRUE_("env('VAR') == 'value'");
    TRUE_("note('N') == 'note'");
    TRUE_("escape('a b') == 'a%20b'");
    TRUE_("unescape('a%20b') == 'a b'");
    TRUE_("md5('abc') == '900150983cd24fb0d6963f7d28e17f72'");
    TRUE_("%{tolower:ABC} == 'abc'");
}
END_TEST

KVC_TEST(expr_case, string_form)
{
    expect_string("%{REQUEST_URI}", "/a/b.html");
    expect_string("uri=%{REQUEST_URI}; foo=%{HTTP:X-Foo}", "uri=/a/b.html; foo=bar");
    expect_string("%{toupper:abc}", "ABC");
    expect_string("plain", "plain");
    expect_string("", "");
}
END_TEST

KVC_TEST(expr_case, forms_are_not_interchangeable)
{
    const char *err = NULL;
    kv_expr_t *b = kv_expr_parse(pool, "true", &err);
    kv_expr_t *s = kv_expr_parse_string(pool, "x", &err);

    ck_assert_ptr_null(kv_expr_eval_string(req, b, &err));
    ck_assert_ptr_nonnull(strstr(err, "boolean"));
    ck_assert_int_eq(kv_expr_eval(req, s, &err), -1);
    ck_assert_ptr_nonnull(strstr(err, "string"));
}
END_TEST

/* @a open @a n times, then @a middle, then @a close @a n times. */
static const char *nested(const char *open, int n, const char *middle, const char *close)
{
    apr_array_header_t *parts = apr_array_make(pool, 2 * n + 1, sizeof(const char *));

    for (int i = 0; i < n; i++) {
        APR_ARRAY_PUSH(parts, const char *) = open;
    }
    APR_ARRAY_PUSH(parts, const char *) = middle;
    for (int i = 0; i < n; i++) {
        APR_ARRAY_PUSH(parts, const char *) = close;
    }
    return apr_array_pstrcat(pool, parts, '\0');
}

/* Parsing and evaluation recurse once per level of nesting, so nesting is bounded: a config
 * line's worth of '!' (65000) overflowed the stack while evaluating (found by
 * tests/fuzz/fuzz_expr, on an input longer than its mutations reach). */
KVC_TEST(expr_case, nesting_is_bounded)
{
    const char *deep = "nested more than 1000 levels deep";

    TRUE_(nested("!", 1000, "true", ""));
    TRUE_(nested("(", 1000, "true", ")"));
    TRUE_(apr_pstrcat(pool, nested("tolower(", 1000, "'A'", ")"), " == 'a'", NULL));
    expect_refusal(nested("!", 1001, "true", ""), deep);
    expect_refusal(nested("(", 1001, "true", ")"), deep);
    expect_refusal(apr_pstrcat(pool, nested("tolower(", 1001, "'A'", ")"), " == 'a'", NULL),
                   deep);
    expect_refusal(nested("!", 65000, "true", ""), deep);
    expect_refusal(nested("(", 65000, "", ""), deep);
}
END_TEST

KVC_TEST(expr_case, parse_errors_name_positions)
{
    expect_refusal("%{NOPE} == 'a'", "unknown variable 'NOPE' at position 1");
    expect_refusal("'a' == %{NOPE}", "unknown variable 'NOPE' at position 8");
    expect_refusal("frob('a') == 'a'", "unknown function 'frob' at position 1");
    expect_refusal("%{frob:x} == 'a'", "unknown function 'frob'");
    expect_refusal("'a' -foo 'b'", "unknown operator '-foo' at position 5");
    expect_refusal("-x 'a'", "unknown operator '-x' at position 1");
    expect_refusal("'a' ~~ 'b'", "expected an operator at '~~ 'b'' at position 5");
    expect_refusal("'a'", "expected an operator, found the end at position 4");
    expect_refusal("", "expected a word, found the end at position 1");
    expect_refusal("true &&", "found the end at position 8");
    expect_refusal("(true", "expected ')' at position 6");
    expect_refusal("true false", "unexpected 'false' at position 6");
    expect_refusal("'abc == 'a'", "at position");
    expect_refusal("'abc", "unterminated string at position 1");
    expect_refusal("%{REQUEST_URI == 'a'", "unterminated %{ at position 1");
    expect_refusal("'a' =~ 'a'", "expected /regex/ or m#regex# at position 8");
    expect_refusal("'a' =~ /a", "unterminated regular expression at position 8");
    expect_refusal("'a' =~ /(/", "at position 8");
    expect_refusal("'a' =~ /a/x", "unknown regex flag 'x' at position 11");
    expect_refusal("'a' in 'a'", "expected '{' after 'in'");
    expect_refusal("'a' in {'a' 'b'}", "expected ',' or '}'");
    expect_refusal("'a' -ipmatch 'nonsense/99'", "bad IP address or network");
    expect_refusal("tolower('a' == 'a'", "expected ')' after the argument of tolower()");
    {
        const char *err = NULL;
        ck_assert_ptr_null(kv_expr_parse_string(pool, "x %{NOPE} y", &err));
        ck_assert_ptr_nonnull(strstr(err, "unknown variable 'NOPE' at position 3"));
    }
}
END_TEST

/* ---- Variables a module provides (kv_hook_expr_lookup, as mod_ssl's) ---- */

static const char *module_var(kv_request_t *r, const char *name)
{
    return strcmp(name, "HTTPS") == 0 ? "on" : apr_pstrcat(r->pool, "v-", name, NULL);
}

static kv_expr_var_fn lookup_module_var(const char *name)
{
    return strcmp(name, "HTTPS") == 0 || strncmp(name, "MOD_", 4) == 0 ? module_var : NULL;
}

static void module_vars_setup(void)
{
    setup();
    apr_hook_global_pool = pool;
    kv_hook_expr_lookup(lookup_module_var, NULL, NULL, KV_HOOK_MIDDLE);
}

static void module_vars_teardown(void)
{
    apr_hook_deregister_all();
    teardown();
}

KVU_CASE(module_vars_case, "module_vars", module_vars_setup, module_vars_teardown);

KVC_TEST(module_vars_case, module_variables_replace_and_extend_the_built_in_ones)
{
    const char *err = NULL;
    kv_expr_t *e = kv_expr_parse_string(pool, "%{MOD_A}/%{HTTPS}/%{REQUEST_METHOD}", &err);

    ck_assert_msg(e != NULL, "%s", err);
    ck_assert_str_eq(kv_expr_eval_string(req, e, &err), "v-MOD_A/on/GET");
    ck_assert_int_eq(eval("%{MOD_B} == 'v-MOD_B' && %{HTTPS} == 'on'"), 1);
    expect_refusal("%{NOPE} == 'a'", "unknown variable 'NOPE' at position 1");
}
END_TEST

int main(void)
{
    return kvu_run_apr("expr");
}
