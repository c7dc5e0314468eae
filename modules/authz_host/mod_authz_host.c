/* mod_authz_host: authorization by the client's address and host name, as httpd's:
 * `Require ip`, `Require local`, `Require host` (double-reverse DNS) and `Require forward-dns`
 * (host_require.c). It has no directives of its own. */
#include "host_require.h"
#include "kiva.h"

static void register_hooks(apr_pool_t *p)
{
    host_register_providers(p);
}

kv_module_t authz_host_module = {
    KV_MODULE_HEADER("authz_host"),
    .register_hooks = register_hooks,
};
