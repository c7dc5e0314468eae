/**
 * @file kv_socache.h
 * @brief Small-object caches shared between processes or machines, as httpd's ap_socache.h:
 * a provider module (mod_socache_shmcb, mod_socache_memcache) registers itself by name, and
 * a module that needs such a cache (mod_ssl's SSLSessionCache) looks it up by that name and
 * makes an instance from the text after the colon ("shmcb:path(size)").
 *
 * An instance's life: create while the configuration is read (the argument checked, nothing
 * opened), init in the parent at post_config (shared memory, connections' settings: what the
 * children inherit when they fork), child_init in each child, destroy with the generation.
 * Objects are byte strings stored under a byte-string id until an absolute expiry time.
 */
#ifndef KV_SOCACHE_H
#define KV_SOCACHE_H

#include <apr_lib.h>
#include <apr_optional.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_time.h>

#include "kv_module.h"

/** One cache, as a provider made it; opaque to its users. */
typedef struct kv_socache_instance kv_socache_instance_t;

/** What the user of a cache expects to store, so that the provider can size its store. */
typedef struct {
    apr_size_t avg_id_len;   /**< bytes of a typical id */
    apr_size_t avg_obj_size; /**< bytes of a typical object */
} kv_socache_hints_t;

/** A provider's functions, as httpd's ap_socache_provider_t. Every function that may run in
 * a child returns an APR status: APR_NOTFOUND for an id not stored (or expired). */
typedef struct {
    /** The provider's name, as SSLSessionCache writes it ("shmcb"). */
    const char *name;
    /** Check @a arg (the text after "name:", or NULL) and make *@a instance in @a p; no
     * resource is opened yet. NULL, or the reason the argument is refused. */
    const char *(*create)(kv_socache_instance_t **instance, const char *arg, apr_pool_t *tmp,
                          apr_pool_t *p);
    /** In the parent at post_config: open what the children share. Resources live in @a p
     * (the generation's pool). @a cname names the user ("ssl-session"). */
    apr_status_t (*init)(kv_socache_instance_t *instance, const char *cname,
                         const kv_socache_hints_t *hints, kv_server_t *s, apr_pool_t *p);
    /** In each child at child_init, before it serves: attach what the parent opened. */
    apr_status_t (*child_init)(kv_socache_instance_t *instance, kv_server_t *s, apr_pool_t *p);
    /** Store @a data under @a id until @a expiry; a full store drops its oldest objects. */
    apr_status_t (*store)(kv_socache_instance_t *instance, kv_server_t *s, const unsigned char *id,
                          unsigned int idlen, apr_time_t expiry, const unsigned char *data,
                          unsigned int datalen, apr_pool_t *p);
    /** Copy the object stored under @a id into @a data (room for *@a datalen bytes; on success
     * *@a datalen is its length). APR_NOTFOUND when absent or expired, APR_ENOSPC when
     * it does not fit. */
    apr_status_t (*retrieve)(kv_socache_instance_t *instance, kv_server_t *s,
                             const unsigned char *id, unsigned int idlen, unsigned char *data,
                             unsigned int *datalen, apr_pool_t *p);
    /** Forget the object stored under @a id, if any. */
    apr_status_t (*remove)(kv_socache_instance_t *instance, kv_server_t *s, const unsigned char *id,
                           unsigned int idlen, apr_pool_t *p);
    /** Release what init opened (also done by the cleanup of init's pool). */
    void (*destroy)(kv_socache_instance_t *instance, kv_server_t *s);
} kv_socache_provider_t;

/** What a provider module registers: returns its record. */
typedef const kv_socache_provider_t *(*kv_socache_provider_fn)(void);

/** The registry key of provider @a name: lower-case, as httpd's provider names. */
static inline const char *kv_socache_key(apr_pool_t *p, const char *name)
{
    char *key = apr_pstrcat(p, "kv_socache:", name, NULL);

    for (char *c = key; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    return key;
}

/** Register socache provider @a name; call from register_hooks with its pool. */
static inline void kv_socache_provider_register(apr_pool_t *p, const char *name,
                                                kv_socache_provider_fn fn)
{
    apr_dynamic_fn_register(kv_socache_key(p, name), (apr_opt_fn_t *)fn);
}

/** The socache provider called @a name, or NULL if no loaded module provides it. */
static inline const kv_socache_provider_t *kv_socache_provider_get(apr_pool_t *p, const char *name)
{
    kv_socache_provider_fn fn =
        (kv_socache_provider_fn)apr_dynamic_fn_retrieve(kv_socache_key(p, name));

    return fn ? fn() : NULL;
}

#endif
