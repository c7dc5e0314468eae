/* mod_ssl: certificates renewed on disk (ssl_renew.h).
 *
 * A child looks at the files of a TLS server when a handshake asks for the server's SSL_CTX,
 * at most once per SSLCertificateCheckInterval: one stat per file, never a read. When one
 * changed, the whole set is read again and a new SSL_CTX is made by post_config's builder
 * (ssl_context_make); new handshakes get it, connections under way keep theirs (an SSL holds
 * a reference to its SSL_CTX), and the old one goes with its last connection. A set that does
 * not load (unreadable, half written, a key that is not its certificate's, an encrypted key
 * that none of the passphrases that worked at start decrypts) is logged once and the set in
 * use stays; it is tried again when the files change again. Each child does this on its own:
 * nothing is shared, so nothing waits for another process. */
#include <string.h>

#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "kv_log.h"
#include "ssl_context.h"
#include "ssl_keys.h"
#include "ssl_renew.h"
#include "ssl_tickets.h"

#define KV_LOG_MODULE "ssl"

/* What a stat says of a file. A change of any of these is a renewal: a file renamed over the
 * old one or a symbolic link pointed elsewhere changes the inode, one written in place its
 * times and size; a file gone is a change too (and does not load). */
typedef struct {
    apr_status_t rv;
    apr_ino_t inode;
    apr_dev_t device;
    apr_off_t size;
    apr_time_t mtime, ctime;
} file_state_t;

typedef struct {
    const char *path;
    file_state_t seen;
} watched_t;

struct ssl_renew {
    kv_server_t *s;
    const ssl_server_conf_t *conf; /* post_config's: the file names and the settings */
    apr_array_header_t *files;     /* watched_t: each certificate, key and chain file once */
    apr_thread_mutex_t *lock;      /* over all that follows, between a child's threads */
    apr_pool_t *scratch;           /* the stats' pool, cleared after each look */
    SSL_CTX *ctx;                  /* new handshakes'; one reference is ours */
    apr_time_t next_check;
};

/* The SSL_CTX ex_data slot holding a renewed context's pool (what its files were read into
 * and its builder allocated), destroyed with the context. One for the process. */
static int ctx_pool_index = -1;

static void free_ctx_pool(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
                          void *argp)
{
    (void)parent;
    (void)ad;
    (void)idx;
    (void)argl;
    (void)argp;
    if (ptr) {
        apr_pool_destroy(ptr);
    }
}

/* ---- Looking at the files ------------------------------------------------------------ */

static file_state_t state_of(apr_pool_t *p, const char *path)
{
    file_state_t st;
    apr_finfo_t fi;

    memset(&st, 0, sizeof(st));
    st.rv = apr_stat(&fi, path,
                     APR_FINFO_IDENT | APR_FINFO_SIZE | APR_FINFO_MTIME | APR_FINFO_CTIME, p);
    if (st.rv == APR_SUCCESS || st.rv == APR_INCOMPLETE) {
        st.rv = APR_SUCCESS;
        st.inode = fi.inode;
        st.device = fi.device;
        st.size = fi.size;
        st.mtime = fi.mtime;
        st.ctime = fi.ctime;
    }
    return st;
}

static int same_state(const file_state_t *a, const file_state_t *b)
{
    return a->rv == b->rv && a->inode == b->inode && a->device == b->device && a->size == b->size &&
           a->mtime == b->mtime && a->ctime == b->ctime;
}

/* A file changed since the configuration began to be read may have changed after it was
 * read, before this look: it counts as unseen, so the first look reads it again. */
static void watch(ssl_renew_t *rn, apr_pool_t *p, const char *path)
{
    watched_t *w;

    for (int i = 0; i < rn->files->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(rn->files, i, watched_t).path, path) == 0) {
            return;
        }
    }
    w = apr_array_push(rn->files);
    w->path = path;
    w->seen = state_of(p, path);
    if (w->seen.ctime >= rn->conf->read_from || w->seen.mtime >= rn->conf->read_from) {
        w->seen.rv = APR_EGENERAL;
    }
}

/* Did any file change since the last look? Each one's state is kept, so that a set that does
 * not load is tried once per change. */
static int files_changed(ssl_renew_t *rn)
{
    int changed = 0;

    for (int i = 0; i < rn->files->nelts; i++) {
        watched_t *w = &APR_ARRAY_IDX(rn->files, i, watched_t);
        file_state_t now = state_of(rn->scratch, w->path);

        if (!same_state(&now, &w->seen)) {
            w->seen = now;
            changed = 1;
        }
    }
    apr_pool_clear(rn->scratch);
    return changed;
}

/* ---- Reading the files again ---------------------------------------------------------- */

