/* mod_mime: a file's metadata from its extensions, as httpd's mod_mime. The types come from
 * TypesConfig (mime.types format, read once for every server: httpd keeps one table) and
 * AddType; AddCharset, AddEncoding, AddLanguage and AddHandler say the rest. Every extension
 * of a name counts ("a.html.gz" looks at "html" and "gz"); the last one that says something
 * wins. A file no extension types gets no Content-Type, as in httpd 2.4. */
#include <string.h>

#include <apr_file_io.h>
#include <apr_hash.h>
#include <apr_strings.h>

#include "kiva.h"
#include "kv_mime.h"
#include "mime_ext.h"
#include "mime_filters.h"

#define KV_LOG_MODULE "mime"
#define DEFAULT_TYPES_CONFIG "conf/mime.types"

extern kv_module_t mime_module;

typedef struct {
    const char *types_config; /* TypesConfig, absolute; only the main server's is read */
} mime_server_conf_t;

typedef struct {
    apr_hash_t *exts;             /* lower-case extension -> mime_ext_info_t */
    apr_array_header_t *removals; /* mime_removal_t, applied when merged over a parent */
    const char *default_language; /* DefaultLanguage */
    int multimatch;               /* MultiviewsMatch bits, 0 unset */
    int use_path_info;            /* ModMimeUsePathInfo, KV_UNSET_INT unset */
    mime_filters_t *filters;      /* AddOutputFilter, RemoveOutputFilter */
} mime_dir_conf_t;

/* TypesConfig's table (lower-case extension -> type): one per generation, in pconf. */
static apr_hash_t *types;

static void *create_server_conf(apr_pool_t *p, kv_server_t *s)
{
    (void)s;
    return apr_pcalloc(p, sizeof(mime_server_conf_t));
}

static void *create_dir_conf(apr_pool_t *p, const char *dir)
{
    mime_dir_conf_t *d = apr_pcalloc(p, sizeof(*d));

    (void)dir;
    d->exts = apr_hash_make(p);
    d->removals = apr_array_make(p, 1, sizeof(mime_removal_t));
    d->use_path_info = KV_UNSET_INT;
    d->filters = mime_filters_create(p);
    return d;
}

static void *merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    const mime_dir_conf_t *base = basev, *add = addv;
    mime_dir_conf_t *d = apr_pcalloc(p, sizeof(*d));

    d->exts = mime_ext_merge(p, base->exts, add->exts, add->removals);
    /* Applied now, so the result removes nothing more. No directive adds to a config once
     * merging begins, so an empty list can be shared instead of made for every request. */
    d->removals = add->removals->nelts == 0 ? add->removals
                                            : apr_array_make(p, 1, sizeof(mime_removal_t));
    d->default_language = KV_MERGE_PTR(add->default_language, base->default_language, NULL);
    d->multimatch = add->multimatch ? add->multimatch : base->multimatch;
    d->use_path_info = KV_MERGE_INT(add->use_path_info, base->use_path_info, KV_UNSET_INT);
    d->filters = mime_filters_merge(p, base->filters, add->filters);
    return d;
}

/* AddType, AddCharset, AddEncoding, AddLanguage, AddHandler: "value ext [ext] ...". */
static const char *add_ext_info(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    mime_dir_conf_t *d = conf;
    size_t field = (size_t)cmd->info;

    if (field == offsetof(mime_ext_info_t, type) && !strchr(argv[0], '/')) {
        return apr_psprintf(cmd->pool, "AddType: '%s' is not a media type (type/subtype)", argv[0]);
    }
    if (field == offsetof(mime_ext_info_t, handler)) {
        kv_note_handler_use(cmd, argv[0]);
    }
    for (int i = 1; i < argc; i++) {
        if (!mime_ext_set(cmd->pool, d->exts, argv[i], field, argv[0])) {
            return apr_psprintf(cmd->pool, "%s: an extension is empty", cmd->cmd->name);
        }
    }
    return NULL;
}

/* RemoveType hides the type of TypesConfig too, so it is an empty AddType (as in httpd). */
static const char *remove_type(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    mime_dir_conf_t *d = conf;

    for (int i = 0; i < argc; i++) {
        mime_ext_info_t *info =
            mime_ext_set(cmd->pool, d->exts, argv[i], offsetof(mime_ext_info_t, type), "");
        if (!info) {
            return "RemoveType: an extension is empty";
        }
    }
    return NULL;
}

