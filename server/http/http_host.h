/**
 * @file http_host.h
 * @brief The Host field and the authority of an absolute-form target (RFC 9112 section 3.2,
 * RFC 3986 section 3.2.2), checked as httpd's strict host check does (internal).
 */
#ifndef KV_HTTP_HOST_H
#define KV_HTTP_HOST_H

#include <apr_pools.h>

/** A valid `host [":" port]`. */
typedef struct {
    const char *name; /**< lower-case, without a trailing dot; an IPv6 address without its
                           brackets (as httpd's r->hostname); "" for an empty value */
    int port;         /**< 0 to 65535, or -1 if none was given (no ':', or nothing after it) */
    int ipv6;         /**< @a name is an IPv6 address (it was written in brackets) */
} kv_host_t;

/**
 * Check and split a Host field value or an absolute-form authority. Valid:
 * - a name: letters, digits, '-', '_' in dot-separated non-empty labels (one trailing dot
 *   is dropped), whose last label starts with a letter when there is more than one (RFC
 *   1123 section 2.1); a name of digits and dots only must be an IPv4 address;
 * - an IPv4 address: four decimal numbers up to 255 without leading zeros;
 * - an IPv6 address in brackets, without a zone (RFC 3986's IP-literal, not IPvFuture);
 * - the empty value (RFC 9112 allows it; whether it will do is the caller's business);
 * each but the empty value optionally followed by ':' and a port of digits up to 65535.
 * @param why on error: what is wrong, for the error log
 * @return 0 with @a out filled (strings in @a p), or -1.
 */
int kv_parse_host(apr_pool_t *p, const char *value, kv_host_t *out, const char **why);

/** @a host written back as `host [":" port]`: the name (an IPv6 address in brackets) and the
 * port if it has one. Parsing it again gives the same kv_host_t. */
const char *kv_host_authority(apr_pool_t *p, const kv_host_t *host);

#endif
