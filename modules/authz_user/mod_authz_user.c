/* mod_authz_user: authorization by the authenticated user, as httpd's: `Require valid-user`
 * and `Require user` (user_require.c). It has no directives of its own. */
#include "kiva.h"
#include "user_require.h"

static void register_hooks(apr_pool_t *p)
{
    user_register_providers(p);
}

kv_module_t authz_user_module = {
    KV_MODULE_HEADER("authz_user"),
    .register_hooks = register_hooks,
};
