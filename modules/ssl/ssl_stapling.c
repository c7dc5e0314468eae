/* OCSP stapling (ssl_stapling.h): the directives' defaults, the certificates to staple,
 * the generation's fetcher, and the status callback that staples in every child. */
#include <string.h>

#include <apr_strings.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "kv_listen.h"
#include "kv_log.h"
#include "kv_mpm_common.h"
#include "ssl_config.h"
#include "ssl_socache.h"
#include "ssl_stapling.h"
#include "ssl_stapling_parse.h"

#define KV_LOG_MODULE "ssl"

extern kv_module_t ssl_module;

/* A child looks at the store at most this often per certificate. */
#define STORE_CHECK_INTERVAL apr_time_from_sec(1)

/* The certificates stapled by one server's context: the status callback's argument. */
struct ssl_stapling {
    apr_array_header_t *items; /* ssl_stapling_item_t * */
};

/* Every stapled certificate of the generation, for the fetcher. Set at post_config. */
static apr_array_header_t *all_items;

void ssl_stapling_conf_init(ssl_stapling_conf_t *conf)
{
    conf->use = KV_UNSET_INT;
    conf->return_errors = KV_UNSET_INT;
    conf->fake_trylater = KV_UNSET_INT;
    conf->responder_timeout = KV_UNSET_TIME;
    conf->cache_timeout = KV_UNSET_TIME;
    conf->errcache_timeout = KV_UNSET_TIME;
    conf->time_skew = KV_UNSET_TIME;
    conf->max_age = KV_UNSET_TIME;
}

/* httpd's defaults: off; errors and a faked tryLater stapled; 10 s for the responder; a good
 * response kept an hour, an error ten minutes; 5 minutes' skew on its times, no age limit. */
void ssl_stapling_conf_merge(ssl_stapling_conf_t *conf, const ssl_stapling_conf_t *base,
                             const ssl_stapling_conf_t *add)
{
    conf->use = KV_MERGE_INT(add->use, base->use, 0);
    conf->return_errors = KV_MERGE_INT(add->return_errors, base->return_errors, 1);
    conf->fake_trylater = KV_MERGE_INT(add->fake_trylater, base->fake_trylater, 1);
    conf->responder_timeout =
        KV_MERGE_TIME(add->responder_timeout, base->responder_timeout, apr_time_from_sec(10));
    conf->cache_timeout =
        KV_MERGE_TIME(add->cache_timeout, base->cache_timeout, apr_time_from_sec(3600));
    conf->errcache_timeout =
        KV_MERGE_TIME(add->errcache_timeout, base->errcache_timeout, apr_time_from_sec(600));
    conf->force_url = KV_MERGE_PTR(add->force_url, base->force_url, NULL);
    conf->cache_provider = KV_MERGE_PTR(add->cache_provider, base->cache_provider, NULL);
    conf->cache_instance = KV_MERGE_PTR(add->cache_instance, base->cache_instance, NULL);
    conf->time_skew = KV_MERGE_TIME(add->time_skew, base->time_skew, apr_time_from_sec(300));
    conf->max_age = KV_MERGE_TIME(add->max_age, base->max_age, SSL_STAPLING_NO_MAX_AGE);
}

/* httpd's names first (an unknown one is refused as httpd does), then a loaded provider. */
const char *ssl_stapling_set_cache(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv)
{
    ssl_server_conf_t *conf = c;
    const char *err = ssl_stapling_cache_check(cmd->pool, argv[0]);

    (void)argc;
    return err ? err
               : ssl_socache_make(cmd->pool, cmd->temp_pool, "SSLStaplingCache", "stapling",
                                  argv[0], &conf->stapling.cache_provider,
                                  &conf->stapling.cache_instance);
}

const char *ssl_stapling_set_max_age(kv_cmd_parms_t *cmd, void *c, int argc,
                                     const char *const *argv)
{
    ssl_server_conf_t *conf = c;
    const char *err = ssl_stapling_max_age_parse(cmd->pool, argv[0], &conf->stapling.max_age);

    (void)argc;
    return err ? apr_pstrcat(cmd->pool, "SSLStaplingResponseMaxAge: ", err, NULL) : NULL;
}

/* ---- At post_config ------------------------------------------------------------------- */

static apr_status_t forget_items(void *items)
{
    *(apr_array_header_t **)items = NULL;
    return APR_SUCCESS;
}

static apr_status_t free_cid(void *cid)
{
    OCSP_CERTID_free(cid);
    return APR_SUCCESS;
}

/* The certificate that issued @a cert among those sent after it, or NULL. */
static X509 *issuer_of(X509 *cert, STACK_OF(X509) * own_chain, STACK_OF(X509) * chain)
{
    STACK_OF(X509) * lists[] = {own_chain, chain};

    for (int l = 0; l < 2; l++) {
        for (int i = 0; lists[l] && i < sk_X509_num(lists[l]); i++) {
            X509 *candidate = sk_X509_value(lists[l], i);

            if (X509_check_issued(candidate, cert) == X509_V_OK) {
                return candidate;
            }
        }
    }
    return NULL;
}

