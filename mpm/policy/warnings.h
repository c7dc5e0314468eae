/* httpd's warnings for the limits that the policies of process_limits.h, threaded_limits.h
 * and thread_limits.h bring into range. Apart from them, which stay pure for their unit
 * tests. A text that several MPMs log has one message number. */
#ifndef KV_MPM_WARNINGS_H
#define KV_MPM_WARNINGS_H

#include "kv_http.h"
#include "process_limits.h"
#include "thread_limits.h"
#include "threaded_limits.h"

/** Log, as module @a module, httpd's warning for each limit prefork_limits_fix changed
 * (@a fixed), from the values @a was to @a l. */
void prefork_warn_fixes(const char *module, kv_server_t *s, const prefork_limits_t *was,
                        const prefork_limits_t *l, unsigned fixed);

/** The same for worker_limits_fix. */
void worker_warn_fixes(const char *module, kv_server_t *s, const worker_limits_t *was,
                       const worker_limits_t *l, unsigned fixed);

/** The same for thread_limits_fix. */
void thread_warn_fixes(const char *module, kv_server_t *s, const thread_limits_t *was,
                       const thread_limits_t *l, unsigned fixed);

#endif
