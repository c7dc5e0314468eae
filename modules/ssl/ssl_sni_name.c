/* The SNI host name (ssl_sni_name.h). */
#include <string.h>

#include <apr_strings.h>

#include "ssl_sni_name.h"

#define NAME_TYPE_HOST 0 /* RFC 6066's NameType host_name, the only one defined */
#define NAME_MAX_LEN 255 /* a DNS name's longest */

static size_t u16(const unsigned char *b)
{
    return (size_t)b[0] << 8 | b[1];
}

const char *ssl_sni_name(apr_pool_t *p, const unsigned char *ext, size_t len)
{
    size_t at = 2;

    if (len < 2 || u16(ext) != len - 2) {
        return NULL;
    }
    while (len - at >= 3) {
        unsigned type = ext[at];
        size_t n = u16(ext + at + 1);

        at += 3;
        if (n > len - at) {
            return NULL;
        }
        if (type == NAME_TYPE_HOST) {
            if (n == 0 || n > NAME_MAX_LEN || memchr(ext + at, '\0', n)) {
                return NULL;
            }
            return apr_pstrmemdup(p, (const char *)ext + at, n);
        }
        at += n;
    }
    return NULL;
}
