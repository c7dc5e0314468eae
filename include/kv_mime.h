/**
 * @file kv_mime.h
 * @brief What mod_mime makes of a file name, for other modules (mod_negotiation's
 * MultiViews asks it about each file of a directory).
 */
#ifndef KV_MIME_H
#define KV_MIME_H

#include <apr_optional.h>
#include <apr_tables.h>

#include "kv_http.h"

/** A file's metadata from its extensions. */
typedef struct {
    const char *type;               /**< media type without charset; NULL when none */
    const char *charset;            /**< AddCharset's, lower-case; NULL when none */
    const char *encoding;           /**< every encoding in order, ", "-joined; NULL when none */
    apr_array_header_t *languages;  /**< const char *, in order; DefaultLanguage when none */
    const char *handler;            /**< AddHandler's, or NULL */
    apr_array_header_t *exceptions; /**< const char *: the base name, then each extension
                                     * that said nothing (as written) */
    int found_metadata;             /**< some extension said something */
} kv_mime_meta_t;

/** The metadata of file @a path under @a r's per-directory configuration; provided by
 * mod_mime. */
APR_DECLARE_OPTIONAL_FN(void, kv_mime_file_meta,
                        (kv_request_t *r, const char *path, kv_mime_meta_t *meta));

#endif
