/* mod_ssl's server-side session cache (ssl_session_cache.h). As httpd's mod_ssl: without
 * SSLSessionCache (or with none) OpenSSL keeps no session at all, nonenotnull only sends
 * non-empty session ids, and a provider makes OpenSSL ask it, not its own per-process cache
 * (SSL_SESS_CACHE_NO_INTERNAL), for every session. */
#include <string.h>

#include <apr_strings.h>

#include "kv_http.h"
#include "kv_log.h"
#include "ssl_config.h"
#include "ssl_session_cache.h"
#include "ssl_sni.h"
#include "ssl_socache.h"

#define KV_LOG_MODULE "ssl"

/* httpd's SSLSessionCacheTimeout default. */
#define DEFAULT_TIMEOUT_S 300
/* The largest session kept (its DER form): a session with a client certificate chain is a
 * few KiB; larger ones are simply not cached. On the stack of the handshaking thread. */
#define SESSION_MAX_DER (16 * 1024)
/* What the provider is told to expect, to size its store. */
#define AVG_ID_LEN 32
#define AVG_SESSION_LEN 200

extern kv_module_t ssl_module;

/* The generation's cache and the server that logs for it, set at post_config; the callbacks
 * find them here (OpenSSL gives them only the SSL). */
static const ssl_session_cache_t *current;
static kv_server_t *cache_server;

static apr_status_t forget_current(void *unused)
{
    (void)unused;
    current = NULL;
    cache_server = NULL;
    return APR_SUCCESS;
}

const char *ssl_set_session_cache(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv)
{
    ssl_server_conf_t *conf = c;
    ssl_session_cache_t *cache = apr_pcalloc(cmd->pool, sizeof(*cache));
    const char *arg = argv[0], *err;

    (void)argc;
    cache->mode = SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL;
    if (strcasecmp(arg, "none") == 0) {
        cache->mode = SSL_SESS_CACHE_OFF;
    } else if (strcasecmp(arg, "nonenotnull") != 0) {
        err = ssl_socache_make(cmd->pool, cmd->temp_pool, "SSLSessionCache", "session", arg,
                               &cache->provider, &cache->instance);
        if (err) {
            return err;
        }
    }
    conf->session_cache = cache;
    return NULL;
}

/* A scratch pool for one call into the provider: a subpool of the handshake's connection,
 * which only this thread uses now and whose allocator has blocks to spare. Without a
 * connection (a removal, from the SSL_CTX), a pool with its own allocator, so that no pool
 * is shared between threads; that one maps its first block and unmaps it at the end (two
 * system calls and, in a threaded child, a TLB shootdown), too dear for each of a
 * handshake's session tickets. */
static apr_pool_t *scratch_pool(const SSL *ssl)
{
    kv_conn_t *c = ssl ? ssl_sni_conn(ssl) : NULL;
    apr_pool_t *p = NULL;

    if (c) {
        return apr_pool_create(&p, c->pool) == APR_SUCCESS ? p : NULL;
    }
    return apr_pool_create_unmanaged_ex(&p, NULL, NULL) == APR_SUCCESS ? p : NULL;
}

static int new_session(SSL *ssl, SSL_SESSION *sess)
{
    unsigned char der[SESSION_MAX_DER], *end = der;
    unsigned int idlen;
    const unsigned char *id = SSL_SESSION_get_id(sess, &idlen);
    int len = i2d_SSL_SESSION(sess, NULL);
    apr_time_t expiry =
        apr_time_from_sec((apr_time_t)SSL_SESSION_get_time(sess) + SSL_SESSION_get_timeout(sess));
    apr_pool_t *p;

    if (!current || idlen == 0 || len <= 0 || len > SESSION_MAX_DER || !(p = scratch_pool(ssl))) {
        return 0;
    }
    i2d_SSL_SESSION(sess, &end);
    current->provider->store(current->instance, cache_server, id, idlen, expiry, der,
                             (unsigned int)len, p);
    apr_pool_destroy(p);
    return 0; /* the cache keeps a copy, not OpenSSL's reference */
}

static SSL_SESSION *get_session(SSL *ssl, const unsigned char *id, int idlen, int *copy)
{
    unsigned char der[SESSION_MAX_DER];
    const unsigned char *at = der;
    unsigned int len = sizeof(der);
    SSL_SESSION *sess = NULL;
    apr_pool_t *p;

    *copy = 0;
    if (!current || idlen <= 0 || !(p = scratch_pool(ssl))) {
        return NULL;
    }
    if (current->provider->retrieve(current->instance, cache_server, id, (unsigned int)idlen, der,
                                    &len, p) == APR_SUCCESS) {
        sess = d2i_SSL_SESSION(NULL, &at, (long)len);
    }
    apr_pool_destroy(p);
    return sess;
}

static void remove_session(SSL_CTX *ctx, SSL_SESSION *sess)
{
    unsigned int idlen;
    const unsigned char *id = SSL_SESSION_get_id(sess, &idlen);
    apr_pool_t *p;

    (void)ctx;
    if (!current || idlen == 0 || !(p = scratch_pool(NULL))) {
        return;
    }
    current->provider->remove(current->instance, cache_server, id, idlen, p);
    apr_pool_destroy(p);
}

void ssl_session_cache_ctx(SSL_CTX *ctx, const ssl_session_cache_t *cache,
                           apr_interval_time_t timeout)
{
    SSL_CTX_set_session_cache_mode(ctx, cache ? cache->mode : SSL_SESS_CACHE_OFF);
    SSL_CTX_set_timeout(ctx,
                        timeout == KV_UNSET_TIME ? DEFAULT_TIMEOUT_S : (long)apr_time_sec(timeout));
    if (cache && cache->provider) {
        SSL_CTX_sess_set_new_cb(ctx, new_session);
        SSL_CTX_sess_set_get_cb(ctx, get_session);
        SSL_CTX_sess_set_remove_cb(ctx, remove_session);
    }
}

/* The main server's cache is opened once, in the parent, before any child forks. */
static int session_cache_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                                     kv_server_t *s)
{
    const ssl_server_conf_t *conf = kv_get_module_config(s->module_config, &ssl_module);
    const kv_socache_hints_t hints = {AVG_ID_LEN, AVG_SESSION_LEN};

    (void)plog;
    (void)ptemp;
    current = NULL;
    if (!conf->session_cache || !conf->session_cache->provider) {
        return KV_OK;
    }
    if (conf->session_cache->provider->init(conf->session_cache->instance, "ssl-session", &hints, s,
                                            pconf) != APR_SUCCESS) {
        return KV_HTTP_INTERNAL_SERVER_ERROR; /* the provider said why */
    }
    current = conf->session_cache;
    cache_server = s;
    apr_pool_cleanup_register(pconf, NULL, forget_current, apr_pool_cleanup_null);
    return KV_OK;
}

static void session_cache_child_init(apr_pool_t *pchild, kv_server_t *s)
{
    apr_status_t rv;

    if (!current) {
        return;
    }
    rv = current->provider->child_init(current->instance, s, pchild);
    if (rv != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, rv, s,
                     "KV01527: the TLS session cache cannot be used in this child; sessions "
                     "made here will not resume");
        current = NULL;
    }
}

void ssl_session_cache_register_hooks(apr_pool_t *p)
{
    (void)p;
    kv_hook_post_config(session_cache_post_config, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_child_init(session_cache_child_init, NULL, NULL, KV_HOOK_MIDDLE);
}
