/* Builds a CGI script's environment from its request. */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "cgi_env.h"

/* Fields a script must not see: credentials stay with the server (as httpd), and Proxy
 * would become HTTP_PROXY, which HTTP clients take for their proxy (httpoxy). */
static int is_withheld_field(const char *field)
{
    return strcasecmp(field, "Authorization") == 0 ||
           strcasecmp(field, "Proxy-Authorization") == 0 || strcasecmp(field, "Proxy") == 0;
}

const char *cgi_env_header_name(apr_pool_t *p, const char *field)
{
    char *name, *out;

    if (is_withheld_field(field) || *field == '\0') {
        return NULL;
    }
    if (strcasecmp(field, "Content-Type") == 0) {
        return "CONTENT_TYPE";
    }
    if (strcasecmp(field, "Content-Length") == 0) {
        return "CONTENT_LENGTH";
    }
    name = apr_palloc(p, strlen(field) + 6);
    memcpy(name, "HTTP_", 5);
    out = name + 5;
    for (const char *s = field; *s; s++) {
        if (!apr_isalnum(*s) && *s != '-') {
            return NULL;
        }
        *out++ = *s == '-' ? '_' : (char)apr_toupper(*s);
    }
    *out = '\0';
    return name;
}

static int add_header_var(void *envv, const char *key, const char *value)
{
    apr_table_t *env = envv;
    const char *name = cgi_env_header_name(apr_table_elts(env)->pool, key);

    if (name) {
        apr_table_set(env, name, value);
    }
    return 1;
}

/* The authentication scheme of the Authorization field when a user was authenticated. */
static const char *auth_type(const kv_request_t *r)
{
    const char *auth = apr_table_get(r->headers_in, "Authorization");

    if (!r->user || !auth) {
        return NULL;
    }
    return apr_pstrmemdup(r->pool, auth, strcspn(auth, " \t"));
}

static void set_if(apr_table_t *env, const char *name, const char *value)
{
    if (value) {
        apr_table_set(env, name, value);
    }
}

/* The URL-path of the script itself: the URI without its path info. */
static const char *script_name(const kv_request_t *r)
{
    size_t ulen = strlen(r->uri), plen = r->path_info ? strlen(r->path_info) : 0;

    if (plen > 0 && plen <= ulen && strcmp(r->uri + ulen - plen, r->path_info) == 0) {
        return apr_pstrmemdup(r->pool, r->uri, ulen - plen);
    }
    return r->uri;
}

static void add_server_vars(apr_table_t *env, const kv_request_t *r, const char *docroot)
{
    const kv_conn_t *c = r->connection;
    const char *remote_host;

    apr_table_setn(env, "GATEWAY_INTERFACE", "CGI/1.1");
    apr_table_setn(env, "SERVER_SOFTWARE", kv_server_banner(r->server));
    apr_table_set(env, "SERVER_NAME", kv_server_name_for_url(r));
    apr_table_set(env, "SERVER_ADDR", c->local_ip);
    apr_table_set(env, "SERVER_PORT", apr_itoa(r->pool, kv_get_server_port(r)));
    apr_table_set(env, "SERVER_PROTOCOL", r->protocol);
    apr_table_set(env, "REMOTE_ADDR", r->useragent_ip);
    /* As httpd: only a name, when HostnameLookups (or Require host) found one. */
    remote_host = kv_get_remote_host(r, KV_REMOTE_HOST, NULL);
    if (remote_host) {
        apr_table_set(env, "REMOTE_HOST", remote_host);
    }
    apr_table_set(env, "REMOTE_PORT", apr_itoa(r->pool, r->useragent_addr->port));
    apr_table_setn(env, "REQUEST_SCHEME", kv_http_scheme(r));
    apr_table_set(env, "DOCUMENT_ROOT", docroot);
    if (!apr_table_get(env, "CONTEXT_PREFIX")) {
        apr_table_setn(env, "CONTEXT_PREFIX", "");
        apr_table_set(env, "CONTEXT_DOCUMENT_ROOT", docroot);
    }
    if (!apr_table_get(env, "PATH")) {
        apr_table_setn(env, "PATH", CGI_DEFAULT_PATH);
    }
}

static void add_request_vars(apr_table_t *env, const kv_request_t *r, const char *docroot)
{
    apr_table_set(env, "REQUEST_METHOD", r->method);
    apr_table_set(env, "REQUEST_URI", r->unparsed_uri);
    apr_table_set(env, "QUERY_STRING", r->args ? r->args : "");
    apr_table_set(env, "SCRIPT_NAME", script_name(r));
    apr_table_set(env, "SCRIPT_FILENAME", r->filename);
    if (r->path_info && *r->path_info) {
        apr_table_set(env, "PATH_INFO", r->path_info);
        apr_table_set(env, "PATH_TRANSLATED", apr_pstrcat(r->pool, docroot, r->path_info, NULL));
    }
    set_if(env, "REMOTE_USER", r->user);
    set_if(env, "AUTH_TYPE", auth_type(r));
}

apr_table_t *cgi_env_table(const kv_request_t *r, const char *docroot)
{
    apr_table_t *env = apr_table_copy(r->pool, r->subprocess_env);

    apr_table_do(add_header_var, env, r->headers_in, NULL);
    add_server_vars(env, r, docroot);
    add_request_vars(env, r, docroot);
    return env;
}

const char *const *cgi_env_array(apr_pool_t *p, const apr_table_t *env)
{
    const apr_array_header_t *arr = apr_table_elts(env);
    const char **out = apr_palloc(p, sizeof(*out) * (size_t)(arr->nelts + 1));

    for (int i = 0; i < arr->nelts; i++) {
        const apr_table_entry_t *e = &APR_ARRAY_IDX(arr, i, apr_table_entry_t);
        out[i] = apr_pstrcat(p, e->key, "=", e->val, NULL);
    }
    out[arr->nelts] = NULL;
    return out;
}
