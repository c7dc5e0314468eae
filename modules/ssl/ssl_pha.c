/* A client certificate asked for in the middle of a connection (ssl_pha.h), as httpd's
 * ssl_hook_Access for TLS 1.3: when a request's directory (SSLVerifyClient, SSLVerifyDepth
 * in <Directory>, <Location>, <Files>) needs more than its connection has, the access checker
 * sends a CertificateRequest (post-handshake authentication, RFC 8446 section 4.6.2) and
 * reads the client's records until its Finished, within Timeout, before the request goes on.
 *
 * The request is already on a thread (a worker under event), so the exchange waits there,
 * polling the socket (non-blocking under event) until a deadline. What the client sent before
 * its answer (the request's body, a pipelined request) is plaintext the protocol has not read
 * yet: it is held, up to SSLRenegBufferSize, by a small transport layer pushed on top of the
 * stack, which gives it back before anything else, so nothing is lost or read out of order.
 *
 * TLS 1.2 would need a renegotiation, which kiva does not do (SSL_OP_NO_RENEGOTIATION): the
 * request is refused with 403 and a line that says so. */
#include <string.h>

#include <apr_poll.h>
#include <apr_strings.h>
#include <openssl/err.h>

#include "kv_connection.h"
#include "kv_log.h"
#include "kv_transport.h"
#include "ssl_config.h"
#include "ssl_pha.h"
#include "ssl_pha_rule.h"
#include "ssl_verify.h"

#define KV_LOG_MODULE "ssl"

extern kv_module_t ssl_module;

/* What one read of the client's records takes at most. */
#define READ_CHUNK 16384

/* The state of a connection asked for a certificate after its handshake: the ctx of its held
 * layer, made at the first request that asks. */
typedef struct {
    kv_transport_t *layer;
    char *held;             /* plaintext read during an exchange, given back first */
    apr_size_t held_at;     /* how much of it was given back */
    apr_size_t held_len;    /* how much there is */
    apr_size_t held_room;   /* the size of @a held */
    int finished;           /* the client's Finished came in (on_message) */
    unsigned long messages; /* records and messages OpenSSL has read (on_message) */
    int depth;              /* the SSLVerifyDepth its certificate was verified under */
    ssl_verify_want_t want; /* what the verify callback checks the certificate against */
} pha_conn_t;

/* ---- Per-directory configuration -------------------------------------------------------- */

void ssl_pha_dir_init(ssl_dir_conf_t *conf)
{
    conf->verify_client = KV_UNSET_INT;
    conf->verify_depth = KV_UNSET_INT;
    conf->reneg_buffer = -1;
}

void ssl_pha_dir_merge(ssl_dir_conf_t *conf, const ssl_dir_conf_t *base, const ssl_dir_conf_t *add)
{
    conf->verify_client = KV_MERGE_INT(add->verify_client, base->verify_client, KV_UNSET_INT);
    conf->verify_depth = KV_MERGE_INT(add->verify_depth, base->verify_depth, KV_UNSET_INT);
    conf->reneg_buffer = add->reneg_buffer >= 0 ? add->reneg_buffer : base->reneg_buffer;
}

/* ---- The held layer --------------------------------------------------------------------- */

static apr_status_t held_recv(kv_transport_t *t, char *buf, apr_size_t *len)
{
    pha_conn_t *pc = t->ctx;
    apr_size_t left = pc->held_len - pc->held_at;

    if (left == 0) {
        return kv_transport_layer_recv(t->next, buf, len);
    }
    *len = *len < left ? *len : left;
    memcpy(buf, pc->held + pc->held_at, *len);
    pc->held_at += *len;
    return APR_SUCCESS;
}

static apr_size_t held_pending(kv_transport_t *t)
{
    const pha_conn_t *pc = t->ctx;

    return pc->held_len - pc->held_at;
}

/* Only reads are held: every other op passes to the layers below. */
static const kv_transport_ops_t held_ops = {
    .name = "tls post-handshake",
    .recv = held_recv,
    .pending = held_pending,
};

/* The connection's state, if a request of it asked already. */
static pha_conn_t *find_conn(kv_conn_t *c)
{
    for (kv_transport_t *t = c->transport; t; t = t->next) {
        if (t->ops == &held_ops) {
            return t->ctx;
        }
    }
    return NULL;
}

