/* mod_socache_memcache: the "memcache" socache provider (kv_socache.h), on APR-util's
 * memcached client (apr_memcache.h), so that servers on several machines share one cache.
 * The client and its servers are made by the parent at post_config with no connection open
 * (a minimum of 0), so each child opens its own when it first needs one; MemcacheConnTTL is
 * how long an idle connection is kept, as httpd's. */
#include <string.h>

#include <apr_memcache.h>
#include <apr_strings.h>

#include "kiva.h"
#include "kv_config.h"
#include "kv_log.h"
#include "kv_mpm.h"
#include "kv_socache.h"
#include "memcache_arg.h"
#include "memcache_exptime.h"

#define KV_LOG_MODULE "socache_memcache"

/* httpd's: no connection kept open by default, one kept when idle, 15 s to live. */
#define CONN_MIN 0
#define CONN_SMAX 1
#define DEFAULT_TTL apr_time_from_sec(15)
/* memcached's longest key. */
#define MAX_KEY 250

extern kv_module_t socache_memcache_module;

typedef struct {
    apr_interval_time_t ttl; /* MemcacheConnTTL */
} memcache_conf_t;

struct kv_socache_instance {
    apr_array_header_t *servers; /* memcache_server_t */
    const char *tag;             /* the keys' prefix: the cache user's name */
    apr_memcache_t *mc;
};

static void *memcache_create_server_conf(apr_pool_t *p, kv_server_t *s)
{
    memcache_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    (void)s;
    conf->ttl = KV_UNSET_TIME;
    return conf;
}

static void *memcache_merge_server_conf(apr_pool_t *p, void *basev, void *addv)
{
    const memcache_conf_t *base = basev, *add = addv;
    memcache_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    conf->ttl = KV_MERGE_TIME(add->ttl, base->ttl, KV_UNSET_TIME);
    return conf;
}

static const char *mc_create(kv_socache_instance_t **instance, const char *arg, apr_pool_t *tmp,
                             apr_pool_t *p)
{
    kv_socache_instance_t *ctx = apr_pcalloc(p, sizeof(*ctx));

    (void)tmp;
    *instance = ctx;
    return memcache_parse_servers(p, arg, &ctx->servers);
}

static apr_status_t mc_init(kv_socache_instance_t *ctx, const char *cname,
                            const kv_socache_hints_t *hints, kv_server_t *s, apr_pool_t *p)
{
    const memcache_conf_t *conf = kv_get_module_config(s->module_config, &socache_memcache_module);
    apr_interval_time_t ttl = conf->ttl == KV_UNSET_TIME ? DEFAULT_TTL : conf->ttl;
    /* As httpd: room for a connection per thread of a child, so no thread waits for one. */
    int threads = kv_mpm_query(KV_MPMQ_MAX_THREADS);
    apr_status_t rv;

    (void)hints;
    ctx->tag = apr_pstrcat(p, cname, ":", NULL);
    rv = apr_memcache_create(p, (apr_uint16_t)ctx->servers->nelts, 0, &ctx->mc);
    if (rv != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, rv, s,
                     "KV01523: cannot make the memcached client of the %s cache", cname);
        return rv;
    }
    for (int i = 0; i < ctx->servers->nelts; i++) {
        const memcache_server_t *one = &APR_ARRAY_IDX(ctx->servers, i, memcache_server_t);
        apr_memcache_server_t *server;

        rv = apr_memcache_server_create(p, one->host, one->port, CONN_MIN, CONN_SMAX,
                                        (apr_uint32_t)(threads > 0 ? threads : 1),
                                        (apr_uint32_t)ttl, &server);
        if (rv == APR_SUCCESS) {
            rv = apr_memcache_add_server(ctx->mc, server);
        }
        if (rv != APR_SUCCESS) {
            kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, rv, s,
                         "KV01524: cannot use the memcached server %s:%u for the %s cache",
                         one->host, (unsigned)one->port, cname);
            return rv;
        }
    }
    return APR_SUCCESS;
}

static apr_status_t mc_child_init(kv_socache_instance_t *ctx, kv_server_t *s, apr_pool_t *p)
{
    (void)ctx;
    (void)s;
    (void)p;
    return APR_SUCCESS;
}