/* A PEM file's certificates, in order, and its first private key, owned by its X509_INFOs. */
typedef struct {
    STACK_OF(X509_INFO) * infos;
    STACK_OF(X509) * certs;
    EVP_PKEY *key;
} pem_t;

static apr_status_t free_pem(void *data)
{
    pem_t *pem = data;

    sk_X509_free(pem->certs);
    sk_X509_INFO_pop_free(pem->infos, X509_INFO_free);
    return APR_SUCCESS;
}

/* Read @a path in @a p's lifetime; NULL with *err naming the file and the reason. */
static pem_t *read_pem(apr_pool_t *p, const char *path, const char **err)
{
    pem_t *pem = apr_pcalloc(p, sizeof(*pem));
    BIO *bio;

    ERR_clear_error();
    bio = BIO_new_file(path, "r");
    /* An empty passphrase: an encrypted key fails to read rather than prompt for one (the
     * SSLCertificateKeyFile keys are read by ssl_pphrase_renewed_key, which knows more). */
    pem->infos = bio ? PEM_X509_INFO_read_bio(bio, NULL, NULL, (void *)"") : NULL;
    BIO_free(bio);
    if (!pem->infos) {
        *err = apr_psprintf(p, "'%s' cannot be read: %s", path, ssl_error_text(p));
        return NULL;
    }
    pem->certs = sk_X509_new_null();
    apr_pool_cleanup_register(p, pem, free_pem, apr_pool_cleanup_null);
    for (int i = 0; i < sk_X509_INFO_num(pem->infos); i++) {
        X509_INFO *info = sk_X509_INFO_value(pem->infos, i);

        if (info->x509) {
            sk_X509_push(pem->certs, info->x509);
        }
        if (info->x_pkey && info->x_pkey->dec_pkey && !pem->key) {
            pem->key = info->x_pkey->dec_pkey;
        }
    }
    return pem;
}

static const char *read_keys(apr_pool_t *p, const ssl_server_conf_t *conf, ssl_server_conf_t *n)
{
    const char *err = NULL;

    for (int i = 0; conf->keys && i < conf->keys->nelts; i++) {
        const ssl_key_t *key = &APR_ARRAY_IDX(conf->keys, i, ssl_key_t);
        ssl_key_t *now = apr_array_push(n->keys);
        EVP_PKEY *pkey = ssl_pphrase_renewed_key(p, key->key_file, &err);

        if (!pkey) {
            return err;
        }
        *now = *key;
        now->key = pkey;
    }
    return NULL;
}

/* Each certificate with the chain after it in its file, and its key matching it. */
static const char *read_certs(apr_pool_t *p, const ssl_server_conf_t *conf, ssl_server_conf_t *n)
{
    const char *err = NULL;

    for (int i = 0; i < conf->certs->nelts; i++) {
        ssl_cert_t *now = apr_array_push(n->certs);
        pem_t *pem;
        EVP_PKEY *key;
        const char *key_file;

        *now = APR_ARRAY_IDX(conf->certs, i, ssl_cert_t);
        if (!(pem = read_pem(p, now->cert_file, &err))) {
            return err;
        }
        if (sk_X509_num(pem->certs) == 0) {
            return apr_psprintf(p, "no certificate could be read from '%s'", now->cert_file);
        }
        now->cert = sk_X509_shift(pem->certs);
        now->chain = pem->certs;
        now->own_key = pem->key;
        key = i < n->keys->nelts ? APR_ARRAY_IDX(n->keys, i, ssl_key_t).key : now->own_key;
        key_file =
            i < n->keys->nelts ? APR_ARRAY_IDX(n->keys, i, ssl_key_t).key_file : now->cert_file;
        ERR_clear_error();
        if (key && X509_check_private_key(now->cert, key) != 1) {
            ERR_clear_error();
            return apr_psprintf(p, "the private key in '%s' does not match the certificate in '%s'",
                                key_file, now->cert_file);
        }
    }
    return NULL;
}

/* The files as they are now, in a copy of @a conf in @a p; NULL with *err. */
static ssl_server_conf_t *read_set(apr_pool_t *p, const ssl_server_conf_t *conf, const char **err)
{
    ssl_server_conf_t *n = apr_pmemdup(p, conf, sizeof(*conf));
    pem_t *chain;

    n->ctx = NULL;
    n->certs = apr_array_make(p, conf->certs->nelts, sizeof(ssl_cert_t));
    n->keys = apr_array_make(p, 2, sizeof(ssl_key_t));
    if ((*err = read_keys(p, conf, n)) != NULL || (*err = read_certs(p, conf, n)) != NULL) {
        return NULL;
    }
    if (conf->chain_file) {
        if (!(chain = read_pem(p, conf->chain_file, err))) {
            return NULL;
        }
        if (sk_X509_num(chain->certs) == 0) {
            *err = apr_psprintf(p, "no certificate could be read from '%s'", conf->chain_file);
            return NULL;
        }
        n->chain = chain->certs;
    }
    return n;
}

