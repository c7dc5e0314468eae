/* mod_ssl: TLS (HTTPS) on OpenSSL 3, with httpd's directives. A server (the main one or a
 * <VirtualHost>) with SSLEngine on gets its own SSL_CTX at post_config
 * (ssl_context.c); a connection whose address selects such a server gets the TLS transport
 * layer (ssl_transport.c) from pre_connection, under every MPM. The directives and the
 * certificates they load are ssl_config.c's. */
#include "kiva.h"
#include "kv_connection.h"
#include "kv_log.h"
#include "ssl_config.h"
#include "ssl_context.h"
#include "ssl_transport.h"

#define KV_LOG_MODULE "ssl"

extern kv_module_t ssl_module;

/* Does any server of the generation have SSLEngine on? If not, connections skip the
 * lookup of their server (Debian loads mod_ssl whether or not a host uses it). Set at
 * each generation's post_config. */
static int any_tls;

static int ssl_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, kv_server_t *s)
{
    (void)plog;
    (void)ptemp;
    any_tls = 0;
    if (!ssl_transport_init(pconf)) {
        kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, 0, s, "KV01480: cannot make the TLS BIO: %s",
                     ssl_error_text(pconf));
        return KV_HTTP_INTERNAL_SERVER_ERROR;
    }
    for (kv_server_t *vs = s; vs; vs = vs->next) {
        ssl_server_conf_t *conf = kv_get_module_config(vs->module_config, &ssl_module);

        if (conf->engine == 1) {
            int rv = ssl_context_build(pconf, vs, conf);

            if (rv != KV_OK) {
                return rv;
            }
            ssl_stapling_setup(pconf, vs, &conf->stapling, conf->certs, conf->chain, conf->ctx);
            any_tls = 1;
        }
    }
    return ssl_stapling_start(pconf, s);
}

static int ssl_pre_connection(kv_conn_t *c, void *csd)
{
    const kv_server_t *s;
    const ssl_server_conf_t *conf;
    ssl_conn_t *sc;

    (void)csd;
    if (!any_tls) {
        return KV_DECLINED;
    }
    s = kv_conn_address_server(c);
    conf = kv_get_module_config(s->module_config, &ssl_module);
    if (!conf->ctx) {
        return KV_DECLINED;
    }
    sc = ssl_transport_push(c, conf->ctx, s->server_hostname ? s->server_hostname : "localhost");
    if (!sc) {
        return KV_DONE;
    }
    kv_set_module_config(c->conn_config, &ssl_module, sc);
    return KV_OK;
}

/* httpd's answer to plain HTTP on a TLS port: 400 with its reason, then the connection
 * closes (the layer's request said Connection: close). */
static int ssl_post_read_request(kv_request_t *r)
{
    ssl_conn_t *sc = kv_get_module_config(r->connection->conn_config, &ssl_module);

    if (!sc || !ssl_transport_take_plain_http(sc)) {
        return KV_DECLINED;
    }
    apr_table_setn(r->notes, "error-notes",
                   "Reason: You're speaking plain HTTP to an SSL-enabled server port.<br />\n"
                   " Instead use the HTTPS scheme to access this URL, please.<br />\n");
    r->close_connection = 1;
    return KV_HTTP_BAD_REQUEST;
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    kv_hook_post_config(ssl_post_config, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_pre_connection(ssl_pre_connection, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_post_read_request(ssl_post_read_request, NULL, NULL, KV_HOOK_REALLY_FIRST);
}

kv_module_t ssl_module = {
    KV_MODULE_HEADER("ssl"),
    .create_server_config = ssl_create_server_conf,
    .merge_server_config = ssl_merge_server_conf,
    .commands = ssl_commands,
    .register_hooks = register_hooks,
};
