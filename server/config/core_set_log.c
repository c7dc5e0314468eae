/* The core's logging directives: ErrorLog and LogLevel. */
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>

#include "core.h"
#include "core_directives.h"
#include "kv_log.h"

const char *kv_cmd_error_log(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    kv_core_server_conf_t *sconf = conf;

    (void)argc;
    if (argv[0][0] == '|' || strncasecmp(argv[0], "syslog", 6) == 0) {
        return "ErrorLog: piped and syslog error logs are not supported yet; give a file name";
    }
    sconf->error_log = kv_server_root_relative(cmd->pool, argv[0]);
    return NULL;
}

const char *kv_cmd_log_level(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    kv_server_t *s = cmd->server;

    (void)conf;
    for (int i = 0; i < argc; i++) {
        const char *colon = strchr(argv[i], ':');
        const char *name = colon ? colon + 1 : argv[i];
        int level = kv_log_level_from_name(name);

        if (level < 0) {
            return apr_psprintf(cmd->pool,
                                "LogLevel: '%s' is not a level (emerg, alert, crit, error, "
                                "warn, notice, info, debug, trace1 to trace8)",
                                name);
        }
        if (colon) {
            int *lv = apr_palloc(cmd->pool, sizeof(*lv));
            const char *mod = apr_pstrndup(cmd->pool, argv[i], (apr_size_t)(colon - argv[i]));
            size_t n = strlen(mod);
            if (n > 7 && strcmp(mod + n - 7, "_module") == 0) {
                mod = apr_pstrndup(cmd->pool, mod, n - 7);
            }
            *lv = level;
            apr_hash_set(s->module_log_levels, mod, APR_HASH_KEY_STRING, lv);
        } else {
            s->log_level = level;
        }
    }
    return NULL;
}
