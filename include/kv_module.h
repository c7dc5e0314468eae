/**
 * @file kv_module.h
 * @brief The module record every mod_NAME.so exports as NAME_module.
 *
 * A minimal module:
 * @code
 * kv_module_t hello_module = { KV_MODULE_HEADER("hello"), .register_hooks = register_hooks };
 * @endcode
 */
#ifndef KV_MODULE_H
#define KV_MODULE_H

#include <apr_pools.h>

#include "kv_hooks.h"

/** "KIVA" as a 32-bit number: proves the symbol is a kiva module record. */
#define KV_MODULE_MAGIC 0x4B495641u
/** Bumped whenever a record or hook signature in include/ changes incompatibly. */
#define KV_MODULE_ABI 1

typedef struct kv_server kv_server_t;
typedef struct kv_command kv_command_t;
typedef struct kv_module kv_module_t;

/** One loadable module. Fields after register_hooks are owned by the core. */
struct kv_module {
    unsigned magic;       /**< KV_MODULE_MAGIC */
    unsigned abi_version; /**< KV_MODULE_ABI */
    const char *name;     /**< short name: "mime" for mime_module / mod_mime.so */

    /** Per-directory config; @a dir is the section's path or NULL for the server's defaults. */
    void *(*create_dir_config)(apr_pool_t *p, const char *dir);
    /** Merge @a add (more specific) over @a base into a new config. */
    void *(*merge_dir_config)(apr_pool_t *p, void *base, void *add);
    /** Per-server config. */
    void *(*create_server_config)(apr_pool_t *p, kv_server_t *s);
    /** Merge a virtual host's config @a add over the main server's @a base. */
    void *(*merge_server_config)(apr_pool_t *p, void *base, void *add);
    /** Directive table, terminated by an entry whose name is NULL. */
    const kv_command_t *commands;
    /** Register the module's hook functions; called once per configuration generation. */
    void (*register_hooks)(apr_pool_t *p);

    int index;               /**< slot in every config vector; set by the core */
    const char *loaded_from; /**< path the module was loaded from; NULL for built-in */
};

/** The fields every module record starts with. */
#define KV_MODULE_HEADER(short_name)                                                              \
    .magic = KV_MODULE_MAGIC, .abi_version = KV_MODULE_ABI, .name = (short_name), .index = -1

/** The core's own module (directives of the core, the default handler). */
extern kv_module_t core_module;

/** Number of config slots: modules ever loaded in this generation, built-ins included. */
KV_DECLARE(int) kv_module_count(void);

/** The module's entry in a config vector (per-server or per-directory). */
static inline void *kv_get_module_config(void *const *vector, const kv_module_t *m)
{
    return vector[m->index];
}

/** Set the module's entry in a config vector. */
static inline void kv_set_module_config(void **vector, const kv_module_t *m, void *val)
{
    vector[m->index] = val;
}

/** Find a loaded module by its short name ("mime"), its symbol name ("mime_module") or
 * its httpd source name ("mod_mime.c"). NULL if not loaded. */
KV_DECLARE(kv_module_t *) kv_find_module(const char *name);

/** Loaded modules in load order, built-ins first. */
KV_DECLARE(kv_module_t *const *) kv_loaded_modules(int *count);

#endif
