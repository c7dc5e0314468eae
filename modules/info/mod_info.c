/* mod_info: httpd's server-info handler. `SetHandler server-info` on a location shows the
 * server's settings, the loaded modules with their directives, and the configuration as it
 * was read, each line with its file and line number; `?config`, `?server`, `?list` and
 * `?mod_NAME.c` show one part, as httpd's do. AddModuleInfo adds a text to a module's part.
 * Everything shown is HTML-escaped. Like server-status, the page tells much about the
 * server: restrict it (Debian's info.conf says `Require local`). */
#include <apr_strings.h>
#include <apr_version.h>
#include <apu_version.h>

#include "info_page.h"
#include "kiva.h"

extern kv_module_t info_module;

/* The AddModuleInfo texts by module file name ("mod_mime.c"). */
typedef struct {
    apr_array_header_t *more; /* info_more_t */
} info_conf_t;

typedef struct {
    const char *module;
    const char *text;
} info_more_t;

static void *create_server_conf(apr_pool_t *p, kv_server_t *s)
{
    info_conf_t *conf = apr_palloc(p, sizeof(*conf));

    (void)s;
    conf->more = apr_array_make(p, 2, sizeof(info_more_t));
    return conf;
}

/* As httpd: a virtual host's texts, then the main server's. */
static void *merge_server_conf(apr_pool_t *p, void *basev, void *addv)
{
    const info_conf_t *base = basev, *add = addv;
    info_conf_t *conf = apr_palloc(p, sizeof(*conf));

    conf->more = apr_array_append(p, add->more, base->more);
    return conf;
}

static const char *add_module_info(kv_cmd_parms_t *cmd, void *mconfig, int argc,
                                   const char *const *argv)
{
    info_conf_t *conf = mconfig;
    info_more_t *m = apr_array_push(conf->more);

    (void)argc;
    m->module = apr_pstrdup(cmd->pool, argv[0]);
    m->text = apr_pstrdup(cmd->pool, argv[1]);
    return NULL;
}

/* ---- The page ---- */

static void puts_bb(apr_bucket_brigade *bb, const char *s)
{
    apr_brigade_puts(bb, NULL, NULL, s);
}

static const apr_array_header_t *more_info_for(kv_request_t *r, const kv_module_t *m)
{
    const info_conf_t *conf = kv_get_module_config(r->server->module_config, &info_module);
    const char *file = info_module_file(r->pool, m);
    apr_array_header_t *texts = apr_array_make(r->pool, 1, sizeof(const char *));

    for (int i = 0; i < conf->more->nelts; i++) {
        const info_more_t *more = &APR_ARRAY_IDX(conf->more, i, info_more_t);

        if (kv_find_module(more->module) == m || strcasecmp(more->module, file) == 0) {
            APR_ARRAY_PUSH(texts, const char *) = more->text;
        }
    }
    return texts;
}

static void module_list(kv_request_t *r, apr_bucket_brigade *bb, int links)
{
    int n;
    kv_module_t *const *mods = kv_loaded_modules(&n);

    for (int i = 0; i < n; i++) {
        const char *file = kv_escape_html(r->pool, info_module_file(r->pool, mods[i]));

        puts_bb(bb, links ? apr_psprintf(r->pool, "<a href=\"#%s\">%s</a>, ", file, file)
                          : apr_psprintf(r->pool, "<dd>%s</dd>", file));
    }
}

static const char *mpm_name(void)
{
    const char *name = kv_run_mpm_get_name();

    return name ? name : "none";
}

static void server_settings(kv_request_t *r, apr_bucket_brigade *bb)
{
    const kv_server_t *s = r->server;
    const apr_array_header_t *files = kv_config_files_read();
    apr_pool_t *p = r->pool;

    puts_bb(bb, "<h2><a name=\"server\">Server Settings</a></h2><dl>");
    puts_bb(bb, apr_psprintf(p,
                             "<dt><strong>Server Version:</strong> <font size=\"+1\"><tt>kiva/%s"
                             "</tt></font></dt>\n"
                             "<dt><strong>Server loaded APR Version:</strong> <tt>%s</tt></dt>\n"
                             "<dt><strong>Compiled with APR Version:</strong> <tt>%s</tt></dt>\n"
                             "<dt><strong>Server loaded APU Version:</strong> <tt>%s</tt></dt>\n"
                             "<dt><strong>Compiled with APU Version:</strong> <tt>%s</tt></dt>\n"
                             "<dt><strong>Module ABI Version:</strong> <tt>%d</tt></dt>\n",
                             KV_VERSION, apr_version_string(), APR_VERSION_STRING,
                             apu_version_string(), APU_VERSION_STRING, KV_MODULE_ABI));
    puts_bb(bb, apr_psprintf(p, "<dt><strong>Hostname/port:</strong> <tt>%s:%u</tt></dt>\n",
                             kv_escape_html(p, kv_server_name_for_url(r)),
                             (unsigned)r->connection->local_addr->port));
    puts_bb(bb,
            apr_psprintf(p,
                         "<dt><strong>Timeouts:</strong> <tt>connection: %d &nbsp;&nbsp; "
                         "keep-alive: %d</tt></dt>\n",
                         (int)apr_time_sec(s->timeout), (int)apr_time_sec(s->keep_alive_timeout)));
    puts_bb(bb, apr_psprintf(p,
                             "<dt><strong>MPM Name:</strong> <tt>%s</tt></dt>\n"
                             "<dt><strong>MPM Information:</strong> <tt>Max Daemons: %d "
                             "Threaded: %s Forked: %s</tt></dt>\n",
                             kv_escape_html(p, mpm_name()), kv_mpm_query(KV_MPMQ_MAX_DAEMONS),
                             kv_mpm_query(KV_MPMQ_IS_THREADED) ? "yes" : "no",
                             kv_mpm_query(KV_MPMQ_IS_FORKED) ? "yes" : "no"));
    puts_bb(bb, apr_psprintf(p,
                             "<dt><strong>Server Architecture:</strong> <tt>%d-bit</tt></dt>\n"
                             "<dt><strong>Server Root:</strong> <tt>%s</tt></dt>\n",
                             (int)(8 * sizeof(void *)), kv_escape_html(p, kv_server_root)));
    if (files && files->nelts > 0) {
        puts_bb(bb, apr_psprintf(p, "<dt><strong>Config File:</strong> <tt>%s</tt></dt>\n",
                                 kv_escape_html(p, APR_ARRAY_IDX(files, 0, const char *))));
    }
    puts_bb(bb, "</dl><hr />");
}

