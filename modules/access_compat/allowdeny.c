/* Parsing Order and Allow/Deny arguments, and Order's decision. */
#include <string.h>

#include <apr_strings.h>

#include "allowdeny.h"

const char *access_parse_order(apr_pool_t *p, const char *arg, access_order_t *out)
{
    if (strcasecmp(arg, "deny,allow") == 0) {
        *out = ORDER_DENY_ALLOW;
    } else if (strcasecmp(arg, "allow,deny") == 0) {
        *out = ORDER_ALLOW_DENY;
    } else if (strcasecmp(arg, "mutual-failure") == 0) {
        *out = ORDER_MUTUAL_FAILURE;
    } else {
        return apr_psprintf(p, "unknown order '%s' (allow,deny, deny,allow or mutual-failure)",
                            arg);
    }
    return NULL;
}

const char *access_parse_from(apr_pool_t *p, const char *arg, from_t *out)
{
    char *where = apr_pstrdup(p, arg);
    char *slash = strchr(where, '/');
    apr_status_t rv;

    memset(out, 0, sizeof(*out));
    if (strncasecmp(where, "env=", 4) == 0) {
        out->kind = FROM_ENV;
        out->name = where + 4;
        return where[4] ? NULL : apr_pstrdup(p, "env= needs a variable name");
    }
    if (strcasecmp(where, "all") == 0) {
        out->kind = FROM_ALL;
        return NULL;
    }
    if (slash) {
        *slash++ = '\0';
    }
    rv = apr_ipsubnet_create(&out->ip, where, slash, p);
    if (rv == APR_SUCCESS) {
        out->kind = FROM_IP;
        return NULL;
    }
    if (slash || !APR_STATUS_IS_EINVAL(rv)) {
        return apr_psprintf(p, "'%s': an IP address, addr/prefix or addr/netmask was expected",
                            arg);
    }
    out->kind = FROM_HOST;
    out->name = where;
    return NULL;
}

int access_order_lets_in(access_order_t order, int allowed, int denied)
{
    if (order == ORDER_DENY_ALLOW) {
        return allowed || !denied;
    }
    return allowed && !denied;
}
