/* Integration harness: what a server under test wrote to its stderr and error_log. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* POSIX and GNU interfaces under -std=c11 */
#endif
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *kvt_server_diagnostics(kvt_server_t *srv)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/stderr", srv->root);
    char *err = kvt_read_file(path);
    snprintf(path, sizeof(path), "%s/logs/error_log", srv->root);
    char *log = kvt_read_file(path);
    /* Check truncates long messages: keep the tail, where the reason usually is. */
    const char *e = err ? err : "(none)", *l = log ? log : "(none)";
    if (strlen(e) > 1500) {
        e += strlen(e) - 1500;
    }
    if (strlen(l) > 1500) {
        l += strlen(l) - 1500;
    }
    char *d = kvt_strf("stderr: %s\nerror_log: %s", e, l);
    free(err);
    free(log);
    return d;
}

char *kvt_server_error_log(kvt_server_t *srv)
{
    char *path = kvt_strf("%s/logs/error_log", srv->root);
    char *log = kvt_read_file(path);

    free(path);
    return log ? log : kvt_strf("%s", "");
}

struct log_wait {
    kvt_server_t *srv;
    const char *needle;
};

static int log_has(void *arg)
{
    const struct log_wait *w = arg;
    char *log = kvt_server_error_log(w->srv);
    int yes = kvt_contains(log, w->needle);

    free(log);
    return yes;
}

char *kvt_server_wait_log(kvt_server_t *srv, const char *needle, int timeout_ms)
{
    struct log_wait w = {srv, needle};

    kvt_wait_for(log_has, &w, timeout_ms);
    return kvt_server_error_log(srv);
}
