/* The client's host name: HostnameLookups and the reverse (and double-reverse) lookup that
 * kv_get_remote_host() does once per connection. Internal to the core. */
#ifndef KV_REMOTE_HOST_H
#define KV_REMOTE_HOST_H

#include "kv_http.h"

/** HostnameLookups values (KV_UNSET_INT when not set: Off). */
enum { KV_LOOKUPS_OFF = 0, KV_LOOKUPS_ON = 1, KV_LOOKUPS_DOUBLE = 2 };

/** Parse HostnameLookups' argument (On, Off or Double, any case) into *out; NULL, or why not
 * (hostname_lookups.c). */
const char *kv_parse_hostname_lookups(apr_pool_t *p, const char *arg, int *out);

/** kv_get_remote_host() for connection @a c under HostnameLookups @a lookups (KV_LOOKUPS_*). */
const char *kv_remote_host_of(kv_conn_t *c, int lookups, kv_remote_host_type_t type,
                              int *str_is_ip);

#endif
