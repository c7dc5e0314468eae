/* Running a directive tree against the loaded modules. Internal to the core. */
#ifndef KV_CONFIG_WALK_H
#define KV_CONFIG_WALK_H

#include <stddef.h>

#include "kv_config.h"

/** The main server record of a new generation, with its config vectors. */
kv_server_t *kv_server_create(apr_pool_t *pconf);

/** Run the whole tree for the main server; a directive that fails is reported and the walk
 * goes on. Returns NULL, or the errors as lines "Syntax error on line N of FILE: reason"
 * (at most KV_CONFIG_MAX_ERRORS, see kv_config_add_errors). */
const char *kv_config_run(apr_pool_t *pconf, apr_pool_t *ptemp, kv_server_t *s,
                          const kv_directive_t *tree);

/** Does a loaded module have the directive @a name (a section as "<Name")? */
int kv_directive_exists(const char *name);

/** Walk the contents of the section @a cmd is handling where the section stands: same
 * server, context and per-directory config. For <IfModule> and its kin. */
const char *kv_walk_section_contents(kv_cmd_parms_t *cmd);

/** Edit distance between two names, case-insensitive, capped at @a cap + 1: insertions,
 * deletions, substitutions and swaps of two neighbours count one each. */
int kv_name_distance(const char *a, const char *b, int cap);

/** Is a known directive @a distance edits away from an unknown name of @a len characters
 * close enough to suggest? At most 2 edits, and fewer than a third of the name, so that
 * "KeepAliveTimout" gets KeepAliveTimeout but "ServerAdmin" is not taken for ServerLimit. */
int kv_is_near_miss(size_t len, int distance);

#endif
