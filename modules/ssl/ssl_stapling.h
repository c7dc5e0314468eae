/* OCSP stapling (RFC 6066's status_request): the directives' values, and what mod_ssl's
 * shared files call. Responses are fetched in the background by one process per
 * generation that the parent starts (ssl_ocsp_fetch.c), never on a handshake's path, and
 * published in the stapling store (ssl_stapling_store.c: files in DefaultRuntimeDir, or
 * SSLStaplingCache's socache provider, ssl_stapling_socache.c), where every child's status
 * callback (ssl_stapling.c) reads the current one. */
#ifndef SSL_STAPLING_H
#define SSL_STAPLING_H

#include <apr_thread_mutex.h>
#include <openssl/ocsp.h>
#include <openssl/ssl.h>

#include "kiva.h"
#include "kv_socache.h"
#include "ssl_stapling_parse.h"

/** The SSLUseStapling and SSLStapling* directives of one server. */
typedef struct {
    int use;                               /**< SSLUseStapling; KV_UNSET_INT */
    int return_errors;                     /**< SSLStaplingReturnResponderErrors */
    int fake_trylater;                     /**< SSLStaplingFakeTryLater */
    apr_interval_time_t responder_timeout; /**< SSLStaplingResponderTimeout */
    apr_interval_time_t cache_timeout;     /**< SSLStaplingStandardCacheTimeout */
    apr_interval_time_t errcache_timeout;  /**< SSLStaplingErrorCacheTimeout */
    const char *force_url;                 /**< SSLStaplingForceURL */
    /* SSLStaplingCache (main server): the provider that keeps the responses, NULL for
     * DefaultRuntimeDir's files. */
    const kv_socache_provider_t *cache_provider;
    kv_socache_instance_t *cache_instance;
    apr_interval_time_t time_skew; /**< SSLStaplingResponseTimeSkew */
    apr_interval_time_t max_age;   /**< SSLStaplingResponseMaxAge; < 0: no limit */
} ssl_stapling_conf_t;

/** The largest response kept (httpd's limit). */
#define SSL_STAPLING_MAX_DER 10240

/** One certificate with stapling on: what the fetcher asks for, and what the children
 * staple for it. Made at post_config in pconf. */
typedef struct {
    kv_server_t *server;
    const ssl_stapling_conf_t *conf; /**< merged, with the defaults filled in */
    X509 *cert, *issuer;
    OCSP_CERTID *cid;
    const char *url;       /**< the responder: SSLStaplingForceURL, else the certificate's AIA */
    const char *store_key; /**< its name in the stapling store */
    const char *cert_file; /**< for messages */
    /* The child's copy of the published response, under the lock (threaded MPMs). */
    apr_thread_mutex_t *lock;
    apr_time_t checked;     /**< when the store was last looked at */
    apr_uint64_t version;   /**< what the store said of the copy's version */
    unsigned char *der;     /**< SSL_STAPLING_MAX_DER bytes */
    int der_len;            /**< 0: nothing to staple */
    int ok;                 /**< a good response (else an error one) */
    apr_time_t this_update; /**< a good one is stapled while these times are valid */
    apr_time_t next_update; /**< (0: none) */
} ssl_stapling_item_t;

/** The initial values of the directives (create_server_config). */
void ssl_stapling_conf_init(ssl_stapling_conf_t *conf);

/** A virtual host's values over the main server's (merge_server_config). */
void ssl_stapling_conf_merge(ssl_stapling_conf_t *conf, const ssl_stapling_conf_t *base,
                             const ssl_stapling_conf_t *add);

const char *ssl_stapling_set_cache(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv);
const char *ssl_stapling_set_max_age(kv_cmd_parms_t *cmd, void *c, int argc,
                                     const char *const *argv);

/** The directive table's rows (in ssl_config.c's table, which knows ssl_server_conf_t). */
/* clang-format off */
#define SSL_STAPLING_SLOT(field, unit, min, max)                                                   \
    KV_SLOT(ssl_server_conf_t, stapling.field, unit, min, max), 1, 1, KV_CTX_SERVER,               \
        KV_CMD_SERVER_CONF
