/* mod_authz_core's own authorization providers, as httpd's: `Require all granted|denied`,
 * `Require env VAR...` (granted when one of the request variables is set), `Require method
 * M...` (granted for those methods, of the ones httpd knows; HEAD and GET are one) and `Require
 * expr EXPR` (granted when the expression is true; false asks for a user when it reads
 * REMOTE_USER). */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "authz_eval.h"
#include "kv_expr.h"
#include "kv_log.h"

#define KV_LOG_MODULE "authz_core"

/* Require all: the parsed form is the answer itself. */
static const kv_authz_status_t all_granted = KV_AUTHZ_GRANTED, all_denied = KV_AUTHZ_DENIED;

static const char *parse_all(apr_pool_t *p, const char *line, int argc, const char *const *argv,
                             const void **parsed)
{
    (void)line;
    if (argc == 1 && strcasecmp(argv[0], "granted") == 0) {
        *parsed = &all_granted;
        return NULL;
    }
    if (argc == 1 && strcasecmp(argv[0], "denied") == 0) {
        *parsed = &all_denied;
        return NULL;
    }
    return apr_pstrdup(p, "Argument for 'Require all' must be 'granted' or 'denied'");
}

static kv_authz_status_t check_all(kv_request_t *r, const void *parsed)
{
    (void)r;
    return *(const kv_authz_status_t *)parsed;
}

static const char *parse_env(apr_pool_t *p, const char *line, int argc, const char *const *argv,
                             const void **parsed)
{
    (void)line;
    return kv_authz_parse_words(p, "env", argc, argv, parsed);
}

static kv_authz_status_t check_env(kv_request_t *r, const void *parsed)
{
    const apr_array_header_t *vars = parsed;

    for (int i = 0; i < vars->nelts; i++) {
        if (apr_table_get(r->subprocess_env, APR_ARRAY_IDX(vars, i, const char *))) {
            return KV_AUTHZ_GRANTED;
        }
    }
    return KV_AUTHZ_DENIED;
}

/* The methods as a mask; only those httpd knows, or a <Limit> named before, as httpd. */
static const char *parse_method(apr_pool_t *p, const char *line, int argc, const char *const *argv,
                                const void **parsed)
{
    kv_method_mask_t *mask = apr_pcalloc(p, sizeof(*mask));

    (void)line;
    if (argc == 0) {
        return apr_pstrdup(p, "'Require method' needs a list of HTTP methods");
    }
    for (int i = 0; i < argc; i++) {
        kv_method_mask_t bit = kv_method_known_bit(argv[i]);
        if (!bit) {
            return apr_psprintf(p, "Invalid Method '%s'", argv[i]);
        }
        *mask |= bit;
    }
    *parsed = mask;
    return NULL;
}

static kv_authz_status_t check_method(kv_request_t *r, const void *parsed)
{
    return kv_method_in(*(const kv_method_mask_t *)parsed, r) ? KV_AUTHZ_GRANTED : KV_AUTHZ_DENIED;
}

typedef struct {
    kv_expr_t *expr;
    int want_user; /* it reads REMOTE_USER: false before authentication asks for a user */
} require_expr_t;

/* Does the expression read the user (%{REMOTE_USER}, in any case)? */
static int reads_user(apr_pool_t *p, const char *text)
{
    char *upper = apr_pstrdup(p, text);

    for (char *c = upper; *c; c++) {
        *c = (char)apr_toupper(*c);
    }
    return strstr(upper, "REMOTE_USER") != NULL;
}

static const char *parse_expr(apr_pool_t *p, const char *line, int argc, const char *const *argv,
                              const void **parsed)
{
    /* One argument is the expression unquoted, as httpd reads `Require expr "..."`. */
    const char *text = argc == 1 ? argv[0] : line;
    require_expr_t *re = apr_pcalloc(p, sizeof(*re));
    const char *err = NULL;

    if (argc == 0) {
        return apr_pstrdup(p, "'Require expr' needs an expression");
    }
    re->expr = kv_expr_parse(p, text, &err);
    if (!re->expr) {
        return apr_psprintf(p, "Cannot parse expression in require line: %s", err);
    }
    re->want_user = reads_user(p, text);
    *parsed = re;
    return NULL;
}

static kv_authz_status_t check_expr(kv_request_t *r, const void *parsed)
{
    const require_expr_t *re = parsed;
    const char *err = NULL;
    int rc = kv_expr_eval(r, re->expr, &err);

    if (rc < 0) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV01220: Error evaluating expression in 'Require expr': %s", err);
        return KV_AUTHZ_GENERAL_ERROR;
    }
    if (rc == 0) {
        return re->want_user && !r->user ? KV_AUTHZ_DENIED_NO_USER : KV_AUTHZ_DENIED;
    }
    return KV_AUTHZ_GRANTED;
}

static const kv_authz_provider_t all_provider = {parse_all, check_all};
static const kv_authz_provider_t env_provider = {parse_env, check_env};
static const kv_authz_provider_t method_provider = {parse_method, check_method};
static const kv_authz_provider_t expr_provider = {parse_expr, check_expr};

static const kv_authz_provider_t *all(void)
{
    return &all_provider;
}

static const kv_authz_provider_t *env(void)
{
    return &env_provider;
}

static const kv_authz_provider_t *method(void)
{
    return &method_provider;
}

static const kv_authz_provider_t *expr(void)
{
    return &expr_provider;
}

void authz_register_core_providers(apr_pool_t *p)
{
    kv_authz_provider_register(p, "all", all);
    kv_authz_provider_register(p, "env", env);
    kv_authz_provider_register(p, "method", method);
    kv_authz_provider_register(p, "expr", expr);
}
