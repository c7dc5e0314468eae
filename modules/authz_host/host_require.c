/* Require ip, local, host and forward-dns: who the client is by its address. */
#include <string.h>

#include <apr_network_io.h>
#include <apr_strings.h>

#include "host_require.h"
#include "kv_log.h"

#define KV_LOG_MODULE "authz_host"

/* ---- Require ip --------------------------------------------------------------------------- */

/* One "addr", "addr/prefix", "addr/netmask" or partial IPv4 address. */
static const char *parse_subnet(apr_pool_t *p, const char *arg, apr_ipsubnet_t **out)
{
    char *addr = apr_pstrdup(p, arg);
    char *mask = strchr(addr, '/');

    if (mask) {
        *mask++ = '\0';
    }
    if (*addr == '\0' || apr_ipsubnet_create(out, addr, mask, p) != APR_SUCCESS) {
        return apr_psprintf(p,
                            "Require ip: '%s' is not an IP address, a partial IPv4 address, "
                            "addr/prefix or addr/netmask",
                            arg);
    }
    return NULL;
}

static const char *parse_ip(apr_pool_t *p, const char *line, int argc, const char *const *argv,
                            const void **parsed)
{
    apr_array_header_t *subnets = apr_array_make(p, argc > 0 ? argc : 1, sizeof(apr_ipsubnet_t *));
    const char *err;

    (void)line;
    if (argc == 0) {
        return apr_pstrdup(p, "Require ip needs at least one address");
    }
    for (int i = 0; i < argc; i++) {
        if ((err = parse_subnet(p, argv[i], apr_array_push(subnets))) != NULL) {
            return err;
        }
    }
    *parsed = subnets;
    return NULL;
}

static int in_subnets(const apr_array_header_t *subnets, apr_sockaddr_t *sa)
{
    for (int i = 0; i < subnets->nelts; i++) {
        if (apr_ipsubnet_test(APR_ARRAY_IDX(subnets, i, apr_ipsubnet_t *), sa)) {
            return 1;
        }
    }
    return 0;
}

static kv_authz_status_t check_ip(kv_request_t *r, const void *parsed)
{
    return in_subnets(parsed, r->useragent_addr) ? KV_AUTHZ_GRANTED : KV_AUTHZ_DENIED;
}

/* ---- Require local ------------------------------------------------------------------------ */

/* As httpd: the loopback networks 127.0.0.0/8 and ::1, or the server's own address. */
static const char *parse_local(apr_pool_t *p, const char *line, int argc, const char *const *argv,
                               const void **parsed)
{
    static const char *const loopback[] = {"127.0.0.0/8", "::1"};

    (void)line;
    (void)argv;
    if (argc > 0) {
        return apr_pstrdup(p, "Require local does not take arguments");
    }
    return parse_ip(p, NULL, 2, loopback, parsed);
}

static kv_authz_status_t check_local(kv_request_t *r, const void *parsed)
{
    apr_sockaddr_t *client = r->useragent_addr;

    if (apr_sockaddr_equal(r->connection->local_addr, client) || in_subnets(parsed, client)) {
        return KV_AUTHZ_GRANTED;
    }
    return KV_AUTHZ_DENIED;
}

/* ---- Require host and forward-dns --------------------------------------------------------- */

static const char *parse_host(apr_pool_t *p, const char *line, int argc, const char *const *argv,
                              const void **parsed)
{
    (void)line;
    return kv_authz_parse_words(p, "host", argc, argv, parsed);
}

/* The client's name must resolve back to its address (a double-reverse lookup, whatever
 * HostnameLookups says), so a client cannot pass by naming its own address in its DNS. */
static kv_authz_status_t check_host(kv_request_t *r, const void *parsed)
{
    const apr_array_header_t *domains = parsed;
    int is_ip = 0;
    const char *name = kv_get_remote_host(r, KV_REMOTE_DOUBLE_REV, &is_ip);

    if (!name || is_ip) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV01221: access check of '%s' to %s failed, reason: unable to get the "
                      "remote host name",
                      apr_array_pstrcat(r->pool, domains, ' '), r->uri);
        return KV_AUTHZ_DENIED;
    }
    for (int i = 0; i < domains->nelts; i++) {
        if (host_in_domain(APR_ARRAY_IDX(domains, i, const char *), name)) {
            return KV_AUTHZ_GRANTED;
        }
    }
    return KV_AUTHZ_DENIED;
}

static const char *parse_forward_dns(apr_pool_t *p, const char *line, int argc,
                                     const char *const *argv, const void **parsed)
{
    (void)line;
    return kv_authz_parse_words(p, "forward-dns", argc, argv, parsed);
}

/* Granted when a name resolves (now) to the client's address. */
static kv_authz_status_t check_forward_dns(kv_request_t *r, const void *parsed)
{
    const apr_array_header_t *names = parsed;

    for (int i = 0; i < names->nelts; i++) {
        const char *name = APR_ARRAY_IDX(names, i, const char *);
        apr_sockaddr_t *sa;
        apr_status_t rv = apr_sockaddr_info_get(&sa, name, APR_UNSPEC, 0, 0, r->pool);

        if (rv != APR_SUCCESS) {
            kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, rv, r,
                          "KV01222: Require forward-dns: unable to resolve %s", name);
            continue;
        }
        for (; sa; sa = sa->next) {
            if (apr_sockaddr_equal(sa, r->useragent_addr)) {
                return KV_AUTHZ_GRANTED;
            }
        }
    }
    return KV_AUTHZ_DENIED;
}

static const kv_authz_provider_t ip_provider = {parse_ip, check_ip};
static const kv_authz_provider_t local_provider = {parse_local, check_local};
static const kv_authz_provider_t host_provider = {parse_host, check_host};
static const kv_authz_provider_t forward_dns_provider = {parse_forward_dns, check_forward_dns};

static const kv_authz_provider_t *ip(void)
{
    return &ip_provider;
}

static const kv_authz_provider_t *local(void)
{
    return &local_provider;
}

static const kv_authz_provider_t *host(void)
{
    return &host_provider;
}

static const kv_authz_provider_t *forward_dns(void)
{
    return &forward_dns_provider;
}

void host_register_providers(apr_pool_t *p)
{
    kv_authz_provider_register(p, "ip", ip);
    kv_authz_provider_register(p, "local", local);
    kv_authz_provider_register(p, "host", host);
    kv_authz_provider_register(p, "forward-dns", forward_dns);
}