/* The first OCSP responder of @a cert's Authority Information Access, or NULL. */
static const char *aia_responder(apr_pool_t *p, X509 *cert)
{
    STACK_OF(OPENSSL_STRING) *urls = X509_get1_ocsp(cert);
    const char *url = urls && sk_OPENSSL_STRING_num(urls) > 0
                          ? apr_pstrdup(p, sk_OPENSSL_STRING_value(urls, 0))
                          : NULL;

    X509_email_free(urls);
    return url;
}

static ssl_stapling_item_t *new_item(apr_pool_t *pconf, kv_server_t *s,
                                     const ssl_stapling_conf_t *conf, const ssl_cert_t *cert,
                                     STACK_OF(X509) * chain)
{
    ssl_stapling_item_t *item;
    X509 *issuer = issuer_of(cert->cert, cert->chain, chain);
    const char *url = conf->force_url ? conf->force_url : aia_responder(pconf, cert->cert);

    if (!issuer) {
        kv_log_error(KV_LOG_MARK, KV_LOG_WARNING, 0, s,
                     "KV01580: OCSP stapling is off for the certificate in %s (SSLCertificateFile "
                     "at %s): its issuer's certificate is not in that file after it nor in "
                     "SSLCertificateChainFile",
                     cert->cert_file, cert->where);
        return NULL;
    }
    if (!url) {
        kv_log_error(KV_LOG_MARK, KV_LOG_WARNING, 0, s,
                     "KV01581: OCSP stapling is off for the certificate in %s (SSLCertificateFile "
                     "at %s): it names no OCSP responder (Authority Information Access) and "
                     "there is no SSLStaplingForceURL",
                     cert->cert_file, cert->where);
        return NULL;
    }
    item = apr_pcalloc(pconf, sizeof(*item));
    item->server = s;
    item->conf = conf;
    item->cert = cert->cert;
    item->issuer = issuer;
    item->url = url;
    item->cert_file = cert->cert_file;
    item->cid = OCSP_cert_to_id(NULL, cert->cert, issuer);
    item->store_key = ssl_stapling_store_key(pconf, cert->cert);
    item->der = apr_palloc(pconf, SSL_STAPLING_MAX_DER);
    if (!item->cid || !item->store_key ||
        apr_thread_mutex_create(&item->lock, APR_THREAD_MUTEX_DEFAULT, pconf) != APR_SUCCESS) {
        OCSP_CERTID_free(item->cid);
        kv_log_error(KV_LOG_MARK, KV_LOG_WARNING, 0, s,
                     "KV01582: OCSP stapling is off for the certificate in %s: %s", cert->cert_file,
                     ssl_error_text(pconf));
        return NULL;
    }
    apr_pool_cleanup_register(pconf, item->cid, free_cid, apr_pool_cleanup_null);
    return item;
}

/* ---- In the children: the status callback --------------------------------------------- */

/* The response to staple for @a item now, copied for OpenSSL (which frees it); 0 if none. */
static int current_response(ssl_stapling_item_t *item, unsigned char **out)
{
    apr_time_t now = apr_time_now();
    int len = 0;

    apr_thread_mutex_lock(item->lock);
    if (now - item->checked >= STORE_CHECK_INTERVAL) {
        item->checked = now;
        if (ssl_stapling_store_get(item->store_key, &item->version, item->der, &item->der_len,
                                   &item->ok)) {
            ssl_ocsp_times(item->der, item->der_len, &item->this_update, &item->next_update);
        }
    }
    /* A good one only while SSLStaplingResponseTimeSkew and MaxAge allow, as httpd. */
    if (item->der_len > 0 &&
        (item->ok ? !ssl_stapling_times_check(now, item->this_update, item->next_update,
                                              item->conf->time_skew, item->conf->max_age)
                  : item->conf->return_errors == 1)) {
        *out = OPENSSL_malloc((size_t)item->der_len);
        if (*out) {
            memcpy(*out, item->der, (size_t)item->der_len);
            len = item->der_len;
        }
    }
    apr_thread_mutex_unlock(item->lock);
    return len;
}

static int status_cb(SSL *ssl, void *arg)
{
    const ssl_stapling_t *st = arg;
    X509 *cert = SSL_get_certificate(ssl);
    unsigned char *der = NULL;
    int len;

    for (int i = 0; cert && i < st->items->nelts; i++) {
        ssl_stapling_item_t *item = APR_ARRAY_IDX(st->items, i, ssl_stapling_item_t *);

        if (item->cert == cert || X509_cmp(item->cert, cert) == 0) {
            len = current_response(item, &der);
            if (len > 0) {
                SSL_set_tlsext_status_ocsp_resp(ssl, der, len);
                return SSL_TLSEXT_ERR_OK;
            }
            break;
        }
    }
    return SSL_TLSEXT_ERR_NOACK;
}

