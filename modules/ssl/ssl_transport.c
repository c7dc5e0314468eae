/* mod_ssl's transport layer (ssl_transport.h). When TLS sits right on the socket (the usual
 * case) OpenSSL reads and writes the descriptor itself through a socket BIO, which lets it
 * hand the keys to the kernel (kTLS) where the kernel can take them; with a layer below
 * (the test trickle layer), it goes through a BIO of our own that calls that layer, so TLS
 * sits in the stack like any layer. Either way its "would block" (the socket's timeout 0
 * under the event MPM) comes back as SSL_ERROR_WANT_READ/WRITE, which the layer answers as
 * APR_EAGAIN with c->sense set to the direction TLS needs. The handshake is done by the
 * first SSL_read or SSL_write. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <apr_portable.h>
#include <apr_strings.h>
#include <apr_support.h>
#include <openssl/err.h>

#include "kv_connection.h"
#include "kv_log.h"
#include "kv_transport.h"
#include "ssl_config.h"
#include "ssl_records.h"
#include "ssl_transport.h"

#define KV_LOG_MODULE "ssl"

/* The most plaintext in one TLS record: the layer gives OpenSSL one record a write, sized
 * by ssl_records.c. */
#define RECORD_MAX SSL3_RT_MAX_PLAIN_LENGTH

struct ssl_conn {
    SSL *ssl;
    kv_transport_t *t;
    apr_status_t below;             /* what the layer below last answered the BIO */
    int failed;                     /* a fatal TLS error: no close_notify */
    int plain;                      /* plain HTTP: no TLS at all on this connection */
    int plain_noticed;              /* mod_ssl has answered the plain request */
    const char *host;               /* the server's name, for the plain request */
    const char *plain_request;      /* what the HTTP loop reads on a connection whose client spoke
                                     * plain HTTP: a request of the layer's own, which mod_ssl
                                     * answers with httpd's 400 (httpd fakes one too) */
    apr_size_t plain_len, plain_at; /* its length, and how much of it was read */
    apr_size_t write_again;         /* an SSL_write of this many bytes must be repeated */
    int direct;                     /* OpenSSL reads and writes the socket (a socket BIO) */
    int handshake_noted;            /* handshake_done has run */
    ssl_records_t records;          /* the size of the records it writes */
    char *record;                   /* where small iovecs are gathered into one record; made at the
                                     * first write that needs it */
};

static BIO_METHOD *bio_method;

/* ---- The BIO: OpenSSL's reads and writes, through the layer below ------------------- */

/* Nothing now: non-blocking (APR_EAGAIN), or a blocking call's Timeout ran out. Both are
 * a retry for OpenSSL, which then keeps the connection usable: a keep-alive wait that
 * times out still ends with close_notify. */
static int would_block(apr_status_t rv)
{
    return APR_STATUS_IS_EAGAIN(rv) || APR_STATUS_IS_TIMEUP(rv);
}

static int bio_read(BIO *bio, char *buf, int len)
{
    ssl_conn_t *sc = BIO_get_data(bio);
    apr_size_t n = (apr_size_t)len;

    BIO_clear_retry_flags(bio);
    sc->below = kv_transport_layer_recv(sc->t->next, buf, &n);
    if (n > 0) {
        return (int)n;
    }
    if (would_block(sc->below)) {
        BIO_set_retry_read(bio);
        return -1;
    }
    return APR_STATUS_IS_EOF(sc->below) ? 0 : -1;
}

static int bio_write(BIO *bio, const char *buf, int len)
{
    ssl_conn_t *sc = BIO_get_data(bio);
    struct iovec vec = {(void *)buf, (size_t)len};
    apr_size_t n = 0;

    BIO_clear_retry_flags(bio);
    sc->below = kv_transport_layer_sendv(sc->t->next, &vec, 1, &n);
    if (n > 0) {
        return (int)n;
    }
    if (would_block(sc->below)) {
        BIO_set_retry_write(bio);
    }
    return -1;
}

static long bio_ctrl(BIO *bio, int cmd, long num, void *ptr)
{
    (void)bio;
    (void)num;
    (void)ptr;
    return cmd == BIO_CTRL_FLUSH ? 1 : 0; /* every write went below already */
}

static int bio_create(BIO *bio)
{
    BIO_set_init(bio, 1);
    return 1;
}

static apr_status_t free_bio_method(void *data)
{
    (void)data;
    BIO_meth_free(bio_method);
    bio_method = NULL;
    return APR_SUCCESS;
}

