/* ErrorDocument: what a section answers for an error status instead of the built-in
 * page: a text, a local URL served by an internal redirect (keeping the status), or a
 * redirect to another URL. */
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>

#include "core.h"

/* "default" stands for the built-in page, so a section can undo an inherited one. */
#define DEFAULT_DOC ""

const char *kv_cmd_error_document(kv_cmd_parms_t *cmd, void *conf, int argc,
                                  const char *const *argv)
{
    kv_core_dir_conf_t *d = conf;
    long code;
    int *key;
    const char *err = kv_parse_int(cmd->temp_pool, argv[0], 400, 599, &code);

    (void)argc;
    if (err) {
        return apr_psprintf(cmd->pool, "ErrorDocument: %s (an error status, 400 to 599)", err);
    }
    if (!kv_status_reason((int)code)) {
        return apr_psprintf(cmd->pool, "ErrorDocument: %ld is not a known HTTP status", code);
    }
    key = apr_palloc(cmd->pool, sizeof(*key));
    *key = (int)code;
    apr_hash_set(d->error_docs, key, sizeof(*key),
                 strcasecmp(argv[1], "default") == 0 ? DEFAULT_DOC
                                                     : apr_pstrdup(cmd->pool, argv[1]));
    return NULL;
}

const char *kv_error_document(const kv_request_t *r, int status)
{
    const kv_core_dir_conf_t *d = kv_get_module_config(r->per_dir_config, &core_module);
    const char *doc = apr_hash_get(d->error_docs, &status, sizeof(status));

    return doc && *doc ? doc : NULL;
}
