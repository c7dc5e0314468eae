/* mod_ssl's session ticket keys (ssl_tickets.h). The secret is made at post_config, in the
 * parent, before the children fork: they all derive the same key for a period from it
 * (ssl_ticket_key.c), so a ticket one child issued resumes on any other, and no key lives
 * longer than two periods. A new generation makes a new secret, as httpd's OpenSSL makes new
 * keys for each generation's contexts. */
#include <string.h>

#include <apr_file_io.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <openssl/core_names.h>
#include <openssl/rand.h>

#include "kv_log.h"
#include "ssl_config.h"
#include "ssl_ticket_key.h"
#include "ssl_tickets.h"

#define KV_LOG_MODULE "ssl"

/* How long a derived key issues tickets: an hour, then an hour more in which its tickets still
 * resume (and are renewed). */
#define DEFAULT_ROTATION apr_time_from_sec(3600)

/* A derived key kept for its period: deriving costs three HMACs, each fetching SHA-256 from
 * the provider store (tens of thousands of instructions, and a lock in OpenSSL 3.0), which
 * every ticket issued or opened would otherwise pay. */
typedef struct {
    uint64_t period;
    int valid;
    ssl_ticket_key_t key;
} derived_key_t;

/* What a context's callback needs, in the context's ex_data. */
typedef struct {
    const unsigned char *secret; /* the generation's; NULL with a fixed key */
    apr_interval_time_t rotation;
    ssl_ticket_key_t fixed;
    apr_thread_mutex_t *lock; /* over derived, between a child's threads */
    derived_key_t derived[2]; /* by the period's parity: the current and the previous one */
} tickets_t;

static int ex_index = -1;

const char *ssl_set_ticket_key_file(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv)
{
    ssl_server_conf_t *conf = c;
    const char *path = kv_server_root_relative(cmd->pool, argv[0]);
    unsigned char *bytes = apr_palloc(cmd->pool, SSL_TICKET_KEY_FILE_LEN + 1);
    apr_size_t len = 0;
    apr_file_t *f;
    apr_status_t rv;
    char reason[120];

    (void)argc;
    rv = apr_file_open(&f, path, APR_FOPEN_READ | APR_FOPEN_BINARY, 0, cmd->temp_pool);
    if (rv == APR_SUCCESS) {
        /* One byte more than a key: a longer file is not a key file either. */
        rv = apr_file_read_full(f, bytes, SSL_TICKET_KEY_FILE_LEN + 1, &len);
        apr_file_close(f);
    }
    if (rv != APR_SUCCESS && rv != APR_EOF) {
        return apr_psprintf(cmd->pool, "SSLSessionTicketKeyFile: cannot read '%s': %s", path,
                            apr_strerror(rv, reason, sizeof(reason)));
    }
    if (len != SSL_TICKET_KEY_FILE_LEN) {
        return apr_psprintf(cmd->pool,
                            "SSLSessionTicketKeyFile: '%s' must hold exactly %d bytes (openssl "
                            "rand 48 makes them), not %s",
                            path, SSL_TICKET_KEY_FILE_LEN,
                            len > SSL_TICKET_KEY_FILE_LEN
                                ? "more"
                                : apr_psprintf(cmd->temp_pool, "%lu", (unsigned long)len));
    }
    conf->ticket_key_file = bytes;
    return NULL;
}

static int set_cipher_and_mac(const ssl_ticket_key_t *key, const unsigned char *iv,
                              EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
    const EVP_CIPHER *cipher = key->aes_len == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, (void *)key->hmac, key->hmac_len),
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
        OSSL_PARAM_construct_end()};

    if (!(enc ? EVP_EncryptInit_ex(cctx, cipher, NULL, key->aes, iv)
              : EVP_DecryptInit_ex(cctx, cipher, NULL, key->aes, iv))) {
        return 0;
    }
    return EVP_MAC_CTX_set_params(hctx, params);
}

/* The key of @a period, derived once per process and period. */
static int period_key(tickets_t *t, uint64_t period, ssl_ticket_key_t *key)
{
    derived_key_t *slot = &t->derived[period & 1];
    int ok = 1;

    apr_thread_mutex_lock(t->lock);
    if (!slot->valid || slot->period != period) {
        ok = slot->valid = ssl_ticket_key_derive(t->secret, period, &slot->key);
        slot->period = period;
    }
    if (ok) {
        *key = slot->key;
    }
    apr_thread_mutex_unlock(t->lock);
    return ok;
}

