/* The conditional sections: <IfModule>, and those httpd 2.4.34 added, <IfFile>,
 * <IfDirective> and <IfSection>. Each runs its contents where it stands, or skips them, by
 * a test made when the configuration is walked (so after the LoadModule lines above it). */
#include <string.h>

#include <apr_file_info.h>
#include <apr_strings.h>

#include "config_if.h"
#include "config_walk.h"
#include "module.h"

typedef int (*cond_test_fn)(kv_cmd_parms_t *cmd, const char *arg);

static int file_exists(kv_cmd_parms_t *cmd, const char *arg)
{
    apr_finfo_t fi;

    return apr_stat(&fi, kv_server_root_relative(cmd->temp_pool, arg), APR_FINFO_TYPE,
                    cmd->temp_pool) == APR_SUCCESS;
}

static int directive_exists(kv_cmd_parms_t *cmd, const char *arg)
{
    (void)cmd;
    return kv_directive_exists(arg);
}

static int section_exists(kv_cmd_parms_t *cmd, const char *arg)
{
    return kv_directive_exists(apr_pstrcat(cmd->temp_pool, "<", arg, NULL));
}

static const cond_test_fn tests[] = {file_exists, directive_exists, section_exists};

const char *kv_cmd_if_condition(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    cond_test_fn test = tests[(long)cmd->info];
    const char *arg = argv[0];
    int negate = arg[0] == '!';

    (void)conf;
    (void)argc;
    arg += negate;
    if (*arg == '\0') {
        return apr_psprintf(cmd->pool, "%s> directive requires additional arguments",
                            cmd->cmd->name);
    }
    if (test(cmd, arg) == negate) {
        return NULL;
    }
    return kv_walk_section_contents(cmd);
}

const char *kv_cmd_ifmodule(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    const char *name = argv[0];
    int negate = name[0] == '!';
    int loaded;

    (void)conf;
    (void)argc;
    if (negate) {
        name++;
    }
    if (!*name) {
        return "<IfModule> needs a module name, e.g. <IfModule mime_module>";
    }
    loaded = kv_find_module(name) != NULL;
    if (loaded == negate) {
        return NULL;
    }
    return kv_walk_section_contents(cmd);
}
