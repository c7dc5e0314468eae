/* mod_userdir: UserDir, as httpd's. A URL /~user[/rest] maps to the user's directory (a
 * directory in the home that the system's user database gives, or a path with the user's
 * name in it), or redirects elsewhere, in the translate_name phase after mod_alias. */
#include <apr_strings.h>
#include <apr_user.h>

#include "kiva.h"
#include "userdir_map.h"

extern kv_module_t userdir_module;

static void *create_userdir_conf(apr_pool_t *p, kv_server_t *s)
{
    userdir_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    (void)s;
    conf->enabled = apr_table_make(p, 2);
    conf->disabled = apr_table_make(p, 2);
    return conf;
}

/* A virtual host's directories and global switch over the main server's; the user lists are
 * the virtual host's own (httpd does not merge them). */
static void *merge_userdir_conf(apr_pool_t *p, void *basev, void *addv)
{
    const userdir_conf_t *base = basev, *add = addv;
    userdir_conf_t *conf = apr_pmemdup(p, add, sizeof(*conf));

    conf->globally = add->globally != USERDIR_UNSET ? add->globally : base->globally;
    conf->dirs = KV_MERGE_PTR(add->dirs, base->dirs, NULL);
    return conf;
}

static const char *set_userdir(kv_cmd_parms_t *cmd, void *mconfig, int argc,
                               const char *const *argv)
{
    return userdir_configure(cmd->pool, mconfig, argc, argv);
}

static const char *home_of(apr_pool_t *p, const char *user)
{
    char *home;

    return apr_uid_homepath_get(&home, user, p) == APR_SUCCESS ? home : NULL;
}

static int exists(apr_pool_t *p, const char *path)
{
    apr_finfo_t fi;
    apr_status_t rv = apr_stat(&fi, path, APR_FINFO_MIN, p);

    return rv == APR_SUCCESS || rv == APR_INCOMPLETE;
}

static int userdir_translate(kv_request_t *r)
{
    const userdir_conf_t *conf = kv_get_module_config(r->server->module_config, &userdir_module);
    const char *out, *user;

    switch (userdir_map(r->pool, conf, r->uri, home_of, exists, &out, &user)) {
    case USERDIR_FILE:
        r->filename = out;
        apr_table_setn(r->notes, "mod_userdir_user", user);
        return KV_OK;
    case USERDIR_REDIRECT:
        apr_table_setn(r->err_headers_out, "Location", out);
        return KV_HTTP_MOVED_TEMPORARILY;
    default:
        return KV_DECLINED;
    }
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    /* After mod_alias's (KV_HOOK_FIRST), before the core's. */
    kv_hook_translate_name(userdir_translate, NULL, NULL, KV_HOOK_MIDDLE);
}

static const kv_command_t userdir_commands[] = {
    {"UserDir", set_userdir, NULL, 1, -1, KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "dir|/path|/path/*/dir|URL ... | disabled [user...] | enabled user...: where /~user "
     "URLs are served from"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t userdir_module = {
    KV_MODULE_HEADER("userdir"),
    .create_server_config = create_userdir_conf,
    .merge_server_config = merge_userdir_conf,
    .commands = userdir_commands,
    .register_hooks = register_hooks,
};
