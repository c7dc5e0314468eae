/* mod_env: SetEnv, UnsetEnv and PassEnv, as httpd's. The variables of the request's sections
 * are added to r->subprocess_env in the fixups phase (so CGI scripts, `%{VAR}e` in log
 * formats and Header see them, but SetEnvIf, which runs when the request has been read, does
 * not), after what is there already, as httpd's apr_table_overlay: a variable SetEnvIf set
 * keeps its value for a table lookup. */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <apr_tables.h>

#include "env_conf.h"
#include "kiva.h"

#define KV_LOG_MODULE "env"

extern kv_module_t env_module;

/* SetEnv VAR [value]: no value is the empty string. */
static const char *set_env(kv_cmd_parms_t *cmd, void *mconfig, int argc, const char *const *argv)
{
    env_conf_t *conf = mconfig;
    const char *name = apr_pstrdup(cmd->pool, argv[0]);

    if (strchr(name, '=')) {
        kv_log_error(KV_LOG_MARK, KV_LOG_WARNING, 0, cmd->server,
                     "KV01341: Spurious usage of '=' in an environment variable name on line %u "
                     "of %s: 'SetEnv %s' sets a variable of that name ('SetEnv NAME value' "
                     "expected instead?)",
                     cmd->directive->line, cmd->directive->file, name);
    }
    apr_table_setn(conf->vars, name, argc > 1 ? apr_pstrdup(cmd->pool, argv[1]) : "");
    apr_table_unset(conf->unset, name);
    return NULL;
}

/* UnsetEnv VAR...: removes what enclosing sections and earlier lines set. */
static const char *unset_env(kv_cmd_parms_t *cmd, void *mconfig, int argc, const char *const *argv)
{
    env_conf_t *conf = mconfig;

    for (int i = 0; i < argc; i++) {
        apr_table_setn(conf->unset, apr_pstrdup(cmd->pool, argv[i]), "");
        apr_table_unset(conf->vars, argv[i]);
    }
    return NULL;
}

/* PassEnv VAR...: the value the server was started with, read with the configuration. */
static const char *pass_env(kv_cmd_parms_t *cmd, void *mconfig, int argc, const char *const *argv)
{
    env_conf_t *conf = mconfig;

    for (int i = 0; i < argc; i++) {
        const char *value = getenv(argv[i]);
        if (!value) {
            kv_log_error(KV_LOG_MARK, KV_LOG_WARNING, 0, cmd->server,
                         "KV01342: PassEnv variable %s was undefined (line %u of %s)", argv[i],
                         cmd->directive->line, cmd->directive->file);
            continue;
        }
        apr_table_setn(conf->vars, apr_pstrdup(cmd->pool, argv[i]), apr_pstrdup(cmd->pool, value));
        apr_table_unset(conf->unset, argv[i]);
    }
    return NULL;
}

static int env_fixups(kv_request_t *r)
{
    const env_conf_t *conf = kv_get_module_config(r->per_dir_config, &env_module);

    if (apr_is_empty_table(conf->vars)) {
        return KV_DECLINED;
    }
    r->subprocess_env = apr_table_overlay(r->pool, r->subprocess_env, conf->vars);
    return KV_OK;
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    kv_hook_fixups(env_fixups, NULL, NULL, KV_HOOK_MIDDLE);
}

static const kv_command_t env_commands[] = {
    {"SetEnv", set_env, NULL, 1, 2, KV_CTX_ALL, 0,
     "VAR [value]: a variable for CGI scripts, logs and headers (set in the fixups phase)"},
    {"UnsetEnv", unset_env, NULL, 1, -1, KV_CTX_ALL, 0,
     "VAR [VAR]...: removes variables SetEnv or PassEnv set in enclosing sections"},
    {"PassEnv", pass_env, NULL, 1, -1, KV_CTX_ALL, 0,
     "VAR [VAR]...: passes variables of the server's own environment"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t env_module = {
    KV_MODULE_HEADER("env"),
    .create_dir_config = env_conf_create,
    .merge_dir_config = env_conf_merge,
    .commands = env_commands,
    .register_hooks = register_hooks,
};
