/* mod_ssl's SNI (ssl_sni.h). The name is read in OpenSSL's ClientHello callback, the
 * earliest point of the handshake: switching the SSL to the named server's context there
 * gives the handshake that server's protocol versions (chosen before the usual servername
 * callback runs), ciphers and certificates, as httpd's ssl_callback_ClientHello does. */
#include <string.h>

#include <apr_strings.h>

#include "kv_connection.h"
#include "kv_log.h"
#include "ssl_config.h"
#include "ssl_renew.h"
#include "ssl_sni.h"
#include "ssl_sni_name.h"

#define KV_LOG_MODULE "ssl"

extern kv_module_t ssl_module;

/* A TLS connection's SNI state, in its pool, reached from its SSL. */
typedef struct {
    kv_conn_t *c;
    const kv_server_t *server; /* the handshake's server: the SNI's, else the address's */
    const char *name;          /* the SNI name, or NULL */
    int named;                 /* the SNI named a server of the address with TLS */
} sni_t;

static int sni_index = -1;

int ssl_sni_init(void)
{
    if (sni_index < 0) {
        sni_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    }
    return sni_index >= 0;
}

void ssl_sni_attach(SSL *ssl, kv_conn_t *c, const kv_server_t *s)
{
    sni_t *sni = apr_pcalloc(c->pool, sizeof(*sni));

    sni->c = c;
    sni->server = s;
    SSL_set_ex_data(ssl, sni_index, sni);
}

kv_conn_t *ssl_sni_conn(const SSL *ssl)
{
    const sni_t *sni = sni_index < 0 ? NULL : SSL_get_ex_data(ssl, sni_index);

    return sni ? sni->c : NULL;
}

static const ssl_server_conf_t *conf_of(const kv_server_t *s)
{
    return kv_get_module_config(s->module_config, &ssl_module);
}

/* Take what @a conf's context sets on an SSL: SSL_set_SSL_CTX changes only the certificates
 * and the session id context; the rest was copied from the first context by SSL_new. */
static void use_context(SSL *ssl, const ssl_server_conf_t *conf)
{
    SSL_CTX *ctx = ssl_server_ctx(conf); /* renewed on disk, perhaps */

    SSL_set_SSL_CTX(ssl, ctx);
    SSL_clear_options(ssl, SSL_get_options(ssl));
    SSL_set_options(ssl, SSL_CTX_get_options(ctx));
    SSL_set_min_proto_version(ssl, SSL_CTX_get_min_proto_version(ctx));
    SSL_set_max_proto_version(ssl, SSL_CTX_get_max_proto_version(ctx));
    SSL_set_cipher_list(ssl, conf->ciphers ? conf->ciphers : OSSL_default_cipher_list());
    SSL_set_ciphersuites(ssl,
                         conf->ciphers_tls13 ? conf->ciphers_tls13 : OSSL_default_ciphersuites());
    SSL_set_verify(ssl, SSL_CTX_get_verify_mode(ctx), SSL_CTX_get_verify_callback(ctx));
    SSL_set_verify_depth(ssl, SSL_CTX_get_verify_depth(ctx));
    SSL_CTX_free(ctx); /* the SSL holds its own reference */
}

/* The ClientHello (each one: a TLS 1.3 client answering a HelloRetryRequest sends two). */
static int client_hello(SSL *ssl, int *alert, void *arg)
{
    sni_t *sni = SSL_get_ex_data(ssl, sni_index);
    const unsigned char *ext;
    size_t len;
    kv_server_t *s;

    (void)alert;
    (void)arg;
    if (!sni || !SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &ext, &len)) {
        return SSL_CLIENT_HELLO_SUCCESS; /* no SNI: the address's server */
    }
    sni->name = ssl_sni_name(sni->c->pool, ext, len);
    s = sni->name ? kv_conn_name_server(sni->c, sni->name) : NULL;
    if (!s || !conf_of(s)->ctx) {
        kv_log_cerror(KV_LOG_MARK, KV_LOG_DEBUG, 0, sni->c,
                      "KV01482: no TLS virtual host for the SNI name %s: the handshake is the "
                      "first virtual host's of the address (%s)",
                      sni->name ? sni->name : "(malformed)", sni->server->server_hostname);
        return SSL_CLIENT_HELLO_SUCCESS;
    }
    if (s != sni->server) {
        use_context(ssl, conf_of(s));
    }
    sni->server = s;
    sni->named = 1;
    return SSL_CLIENT_HELLO_SUCCESS;
}

