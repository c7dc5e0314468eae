/* mod_ssl: certificates and keys renewed on disk, taken up without a restart (kiva's own;
 * httpd reads them only when it starts or restarts). */
#ifndef SSL_RENEW_H
#define SSL_RENEW_H

#include "ssl_config.h"

typedef struct ssl_renew ssl_renew_t;

/** Watch the certificate, key and chain files of server @a s, whose @a conf->ctx post_config
 * has just built (at post_config, in the parent; @a pconf's lifetime). 0 on failure
 * (logged). */
int ssl_renew_watch(apr_pool_t *pconf, kv_server_t *s, ssl_server_conf_t *conf);

/** The SSL_CTX a new handshake of the server of @a conf uses: the one built from the files
 * as they are now, looked at no more often than SSLCertificateCheckInterval. A reference
 * the caller owns: SSL_CTX_free it once it has made its SSL (SSL_new, SSL_set_SSL_CTX take
 * their own). Any thread may call it. */
SSL_CTX *ssl_server_ctx(const ssl_server_conf_t *conf);

#endif
