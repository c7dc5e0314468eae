/* Output filter chains: a request's chain runs from its content filters through the
 * protocol filter into the connection's network filter. Filters a configuration names
 * (SetOutputFilter, AddOutputFilter, FilterProvider) come from a registry that the
 * modules of the running generation fill. */
#include <string.h>

#include <apr_hash.h>
#include <apr_hooks.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "kv_log.h"

#define KV_LOG_MODULE "core"

KV_DECLARE(apr_status_t) kv_pass_brigade(kv_filter_t *next, apr_bucket_brigade *bb)
{
    if (!next) {
        apr_brigade_cleanup(bb);
        return APR_SUCCESS;
    }
    return next->func(next, bb);
}

KV_DECLARE(kv_filter_t *)
kv_add_output_filter(kv_request_t *r, const char *name, kv_out_filter_func func,
                     kv_filter_type_t type, void *ctx)
{
    kv_filter_t *f = apr_pcalloc(r->pool, sizeof(*f));
    kv_filter_t **at = &r->output_filters;

    f->name = name;
    f->func = func;
    f->type = type;
    f->ctx = ctx;
    f->r = r;
    f->c = r->connection;
    /* Before the first filter of a later type: filters of one type run in insertion order. */
    while (*at && (*at)->type <= type) {
        at = &(*at)->next;
    }
    f->next = *at;
    *at = f;
    return f;
}

/* The registry: lower-case name -> kv_filter_rec_t. It lives in the generation's pool (the
 * one APR's hooks use), since its functions are in modules that pool unloads; a generation
 * built beside another (the check of a new configuration) starts its own. */
static apr_hash_t *registry;
static apr_pool_t *registry_pool;

static apr_status_t registry_gone(void *pool)
{
    if (registry_pool == pool) {
        registry = NULL;
        registry_pool = NULL;
    }
    return APR_SUCCESS;
}

static char *lower_name(apr_pool_t *p, const char *name)
{
    char *s = apr_pstrdup(p, name);

    for (char *c = s; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    return s;
}

KV_DECLARE(void)
kv_register_output_filter(const char *name, kv_out_filter_func func, kv_filter_type_t type)
{
    apr_pool_t *p = apr_hook_global_pool;
    kv_filter_rec_t *rec;

    if (!registry || registry_pool != p) {
        registry = apr_hash_make(p);
        registry_pool = p;
        apr_pool_cleanup_register(p, p, registry_gone, apr_pool_cleanup_null);
    }
    rec = apr_palloc(p, sizeof(*rec));
    rec->name = apr_pstrdup(p, name);
    rec->func = func;
    rec->type = type;
    apr_hash_set(registry, lower_name(p, name), APR_HASH_KEY_STRING, rec);
}

KV_DECLARE(const kv_filter_rec_t *) kv_find_output_filter(apr_pool_t *p, const char *name)
{
    return registry ? apr_hash_get(registry, lower_name(p, name), APR_HASH_KEY_STRING) : NULL;
}

KV_DECLARE(kv_filter_t *) kv_add_output_filter_by_name(kv_request_t *r, const char *name)
{
    const kv_filter_rec_t *rec = kv_find_output_filter(r->pool, name);

    if (!rec) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV01260: no output filter named '%s': is its module loaded?", name);
        return NULL;
    }
    return kv_add_output_filter(r, rec->name, rec->func, rec->type, NULL);
}

KV_DECLARE(void) kv_add_output_filter_list(kv_request_t *r, const char *names)
{
    char *list = apr_pstrdup(r->pool, names), *last;

    for (char *name = apr_strtok(list, ";", &last); name; name = apr_strtok(NULL, ";", &last)) {
        name += strspn(name, " \t");
        if (*name) {
            kv_add_output_filter_by_name(r, name);
        }
    }
}
