/* mod_version: httpd's <IfVersion [[!]operator] version> section. Its contents are run where
 * the section stands (same server, context and per-directory config, so inside <Directory>
 * they set that directory's settings), as <IfModule>'s are, when the test holds against the
 * httpd version kiva implements (KV_HTTPD_COMPAT_VERSION), not kiva's own. */
#include "kiva.h"
#include "version_test.h"

extern kv_module_t version_module;

static const char *start_ifversion(kv_cmd_parms_t *cmd, void *conf, int argc,
                                   const char *const *argv)
{
    /* One argument is a version to be equal to, as in httpd. httpd's forms with the '>'
     * standing alone (`<IfVersion = "2.4" >`) arrive here as these two: the reader drops it. */
    const char *op = argc > 1 ? argv[0] : "=";
    int holds;
    const char *err =
        vt_condition(cmd->temp_pool, op, argv[argc - 1], KV_HTTPD_COMPAT_VERSION, &holds);

    (void)conf;
    if (err || !holds) {
        return err;
    }
    return kv_walk_config(cmd, cmd->directive->first_child, cmd->dir_config);
}

static const kv_command_t version_commands[] = {
    {"<IfVersion", start_ifversion, NULL, 1, 2, KV_CTX_ALL, 0,
     "[[!]operator] version> ... </IfVersion>: only if the httpd version kiva implements "
     "compares so (= == < <= > >=, major[.minor[.patch]]) or matches (~ regex, = /regex/)"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t version_module = {
    KV_MODULE_HEADER("version"),
    .commands = version_commands,
};
