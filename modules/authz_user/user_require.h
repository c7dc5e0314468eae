/* The authorization providers of mod_authz_user: `Require valid-user` and `Require user`. */
#ifndef USER_REQUIRE_H
#define USER_REQUIRE_H

#include "kv_auth.h"

/* Register valid-user and user. */
void user_register_providers(apr_pool_t *p);

#endif
