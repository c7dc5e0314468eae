/* mod_dir: a directory requested without its trailing slash is redirected to the slash
 * form; one requested with it is served by the first DirectoryIndex file that exists. */
#include <string.h>

#include <apr_escape.h>
#include <apr_strings.h>

#include "kiva.h"

#define KV_LOG_MODULE "dir"

extern kv_module_t dir_module;

typedef struct {
    apr_array_header_t *index_names; /* DirectoryIndex; NULL = unset, empty = disabled */
    int slash;                       /* DirectorySlash; KV_UNSET_INT = On */
} dir_conf_t;

static void *create_dir_conf(apr_pool_t *p, const char *dir)
{
    dir_conf_t *d = apr_pcalloc(p, sizeof(*d));

    (void)dir;
    d->slash = KV_UNSET_INT;
    return d;
}

static void *merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    dir_conf_t *base = basev, *add = addv;
    dir_conf_t *d = apr_pcalloc(p, sizeof(*d));

    d->index_names = add->index_names ? add->index_names : base->index_names;
    d->slash = KV_MERGE_INT(add->slash, base->slash, KV_UNSET_INT);
    return d;
}

static const char *set_index(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    dir_conf_t *d = conf;

    d->index_names = apr_array_make(cmd->pool, argc, sizeof(const char *));
    if (argc == 1 && strcasecmp(argv[0], "disabled") == 0) {
        return NULL;
    }
    for (int i = 0; i < argc; i++) {
        if (strcasecmp(argv[i], "disabled") == 0) {
            return "DirectoryIndex: 'disabled' must be the only argument";
        }
        APR_ARRAY_PUSH(d->index_names, const char *) = apr_pstrdup(cmd->pool, argv[i]);
    }
    return NULL;
}

/* The directory's URL with its slash, the query kept. */
static const char *slash_url(kv_request_t *r)
{
    const char *path = apr_pstrcat(r->pool, apr_pescape_path(r->pool, r->uri, 1), "/",
                                   r->args ? "?" : "", r->args ? r->args : "", NULL);

    return kv_construct_url(r->pool, path, r);
}

/* An index name that is no file may still be negotiated (Options MultiViews: "index.html"
 * served by "index.html.en"): KV_DONE when it was answered, a status to answer with, or
 * KV_DECLINED, r unchanged, to try the next name. */
static int negotiate_index(kv_request_t *r, const char *file, const char *name, int only)
{
    kv_request_t saved = *r;
    int rv;

    if (!(kv_allow_options(r) & KV_OPT_MULTIVIEWS)) {
        return KV_DECLINED;
    }
    r->filename = file;
    r->finfo.filetype = APR_NOFILE;
    r->uri = apr_pstrcat(r->pool, r->uri, name, NULL);
    if ((rv = kv_run_type_checker(r)) == KV_DONE) {
        return KV_DONE;
    }
    *r = saved;
    /* As httpd: the list for a client that chooses (300) is the answer; so is "nothing
     * acceptable" when the index has a single name. */
    return rv == KV_HTTP_MULTIPLE_CHOICES || (only && rv == KV_HTTP_NOT_ACCEPTABLE) ? rv
                                                                                   : KV_DECLINED;
}

static int serve_index(kv_request_t *r, const dir_conf_t *d)
{
    const apr_array_header_t *names = d->index_names;
    static const char *const default_names[] = {"index.html"};
    int n = names ? names->nelts : 1;

    for (int i = 0; i < n; i++) {
        const char *name = names ? APR_ARRAY_IDX(names, i, const char *) : default_names[0];
        const char *file = apr_pstrcat(r->pool, r->filename,
                                       r->filename[strlen(r->filename) - 1] == '/' ? "" : "/",
                                       name, NULL);
        apr_finfo_t fi;
        apr_status_t rv = apr_stat(&fi, file, APR_FINFO_MIN, r->pool);
        int negotiated;

        if ((rv == APR_SUCCESS || rv == APR_INCOMPLETE) && fi.filetype == APR_REG) {
            r->filename = file;
            r->finfo = fi;
            r->uri = apr_pstrcat(r->pool, r->uri, name, NULL);
            kv_run_type_checker(r);
            return KV_OK;
        }
        if ((negotiated = negotiate_index(r, file, name, n == 1)) != KV_DECLINED) {
            return negotiated;
        }
    }
    /* A listing (mod_autoindex) may answer; without Indexes the default handler refuses. */
    if (!(kv_allow_options(r) & KV_OPT_INDEXES)) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV00060: Cannot serve directory %s: No matching DirectoryIndex (%s) "
                      "found, and server-generated directory index forbidden by Options "
                      "directive",
                      r->filename,
                      names ? (names->nelts ? apr_array_pstrcat(r->pool, names, ',') : "disabled")
                            : "index.html");
    }
    return KV_DECLINED;
}

static int dir_fixups(kv_request_t *r)
{
    const dir_conf_t *d = kv_get_module_config(r->per_dir_config, &dir_module);

    if (r->finfo.filetype != APR_DIR || !r->uri) {
        return KV_DECLINED;
    }
    /* Every method is redirected (httpd), unless the client is known to mishandle a
     * redirect of anything but GET (BrowserMatch ... redirect-carefully). */
    if (r->uri[strlen(r->uri) - 1] != '/') {
        /* DirectorySlash Off: neither redirected nor given its index (as httpd). */
        if (d->slash == 0) {
            return KV_DECLINED;
        }
        if (r->method_number != KV_M_GET &&
            apr_table_get(r->subprocess_env, "redirect-carefully")) {
            return KV_DECLINED;
        }
        apr_table_setn(r->err_headers_out, "Location", slash_url(r));
        return KV_HTTP_MOVED_PERMANENTLY;
    }
    /* POST as GET: the index is a file, which the default handler serves to POST. */
    if (r->method_number != KV_M_GET && r->method_number != KV_M_HEAD &&
        r->method_number != KV_M_POST) {
        return KV_DECLINED;
    }
    return serve_index(r, d);
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    kv_hook_fixups(dir_fixups, NULL, NULL, KV_HOOK_LAST);
}

static const kv_command_t dir_commands[] = {
    {"DirectoryIndex", set_index, NULL, 1, -1, KV_CTX_ALL, 0,
     "file [file] ... | disabled: files to serve for a directory request"},
    {"DirectorySlash", kv_set_flag_slot, KV_OFFSET(dir_conf_t, slash), 1, 1, KV_CTX_ALL, 0,
     "On|Off: redirect a directory requested without its trailing slash to the slash form"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t dir_module = {
    KV_MODULE_HEADER("dir"),
    .create_dir_config = create_dir_conf,
    .merge_dir_config = merge_dir_conf,
    .commands = dir_commands,
    .register_hooks = register_hooks,
};
