/* HostnameLookups' keywords, read with the core config (remote_host.c does the lookups). */
#include <string.h>

#include <apr_strings.h>

#include "remote_host.h"

const char *kv_parse_hostname_lookups(apr_pool_t *p, const char *arg, int *out)
{
    if (strcasecmp(arg, "Off") == 0) {
        *out = KV_LOOKUPS_OFF;
    } else if (strcasecmp(arg, "On") == 0) {
        *out = KV_LOOKUPS_ON;
    } else if (strcasecmp(arg, "Double") == 0) {
        *out = KV_LOOKUPS_DOUBLE;
    } else {
        return apr_psprintf(p, "HostnameLookups must be On, Off or Double, not '%s'", arg);
    }
    return NULL;
}
