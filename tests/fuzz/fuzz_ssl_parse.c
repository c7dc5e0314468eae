/*
 * libFuzzer target for mod_ssl's pure parsers (modules/ssl/ssl_parse.c, see README.md):
 * SSLProtocol's words and SSLCipherSuite's protocol argument. Input: the words of an
 * SSLProtocol line separated by blanks; the first word is also SSLCipherSuite's protocol.
 */
#include <string.h>
#include <strings.h>

#include <apr_strings.h>

#include "fuzz_common.h"
#include "ssl/ssl_parse.h"

#define MAX_WORDS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_input_pool();
    const char *words[MAX_WORDS], *overrides = "unset", *err;
    char *text = apr_pstrmemdup(p, (const char *)data, size), *last = NULL;
    int argc = 0, before = SSL_PROTO_TLSV1_2, protocols = before, cp;

    for (char *w = apr_strtok(text, " \t\n", &last); w && argc < MAX_WORDS;
         w = apr_strtok(NULL, " \t\n", &last)) {
        words[argc++] = w;
    }
    if (argc == 0) {
        apr_pool_destroy(p);
        return 0;
    }
    err = ssl_parse_protocols(p, argc, words, &protocols, &overrides);
    if (err) {
        FUZZ_REQUIRE(*err != '\0' && protocols == before); /* untouched */
    } else {
        /* Some protocol is left, none unknown, SSLv3 never (OpenSSL 3 has none). */
        FUZZ_REQUIRE(protocols != 0 && (protocols & ~SSL_PROTO_ALL) == 0);
        FUZZ_REQUIRE(ssl_protocol_lowest(protocols) & protocols);
        FUZZ_REQUIRE(ssl_protocol_highest(protocols) & protocols);
        FUZZ_REQUIRE(ssl_protocol_lowest(protocols) <= ssl_protocol_highest(protocols));
        FUZZ_REQUIRE(overrides == NULL || (overrides[0] != '+' && overrides[0] != '-'));
    }
    cp = ssl_parse_cipher_protocol(words[0]);
    FUZZ_REQUIRE(cp == (strcasecmp(words[0], "TLSv1.3") == 0 ? 1
                        : strcasecmp(words[0], "SSL") == 0   ? 0
                                                             : -1));
    apr_pool_destroy(p);
    return 0;
}
