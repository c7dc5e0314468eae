/* mod_ssl's pure parsers (ssl_parse.h). */
#include <strings.h>

#include <apr_strings.h>

#include "ssl_parse.h"

static const struct {
    const char *name;
    int bits;
} protocol_names[] = {
    {"all", SSL_PROTO_ALL},         {"SSLv3", SSL_PROTO_SSLV3},     {"TLSv1", SSL_PROTO_TLSV1},
    {"TLSv1.1", SSL_PROTO_TLSV1_1}, {"TLSv1.2", SSL_PROTO_TLSV1_2}, {"TLSv1.3", SSL_PROTO_TLSV1_3},
};

const char *ssl_parse_protocols(apr_pool_t *p, int argc, const char *const *argv, int *protocols,
                                const char **overrides)
{
    int set = *protocols;

    *overrides = NULL;
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        char action = (*w == '+' || *w == '-') ? *w++ : '\0';
        int bits = -1;

        if (strcasecmp(w, "SSLv2") == 0) {
            if (action == '-') {
                continue;
            }
            return "SSLProtocol: SSLv2 is no longer supported";
        }
        for (size_t n = 0; n < sizeof(protocol_names) / sizeof(protocol_names[0]); n++) {
            if (strcasecmp(w, protocol_names[n].name) == 0) {
                bits = protocol_names[n].bits;
            }
        }
        if (bits < 0) {
            return apr_psprintf(p, "SSLProtocol: Illegal protocol '%s'", w);
        }
        if (bits == SSL_PROTO_SSLV3 && action != '-') {
            return "SSLProtocol: SSLv3 is not supported by this version of OpenSSL";
        }
        if (action == '-') {
            set &= ~bits;
        } else if (action == '+') {
            set |= bits;
        } else {
            if (set != 0) {
                *overrides = argv[i];
            }
            set = bits;
        }
    }
    set &= ~SSL_PROTO_SSLV3;
    if (set == 0) {
        return "SSLProtocol: no protocol is left to accept";
    }
    *protocols = set;
    return NULL;
}

int ssl_parse_cipher_protocol(const char *word)
{
    if (strcasecmp(word, "TLSv1.3") == 0) {
        return 1;
    }
    return strcasecmp(word, "SSL") == 0 ? 0 : -1;
}

int ssl_protocol_lowest(int protocols)
{
    return protocols & -protocols;
}

int ssl_protocol_highest(int protocols)
{
    int bit = 1;

    while (protocols >>= 1) {
        bit <<= 1;
    }
    return bit;
}
