/* Absolute URLs of this server, as the client addressed it (httpd's UseCanonicalName Off). */
#include <string.h>

#include <apr_strings.h>

#include "kv_http.h"

KV_DECLARE(const char *) kv_server_name_for_url(const kv_request_t *r)
{
    const char *host = r->hostname ? r->hostname : r->server->server_hostname;

    return strchr(host, ':') ? apr_pstrcat(r->pool, "[", host, "]", NULL) : host;
}

KV_DECLARE(const char *) kv_construct_url(apr_pool_t *p, const char *path, const kv_request_t *r)
{
    apr_port_t port = r->connection->local_addr->port;

    return apr_psprintf(p, "http://%s%s%s", kv_server_name_for_url(r),
                        port == 80 ? "" : apr_psprintf(p, ":%u", port), path);
}
