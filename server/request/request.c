/* A request's phases, in the order they run: read every phase of a request from
 * kv_process_request down. */
#include <string.h>

#include <apr_strings.h>

#include "core.h"
#include "htaccess.h"
#include "if_sections.h"
#include "kv_log.h"
#include "kv_scoreboard.h"
#include "module.h"
#include "request.h"
#include "sections.h"
#include "vhost.h"

#define KV_LOG_MODULE "core"

KV_DECLARE(kv_request_t *) kv_request_new(kv_conn_t *c, const kv_framing_t *framing)
{
    apr_pool_t *p;
    kv_request_t *r;
    kv_filter_t *frame;

    apr_pool_create(&p, c->pool);
    apr_pool_tag(p, "request");
    r = apr_pcalloc(p, sizeof(*r));
    r->pool = p;
    r->connection = c;
    r->useragent_ip = c->client_ip;
    r->useragent_addr = c->client_addr;
    r->server = c->base_server;
    r->request_time = apr_time_now();
    r->method = "GET";
    r->method_number = KV_M_GET;
    r->protocol = "HTTP/1.1";
    r->proto_num = KV_HTTP_VERSION(1, 1);
    r->headers_in = apr_table_make(p, 16);
    r->headers_out = apr_table_make(p, 8);
    r->err_headers_out = apr_table_make(p, 4);
    r->subprocess_env = apr_table_make(p, 8);
    r->notes = apr_table_make(p, 4);
    r->clength = -1;
    r->per_dir_config = c->base_server->lookup_defaults;
    r->request_config = kv_config_vector_make(p);
    r->framing = framing;
    r->output_filters = c->output_filters;
    if (framing) {
        frame = apr_pcalloc(p, sizeof(*frame));
        frame->name = framing->name;
        frame->func = framing->func;
        frame->ctx = framing->ctx;
        frame->type = KV_FTYPE_PROTOCOL;
        frame->r = r;
        frame->c = c;
        frame->next = c->output_filters;
        r->output_filters = frame;
    }
    return r;
}

static int link_owner_matches(kv_request_t *r, const char *path, const apr_finfo_t *link)
{
    apr_finfo_t target;
    apr_status_t rv = apr_stat(&target, path, APR_FINFO_OWNER, r->pool);

    return (rv == APR_SUCCESS || rv == APR_INCOMPLETE) && (target.valid & APR_FINFO_USER) &&
           target.user == link->user;
}

/* Options without FollowSymLinks: no component of the path below the document root (or
 * below / for files elsewhere) may be a symbolic link, unless SymLinksIfOwnerMatch allows
 * it. */
static int check_symlinks(kv_request_t *r)
{
    int opts = kv_allow_options(r);
    const char *root = kv_document_root(r);
    size_t n = strlen(root), start = 1;
    char *path;

    if ((opts & KV_OPT_SYM_LINKS) || !r->filename || r->finfo.filetype == APR_NOFILE) {
        return KV_OK;
    }
    if (strncmp(r->filename, root, n) == 0 && r->filename[n] == '/') {
        start = n + 1;
    }
    path = apr_pstrdup(r->pool, r->filename);
    for (size_t i = start;; i++) {
        if (path[i] == '/' || path[i] == '\0') {
            char saved = path[i];
            apr_finfo_t fi;
            apr_status_t rv;

            path[i] = '\0';
            rv = apr_stat(&fi, path, APR_FINFO_LINK | APR_FINFO_TYPE | APR_FINFO_OWNER, r->pool);
            if ((rv == APR_SUCCESS || rv == APR_INCOMPLETE) && fi.filetype == APR_LNK &&
                !((opts & KV_OPT_SYM_OWNER) && link_owner_matches(r, path, &fi))) {
                kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                              "KV00034: Symbolic link not allowed or link target not "
                              "accessible: %s", path);
                return KV_HTTP_FORBIDDEN;
            }
            path[i] = saved;
            if (saved == '\0') {
                return KV_OK;
            }
        }
    }
}

/* A declared body over the LimitRequestBody of the request's sections: 413 before any
 * handler runs (the connection loop checked only the server-wide limit). */
