/* Listen and AcceptFilter: the addresses the server accepts connections on, and when the
 * kernel hands a connection over. */
#include <string.h>

#include <apr_lib.h>
#include <apr_network_io.h>
#include <apr_strings.h>

#include "core.h"
#include "core_directives.h"

/* As httpd, Listen takes any protocol name (https for mod_ssl), lower-cased: AcceptFilter's
 * key. */
static const char *lower(apr_pool_t *p, const char *name)
{
    char *copy = apr_pstrdup(p, name);

    for (char *c = copy; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    return copy;
}

const char *kv_cmd_listen(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    kv_core_server_conf_t *sconf = conf;
    kv_listen_spec_t *spec;
    char *host, *scope;
    apr_port_t port;

    if (apr_parse_addr_port(&host, &scope, &port, argv[0], cmd->pool) != APR_SUCCESS) {
        return apr_psprintf(cmd->pool, "Listen: '%s' is not [address:]port", argv[0]);
    }
    if (host && strchr(host, ':') && argv[0][0] != '[') {
        return apr_psprintf(cmd->pool,
                            "Listen: write the IPv6 address of '%s' in brackets, "
                            "e.g. [::1]:8080",
                            argv[0]);
    }
    if (port == 0) {
        return apr_psprintf(cmd->pool, "Listen: '%s' has no port (1 to 65535)", argv[0]);
    }
    if (scope) {
        return apr_psprintf(cmd->pool, "Listen: scoped addresses like '%s' are not supported",
                            argv[0]);
    }
    for (int i = 0; i < sconf->listen_specs->nelts; i++) {
        const kv_listen_spec_t *o = &APR_ARRAY_IDX(sconf->listen_specs, i, kv_listen_spec_t);
        if (o->port == port &&
            ((!o->addr && !host) || (o->addr && host && !strcmp(o->addr, host)))) {
            return apr_psprintf(cmd->pool, "Listen: %s is already configured", argv[0]);
        }
    }
    spec = apr_array_push(sconf->listen_specs);
    spec->addr = host;
    spec->port = port;
    spec->text = apr_pstrdup(cmd->pool, argv[0]);
    spec->protocol = argc == 2 ? lower(cmd->pool, argv[1]) : port == 443 ? "https" : "http";
    return NULL;
}

/* httpd's filter names. On Linux every one but "none" means TCP_DEFER_ACCEPT; the FreeBSD
 * and Windows names are taken too, so that a config written there works here. */
static const char *const accept_filter_names[] = {"none", "data", "dataready", "httpready",
                                                  "connect"};

const char *kv_cmd_accept_filter(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    kv_core_server_conf_t *sconf = conf;

    (void)argc;
    for (size_t i = 0; i < sizeof(accept_filter_names) / sizeof(accept_filter_names[0]); i++) {
        if (strcasecmp(argv[1], accept_filter_names[i]) == 0) {
            apr_table_set(sconf->accept_filters, apr_pstrdup(cmd->pool, argv[0]),
                          accept_filter_names[i]);
            return NULL;
        }
    }
    return apr_psprintf(cmd->pool,
                        "AcceptFilter %s: unknown filter '%s' (use data, or none "
                        "to hand connections over at once; httpready, dataready and connect "
                        "mean data on Linux)",
                        argv[0], argv[1]);
}
