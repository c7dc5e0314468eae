/* mod_ssl's ALPN: the protocol agreed in the handshake, from those the protocol modules
 * registered (kv_protocol_register), and the handshake driven before the protocol is chosen
 * so that the choice sees it. */
#ifndef SSL_ALPN_H
#define SSL_ALPN_H

#include <openssl/ssl.h>

#include "kiva.h"
#include "ssl_transport.h"

/** Offer the registered protocols (as they are at the generation's post_config) on @a ctx. */
void ssl_alpn_ctx_setup(apr_pool_t *pconf, SSL_CTX *ctx);

/** process_connection, before any protocol: finish the handshake of @a c (TLS layer @a sc)
 * and set c->protocol to what ALPN agreed. KV_DECLINED once done, for the protocol to take
 * the connection; KV_OK with c->state KV_CONN_STATE_READ_REQUEST while it waits for the
 * client under an asynchronous MPM; KV_OK when it failed (the connection ends: c->state
 * KV_CONN_STATE_LINGER under an asynchronous MPM). */
int ssl_alpn_handshake_step(kv_conn_t *c, ssl_conn_t *sc);

#endif
