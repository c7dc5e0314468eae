/* What SSLSessionCache and SSLStaplingCache share: an socache provider (kv_socache.h) named
 * by a directive's argument, as httpd's mod_ssl finds it. */
#ifndef SSL_SOCACHE_H
#define SSL_SOCACHE_H

#include "kiva.h"
#include "kv_socache.h"

/** Make the cache that @a arg (`name[:args]`) names, for directive @a directive (whose
 * caches are called "@a what cache" in messages): the provider of a loaded module, and its
 * instance made in @a p. NULL, or why it is refused: a provider whose module is not loaded
 * names the LoadModule line it needs, as httpd. */
const char *ssl_socache_make(apr_pool_t *p, apr_pool_t *tmp, const char *directive,
                             const char *what, const char *arg,
                             const kv_socache_provider_t **provider,
                             kv_socache_instance_t **instance);

#endif
