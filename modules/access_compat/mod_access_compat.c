/* mod_access_compat: httpd 2.2's host-based access control, as httpd 2.4 keeps it: Order,
 * Allow from, Deny from (all, env=VAR, addresses and networks, host names by double-reverse
 * DNS) and Satisfy.
 *
 * How it combines with Require (mod_authz_core), as httpd: under Satisfy All (the default)
 * the client must pass both; under Satisfy Any passing Allow/Deny is enough (no Require,
 * no password), and failing it leaves the decision to Require when the section has Require
 * lines, else it is 403. A section that holds any of these directives replaces the
 * enclosing section's whole Allow/Deny/Order/Satisfy setting (httpd's module has no merge
 * function); one that holds none inherits it. */
#include <string.h>

#include <apr_strings.h>

#include "allowdeny.h"
#include "../authz_host/host_require.h"
#include "kiva.h"
#include "kv_auth.h"
#include "kv_log.h"

#define KV_LOG_MODULE "access_compat"

extern kv_module_t access_compat_module;

typedef enum { SATISFY_NOSPEC, SATISFY_ALL, SATISFY_ANY } satisfy_t;

#define METHOD_BITS 64 /* bits of a kv_method_mask_t */

/* One Allow or Deny argument, and the methods of its line (<Limit>). */
typedef struct {
    from_t from;
    kv_method_mask_t limited;
} rule_t;

/* Order and Satisfy are kept per method, as httpd's, for lines inside <Limit>. */
typedef struct {
    int set;                           /* the section has a directive of this module */
    access_order_t order[METHOD_BITS]; /* Order; deny,allow by default */
    apr_array_header_t *allows;        /* rule_t: Allow from */
    apr_array_header_t *denys;         /* rule_t: Deny from */
    satisfy_t satisfy[METHOD_BITS];    /* Satisfy; unset by default */
} access_conf_t;

static void *create_dir_conf(apr_pool_t *p, const char *dir)
{
    access_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    (void)dir;
    conf->allows = apr_array_make(p, 1, sizeof(rule_t));
    conf->denys = apr_array_make(p, 1, sizeof(rule_t));
    return conf; /* zero: deny,allow and no Satisfy for every method */
}

/* httpd's "default is to override": a section that uses the module replaces, whole. */
static void *merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    access_conf_t *add = addv;

    (void)p;
    return add->set ? add : basev;
}

static const char *set_order(kv_cmd_parms_t *cmd, void *mconfig, int argc, const char *const *argv)
{
    access_conf_t *conf = mconfig;
    access_order_t order;
    const char *err = access_parse_order(cmd->pool, argv[0], &order);

    (void)argc;
    conf->set = 1;
    for (int i = 0; !err && i < METHOD_BITS; i++) {
        if (cmd->limited & ((kv_method_mask_t)1 << i)) {
            conf->order[i] = order;
        }
    }
    return err;
}

/* Allow from ... and Deny from ... (info: non-NULL for Allow). */
static const char *add_from(kv_cmd_parms_t *cmd, void *mconfig, int argc, const char *const *argv)
{
    access_conf_t *conf = mconfig;
    apr_array_header_t *list = cmd->info ? conf->allows : conf->denys;
    const char *err;

    if (strcasecmp(argv[0], "from") != 0) {
        return apr_pstrdup(cmd->pool, "allow and deny must be followed by 'from'");
    }
    conf->set = 1;
    for (int i = 1; i < argc; i++) {
        rule_t *rule = apr_array_push(list);
        rule->limited = cmd->limited;
        if ((err = access_parse_from(cmd->pool, argv[i], &rule->from)) != NULL) {
            return err;
        }
    }
    return NULL;
}

