/* mod_ssl's pure parsers: SSLProtocol's words, SSLCipherSuite's protocol. No OpenSSL calls,
 * so that the unit tests link them alone. */
#ifndef SSL_PARSE_H
#define SSL_PARSE_H

#include <apr_pools.h>

/** SSLProtocol's protocols, one bit each. */
enum {
    SSL_PROTO_SSLV3 = 1 << 0,
    SSL_PROTO_TLSV1 = 1 << 1,
    SSL_PROTO_TLSV1_1 = 1 << 2,
    SSL_PROTO_TLSV1_2 = 1 << 3,
    SSL_PROTO_TLSV1_3 = 1 << 4,
    /** "all": every protocol this OpenSSL has (SSLv3 is compiled out of Debian's, and
     * httpd's "all" leaves it out then too). */
    SSL_PROTO_ALL = SSL_PROTO_TLSV1 | SSL_PROTO_TLSV1_1 | SSL_PROTO_TLSV1_2 | SSL_PROTO_TLSV1_3
};

/** Apply SSLProtocol's @a argc words to *@a protocols, as httpd: `+name` adds, `-name`
 * removes, a bare name replaces the set (httpd warns when it overrides: *@a overrides is
 * set to that word, else NULL). Names: all, SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3 (any
 * case); SSLv2 only as -SSLv2. NULL, or why the line is refused (also when no protocol is
 * left). */
const char *ssl_parse_protocols(apr_pool_t *p, int argc, const char *const *argv, int *protocols,
                                const char **overrides);

/** SSLCipherSuite's optional first argument: 1 for "TLSv1.3" (TLS 1.3's suites), 0 for
 * "SSL" (the cipher list of TLS 1.2 and below), -1 for anything else. */
int ssl_parse_cipher_protocol(const char *word);

/** The lowest and highest protocol of a non-empty set, as SSL_PROTO_* bits. */
int ssl_protocol_lowest(int protocols);
int ssl_protocol_highest(int protocols);

#endif
