/* mod_logio: httpd's access-log codes of the bytes on the wire. %I is what the request took
 * from the connection (request line, header fields, body with its framing), %O what its
 * response handed to the network (head included), %S both. A connection counts its bytes
 * as they go (c->bytes_in, c->bytes_out); a request's share is what was counted since its
 * head began. */
#include <apr_strings.h>

#include "kiva.h"

extern kv_module_t logio_module;

/* The connection's counts when the current request's head began. */
typedef struct {
    apr_off_t in;
    apr_off_t out;
} logio_base_t;

static logio_base_t *base_of(kv_conn_t *c)
{
    logio_base_t *base = kv_get_module_config(c->conn_config, &logio_module);

    if (!base) {
        base = apr_pcalloc(c->pool, sizeof(*base));
        kv_set_module_config(c->conn_config, &logio_module, base);
    }
    return base;
}

static apr_off_t request_in(kv_request_t *r)
{
    return r->connection->bytes_in - base_of(r->connection)->in;
}

static apr_off_t request_out(kv_request_t *r)
{
    return r->connection->bytes_out - base_of(r->connection)->out;
}

static const char *item_bytes_in(kv_request_t *r, const char *arg)
{
    (void)arg;
    return apr_off_t_toa(r->pool, request_in(r));
}

static const char *item_bytes_out(kv_request_t *r, const char *arg)
{
    (void)arg;
    return apr_off_t_toa(r->pool, request_out(r));
}

static const char *item_bytes_both(kv_request_t *r, const char *arg)
{
    (void)arg;
    return apr_off_t_toa(r->pool, request_in(r) + request_out(r));
}

/* A request's share starts when its head does: what the previous request left (the rest of
 * a body its handler did not read, discarded once it was logged) is neither its own nor the
 * next request's. */
static void logio_begin(kv_conn_t *c)
{
    logio_base_t *base = base_of(c);

    base->in = c->bytes_in;
    base->out = c->bytes_out;
}

static void register_hooks(apr_pool_t *p)
{
    kv_log_register_item(p, 'I', item_bytes_in);
    kv_log_register_item(p, 'O', item_bytes_out);
    kv_log_register_item(p, 'S', item_bytes_both);
    kv_hook_pre_read_request(logio_begin, NULL, NULL, KV_HOOK_MIDDLE);
}

kv_module_t logio_module = {
    KV_MODULE_HEADER("logio"),
    .register_hooks = register_hooks,
};