/* Does the kernel have TLS (the "tls" TCP upper-layer protocol)? Without it OpenSSL's kTLS
 * attempt costs every connection two failing system calls, so it is not asked for. An
 * unconnected socket tells: ENOENT when the kernel has no such protocol (it loads the module
 * first if it may), ENOTCONN when it has. Asked once per generation, in the parent. */
static int kernel_tls;

static int probe_kernel_tls(void)
{
#ifdef TCP_ULP
    int fd = socket(AF_INET, SOCK_STREAM, 0), has;

    if (fd < 0) {
        return 0;
    }
    has = setsockopt(fd, SOL_TCP, TCP_ULP, "tls", sizeof("tls")) == 0 || errno != ENOENT;
    close(fd);
    return has;
#else
    return 0;
#endif
}

int ssl_transport_init(apr_pool_t *pconf)
{
    kernel_tls = probe_kernel_tls();
    if (bio_method) {
        return 1;
    }
    bio_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "kiva transport");
    if (!bio_method) {
        return 0;
    }
    BIO_meth_set_read(bio_method, bio_read);
    BIO_meth_set_write(bio_method, bio_write);
    BIO_meth_set_ctrl(bio_method, bio_ctrl);
    BIO_meth_set_create(bio_method, bio_create);
    apr_pool_cleanup_register(pconf, NULL, free_bio_method, apr_pool_cleanup_null);
    return 1;
}

/* ---- OpenSSL's answers as the transport stack's ------------------------------------- */

/* A failed SSL_read/SSL_write/SSL_shutdown (@a rc) as an APR status; "would block" sets
 * c->sense to the direction OpenSSL waits for, unless the layer below that answered
 * APR_EAGAIN set it already: it knows what it waits for. */
static apr_status_t tls_status(ssl_conn_t *sc, int rc, const char *what)
{
    kv_conn_t *c = sc->t->c;
    int err = SSL_get_error(sc->ssl, rc);

    switch (err) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        if (APR_STATUS_IS_TIMEUP(sc->below)) {
            return sc->below;
        }
        if (c->sense == KV_CONN_SENSE_DEFAULT) {
            c->sense =
                err == SSL_ERROR_WANT_READ ? KV_CONN_SENSE_WANT_READ : KV_CONN_SENSE_WANT_WRITE;
        }
        return APR_EAGAIN;
    case SSL_ERROR_ZERO_RETURN:
        return APR_EOF;
    case SSL_ERROR_SYSCALL:
        sc->failed = 1;
        ERR_clear_error();
        return sc->below != APR_SUCCESS ? sc->below : APR_EOF;
    default:
        sc->failed = 1;
        kv_log_cerror(KV_LOG_MARK, KV_LOG_INFO, 0, c, "KV01477: TLS %s failed%s: %s", what,
                      SSL_is_init_finished(sc->ssl) ? "" : " in the handshake",
                      ssl_error_text(c->pool));
        return APR_ECONNABORTED;
    }
}

/* Over the socket BIO OpenSSL's reads and writes never wait (APR makes the descriptor
 * non-blocking whenever the socket has a timeout): a blocking MPM's call waits here for the
 * direction OpenSSL wants, up to the socket's timeout, as the socket's own recv would. 1:
 * ready, call OpenSSL again; 0: no wait (timeout 0: the event MPM polls; another error) or
 * it ran out (sc->below APR_TIMEUP, which tls_status returns). */
static int waited(ssl_conn_t *sc, int rc)
{
    kv_conn_t *c = sc->t->c;
    apr_interval_time_t timeout, left = 0;
    int err;

    if (!sc->direct) {
        return 0; /* the layer below waited itself */
    }
    err = SSL_get_error(sc->ssl, rc);
    if ((err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) ||
        apr_socket_timeout_get(c->sock, &timeout) != APR_SUCCESS || timeout == 0) {
        return 0;
    }
    /* RequestReadTimeout's deadline (its handshake stage) cuts the wait short, as the core's
     * reads do. */
    if (c->read_deadline.at) {
        left = c->read_deadline.at - apr_time_now();
        if (left <= 0) {
            kv_conn_read_deadline_passed(c);
            sc->below = APR_TIMEUP;
            return 0;
        }
        if (timeout > 0 && left >= timeout) {
            left = 0;
        }
    }
    if (left > 0) {
        apr_socket_timeout_set(c->sock, left);
    }
    sc->below = apr_wait_for_io_or_timeout(NULL, c->sock, err == SSL_ERROR_WANT_READ);
    if (left > 0) {
        apr_socket_timeout_set(c->sock, timeout);
        if (APR_STATUS_IS_TIMEUP(sc->below)) {
            kv_conn_read_deadline_passed(c);
        }
    }
    return sc->below == APR_SUCCESS;
}