#define SSL_STAPLING_COMMANDS                                                                      \
    {"SSLUseStapling", kv_set_bounded_slot, SSL_STAPLING_SLOT(use, KV_UNIT_FLAG, 0, 1),             \
     "On|Off: staple the certificates' OCSP responses to the handshake"},                          \
    {"SSLStaplingCache", ssl_stapling_set_cache, NULL, 1, 1, KV_CTX_MAIN, KV_CMD_SERVER_CONF,      \
     "type:args: the socache that keeps the stapled responses (without it: DefaultRuntimeDir)"},   \
    {"SSLStaplingResponderTimeout", kv_set_bounded_slot,                                           \
     SSL_STAPLING_SLOT(responder_timeout, KV_UNIT_SECONDS, 1, 3600),                               \
     "seconds: how long the OCSP responder may take to answer"},                                   \
    {"SSLStaplingStandardCacheTimeout", kv_set_bounded_slot,                                       \
     SSL_STAPLING_SLOT(cache_timeout, KV_UNIT_SECONDS, 1, 31536000),                               \
     "seconds: how long a good response is kept before the responder is asked again"},             \
    {"SSLStaplingErrorCacheTimeout", kv_set_bounded_slot,                                          \
     SSL_STAPLING_SLOT(errcache_timeout, KV_UNIT_SECONDS, 1, 31536000),                            \
     "seconds: how long an error is kept before the responder is asked again"},                    \
    {"SSLStaplingReturnResponderErrors", kv_set_bounded_slot,                                      \
     SSL_STAPLING_SLOT(return_errors, KV_UNIT_FLAG, 0, 1),                                         \
     "On|Off: staple the responder's errors and its answers other than good too"},                 \
    {"SSLStaplingFakeTryLater", kv_set_bounded_slot,                                               \
     SSL_STAPLING_SLOT(fake_trylater, KV_UNIT_FLAG, 0, 1),                                         \
     "On|Off: a tryLater response stands for a responder that did not answer"},                    \
    {"SSLStaplingForceURL", kv_set_string_slot, KV_OFFSET(ssl_server_conf_t, stapling.force_url), \
     1, 1, KV_CTX_SERVER, KV_CMD_SERVER_CONF,                                                      \
     "URL: the OCSP responder to ask instead of the one the certificates name"},                   \
    {"SSLStaplingResponseTimeSkew", kv_set_bounded_slot,                                           \
     SSL_STAPLING_SLOT(time_skew, KV_UNIT_SECONDS, 0, 31536000),                                   \
     "seconds: how far a response's thisUpdate and nextUpdate may be off"},                        \
    {"SSLStaplingResponseMaxAge", ssl_stapling_set_max_age, NULL, 1, 1, KV_CTX_SERVER,             \
     KV_CMD_SERVER_CONF, "seconds: how old (thisUpdate) a stapled response may be; -1: no limit"}
/* clang-format on */

/* ---- ssl_stapling.c: at post_config, and in the children ---------------------------- */

typedef struct ssl_stapling ssl_stapling_t;

/** Set up stapling for server @a s's certificates (its context @a ctx is built) if
 * SSLUseStapling is on: the issuer and responder of each, the status callback. Issues are
 * logged (a certificate without an issuer or a responder is not stapled); never fails. */
void ssl_stapling_setup(apr_pool_t *pconf, kv_server_t *s, const ssl_stapling_conf_t *conf,
                        apr_array_header_t *certs, STACK_OF(X509) * chain, SSL_CTX *ctx);

/** Set up stapling for a context of server @a s renewed on disk (ssl_renew.c), in the pool
 * that lives as long as that context, @a p, as ssl_stapling_setup: its handshakes staple the
 * renewed certificates' responses once the fetcher has them. */
