/* mod_ssl's per-server configuration: the directives, and the certificates and keys they
 * load while the configuration is read (so that -t reports a bad file, and a key that does
 * not match its certificate, with the directive's file and line). */
#ifndef SSL_CONFIG_H
#define SSL_CONFIG_H

#include <openssl/ssl.h>

#include "kiva.h"
#include "ssl_session_cache.h"
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
    EVP_PKEY *key; /**< NULL while encrypted: ssl_check.c decrypts it */
    int encrypted; /**< keys: it needs SSLPassPhraseDialog's passphrase */
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
    /* Session resumption (ssl_session_cache.c) */
    ssl_session_cache_t *session_cache;  /**< SSLSessionCache (main server; vhosts share it) */
    apr_interval_time_t session_timeout; /**< SSLSessionCacheTimeout; KV_UNSET_TIME */
    /* Session ticket keys (ssl_tickets.c) */
    const unsigned char *ticket_key_file; /**< SSLSessionTicketKeyFile's 48 bytes, or NULL */
    apr_interval_time_t ticket_rotation;  /**< SSLSessionTicketKeyRotation; KV_UNSET_TIME */
    /* Client certificates (ssl_verify.c) */
    const char *ca_file;       /**< SSLCACertificateFile, or NULL */
    const char *ca_file_where; /**< its "FILE:LINE" */
    const char *ca_path;       /**< SSLCACertificatePath, or NULL */
    const char *ca_path_where; /**< its "FILE:LINE" */
    int verify_client;         /**< SSLVerifyClient, SSL_VERIFY_CLIENT_*; KV_UNSET_INT */
    int verify_depth;          /**< SSLVerifyDepth; KV_UNSET_INT */
    /* Certificates renewed on disk (ssl_renew.c) */
    const char *chain_file;         /**< SSLCertificateChainFile's path, or NULL */
    apr_interval_time_t cert_check; /**< SSLCertificateCheckInterval; KV_UNSET_TIME */
    struct ssl_renew *renew;        /**< what new handshakes use; made at post_config */
    apr_time_t read_from;           /**< when the reading of the configuration came to it */
    /* SNI (ssl_sni.c) */
    int strict_sni; /**< SSLStrictSNIVHostCheck; KV_UNSET_INT */
    /* keys: SSLPassPhraseDialog (the main server's counts), SSLOpenSSLConfCmd, and where
     * SSLCertificateChainFile stands for the chain order check (ssl_keys.h). */
    int pphrase_kind;              /**< ssl_pphrase_kind_t; 0: builtin, the default */
    const char *pphrase_program;   /**< exec: or | program */
    const char *pphrase_where;     /**< "FILE:LINE" of SSLPassPhraseDialog */
    apr_array_header_t *conf_cmds; /**< ssl_conf_cmd_t, in order: the main server's first */
    const char *chain_where;       /**< and its "FILE:LINE" */
    /* OCSP stapling (ssl_stapling.c) */
    ssl_stapling_conf_t stapling;
} ssl_server_conf_t;

/** SSLCertificateCheckInterval's default: "at most once per few seconds". */
#define SSL_CERT_CHECK_DEFAULT apr_time_from_sec(5)

extern const kv_command_t ssl_commands[];

void *ssl_create_server_conf(apr_pool_t *p, kv_server_t *s);
void *ssl_merge_server_conf(apr_pool_t *p, void *basev, void *addv);

/** The OpenSSL error queue's last message (and the queue cleared), in @a p. */
const char *ssl_error_text(apr_pool_t *p);

#endif
