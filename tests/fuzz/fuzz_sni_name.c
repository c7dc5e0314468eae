/*
 * libFuzzer target for the SNI host name of a TLS ClientHello (modules/ssl/ssl_sni_name.c,
 * see README.md): the input is the server_name extension's body as a client sends it. Besides
 * crashes and sanitizer reports, it aborts when an accepted name breaks a promise: 1 to 255
 * bytes without a NUL, a run of the input's bytes that a host_name entry's length announces,
 * and written back as a list of that one entry it parses to itself; a body whose list length
 * is not its own length gives no name.
 */
#include <string.h>

#include "fuzz_common.h"
#include "ssl/ssl_sni_name.h"

static void check_accepted(apr_pool_t *p, const uint8_t *data, size_t size, const char *name)
{
    size_t len = strlen(name);
    unsigned char *again;
    const char *found;

    FUZZ_REQUIRE(len >= 1 && len <= 255);
    FUZZ_REQUIRE(size >= 5 + len);
    found = NULL;
    for (size_t at = 2; at + 3 + len <= size && !found; at++) {
        if (data[at] == 0 && ((size_t)data[at + 1] << 8 | data[at + 2]) == len &&
            memcmp(data + at + 3, name, len) == 0) {
            found = name;
        }
    }
    FUZZ_REQUIRE(found != NULL);
    again = apr_palloc(p, 5 + len);
    again[0] = (unsigned char)((len + 3) >> 8);
    again[1] = (unsigned char)((len + 3) & 0xff);
    again[2] = 0;
    again[3] = (unsigned char)(len >> 8);
    again[4] = (unsigned char)(len & 0xff);
    memcpy(again + 5, name, len);
    found = ssl_sni_name(p, again, 5 + len);
    FUZZ_REQUIRE(found != NULL && strcmp(found, name) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_input_pool();
    const char *name = ssl_sni_name(p, data, size);

    if (size < 2 || ((size_t)data[0] << 8 | data[1]) != size - 2) {
        FUZZ_REQUIRE(name == NULL);
    }
    if (name) {
        check_accepted(p, data, size, name);
    }
    apr_pool_destroy(p);
    return 0;
}
