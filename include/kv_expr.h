/**
 * @file kv_expr.h
 * @brief httpd's expression language (ap_expr), the useful subset: parsed once at
 * configuration time, evaluated per request.
 *
 * Boolean form: `true`, `false`, `!`, `&&`, `||`, parentheses; string comparisons
 * `== = != < <= > >=`, numeric `-eq -ne -lt -le -gt -ge`; `=~` and `!~` against `/re/`
 * or `m#re#` (flag `i`), whose groups are `$0`..`$9` in later words; `-n` and `-z`;
 * `word in {'a', 'b'}`; `word -ipmatch 'net/prefix'` and `-R 'net/prefix'` (the client's
 * address); `word -strmatch 'glob'`, `-strcmatch` (ignoring case), `-fnmatch` (a '*' does not
 * match '/'). Variables: httpd's request variables (%{HTTP_HOST}, %{REQUEST_URI}, ...). Words: 'quoted strings' with
 * `%{VAR}` inside, `%{VAR}`, `%{func:literal}`, numbers, `func(word)`, `$N`, and
 * `word . word` (concatenation).
 *
 * String form: literal text with `%{VAR}` and `%{func:literal}` inside.
 */
#ifndef KV_EXPR_H
#define KV_EXPR_H

#include <apr_pools.h>

#include "kv_http.h"

/** The value of a variable a module provides (kv_hook_expr_lookup) for @a r, in r->pool;
 * NULL counts as the empty string. */
typedef const char *(*kv_expr_var_fn)(kv_request_t *r, const char *name);

/** Run-first, while an expression is parsed (configuration time), for each %{NAME} in it:
 * a module that provides NAME (mod_ssl: HTTPS and SSL_*) returns the function that gives
 * its value per request; NULL: not this module's. Asked before the built-in variables, so
 * that mod_ssl's HTTPS replaces the built-in one ("off"). */
KV_DECLARE_HOOK(kv_expr_var_fn, expr_lookup, (const char *name))

/** A parsed expression; lives in the pool it was parsed in. */
typedef struct kv_expr kv_expr_t;

/** Parse the boolean expression @a text in @a p. Returns NULL and sets *err, naming the
 * 1-based character position, on a syntax error, an unknown variable, function or
 * operator, or nesting of '!', '(' and function calls more than 1000 levels deep. */
KV_DECLARE(kv_expr_t *) kv_expr_parse(apr_pool_t *p, const char *text, const char **err);

/** Parse @a text as a string expression (text with %{VAR} inside) in @a p. Returns NULL
 * and sets *err as kv_expr_parse does. */
KV_DECLARE(kv_expr_t *) kv_expr_parse_string(apr_pool_t *p, const char *text, const char **err);

/** Evaluate the boolean expression @a e for @a r. Returns 1 (true), 0 (false), or -1 with
 * *err set (e.g. a number comparison of a non-number, or @a e is a string expression). */
KV_DECLARE(int) kv_expr_eval(kv_request_t *r, const kv_expr_t *e, const char **err);

/** The value of the string expression @a e for @a r, in r->pool. NULL with *err set if
 * @a e is a boolean expression. */
KV_DECLARE(const char *) kv_expr_eval_string(kv_request_t *r, const kv_expr_t *e, const char **err);

#endif
