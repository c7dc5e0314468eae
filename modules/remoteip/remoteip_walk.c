/* mod_remoteip's pure parts: parsing the proxy lists, and the right-to-left walk of the
 * header through the trusted proxies, as httpd's remoteip_modify_request does it (without
 * name lookups on the request path: a header entry must be a numeric address). */
#include <arpa/inet.h>
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "remoteip_walk.h"

/* Digits and dots (a partial IPv4 address too), or anything with a colon (IPv6), as httpd's
 * looks_like_ip: the rest is a host name. */
static int looks_like_ip(const char *s)
{
    if (strchr(s, ':')) {
        return 1;
    }
    while (*s == '.' || apr_isdigit(*s)) {
        s++;
    }
    return *s == '\0';
}

static remoteip_proxy_t *push_proxy(apr_array_header_t *proxies, int internal)
{
    remoteip_proxy_t *m = apr_array_push(proxies);

    m->net = NULL;
    m->internal = internal;
    return m;
}

const char *remoteip_add_proxy(apr_pool_t *p, apr_array_header_t *proxies, const char *spec,
                               int internal, const char *directive)
{
    char *ip = apr_pstrdup(p, spec);
    char *mask = strchr(ip, '/');
    apr_sockaddr_t *sa;
    apr_status_t rv;
    char buf[120];
    int before = proxies->nelts;

    if (mask) {
        *mask++ = '\0';
    }
    if (looks_like_ip(ip)) {
        rv = apr_ipsubnet_create(&push_proxy(proxies, internal)->net, ip, mask, p);
    } else if (mask) {
        return apr_psprintf(p, "RemoteIP: Error parsing IP %s: the subnet /%s is invalid for %s",
                            spec, mask, directive);
    } else {
        rv = apr_sockaddr_info_get(&sa, ip, APR_UNSPEC, 0, APR_IPV4_ADDR_OK, p);
        for (; rv == APR_SUCCESS && sa; sa = sa->next) {
            char *text;
            apr_sockaddr_ip_get(&text, sa);
            rv = apr_ipsubnet_create(&push_proxy(proxies, internal)->net, text, NULL, p);
        }
    }
    if (rv != APR_SUCCESS) {
        /* Drop what this spec added (nothing when the name did not resolve), no more. */
        proxies->nelts = before;
        return apr_psprintf(p, "RemoteIP: Error parsing IP %s (%s) for %s", spec,
                            apr_strerror(rv, buf, sizeof(buf)), directive);
    }
    return NULL;
}

const char *remoteip_add_proxy_list(apr_pool_t *p, apr_array_header_t *proxies, const char *text,
                                    int internal, const char *directive, const char *file)
{
    char *copy = apr_pstrdup(p, text);
    char *line_state;
    int line = 0;

    for (char *l = copy; l; l = line_state) {
        char *nl = strchr(l, '\n');
        char *word_state;
        line_state = nl ? nl + 1 : NULL;
        if (nl) {
            *nl = '\0';
        }
        line++;
        for (char *w = apr_strtok(l, " \t\r", &word_state); w && *w != '#';
             w = apr_strtok(NULL, " \t\r", &word_state)) {
            const char *err = remoteip_add_proxy(p, proxies, w, internal, directive);
            if (err) {
                return apr_psprintf(p, "%s at line %d of %s", err, line, file);
            }
        }
    }
    return NULL;
}

/* Addresses a client on the Internet cannot have: an external proxy presenting one is
 * lying or misconfigured (httpd's RFC 3330 list, and IPv6 outside global unicast). */
static int is_private(const apr_sockaddr_t *sa)
{
    if (sa->family == APR_INET) {
        const unsigned char *b = (const unsigned char *)&sa->sa.sin.sin_addr;
        return b[0] == 10 || b[0] == 127 || (b[0] == 169 && b[1] == 254) ||
               (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168);
    }
#if APR_HAVE_IPV6
    if (sa->family == APR_INET6) {
        return (sa->sa.sin6.sin6_addr.s6_addr[0] & 0xe0) != 0x20;
    }
#endif
    return 1;
}

/* @a text as an address if it is a numeric IPv4 or IPv6 one (never a name lookup). */
static apr_sockaddr_t *numeric_address(apr_pool_t *p, const char *text)
{
    unsigned char bin[16];
    apr_sockaddr_t *sa;

    if (inet_pton(AF_INET, text, bin) != 1 && inet_pton(AF_INET6, text, bin) != 1) {
        return NULL;
    }
    return apr_sockaddr_info_get(&sa, text, APR_UNSPEC, 0, 0, p) == APR_SUCCESS ? sa : NULL;
}

/* The listed proxy @a addr is, or NULL. */
static const remoteip_proxy_t *proxy_of(const apr_array_header_t *proxies, apr_sockaddr_t *addr)
{
    for (int i = 0; i < proxies->nelts; i++) {
        const remoteip_proxy_t *m = &APR_ARRAY_IDX(proxies, i, remoteip_proxy_t);
        if (apr_ipsubnet_test(m->net, addr)) {
            return m;
        }
    }
    return NULL;
}

/* The entry of @a list that ends at @a end: it starts after the comma before it (or at the
 * start of the list), at *seg; [*from, *to) is its text without blanks. */
static void last_entry(const char *list, const char *end, const char **seg, const char **from,
                       const char **to)
{
    const char *s = end;

    while (s > list && s[-1] != ',') {
        s--;
    }
    *seg = s;
    while (s < end && *s == ' ') {
        s++;
    }
    *from = s;
    while (end > s && end[-1] == ' ') {
        end--;
    }
    *to = end;
}

int remoteip_walk(apr_pool_t *p, const apr_array_header_t *proxies, apr_sockaddr_t *peer,
                  const char *peer_ip, const char *header, remoteip_found_t *out)
{
    int listed = proxies && proxies->nelts > 0;
    /* With no list, every proxy is trusted (not internal); with one, a proxy is internal
     * until an external one has presented the next: that one may not present an internal. */
    int internal = listed;
    const char *end = header + strlen(header);
    int left = 1; /* an entry is left of end */
    apr_sockaddr_t *addr = peer;
    const char *ip = peer_ip;
    const char *passed = NULL;

    while (left) {
        const remoteip_proxy_t *m = listed ? proxy_of(proxies, addr) : NULL;
        const char *seg, *from, *to;
        apr_sockaddr_t *next;

        if (listed && !m) {
            break;
        }
        if (m && internal) {
            internal = m->internal;
        }
        last_entry(header, end, &seg, &from, &to);
        next = numeric_address(p, apr_pstrndup(p, from, (apr_size_t)(to - from)));
        if (!next || (!internal && is_private(next))) {
            break;
        }
        if (!internal) {
            passed = passed ? apr_pstrcat(p, passed, ", ", ip, NULL) : ip;
        }
        addr = next;
        apr_sockaddr_ip_get((char **)&ip, addr);
        left = seg > header;
        end = left ? seg - 1 : header;
    }
    if (addr == peer) {
        return 0;
    }
    out->ip = ip;
    out->addr = addr;
    out->addr->port = 0;
    out->remaining = left ? apr_pstrndup(p, header, (apr_size_t)(end - header)) : NULL;
    out->proxy_ips = passed;
    return 1;
}
