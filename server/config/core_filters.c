/* The core's SetOutputFilter fixup: the context's filters join a request's chain. */
#include "core.h"

/* SetOutputFilter's filters join the chain once the request's sections are known, just
 * before its handler (httpd's insert_filter). */
int kv_core_insert_filters(kv_request_t *r)
{
    const kv_core_dir_conf_t *d = kv_get_module_config(r->per_dir_config, &core_module);

    if (d->output_filters) {
        kv_add_output_filter_list(r, d->output_filters);
    }
    return KV_DECLINED;
}