static pha_conn_t *make_conn(kv_conn_t *c)
{
    pha_conn_t *pc = apr_pcalloc(c->pool, sizeof(*pc));

    pc->depth = KV_UNSET_INT;
    pc->layer = kv_transport_push(c, &held_ops, pc);
    return pc;
}

/* Keep @a n bytes read during the exchange after those not given back yet; 0 when that would
 * be more than @a most. */
static int hold(kv_conn_t *c, pha_conn_t *pc, const char *buf, apr_size_t n, apr_size_t most)
{
    apr_size_t left = pc->held_len - pc->held_at;

    if (left + n > most) {
        return 0;
    }
    if (pc->held_len + n > pc->held_room) {
        apr_size_t room = pc->held_room ? pc->held_room : READ_CHUNK;
        char *to;

        while (room < left + n) {
            room *= 2;
        }
        to = room > pc->held_room ? apr_palloc(c->pool, room) : pc->held;
        if (left > 0) {
            memmove(to, pc->held + pc->held_at, left);
        }
        pc->held = to;
        pc->held_room = room > pc->held_room ? room : pc->held_room;
        pc->held_at = 0;
        pc->held_len = left;
    }
    memcpy(pc->held + pc->held_len, buf, n);
    pc->held_len += n;
    return 1;
}

/* ---- The exchange ----------------------------------------------------------------------- */

/* OpenSSL's message callback: the client's Finished ends its answer (OpenSSL says nothing
 * else when a post-handshake authentication is over). */
static void on_message(int write_p, int version, int content_type, const void *buf, size_t len,
                       SSL *ssl, void *arg)
{
    pha_conn_t *pc = arg;

    (void)version;
    (void)ssl;
    if (!write_p) {
        pc->messages++;
    }
    if (!write_p && content_type == SSL3_RT_HANDSHAKE && len > 0 &&
        ((const unsigned char *)buf)[0] == SSL3_MT_FINISHED) {
        pc->finished = 1;
    }
}

/* Wait until the socket is writable (@a out) or readable, at most until @a deadline. */
static apr_status_t wait_socket(kv_conn_t *c, int out, apr_time_t deadline)
{
    apr_pollfd_t pfd = {c->pool, APR_POLL_SOCKET, out ? APR_POLLOUT : APR_POLLIN, 0, {NULL}, NULL};
    apr_interval_time_t left = deadline - apr_time_now();
    apr_int32_t n = 0;
    apr_status_t rv;

    if (left <= 0) {
        return APR_TIMEUP;
    }
    pfd.desc.s = c->sock;
    do {
        rv = apr_poll(&pfd, 1, &n, left);
    } while (APR_STATUS_IS_EINTR(rv) && (left = deadline - apr_time_now()) > 0);
    return rv == APR_SUCCESS && n > 0 ? APR_SUCCESS : APR_STATUS_IS_EINTR(rv) ? APR_TIMEUP : rv;
}

/* The client's answer did not come by @a deadline: Timeout's (403, as httpd's failed read of
 * it) or, sooner, the request's read deadline (RequestReadTimeout's body stage: 408). */
static int not_answered(kv_request_t *r, int by_stage)
{
    kv_conn_t *c = r->connection;

    if (by_stage) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV01629: the client did not answer the certificate request before "
                      "RequestReadTimeout's %s deadline",
                      c->read_deadline.stage ? c->read_deadline.stage : "read");
        kv_conn_read_deadline_passed(c);
        return KV_HTTP_REQUEST_TIME_OUT;
    }
    kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                  "KV01625: the client did not answer the certificate request within Timeout "
                  "(%" APR_TIME_T_FMT " s)",
                  apr_time_sec(r->server->timeout));
    return KV_HTTP_FORBIDDEN;
}

/* Send the CertificateRequest and read until the client's Finished, holding what comes
 * before it, by Timeout or the request's read deadline if that comes first: KV_OK, or the
 * status to answer (logged). */
