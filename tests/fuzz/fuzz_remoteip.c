/*
 * libFuzzer target for mod_remoteip's parsers (modules/remoteip/remoteip_walk.c, see
 * README.md). The input is `HEADER\0LIST`: HEADER an X-Forwarded-For value (client bytes),
 * walked from the peer 192.0.2.7 with a fixed proxy list, with no list (every proxy
 * trusted) and with the list LIST gives; LIST the text of a RemoteIPTrustedProxyList file,
 * its first word also a RemoteIPTrustedProxy argument. Linked with fuzz_no_dns.c: names in
 * LIST never reach DNS. Besides crashes it aborts when a result breaks a promise: a failed
 * spec adds no proxy and a good one adds at least one; a new client is a numeric address with
 * port 0, the part of the header left is a prefix of it, and a walk without a list never
 * ends at an address no trusted proxy may present.
 */
#include <arpa/inet.h>
#include <string.h>

#include <apr_strings.h>

#include "fuzz_common.h"
#include "remoteip/remoteip_walk.h"

static const char *const fixed[] = {"192.0.2.0/24", "198.51.100.0/255.255.255.0", "2001:db8::/32"};
static const char *const internal[] = {"10", "127.0.0.1", "fd00::/8"};

static void check_proxies(const apr_array_header_t *proxies)
{
    FUZZ_REQUIRE(proxies->nelts >= 0);
    for (int i = 0; i < proxies->nelts; i++) {
        FUZZ_REQUIRE(APR_ARRAY_IDX(proxies, i, remoteip_proxy_t).net != NULL);
    }
}

/* One spec: an error adds nothing, success at least one network. */
static void add_one(apr_pool_t *p, apr_array_header_t *proxies, const char *spec, int in)
{
    int before = proxies->nelts;
    const char *err = remoteip_add_proxy(p, proxies, spec, in, "RemoteIPTrustedProxy");

    FUZZ_REQUIRE(err ? proxies->nelts == before : proxies->nelts > before);
    check_proxies(proxies);
}

/* The private ranges of httpd's list (as remoteip_walk.h names them), for IPv4 and IPv6. */
static int is_private(const char *ip)
{
    unsigned char b[16];

    if (inet_pton(AF_INET, ip, b) == 1) {
        return b[0] == 10 || b[0] == 127 || (b[0] == 169 && b[1] == 254) ||
               (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168);
    }
    return inet_pton(AF_INET6, ip, b) != 1 || (b[0] & 0xe0) != 0x20;
}

/* Walk @a header from the peer; 1 if the client changed, with the promises checked. */
static int walk(apr_pool_t *p, const apr_array_header_t *proxies, const char *header)
{
    apr_sockaddr_t *peer;
    remoteip_found_t found;
    unsigned char bin[16];
    int changed;

    FUZZ_REQUIRE(apr_sockaddr_info_get(&peer, "192.0.2.7", APR_INET, 52000, 0, p) == APR_SUCCESS);
    memset(&found, 0, sizeof(found));
    changed = remoteip_walk(p, proxies, peer, "192.0.2.7", header, &found);
    FUZZ_REQUIRE(changed == 0 || changed == 1);
    if (changed) {
        FUZZ_REQUIRE(found.ip != NULL && found.addr != NULL && found.addr->port == 0);
        FUZZ_REQUIRE(inet_pton(AF_INET, found.ip, bin) == 1 ||
                     inet_pton(AF_INET6, found.ip, bin) == 1);
        FUZZ_REQUIRE(found.remaining == NULL ||
                     strncmp(header, found.remaining, strlen(found.remaining)) == 0);
        FUZZ_REQUIRE(found.remaining == NULL || strlen(found.remaining) < strlen(header));
        if (proxies == NULL) {
            FUZZ_REQUIRE(!is_private(found.ip));
        }
    }
    return changed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_input_pool();
    apr_array_header_t *proxies = apr_array_make(p, 4, sizeof(remoteip_proxy_t));
    apr_array_header_t *listed = apr_array_make(p, 4, sizeof(remoteip_proxy_t));
    const char *header, *list, *err;
    char *word, *last;

    fuzz_split(p, data, size, &header, &list);
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        add_one(p, proxies, fixed[i], 0);
    }
    for (size_t i = 0; i < sizeof(internal) / sizeof(internal[0]); i++) {
        add_one(p, proxies, internal[i], 1);
    }
    walk(p, proxies, header);
    walk(p, NULL, header);

    word = apr_strtok(apr_pstrdup(p, list), " \t\r\n", &last);
    if (word) {
        add_one(p, listed, word, 0);
    }
    err = remoteip_add_proxy_list(p, listed, list, 1, "RemoteIPInternalProxyList", "list.txt");
    FUZZ_REQUIRE(err == NULL || strstr(err, " of list.txt") != NULL);
    check_proxies(listed);
    walk(p, listed, header);
    apr_pool_destroy(p);
    return 0;
}