static void whole_config(kv_request_t *r, apr_bucket_brigade *bb)
{
    puts_bb(bb, "<dl><dt><strong>Configuration:</strong>\n");
    puts_bb(bb, info_config_html(r->pool, kv_config_tree(), NULL));
    puts_bb(bb, "</dl><hr />");
}

static void every_module(kv_request_t *r, apr_bucket_brigade *bb)
{
    int n;
    kv_module_t *const *mods = kv_loaded_modules(&n);

    for (int i = 0; i < n; i++) {
        puts_bb(bb,
                info_module_html(r->pool, mods[i], kv_config_tree(), more_info_for(r, mods[i])));
    }
}

/* The page for r->args, as httpd's: nothing but the frame for a query it does not know. */
static void page_body(kv_request_t *r, apr_bucket_brigade *bb)
{
    const char *q = r->args;
    kv_module_t *m;

    if (!q || !*q) {
        puts_bb(bb, "<dl><dt><tt>Subpages:<br /><a href=\"?config\">Configuration Files</a>, "
                    "<a href=\"?server\">Server Settings</a>, <a href=\"?list\">Module List</a>"
                    "</tt></dt></dl><hr /><h2><a name=\"modules\">Loaded Modules</a></h2>"
                    "<dl><dt><tt>");
        module_list(r, bb, 1);
        puts_bb(bb, "</tt></dt></dl><hr />");
        server_settings(r, bb);
        every_module(r, bb);
    } else if (strcmp(q, "config") == 0) {
        whole_config(r, bb);
    } else if (strcmp(q, "server") == 0) {
        server_settings(r, bb);
    } else if (strcmp(q, "list") == 0) {
        puts_bb(bb, "<dl><dt>Server Module List</dt>");
        module_list(r, bb, 0);
        puts_bb(bb, "</dl><hr />");
    } else if ((m = kv_find_module(q)) != NULL) {
        puts_bb(bb, info_module_html(r->pool, m, kv_config_tree(), more_info_for(r, m)));
    }
}

static int info_handler(kv_request_t *r)
{
    apr_bucket_brigade *bb;
    int status;

    if (!r->handler || strcmp(r->handler, "server-info") != 0) {
        return KV_DECLINED;
    }
    if (r->method_number != KV_M_GET && r->method_number != KV_M_HEAD) {
        apr_table_setn(r->headers_out, "Allow", "GET, HEAD");
        return KV_HTTP_METHOD_NOT_ALLOWED;
    }
    if ((status = kv_discard_body(r)) != KV_OK) {
        return status;
    }
    r->content_type = "text/html; charset=ISO-8859-1";
    bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    puts_bb(bb, "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n"
                "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
                "<html xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n"
                "  <title>Server Information</title>\n</head>\n"
                "<body><h1 style=\"text-align: center\">kiva Server Information</h1>\n");
    page_body(r, bb);
    puts_bb(bb, "</body></html>\n");
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(bb->bucket_alloc));
    kv_pass_brigade(r->output_filters, bb);
    return KV_DONE;
}

static void register_hooks(apr_pool_t *p)
{
    kv_register_handler_name(p, "server-info");
    kv_hook_handler(info_handler, NULL, NULL, KV_HOOK_MIDDLE);
}

static const kv_command_t info_commands[] = {
    {"AddModuleInfo", add_module_info, NULL, 2, 2, KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "module-name text: more information on the module, shown by server-info"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t info_module = {
    KV_MODULE_HEADER("info"),
    .create_server_config = create_server_conf,
    .merge_server_config = merge_server_conf,
    .commands = info_commands,
    .register_hooks = register_hooks,
};
