/* mod_mime's AddOutputFilter and RemoveOutputFilter: output filters by file extension. */
#ifndef MIME_FILTERS_H
#define MIME_FILTERS_H

#include "kiva.h"

/** The per-directory part: lower-case extension -> "NAME;NAME", "" where removed. */
typedef struct {
    apr_hash_t *by_ext;
} mime_filters_t;

mime_filters_t *mime_filters_create(apr_pool_t *p);

/** @a add's mappings over @a base's (RemoveOutputFilter hides an inherited one). */
mime_filters_t *mime_filters_merge(apr_pool_t *p, const mime_filters_t *base,
                                   const mime_filters_t *add);

/** The directives; the command's info is the offset of the mime_filters_t pointer in the
 * module's per-directory config. */
const char *mime_filters_add_cmd(kv_cmd_parms_t *cmd, void *conf, int argc,
                                 const char *const *argv);
const char *mime_filters_remove_cmd(kv_cmd_parms_t *cmd, void *conf, int argc,
                                    const char *const *argv);

/** Add to @a r's chain the filters of each extension of its file name, in name order. */
void mime_filters_insert(kv_request_t *r, const mime_filters_t *filters);

/** The two directive table entries, for a per-directory config type and its field. */
#define MIME_FILTERS_COMMANDS(type, field)                                                         \
    {"AddOutputFilter",                                                                            \
     mime_filters_add_cmd,                                                                         \
     KV_OFFSET(type, field),                                                                       \
     2,                                                                                            \
     -1,                                                                                           \
     KV_CTX_ALL,                                                                                   \
     0,                                                                                            \
     "filter[;filter]... extension [extension] ...: output filters for files with the "            \
     "extensions"},                                                                                \
    {                                                                                              \
        "RemoveOutputFilter", mime_filters_remove_cmd, KV_OFFSET(type, field), 1, -1, KV_CTX_ALL,  \
            0, "extension [extension] ...: forget AddOutputFilter's filters for the extensions"    \
    }

#endif
