/* The OCSP stapling fetcher (ssl_stapling.h): one process per generation, forked by the
 * parent at post_config and ended with the generation's pool. For each stapled certificate
 * it asks the responder (OpenSSL's HTTP client, bounded by SSLStaplingResponderTimeout),
 * verifies the answer (the signature of the issuer or of a responder the issuer certified,
 * a status for this certificate, thisUpdate/nextUpdate within SSLStaplingResponseTimeSkew and
 * SSLStaplingResponseMaxAge), publishes it in the stapling store and asks again when it is
 * due (ssl_stapling_next_fetch). Handshakes never wait for it. */
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <apr_strings.h>
#include <openssl/err.h>
#include <openssl/http.h>
#include <openssl/ocsp.h>

#include "kv_log.h"
#include "kv_mpm_common.h"
#include "ssl_config.h"
#include "ssl_renew.h"
#include "ssl_stapling.h"
#include "ssl_stapling_parse.h"

#define KV_LOG_MODULE "ssl"

extern kv_module_t ssl_module;

/* How long past its next refresh a cache keeps a response: the fetcher may be late by the
 * other certificates' responders. */
#define KEEP_MARGIN apr_time_from_sec(3600)
/* And at most this long: memcached reads a longer time to live as a date. */
#define KEEP_MAX apr_time_from_sec(30 * 24 * 3600)

/* What the fetcher last published for a certificate. */
typedef struct {
    apr_time_t next_fetch;
    apr_time_t good_until; /* a good response is published and valid until then (0: none) */
} fetch_state_t;

static apr_time_t time_of(const ASN1_GENERALIZEDTIME *t)
{
    struct tm tm;

    if (!t || !ASN1_TIME_to_tm(t, &tm)) {
        return 0;
    }
    return apr_time_from_sec(timegm(&tm));
}

void ssl_ocsp_times(const unsigned char *der, int len, apr_time_t *this_update,
                    apr_time_t *next_update)
{
    const unsigned char *p = der;
    OCSP_RESPONSE *resp = len > 0 ? d2i_OCSP_RESPONSE(NULL, &p, len) : NULL;
    OCSP_BASICRESP *bs = resp ? OCSP_response_get1_basic(resp) : NULL;
    OCSP_SINGLERESP *single = bs && OCSP_resp_count(bs) > 0 ? OCSP_resp_get0(bs, 0) : NULL;
    ASN1_GENERALIZEDTIME *this = NULL, *next = NULL;

    *this_update = *next_update = 0;
    if (single && OCSP_single_get0_status(single, NULL, NULL, &this, &next) >= 0) {
        *this_update = time_of(this);
        *next_update = time_of(next);
    }
    OCSP_BASICRESP_free(bs);
    OCSP_RESPONSE_free(resp);
    ERR_clear_error();
}

/* Ask @a item's responder; its response, or NULL with *why. */
static OCSP_RESPONSE *ask(apr_pool_t *p, const ssl_stapling_item_t *item, const char **why)
{
    char *host = NULL, *port = NULL, *path = NULL;
    int https = 0;
    OCSP_REQUEST *req = OCSP_REQUEST_new();
    OCSP_CERTID *id = OCSP_CERTID_dup(item->cid);
    BIO *body = NULL, *answer = NULL;
    OCSP_RESPONSE *resp = NULL;

    ERR_clear_error();
    if (!OSSL_HTTP_parse_url(item->url, &https, NULL, &host, &port, NULL, &path, NULL, NULL)) {
        *why = "the URL cannot be parsed";
    } else if (https) {
        *why = "only http responders are supported, as httpd's";
    } else if (!req || !id || !OCSP_request_add0_id(req, id) ||
               !(id = NULL, body = ASN1_item_i2d_mem_bio(ASN1_ITEM_rptr(OCSP_REQUEST),
                                                         (const ASN1_VALUE *)req))) {
        *why = ssl_error_text(p);
    } else {
        /* No proxy from the environment (""): httpd asks the responder directly. */
        answer = OSSL_HTTP_transfer(NULL, host, port, path, 0, "", NULL, NULL, NULL, NULL, NULL, 0,
                                    NULL, "application/ocsp-request", body,
                                    "application/ocsp-response", 1, SSL_STAPLING_MAX_DER,
                                    (int)apr_time_sec(item->conf->responder_timeout), 0);
        resp = answer ? d2i_OCSP_RESPONSE_bio(answer, NULL) : NULL;
        if (!resp) {
            *why = ssl_error_text(p);
        }
    }
    OCSP_CERTID_free(id);
    OCSP_REQUEST_free(req);
    BIO_free(body);
    BIO_free(answer);
    OPENSSL_free(host);
    OPENSSL_free(port);
    OPENSSL_free(path);
    ERR_clear_error();
    return resp;
}