static int exchange(kv_request_t *r, pha_conn_t *pc, SSL *ssl, apr_size_t most)
{
    kv_conn_t *c = r->connection;
    apr_time_t deadline = apr_time_now() + r->server->timeout;
    int by_stage = c->read_deadline.at && c->read_deadline.at < deadline;
    long auto_retry = SSL_get_mode(ssl) & SSL_MODE_AUTO_RETRY;
    char *buf = apr_palloc(r->pool, READ_CHUNK);
    int sent = 0, status = KV_OK, rc, err, out;
    unsigned long seen = 0;
    apr_size_t pending, last_pending = 0;
    size_t n;

    if (by_stage) {
        deadline = c->read_deadline.at;
    }
    pc->finished = 0;
    SSL_set_msg_callback(ssl, on_message);
    SSL_set_msg_callback_arg(ssl, pc);
    /* Without it, SSL_read returns after the client's handshake records instead of waiting for
     * application data the client will not send before its response. */
    SSL_clear_mode(ssl, SSL_MODE_AUTO_RETRY);
    while (!pc->finished) {
        ERR_clear_error();
        n = 0;
        rc = sent ? SSL_read_ex(ssl, buf, READ_CHUNK, &n) : SSL_do_handshake(ssl);
        if (rc == 1) {
            if (!sent) {
                sent = 1;
            } else if (!hold(c, pc, buf, n, most)) {
                kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                              "KV01623: could not buffer message body to allow TLS "
                              "Post-Handshake Authentication to proceed: more than "
                              "SSLRenegBufferSize (%" APR_SIZE_T_FMT " bytes) came first",
                              most);
                status = KV_HTTP_REQUEST_ENTITY_TOO_LARGE;
                break;
            }
            continue;
        }
        err = SSL_get_error(ssl, rc);
        if (pc->finished) {
            break;
        }
        if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
            kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                          "KV01624: TLS post-handshake authentication failed: %s",
                          err == SSL_ERROR_SSL ? ssl_error_text(r->pool)
                                               : "the client closed the connection");
            ERR_clear_error();
            status = KV_HTTP_FORBIDDEN;
            break;
        }
        /* A layer below that answered "would block" may want the other direction (c->sense),
         * or hold bytes already (the test trickle layer): then there is nothing to wait for. */
        out = err == SSL_ERROR_WANT_WRITE || c->sense == KV_CONN_SENSE_WANT_WRITE;
        c->sense = KV_CONN_SENSE_DEFAULT;
        /* OpenSSL reads ahead: the records it holds come without waiting, but a part of one
         * needs the socket: wait unless this round took something (a record, or bytes of
         * a layer below). */
        pending = kv_transport_layer_pending(pc->layer->next);
        if (pending > 0 && (pc->messages != seen || pending != last_pending) &&
            apr_time_now() < deadline) {
            seen = pc->messages;
            last_pending = pending;
            continue;
        }
        seen = pc->messages;
        last_pending = pending;
        if (wait_socket(c, out, deadline) != APR_SUCCESS) {
            status = not_answered(r, by_stage);
            break;
        }
    }
    SSL_set_msg_callback(ssl, NULL);
    SSL_set_mode(ssl, auto_retry);
    if (status != KV_OK) {
        r->close_connection = 1; /* the exchange or the request's bytes are left half read */
    }
    return status;
}

/* ---- The access checker ----------------------------------------------------------------- */

static int forbid(kv_request_t *r, const char *notes)
{
    apr_table_setn(r->notes, "error-notes", notes);
    return KV_HTTP_FORBIDDEN;
}

/* What the connection has, for ssl_pha_must_ask. */
static void have_of(SSL *ssl, const pha_conn_t *pc, const ssl_server_conf_t *sc,
                    ssl_pha_have_t *have)
{
    have->asked = (SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) != 0;
    have->has_cert = SSL_get0_peer_certificate(ssl) != NULL;
    have->verified = have->has_cert && SSL_get_verify_result(ssl) == X509_V_OK;
    have->depth = pc && pc->depth != KV_UNSET_INT
                      ? pc->depth
                      : KV_MERGE_INT(sc->verify_depth, KV_UNSET_INT, SSL_VERIFY_DEPTH_DEFAULT);
}

/* Ask for the certificate (SSL_verify_client_post_handshake and the exchange), then check
 * the answer as httpd's ssl_check_post_client_verify: KV_OK or the status to answer. */
