/* mod_remoteip: RemoteIPHeader, RemoteIPTrustedProxy, RemoteIPInternalProxy (and their List
 * forms) and RemoteIPProxiesHeader, as httpd's. When a request has come through proxies, the
 * client is found in the header (X-Forwarded-For ...) by remoteip_walk, first of all when the
 * request has been read, and put in r->useragent_ip and r->useragent_addr, which `%a`,
 * REMOTE_ADDR, SetEnvIf Remote_Addr, `Require ip` and expressions read. */
#include <apr_file_io.h>
#include <apr_strings.h>

#include "kiva.h"
#include "remoteip_walk.h"

#define KV_LOG_MODULE "remoteip"

extern kv_module_t remoteip_module;

typedef struct {
    const char *header;          /* RemoteIPHeader; NULL: the module does nothing */
    const char *proxies_header;  /* RemoteIPProxiesHeader */
    apr_array_header_t *proxies; /* remoteip_proxy_t; NULL: every proxy is trusted */
} remoteip_conf_t;

static void *create_remoteip_conf(apr_pool_t *p, kv_server_t *s)
{
    (void)s;
    return apr_pcalloc(p, sizeof(remoteip_conf_t));
}

/* A virtual host's settings, each taken whole from the main server's when it has none. */
static void *merge_remoteip_conf(apr_pool_t *p, void *basev, void *addv)
{
    const remoteip_conf_t *base = basev, *add = addv;
    remoteip_conf_t *conf = apr_palloc(p, sizeof(*conf));

    conf->header = KV_MERGE_PTR(add->header, base->header, NULL);
    conf->proxies_header = KV_MERGE_PTR(add->proxies_header, base->proxies_header, NULL);
    conf->proxies = KV_MERGE_PTR(add->proxies, base->proxies, NULL);
    return conf;
}

static apr_array_header_t *proxies_of(kv_cmd_parms_t *cmd, remoteip_conf_t *conf)
{
    if (!conf->proxies) {
        conf->proxies = apr_array_make(cmd->pool, 4, sizeof(remoteip_proxy_t));
    }
    return conf->proxies;
}

/* RemoteIPTrustedProxy and RemoteIPInternalProxy (info: internal). */
static const char *set_proxies(kv_cmd_parms_t *cmd, void *mconfig, int argc,
                               const char *const *argv)
{
    apr_array_header_t *proxies = proxies_of(cmd, mconfig);

    for (int i = 0; i < argc; i++) {
        const char *err =
            remoteip_add_proxy(cmd->pool, proxies, argv[i], cmd->info != NULL, cmd->cmd->name);
        if (err) {
            return err;
        }
    }
    return NULL;
}

/* RemoteIPTrustedProxyList and RemoteIPInternalProxyList (info: internal). */
static const char *set_proxy_list(kv_cmd_parms_t *cmd, void *mconfig, int argc,
                                  const char *const *argv)
{
    const char *path = kv_server_root_relative(cmd->temp_pool, argv[0]);
    apr_file_t *f;
    apr_finfo_t fi;
    char *text;
    apr_status_t rv;
    char buf[120];

    (void)argc;
    rv = apr_file_open(&f, path, APR_FOPEN_READ, APR_OS_DEFAULT, cmd->temp_pool);
    if (rv == APR_SUCCESS && (rv = apr_file_info_get(&fi, APR_FINFO_SIZE, f)) == APR_SUCCESS) {
        text = apr_palloc(cmd->temp_pool, (apr_size_t)fi.size + 1);
        rv = apr_file_read_full(f, text, (apr_size_t)fi.size, NULL);
        text[fi.size] = '\0';
    }
    if (rv != APR_SUCCESS) {
        return apr_psprintf(cmd->pool, "%s: Could not open file %s: %s", cmd->cmd->name, path,
                            apr_strerror(rv, buf, sizeof(buf)));
    }
    apr_file_close(f);
    return remoteip_add_proxy_list(cmd->pool, proxies_of(cmd, mconfig), text, cmd->info != NULL,
                                   cmd->cmd->name, path);
}

static int remoteip_post_read_request(kv_request_t *r)
{
    const remoteip_conf_t *conf = kv_get_module_config(r->server->module_config, &remoteip_module);
    const char *header = conf->header ? apr_table_get(r->headers_in, conf->header) : NULL;
    remoteip_found_t found;

    /* An internal redirect keeps the client its request found. */
    if (!header || r->useragent_addr != r->connection->client_addr) {
        return KV_DECLINED;
    }
    if (!remoteip_walk(r->pool, conf->proxies, r->useragent_addr, r->useragent_ip, header,
                       &found)) {
        return KV_DECLINED;
    }
    if (found.remaining) {
        apr_table_set(r->headers_in, conf->header, found.remaining);
    } else {
        apr_table_unset(r->headers_in, conf->header);
    }
    if (found.proxy_ips) {
        apr_table_set(r->notes, "remoteip-proxy-ip-list", found.proxy_ips);
        if (conf->proxies_header) {
            apr_table_set(r->headers_in, conf->proxies_header, found.proxy_ips);
        }
    }
    r->useragent_ip = found.ip;
    r->useragent_addr = found.addr;
    kv_log_rerror(KV_LOG_MARK, KV_LOG_DEBUG, 0, r, "KV01343: Using %s as the client's IP (by %s)",
                  found.ip, found.proxy_ips ? found.proxy_ips : "internal proxies");
    return KV_OK;
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    kv_hook_post_read_request(remoteip_post_read_request, NULL, NULL, KV_HOOK_FIRST);
}

#define SERVER_ONLY KV_CTX_SERVER, KV_CMD_SERVER_CONF

static const kv_command_t remoteip_commands[] = {
    {"RemoteIPHeader", kv_set_string_slot, KV_OFFSET(remoteip_conf_t, header), 1, 1, SERVER_ONLY,
     "header-field: the field that holds the client IP, e.g. X-Forwarded-For"},
    {"RemoteIPProxiesHeader", kv_set_string_slot, KV_OFFSET(remoteip_conf_t, proxies_header), 1, 1,
     SERVER_ONLY,
     "header-field: a request field to record the trusted proxies in, e.g. X-Forwarded-By"},
    {"RemoteIPTrustedProxy", set_proxies, NULL, 1, -1, SERVER_ONLY,
     "addr|addr/prefix|host ...: proxies trusted to present the client IP (not a private one)"},
    {"RemoteIPInternalProxy", set_proxies, (const void *)1, 1, -1, SERVER_ONLY,
     "addr|addr/prefix|host ...: internal proxies, trusted to present any client IP"},
    {"RemoteIPTrustedProxyList", set_proxy_list, NULL, 1, 1, SERVER_ONLY,
     "file: RemoteIPTrustedProxy's addresses, blank-separated, # comments"},
    {"RemoteIPInternalProxyList", set_proxy_list, (const void *)1, 1, 1, SERVER_ONLY,
     "file: RemoteIPInternalProxy's addresses, blank-separated, # comments"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t remoteip_module = {
    KV_MODULE_HEADER("remoteip"),
    .create_server_config = create_remoteip_conf,
    .merge_server_config = merge_remoteip_conf,
    .commands = remoteip_commands,
    .register_hooks = register_hooks,
};
