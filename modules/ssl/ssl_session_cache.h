/* mod_ssl's server-side session cache: SSLSessionCache and SSLSessionCacheTimeout. OpenSSL's
 * new/get/remove session callbacks store sessions through a socache provider (kv_socache.h),
 * so a session made in one child resumes in any other, or on another machine (memcache). */
#ifndef SSL_SESSION_CACHE_H
#define SSL_SESSION_CACHE_H

#include <openssl/ssl.h>

#include "kiva.h"
#include "kv_socache.h"

/** What SSLSessionCache chose: the main server's, which every virtual host shares. */
typedef struct {
    long mode;                             /**< OpenSSL's session cache mode */
    const kv_socache_provider_t *provider; /**< NULL: none, nonenotnull */
    kv_socache_instance_t *instance;
} ssl_session_cache_t;

/** SSLSessionCache none|nonenotnull|NAME[:ARG] (main server only). */
const char *ssl_set_session_cache(kv_cmd_parms_t *cmd, void *conf, int argc,
                                  const char *const *argv);

/** Set up @a ctx's session cache for server @a s: the mode, the callbacks when a provider
 * stores sessions, and SSLSessionCacheTimeout (@a timeout, KV_UNSET_TIME for 300 s). */
void ssl_session_cache_ctx(SSL_CTX *ctx, const ssl_session_cache_t *cache,
                           apr_interval_time_t timeout);

/** Register the hooks that open the cache in the parent (post_config) and in each child. */
void ssl_session_cache_register_hooks(apr_pool_t *p);

#endif
