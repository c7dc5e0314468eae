/* How the server names itself: the banner of the Server field and of CGI's SERVER_SOFTWARE
 * (ServerTokens made it while the config was read: server_tokens.c), and the footer line of
 * generated pages (ServerSignature, ServerAdmin). */
#include <string.h>

#include <apr_strings.h>

#include "core.h"

#ifndef KV_VERSION
#define KV_VERSION "unknown"
#endif

KV_DECLARE(const char *) kv_server_banner(const kv_server_t *s)
{
    const char *banner = kv_core_sconf(s)->banner;

    return banner ? banner : "kiva/" KV_VERSION " (Unix)";
}

KV_DECLARE(const char *) kv_server_admin(const kv_server_t *s)
{
    const char *admin = kv_core_sconf(s)->server_admin;

    return admin ? admin : KV_DEFAULT_ADMIN;
}

KV_DECLARE(const char *) kv_server_signature(kv_request_t *r)
{
    const kv_core_dir_conf_t *d = kv_get_module_config(r->per_dir_config, &core_module);
    const char *name, *port, *admin;

    if (d->server_signature != KV_SIG_ON && d->server_signature != KV_SIG_EMAIL) {
        return "";
    }
    name = kv_escape_html(r->pool, kv_get_server_name(r));
    port = apr_itoa(r->pool, kv_get_server_port(r));
    if (d->server_signature == KV_SIG_ON) {
        return apr_pstrcat(r->pool, "<address>", kv_server_banner(r->server), " Server at ", name,
                           " Port ", port, "</address>\n", NULL);
    }
    admin = kv_server_admin(r->server);
    return apr_pstrcat(
        r->pool, "<address>", kv_server_banner(r->server), " Server at <a href=\"",
        strncasecmp(admin, "mailto:", 7) == 0 ? "" : "mailto:", kv_escape_html(r->pool, admin),
        "\">", name, "</a> Port ", port, "</address>\n", NULL);
}
