/* mod_cgi: runs CGI/1.1 scripts (RFC 3875) as httpd 2.4's mod_cgi does. A request is a CGI
 * request when its handler is cgi-script: from mod_alias's ScriptAlias, or from mod_mime's
 * `AddHandler cgi-script .ext` or the core's SetHandler where Options ExecCGI is on.
 * The script runs in its own process group with its directory as working directory; the
 * request body goes to its stdin while its stdout is read, so neither side can block the
 * other; its stderr goes to the error log line by line. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <apr_strings.h>

#include "cgi_run.h"
#include "kiva.h"

#define KV_LOG_MODULE "cgi"

extern kv_module_t cgi_module;

static void *create_server_conf(apr_pool_t *p, kv_server_t *s)
{
    cgi_server_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    (void)s;
    conf->log_length = -1;
    conf->log_buffer = -1;
    return conf;
}

/* A virtual host without its own ScriptLog settings uses the main server's. */
static void *merge_server_conf(apr_pool_t *p, void *basev, void *addv)
{
    cgi_server_conf_t *base = basev, *add = addv;
    cgi_server_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    conf->log = KV_MERGE_PTR(add->log, base->log, NULL);
    conf->log_length = add->log_length >= 0 ? add->log_length : base->log_length;
    conf->log_buffer = add->log_buffer >= 0 ? add->log_buffer : base->log_buffer;
    return conf;
}

/* A request for a script: *aliased tells whether ScriptAlias made it one (then ExecCGI is
 * not needed, as in httpd, which mod_alias tells in the "alias-forced-type" note). */
static int is_cgi_request(kv_request_t *r, int *aliased)
{
    const char *forced = apr_table_get(r->notes, "alias-forced-type");

    *aliased = forced && strcmp(forced, CGI_HANDLER) == 0;
    return r->handler && strcmp(r->handler, CGI_HANDLER) == 0;
}

/* Can the script run at all? KV_OK, or the status to refuse it with. */
static int check_runnable(kv_request_t *r, int aliased)
{
    if (!aliased && !(kv_allow_options(r) & KV_OPT_EXECCGI)) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV00780: Options ExecCGI is off in this directory: %s", r->filename);
        return KV_HTTP_FORBIDDEN;
    }
    if (r->finfo.filetype == APR_NOFILE) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV00781: script not found or unable to stat: %s",
                      r->filename ? r->filename : r->uri);
        return KV_HTTP_NOT_FOUND;
    }
    if (r->finfo.filetype != APR_REG) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV00782: attempt to invoke a directory or special file as a script: %s",
                      r->filename);
        return KV_HTTP_FORBIDDEN;
    }
    if (access(r->filename, X_OK) != 0) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, APR_FROM_OS_ERROR(errno), r,
                      "KV00783: file permissions deny server execution: %s", r->filename);
        return KV_HTTP_FORBIDDEN;
    }
    return KV_OK;
}

static int cgi_handler(kv_request_t *r)
{
    int aliased, status;

    if (!r->filename || !is_cgi_request(r, &aliased)) {
        return KV_DECLINED;
    }
    if ((status = check_runnable(r, aliased)) != KV_OK) {
        return status;
    }
    return cgi_run(r, kv_get_module_config(r->server->module_config, &cgi_module));
}

static void register_hooks(apr_pool_t *p)
{
    kv_register_handler_name(p, CGI_HANDLER);
    /* Before mod_alias's refusal of unhandled scripts and the core's file handler. */
    kv_hook_handler(cgi_handler, NULL, NULL, KV_HOOK_MIDDLE);
}

static const kv_command_t cgi_commands[] = {
    {"ScriptLog", kv_set_path_slot, KV_OFFSET(cgi_server_conf_t, log), 1, 1, KV_CTX_SERVER,
     KV_CMD_SERVER_CONF,
     "file-path: where failed CGI requests are logged with the script's stderr"},
    {"ScriptLogLength", kv_set_size_slot, KV_OFFSET(cgi_server_conf_t, log_length), 1, 1,
     KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "bytes: the ScriptLog is not written once it is this large"},
    {"ScriptLogBuffer", kv_set_size_slot, KV_OFFSET(cgi_server_conf_t, log_buffer), 1, 1,
     KV_CTX_SERVER, KV_CMD_SERVER_CONF, "bytes: most of a request body written to the ScriptLog"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t cgi_module = {
    KV_MODULE_HEADER("cgi"),
    .create_server_config = create_server_conf,
    .merge_server_config = merge_server_conf,
    .commands = cgi_commands,
    .register_hooks = register_hooks,
};
