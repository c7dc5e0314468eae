/* mod_ssl's session ticket keys: without SSLSessionTicketKeyFile, the keys of every child of a
 * generation derive from one secret the parent makes, rotating every
 * SSLSessionTicketKeyRotation (a ticket of the period before still resumes, and is renewed);
 * with it, httpd's one fixed key. */
#ifndef SSL_TICKETS_H
#define SSL_TICKETS_H

#include <openssl/ssl.h>

#include "kiva.h"

/** SSLSessionTicketKeyFile file: 48 bytes, read as the line is. */
const char *ssl_set_ticket_key_file(kv_cmd_parms_t *cmd, void *conf, int argc,
                                    const char *const *argv);

/** Give @a ctx the ticket key callback for @a key_file (48 bytes, or NULL: rotated keys of
 * period @a rotation, KV_UNSET_TIME for the default), in @a pconf's lifetime. 0 on failure
 * (logged for server @a s). */
int ssl_tickets_ctx(apr_pool_t *pconf, kv_server_t *s, SSL_CTX *ctx, const unsigned char *key_file,
                    apr_interval_time_t rotation);

/** Give @a to the ticket keys of @a from (a context renewed on disk, ssl_renew.c): its
 * callback and keys when it has them, else OpenSSL's own keys of @a from, which every child of
 * the generation shares. */
void ssl_tickets_inherit(SSL_CTX *from, SSL_CTX *to);

#endif
