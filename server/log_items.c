/* The registry of access-log format codes added by modules (include/kv_log_items.h). Its
 * entries point into modules that are unloaded with their generation's pool, so each entry
 * goes with the pool it was registered in. */
#include "kv_log_items.h"

/* One per byte value: the letters are the index. */
static kv_log_item_fn items[256];

typedef struct {
    unsigned char letter;
    kv_log_item_fn fn;
} registration_t;

static apr_status_t unregister_item(void *data)
{
    const registration_t *reg = data;

    if (items[reg->letter] == reg->fn) {
        items[reg->letter] = NULL;
    }
    return APR_SUCCESS;
}

KV_DECLARE(void) kv_log_register_item(apr_pool_t *p, char letter, kv_log_item_fn fn)
{
    registration_t *reg = apr_palloc(p, sizeof(*reg));

    reg->letter = (unsigned char)letter;
    reg->fn = fn;
    items[reg->letter] = fn;
    apr_pool_cleanup_register(p, reg, unregister_item, apr_pool_cleanup_null);
}

KV_DECLARE(kv_log_item_fn) kv_log_find_item(char letter)
{
    return items[(unsigned char)letter];
}
