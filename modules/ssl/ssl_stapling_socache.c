/* The stapling store in SSLStaplingCache's socache provider (ssl_stapling.h), as httpd keeps
 * stapled responses: opened by the parent at post_config, attached by the fetcher and by
 * each child, keyed by the certificate's id (its SHA-256, the bytes the store's key names in
 * hex; memcache's key is "ssl-stapling:" and that hex). A record is the flag byte (1: good), the
 * publication's version (8 bytes, big-endian: when the fetcher stored it), then the
 * response's DER; a child copies the response only when the version changed. The provider
 * does its own locking (shmcb's global mutex; memcached). */
#include <string.h>
#include <unistd.h>

#include "kv_log.h"
#include "ssl_stapling.h"

#define KV_LOG_MODULE "ssl"

#define HEADER_LEN 9
#define ID_MAX 64
/* What the provider is told to expect: SHA-256 ids, responses of a KiB or two. */
#define AVG_ID_LEN 32
#define AVG_RECORD_LEN 1600

/* The generation's cache, set in the parent at post_config; children and the fetcher
 * inherit it. */
static const ssl_stapling_conf_t *current;
static kv_server_t *cache_server;
static int attached; /* in this process */

static apr_status_t forget_current(void *unused)
{
    (void)unused;
    current = NULL;
    cache_server = NULL;
    attached = 0;
    return APR_SUCCESS;
}

apr_status_t ssl_stapling_socache_init(apr_pool_t *pconf, kv_server_t *s,
                                       const ssl_stapling_conf_t *conf)
{
    const kv_socache_hints_t hints = {AVG_ID_LEN, AVG_RECORD_LEN};
    apr_status_t rv;

    if (!conf->cache_provider) {
        return APR_SUCCESS;
    }
    rv = conf->cache_provider->init(conf->cache_instance, "ssl-stapling", &hints, s, pconf);
    if (rv != APR_SUCCESS) {
        return rv; /* the provider said why */
    }
    current = conf;
    cache_server = s;
    attached = 1; /* the parent made it */
    apr_pool_cleanup_register(pconf, NULL, forget_current, apr_pool_cleanup_null);
    return APR_SUCCESS;
}

int ssl_stapling_socache_on(void)
{
    return current != NULL;
}

apr_status_t ssl_stapling_socache_attach(apr_pool_t *p)
{
    apr_status_t rv = current->cache_provider->child_init(current->cache_instance, cache_server, p);

    attached = rv == APR_SUCCESS;
    if (!attached) {
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, rv, cache_server,
                     "KV01600: SSLStaplingCache cannot be used in this process (pid %ld); no "
                     "OCSP response is stapled here",
                     (long)getpid());
    }
    return rv;
}

static void stapling_child_init(apr_pool_t *pchild, kv_server_t *s)
{
    (void)s;
    if (current) {
        ssl_stapling_socache_attach(pchild);
    }
}

void ssl_stapling_register_hooks(apr_pool_t *p)
{
    (void)p;
    kv_hook_child_init(stapling_child_init, NULL, NULL, KV_HOOK_MIDDLE);
}

static int nibble(char c)
{
    return c >= 'a' ? c - 'a' + 10 : c - '0';
}

/* The bytes that @a hex (the store's lower-case hex) names, in @a id; their count. */
static unsigned int id_of(const char *hex, unsigned char *id)
{
    unsigned int n = 0;

    for (; hex[0] && hex[1] && n < ID_MAX; hex += 2) {
        id[n++] = (unsigned char)(nibble(hex[0]) << 4 | nibble(hex[1]));
    }
    return n;
}

apr_status_t ssl_stapling_socache_put(apr_pool_t *p, const char *id, int ok,
                                      const unsigned char *der, int len, apr_time_t keep_until)
{
    unsigned char *record, key[ID_MAX];
    unsigned int keylen = id_of(id, key);
    apr_uint64_t version = (apr_uint64_t)apr_time_now() | 1;

    if (!attached) {
        return APR_EINIT;
    }
    if (len == 0) {
        apr_status_t rv =
            current->cache_provider->remove(current->cache_instance, cache_server, key, keylen, p);

        return rv == APR_NOTFOUND ? APR_SUCCESS : rv;
    }
    record = apr_palloc(p, HEADER_LEN + (apr_size_t)len);
    record[0] = ok ? 1 : 0;
    for (int i = 0; i < 8; i++) {
        record[1 + i] = (unsigned char)(version >> (56 - 8 * i));
    }
    memcpy(record + HEADER_LEN, der, (size_t)len);
    return current->cache_provider->store(current->cache_instance, cache_server, key, keylen,
                                          keep_until, record, (unsigned int)(HEADER_LEN + len), p);
}

/* In a handshake, in any thread: a pool of its own for the provider's call. */
int ssl_stapling_socache_get(const char *id, apr_uint64_t *version, unsigned char *der, int *len,
                             int *ok)
{
    unsigned char record[HEADER_LEN + SSL_STAPLING_MAX_DER], key[ID_MAX];
    unsigned int keylen = id_of(id, key), got = sizeof(record);
    apr_uint64_t now_version = 0;
    apr_pool_t *p = NULL;

    if (!attached || apr_pool_create_unmanaged_ex(&p, NULL, NULL) != APR_SUCCESS) {
        return 0;
    }
    if (current->cache_provider->retrieve(current->cache_instance, cache_server, key, keylen,
                                          record, &got, p) == APR_SUCCESS &&
        got > HEADER_LEN) {
        for (int i = 0; i < 8; i++) {
            now_version = (now_version << 8) | record[1 + i];
        }
    }
    apr_pool_destroy(p);
    if (now_version == *version) {
        return 0;
    }
    *version = now_version;
    *len = now_version ? (int)(got - HEADER_LEN) : 0;
    *ok = now_version && record[0] == 1;
    if (*len > 0) {
        memcpy(der, record + HEADER_LEN, (size_t)*len);
    }
    return 1;
}
