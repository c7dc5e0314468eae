/*
 * libFuzzer target for the expression language (server/config/expr.c). The input is
 * "EXPRESSION\0VALUE": the expression is parsed in both forms (boolean and string) and
 * evaluated against a request whose client-controlled fields all carry VALUE. Besides
 * crashes it aborts when a result breaks a promise: parsing gives an expression or an error
 * naming a position inside the text, evaluation gives true, false or an error, and "!(E)"
 * is the negation of E.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "fuzz_common.h"
#include "kv_expr.h"

/* "REASON at position N of 'TEXT'" with N in 1..strlen(text)+1 (REASON may quote the text). */
static void check_error(apr_pool_t *p, const char *err, const char *text)
{
    static const char at[] = " at position ";
    const char *suffix = apr_pstrcat(p, " of '", text, "'", NULL);
    size_t n, m = strlen(suffix);
    const char *pos = NULL;
    char *end;
    long v;

    FUZZ_REQUIRE(err != NULL && (n = strlen(err)) > m && strcmp(err + n - m, suffix) == 0);
    for (const char *s = err; (s = strstr(s, at)) != NULL && s < err + n - m; s++) {
        pos = s + sizeof(at) - 1;
    }
    FUZZ_REQUIRE(pos != NULL);
    v = strtol(pos, &end, 10);
    FUZZ_REQUIRE(end == err + n - m && v >= 1 && (size_t)v <= strlen(text) + 1);
}

/* Evaluate a boolean expression: 1, 0, or -1 with a reason. */
static int eval(kv_request_t *r, const kv_expr_t *e)
{
    const char *err = NULL;
    int v = kv_expr_eval(r, e, &err);

    FUZZ_REQUIRE(v == 1 || v == 0 || (v == -1 && err != NULL));
    FUZZ_REQUIRE(kv_expr_eval_string(r, e, &err) == NULL && err != NULL);
    return v;
}

/* The time variables change between two evaluations; an expression without them does not. */
static int is_timeless(const char *text)
{
    for (const char *s = text; *s; s++) {
        if (strncasecmp(s, "TIME", 4) == 0) {
            return 0;
        }
    }
    return 1;
}

static void check_boolean(apr_pool_t *p, kv_request_t *r, const char *text)
{
    const char *err = NULL;
    kv_expr_t *e = kv_expr_parse(p, text, &err);
    kv_expr_t *negated;
    int v;

    if (e == NULL) {
        check_error(p, err, text);
        return;
    }
    v = eval(r, e);
    negated = kv_expr_parse(p, apr_pstrcat(p, "!(", text, ")", NULL), &err);
    if (negated == NULL) {
        /* "!(" adds two levels to an expression that may be at the limit already. */
        FUZZ_REQUIRE(strstr(err, "nested more than") != NULL);
        return;
    }
    if (is_timeless(text)) {
        int nv = eval(r, negated);
        FUZZ_REQUIRE(v < 0 ? nv < 0 : nv == !v);
    }
}

static void check_string(apr_pool_t *p, kv_request_t *r, const char *text)
{
    const char *err = NULL;
    kv_expr_t *e = kv_expr_parse_string(p, text, &err);
    const char *s;

    if (e == NULL) {
        check_error(p, err, text);
        return;
    }
    err = NULL;
    s = kv_expr_eval_string(r, e, &err);
    FUZZ_REQUIRE(s != NULL || err != NULL);
    if (strstr(text, "%{") == NULL) {
        /* Without %{...} the string form is the text itself. */
        FUZZ_REQUIRE(s != NULL && strcmp(s, text) == 0);
    }
    FUZZ_REQUIRE(kv_expr_eval(r, e, &err) == -1 && err != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_input_pool();
    const char *text, *value;
    kv_request_t *r;

    fuzz_split(p, data, size, &text, &value);
    r = fuzz_make_request(p, value);
    check_boolean(p, r, text);
    check_string(p, r, text);
    apr_pool_destroy(p);
    return 0;
}
