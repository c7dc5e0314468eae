/* mod_ssl's SSL_CTX: one per server with SSLEngine on, built at post_config from what the
 * directives loaded. */
#ifndef SSL_CONTEXT_H
#define SSL_CONTEXT_H

#include "ssl_config.h"

/** Make @a conf->ctx for server @a s from what @a conf loaded, owned by the caller (no pool
 * frees it); allocations in @a p, which must live as long as the context. 1, or 0 with
 * conf->ctx NULL after an error logged at @a level with the file or the server's file:line.
 * The one builder: post_config's (ssl_context_build) and a renewal's (ssl_renew.c). */
int ssl_context_make(apr_pool_t *p, kv_server_t *s, ssl_server_conf_t *conf, int level);

/** Build @a conf->ctx for server @a s (in @a pconf's lifetime). KV_OK, or an error logged
 * with the server's file:line. */
int ssl_context_build(apr_pool_t *pconf, kv_server_t *s, ssl_server_conf_t *conf);

/** Where @a s is defined, for messages: its <VirtualHost> line, or the main server. */
const char *ssl_server_where(apr_pool_t *p, const kv_server_t *s);

#endif