static int check_body_limit(kv_request_t *r)
{
    apr_off_t limit = kv_limit_req_body(r);

    if (limit > 0 && r->remaining > limit) {
        r->close_connection = 1;
        return KV_HTTP_REQUEST_ENTITY_TOO_LARGE;
    }
    return KV_OK;
}

/* A phase's result: go on (OK or DECLINED), or stop with DONE or an HTTP status. */
static int phase_failed(int rv)
{
    return rv != KV_OK && rv != KV_DECLINED;
}

/* Every phase in order; returns KV_OK, KV_DONE or the HTTP status to answer with. */
static int run_phases(kv_request_t *r)
{
    int rv;

    if (phase_failed(rv = kv_run_post_read_request(r))) {
        return rv;
    }
    kv_location_walk(r);
    kv_if_walk(r);
    if (phase_failed(rv = kv_run_translate_name(r))) {
        return rv;
    }
    if (phase_failed(rv = kv_run_map_to_storage(r))) {
        return rv;
    }
    kv_directory_walk(r);
    kv_if_walk(r);
    if (phase_failed(rv = kv_htaccess_check(r)) || phase_failed(rv = check_symlinks(r)) ||
        phase_failed(rv = check_body_limit(r))) {
        return rv;
    }
    if (phase_failed(rv = kv_run_access_checker(r))) {
        return rv;
    }
    if (phase_failed(rv = kv_run_check_user_id(r))) {
        return rv;
    }
    if (phase_failed(rv = kv_run_auth_checker(r))) {
        return rv;
    }
    if (phase_failed(rv = kv_run_type_checker(r))) {
        return rv;
    }
    if (phase_failed(rv = kv_run_fixups(r))) {
        return rv;
    }
    rv = kv_run_handler(r);
    return rv == KV_DECLINED ? KV_HTTP_NOT_FOUND : rv;
}

KV_DECLARE(void) kv_process_request(kv_request_t *r)
{
    kv_conn_t *c = r->connection;
    int rv;

    if (r->status) {
        /* Its head was refused: answered by the server it came to, no phase runs. */
        kv_send_error_response(r, r->status);
        kv_request_log(r);
        return;
    }
    r->server = kv_vhost_select(c->base_server, c->local_ip, c->local_addr->port, r->hostname);
    r->per_dir_config = r->server->lookup_defaults;
    kv_scoreboard_update(r->connection->sb_slot, KV_SB_WRITE, r);
    rv = run_phases(r);
    if (rv != KV_OK && rv != KV_DONE) {
        kv_send_error_response(r, rv);
    }
    kv_request_log(r);
}

void kv_request_log(kv_request_t *r)
{
    kv_scoreboard_update(r->connection->sb_slot, KV_SB_LOGGING, r);
    kv_run_log_transaction(r);
    kv_scoreboard_count_request(r->connection->sb_slot, r->bytes_sent);
}

static const char *error_text(kv_request_t *r, int status);

/* The built-in error page, with the ServerSignature line if any. */
static const char *error_page(kv_request_t *r, int status, const char *reason)
{
    const char *signature = kv_server_signature(r);

    return apr_psprintf(r->pool,
                        "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n"
                        "<html><head>\n<title>%d %s</title>\n</head><body>\n<h1>%s</h1>\n%s"
                        "%s%s</body></html>\n",
                        status, reason, reason, error_text(r, status), *signature ? "<hr>\n" : "",
                        signature);
}

