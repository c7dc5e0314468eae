/* The configuration of the MPMs whose processes serve one connection at a time (prefork,
 * fork): prefork's limits, as configured and in force, brought into range with httpd's
 * warnings, and the capabilities they give. Each MPM brings its defaults. */
#ifndef KV_MPM_PROCESS_CONF_H
#define KV_MPM_PROCESS_CONF_H

#include "frame.h"
#include "policy/process_limits.h"

/** The server config of such an MPM. */
typedef struct {
    kv_mpm_conf_t head;
    prefork_limits_t set; /**< as configured: KV_UNSET_INT where not given */
    prefork_limits_t run; /**< in force: defaults applied and brought into range */
} process_conf_t;

/** Mark every limit of a new process_conf_t unset. */
void process_init_conf(void *conf);

/** The limits in force of @a conf from what is configured, @a defaults where not. */
void process_apply_defaults(process_conf_t *conf, const prefork_limits_t *defaults);

/** Bring the limits in force of @a conf into range, with httpd's warnings. */
void process_fix_limits(void *conf, kv_server_t *s);

/** Forked, one thread a process, ServerLimit and MaxRequestWorkers in force. */
void process_caps(const void *conf, kv_mpm_caps_t *caps);

/** The kv_mpm_t of such an MPM: its NAME, the function that applies its DEFAULTS, and its
 * serving as a PARENT and under -X (ONE_PROCESS). */
#define PROCESS_MPM(NAME, DEFAULTS, PARENT, ONE_PROCESS)                                           \
    {                                                                                              \
        .name = (NAME), .conf_size = sizeof(process_conf_t),                                       \
        .server_limit_at = offsetof(process_conf_t, run.server_limit),                             \
        .init_conf = process_init_conf, .apply_defaults = (DEFAULTS),                              \
        .fix_limits = process_fix_limits, .caps = process_caps, .parent = (PARENT),                \
        .one_process = (ONE_PROCESS)                                                               \
    }

/** A directive that sets the limit at FIELD of prefork_limits_t. */
#define PROCESS_INT(name, field, help) KV_MPM_INT(name, process_conf_t, set.field, help)

/** The directives such an MPM has in any case, MaxRequestWorkers explained by @a help, and
 * the end of its command table. */
#define PROCESS_COMMANDS(help)                                                                     \
    PROCESS_INT("MaxRequestWorkers", max_workers, help),                                           \
        PROCESS_INT("MaxClients", max_workers, "MaxClients N: old name of MaxRequestWorkers"),     \
        PROCESS_INT("ServerLimit", server_limit,                                                   \
                    "ServerLimit N: upper bound of MaxRequestWorkers for the life of the server"), \
    {                                                                                              \
        NULL, NULL, NULL, 0, 0, 0, 0, NULL                                                         \
    }

#endif
