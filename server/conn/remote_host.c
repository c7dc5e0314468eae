/* The client's host name, as httpd's ap_get_useragent_host: one reverse lookup per
 * connection, when HostnameLookups asks for it or Require host needs a double-reverse name;
 * the answer (or "" for none) stays on the connection, so keep-alive requests do not look up
 * again. A client mod_remoteip found behind a proxy is looked up once per request. */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "core.h"
#include "remote_host.h"

/* Whose name is looked up, and where the answer is kept: the connection's peer (kept on the
 * connection), or the client mod_remoteip found behind it (kept on the request). */
typedef struct {
    apr_pool_t *pool;
    apr_sockaddr_t *addr;
    const char *ip;
    const char *remote_host; /* "" for none, NULL before a lookup */
    int double_reverse;      /* 1 yes, -1 no, 0 not checked yet */
} lookup_t;

/* Does the name resolve back to the client's address? Checked once. */
static void check_double_reverse(lookup_t *l)
{
    apr_sockaddr_t *sa;

    if (l->double_reverse != 0) {
        return;
    }
    l->double_reverse = -1;
    if (!l->remote_host || l->remote_host[0] == '\0' ||
        apr_sockaddr_info_get(&sa, l->remote_host, APR_UNSPEC, 0, 0, l->pool) != APR_SUCCESS) {
        return;
    }
    for (; sa; sa = sa->next) {
        if (apr_sockaddr_equal(sa, l->addr)) {
            l->double_reverse = 1;
            return;
        }
    }
}

static void look_up(lookup_t *l, int lookups)
{
    char *name = NULL;

    if (apr_getnameinfo(&name, l->addr, 0) == APR_SUCCESS && name) {
        for (char *ch = name; *ch; ch++) {
            *ch = (char)apr_tolower(*ch);
        }
        l->remote_host = name;
        if (lookups == KV_LOOKUPS_DOUBLE) {
            check_double_reverse(l);
            if (l->double_reverse != 1) {
                l->remote_host = NULL;
            }
        }
    }
    if (!l->remote_host) {
        l->remote_host = "";
    }
}

static const char *remote_host(lookup_t *l, int lookups, kv_remote_host_type_t type,
                               int *str_is_ip)
{
    int ignored;

    str_is_ip = str_is_ip ? str_is_ip : &ignored;
    *str_is_ip = 0;
    if (type != KV_REMOTE_NOLOOKUP && !l->remote_host &&
        (type == KV_REMOTE_DOUBLE_REV || lookups != KV_LOOKUPS_OFF)) {
        look_up(l, lookups);
    }
    if (type == KV_REMOTE_DOUBLE_REV) {
        check_double_reverse(l);
        if (l->double_reverse == -1) {
            return NULL;
        }
    }
    if (l->remote_host && l->remote_host[0] != '\0') {
        return l->remote_host;
    }
    if (type == KV_REMOTE_HOST || type == KV_REMOTE_DOUBLE_REV) {
        return NULL;
    }
    *str_is_ip = 1;
    return l->ip;
}

const char *kv_remote_host_of(kv_conn_t *c, int lookups, kv_remote_host_type_t type, int *str_is_ip)
{
    lookup_t l = {c->pool, c->client_addr, c->client_ip, c->remote_host, c->double_reverse};
    const char *name = remote_host(&l, lookups, type, str_is_ip);

    c->remote_host = l.remote_host;
    c->double_reverse = l.double_reverse;
    return name;
}

/* The request's own client (mod_remoteip): looked up once per request. */
static const char *useragent_host(const kv_request_t *r, kv_remote_host_type_t type,
                                  int *str_is_ip)
{
    static const char key[] = "kv-useragent-host";
    lookup_t *l = NULL;

    apr_pool_userdata_get((void **)&l, key, r->pool);
    if (!l) {
        l = apr_pcalloc(r->pool, sizeof(*l));
        l->pool = r->pool;
        l->addr = r->useragent_addr;
        l->ip = r->useragent_ip;
        apr_pool_userdata_setn(l, key, NULL, r->pool);
    }
    return remote_host(l, kv_hostname_lookups(r), type, str_is_ip);
}

KV_DECLARE(const char *)
kv_get_peer_host(const kv_request_t *r, kv_remote_host_type_t type, int *str_is_ip)
{
    return kv_remote_host_of(r->connection, kv_hostname_lookups(r), type, str_is_ip);
}

KV_DECLARE(const char *)
kv_get_remote_host(const kv_request_t *r, kv_remote_host_type_t type, int *str_is_ip)
{
    if (r->useragent_addr && r->useragent_addr != r->connection->client_addr) {
        return useragent_host(r, type, str_is_ip);
    }
    return kv_get_peer_host(r, type, str_is_ip);
}