/* Was the handshake's failure a client speaking plain HTTP? */
static int plain_http(ssl_conn_t *sc, int rc)
{
    unsigned long e = ERR_peek_error();

    if (SSL_get_error(sc->ssl, rc) != SSL_ERROR_SSL || ERR_GET_LIB(e) != ERR_LIB_SSL ||
        ERR_GET_REASON(e) != SSL_R_HTTP_REQUEST) {
        return 0;
    }
    ERR_clear_error();
    kv_log_cerror(KV_LOG_MARK, KV_LOG_INFO, 0, sc->t->c,
                  "KV01478: TLS handshake failed: HTTP spoken on the HTTPS port; answering 400");
    sc->plain = 1;
    sc->plain_request = apr_pstrcat(sc->t->c->pool, "GET / HTTP/1.1\r\nHost: ", sc->host,
                                    "\r\nConnection: close\r\n\r\n", NULL);
    sc->plain_len = strlen(sc->plain_request);
    return 1;
}

/* ---- The layer -------------------------------------------------------------------------- */

static void handshake_done(ssl_conn_t *sc);
/* Say once that the handshake has ended (RequestReadTimeout's handshake stage gives way to
 * its header stage). A plain HTTP client's ends it too: its request is read as a head. */
static void note_handshake_end(ssl_conn_t *sc)
{
    kv_conn_t *c = sc->t->c;

    if (c->handshaking && (sc->plain || SSL_is_init_finished(sc->ssl))) {
        c->handshaking = 0;
        kv_run_handshake_done(c);
    }
}

/* Plain HTTP: the layer's own request, then what the client sends, untouched (the
 * lingering close drains it). */
static apr_status_t plain_recv(ssl_conn_t *sc, char *buf, apr_size_t *len)
{
    apr_size_t left = sc->plain_len - sc->plain_at;

    if (left == 0) {
        return kv_transport_layer_recv(sc->t->next, buf, len);
    }
    *len = *len < left ? *len : left;
    memcpy(buf, sc->plain_request + sc->plain_at, *len);
    sc->plain_at += *len;
    return APR_SUCCESS;
}

static apr_status_t tls_recv(kv_transport_t *t, char *buf, apr_size_t *len)
{
    ssl_conn_t *sc = t->ctx;
    apr_size_t room = *len;
    size_t n = 0;
    int rc;

    if (sc->plain) {
        return plain_recv(sc, buf, len);
    }
    if (sc->failed) {
        /* Only the lingering close reads after a fatal error: it drains what the client still
         * sends (a TLS 1.3 client sends its request right after its Finished), so that the
         * close does not reset the connection before the client reads the alert. */
        return kv_transport_layer_recv(t->next, buf, len);
    }
    if (*len == 0) {
        return APR_SUCCESS;
    }
    do {
        ERR_clear_error();
        sc->below = APR_SUCCESS;
        rc = SSL_read_ex(sc->ssl, buf, *len, &n);
    } while (rc != 1 && waited(sc, rc));
    *len = n;
    if (!sc->handshake_noted && SSL_is_init_finished(sc->ssl)) {
        handshake_done(sc);
    }
    note_handshake_end(sc);
    if (rc == 1) {
        return APR_SUCCESS;
    }
    if (plain_http(sc, rc)) {
        *len = room;
        note_handshake_end(sc);
        return plain_recv(sc, buf, len);
    }
    return tls_status(sc, rc, "read");
}

/* Send one record's worth of @a vec: from the first iovec when it holds it, else gathered.
 * A write OpenSSL asked to repeat is repeated with the same length: the caller still holds
 * those bytes (it was told none went) and gives them again first. */
