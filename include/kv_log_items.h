/**
 * @file kv_log_items.h
 * @brief Access-log format codes that modules add (httpd's "log_register_handler").
 *
 * mod_log_config knows its own %-codes; another module adds one, `%I` say, by registering a
 * function for it in its register_hooks. Registering there makes the code known to
 * every LogFormat of the generation, whichever module's LoadModule line comes first.
 */
#ifndef KV_LOG_ITEMS_H
#define KV_LOG_ITEMS_H

#include "kv_http.h"

/**
 * The value of a %-code for @a r, as it goes into the line (the function escapes it if it
 * must), or NULL to log "-".
 * @param arg the code's {argument}, or NULL if it has none
 */
typedef const char *(*kv_log_item_fn)(kv_request_t *r, const char *arg);

/** The longest code: httpd's are one character, or ^ and two (%^FB). */
#define KV_LOG_CODE_MAX 3

/** Make @a code (one character such as "I", or ^ and two such as "^FB") a LogFormat code
 * whose value @a fn gives, until @a p (the pconf given to register_hooks) is destroyed. A
 * later registration of the same code replaces it.
 * @return NULL, or why the code cannot be registered */
KV_DECLARE(const char *) kv_log_register_item(apr_pool_t *p, const char *code, kv_log_item_fn fn);

/** The function registered for @a code, or NULL. */
KV_DECLARE(kv_log_item_fn) kv_log_find_item(const char *code);

#endif
