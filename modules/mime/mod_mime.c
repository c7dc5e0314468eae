/* mod_mime: the Content-Type of a file from its extensions, read from TypesConfig
 * (mime.types format) and AddType. As httpd, every extension of a name counts
 * ("a.html.gz" looks at "html" and "gz") and the last one with a type wins. */
#include <string.h>

#include <apr_file_io.h>
#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "kiva.h"
#include "mime_filters.h"

#define KV_LOG_MODULE "mime"
#define DEFAULT_TYPES_CONFIG "conf/mime.types"
#define FALLBACK_TYPE "application/octet-stream"

extern kv_module_t mime_module;

typedef struct {
    const char *types_config; /* TypesConfig, absolute */
    apr_hash_t *types;        /* lower-case extension -> type, from TypesConfig */
} mime_server_conf_t;

typedef struct {
    apr_hash_t *add_types; /* AddType: lower-case extension -> type */
    mime_filters_t *filters; /* AddOutputFilter, RemoveOutputFilter */
} mime_dir_conf_t;

static void *create_server_conf(apr_pool_t *p, kv_server_t *s)
{
    (void)s;
    return apr_pcalloc(p, sizeof(mime_server_conf_t));
}

static void *create_dir_conf(apr_pool_t *p, const char *dir)
{
    mime_dir_conf_t *d = apr_pcalloc(p, sizeof(*d));

    (void)dir;
    d->add_types = apr_hash_make(p);
    d->filters = mime_filters_create(p);
    return d;
}

static void *merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    mime_dir_conf_t *base = basev, *add = addv;
    mime_dir_conf_t *d = apr_pcalloc(p, sizeof(*d));

    d->add_types = apr_hash_overlay(p, add->add_types, base->add_types);
    d->filters = mime_filters_merge(p, base->filters, add->filters);
    return d;
}

static char *lower(apr_pool_t *p, const char *s)
{
    char *out = apr_pstrdup(p, s);

    for (char *c = out; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    return out;
}

static const char *add_type(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    mime_dir_conf_t *d = conf;

    if (!strchr(argv[0], '/')) {
        return apr_psprintf(cmd->pool, "AddType: '%s' is not a media type (type/subtype)",
                            argv[0]);
    }
    for (int i = 1; i < argc; i++) {
        const char *ext = argv[i][0] == '.' ? argv[i] + 1 : argv[i];
        apr_hash_set(d->add_types, lower(cmd->pool, ext), APR_HASH_KEY_STRING,
                     apr_pstrdup(cmd->pool, argv[0]));
    }
    return NULL;
}

/* Parse one line of mime.types: "type ext ext ..." ; '#' starts a comment. */
static void parse_types_line(apr_pool_t *p, apr_hash_t *types, char *line)
{
    char *last;
    char *hash = strchr(line, '#');
    const char *type;

    if (hash) {
        *hash = '\0';
    }
    type = apr_strtok(line, " \t\r\n", &last);
    if (!type) {
        return;
    }
    type = apr_pstrdup(p, type);
    for (char *ext; (ext = apr_strtok(NULL, " \t\r\n", &last)) != NULL;) {
        apr_hash_set(types, lower(p, ext), APR_HASH_KEY_STRING, type);
    }
}

static int read_types(apr_pool_t *p, mime_server_conf_t *conf, kv_server_t *s)
{
    apr_file_t *f;
    char line[4096];
    apr_status_t rv = apr_file_open(&f, conf->types_config, APR_FOPEN_READ, 0, p);

    if (rv != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, rv, s,
                     "KV00050: could not open mime types config file %s", conf->types_config);
        return KV_HTTP_INTERNAL_SERVER_ERROR;
    }
    conf->types = apr_hash_make(p);
    while (apr_file_gets(line, sizeof(line), f) == APR_SUCCESS) {
        parse_types_line(p, conf->types, line);
    }
    apr_file_close(f);
    return KV_OK;
}

static int mime_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                            kv_server_t *s)
{
    mime_server_conf_t *conf = kv_get_module_config(s->module_config, &mime_module);

    (void)plog;
    (void)ptemp;
    if (!conf->types_config) {
        conf->types_config = kv_server_root_relative(pconf, DEFAULT_TYPES_CONFIG);
    }
    return read_types(pconf, conf, s);
}

static const char *type_of_extension(kv_request_t *r, const char *ext)
{
    const mime_dir_conf_t *d = kv_get_module_config(r->per_dir_config, &mime_module);
    const mime_server_conf_t *conf = kv_get_module_config(r->server->module_config, &mime_module);
    char *key = lower(r->pool, ext);
    const char *type = apr_hash_get(d->add_types, key, APR_HASH_KEY_STRING);

    if (!type && conf->types) {
        type = apr_hash_get(conf->types, key, APR_HASH_KEY_STRING);
    }
    return type;
}

static int mime_type_checker(kv_request_t *r)
{
    const char *base, *type = NULL;
    char *exts, *last;

    if (!r->filename || r->finfo.filetype == APR_DIR) {
        return KV_DECLINED;
    }
    base = strrchr(r->filename, '/');
    base = base ? base + 1 : r->filename;
    exts = strchr(base, '.');
    if (exts) {
        exts = apr_pstrdup(r->pool, exts + 1);
        for (char *ext = apr_strtok(exts, ".", &last); ext; ext = apr_strtok(NULL, ".", &last)) {
            const char *t = type_of_extension(r, ext);
            if (t) {
                type = t;
            }
        }
    }
    r->content_type = type ? type : FALLBACK_TYPE;
    return KV_OK;
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
    kv_hook_fixups(mime_insert_filters, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_post_config(mime_post_config, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_type_checker(mime_type_checker, NULL, NULL, KV_HOOK_MIDDLE);
}

static const kv_command_t mime_commands[] = {
    {"TypesConfig", kv_set_path_slot, KV_OFFSET(mime_server_conf_t, types_config), 1, 1,
     KV_CTX_MAIN, KV_CMD_SERVER_CONF | KV_CMD_ONCE, "file: the mime.types file to read"},
    {"AddType", add_type, NULL, 2, -1, KV_CTX_ALL, 0,
     "type extension [extension] ...: map file extensions to a media type"},
    MIME_FILTERS_COMMANDS(mime_dir_conf_t, filters),
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t mime_module = {
    KV_MODULE_HEADER("mime"),
    .create_dir_config = create_dir_conf,
    .merge_dir_config = merge_dir_conf,
    .create_server_config = create_server_conf,
    .commands = mime_commands,
    .register_hooks = register_hooks,
};
