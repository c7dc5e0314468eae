/* <IfModule>, <IfFile>, <IfDirective>, <IfSection>. Internal to the core. */
#ifndef KV_CONFIG_IF_H
#define KV_CONFIG_IF_H

#include "kv_config.h"

/** Directive info of the conditional sections: which test they make. */
#define KV_IF_FILE ((const void *)0L)      /**< <IfFile [!]path>, path relative to ServerRoot */
#define KV_IF_DIRECTIVE ((const void *)1L) /**< <IfDirective [!]name>: a loaded module has it */
#define KV_IF_SECTION ((const void *)2L)   /**< <IfSection [!]name>: <name is a section */

/** The handler of the three: runs the contents in place if the test (negated by a leading
 * '!') holds. */
const char *kv_cmd_if_condition(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv);

/** <IfModule [!]name>: runs the contents in place if the module is (not) loaded. */
const char *kv_cmd_ifmodule(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv);

#endif
