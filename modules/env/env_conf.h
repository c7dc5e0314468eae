/* mod_env's per-directory config: what SetEnv and PassEnv set, what UnsetEnv removes. */
#ifndef KV_ENV_CONF_H
#define KV_ENV_CONF_H

#include <apr_pools.h>
#include <apr_tables.h>

/** A section's SetEnv/PassEnv values, and the names its UnsetEnv removes from the enclosing
 * sections' values. */
typedef struct {
    apr_table_t *vars;
    apr_table_t *unset;
} env_conf_t;

/** An empty config (the module's create_dir_config). */
void *env_conf_create(apr_pool_t *p, const char *dir);

/** @a addv over @a basev, as httpd merges them (the module's merge_dir_config). */
void *env_conf_merge(apr_pool_t *p, void *basev, void *addv);

#endif
