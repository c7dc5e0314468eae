/* <Directory>, <DirectoryMatch>, <Files>, <FilesMatch>, <Location>, <LocationMatch>:
 * their directives, and the walk that merges the ones that apply to a request in
 * httpd's order. Internal to the core. */
#ifndef KV_SECTIONS_H
#define KV_SECTIONS_H

#include "kv_config.h"
#include "kv_http.h"
#include "kv_regex.h"

typedef enum { KV_SEC_DIRECTORY, KV_SEC_FILES, KV_SEC_LOCATION } kv_section_kind_t;

/** One section as configured. */
typedef struct kv_section kv_section_t;
struct kv_section {
    kv_section_kind_t kind;
    const char *path;            /**< directory, file name pattern or URL-path */
    kv_regex_t *re;              /**< the Match forms and "~": a regular expression */
    int components;              /**< path components of a <Directory>, for the order */
    int wildcard;                /**< the path holds * ? or [ */
    const kv_section_t *parent;  /**< the <Directory> around a <Files>, or NULL */
    void **dir_config;           /**< what the section's directives set */
};

/** The sections of a server, in the order they are merged. */
typedef struct {
    apr_array_header_t *all;         /**< kv_section_t *, as configured */
    apr_array_header_t *directories; /**< plain <Directory>, shortest first */
    apr_array_header_t *dir_regex;   /**< <DirectoryMatch>, in config order */
    apr_array_header_t *files;       /**< <Files> and <FilesMatch>, in config order */
    apr_array_header_t *locations;   /**< <Location> and <LocationMatch>, in config order */
    int overrides;                   /**< some <Directory> sets AllowOverride or
                                      * AllowOverrideList to more than None (htaccess.h) */
} kv_sections_t;

/** The section directives' handler (info: kind, and whether it is a Match form). */
const char *kv_cmd_section(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv);

/** Does a plain <Directory> @a sec cover the directory @a path (no trailing slash)? */
int kv_directory_covers(apr_pool_t *p, const kv_section_t *sec, const char *path);

/** Sort the configured sections into merge order. */
void kv_sections_finish(apr_pool_t *p, kv_sections_t *secs);

/** r->per_dir_config from the server defaults and the <Location> sections (before the
 * URL is mapped to a file). */
void kv_location_walk(kv_request_t *r);

/** r->per_dir_config from every section that applies to r->filename and r->uri. */
void kv_directory_walk(kv_request_t *r);

/** Directive info values of the section directives. */
#define KV_SEC_INFO(kind, match) ((const void *)(long)((kind) * 2 + (match)))

#endif