/* Make a context of the files as they are now for new handshakes, or log why not. */
static void renew(ssl_renew_t *rn)
{
    const char *err = NULL;
    ssl_server_conf_t *n;
    apr_pool_t *p;

    /* Its own allocator: the last connection of the context may destroy it in any thread. */
    if (apr_pool_create_unmanaged_ex(&p, NULL, NULL) != APR_SUCCESS) {
        return;
    }
    n = read_set(p, rn->conf, &err);
    if (!n) {
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, 0, rn->s,
                     "KV01560: the renewed certificates of %s are not used, the ones loaded "
                     "before stay: %s",
                     ssl_server_where(p, rn->s), err);
        apr_pool_destroy(p);
        return;
    }
    if (!ssl_context_make(p, rn->s, n, KV_LOG_ERR)) {
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, 0, rn->s,
                     "KV01561: the renewed certificates of %s are not used, the ones loaded "
                     "before stay (the message before says why)",
                     ssl_server_where(p, rn->s));
        apr_pool_destroy(p);
        return;
    }
    SSL_CTX_set_ex_data(n->ctx, ctx_pool_index, p);
    /* Tickets stay good across a renewal and across the children. */
    ssl_tickets_inherit(rn->ctx, n->ctx);
    /* The renewed certificates' own responses, which the fetcher asks for once it sees the
     * renewal too. */
    ssl_stapling_renewed(p, rn->s, &n->stapling, n->certs, n->chain, n->ctx);
    SSL_CTX_free(rn->ctx);
    rn->ctx = n->ctx;
    kv_log_error(KV_LOG_MARK, KV_LOG_NOTICE, 0, rn->s,
                 "KV01562: new handshakes of %s use the renewed certificate in '%s'",
                 ssl_server_where(p, rn->s),
                 APR_ARRAY_IDX(rn->conf->certs, 0, ssl_cert_t).cert_file);
}

/* ---- The accessor ----------------------------------------------------------------------- */

static apr_status_t unwatch(void *data)
{
    ssl_renew_t *rn = data;

    SSL_CTX_free(rn->ctx);
    apr_pool_destroy(rn->scratch);
    return APR_SUCCESS;
}

int ssl_renew_watch(apr_pool_t *pconf, kv_server_t *s, ssl_server_conf_t *conf)
{
    ssl_renew_t *rn = apr_pcalloc(pconf, sizeof(*rn));

    if (ctx_pool_index < 0) {
        ctx_pool_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, free_ctx_pool);
    }
    if (ctx_pool_index < 0 ||
        apr_thread_mutex_create(&rn->lock, APR_THREAD_MUTEX_DEFAULT, pconf) != APR_SUCCESS ||
        apr_pool_create_unmanaged_ex(&rn->scratch, NULL, NULL) != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, 0, s,
                     "KV01563: cannot set up the watch of the certificates of %s",
                     ssl_server_where(pconf, s));
        return 0;
    }
    rn->s = s;
    rn->conf = conf;
    rn->files = apr_array_make(pconf, 4, sizeof(watched_t));
    for (int i = 0; i < conf->certs->nelts; i++) {
        watch(rn, pconf, APR_ARRAY_IDX(conf->certs, i, ssl_cert_t).cert_file);
    }
    for (int i = 0; conf->keys && i < conf->keys->nelts; i++) {
        watch(rn, pconf, APR_ARRAY_IDX(conf->keys, i, ssl_key_t).key_file);
    }
    if (conf->chain_file) {
        watch(rn, pconf, conf->chain_file);
    }
    SSL_CTX_up_ref(conf->ctx);
    rn->ctx = conf->ctx;
    rn->next_check = apr_time_now() + conf->cert_check;
    apr_pool_cleanup_register(pconf, rn, unwatch, apr_pool_cleanup_null);
    conf->renew = rn;
    return 1;
}

SSL_CTX *ssl_server_ctx(const ssl_server_conf_t *conf)
{
    ssl_renew_t *rn = conf->renew;
    SSL_CTX *ctx;

    if (!rn) {
        return NULL;
    }
    apr_thread_mutex_lock(rn->lock);
    if (rn->conf->cert_check > 0) {
        apr_time_t now = apr_time_now();

        if (now >= rn->next_check) {
            rn->next_check = now + rn->conf->cert_check;
            if (files_changed(rn)) {
                renew(rn);
            }
        }
    }
    ctx = rn->ctx;
    SSL_CTX_up_ref(ctx);
    apr_thread_mutex_unlock(rn->lock);
    return ctx;
}
