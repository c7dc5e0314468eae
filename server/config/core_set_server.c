/* The core's directives that name the server: ServerName, DocumentRoot, ServerAdmin,
 * ServerTokens, AccessFileName. */
#include <string.h>

#include <apr_file_info.h>
#include <apr_network_io.h>
#include <apr_strings.h>

#include "core.h"
#include "core_directives.h"
#include "kv_log.h"

const char *kv_cmd_server_name(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    const char *name = argv[0];
    const char *scheme_end = strstr(name, "://");
    char *host, *scope;
    apr_port_t port;

    (void)conf;
    (void)argc;
    if (scheme_end) {
        name = scheme_end + 3;
    }
    if (apr_parse_addr_port(&host, &scope, &port, name, cmd->pool) != APR_SUCCESS || !host ||
        scope) {
        return apr_psprintf(cmd->pool,
                            "ServerName: '%s' is not a host name with an optional "
                            "port",
                            argv[0]);
    }
    cmd->server->server_hostname = host;
    cmd->server->port = port;
    return NULL;
}

const char *kv_cmd_document_root(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    kv_core_server_conf_t *sconf = conf;
    char *root = apr_pstrdup(cmd->pool, kv_server_root_relative(cmd->pool, argv[0]));
    size_t n = strlen(root);
    apr_finfo_t fi;

    (void)argc;
    while (n > 1 && root[n - 1] == '/') {
        root[--n] = '\0';
    }
    if (apr_stat(&fi, root, APR_FINFO_TYPE, cmd->temp_pool) != APR_SUCCESS ||
        fi.filetype != APR_DIR) {
        /* As httpd: a warning, so a site can be deployed after the server starts. */
        kv_log_error("core", __FILE__, __LINE__, KV_LOG_WARNING, 0, NULL,
                     "KV00002: DocumentRoot [%s] does not exist (line %u of %s)", root,
                     cmd->directive->line, cmd->directive->file);
    }
    sconf->document_root = root;
    return NULL;
}

const char *kv_cmd_server_admin(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    kv_core_server_conf_t *sconf = conf;

    (void)argc;
    sconf->server_admin = apr_pstrdup(cmd->pool, argv[0]);
    return NULL;
}

const char *kv_cmd_server_tokens(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    kv_core_server_conf_t *sconf = conf;

    (void)argc;
    if (kv_parse_server_tokens(argv[0], &sconf->server_tokens) != 0) {
        return apr_psprintf(cmd->pool,
                            "ServerTokens must be Prod, Major, Minor, Min, OS or "
                            "Full, not '%s'",
                            argv[0]);
    }
    return NULL;
}

const char *kv_cmd_access_file_name(kv_cmd_parms_t *cmd, void *conf, int argc,
                                    const char *const *argv)
{
    kv_core_server_conf_t *sconf = conf;

    sconf->access_file_names = apr_array_make(cmd->pool, argc, sizeof(const char *));
    for (int i = 0; i < argc; i++) {
        APR_ARRAY_PUSH(sconf->access_file_names, const char *) = apr_pstrdup(cmd->pool, argv[i]);
    }
    return NULL;
}