/* What the error page says after its heading; what it shows of the request is escaped. */
static const char *error_text(kv_request_t *r, int status)
{
    const char *loc = apr_table_get(r->err_headers_out, "Location");
    const char *notes = apr_table_get(r->notes, "error-notes");

    if (status >= 300 && status < 400 && loc) {
        return apr_psprintf(r->pool, "<p>The document has moved <a href=\"%s\">here</a>.</p>\n",
                            kv_escape_html(r->pool, loc));
    }
    switch (status) {
    case KV_HTTP_BAD_REQUEST:
        /* A module's error-notes (HTML) say why, as httpd's (mod_ssl's plain HTTP). */
        return apr_pstrcat(r->pool,
                           "<p>Your browser sent a request that this server could not "
                           "understand.<br />\n",
                           notes ? notes : "", "</p>\n", NULL);
    case KV_HTTP_FORBIDDEN:
        return apr_pstrcat(r->pool, "<p>You don't have permission to access this resource.",
                           notes ? notes : "", "</p>\n", NULL);
    case KV_HTTP_NOT_FOUND:
        return "<p>The requested URL was not found on this server.</p>\n";
    case KV_HTTP_METHOD_NOT_ALLOWED:
        return apr_psprintf(r->pool, "<p>The requested method %s is not allowed for this URL.</p>\n",
                            kv_escape_html(r->pool, r->method));
    case KV_HTTP_MULTIPLE_CHOICES:
        return apr_pstrcat(r->pool, apr_table_get(r->notes, "variant-list"), NULL);
    case KV_HTTP_NOT_ACCEPTABLE:
        /* The note is mod_negotiation's list of variants, already HTML (as in httpd). */
        return apr_pstrcat(r->pool, "<p>An appropriate representation of the requested resource "
                           "could not be found on this server.</p>\n",
                           apr_table_get(r->notes, "variant-list"), NULL);
    case KV_HTTP_MISDIRECTED_REQUEST:
        return "<p>The client needs a new connection for this\n"
               "request as the requested host name does not match\n"
               "the Server Name Indication (SNI) in use for this\n"
               "connection.</p>\n";
    case KV_HTTP_REQUEST_TIME_OUT:
        return "<p>Server timeout waiting for the HTTP request from the client.</p>\n";
    case KV_HTTP_REQUEST_ENTITY_TOO_LARGE:
        return "<p>The requested resource does not allow request data with this method, or the "
               "amount of data provided in the request exceeds the capacity limit.</p>\n";
    case KV_HTTP_REQUEST_URI_TOO_LARGE:
        return "<p>The requested URL's length exceeds the capacity limit for this server.<br />\n</p>\n";
    case KV_HTTP_NOT_IMPLEMENTED:
        return apr_psprintf(r->pool, "<p>%s not supported for current URL.<br />\n</p>\n",
                            kv_escape_html(r->pool, r->method));
    case KV_HTTP_VERSION_NOT_SUPPORTED:
        return "<p>The server does not support the HTTP version of the request.</p>\n";
    case KV_HTTP_INTERNAL_SERVER_ERROR:
        return apr_pstrcat(r->pool,
                           "<p>The server encountered an internal error or\n"
                           "misconfiguration and was unable to complete\n"
                           "your request.</p>\n"
                           "<p>Please contact the server administrator at \n ",
                           kv_escape_html(r->pool, kv_server_admin(r->server)),
                           " to inform them of the time this error occurred,\n"
                           " and the actions you performed just before this error.</p>\n"
                           "<p>More information about this error may be available\n"
                           "in the server error log.</p>\n",
                           NULL);
    default:
        return apr_psprintf(r->pool, "<p>The server could not complete the request for %s.</p>\n",
                            r->uri ? kv_escape_html(r->pool, r->uri) : "");
    }
}

static int is_url(const char *s)
{
    return strstr(s, "://") != NULL && strcspn(s, "/") > 0 && s[strcspn(s, ":")] == ':';
}

/* httpd's LimitInternalRecursion default: a longer chain of internal redirects is a loop
 * (a CGI script or a type map that sends the request back to itself). */
#define MAX_REDIRECT_DEPTH 10

/* Internal redirects under way on this thread: each runs the next one from inside. */
static _Thread_local int redirect_depth;