/* The checks of a successful response: NULL if it is signed by the issuer or a responder
 * the issuer certified, has a status for this certificate and is current; else why not.
 * *status is that status, *until when it stops being current: its nextUpdate or the end of
 * SSLStaplingResponseMaxAge, whichever comes first (0: neither). */
static const char *verify(apr_pool_t *p, const ssl_stapling_item_t *item, OCSP_RESPONSE *resp,
                          int *status, apr_time_t *until)
{
    OCSP_BASICRESP *bs = OCSP_response_get1_basic(resp);
    X509_STORE *store = X509_STORE_new();
    STACK_OF(X509) *issuer = sk_X509_new_null();
    ASN1_GENERALIZEDTIME *this_update = NULL, *next = NULL;
    const char *why = NULL;
    int reason;

    /* The issuer is the anchor, even when it is an intermediate. */
    if (!bs || !store || !issuer || !X509_STORE_add_cert(store, item->issuer) ||
        !X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN) ||
        !sk_X509_push(issuer, item->issuer)) {
        why = apr_pstrcat(p, "it cannot be read: ", ssl_error_text(p), NULL);
    } else if (OCSP_basic_verify(bs, issuer, store, 0) <= 0) {
        why = apr_pstrcat(p, "its signature does not verify: ", ssl_error_text(p), NULL);
    } else if (!OCSP_resp_find_status(bs, item->cid, status, &reason, NULL, &this_update, &next)) {
        why = "it has no status for this certificate";
    } else if ((why = ssl_stapling_times_check(apr_time_now(), time_of(this_update), time_of(next),
                                               item->conf->time_skew, item->conf->max_age)) !=
               NULL) {
        /* why says which */
    } else {
        *until = time_of(next);
        if (item->conf->max_age >= 0 &&
            (*until == 0 || time_of(this_update) + item->conf->max_age < *until)) {
            *until = time_of(this_update) + item->conf->max_age;
        }
    }
    sk_X509_free(issuer);
    X509_STORE_free(store);
    OCSP_BASICRESP_free(bs);
    ERR_clear_error();
    return why;
}

/* Until when a cache keeps what publish stores: past the next refresh, and a good response
 * until its nextUpdate (it stays stapled through failed refreshes), at most KEEP_MAX. */
static apr_time_t keep_until(const ssl_stapling_item_t *item, int ok, const unsigned char *der,
                             int len)
{
    apr_interval_time_t refresh = item->conf->cache_timeout > item->conf->errcache_timeout
                                      ? item->conf->cache_timeout
                                      : item->conf->errcache_timeout;
    apr_time_t now = apr_time_now(), until = now + refresh + KEEP_MARGIN, this_update, next_update;

    ssl_ocsp_times(der, len, &this_update, &next_update);
    if (ok && next_update + item->conf->time_skew > until) {
        until = next_update + item->conf->time_skew;
    }
    return until < now + KEEP_MAX ? until : now + KEEP_MAX;
}

static void publish(apr_pool_t *p, const ssl_stapling_item_t *item, int ok, OCSP_RESPONSE *resp)
{
    unsigned char *der = NULL;
    int len = resp ? i2d_OCSP_RESPONSE(resp, &der) : 0;
    apr_status_t rv;

    if (len > SSL_STAPLING_MAX_DER) {
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, 0, item->server,
                     "KV01584: the OCSP response from %s for the certificate in %s is too big "
                     "(%d bytes) to staple",
                     item->url, item->cert_file, len);
        len = 0;
    }
    len = len < 0 ? 0 : len;
    rv = ssl_stapling_store_put(p, item->store_key, ok, der, len, keep_until(item, ok, der, len));
    if (rv != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, rv, item->server,
                     "KV01585: cannot publish the OCSP response for the certificate in %s in %s",
                     item->cert_file, item->store_key);
    }
    OPENSSL_free(der);
}

