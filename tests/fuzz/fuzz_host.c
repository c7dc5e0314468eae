/*
 * libFuzzer target for the Host field and authority check (server/http/http_host.c, see
 * README.md). Besides crashes and sanitizer reports, it aborts when an accepted host breaks a
 * promise: its name is lower-case and of the allowed bytes, its port in range, written back
 * it parses to itself, and an absolute-form target with it as authority is accepted.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "fuzz_common.h"
#include "http_host.h"
#include "protocol.h"

/* A name: [a-z0-9_-] in non-empty labels separated by single dots. An IPv6 address:
 * lower-case hex digits, colons and the dots of a trailing IPv4 part. */
static void check_name(const kv_host_t *h)
{
    const char *s = h->name;
    size_t len = strlen(s);

    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        FUZZ_REQUIRE(!apr_isupper(c));
        if (h->ipv6) {
            FUZZ_REQUIRE(apr_isxdigit(c) || c == ':' || c == '.');
        } else {
            FUZZ_REQUIRE(apr_isdigit(c) || apr_islower(c) || c == '-' || c == '_' || c == '.');
        }
    }
    if (!h->ipv6 && len > 0) {
        FUZZ_REQUIRE(s[0] != '.' && s[len - 1] != '.' && strstr(s, "..") == NULL);
    }
}

static void check_accepted(apr_pool_t *p, const char *value, const kv_host_t *h)
{
    kv_host_t again;
    const char *why, *authority, *path, *args, *host;

    check_name(h);
    FUZZ_REQUIRE(h->port >= -1 && h->port <= 65535);
    FUZZ_REQUIRE((h->name[0] == '\0') == (value[0] == '\0'));
    FUZZ_REQUIRE(h->name[0] == '\0' ? h->port == -1 && !h->ipv6 : 1);
    authority = kv_host_authority(p, h);
    FUZZ_REQUIRE(kv_parse_host(p, authority, &again, &why) == 0);
    FUZZ_REQUIRE(strcmp(again.name, h->name) == 0 && again.port == h->port &&
                 again.ipv6 == h->ipv6);
    FUZZ_REQUIRE(strcmp(kv_host_authority(p, &again), authority) == 0);
    if (h->name[0] != '\0') {
        FUZZ_REQUIRE(kv_split_target(p, apr_pstrcat(p, "http://", value, "/x", NULL), &path, &args,
                                     &host) == 0);
        FUZZ_REQUIRE(strcmp(host, value) == 0 && strcmp(path, "/x") == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_input_pool();
    kv_host_t h;
    const char *why = NULL;
    const char *value;

    /* A field value holds no NUL (the head parser refuses it): the bytes up to the first. */
    value = apr_pstrmemdup(p, (const char *)data, size);
    if (kv_parse_host(p, value, &h, &why) == 0) {
        check_accepted(p, value, &h);
    } else {
        FUZZ_REQUIRE(why != NULL && why[0] != '\0');
    }
    apr_pool_destroy(p);
    return 0;
}
