/* The MPM hooks: the core runs the one loaded MPM through them. */
#include "kv_mpm.h"

APR_HOOK_STRUCT(APR_HOOK_LINK(mpm) APR_HOOK_LINK(mpm_query) APR_HOOK_LINK(mpm_get_name))

KV_DECLARE_DATA int kv_my_generation;
KV_DECLARE_DATA apr_pool_t *kv_pglobal;

KV_IMPLEMENT_HOOK_RUN_FIRST(int, mpm, (apr_pool_t * pconf, apr_pool_t *plog, kv_server_t *s),
                            (pconf, plog, s), KV_DECLINED)
KV_IMPLEMENT_HOOK_RUN_FIRST(int, mpm_query, (int query, int *result), (query, result),
                            KV_DECLINED)
KV_IMPLEMENT_HOOK_RUN_FIRST(const char *, mpm_get_name, (void), (), NULL)

KV_DECLARE(int) kv_mpm_query(kv_mpm_query_t query)
{
    int result = -1;

    if (kv_run_mpm_query((int)query, &result) != KV_OK) {
        return -1;
    }
    return result;
}
