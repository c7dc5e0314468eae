/* mod_ssl: TLS (HTTPS) on OpenSSL 3, with httpd's directives. A server (the main one or a
 * <VirtualHost>) with SSLEngine on gets its own SSL_CTX at post_config
 * (ssl_context.c); a connection whose address selects such a server gets the TLS transport
 * layer (ssl_transport.c) from pre_connection, under every MPM. The directives and the
 * certificates they load are ssl_config.c's. */
#include "kiva.h"
#include "kv_connection.h"
#include "kv_log.h"
#include "ssl_alpn.h"
#include "ssl_config.h"
#include "ssl_context.h"
#include "ssl_session_cache.h"
#include "ssl_env.h"
#include "ssl_renew.h"
#include "ssl_sni.h"
#include "ssl_keys.h"
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
    if (!ssl_sni_init()) {
        kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, 0, s, "KV01486: cannot index the SNI state: %s",
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
            if (!ssl_renew_watch(pconf, vs, conf)) {
                return KV_HTTP_INTERNAL_SERVER_ERROR;
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
    SSL_CTX *ctx;

    (void)csd;
    if (!any_tls) {
        return KV_DECLINED;
    }
    s = kv_conn_address_server(c);
    conf = kv_get_module_config(s->module_config, &ssl_module);
    if (!conf->ctx) {
        return KV_DECLINED;
    }
    ctx = ssl_server_ctx(conf); /* the files as renewed on disk */
    sc = ssl_transport_push(c, ctx, s->server_hostname ? s->server_hostname : "localhost");
    SSL_CTX_free(ctx); /* the connection's SSL holds its own reference */
    if (!sc) {
        return KV_DONE;
    }
    ssl_sni_attach(ssl_transport_ssl(sc), c, s);
    kv_set_module_config(c->conn_config, &ssl_module, sc);
    c->handshaking = 1; /* until ssl_transport.c sees it end: RequestReadTimeout handshake= */
    return KV_OK;
}

/* The handshake, before any protocol takes the connection: the choice sees what ALPN
 * agreed (include/kv_connection.h). */
static int ssl_process_connection(kv_conn_t *c)
{
    ssl_conn_t *sc = any_tls ? kv_get_module_config(c->conn_config, &ssl_module) : NULL;

    return sc ? ssl_alpn_handshake_step(c, sc) : KV_DECLINED;
}

/* httpd's answer to plain HTTP on a TLS port: 400 with its reason, then the connection
 * closes (the layer's request said Connection: close). */
static int ssl_post_read_request(kv_request_t *r)
{
    ssl_conn_t *sc = kv_get_module_config(r->connection->conn_config, &ssl_module);

    if (!sc) {
        return KV_DECLINED;
    }
    if (!ssl_transport_take_plain_http(sc)) {
        return ssl_sni_check_request(r, ssl_transport_ssl(sc));
    }
    apr_table_setn(r->notes, "error-notes",
                   "Reason: You're speaking plain HTTP to an SSL-enabled server port.<br />\n"
                   " Instead use the HTTPS scheme to access this URL, please.<br />\n");
    r->close_connection = 1;
    return KV_HTTP_BAD_REQUEST;
}

/* Over TLS a request's own URLs (redirects, REQUEST_SCHEME) are https ones, port 443 by
 * default, as httpd's mod_ssl says through ap_http_scheme and ap_default_port. */
static int over_tls(const kv_request_t *r)
{
    return kv_get_module_config(r->connection->conn_config, &ssl_module) != NULL;
}

static const char *ssl_http_scheme(const kv_request_t *r)
{
    return over_tls(r) ? "https" : NULL;
}

static apr_port_t ssl_default_port(const kv_request_t *r)
{
    return over_tls(r) ? 443 : 0;
}

static void register_hooks(apr_pool_t *p)
{
    kv_hook_check_config(ssl_check_config, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_post_config(ssl_post_config, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_pre_connection(ssl_pre_connection, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_process_connection(ssl_process_connection, NULL, NULL, KV_HOOK_REALLY_FIRST);
    kv_hook_post_read_request(ssl_post_read_request, NULL, NULL, KV_HOOK_REALLY_FIRST);
    kv_hook_http_scheme(ssl_http_scheme, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_default_port(ssl_default_port, NULL, NULL, KV_HOOK_MIDDLE);
    ssl_session_cache_register_hooks(p);
    ssl_stapling_register_hooks(p);
    ssl_env_register_hooks(p);
    ssl_access_register_hooks();
}

kv_module_t ssl_module = {
    KV_MODULE_HEADER("ssl"),
    .create_server_config = ssl_create_server_conf,
    .merge_server_config = ssl_merge_server_conf,
    .create_dir_config = ssl_create_dir_conf,
    .merge_dir_config = ssl_merge_dir_conf,
    .commands = ssl_commands,
    .register_hooks = register_hooks,
};
