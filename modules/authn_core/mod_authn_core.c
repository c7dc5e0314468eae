/* mod_authn_core: AuthType and AuthName, per directory, as httpd 2.4 has them (core
 * directives in 2.2). The AuthType must be one a loaded module implements (Basic:
 * mod_auth_basic). mod_authz_core and the AuthType's module read them through the optional
 * functions kv_auth_type and kv_auth_name (kv_auth.h). */
#include <string.h>

#include <apr_strings.h>

#include "kiva.h"
#include "kv_auth.h"

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
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t authn_core_module = {
    KV_MODULE_HEADER("authn_core"),     .create_dir_config = create_dir_conf,
    .merge_dir_config = merge_dir_conf, .commands = authn_core_commands,
    .register_hooks = register_hooks,
};