static apr_status_t tls_sendv(kv_transport_t *t, const struct iovec *vec, apr_int32_t nvec,
                              apr_size_t *written)
{
    ssl_conn_t *sc = t->ctx;
    apr_size_t total = 0, want, at = 0, most;
    apr_time_t now = apr_time_now();
    const char *from;
    size_t n = 0;
    int rc;

    *written = 0;
    if (sc->plain) {
        return kv_transport_layer_sendv(t->next, vec, nvec, written);
    }
    if (sc->failed) {
        return APR_ECONNABORTED;
    }
    for (apr_int32_t i = 0; i < nvec; i++) {
        total += vec[i].iov_len;
    }
    /* Small writes of a response are gathered into one record, up to the record's size. */
    most = ssl_record_size(&sc->records, now);
    want = sc->write_again ? sc->write_again : total < most ? total : most;
    if (want == 0 || total < want) {
        return total < want ? APR_EINVAL : APR_SUCCESS;
    }
    if (nvec > 0 && vec[0].iov_len >= want) {
        from = vec[0].iov_base;
    } else {
        if (!sc->record) {
            sc->record = apr_palloc(t->c->pool, RECORD_MAX);
        }
        for (apr_int32_t i = 0; i < nvec && at < want; i++) {
            apr_size_t take = vec[i].iov_len < want - at ? vec[i].iov_len : want - at;

            memcpy(sc->record + at, vec[i].iov_base, take);
            at += take;
        }
        from = sc->record;
    }
    do {
        ERR_clear_error();
        sc->below = APR_SUCCESS;
        rc = SSL_write_ex(sc->ssl, from, want, &n);
    } while (rc != 1 && waited(sc, rc));
    if (!sc->handshake_noted && SSL_is_init_finished(sc->ssl)) {
        handshake_done(sc);
    }
    note_handshake_end(sc);
    if (rc == 1) {
        sc->write_again = 0;
        ssl_records_sent(&sc->records, n, now);
        *written = n;
        return APR_SUCCESS;
    }
    if (SSL_get_error(sc->ssl, rc) == SSL_ERROR_WANT_WRITE ||
        SSL_get_error(sc->ssl, rc) == SSL_ERROR_WANT_READ) {
        sc->write_again = want;
    }
    return tls_status(sc, rc, "write");
}

/* close_notify, once; nothing when TLS never started or failed. */
static apr_status_t tls_shutdown_write(kv_transport_t *t)
{
    ssl_conn_t *sc = t->ctx;
    int rc;

    if (sc->plain || sc->failed || !SSL_is_init_finished(sc->ssl)) {
        return APR_SUCCESS;
    }
    do {
        ERR_clear_error();
        sc->below = APR_SUCCESS;
        rc = SSL_shutdown(sc->ssl);
    } while (rc < 0 && waited(sc, rc));
    if (rc >= 0) {
        return APR_SUCCESS;
    }
    rc = SSL_get_error(sc->ssl, rc);
    if (rc == SSL_ERROR_WANT_WRITE || rc == SSL_ERROR_WANT_READ) {
        return tls_status(sc, -1, "shutdown");
    }
    ERR_clear_error();
    return APR_SUCCESS; /* the socket's shutdown follows */
}

static apr_size_t tls_pending(kv_transport_t *t)
{
    ssl_conn_t *sc = t->ctx;
    int decrypted;

    if (sc->plain) {
        return sc->plain_len - sc->plain_at;
    }
    if (sc->failed) {
        return 0;
    }
    /* Read ahead, OpenSSL may hold the next records undecrypted: SSL_pending does not count
     * them, but the socket will not wake anyone for them. At least a byte is coming. */
    decrypted = SSL_pending(sc->ssl);
    return decrypted > 0 ? (apr_size_t)decrypted : (apr_size_t)SSL_has_pending(sc->ssl);
}

/* kTLS: the kernel encrypts the file's bytes as it sends them, with no copy to user space. */
static apr_status_t tls_sendfile(kv_transport_t *t, apr_file_t *file, apr_off_t *offset,
                                 apr_size_t *len)
{
    ssl_conn_t *sc = t->ctx;
    apr_os_file_t fd;
    ossl_ssize_t n;

    if (apr_os_file_get(&fd, file) != APR_SUCCESS) {
        *len = 0;
        return APR_EBADF;
    }
    do {
        ERR_clear_error();
        sc->below = APR_SUCCESS;
        n = SSL_sendfile(sc->ssl, fd, (off_t)*offset, *len, 0);
    } while (n < 0 && waited(sc, (int)n));
    if (n >= 0) {
        *len = (apr_size_t)n;
        *offset += n;
        return APR_SUCCESS;
    }
    *len = 0;
    return tls_status(sc, (int)n, "sendfile");
}

/* No sendfile: file bytes must be encrypted in user space, so they come through sendv. */
static const kv_transport_ops_t tls_ops = {
    .name = "tls",
    .recv = tls_recv,
    .sendv = tls_sendv,
    .shutdown_write = tls_shutdown_write,
    .pending = tls_pending,
};

