/* The Allow field and the method check with which handlers answer OPTIONS, 405 and 501. */
#include <apr_strings.h>

#include "http_allow.h"

/* Asks TraceEnable; set by the HTTP module (http_core.c) when it registers its hooks. */
static kv_trace_query_fn trace_enabled;

void kv_allow_trace_query(kv_trace_query_fn fn)
{
    trace_enabled = fn;
}

/* The order httpd 2.4's Allow lists methods in (its method registry's), HEAD after
 * OPTIONS; TRACE is added at the end by TraceEnable. */
static const struct {
    kv_method_t method;
    const char *name;
} allow_order[] = {
    {KV_M_GET, "GET"},         {KV_M_PUT, "PUT"},     {KV_M_POST, "POST"},
    {KV_M_DELETE, "DELETE"},   {KV_M_CONNECT, "CONNECT"}, {KV_M_OPTIONS, "OPTIONS"},
    {KV_M_PATCH, "PATCH"},     {KV_M_HEAD, "HEAD"},
};

int kv_send_options(kv_request_t *r)
{
    apr_bucket_brigade *bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);

    r->status = KV_HTTP_OK;
    r->clength = 0;
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(bb->bucket_alloc));
    kv_pass_brigade(r->output_filters, bb);
    return KV_DONE;
}

KV_DECLARE(const char *) kv_make_allow(const kv_request_t *r, unsigned methods)
{
    /* Every name of allow_order and TRACE, with commas, fits. */
    char list[80];
    size_t len = 0;

    if (methods & KV_METHOD_BIT(KV_M_GET)) {
        methods |= KV_METHOD_BIT(KV_M_HEAD);
    }
    list[0] = '\0';
    for (size_t i = 0; i <= sizeof(allow_order) / sizeof(allow_order[0]); i++) {
        const char *name = i < sizeof(allow_order) / sizeof(allow_order[0])
                               ? (methods & KV_METHOD_BIT(allow_order[i].method)
                                      ? allow_order[i].name
                                      : NULL)
                               : (trace_enabled && trace_enabled(r) ? "TRACE" : NULL);
        if (name) {
            len += (size_t)apr_snprintf(list + len, sizeof(list) - len, "%s%s",
                                        len ? "," : "", name);
        }
    }
    return apr_pstrdup(r->pool, list);
}

KV_DECLARE(int) kv_check_methods(kv_request_t *r, unsigned methods)
{
    methods |= KV_METHOD_BIT(KV_M_OPTIONS);
    if (r->method_number == KV_M_OPTIONS) {
        apr_table_setn(r->err_headers_out, "Allow", kv_make_allow(r, methods));
        return kv_send_options(r);
    }
    if ((methods & KV_METHOD_BIT(r->method_number)) ||
        (r->method_number == KV_M_HEAD && (methods & KV_METHOD_BIT(KV_M_GET)))) {
        return KV_OK;
    }
    apr_table_setn(r->err_headers_out, "Allow", kv_make_allow(r, methods));
    return r->method_number == KV_M_OTHER ? KV_HTTP_NOT_IMPLEMENTED : KV_HTTP_METHOD_NOT_ALLOWED;
}
