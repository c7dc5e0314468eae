/* Client certificates: SSLCACertificateFile/Path, SSLVerifyClient and SSLVerifyDepth, and
 * the verification they set up on a server's SSL_CTX (ssl_verify.c). */
#ifndef SSL_VERIFY_H
#define SSL_VERIFY_H

#include "ssl_config.h"

/** SSLVerifyClient's levels, httpd's names. */
enum {
    SSL_VERIFY_CLIENT_NONE,
    SSL_VERIFY_CLIENT_OPTIONAL,
    SSL_VERIFY_CLIENT_REQUIRE,
    SSL_VERIFY_CLIENT_OPTIONAL_NO_CA
};

/** httpd's SSLVerifyDepth default: the client's certificate and the CA that issued it. */
#define SSL_VERIFY_DEPTH_DEFAULT 1

/** SSLVerifyClient's argument as an SSL_VERIFY_CLIENT_* level; -1 if it is none. */
int ssl_verify_parse_level(const char *arg);

/** Take the client-certificate settings @a add does not make from @a base into @a conf. */
void ssl_verify_merge(ssl_server_conf_t *conf, const ssl_server_conf_t *base,
                      const ssl_server_conf_t *add);

/** Set up @a conf->ctx to ask for client certificates as the directives say; 0 on failure
 * (logged, naming the server). */
int ssl_verify_configure(apr_pool_t *pconf, kv_server_t *s, ssl_server_conf_t *conf);

/** The level and depth a directory asks the client's certificate at. */
typedef struct {
    int level; /**< SSL_VERIFY_CLIENT_* */
    int depth; /**< SSLVerifyDepth */
} ssl_verify_want_t;

/** Verify the certificate @a ssl's client gives after the handshake (post-handshake
 * authentication) at @a want, which must live as long as @a ssl, instead of its server's
 * settings. No certificate does not fail the exchange: the caller decides (a 403 answered,
 * not an alert). 0 on failure. */
int ssl_verify_post_handshake(SSL *ssl, const ssl_verify_want_t *want);

const char *ssl_set_ca_file(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv);
const char *ssl_set_ca_path(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv);
const char *ssl_set_verify_client(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv);
const char *ssl_set_verify_depth(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv);

#endif
