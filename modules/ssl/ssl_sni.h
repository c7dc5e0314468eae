/* mod_ssl's SNI: the ClientHello's server name selects the virtual host whose certificate,
 * protocols and ciphers the handshake uses, among the name-based hosts of the connection's
 * address; its requests are then checked against it (421 Misdirected Request, and
 * SSLStrictSNIVHostCheck), as httpd 2.4.64's. */
#ifndef SSL_SNI_H
#define SSL_SNI_H

#include <openssl/ssl.h>

#include "kiva.h"

/** Once per process, before any connection: 0 if OpenSSL cannot give the SSL an index for
 * the SNI's state. */
int ssl_sni_init(void);

/** Let SNI switch a handshake begun on @a ctx to another server's context. */
void ssl_sni_ctx_setup(SSL_CTX *ctx);

/** A new TLS connection @a c, begun with the context of @a s (its address's server). */
void ssl_sni_attach(SSL *ssl, kv_conn_t *c, const kv_server_t *s);

/** The connection @a ssl was attached to (ssl_sni_attach), or NULL. */
kv_conn_t *ssl_sni_conn(const SSL *ssl);

/** post_read_request: KV_DECLINED, or the status that refuses @a r (400, 403, 421), logged,
 * when its Host does not fit the server the handshake was made for. */
int ssl_sni_check_request(kv_request_t *r, SSL *ssl);

#endif
