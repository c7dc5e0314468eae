/* mod_remoteip's pure parts: the proxy lists and httpd's walk of the client IP header. */
#ifndef KV_REMOTEIP_WALK_H
#define KV_REMOTEIP_WALK_H

#include <apr_network_io.h>
#include <apr_pools.h>
#include <apr_tables.h>

/** One RemoteIPTrustedProxy or RemoteIPInternalProxy network. */
typedef struct {
    apr_ipsubnet_t *net;
    int internal; /**< RemoteIPInternalProxy: may present private addresses */
} remoteip_proxy_t;

/** Add to @a proxies (remoteip_proxy_t) the proxies @a spec names: an address, a partial
 * IPv4 address (`10.1`), address/prefix or address/netmask, or a host name, resolved now
 * (every address it has). NULL, or the reason naming @a directive. */
const char *remoteip_add_proxy(apr_pool_t *p, apr_array_header_t *proxies, const char *spec,
                               int internal, const char *directive);

/** Add the proxies of a ...List file's @a text: blank-separated specs, `#` to the end of the
 * line a comment. NULL, or the reason with the line of @a file. */
const char *remoteip_add_proxy_list(apr_pool_t *p, apr_array_header_t *proxies, const char *text,
                                    int internal, const char *directive, const char *file);

/** What the walk found. */
typedef struct {
    const char *ip;        /**< the client */
    apr_sockaddr_t *addr;  /**< the client, port 0 */
    const char *remaining; /**< the header's part not consumed, NULL if all was */
    const char *proxy_ips; /**< the trusted (not internal) proxies passed, "a, b"; NULL if none */
} remoteip_found_t;

/** httpd's walk: while the current client (first @a peer) is a listed proxy (any, when
 * @a proxies is NULL or empty), take the rightmost address of @a header as the client; stop
 * at one that is not a numeric address or, unless every proxy so far was internal, at a
 * private one (10/8, 127/8, 169.254/16, 172.16/12, 192.168/16, IPv6 outside 2000::/3).
 * Returns 1 with *out filled if the client changed, else 0. */
int remoteip_walk(apr_pool_t *p, const apr_array_header_t *proxies, apr_sockaddr_t *peer,
                  const char *peer_ip, const char *header, remoteip_found_t *out);

#endif
