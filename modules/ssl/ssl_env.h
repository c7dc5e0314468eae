/* The SSL environment of requests (ssl_env.c): HTTPS and the SSL_* variables for scripts
 * (SSLOptions +StdEnvVars, +ExportCertData), %{VAR}x log fields and expressions; and the
 * per-directory SSLOptions and SSLRequireSSL. */
#ifndef SSL_ENV_H
#define SSL_ENV_H

#include "kiva.h"
#include "ssl_options.h"

/** mod_ssl's per-directory configuration. */
typedef struct {
    ssl_options_t options; /**< SSLOptions */
    int require_ssl;       /**< SSLRequireSSL: 1, else KV_UNSET_INT */
} ssl_dir_conf_t;

void *ssl_create_dir_conf(apr_pool_t *p, const char *dir);
void *ssl_merge_dir_conf(apr_pool_t *p, void *basev, void *addv);

const char *ssl_set_options(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv);
const char *ssl_set_require_ssl(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv);

/** Register the hooks of the SSL environment; from mod_ssl's register_hooks. */
void ssl_env_register_hooks(apr_pool_t *p);

#endif
