/* mod_auth_basic: AuthType Basic. When mod_authz_core needs a user, the Authorization
 * field's user and password are checked by the AuthBasicProvider providers in order (default
 * "file", mod_authn_file); missing or wrong credentials get a 401 with WWW-Authenticate
 * naming the AuthName realm. */
#include <string.h>

#include <apr_strings.h>

#include "basic_creds.h"
#include "kiva.h"
#include "kv_auth.h"
#include "kv_log.h"

#define KV_LOG_MODULE "auth_basic"

extern kv_module_t auth_basic_module;

typedef struct {
    apr_array_header_t *providers; /* const char *: AuthBasicProvider; NULL if unset */
} auth_basic_conf_t;

static void *create_dir_conf(apr_pool_t *p, const char *dir)
{
    (void)dir;
    return apr_pcalloc(p, sizeof(auth_basic_conf_t));
}

static void *merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    auth_basic_conf_t *base = basev, *add = addv;
    auth_basic_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    conf->providers = KV_MERGE_PTR(add->providers, base->providers, NULL);
    return conf;
}

static const char *set_providers(kv_cmd_parms_t *cmd, void *mconfig, int argc,
                                 const char *const *argv)
{
    auth_basic_conf_t *conf = mconfig;

    conf->providers = apr_array_make(cmd->pool, argc, sizeof(const char *));
    for (int i = 0; i < argc; i++) {
        if (!kv_authn_provider_get(cmd->temp_pool, argv[i])) {
            return apr_psprintf(cmd->pool,
                                "Unknown Authn provider: %s (is its module, e.g. "
                                "authn_file_module for file, loaded?)",
                                argv[i]);
        }
        APR_ARRAY_PUSH(conf->providers, const char *) = apr_pstrdup(cmd->pool, argv[i]);
    }
    return NULL;
}

/* The realm as a quoted-string: '"' and '\' escaped. */
static const char *quoted(apr_pool_t *p, const char *s)
{
    char *out = apr_palloc(p, 2 * strlen(s) + 3);
    char *w = out;

    *w++ = '"';
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') {
            *w++ = '\\';
        }
        *w++ = *s;
    }
    *w++ = '"';
    *w = '\0';
    return out;
}

static const char *auth_name(const kv_request_t *r)
{
    APR_OPTIONAL_FN_TYPE(kv_auth_name) *fn = APR_RETRIEVE_OPTIONAL_FN(kv_auth_name);

    return fn ? fn(r) : NULL;
}

static int is_basic(const kv_request_t *r)
{
    APR_OPTIONAL_FN_TYPE(kv_auth_type) *fn = APR_RETRIEVE_OPTIONAL_FN(kv_auth_type);
    const char *type = fn ? fn(r) : NULL;

    return type && strcasecmp(type, "Basic") == 0;
}

static void note_basic_failure(kv_request_t *r)
{
    const char *realm = auth_name(r);

    apr_table_setn(r->err_headers_out, "WWW-Authenticate",
                   apr_pstrcat(r->pool, "Basic realm=", quoted(r->pool, realm ? realm : ""), NULL));
}

static int unauthorized(kv_request_t *r)
{
    note_basic_failure(r);
    return KV_HTTP_UNAUTHORIZED;
}

/* Ask each provider in order until one knows the user. */
static kv_authn_status_t check_with_providers(kv_request_t *r, const char *user,
                                              const char *password)
{
    const auth_basic_conf_t *conf = kv_get_module_config(r->per_dir_config, &auth_basic_module);
    static const char *const default_provider = "file";
    const char *const *names =
        conf->providers ? (const char *const *)conf->providers->elts : &default_provider;
    int n = conf->providers ? conf->providers->nelts : 1;
    kv_authn_status_t s = KV_AUTHN_USER_NOT_FOUND;

    for (int i = 0; i < n && s == KV_AUTHN_USER_NOT_FOUND; i++) {
        kv_authn_check_fn check = kv_authn_provider_get(r->pool, names[i]);
        if (!check) {
            kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                          "KV00840: no authentication provider "
                          "'%s' is loaded (AuthBasicProvider) for %s",
                          names[i], r->uri);
            return KV_AUTHN_GENERAL_ERROR;
        }
        apr_table_setn(r->notes, KV_AUTHN_PROVIDER_NAME_NOTE, names[i]);
        s = check(r, user, password);
        apr_table_unset(r->notes, KV_AUTHN_PROVIDER_NAME_NOTE);
    }
    return s;
}

static int basic_check_user_id(kv_request_t *r)
{
    const char *field, *user, *password;

    if (!is_basic(r)) {
        return KV_DECLINED;
    }
    if (!auth_name(r)) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r, "KV00841: need AuthName: %s", r->uri);
        return KV_HTTP_INTERNAL_SERVER_ERROR;
    }
    field = apr_table_get(r->headers_in, "Authorization");
    if (!field) {
        return unauthorized(r);
    }
    if (!basic_creds_parse(r->pool, field, &user, &password)) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV00842: client used malformed Basic credentials for %s", r->uri);
        return unauthorized(r);
    }
    switch (check_with_providers(r, user, password)) {
    case KV_AUTHN_GRANTED:
        r->user = user;
        return KV_OK;
    case KV_AUTHN_USER_NOT_FOUND:
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r, "KV00843: user %s not found: %s", user,
                      r->uri);
        return unauthorized(r);
    case KV_AUTHN_DENIED:
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV00844: user %s: authentication failure for \"%s\": Password Mismatch",
                      user, r->uri);
        return unauthorized(r);
    default:
        return KV_HTTP_INTERNAL_SERVER_ERROR;
    }
}

static void register_hooks(apr_pool_t *p)
{
    kv_auth_type_register(p, "Basic", note_basic_failure);
    kv_hook_check_user_id(basic_check_user_id, NULL, NULL, KV_HOOK_MIDDLE);
}

static const kv_command_t auth_basic_commands[] = {
    {"AuthBasicProvider", set_providers, NULL, 1, -1, KV_CTX_DIR, 0,
     "provider-name...: who checks Basic passwords, in order (default file)"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t auth_basic_module = {
    KV_MODULE_HEADER("auth_basic"),     .create_dir_config = create_dir_conf,
    .merge_dir_config = merge_dir_conf, .commands = auth_basic_commands,
    .register_hooks = register_hooks,
};