/* RemoveCharset, RemoveEncoding, RemoveLanguage, RemoveHandler: undo what the enclosing
 * sections said of these extensions. */
static const char *remove_ext_info(kv_cmd_parms_t *cmd, void *conf, int argc,
                                   const char *const *argv)
{
    mime_dir_conf_t *d = conf;

    for (int i = 0; i < argc; i++) {
        mime_removal_t *rm = apr_array_push(d->removals);

        rm->ext = mime_ext_key(cmd->pool, argv[i]);
        rm->field = (size_t)cmd->info;
    }
    return NULL;
}

static const char *set_multimatch(kv_cmd_parms_t *cmd, void *conf, int argc,
                                  const char *const *argv)
{
    mime_dir_conf_t *d = conf;
    int bits = 0;

    for (int i = 0; i < argc; i++) {
        const char *err = mime_multimatch_add(cmd->pool, argv[i], &bits);
        if (err) {
            return err;
        }
    }
    d->multimatch = bits;
    return NULL;
}

static const char *set_default_language(kv_cmd_parms_t *cmd, void *conf, int argc,
                                        const char *const *argv)
{
    (void)argc;
    ((mime_dir_conf_t *)conf)->default_language = apr_pstrdup(cmd->pool, argv[0]);
    return NULL;
}

static apr_status_t forget_types(void *table)
{
    if (types == table) {
        types = NULL;
    }
    return APR_SUCCESS;
}

static int read_types(apr_pool_t *p, const char *path, kv_server_t *s)
{
    apr_file_t *f;
    char line[4096];
    apr_status_t rv = apr_file_open(&f, path, APR_FOPEN_READ, 0, p);

    if (rv != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, rv, s,
                     "KV00050: could not open mime types config file %s", path);
        return KV_HTTP_INTERNAL_SERVER_ERROR;
    }
    types = apr_hash_make(p);
    apr_pool_cleanup_register(p, types, forget_types, apr_pool_cleanup_null);
    while (apr_file_gets(line, sizeof(line), f) == APR_SUCCESS) {
        mime_parse_types_line(p, types, line);
    }
    apr_file_close(f);
    return KV_OK;
}

/* The main server's TypesConfig serves every virtual host, as in httpd. */
static int mime_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, kv_server_t *s)
{
    const mime_server_conf_t *conf = kv_get_module_config(s->module_config, &mime_module);

    (void)plog;
    (void)ptemp;
    return read_types(pconf,
                      conf->types_config ? conf->types_config
                                         : kv_server_root_relative(pconf, DEFAULT_TYPES_CONFIG),
                      s);
}

/* The metadata of the file, put where the response carries it. */
static void apply_meta(kv_request_t *r, const mime_dir_conf_t *d, const mime_meta_t *m)
{
    if (m->type) {
        r->content_type =
            m->charset ? mime_type_with_charset(r->pool, m->type, m->charset) : m->type;
    }
    if (m->encoding) {
        apr_table_setn(r->headers_out, "Content-Encoding", m->encoding);
    }
    if (m->languages->nelts > 0) {
        /* As httpd writes them: "en,de". */
        apr_table_setn(r->headers_out, "Content-Language",
                       apr_array_pstrcat(r->pool, m->languages, ','));
    } else if (d->default_language) {
        apr_table_setn(r->headers_out, "Content-Language", d->default_language);
    }
    if (m->handler) {
        r->handler = m->handler;
    }
}

/* kv_mime_file_meta, for mod_negotiation: the metadata of another file of r's directory. */
static void kv_mime_file_meta(kv_request_t *r, const char *path, kv_mime_meta_t *meta)
{
    const mime_dir_conf_t *d = kv_get_module_config(r->per_dir_config, &mime_module);

    mime_find(r->pool, path, d->exts, types, d->multimatch, meta);
    if (meta->languages->nelts == 0 && d->default_language) {
        APR_ARRAY_PUSH(meta->languages, const char *) = d->default_language;
    }
}

