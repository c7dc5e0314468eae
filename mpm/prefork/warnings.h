/* The warnings of prefork's limits policy, shared by the MPMs that use it (prefork, fork).
 * Apart from policy.c, which stays pure for its unit tests. */
#ifndef KV_PREFORK_WARNINGS_H
#define KV_PREFORK_WARNINGS_H

#include "kv_http.h"
#include "policy.h"

/** Log, as module @a module, httpd's warning for each limit prefork_limits_fix changed
 * (@a fixed), from the values @a was to @a l. */
void prefork_warn_fixes(const char *module, kv_server_t *s, const prefork_limits_t *was,
                        const prefork_limits_t *l, unsigned fixed);

#endif