/* An internal redirect: as a GET (or HEAD), or with @a r's method and body. */
static int redirect(kv_request_t *r, const char *target, int status, int same_method)
{
    kv_request_t *nr;
    const char *q = strchr(target, '?');
    int rv;

    if (redirect_depth >= MAX_REDIRECT_DEPTH) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV01148: more than %d internal redirects (the last to %s): a loop; "
                      "refused", MAX_REDIRECT_DEPTH, target);
        return KV_HTTP_INTERNAL_SERVER_ERROR;
    }
    nr = kv_request_new(r->connection, r->framing);

    nr->server = r->server;
    nr->the_request = r->the_request;
    nr->header_only = r->header_only;
    nr->method = same_method ? r->method : r->header_only ? "HEAD" : "GET";
    nr->method_number = same_method ? r->method_number : r->header_only ? KV_M_HEAD : KV_M_GET;
    nr->body = same_method ? r->body : NULL;
    nr->body_source = same_method ? r->body_source : NULL;
    nr->protocol = r->protocol;
    nr->proto_num = r->proto_num;
    nr->hostname = r->hostname;
    nr->user = r->user;
    nr->useragent_ip = r->useragent_ip;
    nr->useragent_addr = r->useragent_addr;
    nr->headers_in = r->headers_in;
    nr->err_headers_out = apr_table_copy(nr->pool, r->err_headers_out);
    nr->uri = q ? apr_pstrmemdup(nr->pool, target, (apr_size_t)(q - target)) : target;
    nr->args = q ? q + 1 : NULL;
    nr->unparsed_uri = target;
    nr->remaining = r->remaining;
    nr->close_connection = r->close_connection;
    nr->status = status;
    apr_table_setn(nr->subprocess_env, "REDIRECT_STATUS",
                   apr_itoa(nr->pool, status ? status : KV_HTTP_OK));
    apr_table_setn(nr->subprocess_env, "REDIRECT_URL", r->uri ? r->uri : "");
    redirect_depth++;
    rv = run_phases(nr);
    redirect_depth--;
    if (rv != KV_OK && rv != KV_DONE && !status) {
        kv_send_error_response(nr, rv);
    }
    if (same_method) {
        r->remaining = nr->remaining; /* what the new request read of the body is gone */
    }
    if (nr->eos_sent) {
        r->eos_sent = 1;
        r->status = nr->status;
        r->bytes_sent = nr->bytes_sent;
        r->close_connection = nr->close_connection;
        rv = KV_DONE;
    }
    apr_pool_destroy(nr->pool);
    return rv == KV_OK ? KV_DONE : rv;
}

KV_DECLARE(int) kv_internal_redirect(kv_request_t *r, const char *target, int status)
{
    return redirect(r, target, status, 0);
}

KV_DECLARE(int) kv_internal_redirect_same_method(kv_request_t *r, const char *target)
{
    return redirect(r, target, 0, 1);
}

/* The body of the error page: ErrorDocument's text, or the built-in page. A local or
 * remote ErrorDocument is acted on here; NULL means the response has been sent. */
static const char *error_body(kv_request_t *r, int status, const char *reason)
{
    const char *doc = kv_error_document(r, status);

    if (doc && doc[0] == '/' && kv_internal_redirect(r, doc, status) == KV_DONE) {
        return NULL;
    }
    if (doc && is_url(doc) && status != KV_HTTP_UNAUTHORIZED) {
        /* A remote document is a redirect (not for 401: the browser would lose the
         * challenge, as httpd warns). */
        apr_table_setn(r->err_headers_out, "Location", doc);
        r->status = KV_HTTP_MOVED_TEMPORARILY;
        return error_page(r, r->status, kv_status_reason(r->status));
    }
    if (doc && doc[0] != '/' && !is_url(doc)) {
        return doc;
    }
    return error_page(r, status, reason);
}

void kv_send_error_response(kv_request_t *r, int status)
{
    const char *reason = kv_status_reason(status);
    apr_bucket_brigade *bb;
    const char *body;

    if (!reason) {
        status = KV_HTTP_INTERNAL_SERVER_ERROR;
        reason = kv_status_reason(status);
    }
    if (r->eos_sent) {
        /* The response already started: all that can be done is to close. */
        r->close_connection = 1;
        return;
    }
    /* As httpd: an error page skips the resource and content filters (compression); the
     * later ones (expiry and field edits, framing) stay, as httpd's insert_error_filter
     * hooks put them back. The chain is ordered by type, so they are at its front. */
    while (r->output_filters && r->output_filters->type <= KV_FTYPE_CONTENT) {
        r->output_filters = r->output_filters->next;
    }
    r->status = status;
    apr_table_clear(r->headers_out);
    r->content_type = "text/html; charset=iso-8859-1";
    r->clength = -1;
    body = error_body(r, status, reason);
    if (!body) {
        return;
    }
    bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    apr_brigade_write(bb, NULL, NULL, body, strlen(body));
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(bb->bucket_alloc));
    kv_pass_brigade(r->output_filters, bb);
}
