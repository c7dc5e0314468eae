/* A piped access log: a program that reads log lines on its stdin, started by the
 * server's parent and restarted on the same pipe whenever it dies, so the pipe's write
 * end that the children inherited stays good. */
#ifndef PIPED_LOG_H
#define PIPED_LOG_H

#include <apr_file_io.h>
#include <apr_pools.h>

#include "kv_http.h"

typedef struct piped_log piped_log_t;

/** Create a pipe and start @a command with `/bin/sh -c`, its stdin the pipe's read end.
 * The parent keeps both ends; when the program dies (the MPM reaps it and alerts APR's
 * other-child list) it is started again on the same pipe. Destroying @a p stops it. Errors
 * are logged for @a s and returned. */
apr_status_t piped_log_open(apr_pool_t *p, const char *command, kv_server_t *s, piped_log_t **out);

/** The pipe's write end: where the server's children write log lines. */
apr_file_t *piped_log_write_end(const piped_log_t *pl);

#endif
