/* The client's host name, as httpd's ap_get_remote_host: one reverse lookup per connection,
 * when HostnameLookups asks for it or Require host needs a double-reverse name; the answer
 * (or "" for none) stays on the connection, so keep-alive requests do not look up again. */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "core.h"
#include "remote_host.h"

const char *kv_parse_hostname_lookups(apr_pool_t *p, const char *arg, int *out)
{
    if (strcasecmp(arg, "Off") == 0) {
        *out = KV_LOOKUPS_OFF;
    } else if (strcasecmp(arg, "On") == 0) {
        *out = KV_LOOKUPS_ON;
    } else if (strcasecmp(arg, "Double") == 0) {
        *out = KV_LOOKUPS_DOUBLE;
    } else {
        return apr_psprintf(p, "HostnameLookups must be On, Off or Double, not '%s'", arg);
    }
    return NULL;
}

/* The address whose name is looked up: the connection's peer. (mod_remoteip, when it gives
 * the request a client address of its own, is the one place to change.) */
static apr_sockaddr_t *client_addr(const kv_conn_t *c)
{
    return c->client_addr;
}

/* Does the connection's name resolve back to the client's address? Checked once. */
static void check_double_reverse(kv_conn_t *c)
{
    apr_sockaddr_t *sa;

    if (c->double_reverse != 0) {
        return;
    }
    c->double_reverse = -1;
    if (!c->remote_host || c->remote_host[0] == '\0' ||
        apr_sockaddr_info_get(&sa, c->remote_host, APR_UNSPEC, 0, 0, c->pool) != APR_SUCCESS) {
        return;
    }
    for (; sa; sa = sa->next) {
        if (apr_sockaddr_equal(sa, client_addr(c))) {
            c->double_reverse = 1;
            return;
        }
    }
}

static void look_up(kv_conn_t *c, int lookups)
{
    char *name = NULL;

    if (apr_getnameinfo(&name, client_addr(c), 0) == APR_SUCCESS && name) {
        for (char *ch = name; *ch; ch++) {
            *ch = (char)apr_tolower(*ch);
        }
        c->remote_host = name;
        if (lookups == KV_LOOKUPS_DOUBLE) {
            check_double_reverse(c);
            if (c->double_reverse != 1) {
                c->remote_host = NULL;
            }
        }
    }
    if (!c->remote_host) {
        c->remote_host = "";
    }
}

const char *kv_remote_host_of(kv_conn_t *c, int lookups, kv_remote_host_type_t type, int *str_is_ip)
{
    int ignored;

    str_is_ip = str_is_ip ? str_is_ip : &ignored;
    *str_is_ip = 0;
    if (type != KV_REMOTE_NOLOOKUP && !c->remote_host &&
        (type == KV_REMOTE_DOUBLE_REV || lookups != KV_LOOKUPS_OFF)) {
        look_up(c, lookups);
    }
    if (type == KV_REMOTE_DOUBLE_REV) {
        check_double_reverse(c);
        if (c->double_reverse == -1) {
            return NULL;
        }
    }
    if (c->remote_host && c->remote_host[0] != '\0') {
        return c->remote_host;
    }
    if (type == KV_REMOTE_HOST || type == KV_REMOTE_DOUBLE_REV) {
        return NULL;
    }
    *str_is_ip = 1;
    return c->client_ip;
}

KV_DECLARE(const char *)
kv_get_remote_host(const kv_request_t *r, kv_remote_host_type_t type, int *str_is_ip)
{
    return kv_remote_host_of(r->connection, kv_hostname_lookups(r), type, str_is_ip);
}
