/* The frame of an MPM module: what all six MPMs have alike, once. The module record and
 * its hooks (run, query, name, post_config), the server config's life (created, the main
 * server's one kept for the query hook, forgotten with its pool), the limits in force
 * computed once a generation and kept in range across restarts by the scoreboard, and the
 * run hook's outline (listeners and signals, the scoreboard, then -X or the parent). An MPM
 * file holds only what is its own: its directives, its limits and its serving, named by
 * one descriptor, kv_mpm_t. Part of the MPMs' convenience library; each MPM module has its
 * own copy of the frame's state, and one MPM is loaded at a time. */
#ifndef KV_MPM_FRAME_H
#define KV_MPM_FRAME_H

#include <stddef.h>

#include "kv_config.h"
#include "kv_module.h"
#include "parent.h"

/** The start of every MPM's server config. */
typedef struct {
    int ready; /**< the limits in force are computed */
} kv_mpm_conf_t;

/** One MPM: its parts that the frame calls. A function may be NULL where the MPM has
 * nothing to do, except caps and the two that serve. */
typedef struct {
    const char *name;           /**< "prefork": as kv_mpm_get_name answers; the scoreboard's */
    apr_size_t conf_size;       /**< its server config, which starts with kv_mpm_conf_t */
    apr_size_t server_limit_at; /**< offset of the int in the config that sizes the
                                 * scoreboard's process slots; 0: one process */
    apr_size_t thread_limit_at; /**< likewise for the worker slots of a process; 0: one */
    /** Mark every directive of a new config unset. */
    void (*init_conf)(void *conf);
    /** The limits in force from what is configured: defaults where unset. */
    void (*apply_defaults)(void *conf);
    /** Bring the limits in force into range, logging httpd's warning for each change (@a s
     * NULL before the logs are open). Also after the scoreboard kept an earlier
     * generation's limits. */
    void (*fix_limits)(void *conf, kv_server_t *s);
    /** What the MPM answers to kv_mpm_query, from a ready config. */
    void (*caps)(const void *conf, kv_mpm_caps_t *caps);
    /** Serve as the parent until a signal ends the generation; returns a kv_mpm_result_t. */
    int (*parent)(apr_pool_t *pconf, kv_server_t *s, void *conf);
    /** -X: serve in this process until a signal; returns the kv_mpm_result_t it asks for. */
    int (*one_process)(apr_pool_t *pconf, kv_server_t *s, void *conf);
} kv_mpm_t;

/** The create_server_config of MPM @a mpm, module @a module. */
void *kv_mpm_frame_create_conf(const kv_mpm_t *mpm, kv_module_t *module, apr_pool_t *p,
                               kv_server_t *s);

/** The register_hooks of MPM @a mpm, module @a module. */
void kv_mpm_frame_register(const kv_mpm_t *mpm, kv_module_t *module);

/** The loaded MPM's descriptor. */
const kv_mpm_t *kv_mpm_current(void);

/** The loaded MPM's module name ("mpm_prefork"), as its messages are logged. */
const char *kv_mpm_log_name(void);

/** The main server's config of the running generation (NULL when none is read). */
void *kv_mpm_current_conf(void);

/** The record of MPM module NAME (mpm_NAME_module) for descriptor MPM and command table
 * CMDS (NULL for none): the frame's hooks and nothing else. */
#define KV_MPM_MODULE(NAME, CMDS, MPM)                                                             \
    extern kv_module_t mpm_##NAME##_module;                                                        \
    static void *NAME##_create_conf(apr_pool_t *p, kv_server_t *s)                                 \
    {                                                                                              \
        return kv_mpm_frame_create_conf(&(MPM), &mpm_##NAME##_module, p, s);                       \
    }                                                                                              \
    static void NAME##_register_hooks(apr_pool_t *p)                                               \
    {                                                                                              \
        (void)p;                                                                                   \
        kv_mpm_frame_register(&(MPM), &mpm_##NAME##_module);                                       \
    }                                                                                              \
    kv_module_t mpm_##NAME##_module = {                                                            \
        KV_MODULE_HEADER("mpm_" #NAME),                                                            \
        .create_server_config = NAME##_create_conf,                                                \
        .commands = (CMDS),                                                                        \
        .register_hooks = NAME##_register_hooks,                                                   \
    }

/** A directive of an MPM that sets an int of its server config type TYPE at FIELD. */
#define KV_MPM_INT(name, type, field, help)                                                        \
    {                                                                                              \
        name, kv_set_int_slot, KV_OFFSET(type, field), 1, 1, KV_CTX_MAIN, KV_CMD_SERVER_CONF, help \
    }

#endif
