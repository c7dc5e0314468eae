/* mod_logio: httpd's access-log codes of the bytes on the wire. %I is what the request took
 * from the connection (request line, header fields, body with its framing), %O what its
 * response handed to the network (head included), %S both. A connection counts its bytes
 * as they go (c->bytes_in, c->bytes_out); a request's share is what was counted since its
 * head began. With LogIOTrackTTFB On, %^FB is the time from the request's arrival to the
 * first byte of its response, in microseconds. */
#include <apr_strings.h>

#include "kiva.h"

extern kv_module_t logio_module;

/* The connection's counts when the current request's head began. */
typedef struct {
    apr_off_t in;
    apr_off_t out;
} logio_base_t;

typedef struct {
    int track_ttfb; /* LogIOTrackTTFB */
} logio_dir_t;

/* A tracked request's time to first byte; 0 until its first byte goes out. */
typedef struct {
    apr_interval_time_t ttfb;
} logio_ttfb_t;

static void *create_dir_conf(apr_pool_t *p, const char *dir)
{
    logio_dir_t *conf = apr_palloc(p, sizeof(*conf));

    (void)dir;
    conf->track_ttfb = KV_UNSET_INT;
    return conf;
}

static void *merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    const logio_dir_t *base = basev, *add = addv;
    logio_dir_t *conf = apr_palloc(p, sizeof(*conf));

    conf->track_ttfb = KV_MERGE_INT(add->track_ttfb, base->track_ttfb, KV_UNSET_INT);
    return conf;
}

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

/* The first bytes to reach the network filter are the response head's. */
static apr_status_t ttfb_filter(kv_filter_t *f, apr_bucket_brigade *bb)
{
    logio_ttfb_t *t = f->ctx;
    apr_off_t len = 0;

    if (!t->ttfb && apr_brigade_length(bb, 0, &len) == APR_SUCCESS && len != 0) {
        apr_interval_time_t since = apr_time_now() - f->r->request_time;

        t->ttfb = since > 0 ? since : 1;
    }
    return kv_pass_brigade(f->next, bb);
}

/* Once the request's sections are merged, as httpd decides it (in insert_filter). */
static int track_ttfb(kv_request_t *r)
{
    const logio_dir_t *conf = kv_get_module_config(r->per_dir_config, &logio_module);
    logio_ttfb_t *t;

    if (conf->track_ttfb != 1) {
        return KV_DECLINED;
    }
    t = apr_pcalloc(r->pool, sizeof(*t));
    kv_set_module_config(r->request_config, &logio_module, t);
    kv_add_output_filter(r, "LOGIO_TTFB_OUT", ttfb_filter, KV_FTYPE_CONNECTION, t);
    return KV_DECLINED;
}

static const char *item_ttfb(kv_request_t *r, const char *arg)
{
    const logio_ttfb_t *t = kv_get_module_config(r->request_config, &logio_module);

    (void)arg;
    return t && t->ttfb ? apr_psprintf(r->pool, "%" APR_TIME_T_FMT, t->ttfb) : NULL;
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
    kv_log_register_item(p, "I", item_bytes_in);
    kv_log_register_item(p, "O", item_bytes_out);
    kv_log_register_item(p, "S", item_bytes_both);
    kv_log_register_item(p, "^FB", item_ttfb);
    kv_hook_fixups(track_ttfb, NULL, NULL, KV_HOOK_LAST);
    kv_hook_pre_read_request(logio_begin, NULL, NULL, KV_HOOK_MIDDLE);
}

static const kv_command_t logio_commands[] = {
    {"LogIOTrackTTFB", kv_set_flag_slot, KV_OFFSET(logio_dir_t, track_ttfb), 1, 1, KV_CTX_ALL, 0,
     "On|Off: time the first byte of each response, for %^FB"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t logio_module = {
    KV_MODULE_HEADER("logio"),
    .create_dir_config = create_dir_conf,
    .merge_dir_config = merge_dir_conf,
    .commands = logio_commands,
    .register_hooks = register_hooks,
};
