/* The registry of access-log format codes added by modules (include/kv_log_items.h). Its
 * entries point into modules that are unloaded with their generation's pool, so each entry
 * goes with the pool it was registered in. */
#include <string.h>

#include "kv_log_items.h"

/* Codes modules may add at most; httpd's modules add a handful. */
#define MAX_ITEMS 64

typedef struct {
    char code[KV_LOG_CODE_MAX + 1];
    kv_log_item_fn fn;
    apr_pool_t *pool; /* the registration ends with it */
} registration_t;

static registration_t items[MAX_ITEMS];

static registration_t *find(const char *code)
{
    for (int i = 0; i < MAX_ITEMS; i++) {
        if (items[i].fn && strcmp(items[i].code, code) == 0) {
            return &items[i];
        }
    }
    return NULL;
}

/* A registration made in another pool since replaced this one: that one stays. */
typedef struct {
    registration_t *reg;
    apr_pool_t *pool;
} cleanup_t;

static apr_status_t unregister_item(void *data)
{
    cleanup_t *cl = data;

    if (cl->reg->pool == cl->pool) {
        cl->reg->fn = NULL;
        cl->reg->pool = NULL;
    }
    return APR_SUCCESS;
}

/* One character, or ^ and two, as httpd's codes are. */
static int valid_code(const char *code)
{
    size_t n = strlen(code);

    return code[0] == '^' ? n == 3 : n == 1;
}

KV_DECLARE(const char *) kv_log_register_item(apr_pool_t *p, const char *code, kv_log_item_fn fn)
{
    registration_t *reg = find(code);
    cleanup_t *cl = apr_palloc(p, sizeof(*cl));

    if (!valid_code(code)) {
        return "a LogFormat code is one character, or ^ and two";
    }
    for (int i = 0; !reg && i < MAX_ITEMS; i++) {
        if (!items[i].fn) {
            reg = &items[i];
        }
    }
    if (!reg) {
        return "too many LogFormat codes registered";
    }
    strcpy(reg->code, code);
    reg->fn = fn;
    reg->pool = p;
    cl->reg = reg;
    cl->pool = p;
    apr_pool_cleanup_register(p, cl, unregister_item, apr_pool_cleanup_null);
    return NULL;
}

KV_DECLARE(kv_log_item_fn) kv_log_find_item(const char *code)
{
    const registration_t *reg = find(code);

    return reg ? reg->fn : NULL;
}