/* Is @a item's certificate fetched for another host already? A certificate that several
 * virtual hosts use is fetched once: they read the same store entry. */
static int fetched_already(const ssl_stapling_item_t *item)
{
    for (int i = 0; i < all_items->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(all_items, i, ssl_stapling_item_t *)->store_key,
                   item->store_key) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The stapled certificates of a context made from @a certs, in @a p; the context's status
 * callback staples them. */
static ssl_stapling_t *stapling_of(apr_pool_t *p, kv_server_t *s, const ssl_stapling_conf_t *conf,
                                   apr_array_header_t *certs, STACK_OF(X509) * chain, SSL_CTX *ctx)
{
    ssl_stapling_t *st = apr_pcalloc(p, sizeof(*st));

    st->items = apr_array_make(p, certs->nelts, sizeof(ssl_stapling_item_t *));
    for (int i = 0; i < certs->nelts; i++) {
        ssl_stapling_item_t *item =
            new_item(p, s, conf, &APR_ARRAY_IDX(certs, i, ssl_cert_t), chain);

        if (item) {
            APR_ARRAY_PUSH(st->items, ssl_stapling_item_t *) = item;
        }
    }
    SSL_CTX_set_tlsext_status_cb(ctx, status_cb);
    SSL_CTX_set_tlsext_status_arg(ctx, st);
    return st;
}

void ssl_stapling_setup(apr_pool_t *pconf, kv_server_t *s, const ssl_stapling_conf_t *conf,
                        apr_array_header_t *certs, STACK_OF(X509) * chain, SSL_CTX *ctx)
{
    ssl_stapling_t *st;

    if (conf->use != 1 || !certs) {
        return;
    }
    if (!all_items) {
        all_items = apr_array_make(pconf, 4, sizeof(ssl_stapling_item_t *));
        apr_pool_cleanup_register(pconf, &all_items, forget_items, apr_pool_cleanup_null);
    }
    st = stapling_of(pconf, s, conf, certs, chain, ctx);
    for (int i = 0; i < st->items->nelts; i++) {
        ssl_stapling_item_t *item = APR_ARRAY_IDX(st->items, i, ssl_stapling_item_t *);

        if (!fetched_already(item)) {
            APR_ARRAY_PUSH(all_items, ssl_stapling_item_t *) = item;
        }
    }
}

void ssl_stapling_renewed(apr_pool_t *p, kv_server_t *s, const ssl_stapling_conf_t *conf,
                          apr_array_header_t *certs, STACK_OF(X509) * chain, SSL_CTX *ctx)
{
    if (conf->use == 1 && certs) {
        stapling_of(p, s, conf, certs, chain, ctx);
    }
}

apr_array_header_t *ssl_stapling_items_of(SSL_CTX *ctx)
{
    int (*cb)(SSL *, void *) = NULL;
    void *arg = NULL;

    SSL_CTX_get_tlsext_status_cb(ctx, &cb);
    if (cb != status_cb) {
        return NULL;
    }
    SSL_CTX_get_tlsext_status_arg(ctx, &arg);
    return ((ssl_stapling_t *)arg)->items;
}

/* ---- The fetcher ---------------------------------------------------------------------- */

int ssl_stapling_start(apr_pool_t *pconf, kv_server_t *s)
{
    apr_proc_t *proc;
    apr_status_t rv;

    if (!all_items || all_items->nelts == 0) {
        return KV_OK;
    }
    if (ssl_stapling_socache_init(
            pconf, s,
            &((const ssl_server_conf_t *)kv_get_module_config(s->module_config, &ssl_module))
                 ->stapling) != APR_SUCCESS) {
        return KV_HTTP_INTERNAL_SERVER_ERROR; /* logged */
    }
    proc = apr_pcalloc(pconf, sizeof(*proc));
    rv = kv_mpm_fork(proc, pconf);
    if (rv == APR_INCHILD) {
        /* Its own copies of the listeners are not its business. */
        kv_close_listeners();
        ssl_ocsp_fetcher_run(pconf, all_items);
    }
    if (rv != APR_INPARENT) {
        kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, rv, s,
                     "KV01583: cannot start the OCSP stapling fetcher");
        return KV_HTTP_INTERNAL_SERVER_ERROR;
    }
    /* Ended with the generation: a graceful restart starts the next one's. */
    apr_pool_note_subprocess(pconf, proc, APR_KILL_AFTER_TIMEOUT);
    kv_log_error(KV_LOG_MARK, KV_LOG_NOTICE, 0, s,
                 "KV01590: the OCSP stapling fetcher (pid %ld) started for %d certificate%s",
                 (long)proc->pid, all_items->nelts, all_items->nelts == 1 ? "" : "s");
    return KV_OK;
}