/* After a failure: keep a good response that is still current, else publish @a resp (an
 * error response, or a faked tryLater, or nothing). */
static void publish_failure(apr_pool_t *p, const ssl_stapling_item_t *item, fetch_state_t *st,
                            OCSP_RESPONSE *resp)
{
    OCSP_RESPONSE *fake = NULL;

    if (st->good_until > apr_time_now()) {
        return;
    }
    if (!resp && item->conf->fake_trylater == 1) {
        resp = fake = OCSP_response_create(OCSP_RESPONSE_STATUS_TRYLATER, NULL);
    }
    publish(p, item, 0, resp);
    st->good_until = 0;
    OCSP_RESPONSE_free(fake);
}

static void fetch(apr_pool_t *p, const ssl_stapling_item_t *item, fetch_state_t *st)
{
    const char *why = NULL;
    OCSP_RESPONSE *resp = ask(p, item, &why);
    int rstatus = resp ? OCSP_response_status(resp) : -1;
    int status = V_OCSP_CERTSTATUS_UNKNOWN, ok = 0;
    apr_time_t until = 0;

    if (!resp) {
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, 0, item->server,
                     "KV01586: the OCSP responder %s for the certificate in %s did not answer: %s",
                     item->url, item->cert_file, why);
        publish_failure(p, item, st, NULL);
    } else if (rstatus != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, 0, item->server,
                     "KV01587: the OCSP responder %s for the certificate in %s answered %s",
                     item->url, item->cert_file, OCSP_response_status_str(rstatus));
        publish_failure(p, item, st, resp);
    } else if ((why = verify(p, item, resp, &status, &until)) != NULL) {
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, 0, item->server,
                     "KV01588: bad OCSP response from %s for the certificate in %s: %s; it is "
                     "not stapled",
                     item->url, item->cert_file, why);
        if (st->good_until <= apr_time_now()) {
            publish(p, item, 0, NULL);
            st->good_until = 0;
        }
    } else {
        ok = status == V_OCSP_CERTSTATUS_GOOD;
        if (!ok) {
            kv_log_error(KV_LOG_MARK, KV_LOG_WARNING, 0, item->server,
                         "KV01589: the OCSP responder %s says the certificate in %s is %s",
                         item->url, item->cert_file, OCSP_cert_status_str(status));
        }
        publish(p, item, ok, resp);
        /* Without a nextUpdate, a good one is kept through failures for the cache time. */
        st->good_until = ok ? (until ? until : apr_time_now() + item->conf->cache_timeout) : 0;
    }
    st->next_fetch = ssl_stapling_next_fetch(apr_time_now(), ok, item->conf->cache_timeout,
                                             item->conf->errcache_timeout, ok ? until : 0);
    OCSP_RESPONSE_free(resp);
}

/* One certificate the fetcher fetches for. */
typedef struct {
    const ssl_stapling_item_t *item;
    const apr_array_header_t *origin; /* the renewed context's items it is one of; NULL:
                                       * post_config's, which live as long as the fetcher */
    fetch_state_t state;
} entry_t;

/* A stapled server's context as the fetcher last saw it, one reference held. */
typedef struct {
    const ssl_server_conf_t *conf;
    SSL_CTX *ctx;
} watched_t;

static int fetching(const apr_array_header_t *entries, const ssl_stapling_item_t *item)
{
    for (int i = 0; i < entries->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(entries, i, entry_t).item->store_key, item->store_key) == 0) {
            return 1;
        }
    }
    return 0;
}

static void add_entries(apr_array_header_t *entries, const apr_array_header_t *items,
                        const apr_array_header_t *origin)
{
    for (int i = 0; items && i < items->nelts; i++) {
        const ssl_stapling_item_t *item = APR_ARRAY_IDX(items, i, ssl_stapling_item_t *);

        if (!fetching(entries, item)) {
            entry_t *e = apr_array_push(entries);

            memset(e, 0, sizeof(*e));
            e->item = item;
            e->origin = origin;
        }
    }
}