static const char *set_satisfy(kv_cmd_parms_t *cmd, void *mconfig, int argc,
                               const char *const *argv)
{
    access_conf_t *conf = mconfig;
    satisfy_t satisfy;

    (void)argc;
    conf->set = 1;
    if (strcasecmp(argv[0], "all") == 0) {
        satisfy = SATISFY_ALL;
    } else if (strcasecmp(argv[0], "any") == 0) {
        satisfy = SATISFY_ANY;
    } else {
        return apr_pstrdup(cmd->pool, "Satisfy either 'any' or 'all'.");
    }
    for (int i = 0; i < METHOD_BITS; i++) {
        if (cmd->limited & ((kv_method_mask_t)1 << i)) {
            conf->satisfy[i] = satisfy;
        }
    }
    return NULL;
}

static int matches(const kv_request_t *r, const from_t *f)
{
    int is_ip = 0;
    const char *name;

    switch (f->kind) {
    case FROM_ALL:
        return 1;
    case FROM_ENV:
        return apr_table_get(r->subprocess_env, f->name) != NULL;
    case FROM_IP:
        return apr_ipsubnet_test(f->ip, r->useragent_addr);
    default:
        name = kv_get_remote_host(r, KV_REMOTE_DOUBLE_REV, &is_ip);
        return name && !is_ip && host_in_domain(f->name, name);
    }
}

static int any_matches(const kv_request_t *r, const apr_array_header_t *list)
{
    for (int i = 0; i < list->nelts; i++) {
        const rule_t *rule = &APR_ARRAY_IDX(list, i, rule_t);
        if (kv_method_in(rule->limited, r) && matches(r, &rule->from)) {
            return 1;
        }
    }
    return 0;
}

/* The index of @a r's method bit, for the per-method settings. */
static int method_index(const kv_request_t *r)
{
    kv_method_mask_t bit = kv_request_method_bit(r);
    int i = 0;

    while (i < METHOD_BITS - 1 && !(bit & ((kv_method_mask_t)1 << i))) {
        i++;
    }
    return i;
}

static int some_auth_required(const kv_request_t *r)
{
    APR_OPTIONAL_FN_TYPE(kv_some_auth_required) *fn =
        APR_RETRIEVE_OPTIONAL_FN(kv_some_auth_required);

    return fn && fn(r);
}

static int access_compat_checker(kv_request_t *r)
{
    const access_conf_t *conf = kv_get_module_config(r->per_dir_config, &access_compat_module);
    int m;

    if (!conf->set) {
        return KV_DECLINED;
    }
    m = method_index(r);
    if (access_order_lets_in(conf->order[m], any_matches(r, conf->allows),
                             any_matches(r, conf->denys))) {
        if (conf->satisfy[m] == SATISFY_ANY) {
            apr_table_setn(r->notes, KV_ACCESS_SATISFIED_NOTE, "1");
        }
        return KV_OK;
    }
    if (conf->satisfy[m] == SATISFY_ANY && some_auth_required(r)) {
        return KV_OK;
    }
    kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                  "KV01227: client denied by server configuration: %s%s", r->filename ? "" : "uri ",
                  r->filename ? r->filename : r->uri);
    return KV_HTTP_FORBIDDEN;
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    kv_hook_access_checker(access_compat_checker, NULL, NULL, KV_HOOK_MIDDLE);
}

static const char allow_marker = 'A';

static const kv_command_t access_compat_commands[] = {
    {"Order", set_order, NULL, 1, 1, KV_CTX_DIR, 0,
     "'allow,deny', 'deny,allow', or 'mutual-failure'"},
    {"Allow", add_from, &allow_marker, 2, -1, KV_CTX_DIR, 0,
     "'from' followed by hostnames or IP-address wildcards"},
    {"Deny", add_from, NULL, 2, -1, KV_CTX_DIR, 0,
     "'from' followed by hostnames or IP-address wildcards"},
    {"Satisfy", set_satisfy, NULL, 1, 1, KV_CTX_DIR, 0,
     "access policy if both allow and require used ('all' or 'any')"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t access_compat_module = {
    KV_MODULE_HEADER("access_compat"),  .create_dir_config = create_dir_conf,
    .merge_dir_config = merge_dir_conf, .commands = access_compat_commands,
    .register_hooks = register_hooks,
};