/* OpenSSL's ticket key callback: to issue (enc), the current period's key; to open, the key
 * the ticket names if it is the current one (1) or the one before (2: resume, and issue a new
 * ticket), else a full handshake (0). */
static int ticket_key_cb(SSL *ssl, unsigned char *key_name, unsigned char *iv, EVP_CIPHER_CTX *cctx,
                         EVP_MAC_CTX *hctx, int enc)
{
    tickets_t *t = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ex_index);
    ssl_ticket_key_t key;
    uint64_t period = 0;

    if (!t) {
        return enc ? -1 : 0;
    }
    if (!t->secret) {
        key = t->fixed;
    } else {
        period = ssl_ticket_period(apr_time_now(), t->rotation);
        if (!period_key(t, period, &key)) {
            return -1;
        }
    }
    if (enc) {
        if (RAND_bytes(iv, EVP_MAX_IV_LENGTH) != 1) {
            return -1;
        }
        memcpy(key_name, key.name, SSL_TICKET_NAME_LEN);
        return set_cipher_and_mac(&key, iv, cctx, hctx, 1) ? 1 : -1;
    }
    if (memcmp(key_name, key.name, SSL_TICKET_NAME_LEN) == 0) {
        return set_cipher_and_mac(&key, iv, cctx, hctx, 0) ? 1 : -1;
    }
    if (t->secret && period > 0 && period_key(t, period - 1, &key) &&
        memcmp(key_name, key.name, SSL_TICKET_NAME_LEN) == 0) {
        return set_cipher_and_mac(&key, iv, cctx, hctx, 0) ? 2 : -1;
    }
    return 0;
}

/* The generation's secret, made once in the parent at its first use. */
static const unsigned char *generation_secret(apr_pool_t *pconf)
{
    static const char key[] = "mod_ssl ticket secret";
    unsigned char *secret = NULL;

    apr_pool_userdata_get((void **)&secret, key, pconf);
    if (!secret) {
        secret = apr_palloc(pconf, SSL_TICKET_SECRET_LEN);
        if (RAND_bytes(secret, SSL_TICKET_SECRET_LEN) != 1) {
            return NULL;
        }
        apr_pool_userdata_set(secret, key, apr_pool_cleanup_null, pconf);
    }
    return secret;
}

int ssl_tickets_ctx(apr_pool_t *pconf, kv_server_t *s, SSL_CTX *ctx, const unsigned char *key_file,
                    apr_interval_time_t rotation)
{
    tickets_t *t = apr_pcalloc(pconf, sizeof(*t));

    if (ex_index < 0) {
        ex_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    }
    if (key_file) {
        ssl_ticket_key_from_file(key_file, &t->fixed);
    } else {
        t->secret = generation_secret(pconf);
        t->rotation = rotation == KV_UNSET_TIME ? DEFAULT_ROTATION : rotation;
    }
    if (ex_index < 0 || (!key_file && !t->secret) ||
        apr_thread_mutex_create(&t->lock, APR_THREAD_MUTEX_DEFAULT, pconf) != APR_SUCCESS ||
        !SSL_CTX_set_ex_data(ctx, ex_index, t) ||
        !SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_key_cb)) {
        kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, 0, s,
                     "KV01528: cannot set up the session ticket keys: %s", ssl_error_text(pconf));
        return 0;
    }
    return 1;
}

void ssl_tickets_inherit(SSL_CTX *from, SSL_CTX *to)
{
    unsigned char keys[80]; /* name, HMAC and AES keys: OpenSSL's size for this call */
    tickets_t *t = ex_index < 0 ? NULL : SSL_CTX_get_ex_data(from, ex_index);

    if (t) {
        SSL_CTX_set_ex_data(to, ex_index, t);
        SSL_CTX_set_tlsext_ticket_key_evp_cb(to, ticket_key_cb);
        return;
    }
    if (SSL_CTX_get_tlsext_ticket_keys(from, keys, sizeof(keys)) == 1) {
        SSL_CTX_set_tlsext_ticket_keys(to, keys, sizeof(keys));
    }
    OPENSSL_cleanse(keys, sizeof(keys));
}