/* The kernel holds the connection's send keys: the layer takes file buckets itself. */
static const kv_transport_ops_t tls_ktls_ops = {
    .name = "tls (kTLS send)",
    .recv = tls_recv,
    .sendv = tls_sendv,
    .sendfile = tls_sendfile,
    .shutdown_write = tls_shutdown_write,
    .pending = tls_pending,
};

/* Once the handshake is done: when OpenSSL gave the kernel the send keys (it tries with
 * SSL_OP_ENABLE_KTLS over a socket BIO, for the ciphers the kernel has), files go by
 * SSL_sendfile; otherwise they are read and encrypted here. Says which way, for debugging. */
static void handshake_done(ssl_conn_t *sc)
{
    int ktls = sc->direct && BIO_get_ktls_send(SSL_get_wbio(sc->ssl));

    sc->handshake_noted = 1;
    if (ktls) {
        sc->t->ops = &tls_ktls_ops;
    }
    kv_log_cerror(KV_LOG_MARK, KV_LOG_DEBUG, 0, sc->t->c,
                  "KV01564: TLS handshake done (%s, %s): records through %s; kTLS send %s",
                  SSL_get_version(sc->ssl), SSL_get_cipher_name(sc->ssl),
                  sc->direct ? "a socket BIO" : "kiva's BIO over the transport layer below",
                  ktls ? "on, files by SSL_sendfile" : "off, files encrypted in user space");
}

static apr_status_t free_ssl(void *data)
{
    SSL_free(data);
    return APR_SUCCESS;
}

/* The BIO OpenSSL reads and writes: the socket itself when TLS sits right on it (a copy
 * and a call through the stack less per record, and kTLS possible), else ours over the
 * layers below. */
static BIO *new_bio(kv_conn_t *c, ssl_conn_t *sc)
{
    apr_os_sock_t fd;
    BIO *bio;

    if (!c->transport->next && apr_os_sock_get(&fd, c->sock) == APR_SUCCESS) {
        sc->direct = 1;
        if (kernel_tls) {
            SSL_set_options(sc->ssl, SSL_OP_ENABLE_KTLS);
        }
        return BIO_new_socket(fd, BIO_NOCLOSE);
    }
    bio = BIO_new(bio_method);
    if (bio) {
        BIO_set_data(bio, sc);
    }
    return bio;
}

ssl_conn_t *ssl_transport_push(kv_conn_t *c, SSL_CTX *ctx, const char *host)
{
    ssl_conn_t *sc = apr_pcalloc(c->pool, sizeof(*sc));
    BIO *bio;

    sc->host = host;
    ERR_clear_error();
    sc->ssl = SSL_new(ctx);
    bio = sc->ssl ? new_bio(c, sc) : NULL;
    if (!bio) {
        kv_log_cerror(KV_LOG_MARK, KV_LOG_ERR, 0, c, "KV01479: cannot start TLS: %s",
                      ssl_error_text(c->pool));
        SSL_free(sc->ssl);
        return NULL;
    }
    apr_pool_cleanup_register(c->pool, sc->ssl, free_ssl, apr_pool_cleanup_null);
    SSL_set_bio(sc->ssl, bio, bio);
    /* Reads as large as OpenSSL's buffer, not a record header and then its body: half the
     * read calls (tls_pending accounts for what it holds). */
    SSL_set_read_ahead(sc->ssl, 1);
    SSL_set_accept_state(sc->ssl);
    sc->t = kv_transport_push(c, &tls_ops, sc);
    return sc;
}

apr_status_t ssl_transport_handshake(ssl_conn_t *sc)
{
    int rc;

    if (sc->plain || SSL_is_init_finished(sc->ssl)) {
        return APR_SUCCESS;
    }
    if (sc->failed) {
        return APR_ECONNABORTED;
    }
    do {
        ERR_clear_error();
        sc->below = APR_SUCCESS;
        rc = SSL_do_handshake(sc->ssl);
    } while (rc != 1 && waited(sc, rc));
    if (!sc->handshake_noted && SSL_is_init_finished(sc->ssl)) {
        handshake_done(sc);
    }
    if (rc == 1 || plain_http(sc, rc)) {
        note_handshake_end(sc);
        return APR_SUCCESS;
    }
    return tls_status(sc, rc, "read"); /* logged as a first read's failure would be */
}

int ssl_transport_take_plain_http(ssl_conn_t *sc)
{
    if (!sc->plain || sc->plain_noticed) {
        return 0;
    }
    sc->plain_noticed = 1;
    return 1;
}

SSL *ssl_transport_ssl(const ssl_conn_t *sc)
{
    return sc->plain || sc->failed ? NULL : sc->ssl;
}
