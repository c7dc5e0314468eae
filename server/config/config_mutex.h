/* The Mutex and DefaultRuntimeDir directives. Internal to the core. */
#ifndef KV_CONFIG_MUTEX_H
#define KV_CONFIG_MUTEX_H

#include "kv_config.h"

/** `Mutex mechanism [default|mpm-accept] ... [OmitPID]`. */
const char *kv_cmd_mutex(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv);

/** `DefaultRuntimeDir directory`: where runtime files (lock files) go. */
const char *kv_cmd_default_runtime_dir(kv_cmd_parms_t *cmd, void *conf, int argc,
                                       const char *const *argv);

#endif
