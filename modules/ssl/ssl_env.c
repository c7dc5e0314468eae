/* The SSL environment of requests (ssl_env.h). Every way in asks for one variable by name
 * (ssl_vars.c computes it from the connection's SSL), so that a log field or an expression
 * costs only what it names; only SSLOptions +StdEnvVars fills the whole table, for scripts,
 * at fixups as httpd does. */
#include <string.h>

#include <apr_escape.h>
#include <apr_strings.h>

#include "kv_expr.h"
#include "kv_log_items.h"
#include "ssl_env.h"
#include "ssl_pha.h"
#include "ssl_transport.h"
#include "ssl_vars.h"

extern kv_module_t ssl_module;

/* ---- Per-directory configuration -------------------------------------------------------- */

void *ssl_create_dir_conf(apr_pool_t *p, const char *dir)
{
    ssl_dir_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    (void)dir;
    ssl_options_init(&conf->options);
    conf->require_ssl = KV_UNSET_INT;
    ssl_pha_dir_init(conf);
    return conf;
}

void *ssl_merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    const ssl_dir_conf_t *base = basev, *add = addv;
    ssl_dir_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    ssl_options_merge(&conf->options, &base->options, &add->options);
    conf->require_ssl = KV_MERGE_INT(add->require_ssl, base->require_ssl, KV_UNSET_INT);
    ssl_pha_dir_merge(conf, base, add);
    return conf;
}

const char *ssl_set_options(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv)
{
    ssl_dir_conf_t *conf = c;

    return ssl_options_parse(cmd->pool, &conf->options, argc, argv);
}

const char *ssl_set_require_ssl(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv)
{
    ssl_dir_conf_t *conf = c;

    (void)cmd;
    (void)argc;
    (void)argv;
    conf->require_ssl = 1;
    return NULL;
}

/* ---- The variables ---------------------------------------------------------------------- */

SSL *ssl_request_ssl(const kv_request_t *r)
{
    const ssl_conn_t *sc = kv_get_module_config(r->connection->conn_config, &ssl_module);

    return sc ? ssl_transport_ssl(sc) : NULL;
}

static int var_flags(const kv_request_t *r)
{
    const ssl_dir_conf_t *conf = kv_get_module_config(r->per_dir_config, &ssl_module);

    return conf && (conf->options.options & SSL_OPT_LEGACYDNFORMAT) ? SSL_VARS_LEGACY_DN : 0;
}

/* HTTPS or an SSL_* variable of @a r; NULL when it has none. */
static const char *lookup(kv_request_t *r, const char *name)
{
    SSL *ssl = ssl_request_ssl(r);

    if (strcasecmp(name, "HTTPS") == 0) {
        return ssl ? "on" : "off";
    }
    return ssl ? ssl_var_lookup(r->pool, ssl, name, var_flags(r)) : NULL;
}

/* %{NAME}x in LogFormat, escaped as the other fields ("-" when there is none). */
static const char *log_item_x(kv_request_t *r, const char *arg)
{
    const char *v = arg ? lookup(r, arg) : NULL;

    return v && *v ? apr_pescape_echo(r->pool, v, 1) : NULL;
}

/* mod_ssl's variables in expressions: HTTPS (any case, as the built-in one) and every SSL_*
 * name, as httpd's. */
static kv_expr_var_fn expr_lookup(const char *name)
{
    return strcasecmp(name, "HTTPS") == 0 || strncmp(name, "SSL_", 4) == 0 ? lookup : NULL;
}

/* httpd's fixup: HTTPS and SSL_TLS_SNI for every request over TLS, the rest as SSLOptions
 * asks. */
static int export_env(kv_request_t *r)
{
    const ssl_dir_conf_t *conf = kv_get_module_config(r->per_dir_config, &ssl_module);
    SSL *ssl = ssl_request_ssl(r);
    const char *sni;

    if (!ssl) {
        return KV_DECLINED;
    }
    apr_table_setn(r->subprocess_env, "HTTPS", "on");
    sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (sni) {
        apr_table_set(r->subprocess_env, "SSL_TLS_SNI", sni);
    }
    if (conf->options.options & SSL_OPT_STDENVVARS) {
        ssl_vars_add_std(r->pool, ssl, r->subprocess_env, var_flags(r));
    }
    if (conf->options.options & SSL_OPT_EXPORTCERTDATA) {
        ssl_vars_add_certs(r->pool, ssl, r->subprocess_env);
    }
    return KV_DECLINED;
}

void ssl_env_register_hooks(apr_pool_t *p)
{
    kv_log_register_item(p, "x", log_item_x);
    kv_hook_expr_lookup(expr_lookup, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_fixups(export_env, NULL, NULL, KV_HOOK_MIDDLE);
}
