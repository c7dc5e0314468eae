/* SSLSessionCache memcache's argument (memcache_arg.h). */
#include <string.h>

#include <apr_strings.h>

#include "memcache_arg.h"

const char *memcache_parse_servers(apr_pool_t *p, const char *arg, apr_array_header_t **servers)
{
    char *list, *last, *one;

    if (!arg || !*arg) {
        return "List of server names required";
    }
    *servers = apr_array_make(p, 2, sizeof(memcache_server_t));
    list = apr_pstrdup(p, arg);
    for (one = apr_strtok(list, ",", &last); one; one = apr_strtok(NULL, ",", &last)) {
        memcache_server_t *server = apr_array_push(*servers);
        char *host, *scope;
        apr_port_t port;

        /* APR takes "host:junk" for a host name; only a bracketed IPv6 address has a colon. */
        if (apr_parse_addr_port(&host, &scope, &port, one, p) != APR_SUCCESS || !host || scope ||
            (strchr(host, ':') && *one != '[')) {
            return apr_psprintf(p, "Failed to parse server name: '%s'", one);
        }
        server->host = host;
        server->port = port ? port : MEMCACHE_DEFAULT_PORT;
    }
    if ((*servers)->nelts == 0) {
        return "List of server names required";
    }
    return NULL;
}