/* Forget the entries of @a origin, a renewed context's items about to be freed with it. */
static void drop_entries(apr_array_header_t *entries, const apr_array_header_t *origin)
{
    int kept = 0;

    for (int i = 0; i < entries->nelts; i++) {
        entry_t *e = &APR_ARRAY_IDX(entries, i, entry_t);

        if (!origin || e->origin != origin) {
            APR_ARRAY_IDX(entries, kept++, entry_t) = *e;
        }
    }
    entries->nelts = kept;
}

/* The servers of @a items, each once, with the context post_config made. */
static apr_array_header_t *watch_servers(apr_pool_t *p, const apr_array_header_t *items)
{
    apr_array_header_t *watched = apr_array_make(p, items->nelts, sizeof(watched_t));

    for (int i = 0; i < items->nelts; i++) {
        const ssl_server_conf_t *conf = kv_get_module_config(
            APR_ARRAY_IDX(items, i, ssl_stapling_item_t *)->server->module_config, &ssl_module);
        int seen = 0;

        for (int j = 0; j < watched->nelts && !seen; j++) {
            seen = APR_ARRAY_IDX(watched, j, watched_t).conf == conf;
        }
        if (!seen && conf->renew) {
            watched_t *w = apr_array_push(watched);

            w->conf = conf;
            w->ctx = conf->ctx;
            SSL_CTX_up_ref(w->ctx);
        }
    }
    return watched;
}

/* Certificates renewed on disk: the fetcher looks at the files as a child does
 * (ssl_server_ctx, at most once per SSLCertificateCheckInterval) and fetches for the renewed
 * context's certificates, which the children staple once they have renewed too. */
static void pick_up_renewals(apr_array_header_t *entries, apr_array_header_t *watched)
{
    for (int i = 0; i < watched->nelts; i++) {
        watched_t *w = &APR_ARRAY_IDX(watched, i, watched_t);
        SSL_CTX *ctx = ssl_server_ctx(w->conf);

        if (ctx && ctx != w->ctx) {
            if (w->ctx != w->conf->ctx) {
                drop_entries(entries, ssl_stapling_items_of(w->ctx));
            }
            SSL_CTX_free(w->ctx);
            w->ctx = ctx;
            add_entries(entries, ssl_stapling_items_of(ctx), ssl_stapling_items_of(ctx));
        } else if (ctx) {
            SSL_CTX_free(ctx);
        }
    }
}

void ssl_ocsp_fetcher_run(apr_pool_t *p, apr_array_header_t *items)
{
    pid_t parent = getppid();
    apr_array_header_t *entries = apr_array_make(p, items->nelts, sizeof(entry_t)), *watched;
    const ssl_stapling_item_t *first = APR_ARRAY_IDX(items, 0, ssl_stapling_item_t *);
    apr_pool_t *scratch;
    apr_status_t rv;

    /* Stopped only by the end of its generation (SIGTERM); a graceful restart's signals
     * are for the children that serve. */
    signal(SIGUSR1, SIG_IGN);
    signal(SIGWINCH, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    apr_pool_create(&scratch, p);
    /* It talks to the network: as User and Group, as the children do. */
    rv = ssl_stapling_store_prepare(scratch);
    if (rv != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, rv, first->server,
                     "KV01591: cannot make the OCSP stapling store ready; no response is "
                     "stapled");
        _exit(1);
    }
    if (kv_mpm_change_identity(first->server) != APR_SUCCESS) {
        _exit(1);
    }
    add_entries(entries, items, NULL);
    watched = watch_servers(p, items);
    for (;;) {
        apr_time_t now = apr_time_now(), wake = now + apr_time_from_sec(1);

        for (int i = 0; i < entries->nelts; i++) {
            entry_t *e = &APR_ARRAY_IDX(entries, i, entry_t);

            if (now >= e->state.next_fetch) {
                fetch(scratch, e->item, &e->state);
                apr_pool_clear(scratch);
            }
            wake = e->state.next_fetch < wake ? e->state.next_fetch : wake;
        }
        if (getppid() != parent) {
            _exit(0);
        }
        pick_up_renewals(entries, watched);
        now = apr_time_now();
        if (wake > now) {
            apr_sleep(wake - now);
        }
    }
}
