/* mod_mime's AddOutputFilter and RemoveOutputFilter: output filters chosen by the
 * extensions of the file name, added before the handler as httpd's mod_mime does. */
#include <string.h>

#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "mime_filters.h"

mime_filters_t *mime_filters_create(apr_pool_t *p)
{
    mime_filters_t *m = apr_pcalloc(p, sizeof(*m));

    m->by_ext = apr_hash_make(p);
    return m;
}

mime_filters_t *mime_filters_merge(apr_pool_t *p, const mime_filters_t *base,
                                   const mime_filters_t *add)
{
    mime_filters_t *m = apr_pcalloc(p, sizeof(*m));

    m->by_ext = apr_hash_overlay(p, add->by_ext, base->by_ext);
    return m;
}

static mime_filters_t *filters_of(kv_cmd_parms_t *cmd, void *conf)
{
    return *(mime_filters_t **)((char *)conf + (size_t)cmd->info);
}

/* An extension as the table keys it: without a leading dot, lower-case. */
static char *ext_key(apr_pool_t *p, const char *ext)
{
    char *key = apr_pstrdup(p, ext[0] == '.' ? ext + 1 : ext);

    for (char *c = key; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    return key;
}

const char *mime_filters_add_cmd(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    mime_filters_t *m = filters_of(cmd, conf);
    const char *names = apr_pstrdup(cmd->pool, argv[0]);

    for (int i = 1; i < argc; i++) {
        apr_hash_set(m->by_ext, ext_key(cmd->pool, argv[i]), APR_HASH_KEY_STRING, names);
    }
    return NULL;
}

const char *mime_filters_remove_cmd(kv_cmd_parms_t *cmd, void *conf, int argc,
                                    const char *const *argv)
{
    mime_filters_t *m = filters_of(cmd, conf);

    for (int i = 0; i < argc; i++) {
        apr_hash_set(m->by_ext, ext_key(cmd->pool, argv[i]), APR_HASH_KEY_STRING, "");
    }
    return NULL;
}

void mime_filters_insert(kv_request_t *r, const mime_filters_t *filters)
{
    const char *base;
    char *exts, *last;

    if (!r->filename || !filters || apr_hash_count(filters->by_ext) == 0) {
        return;
    }
    base = strrchr(r->filename, '/');
    base = base ? base + 1 : r->filename;
    if (!(exts = strchr(base, '.'))) {
        return;
    }
    exts = apr_pstrdup(r->pool, exts + 1);
    for (char *ext = apr_strtok(exts, ".", &last); ext; ext = apr_strtok(NULL, ".", &last)) {
        const char *names =
            apr_hash_get(filters->by_ext, ext_key(r->pool, ext), APR_HASH_KEY_STRING);
        if (names && *names) {
            kv_add_output_filter_list(r, names);
        }
    }
}
