/* mod_ssl's keys and settings (issue 15): SSLPassPhraseDialog and the decryption of
 * encrypted keys (ssl_pphrase.c), SSLOpenSSLConfCmd and SSLRandomSeed (ssl_keys.c), and the
 * checks of the whole configuration that -t runs as a start does (ssl_check.c). */
#ifndef SSL_KEYS_H
#define SSL_KEYS_H

#include "ssl_config.h"

/** One SSLOpenSSLConfCmd. */
typedef struct {
    const char *name, *value;
    const char *where; /**< "FILE:LINE" */
} ssl_conf_cmd_t;

const char *ssl_set_pphrase_dialog(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv);
const char *ssl_set_conf_cmd(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv);
const char *ssl_set_random_seed(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv);

/** The merge of the fields above into @a conf: a virtual host runs the main server's
 * SSLOpenSSLConfCmd lines, then its own, as httpd. */
void ssl_keys_merge(apr_pool_t *p, ssl_server_conf_t *conf, const ssl_server_conf_t *base,
                    const ssl_server_conf_t *add);

/** Apply @a conf's SSLOpenSSLConfCmd lines to conf->ctx, last (over what the other directives
 * set, as httpd); 0 with the reason logged when OpenSSL refuses one. */
int ssl_conf_cmds_apply(apr_pool_t *p, kv_server_t *s, ssl_server_conf_t *conf);

/** The check_config hook: SSLEngine on without a certificate, the encrypted keys decrypted
 * with SSLPassPhraseDialog's passphrase and matched with their certificates, the chain order
 * of every certificate (a warning). */
int ssl_check_config(apr_pool_t *pconf, apr_pool_t *ptemp, kv_server_t *s);

/** The passphrases that decrypted keys so far in one check (each is tried on the next key
 * before the dialog runs again, as httpd). */
typedef struct ssl_pphrase_state ssl_pphrase_state_t;

ssl_pphrase_state_t *ssl_pphrase_state(apr_pool_t *p, kv_server_t *main_server);

/** Decrypt @a key (its file, the @a index-th SSLCertificateKeyFile of @a s) with a known
 * passphrase or the dialog's; 0 with the reason logged (naming the file and line) when it
 * cannot. */
int ssl_pphrase_decrypt(ssl_pphrase_state_t *st, kv_server_t *s, int index, ssl_key_t *key);

/** The private key in the file @a path as renewed on disk (ssl_renew.c), in @a p's lifetime:
 * an encrypted one is decrypted with the passphrases that worked at start, never with a
 * dialog. NULL with *@a err naming the file and the reason (an encrypted key whose passphrase
 * is none of those says so). */
EVP_PKEY *ssl_pphrase_renewed_key(apr_pool_t *p, const char *path, const char **err);

#endif
