/* mod_ssl's per-server configuration: the directives, and the certificates and keys they
 * load while the configuration is read (so that -t reports a bad file, and a key that does
 * not match its certificate, with the directive's file and line). */
#ifndef SSL_CONFIG_H
#define SSL_CONFIG_H

#include <openssl/ssl.h>

#include "kiva.h"
#include "ssl_stapling.h"

/** One SSLCertificateFile: its certificate, the chain that follows it in the file, and
 * the key from its SSLCertificateKeyFile (the Nth key pairs with the Nth certificate, as
 * httpd), else from the certificate's own file. */
typedef struct {
    const char *cert_file;
    const char *where; /**< "FILE:LINE" of the directive */
    X509 *cert;
    STACK_OF(X509) * chain; /**< the certificates after the first in cert_file */
    EVP_PKEY *own_key;      /**< a key in cert_file itself, or NULL */
} ssl_cert_t;

/** One SSLCertificateKeyFile. */
typedef struct {
    const char *key_file;
    const char *where;
    EVP_PKEY *key;
} ssl_key_t;

typedef struct {
    int engine;                /**< SSLEngine; KV_UNSET_INT */
    apr_array_header_t *certs; /**< ssl_cert_t, in order; NULL: none here */
    apr_array_header_t *keys;  /**< ssl_key_t, in order; NULL: none here */
    STACK_OF(X509) * chain;    /**< SSLCertificateChainFile's certificates, or NULL */
    int protocols;             /**< SSLProtocol, SSL_PROTO_* bits; KV_UNSET_INT */
    const char *ciphers;       /**< SSLCipherSuite [SSL] */
    const char *ciphers_tls13; /**< SSLCipherSuite TLSv1.3 */
    int honor_cipher_order;    /**< SSLHonorCipherOrder */
    int compression;           /**< SSLCompression */
    int session_tickets;       /**< SSLSessionTickets */
    SSL_CTX *ctx;              /**< built at post_config when the engine is on */
    /* OCSP stapling (ssl_stapling.c) */
    ssl_stapling_conf_t stapling;
} ssl_server_conf_t;

extern const kv_command_t ssl_commands[];

void *ssl_create_server_conf(apr_pool_t *p, kv_server_t *s);
void *ssl_merge_server_conf(apr_pool_t *p, void *basev, void *addv);

/** The OpenSSL error queue's last message (and the queue cleared), in @a p. */
const char *ssl_error_text(apr_pool_t *p);

#endif
