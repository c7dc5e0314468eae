/* An socache provider named by a mod_ssl directive (ssl_socache.h). */
#include <string.h>
#include <strings.h>

#include <apr_strings.h>

#include "ssl_socache.h"

const char *ssl_socache_make(apr_pool_t *p, apr_pool_t *tmp, const char *directive,
                             const char *what, const char *arg,
                             const kv_socache_provider_t **provider,
                             kv_socache_instance_t **instance)
{
    const char *colon = strchr(arg, ':'), *err;
    const char *name = colon ? apr_pstrmemdup(p, arg, (apr_size_t)(colon - arg)) : arg;

    *provider = kv_socache_provider_get(tmp, name);
    if (!*provider) {
        return apr_psprintf(p,
                            "%s: '%s' %s cache not supported: load its module first (LoadModule "
                            "socache_%s_module modules/mod_socache_%s.so)%s",
                            directive, name, what, name, name,
                            strcasecmp(name, "dbm") == 0
                                ? "; kiva has no mod_socache_dbm: use shmcb or memcache"
                                : "");
    }
    err = (*provider)->create(instance, colon ? colon + 1 : NULL, tmp, p);
    return err ? apr_psprintf(p, "%s: %s", directive, err) : NULL;
}
