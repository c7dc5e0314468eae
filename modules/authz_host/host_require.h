/* The authorization providers of mod_authz_host: `Require ip`, `local`, `host` and
 * `forward-dns`, with httpd 2.4's meaning. */
#ifndef HOST_REQUIRE_H
#define HOST_REQUIRE_H

#include "kv_auth.h"

/* Is @a name in @a domain: equal to it, or ending in it at a label boundary ("example.org"
 * holds "www.example.org" but not "badexample.org"; ".example.org" holds only names below
 * it)? Case-insensitive. */
int host_in_domain(const char *domain, const char *name);

/* Register ip, local, host and forward-dns. */
void host_register_providers(apr_pool_t *p);

#endif
