/* mod_socache_shmcb: the "shmcb" socache provider (kv_socache.h), httpd's shared-memory
 * cyclic buffer. The memory is made by the parent at post_config, before the children fork,
 * so every child of the generation maps the same store; a global mutex (process and thread)
 * is held around each call into the pure store (shmcb_store.c). */
#include <apr_global_mutex.h>
#include <apr_shm.h>
#include <apr_strings.h>

#include "kiva.h"
#include "kv_log.h"
#include "kv_socache.h"
#include "shmcb_store.h"

#define KV_LOG_MODULE "socache_shmcb"

struct kv_socache_instance {
    const char *path; /* as SSLSessionCache gave it; the memory itself is anonymous */
    apr_size_t size;
    apr_shm_t *shm;
    apr_global_mutex_t *mutex;
    shmcb_t *cache;
};

static const char *shmcb_create(kv_socache_instance_t **instance, const char *arg, apr_pool_t *tmp,
                                apr_pool_t *p)
{
    kv_socache_instance_t *ctx = apr_pcalloc(p, sizeof(*ctx));
    const char *err = shmcb_parse_arg(p, arg, &ctx->path, &ctx->size);

    (void)tmp;
    *instance = ctx;
    return err;
}

static apr_status_t shmcb_init_instance(kv_socache_instance_t *ctx, const char *cname,
                                        const kv_socache_hints_t *hints, kv_server_t *s,
                                        apr_pool_t *p)
{
    apr_status_t rv;

    rv = apr_shm_create(&ctx->shm, ctx->size, NULL, p);
    if (rv != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, rv, s,
                     "KV01520: cannot make %lu bytes of shared memory for the %s cache",
                     (unsigned long)ctx->size, cname);
        return rv;
    }
    ctx->cache = shmcb_init(apr_shm_baseaddr_get(ctx->shm), apr_shm_size_get(ctx->shm),
                            hints ? hints->avg_id_len : 32, hints ? hints->avg_obj_size : 150);
    if (!ctx->cache) {
        kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, 0, s,
                     "KV01521: %lu bytes are too few for the %s cache's objects",
                     (unsigned long)ctx->size, cname);
        return APR_ENOSPC;
    }
    rv = apr_global_mutex_create(&ctx->mutex, NULL, APR_LOCK_DEFAULT, p);
    if (rv != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, rv, s,
                     "KV01522: cannot make the lock of the %s cache", cname);
    }
    return rv;
}

static apr_status_t shmcb_child_init(kv_socache_instance_t *ctx, kv_server_t *s, apr_pool_t *p)
{
    (void)s;
    return apr_global_mutex_child_init(&ctx->mutex, NULL, p);
}

static apr_status_t shmcb_store_object(kv_socache_instance_t *ctx, kv_server_t *s,
                                       const unsigned char *id, unsigned int idlen,
                                       apr_time_t expiry, const unsigned char *data,
                                       unsigned int datalen, apr_pool_t *p)
{
    apr_status_t rv;

    (void)s;
    (void)p;
    if ((rv = apr_global_mutex_lock(ctx->mutex)) != APR_SUCCESS) {
        return rv;
    }
    rv = shmcb_store(ctx->cache, id, idlen, data, datalen, expiry, apr_time_now());
    apr_global_mutex_unlock(ctx->mutex);
    return rv;
}

static apr_status_t shmcb_retrieve_object(kv_socache_instance_t *ctx, kv_server_t *s,
                                          const unsigned char *id, unsigned int idlen,
                                          unsigned char *data, unsigned int *datalen, apr_pool_t *p)
{
    apr_status_t rv;

    (void)s;
    (void)p;
    if ((rv = apr_global_mutex_lock(ctx->mutex)) != APR_SUCCESS) {
        return rv;
    }
    rv = shmcb_retrieve(ctx->cache, id, idlen, data, datalen, apr_time_now());
    apr_global_mutex_unlock(ctx->mutex);
    return rv;
}

static apr_status_t shmcb_remove_object(kv_socache_instance_t *ctx, kv_server_t *s,
                                        const unsigned char *id, unsigned int idlen, apr_pool_t *p)
{
    apr_status_t rv;

    (void)s;
    (void)p;
    if ((rv = apr_global_mutex_lock(ctx->mutex)) != APR_SUCCESS) {
        return rv;
    }
    rv = shmcb_remove(ctx->cache, id, idlen);
    apr_global_mutex_unlock(ctx->mutex);
    return rv;
}

/* The shared memory and the mutex are released by the cleanups of init's pool. */
static void shmcb_destroy(kv_socache_instance_t *ctx, kv_server_t *s)
{
    (void)s;
    ctx->cache = NULL;
}

static const kv_socache_provider_t shmcb_provider = {
    .name = "shmcb",
    .create = shmcb_create,
    .init = shmcb_init_instance,
    .child_init = shmcb_child_init,
    .store = shmcb_store_object,
    .retrieve = shmcb_retrieve_object,
    .remove = shmcb_remove_object,
    .destroy = shmcb_destroy,
};

static const kv_socache_provider_t *shmcb_provider_get(void)
{
    return &shmcb_provider;
}

static void register_hooks(apr_pool_t *p)
{
    kv_socache_provider_register(p, "shmcb", shmcb_provider_get);
    /* As httpd: `SSLSessionCache default` is shmcb with its default size. */
    kv_socache_provider_register(p, "default", shmcb_provider_get);
}

kv_module_t socache_shmcb_module = {
    KV_MODULE_HEADER("socache_shmcb"),
    .register_hooks = register_hooks,
};
