/* What mod_mime knows of file name extensions, as pure functions over hash tables so the
 * unit tests need no server: mime.types lines, the per-directory extension mappings with
 * httpd's merge, and the walk over a file name's extensions. */
#ifndef MIME_EXT_H
#define MIME_EXT_H

#include <stddef.h>

#include <apr_hash.h>
#include <apr_tables.h>

#include "kv_mime.h"

/* What the Add* directives said of one extension. NULL: not said here. */
typedef struct {
    const char *type;     /* AddType; "" after RemoveType (hides TypesConfig's type too) */
    const char *encoding; /* AddEncoding */
    const char *language; /* AddLanguage */
    const char *handler;  /* AddHandler */
    const char *charset;  /* AddCharset */
} mime_ext_info_t;

/* A Remove* directive: the extension, and the field of mime_ext_info_t it clears. */
typedef struct {
    const char *ext;
    size_t field;
} mime_removal_t;

/* MultiviewsMatch bits (0: unset, which means NegotiatedOnly). */
enum {
    MIME_MATCH_ANY = 1,
    MIME_MATCH_NEGOTIATED = 2,
    MIME_MATCH_HANDLERS = 4,
    MIME_MATCH_FILTERS = 8
};

/* What the extensions of a file name say (languages empty when none). */
typedef kv_mime_meta_t mime_meta_t;

/* One line of a mime.types file, "type ext ext ..." ('#' starts a comment), into
 * @a types (lower-case extension -> type). @a line is modified. */
void mime_parse_types_line(apr_pool_t *p, apr_hash_t *types, char *line);

/* The key of extension @a ext: without a leading dot, lower-case. */
char *mime_ext_key(apr_pool_t *p, const char *ext);

/* Set the field at offset @a field of @a ext's entry in @a map to @a value (lower-cased,
 * as httpd stores every Add* value). A leading dot of @a ext is dropped; NULL if it is
 * then empty, else the entry. */
mime_ext_info_t *mime_ext_set(apr_pool_t *p, apr_hash_t *map, const char *ext, size_t field,
                              const char *value);

/* httpd's merge: @a add's fields over @a base's, extension by extension, then @a add's
 * removals clear the fields they name (as in httpd, also what @a add itself set: a
 * Remove* undoes the inherited mapping, a deeper section may add it again). */
apr_hash_t *mime_ext_merge(apr_pool_t *p, apr_hash_t *base, apr_hash_t *add,
                           const apr_array_header_t *removals);

/* Walk the extensions of the last component of @a path as httpd does: the part before the
 * first dot (leading dots included) is the base name; each later part counts, in order,
 * the last one that says something wins (encodings and languages add up). */
void mime_find(apr_pool_t *p, const char *path, apr_hash_t *map, apr_hash_t *types, int multimatch,
               mime_meta_t *out);

/* @a type with its charset parameter set to @a charset ("text/html; charset=utf-8"). */
const char *mime_type_with_charset(apr_pool_t *p, const char *type, const char *charset);

/* Add MultiviewsMatch's @a word to *bits; NULL, or why it is refused. */
const char *mime_multimatch_add(apr_pool_t *p, const char *word, int *bits);

#endif
