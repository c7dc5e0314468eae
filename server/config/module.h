/* The module registry of one configuration generation. Internal to the core. */
#ifndef KV_MODULE_REGISTRY_H
#define KV_MODULE_REGISTRY_H

#include <stdio.h>

#include "kv_config.h"

/** Most modules one generation can load (config vectors have this many slots). */
#define KV_MAX_MODULES 128

/** Start a generation: forget every module, then add the built-in ones. */
void kv_modules_reset(void);

/** Add @a m (loaded from @a path, NULL for built-in): give it a config slot, create its
 * configs for @a s, register its hooks. Returns NULL or a reason. */
const char *kv_module_add(apr_pool_t *pconf, kv_module_t *m, const char *path, kv_server_t *s);

/** A fresh config vector with one slot per possible module. */
void **kv_config_vector_make(apr_pool_t *p);

/** LoadModule's handler. */
const char *kv_cmd_load_module(kv_cmd_parms_t *cmd, void *conf, int argc,
                               const char *const *argv);

/** A kiva module that is not loaded but provides @a directive: the LoadModule line to add
 * (relative to ServerRoot where it can be), or NULL. Looks in the modules directory of
 * the installation and in the directories loaded modules came from. */
const char *kv_module_hint_for(apr_pool_t *ptemp, const char *directive);

/** Does kiva have the module @a name ("rewrite"): loaded, or a mod_NAME.so where
 * kv_module_hint_for looks? */
int kv_module_available(apr_pool_t *ptemp, const char *name);

/** Each loaded module's name for kiva -M, as httpd prints them: " core_module (static)". */
void kv_modules_print(FILE *out);

/** Every directive of the loaded modules, for kiva -L: "Name (module)" and its help. */
void kv_modules_print_directives(FILE *out);

#endif
