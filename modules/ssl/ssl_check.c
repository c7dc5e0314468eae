/* mod_ssl's check of the whole configuration (ssl_keys.h), run by the check_config hook at
 * -t as at every start: what needs every line read first (SSLPassPhraseDialog may follow the
 * keys; a <VirtualHost> inherits the main server's certificates). Errors fail the check;
 * a chain out of order is a warning, as an expired certificate is (ssl_config.c). */
#include <apr_strings.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "kv_log.h"
#include "ssl_context.h"
#include "ssl_keys.h"

#define KV_LOG_MODULE "ssl"

extern kv_module_t ssl_module;

/* Decrypt the server's encrypted keys and match each with the certificate of its rank. */
static int decrypt_keys(ssl_pphrase_state_t *st, kv_server_t *s, ssl_server_conf_t *conf)
{
    for (int i = 0; conf->keys && i < conf->keys->nelts; i++) {
        ssl_key_t *key = &APR_ARRAY_IDX(conf->keys, i, ssl_key_t);
        const ssl_cert_t *cert;

        if (key->key) {
            continue; /* not encrypted, or decrypted for a server that shares it */
        }
        if (!ssl_pphrase_decrypt(st, s, i, key)) {
            return 0;
        }
        if (!conf->certs || i >= conf->certs->nelts) {
            continue;
        }
        cert = &APR_ARRAY_IDX(conf->certs, i, ssl_cert_t);
        if (X509_check_private_key(cert->cert, key->key) != 1) {
            ERR_clear_error();
            kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, 0, s,
                         "KV01545: the private key in %s (SSLCertificateKeyFile at %s) does not "
                         "match the certificate in %s (SSLCertificateFile at %s)",
                         key->key_file, key->where, cert->cert_file, cert->where);
            return 0;
        }
    }
    return 1;
}

static const char *subject_of(apr_pool_t *p, X509 *x)
{
    char buf[256];

    X509_NAME_oneline(X509_get_subject_name(x), buf, (int)sizeof(buf));
    return apr_pstrdup(p, buf);
}

/* The chain sent after a certificate (the rest of its file, then SSLCertificateChainFile's)
 * must lead from it: each certificate issued by the next. A client may still build the path
 * itself, so it is a warning, naming the file the stray certificate is in. */
static void warn_chain_order(apr_pool_t *p, kv_server_t *s, const ssl_server_conf_t *conf,
                             const ssl_cert_t *cert)
{
    int own = sk_X509_num(cert->chain);
    int all = own + (conf->chain ? sk_X509_num(conf->chain) : 0);
    X509 *prev = cert->cert;

    for (int i = 0; i < all; i++) {
        X509 *next = i < own ? sk_X509_value(cert->chain, i) : sk_X509_value(conf->chain, i - own);

        if (X509_check_issued(next, prev) != X509_V_OK) {
            kv_log_error(KV_LOG_MARK, KV_LOG_WARNING, 0, s,
                         "KV01546: the chain of the certificate in %s (SSLCertificateFile at %s) "
                         "does not lead from it: '%s' in %s (%s) did not issue '%s'; "
                         "put each certificate before the one that issued it",
                         cert->cert_file, cert->where, subject_of(p, next),
                         i < own ? cert->cert_file : conf->chain_file,
                         i < own ? "SSLCertificateFile" : "SSLCertificateChainFile",
                         subject_of(p, prev));
            return;
        }
        prev = next;
    }
}

int ssl_check_config(apr_pool_t *pconf, apr_pool_t *ptemp, kv_server_t *s)
{
    ssl_pphrase_state_t *st = ssl_pphrase_state(ptemp, s);
    int ok = 1;

    (void)pconf;
    for (kv_server_t *vs = s; vs; vs = vs->next) {
        ssl_server_conf_t *conf = kv_get_module_config(vs->module_config, &ssl_module);

        if (conf->engine != 1) {
            continue; /* its keys are not used: no dialog for them, as httpd */
        }
        if (!conf->certs) {
            kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, 0, vs,
                         "KV01472: SSLEngine on for %s but no SSLCertificateFile for it",
                         ssl_server_where(ptemp, vs));
            ok = 0;
            continue;
        }
        if (!decrypt_keys(st, vs, conf)) {
            ok = 0;
            continue;
        }
        for (int i = 0; i < conf->certs->nelts; i++) {
            warn_chain_order(ptemp, vs, conf, &APR_ARRAY_IDX(conf->certs, i, ssl_cert_t));
        }
    }
    return ok ? KV_OK : KV_HTTP_INTERNAL_SERVER_ERROR;
}