/* The key of @a id: the tag, then the id in hex (ids are binary). NULL if too long. */
static char *key_of(const kv_socache_instance_t *ctx, const unsigned char *id, unsigned int idlen,
                    apr_pool_t *p)
{
    static const char hex[] = "0123456789abcdef";
    apr_size_t taglen = strlen(ctx->tag);
    char *key;

    if (taglen + 2 * (apr_size_t)idlen > MAX_KEY) {
        return NULL;
    }
    key = apr_palloc(p, taglen + 2 * idlen + 1);
    memcpy(key, ctx->tag, taglen);
    for (unsigned int i = 0; i < idlen; i++) {
        key[taglen + 2 * i] = hex[id[i] >> 4];
        key[taglen + 2 * i + 1] = hex[id[i] & 0xf];
    }
    key[taglen + 2 * idlen] = '\0';
    return key;
}

static apr_status_t mc_store(kv_socache_instance_t *ctx, kv_server_t *s, const unsigned char *id,
                             unsigned int idlen, apr_time_t expiry, const unsigned char *data,
                             unsigned int datalen, apr_pool_t *p)
{
    char *key = key_of(ctx, id, idlen, p);
    apr_status_t rv;

    if (!key) {
        return APR_EINVAL;
    }
    rv = apr_memcache_set(ctx->mc, key, (char *)data, datalen,
                          memcache_exptime(expiry, apr_time_now()), 0);
    if (rv != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, rv, s,
                     "KV01525: cannot store an object in memcached under %s", key);
    }
    return rv;
}

static apr_status_t mc_retrieve(kv_socache_instance_t *ctx, kv_server_t *s, const unsigned char *id,
                                unsigned int idlen, unsigned char *data, unsigned int *datalen,
                                apr_pool_t *p)
{
    char *key = key_of(ctx, id, idlen, p), *value;
    apr_size_t len;
    apr_status_t rv;

    if (!key) {
        return APR_NOTFOUND;
    }
    rv = apr_memcache_getp(ctx->mc, p, key, &value, &len, NULL);
    if (rv != APR_SUCCESS) {
        if (rv != APR_NOTFOUND) {
            kv_log_error(KV_LOG_MARK, KV_LOG_ERR, rv, s,
                         "KV01526: cannot fetch an object from memcached under %s", key);
        }
        return APR_NOTFOUND;
    }
    if (len > *datalen) {
        return APR_ENOSPC;
    }
    memcpy(data, value, len);
    *datalen = (unsigned int)len;
    return APR_SUCCESS;
}

static apr_status_t mc_remove(kv_socache_instance_t *ctx, kv_server_t *s, const unsigned char *id,
                              unsigned int idlen, apr_pool_t *p)
{
    char *key = key_of(ctx, id, idlen, p);
    apr_status_t rv;

    (void)s;
    if (!key) {
        return APR_NOTFOUND;
    }
    rv = apr_memcache_delete(ctx->mc, key, 0);
    return rv == APR_SUCCESS || rv == APR_NOTFOUND ? rv : APR_NOTFOUND;
}

/* The client and its connections are released by the cleanups of init's pool. */
static void mc_destroy(kv_socache_instance_t *ctx, kv_server_t *s)
{
    (void)s;
    ctx->mc = NULL;
}

static const kv_socache_provider_t memcache_provider = {
    .name = "memcache",
    .create = mc_create,
    .init = mc_init,
    .child_init = mc_child_init,
    .store = mc_store,
    .retrieve = mc_retrieve,
    .remove = mc_remove,
    .destroy = mc_destroy,
};

static const kv_socache_provider_t *memcache_provider_get(void)
{
    return &memcache_provider;
}

static void register_hooks(apr_pool_t *p)
{
    kv_socache_provider_register(p, "memcache", memcache_provider_get);
}

static const kv_command_t memcache_commands[] = {
    {"MemcacheConnTTL", kv_set_bounded_slot,
     KV_SLOT(memcache_conf_t, ttl, KV_UNIT_SECONDS, 0, 3600), 1, 1, KV_CTX_SERVER,
     KV_CMD_SERVER_CONF, "seconds (0 to 3600): how long an idle memcached connection is kept"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t socache_memcache_module = {
    KV_MODULE_HEADER("socache_memcache"),
    .create_server_config = memcache_create_server_conf,
    .merge_server_config = memcache_merge_server_conf,
    .commands = memcache_commands,
    .register_hooks = register_hooks,
};
