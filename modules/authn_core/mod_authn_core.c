/* mod_authn_core: AuthType and AuthName, per directory, as httpd 2.4 has them (core
 * directives in 2.2). The AuthType must be one a loaded module implements (Basic:
 * mod_auth_basic). mod_authz_core and the AuthType's module read them through the optional
 * functions kv_auth_type and kv_auth_name (kv_auth.h).
 *
 * `<AuthnProviderAlias provider alias>` ... `</AuthnProviderAlias>` makes a new
 * authentication provider: @a provider with the settings inside (AuthUserFile ...), merged
 * over the request's when it is asked, as httpd's. */
#include <string.h>

#include <apr_strings.h>

#include "kiva.h"
#include "kv_auth.h"
#include "kv_log.h"

#define KV_LOG_MODULE "authn_core"

extern kv_module_t authn_core_module;

typedef struct {
    const char *auth_type; /* AuthType as written ("None" included); NULL if unset */
    const char *auth_name; /* AuthName; NULL if unset */
} authn_core_conf_t;

static void *create_dir_conf(apr_pool_t *p, const char *dir)
{
    (void)dir;
    return apr_pcalloc(p, sizeof(authn_core_conf_t));
}

static void *merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    authn_core_conf_t *base = basev, *add = addv;
    authn_core_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    conf->auth_type = KV_MERGE_PTR(add->auth_type, base->auth_type, NULL);
    conf->auth_name = KV_MERGE_PTR(add->auth_name, base->auth_name, NULL);
    return conf;
}

static const authn_core_conf_t *dir_conf(const kv_request_t *r)
{
    return kv_get_module_config(r->per_dir_config, &authn_core_module);
}

static int is_none(const char *auth_type)
{
    return strcasecmp(auth_type, "None") == 0;
}

/* The optional functions of kv_auth.h: they keep the names their typedefs give them. */
static const char *kv_auth_type(const kv_request_t *r)
{
    const char *type = dir_conf(r)->auth_type;

    return type && !is_none(type) ? type : NULL;
}

static const char *kv_auth_name(const kv_request_t *r)
{
    return dir_conf(r)->auth_name;
}

static const char *set_auth_type(kv_cmd_parms_t *cmd, void *mconfig, int argc,
                                 const char *const *argv)
{
    authn_core_conf_t *conf = mconfig;

    (void)argc;
    if (!is_none(argv[0]) && !kv_auth_type_get(cmd->temp_pool, argv[0])) {
        return apr_psprintf(cmd->pool,
                            "AuthType %s: no loaded module provides it (LoadModule "
                            "auth_basic_module provides Basic)",
                            argv[0]);
    }
    conf->auth_type = apr_pstrdup(cmd->pool, argv[0]);
    return NULL;
}

/* An <AuthnProviderAlias>: the provider it stands for and the settings of its section. */
typedef struct {
    kv_authn_check_fn check;
    void **dir_config;
} alias_t;

/* Alias name (lower-case) -> alias_t, for the configuration generation being read or
 * served; forgotten with its pool. */
static apr_hash_t *aliases;

static apr_status_t forget_aliases(void *table)
{
    if (aliases == table) {
        aliases = NULL;
    }
    return APR_SUCCESS;
}

/* The provider registered for every alias: which alias is asked is in r->notes. */
static kv_authn_status_t alias_check(kv_request_t *r, const char *user, const char *password)
{
    const char *name = apr_table_get(r->notes, KV_AUTHN_PROVIDER_NAME_NOTE);
    const alias_t *a =
        name && aliases ? apr_hash_get(aliases, kv_auth_key(r->pool, "", name), APR_HASH_KEY_STRING)
                        : NULL;
    void **saved = r->per_dir_config;
    kv_authn_status_t s;

    if (!a) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r, "KV01226: no <AuthnProviderAlias> is named %s",
                      name ? name : "(none)");
        return KV_AUTHN_GENERAL_ERROR;
    }
    r->per_dir_config = kv_merge_per_dir_configs(r->pool, saved, a->dir_config);
    s = a->check(r, user, password);
    r->per_dir_config = saved;
    return s;
}

static const char *add_alias(kv_cmd_parms_t *cmd, void *mconfig, int argc, const char *const *argv)
{
    alias_t *a = apr_pcalloc(cmd->pool, sizeof(*a));
    const char *err;

    (void)mconfig;
    (void)argc;
    if ((a->check = kv_authn_provider_get(cmd->temp_pool, argv[0])) == NULL) {
        return apr_psprintf(cmd->pool, "Unknown Authn provider: %s", argv[0]);
    }
    if (kv_authn_provider_get(cmd->temp_pool, argv[1])) {
        return apr_psprintf(
            cmd->pool, "<AuthnProviderAlias>: the alias name %s is already a provider's", argv[1]);
    }
    a->dir_config = kv_create_per_dir_config(cmd->pool, NULL);
    cmd->context = KV_CTX_DIR;
    if ((err = kv_walk_config(cmd, cmd->directive->first_child, a->dir_config)) != NULL) {
        return err;
    }
    if (!aliases) {
        aliases = apr_hash_make(cmd->pool);
        apr_pool_cleanup_register(cmd->pool, aliases, forget_aliases, apr_pool_cleanup_null);
    }
    apr_hash_set(aliases, kv_auth_key(cmd->pool, "", argv[1]), APR_HASH_KEY_STRING, a);
    kv_authn_provider_register(cmd->pool, argv[1], alias_check);
    return NULL;
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    APR_REGISTER_OPTIONAL_FN(kv_auth_type);
    APR_REGISTER_OPTIONAL_FN(kv_auth_name);
}

static const kv_command_t authn_core_commands[] = {
    {"AuthType", set_auth_type, NULL, 1, 1, KV_CTX_DIR, 0,
     "Basic or None: how users are authenticated"},
    {"AuthName", kv_set_string_slot, KV_OFFSET(authn_core_conf_t, auth_name), 1, 1, KV_CTX_DIR, 0,
     "realm: the name of the protected area, shown by browsers"},
    {"<AuthnProviderAlias", add_alias, NULL, 2, 2, KV_CTX_SERVER, 0,
     "<AuthnProviderAlias provider alias>: a new provider, the one named with the settings "
     "inside"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t authn_core_module = {
    KV_MODULE_HEADER("authn_core"),     .create_dir_config = create_dir_conf,
    .merge_dir_config = merge_dir_conf, .commands = authn_core_commands,
    .register_hooks = register_hooks,
};
