/* The protocols TLS may agree on (kv_connection.h): a list per generation, made in its
 * configuration pool, so that a module the next configuration no longer loads is no longer
 * offered. */
#include <string.h>

#include <apr_strings.h>

#include "kv_connection.h"

static apr_array_header_t *protocols;
static apr_pool_t *protocols_pool; /* the generation's pconf that holds them */

static apr_status_t forget_protocols(void *pconf)
{
    if (protocols_pool == pconf) {
        protocols = NULL;
        protocols_pool = NULL;
    }
    return APR_SUCCESS;
}

KV_DECLARE(void) kv_protocol_register(apr_pool_t *pconf, const char *name)
{
    /* A new generation starts a new list, even if the last one's pool is still alive (the
     * child that checks a new configuration before a restart). */
    if (pconf != protocols_pool) {
        protocols = apr_array_make(pconf, 2, sizeof(const char *));
        protocols_pool = pconf;
        apr_pool_cleanup_register(pconf, pconf, forget_protocols, apr_pool_cleanup_null);
    }
    for (int i = 0; i < protocols->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(protocols, i, const char *), name) == 0) {
            return;
        }
    }
    APR_ARRAY_PUSH(protocols, const char *) = apr_pstrdup(pconf, name);
}

KV_DECLARE(const apr_array_header_t *) kv_protocols(void)
{
    return protocols;
}
