/* Output filter chains: a request's chain runs from its content filters through the
 * protocol filter into the connection's network filter. */
#include "kv_http.h"

KV_DECLARE(apr_status_t) kv_pass_brigade(kv_filter_t *next, apr_bucket_brigade *bb)
{
    if (!next) {
        apr_brigade_cleanup(bb);
        return APR_SUCCESS;
    }
    return next->func(next, bb);
}

KV_DECLARE(kv_filter_t *) kv_add_output_filter(kv_request_t *r, const char *name,
                                               kv_out_filter_func func, kv_filter_type_t type,
                                               void *ctx)
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
