/* SSLSessionCache memcache's argument: httpd's `host[:port][,host[:port]]...`. */
#ifndef MEMCACHE_ARG_H
#define MEMCACHE_ARG_H

#include <apr_network_io.h>
#include <apr_tables.h>

/** memcached's port when a server names none. */
#define MEMCACHE_DEFAULT_PORT 11211

typedef struct {
    const char *host;
    apr_port_t port;
} memcache_server_t;

/** The servers of @a arg, in order, as memcache_server_t in *@a servers (in @a p). NULL or
 * the reason the argument is refused. */
const char *memcache_parse_servers(apr_pool_t *p, const char *arg, apr_array_header_t **servers);

#endif
