/* mod_cgi: runs CGI/1.1 scripts (RFC 3875) as httpd 2.4's mod_cgi does. A request is a CGI
 * request when mod_alias's ScriptAlias gave it the cgi-script handler, or when its file has
 * an extension named by `AddHandler cgi-script` and Options ExecCGI is on for its directory.
 * The script runs in its own process group with its directory as working directory; the
 * request body goes to its stdin while its stdout is read, so neither side can block the
 * other; its stderr goes to the error log line by line. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "cgi_run.h"
#include "kiva.h"

#define KV_LOG_MODULE "cgi"

extern kv_module_t cgi_module;

/* Per-directory: the extensions AddHandler cgi-script names, lower-case without the dot. */
typedef struct {
    apr_hash_t *exts;
} cgi_dir_conf_t;

static void *create_dir_conf(apr_pool_t *p, const char *dir)
{
    cgi_dir_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    (void)dir;
    conf->exts = apr_hash_make(p);
    return conf;
}

static void *merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    cgi_dir_conf_t *base = basev, *add = addv;
    cgi_dir_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    conf->exts = apr_hash_overlay(p, add->exts, base->exts);
    return conf;
}

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

static const char *add_handler(kv_cmd_parms_t *cmd, void *dconf, int argc,
                               const char *const *argv)
{
    cgi_dir_conf_t *conf = dconf;

    if (strcasecmp(argv[0], CGI_HANDLER) != 0) {
        return apr_psprintf(cmd->pool,
                            "AddHandler: handler '%s' is unknown: only cgi-script is supported",
                            argv[0]);
    }
    for (int i = 1; i < argc; i++) {
        const char *ext = argv[i][0] == '.' ? argv[i] + 1 : argv[i];
        char *key = apr_pstrdup(cmd->pool, ext);

        if (*key == '\0') {
            return "AddHandler: an extension is empty";
        }
        for (char *c = key; *c; c++) {
            *c = (char)apr_tolower(*c);
        }
        apr_hash_set(conf->exts, key, APR_HASH_KEY_STRING, key);
    }
    return NULL;
}

/* Does any extension of the file's name (foo.cgi, foo.cgi.en) appear in @a exts? */
static int has_cgi_extension(apr_pool_t *p, apr_hash_t *exts, const char *filename)
{
    const char *base = strrchr(filename, '/');
    char *name = apr_pstrdup(p, base ? base + 1 : filename);
    char *last, *ext;

    if (apr_hash_count(exts) == 0 || !strchr(name + 1, '.')) {
        return 0;
    }
    strtok_r(name, ".", &last); /* the part before the first dot is no extension */
    while ((ext = strtok_r(NULL, ".", &last)) != NULL) {
        for (char *c = ext; *c; c++) {
            *c = (char)apr_tolower(*c);
        }
        if (apr_hash_get(exts, ext, APR_HASH_KEY_STRING)) {
            return 1;
        }
    }
    return 0;
}

/* A request for a script: *aliased tells whether ScriptAlias made it one (then ExecCGI is
 * not needed, as in httpd). */
static int is_cgi_request(kv_request_t *r, int *aliased)
{
    const cgi_dir_conf_t *conf = kv_get_module_config(r->per_dir_config, &cgi_module);

    if (r->handler) {
        *aliased = 1;
        return strcmp(r->handler, CGI_HANDLER) == 0;
    }
    *aliased = 0;
    return r->filename && r->finfo.filetype != APR_NOFILE &&
           has_cgi_extension(r->pool, conf->exts, r->filename);
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
    (void)p;
    /* Before mod_alias's refusal of unhandled scripts and the core's file handler. */
    kv_hook_handler(cgi_handler, NULL, NULL, KV_HOOK_MIDDLE);
}

static const kv_command_t cgi_commands[] = {
    {"AddHandler", add_handler, NULL, 2, -1, KV_CTX_ALL, 0,
     "cgi-script extension [extension]...: files with these extensions are CGI scripts "
     "(where Options ExecCGI is on)"},
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
    .create_dir_config = create_dir_conf,
    .merge_dir_config = merge_dir_conf,
    .create_server_config = create_server_conf,
    .merge_server_config = merge_server_conf,
    .commands = cgi_commands,
    .register_hooks = register_hooks,
};
