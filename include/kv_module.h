/**
 * @file kv_module.h
 * @brief The module record every mod_NAME.so exports as NAME_module, and how a module's
 * parts fit together. A module author needs this file and the headers it points to (all
 * included by kiva.h), nothing else; modules/skeleton/mod_skeleton.c is a template to copy.
 *
 * - **The record** (kv_module_t below) is exported as `NAME_module` from `mod_NAME.so` and
 *   loaded by `LoadModule NAME_module modules/mod_NAME.so`; KV_MODULE_HEADER fills the magic
 *   and ABI version that the loader checks (a mismatch is a syntax error on that line).
 *   Modules are unloaded and loaded again at every restart, so a module keeps no static
 *   state that outlives its generation's pool (pconf) without a pool cleanup to reset it.
 * - **The directive table** (`commands`, kv_command_t in kv_config.h): per directive its
 *   name, its handler, the handler's `info`, the argument counts, where it may stand
 *   (KV_CTX_*), flags and a one-line help (`kiva -L`). The handler runs in the parent while
 *   the configuration is read, gets the module's per-directory config of the section it
 *   stands in (its per-server config with KV_CMD_SERVER_CONF) and returns NULL, or the
 *   reason the line is refused, which the core reports as `Syntax error on line N of FILE:`.
 *   A plain value needs no handler of its own: kv_set_string_slot, kv_set_int_slot ... with
 *   `info` = KV_OFFSET(conf type, field).
 * - **Config records**: create_dir_config makes the per-directory record of the server's
 *   defaults (@a dir NULL) and of every section (@a dir its path or pattern), every field
 *   unset (KV_UNSET_INT, KV_UNSET_TIME, NULL); merge_dir_config makes a new record of a more
 *   specific @a add over @a base with KV_MERGE_INT/TIME/PTR, allocating from @a p only: it
 *   runs per request, in the request's pool, as the sections that apply are merged (none:
 *   @a add replaces @a base whole). create_server_config and merge_server_config do the same
 *   for the main server and each <VirtualHost> (merged over the main server's once, while
 *   the configuration is read). At run time: kv_get_module_config(r->per_dir_config,
 *   &NAME_module), kv_get_module_config(r->server->module_config, &NAME_module).
 * - **register_hooks** runs once per generation as the module is loaded, with pconf: it
 *   registers the module's hook functions (kv_hook_NAME(fn, predecessors, successors,
 *   KV_HOOK_MIDDLE ...)), the handler names it answers (kv_handler.h) and its output filters
 *   (kv_register_output_filter, kv_http.h). The hooks, each with whether it is run-first or
 *   run-all, when and in which process it runs and what its answers mean, are documented
 *   where they are declared: the request phases, pre_connection, process_connection,
 *   post_config and child_init in kv_http.h, pre_read_request in kv_connection.h, the MPM's
 *   in kv_mpm.h.
 * - **Lifetimes** are pools: pconf (the generation), pchild (a child process), c->pool (a
 *   connection), r->pool (a request). No malloc on the request path.
 * - **Logging**: kv_log.h (a KV_LOG_MODULE per file, a message number per message).
 *
 * A module with one directive and a handler (`SetHandler hello` answers with HelloText):
 * @code
 * #include <string.h>
 * #include <apr_strings.h>
 * #include "kiva.h"
 *
 * extern kv_module_t hello_module;
 *
 * typedef struct {
 *     const char *text;
 * } hello_conf_t;
 *
 * static void *create_dir(apr_pool_t *p, const char *dir)
 * {
 *     (void)dir;
 *     return apr_pcalloc(p, sizeof(hello_conf_t));
 * }
 *
 * static void *merge_dir(apr_pool_t *p, void *basev, void *addv)
 * {
 *     hello_conf_t *base = basev, *add = addv, *conf = apr_pcalloc(p, sizeof(*conf));
 *
 *     conf->text = KV_MERGE_PTR(add->text, base->text, NULL);
 *     return conf;
 * }
 *
 * static int hello_handler(kv_request_t *r)
 * {
 *     const hello_conf_t *conf = kv_get_module_config(r->per_dir_config, &hello_module);
 *     apr_bucket_brigade *bb;
 *
 *     if (!r->handler || strcmp(r->handler, "hello") != 0) {
 *         return KV_DECLINED;
 *     }
 *     r->content_type = "text/plain";
 *     bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
 *     apr_brigade_puts(bb, NULL, NULL, conf->text ? conf->text : "hello\n");
 *     APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(bb->bucket_alloc));
 *     kv_pass_brigade(r->output_filters, bb);
 *     return KV_DONE;
 * }
 *
 * static void register_hooks(apr_pool_t *p)
 * {
 *     kv_register_handler_name(p, "hello");
 *     kv_hook_handler(hello_handler, NULL, NULL, KV_HOOK_MIDDLE);
 * }
 *
 * static const kv_command_t hello_commands[] = {
 *     {.name = "HelloText", .func = kv_set_string_slot, .info = KV_OFFSET(hello_conf_t, text),
 *      .min_args = 1, .max_args = 1, .context = KV_CTX_ALL, .help = "text: what hello says"},
 *     {.name = NULL}};
 *
 * kv_module_t hello_module = {
 *     KV_MODULE_HEADER("hello"),
 *     .create_dir_config = create_dir,
 *     .merge_dir_config = merge_dir,
 *     .commands = hello_commands,
 *     .register_hooks = register_hooks,
 * };
 * @endcode
 */
#ifndef KV_MODULE_H
#define KV_MODULE_H

#include <apr_pools.h>

#include "kv_hooks.h"

/** "KIVA" as a 32-bit number: proves the symbol is a kiva module record. */
#define KV_MODULE_MAGIC 0x4B495641u
/** Bumped whenever a record or hook signature in include/ changes incompatibly (2: the
 * transport stack and the protocol hook grew kv_conn_t, kv_request_t and kv_cmd_parms_t). */
#define KV_MODULE_ABI 2

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
