/* The Host field and an absolute-form authority: `host [":" port]` as httpd's strict check
 * takes it, with the empty labels and out-of-range IPv4 numbers it lets through refused. */
#include <arpa/inet.h>
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "http_host.h"

/* The longest IPv6 address in text: eight groups of four and seven colons, or six groups
 * and an IPv4 address ("ffff:...:ffff:255.255.255.255"). */
#define IPV6_TEXT_MAX 45

static int is_name_char(char c)
{
    return apr_isalnum(c) || c == '-' || c == '_' || c == '.';
}

/* port = *DIGIT (RFC 3986) up to 65535: its value, -1 if empty (no port), or -2. */
static int parse_port(const char *s)
{
    long v = 0;

    if (*s == '\0') {
        return -1;
    }
    for (; apr_isdigit(*s); s++) {
        v = v * 10 + (*s - '0');
        if (v > 65535) {
            return -2;
        }
    }
    return *s == '\0' ? (int)v : -2;
}

/* dec-octet "." dec-octet "." dec-octet "." dec-octet, no leading zeros (RFC 3986 7.4). */
static int is_ipv4(const char *s, apr_size_t len)
{
    const char *end = s + len;

    for (int part = 0; part < 4; part++) {
        int v = 0, digits = 0;
        for (; s < end && apr_isdigit(*s) && digits < 4; s++, digits++) {
            v = v * 10 + (*s - '0');
        }
        if (digits == 0 || v > 255 || (digits > 1 && s[-digits] == '0')) {
            return 0;
        }
        if (part < 3 && (s == end || *s++ != '.')) {
            return 0;
        }
    }
    return s == end;
}

/* A name of @a len bytes (its trailing dot already dropped). NULL, or what is wrong. */
static const char *check_name(const char *s, apr_size_t len)
{
    apr_size_t last = 0; /* where the last label starts */
    int numeric = 1;

    if (len == 0) {
        return "empty host name";
    }
    for (apr_size_t i = 0; i < len; i++) {
        if (!is_name_char(s[i])) {
            return "character not allowed in a host name";
        }
        if (s[i] == '.') {
            if (i == 0 || s[i - 1] == '.' || i + 1 == len) {
                return "empty label in host name";
            }
            last = i + 1;
        } else if (!apr_isdigit(s[i])) {
            numeric = 0;
        }
    }
    if (numeric) {
        return is_ipv4(s, len) ? NULL : "numeric host name that is not an IPv4 address";
    }
    if (last > 0 && !apr_isalpha(s[last])) {
        return "top-level label does not start with a letter";
    }
    return NULL;
}

/* The IPv6 address between brackets, @a len bytes. */
static int is_ipv6(const char *s, apr_size_t len)
{
    char text[IPV6_TEXT_MAX + 1];
    struct in6_addr addr;

    if (len == 0 || len > IPV6_TEXT_MAX) {
        return 0;
    }
    memcpy(text, s, len);
    text[len] = '\0';
    return inet_pton(AF_INET6, text, &addr) == 1;
}

static char *lower_copy(apr_pool_t *p, const char *s, apr_size_t len)
{
    char *copy = apr_pstrmemdup(p, s, len);

    for (char *c = copy; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    return copy;
}

int kv_parse_host(apr_pool_t *p, const char *value, kv_host_t *out, const char **why)
{
    const char *name = value, *after;
    apr_size_t len;
    int ipv6 = value[0] == '[';

    if (value[0] == '\0') {
        out->name = "";
        out->port = -1;
        out->ipv6 = 0;
        return 0;
    }
    if (ipv6) {
        const char *close = strchr(value, ']');
        name = value + 1;
        len = close ? (apr_size_t)(close - name) : 0;
        if (!close || !is_ipv6(name, len)) {
            *why = "invalid IPv6 address in brackets";
            return -1;
        }
        after = close + 1;
        if (*after != '\0' && *after != ':') {
            *why = "text after an IPv6 address";
            return -1;
        }
    } else {
        after = value + strcspn(value, ":");
        len = (apr_size_t)(after - value);
        /* One trailing dot is the root of the DNS, as in "example.com."; httpd drops it. */
        if (len > 1 && value[len - 1] == '.') {
            len--;
        }
        if ((*why = check_name(value, len)) != NULL) {
            return -1;
        }
    }
    out->port = *after == ':' ? parse_port(after + 1) : -1;
    if (out->port < -1) {
        *why = "port not a number up to 65535";
        return -1;
    }
    out->name = lower_copy(p, name, len);
    out->ipv6 = ipv6;
    return 0;
}

const char *kv_host_authority(apr_pool_t *p, const kv_host_t *host)
{
    return apr_psprintf(p, "%s%s%s%s", host->ipv6 ? "[" : "", host->name, host->ipv6 ? "]" : "",
                        host->port >= 0 ? apr_psprintf(p, ":%d", host->port) : "");
}
