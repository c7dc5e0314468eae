/* The name and port this server goes by for a request, and its absolute URLs, as
 * UseCanonicalName and UseCanonicalPhysicalPort say (httpd's ap_get_server_name,
 * ap_get_server_port and ap_construct_url), and the scheme and default port that a module
 * (mod_ssl) may say are not plain HTTP's (ap_http_scheme, ap_default_port). */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "core.h"
#include "http_host.h"

#define HTTP_DEFAULT_PORT 80

APR_HOOK_STRUCT(APR_HOOK_LINK(http_scheme) APR_HOOK_LINK(default_port))

KV_IMPLEMENT_HOOK_RUN_FIRST(const char *, http_scheme, (const kv_request_t *r), (r), NULL)
KV_IMPLEMENT_HOOK_RUN_FIRST(apr_port_t, default_port, (const kv_request_t *r), (r), 0)

KV_DECLARE(const char *) kv_http_scheme(const kv_request_t *r)
{
    const char *scheme = kv_run_http_scheme(r);

    return scheme ? scheme : "http";
}

KV_DECLARE(apr_port_t) kv_default_port(const kv_request_t *r)
{
    apr_port_t port = kv_run_default_port(r);

    return port ? port : HTTP_DEFAULT_PORT;
}

static const kv_core_dir_conf_t *core_dir(const kv_request_t *r)
{
    return kv_get_module_config(r->per_dir_config, &core_module);
}

/* The port the client put in its Host field (or absolute-form authority, which became the
 * Host field), 0 if it gave none. The field was checked when the request was read. */
static apr_port_t client_port(const kv_request_t *r)
{
    const char *field = apr_table_get(r->headers_in, "Host");
    kv_host_t host;
    const char *why;

    if (!field || kv_parse_host(r->pool, field, &host, &why) != 0 || host.port <= 0) {
        return 0;
    }
    return (apr_port_t)host.port;
}

/* The local address's DNS name, lower-case; ServerName if it has none. Looked up once per
 * request. */
static const char *local_dns_name(const kv_request_t *r)
{
    const char *name = apr_table_get(r->notes, "kv-local-dns-name");
    char *found;

    if (name) {
        return name;
    }
    if (apr_getnameinfo(&found, r->connection->local_addr, 0) == APR_SUCCESS && found) {
        for (char *p = found; *p; p++) {
            *p = (char)apr_tolower(*p);
        }
        name = found;
    } else {
        name = r->server->server_hostname;
    }
    apr_table_set(r->notes, "kv-local-dns-name", name);
    return name;
}

KV_DECLARE(const char *) kv_get_server_name(const kv_request_t *r)
{
    switch (core_dir(r)->use_canonical_name) {
    case KV_CANONICAL_ON:
        return r->server->server_hostname;
    case KV_CANONICAL_DNS:
        return local_dns_name(r);
    default:
        return r->hostname ? r->hostname : r->server->server_hostname;
    }
}

KV_DECLARE(apr_port_t) kv_get_server_port(const kv_request_t *r)
{
    const kv_core_dir_conf_t *d = core_dir(r);
    apr_port_t physical = d->use_canonical_phys_port == 1 ? r->connection->local_addr->port : 0;
    apr_port_t port = 0;

    /* The first of these that is known, in httpd's order. */
    if (d->use_canonical_name != KV_CANONICAL_ON) {
        port = client_port(r);
    }
    if (port == 0 && d->use_canonical_name == KV_CANONICAL_ON) {
        port = r->server->port;
    }
    if (port == 0) {
        port = physical;
    }
    if (port == 0) {
        port = r->server->port;
    }
    return port ? port : kv_default_port(r);
}

KV_DECLARE(const char *) kv_server_name_for_url(const kv_request_t *r)
{
    const char *host = kv_get_server_name(r);

    return strchr(host, ':') ? apr_pstrcat(r->pool, "[", host, "]", NULL) : host;
}

KV_DECLARE(const char *) kv_construct_url(apr_pool_t *p, const char *path, const kv_request_t *r)
{
    apr_port_t port = kv_get_server_port(r);

    return apr_psprintf(p, "%s://%s%s%s", kv_http_scheme(r), kv_server_name_for_url(r),
                        port == kv_default_port(r) ? "" : apr_psprintf(p, ":%u", port), path);
}
