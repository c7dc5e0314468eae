/* Running one CGI script for a request: the process, its pipes, the response. */
#ifndef CGI_RUN_H
#define CGI_RUN_H

#include "kiva.h"

/** The handler name ScriptAlias and AddHandler give scripts. */
#define CGI_HANDLER "cgi-script"
/** httpd's ScriptLogLength default. */
#define CGI_DEFAULT_LOG_LENGTH 10385760
/** httpd's ScriptLogBuffer default. */
#define CGI_DEFAULT_LOG_BUFFER 1024

/* Per-server: the ScriptLog settings (sizes -1 when not set). */
typedef struct {
    const char *log;       /* ScriptLog, absolute; NULL for none */
    apr_off_t log_length;  /* ScriptLogLength */
    apr_off_t log_buffer;  /* ScriptLogBuffer */
} cgi_server_conf_t;

/* Run r->filename (a runnable script) for @a r and send its response. KV_DONE, or the
 * status to answer with when nothing has been sent. */
int cgi_run(kv_request_t *r, const cgi_server_conf_t *conf);

#endif
