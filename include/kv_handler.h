/**
 * @file kv_handler.h
 * @brief Handler names: which module answers `SetHandler NAME` and `AddHandler NAME .ext`.
 *
 * A module that answers requests by r->handler claims the names it answers from its
 * register_hooks, so the core can tell a configuration that names a handler nobody
 * provides (a `-t` warning) and refuse such a request with 500 instead of sending the
 * file (httpd sends it: a PHP source leak when mod_php is missing).
 * @code
 * static void register_hooks(apr_pool_t *p)
 * {
 *     kv_register_handler_name(p, "hello-handler");
 *     kv_hook_handler(hello_handler, NULL, NULL, KV_HOOK_MIDDLE);
 * }
 * @endcode
 */
#ifndef KV_HANDLER_H
#define KV_HANDLER_H

#include <apr_pools.h>

#include "kv_config.h"

/** Claim handler @a name (case-insensitive) for this configuration generation; @a pconf
 * is the pool register_hooks was given. */
KV_DECLARE(void) kv_register_handler_name(apr_pool_t *pconf, const char *name);

/** Has a loaded module claimed handler @a name? The core's own "default-handler" counts. */
KV_DECLARE(int) kv_handler_name_known(const char *name);

/** Remember that the directive being run names handler @a name, so that once every module
 * is loaded a name no module claims is a warning with the directive's file:line. */
KV_DECLARE(void) kv_note_handler_use(const kv_cmd_parms_t *cmd, const char *name);

#endif