static int mime_type_checker(kv_request_t *r)
{
    const mime_dir_conf_t *d = kv_get_module_config(r->per_dir_config, &mime_module);
    const char *name = r->filename;
    mime_meta_t meta;

    if (!r->filename || r->finfo.filetype == APR_DIR) {
        return KV_DECLINED;
    }
    if (d->use_path_info == 1 && r->path_info) {
        name = apr_pstrcat(r->pool, r->filename, r->path_info, NULL);
    }
    mime_find(r->pool, name, d->exts, types, d->multimatch, &meta);
    apply_meta(r, d, &meta);
    return r->content_type ? KV_OK : KV_DECLINED;
}

static int mime_insert_filters(kv_request_t *r)
{
    const mime_dir_conf_t *d = kv_get_module_config(r->per_dir_config, &mime_module);

    mime_filters_insert(r, d->filters);
    return KV_DECLINED;
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    APR_REGISTER_OPTIONAL_FN(kv_mime_file_meta);
    kv_hook_fixups(mime_insert_filters, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_post_config(mime_post_config, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_type_checker(mime_type_checker, NULL, NULL, KV_HOOK_MIDDLE);
}

#define EXT_FIELD(f) ((const void *)offsetof(mime_ext_info_t, f))

static const kv_command_t mime_commands[] = {
    {"TypesConfig", kv_set_path_slot, KV_OFFSET(mime_server_conf_t, types_config), 1, 1,
     KV_CTX_MAIN, KV_CMD_SERVER_CONF, "file: the mime.types file to read (the last one wins)"},
    {"AddType", add_ext_info, EXT_FIELD(type), 2, -1, KV_CTX_ALL, 0,
     "type extension [extension] ...: map file extensions to a media type"},
    {"AddCharset", add_ext_info, EXT_FIELD(charset), 2, -1, KV_CTX_ALL, 0,
     "charset extension [extension] ...: the charset parameter of these files' Content-Type"},
    {"AddEncoding", add_ext_info, EXT_FIELD(encoding), 2, -1, KV_CTX_ALL, 0,
     "encoding extension [extension] ...: the Content-Encoding of these files (gzip, ...)"},
    {"AddLanguage", add_ext_info, EXT_FIELD(language), 2, -1, KV_CTX_ALL, 0,
     "language-tag extension [extension] ...: the Content-Language of these files"},
    {"AddHandler", add_ext_info, EXT_FIELD(handler), 2, -1, KV_CTX_ALL, 0,
     "handler-name extension [extension] ...: the handler of files with these extensions"},
    {"RemoveType", remove_type, EXT_FIELD(type), 1, -1, KV_CTX_ALL, 0,
     "extension [extension] ...: these extensions give no type (TypesConfig's included)"},
    {"RemoveCharset", remove_ext_info, EXT_FIELD(charset), 1, -1, KV_CTX_ALL, 0,
     "extension [extension] ...: forget the enclosing sections' AddCharset for these"},
    {"RemoveEncoding", remove_ext_info, EXT_FIELD(encoding), 1, -1, KV_CTX_ALL, 0,
     "extension [extension] ...: forget the enclosing sections' AddEncoding for these"},
    {"RemoveLanguage", remove_ext_info, EXT_FIELD(language), 1, -1, KV_CTX_ALL, 0,
     "extension [extension] ...: forget the enclosing sections' AddLanguage for these"},
    {"RemoveHandler", remove_ext_info, EXT_FIELD(handler), 1, -1, KV_CTX_ALL, 0,
     "extension [extension] ...: forget the enclosing sections' AddHandler for these"},
    {"DefaultLanguage", set_default_language, NULL, 1, 1, KV_CTX_ALL, 0,
     "language-tag: the Content-Language of files no extension gives one"},
    {"ModMimeUsePathInfo", kv_set_flag_slot, KV_OFFSET(mime_dir_conf_t, use_path_info), 1, 1,
     KV_CTX_DIR, 0, "On|Off: look at the path info's extensions too (Off)"},
    {"MultiviewsMatch", set_multimatch, NULL, 1, -1, KV_CTX_ALL, 0,
     "NegotiatedOnly|Handlers|Filters|Any ...: which extensions MultiViews may match"},
    MIME_FILTERS_COMMANDS(mime_dir_conf_t, filters),
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t mime_module = {
    KV_MODULE_HEADER("mime"),           .create_dir_config = create_dir_conf,
    .merge_dir_config = merge_dir_conf, .create_server_config = create_server_conf,
    .commands = mime_commands,          .register_hooks = register_hooks,
};
