/* The host name in a TLS ClientHello's server_name extension: a pure parser, its own file
 * so that the unit test and the fuzz target link it without the module. */
#ifndef SSL_SNI_NAME_H
#define SSL_SNI_NAME_H

#include <stddef.h>

#include <apr_pools.h>

/** The host_name of the server_name extension's body @a ext (@a len bytes: the
 * ServerNameList of RFC 6066 section 3), copied into @a p; NULL if the body is malformed or
 * holds no host name, or the name is empty, longer than 255 bytes or holds a NUL. */
const char *ssl_sni_name(apr_pool_t *p, const unsigned char *ext, size_t len);

#endif
