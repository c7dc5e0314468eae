/* mod_ssl's transport layer: TLS between the socket (or the layers below) and HTTP. */
#ifndef SSL_TRANSPORT_H
#define SSL_TRANSPORT_H

#include <openssl/ssl.h>

#include "kiva.h"

typedef struct ssl_conn ssl_conn_t;

/** Make the BIO method the layer reads and writes the layers below through; in the parent
 * at post_config, before any child or thread. 0 on failure. */
int ssl_transport_init(apr_pool_t *pconf);

/** Push the TLS layer onto @a c's stack, a server-side SSL of @a ctx for the server named
 * @a host; the handshake happens on its first recv or sendv. NULL on failure (logged). */
ssl_conn_t *ssl_transport_push(kv_conn_t *c, SSL_CTX *ctx, const char *host);

/** Did the client speak plain HTTP to this TLS connection? Then the layer gave the HTTP
 * loop a request of its own ("GET / HTTP/1.1" for @a host, Connection: close) for which
 * mod_ssl answers httpd's 400; true once. */
int ssl_transport_take_plain_http(ssl_conn_t *sc);

/** The connection's SSL once TLS is spoken on it (the SNI and ALPN state, what the handshake
 * agreed, the SSL environment): NULL after plain HTTP or a fatal TLS error. */
SSL *ssl_transport_ssl(const ssl_conn_t *sc);

/** Go on with the handshake as far as the layers below allow, before the first recv or sendv
 * (so that the protocol is chosen by what ALPN agreed): APR_SUCCESS once it is done (or the
 * client spoke plain HTTP); APR_EAGAIN (c->sense set) when it waits for the client, as a
 * recv answers; APR_EOF, APR_TIMEUP or APR_ECONNABORTED when it failed. */
apr_status_t ssl_transport_handshake(ssl_conn_t *sc);

#endif