static int ask(kv_request_t *r, SSL *ssl, const ssl_pha_need_t *need, apr_size_t most)
{
    pha_conn_t *pc = find_conn(r->connection);
    int mode = SSL_get_verify_mode(ssl);
    SSL_verify_cb callback = SSL_get_verify_callback(ssl);
    int status;

    if (!pc) {
        pc = make_conn(r->connection);
    }
    pc->want.level = need->level;
    pc->want.depth = need->depth;
    ERR_clear_error();
    if (!ssl_verify_post_handshake(ssl, &pc->want) || SSL_verify_client_post_handshake(ssl) != 1) {
        int offered = ERR_GET_REASON(ERR_peek_last_error()) != SSL_R_EXTENSION_NOT_RECEIVED;

        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV01620: cannot perform post-handshake authentication for %s: %s", r->uri,
                      offered ? ssl_error_text(r->pool)
                              : "the client did not offer post-handshake authentication "
                                "(TLS 1.3's post_handshake_auth extension), so it cannot be "
                                "asked for a certificate after the handshake");
        ERR_clear_error();
        SSL_set_verify(ssl, mode, callback);
        return forbid(r, "Reason: Cannot perform Post-Handshake Authentication.<br />");
    }
    kv_log_rerror(KV_LOG_MARK, KV_LOG_DEBUG, 0, r, "KV01626: verify client post handshake");
    status = exchange(r, pc, ssl, most);
    if (status == KV_OK && need->strict) {
        if (!SSL_get0_peer_certificate(ssl)) {
            kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                          "KV01627: Post-handshake authentication failed: Client certificate "
                          "missing");
            status = KV_HTTP_FORBIDDEN;
        } else if (SSL_get_verify_result(ssl) != X509_V_OK) {
            kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                          "KV01628: Post-handshake authentication failed: Client verification "
                          "failed: %s",
                          X509_verify_cert_error_string(SSL_get_verify_result(ssl)));
            status = KV_HTTP_FORBIDDEN;
        }
    }
    if (status != KV_OK) {
        SSL_set_verify(ssl, mode, callback); /* as httpd: the next request asks again */
        return status;
    }
    pc->depth = need->depth;
    return KV_OK;
}

static int verify_in_directory(kv_request_t *r)
{
    const ssl_dir_conf_t *dc = kv_get_module_config(r->per_dir_config, &ssl_module);
    const ssl_server_conf_t *sc;
    ssl_pha_need_t need;
    ssl_pha_have_t have;
    apr_size_t most;
    SSL *ssl;
    int status;

    if (dc->verify_client == KV_UNSET_INT && dc->verify_depth == KV_UNSET_INT) {
        return KV_DECLINED;
    }
    ssl = ssl_request_ssl(r);
    sc = kv_get_module_config(r->server->module_config, &ssl_module);
    if (!ssl || !ssl_pha_need(sc->verify_client, dc->verify_client, sc->verify_depth,
                              dc->verify_depth, &need)) {
        return KV_DECLINED;
    }
    have_of(ssl, find_conn(r->connection), sc, &have);
    if (!ssl_pha_must_ask(&need, &have)) {
        return KV_DECLINED;
    }
    if (SSL_version(ssl) < TLS1_3_VERSION) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV01621: %s asks for a client certificate this %s connection does not "
                      "have; kiva asks after the handshake only over TLS 1.3 (post-handshake "
                      "authentication), it does not renegotiate",
                      r->uri, SSL_get_version(ssl));
        return forbid(r, "Reason: Cannot perform Post-Handshake Authentication.<br />");
    }
    most = dc->reneg_buffer >= 0 ? (apr_size_t)dc->reneg_buffer : SSL_PHA_HELD_DEFAULT;
    if (kv_has_body(r) && (most == 0 || r->remaining > (apr_off_t)most)) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV01622: could not buffer message body to allow TLS Post-Handshake "
                      "Authentication to proceed: its %" APR_OFF_T_FMT " bytes are more than "
                      "SSLRenegBufferSize (%" APR_SIZE_T_FMT ")",
                      r->remaining, most);
        r->close_connection = 1;
        return KV_HTTP_REQUEST_ENTITY_TOO_LARGE;
    }
    status = ask(r, ssl, &need, most);
    return status == KV_OK ? KV_DECLINED : status;
}

void ssl_pha_register_hooks(void)
{
    kv_hook_access_checker(verify_in_directory, NULL, NULL, KV_HOOK_MIDDLE);
}
