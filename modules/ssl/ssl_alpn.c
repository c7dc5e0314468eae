/* mod_ssl's ALPN (ssl_alpn.h). The server chooses, in its own order of preference; a client
 * that offers none of the registered protocols gets RFC 7301's no_application_protocol
 * alert. */
#include <string.h>

#include <apr_strings.h>

#include "kv_connection.h"
#include "kv_log.h"
#include "ssl_alpn.h"

#define KV_LOG_MODULE "ssl"

/* The registered protocols in ALPN's wire format (each name after its length byte), most
 * preferred first: the last registered. */
typedef struct {
    unsigned char *wire;
    unsigned len;
} alpn_offer_t;

static alpn_offer_t *make_offer(apr_pool_t *pconf)
{
    const apr_array_header_t *protos = kv_protocols();
    alpn_offer_t *offer = apr_pcalloc(pconf, sizeof(*offer));
    unsigned at = 0;

    for (int i = 0; protos && i < protos->nelts; i++) {
        offer->len += 1 + (unsigned)strlen(APR_ARRAY_IDX(protos, i, const char *));
    }
    offer->wire = apr_palloc(pconf, offer->len + 1);
    for (int i = protos ? protos->nelts - 1 : -1; i >= 0; i--) {
        const char *name = APR_ARRAY_IDX(protos, i, const char *);
        size_t n = strlen(name);

        offer->wire[at++] = (unsigned char)n;
        memcpy(offer->wire + at, name, n);
        at += (unsigned)n;
    }
    return offer;
}

static int select_protocol(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                           const unsigned char *in, unsigned int inlen, void *arg)
{
    const alpn_offer_t *offer = arg;
    unsigned char *chosen;

    (void)ssl;
    if (SSL_select_next_proto(&chosen, outlen, offer->wire, offer->len, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_ALERT_FATAL; /* no_application_protocol */
    }
    *out = chosen;
    return SSL_TLSEXT_ERR_OK;
}

void ssl_alpn_ctx_setup(apr_pool_t *pconf, SSL_CTX *ctx)
{
    SSL_CTX_set_alpn_select_cb(ctx, select_protocol, make_offer(pconf));
}

/* The registered name ALPN agreed on, or NULL. */
static const char *agreed(SSL *ssl)
{
    const apr_array_header_t *protos = kv_protocols();
    const unsigned char *data;
    unsigned int len;

    SSL_get0_alpn_selected(ssl, &data, &len);
    for (int i = 0; len > 0 && protos && i < protos->nelts; i++) {
        const char *name = APR_ARRAY_IDX(protos, i, const char *);

        if (strlen(name) == len && memcmp(name, data, len) == 0) {
            return name;
        }
    }
    return NULL;
}

int ssl_alpn_handshake_step(kv_conn_t *c, ssl_conn_t *sc)
{
    SSL *ssl = ssl_transport_ssl(sc);
    apr_interval_time_t timeout = 0;
    apr_status_t rv;

    /* No SSL: plain HTTP (HTTP/1 answers it 400) or a fatal TLS error (its reads fail). */
    if (!ssl || SSL_is_init_finished(ssl)) {
        return KV_DECLINED; /* every later step: a check of a flag */
    }
    if (c->async) {
        apr_socket_timeout_get(c->sock, &timeout);
        apr_socket_timeout_set(c->sock, 0); /* the connection waits in the MPM instead */
    }
    rv = ssl_transport_handshake(sc);
    if (c->async) {
        apr_socket_timeout_set(c->sock, timeout);
    }
    if (rv == APR_SUCCESS) {
        if (!c->protocol && SSL_is_init_finished(ssl)) {
            c->protocol = agreed(ssl);
        }
        return KV_DECLINED;
    }
    if (APR_STATUS_IS_EAGAIN(rv) && c->async) {
        c->state = KV_CONN_STATE_READ_REQUEST;
    } else if (c->async) {
        /* Failed: the connection ends, also when a wait for the client's flight woke this step
         * (state READ_REQUEST), lest the HTTP loop read on through the failed layer in plain
         * text. */
        c->state = KV_CONN_STATE_LINGER;
    }
    return KV_OK;
}
