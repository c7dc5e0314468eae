/* The SSL environment of requests (ssl_env.c): HTTPS and the SSL_* variables for scripts
 * (SSLOptions +StdEnvVars, +ExportCertData), %{VAR}x log fields and expressions; and the
 * per-directory SSLOptions and SSLRequireSSL. */
#ifndef SSL_ENV_H
#define SSL_ENV_H

#include <openssl/ssl.h>

#include "kiva.h"
#include "ssl_options.h"

/** mod_ssl's per-directory configuration. */
typedef struct {
    ssl_options_t options; /**< SSLOptions */
    int require_ssl;       /**< SSLRequireSSL: 1, else KV_UNSET_INT */
    /* A client certificate asked for after the handshake (ssl_pha.c) */
    int verify_client;      /**< SSLVerifyClient here, SSL_VERIFY_CLIENT_*; KV_UNSET_INT */
    int verify_depth;       /**< SSLVerifyDepth here; KV_UNSET_INT */
    apr_off_t reneg_buffer; /**< SSLRenegBufferSize; -1: unset */
} ssl_dir_conf_t;

void *ssl_create_dir_conf(apr_pool_t *p, const char *dir);
void *ssl_merge_dir_conf(apr_pool_t *p, void *basev, void *addv);

const char *ssl_set_options(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv);
const char *ssl_set_require_ssl(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv);

/** The TLS connection @a r came over, or NULL: plain TCP, or plain HTTP on a TLS port. */
SSL *ssl_request_ssl(const kv_request_t *r);

/** Register the hooks of the SSL environment; from mod_ssl's register_hooks. */
void ssl_env_register_hooks(apr_pool_t *p);

/** Register SSLRequireSSL's and FakeBasicAuth's hooks (ssl_access.c); from mod_ssl's
 * register_hooks. */
void ssl_access_register_hooks(void);

#endif
