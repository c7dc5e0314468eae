/* mod_ssl's SSL_CTX: one per server with SSLEngine on, built at post_config from what the
 * directives loaded. */
#ifndef SSL_CONTEXT_H
#define SSL_CONTEXT_H

#include "ssl_config.h"

/** Build @a conf->ctx for server @a s (in @a pconf's lifetime). KV_OK, or an error logged
 * with the server's file:line. */
int ssl_context_build(apr_pool_t *pconf, kv_server_t *s, ssl_server_conf_t *conf);

/** Where @a s is defined, for messages: its <VirtualHost> line, or the main server. */
const char *ssl_server_where(apr_pool_t *p, const kv_server_t *s);

#endif