/* The server_name extension is acknowledged when it selected a host, as httpd's. */
static int servername(SSL *ssl, int *alert, void *arg)
{
    const sni_t *sni = SSL_get_ex_data(ssl, sni_index);

    (void)alert;
    (void)arg;
    return sni && sni->named ? SSL_TLSEXT_ERR_OK : SSL_TLSEXT_ERR_NOACK;
}

void ssl_sni_ctx_setup(SSL_CTX *ctx)
{
    SSL_CTX_set_client_hello_cb(ctx, client_hello, NULL);
    SSL_CTX_set_tlsext_servername_callback(ctx, servername);
}

static int same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Do two arrays of ssl_cert_t or of ssl_key_t (records that start with their file's name)
 * name the same files, in any order? */
static int same_files(const apr_array_header_t *a, const apr_array_header_t *b)
{
    if (a == b) {
        return 1;
    }
    if (!a || !b || a->nelts != b->nelts) {
        return 0;
    }
    for (int i = 0; i < a->nelts; i++) {
        const char *f = *(const char *const *)(a->elts + (size_t)i * (size_t)a->elt_size);
        int found = 0;

        for (int k = 0; k < b->nelts && !found; k++) {
            found = same_str(f, *(const char *const *)(b->elts + (size_t)k * (size_t)b->elt_size));
        }
        if (!found) {
            return 0;
        }
    }
    return 1;
}

/* Would a handshake with @a b's settings have been the same as with @a a's? httpd's
 * ssl_server_compatible: the same protocols, ciphers, certificate and key files. Settings
 * added to ssl_server_conf_t that change a handshake (client verification) belong here. */
static int compatible(const ssl_server_conf_t *a, const ssl_server_conf_t *b)
{
    if (a == b) {
        return 1;
    }
    return a->ctx && b->ctx && a->protocols == b->protocols && same_str(a->ciphers, b->ciphers) &&
           same_str(a->ciphers_tls13, b->ciphers_tls13) && same_files(a->certs, b->certs) &&
           same_files(a->keys, b->keys) && a->verify_client == b->verify_client &&
           a->verify_depth == b->verify_depth && same_str(a->ca_file, b->ca_file) &&
           same_str(a->ca_path, b->ca_path);
}

int ssl_sni_check_request(kv_request_t *r, SSL *ssl)
{
    const sni_t *sni = ssl ? SSL_get_ex_data(ssl, sni_index) : NULL;
    const kv_server_t *hs;

    if (!sni) {
        return KV_DECLINED;
    }
    hs = sni->server;
    if (sni->name && !r->hostname) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV01483: hostname %s provided via SNI, but no hostname provided in the "
                      "HTTP request",
                      sni->name);
        return KV_HTTP_BAD_REQUEST;
    }
    /* A client without SNI, on an address of name-based hosts, where the handshake's host
     * or the request's asks for SNI. */
    if (!sni->name && hs->is_virtual &&
        (conf_of(hs)->strict_sni == 1 || conf_of(r->server)->strict_sni == 1)) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_INFO, 0, r,
                      "KV01484: no hostname was provided via SNI for a name-based virtual host");
        apr_table_setn(r->notes, "error-notes",
                       "Reason: The client software did not provide a hostname using Server "
                       "Name Indication (SNI), which is required to access this server.<br />\n");
        return KV_HTTP_FORBIDDEN;
    }
    if (r->server != hs && !compatible(conf_of(hs), conf_of(r->server))) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV01485: hostname %s %s and hostname %s provided via HTTP have no "
                      "compatible TLS setup",
                      sni->name ? sni->name : hs->server_hostname,
                      sni->name ? "provided via SNI" : "(default host as no SNI was provided)",
                      r->hostname ? r->hostname : "(none)");
        return KV_HTTP_MISDIRECTED_REQUEST;
    }
    return KV_DECLINED;
}
