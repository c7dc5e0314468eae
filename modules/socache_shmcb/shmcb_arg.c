/* SSLSessionCache shmcb's argument (shmcb_store.h), with httpd's syntax and messages. */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "shmcb_store.h"

#define DEFAULT_SIZE (512 * 1024)

const char *shmcb_parse_arg(apr_pool_t *p, const char *arg, const char **path, apr_size_t *size)
{
    char *copy, *open, *last, *end;
    long n;

    *path = NULL;
    *size = DEFAULT_SIZE;
    if (!arg || !*arg) {
        return NULL;
    }
    copy = apr_pstrdup(p, arg);
    open = strrchr(copy, '(');
    last = copy + strlen(copy) - 1;
    if (!open) {
        if (*last == ')') {
            return "Invalid argument: no opening parenthesis";
        }
        *path = copy;
        return NULL;
    }
    if (*last != ')') {
        return "Invalid argument: no closing parenthesis or cache size missing after pathname "
               "with parenthesis";
    }
    *open = '\0';
    *last = '\0';
    n = strtol(open + 1, &end, 10);
    if (end == open + 1 || *end) {
        return "Invalid argument: cache size not numerical";
    }
    if (n < SHMCB_MIN_SIZE) {
        return "Invalid argument: size has to be >= 8192 bytes";
    }
    if (n >= SHMCB_MAX_SIZE) {
        return apr_psprintf(p, "Invalid argument: size has to be < %d bytes on this platform",
                            SHMCB_MAX_SIZE);
    }
    *path = *copy ? copy : NULL;
    *size = (apr_size_t)n;
    return NULL;
}
