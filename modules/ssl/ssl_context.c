/* mod_ssl's SSL_CTX per server (ssl_context.h). */
#include <string.h>

#include <apr_strings.h>
#include <openssl/err.h>

#include "kv_log.h"
#include "ssl_alpn.h"
#include "ssl_context.h"
#include "ssl_keys.h"
#include "ssl_parse.h"
#include "ssl_session_cache.h"
#include "ssl_sni.h"
#include "ssl_tickets.h"
#include "ssl_verify.h"

#define KV_LOG_MODULE "ssl"

static apr_status_t free_ctx(void *ctx)
{
    SSL_CTX_free(ctx);
    return APR_SUCCESS;
}

static int version_of(int proto_bit)
{
    switch (proto_bit) {
    case SSL_PROTO_TLSV1:
        return TLS1_VERSION;
    case SSL_PROTO_TLSV1_1:
        return TLS1_1_VERSION;
    case SSL_PROTO_TLSV1_2:
        return TLS1_2_VERSION;
    default:
        return TLS1_3_VERSION;
    }
}

/* The options the directives ask for, over OpenSSL's defaults. */
static void set_options(SSL_CTX *ctx, const ssl_server_conf_t *conf)
{
    /* A client that closes without close_notify ends its connection as an EOF would:
     * HTTP/1.1 frames its messages itself. No renegotiation: nothing here asks for it. */
    uint64_t on = SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION;

    /* On unless turned off, where httpd's default is off: testssl.sh rates a server without
     * a cipher order of its own HIGH (README, "Differences from httpd"). */
    if (conf->honor_cipher_order != 0) {
        on |= SSL_OP_CIPHER_SERVER_PREFERENCE;
    }
    if (conf->session_tickets == 0) {
        on |= SSL_OP_NO_TICKET;
    }
    if (conf->compression == 1) {
        SSL_CTX_clear_options(ctx, SSL_OP_NO_COMPRESSION);
    } else {
        on |= SSL_OP_NO_COMPRESSION;
    }
    SSL_CTX_set_options(ctx, on);
    /* The transport layer may give the bytes of a write it must repeat from another buffer
     * (the caller's iovecs), and takes a record at a time. */
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                              SSL_MODE_RELEASE_BUFFERS);
}

/* The chain sent after one certificate: the certificates after it in its file, then
 * SSLCertificateChainFile's. A new stack: SSL_CTX_use_cert_and_key takes references. */
static STACK_OF(X509) * chain_of(const ssl_cert_t *cert, const ssl_server_conf_t *conf)
{
    STACK_OF(X509) *chain = sk_X509_new_null();

    for (int i = 0; i < sk_X509_num(cert->chain); i++) {
        sk_X509_push(chain, sk_X509_value(cert->chain, i));
    }
    for (int i = 0; conf->chain && i < sk_X509_num(conf->chain); i++) {
        sk_X509_push(chain, sk_X509_value(conf->chain, i));
    }
    return chain;
}

const char *ssl_server_where(apr_pool_t *p, const kv_server_t *s)
{
    return s->is_virtual && s->defn_name
               ? apr_psprintf(p, "the <VirtualHost> at %s:%u", s->defn_name, s->defn_line)
               : "the main server";
}

/* ssl_check.c has seen that there is a certificate, and decrypted the keys. */
static int use_certificates(apr_pool_t *p, kv_server_t *s, ssl_server_conf_t *conf, int level)
{
    for (int i = 0; i < conf->certs->nelts; i++) {
        const ssl_cert_t *cert = &APR_ARRAY_IDX(conf->certs, i, ssl_cert_t);
        EVP_PKEY *key = conf->keys && i < conf->keys->nelts
                            ? APR_ARRAY_IDX(conf->keys, i, ssl_key_t).key
                            : cert->own_key;
        STACK_OF(X509) * chain;
        int ok;

        if (!key) {
            kv_log_error(KV_LOG_MARK, level, 0, s,
                         "KV01473: no private key for the certificate in %s (SSLCertificateFile "
                         "at %s): give it an SSLCertificateKeyFile",
                         cert->cert_file, cert->where);
            return 0;
        }
        chain = chain_of(cert, conf);
        ok = SSL_CTX_use_cert_and_key(conf->ctx, cert->cert, key, chain, 1);
        sk_X509_free(chain);
        if (!ok) {
            kv_log_error(KV_LOG_MARK, level, 0, s,
                         "KV01474: the certificate in %s (SSLCertificateFile at %s) cannot be "
                         "used: %s",
                         cert->cert_file, cert->where, ssl_error_text(p));
            return 0;
        }
    }
    return 1;
}

static int set_protocols_and_ciphers(apr_pool_t *p, kv_server_t *s, ssl_server_conf_t *conf,
                                     int level)
{
    /* httpd's default: all -SSLv3. */
    int protocols = conf->protocols == KV_UNSET_INT ? SSL_PROTO_ALL : conf->protocols;

    if (!SSL_CTX_set_min_proto_version(conf->ctx, version_of(ssl_protocol_lowest(protocols))) ||
        !SSL_CTX_set_max_proto_version(conf->ctx, version_of(ssl_protocol_highest(protocols))) ||
        (conf->ciphers && !SSL_CTX_set_cipher_list(conf->ctx, conf->ciphers)) ||
        (conf->ciphers_tls13 && !SSL_CTX_set_ciphersuites(conf->ctx, conf->ciphers_tls13))) {
        kv_log_error(KV_LOG_MARK, level, 0, s,
                     "KV01475: the TLS protocols or ciphers of %s cannot be set: %s",
                     ssl_server_where(p, s), ssl_error_text(p));
        return 0;
    }
    return 1;
}

int ssl_context_make(apr_pool_t *p, kv_server_t *s, ssl_server_conf_t *conf, int level)
{
    const char *sid;

    ERR_clear_error();
    conf->ctx = SSL_CTX_new(TLS_server_method());
    if (!conf->ctx) {
        kv_log_error(KV_LOG_MARK, level, 0, s, "KV01476: SSL_CTX_new failed: %s",
                     ssl_error_text(p));
        return 0;
    }
    set_options(conf->ctx, conf);
    /* Sessions this server made are resumed only by it (SNI later picks among several). */
    sid = apr_psprintf(p, "%.32s", s->server_hostname ? s->server_hostname : "");
    SSL_CTX_set_session_id_context(conf->ctx, (const unsigned char *)sid, (unsigned)strlen(sid));
    ssl_session_cache_ctx(conf->ctx, conf->session_cache, conf->session_timeout);
    ssl_sni_ctx_setup(conf->ctx);
    ssl_alpn_ctx_setup(p, conf->ctx);
    if (!set_protocols_and_ciphers(p, s, conf, level) || !use_certificates(p, s, conf, level) ||
        !ssl_verify_configure(p, s, conf) || !ssl_conf_cmds_apply(p, s, conf)) {
        SSL_CTX_free(conf->ctx);
        conf->ctx = NULL;
        return 0;
    }
    return 1;
}

int ssl_context_build(apr_pool_t *pconf, kv_server_t *s, ssl_server_conf_t *conf)
{
    if (!ssl_context_make(pconf, s, conf, KV_LOG_EMERG)) {
        return KV_HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_pool_cleanup_register(pconf, conf->ctx, free_ctx, apr_pool_cleanup_null);
    if (conf->session_tickets != 0 &&
        !ssl_tickets_ctx(pconf, s, conf->ctx, conf->ticket_key_file, conf->ticket_rotation)) {
        return KV_HTTP_INTERNAL_SERVER_ERROR;
    }
    return KV_OK;
}
