/**
 * @file kv_log_items.h
 * @brief Access-log format codes that modules add (httpd's "log_register_handler").
 *
 * mod_log_config knows its own %-codes; another module adds one, `%I` say, by registering a
 * function for its letter in its register_hooks. Registering there makes the code known to
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

/** Make @a letter a LogFormat code whose value @a fn gives, until @a p (the pconf given to
 * register_hooks) is destroyed. A later registration of the same letter replaces it. */
KV_DECLARE(void) kv_log_register_item(apr_pool_t *p, char letter, kv_log_item_fn fn);

/** The function registered for @a letter, or NULL. */
KV_DECLARE(kv_log_item_fn) kv_log_find_item(char letter);

#endif
