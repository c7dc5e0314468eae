/* A request's head as HTTP means it, whichever protocol carried it: the request-target split,
 * decoded and normalised, the Host rules, and the refusal of a head that breaks them. */
#include <string.h>

#include <apr_strings.h>

#include "http_host.h"
#include "http_request.h"
#include "kv_log.h"
#include "protocol.h"
#include "util_path.h"

#define KV_LOG_MODULE "core"

void kv_request_refuse(kv_request_t *r, int status, const char *why)
{
    kv_log_rerror(KV_LOG_MARK, KV_LOG_INFO, 0, r, "KV00030: %s", why);
    r->close_connection = 1;
    r->status = status;
}

/* The host the request is for. RFC 9112 section 3.2: HTTP/1.1 needs a Host field, and it
 * must be valid even when the authority of an absolute-form target takes its place (and
 * becomes the Host field, as in httpd). As httpd, an empty Host will not do for HTTP/1.1;
 * HTTP/1.0 may go without a host. */
static void set_hostname(kv_request_t *r, const char *authority)
{
    const char *field = apr_table_get(r->headers_in, "Host");
    int http11 = r->proto_num >= KV_HTTP_VERSION(1, 1);
    kv_host_t host = {.name = "", .port = -1};
    const char *why;

    if (!field && http11) {
        kv_request_refuse(r, KV_HTTP_BAD_REQUEST, "HTTP/1.1 request without Host");
        return;
    }
    if (field && kv_parse_host(r->pool, field, &host, &why) != 0) {
        kv_request_refuse(r, KV_HTTP_BAD_REQUEST,
                          apr_psprintf(r->pool, "invalid Host field '%s': %s", field, why));
        return;
    }
    if (authority) {
        /* kv_split_target() has refused an authority that does not parse. */
        kv_parse_host(r->pool, authority, &host, &why);
        apr_table_setn(r->headers_in, "Host", kv_host_authority(r->pool, &host));
    }
    if (host.name[0] != '\0') {
        r->hostname = host.name;
    } else if (http11) {
        kv_request_refuse(r, KV_HTTP_BAD_REQUEST, "HTTP/1.1 request with an empty Host field");
    }
}

/* The target split into path, query and authority, the path decoded and normalised. */
static void set_target(kv_request_t *r, const char *target)
{
    const char *path, *args, *host;
    char *uri;
    int status;

    r->unparsed_uri = target;
    status = kv_split_target(r->pool, target, &path, &args, &host);
    if (status != 0) {
        kv_request_refuse(r, status, "invalid request target");
        return;
    }
    r->args = args;
    uri = apr_pstrdup(r->pool, path);
    if (strcmp(uri, "*") != 0 &&
        ((status = kv_unescape_path(uri)) != 0 || (status = kv_normalize_path(uri)) != 0)) {
        kv_request_refuse(r, status, apr_psprintf(r->pool, "invalid URI path '%s'", path));
        return;
    }
    r->uri = uri;
    set_hostname(r, host);
}

KV_DECLARE(int) kv_request_set_head(kv_request_t *r, const kv_parsed_head_t *head,
                                    const kv_body_source_t *body)
{
    r->the_request = head->request_line
                         ? head->request_line
                         : apr_pstrcat(r->pool, head->method, " ", head->target, " ",
                                       head->protocol, NULL);
    r->method = head->method;
    r->method_number = head->method_number;
    r->protocol = head->protocol;
    r->proto_num = head->proto_num;
    r->header_only = r->method_number == KV_M_HEAD;
    r->headers_in = head->headers;
    r->body_source = body;
    if (body) {
        apr_off_t length = body->length(r, body->ctx);
        r->remaining = length > 0 ? length : 0;
    }
    set_target(r, head->target);
    return r->status;
}

/* Is the link at @a path allowed by SymLinksIfOwnerMatch: same owner as its target? */