void ssl_stapling_renewed(apr_pool_t *p, kv_server_t *s, const ssl_stapling_conf_t *conf,
                          apr_array_header_t *certs, STACK_OF(X509) * chain, SSL_CTX *ctx);

/** The stapled certificates (ssl_stapling_item_t *) of @a ctx, or NULL if it staples none. */
apr_array_header_t *ssl_stapling_items_of(SSL_CTX *ctx);

/** Start the generation's fetcher if a certificate is stapled (after every server's
 * ssl_stapling_setup). KV_OK, or an error logged. */
int ssl_stapling_start(apr_pool_t *pconf, kv_server_t *s);

/* ---- ssl_ocsp_fetch.c: the fetcher process ------------------------------------------ */

/** Fetch, verify and publish the responses of @a items, each again when it is due, until
 * the parent goes away (or the process is stopped). Does not return. */
void ssl_ocsp_fetcher_run(apr_pool_t *p, apr_array_header_t *items) __attribute__((noreturn));

/** The thisUpdate and nextUpdate of the response in @a der (@a len bytes), each 0 if it has
 * none or cannot be read. */
void ssl_ocsp_times(const unsigned char *der, int len, apr_time_t *this_update,
                    apr_time_t *next_update);

/* ---- ssl_stapling_store.c: the stapling store --------------------------------------- */

/** Publish @a der (@a len bytes; @a ok: a good response) under @a key, or remove what is
 * there when @a len is 0; a cache may drop it after @a keep_until. With SSLStaplingCache, in
 * its provider; else a file in DefaultRuntimeDir renamed into place: every child sees the
 * whole old or the whole new one. APR_SUCCESS or the error. */
apr_status_t ssl_stapling_store_put(apr_pool_t *p, const char *key, int ok,
                                    const unsigned char *der, int len, apr_time_t keep_until);

/** Make the store ready in the fetcher before it switches to User and Group: attach
 * SSLStaplingCache, or make the store's directory, owned by User and Group when run as root
 * so that the fetcher can write it. APR_SUCCESS or the error. */
apr_status_t ssl_stapling_store_prepare(apr_pool_t *p);

/** If what is under @a key is not the @a *version read before, read it into @a der (up to
 * SSL_STAPLING_MAX_DER bytes), set *@a len (0: none there), *@a ok and *@a version, and
 * return 1; else 0. Cheap when nothing changed (one stat). */
int ssl_stapling_store_get(const char *key, apr_uint64_t *version, unsigned char *der, int *len,
                           int *ok);

/** The store's name for @a cert: its file in DefaultRuntimeDir, whose name (the hex SHA-256
 * of the certificate) is also its id in SSLStaplingCache. */
const char *ssl_stapling_store_key(apr_pool_t *p, X509 *cert);

/* ---- ssl_stapling_socache.c: the store in SSLStaplingCache's provider ---------------- */

/** Open SSLStaplingCache's provider (from @a conf, the main server's) in the parent, before
 * the fetcher and the children fork; the store uses it until @a pconf ends. APR_SUCCESS or
 * the error, logged. Nothing to do without SSLStaplingCache. */
apr_status_t ssl_stapling_socache_init(apr_pool_t *pconf, kv_server_t *s,
                                       const ssl_stapling_conf_t *conf);

/** Register the hook that attaches SSLStaplingCache in each child. */
void ssl_stapling_register_hooks(apr_pool_t *p);

/** Is the store SSLStaplingCache's provider in this generation? */
int ssl_stapling_socache_on(void);

/** Attach the provider in this process (the fetcher, a child). APR_SUCCESS or the error. */
apr_status_t ssl_stapling_socache_attach(apr_pool_t *p);

/** ssl_stapling_store_put and _get in the provider, under @a id. */
apr_status_t ssl_stapling_socache_put(apr_pool_t *p, const char *id, int ok,
                                      const unsigned char *der, int len, apr_time_t keep_until);
int ssl_stapling_socache_get(const char *id, apr_uint64_t *version, unsigned char *der, int *len,
                             int *ok);

#endif
