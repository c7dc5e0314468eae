/*
 * Only numeric addresses resolve: a target linked with -Wl,--wrap=apr_sockaddr_info_get and
 * this file never asks DNS, whatever name a mutated input gives (fuzz_config's
 * <VirtualHost name>, fuzz_remoteip's RemoteIPTrustedProxy name). A name fails as an
 * unknown host would.
 */
#include <arpa/inet.h>

#include <apr_network_io.h>

apr_status_t __real_apr_sockaddr_info_get(apr_sockaddr_t **sa, const char *hostname,
                                          apr_int32_t family, apr_port_t port, apr_int32_t flags,
                                          apr_pool_t *p);
apr_status_t __wrap_apr_sockaddr_info_get(apr_sockaddr_t **sa, const char *hostname,
                                          apr_int32_t family, apr_port_t port, apr_int32_t flags,
                                          apr_pool_t *p);

static int is_numeric_address(const char *host)
{
    unsigned char buf[sizeof(struct in6_addr)];

    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

apr_status_t __wrap_apr_sockaddr_info_get(apr_sockaddr_t **sa, const char *hostname,
                                          apr_int32_t family, apr_port_t port, apr_int32_t flags,
                                          apr_pool_t *p)
{
    if (hostname != NULL && !is_numeric_address(hostname)) {
        return APR_EGENERAL;
    }
    return __real_apr_sockaddr_info_get(sa, hostname, family, port, flags, p);
}
