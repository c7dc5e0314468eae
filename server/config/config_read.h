/**
 * @file config_read.h
 * @brief The configuration reader: httpd 2.4 syntax in, a tree of kv_directive_t out.
 *
 * The reader knows only the directives that act while reading: Define, UnDefine,
 * <IfDefine>, Include, IncludeOptional and ServerRoot. Every other line becomes a node
 * for the core's walker. Define, UnDefine and ServerRoot are kept as nodes too; Include
 * and <IfDefine> are replaced by what they stand for.
 */
#ifndef KV_CONFIG_READ_H
#define KV_CONFIG_READ_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "kv_config.h"

/** Longest logical line (continuations joined) the reader accepts, in bytes. */
#define KV_CONFIG_MAX_LINE 65536
/** Deepest nesting of Include (a directory counts as one level). */
#define KV_CONFIG_MAX_INCLUDE_DEPTH 32
/** Deepest nesting of sections within one file (the reader recurses per section). */
#define KV_CONFIG_MAX_SECTION_DEPTH 128

/** Most errors one check of the configuration reports; the rest are summed up in one line. */
#define KV_CONFIG_MAX_ERRORS 100

/** Append the lines of @a err to the error report @a *all (NULL when empty), in p. Past
 * KV_CONFIG_MAX_ERRORS lines the report ends with one line "... and more errors ...". */
void kv_config_add_errors(apr_pool_t *p, const char **all, const char *err);

/** The lines of the error report @a errors in the order of the configuration: by the file
 * (in the order the files were read, -C before and -c after them) and line each names;
 * lines that name none (checks of the whole) after those, as they came. */
const char *kv_config_errors_in_order(apr_pool_t *p, const char *errors);

/** Forget every Define and start again from the -D names of the command line.
 * @param p lives as long as the defines (pconf); when it is destroyed they are forgotten
 * @param cmdline_defines names (const char *), or NULL */
void kv_config_defines_reset(apr_pool_t *p, const apr_array_header_t *cmdline_defines);

/** The value a Define gave @a name: "" if it was defined without one (or with -D), NULL if
 * it is not defined. Note that ${NAME} uses only values given by Define NAME VALUE and
 * otherwise falls back to the environment, as httpd does. */
const char *kv_config_define_value(const char *name);

/** The defined names (const char *), -D ones first, in the order they were defined; NULL
 * before kv_config_defines_reset. */
const apr_array_header_t *kv_config_define_names(void);

/** One reading of the configuration. */
typedef struct {
    apr_pool_t *pool;             /**< the tree, its strings and the errors live here (pconf) */
    apr_pool_t *temp_pool;        /**< scratch: file buffers and handles, freed per file */
    apr_array_header_t *warnings; /**< const char *; made in pool when NULL */
    const char *errors;           /**< every error so far, one a line; NULL if none */
    int incomplete; /**< a file was not read to its end (broken nesting, unreadable line) */
} kv_config_reader_t;

/** Read the file at @a path (relative to kv_server_root; a directory reads every file in
 * it, sorted) and append its directives to the top-level list @a *tree (which may be NULL).
 * A line in error is left out and reading goes on; an error that leaves the nesting of
 * sections unknown ends the reading of its file and sets rd->incomplete.
 * @return NULL, or the errors of this file (also added to rd->errors): lines "Syntax error on
 * line N of FILE: reason"; a top file that cannot be read gives "Could not open
 * configuration file FILE: reason" */
const char *kv_config_read_file(kv_config_reader_t *rd, const char *path, kv_directive_t **tree);

/** Read directives given on the command line (-C, -c) and append them to @a *tree; errors
 * as kv_config_read_file.
 * @param name what errors and nodes call the source, e.g. "-c" */
const char *kv_config_read_line(kv_config_reader_t *rd, const char *text, const char *name,
                                kv_directive_t **tree);

#endif
