/* A TLS client whose records go out only when the test says (held_tls_client.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "held_tls_client.h"

#define WAIT_MS 10000
/* Round trips of a handshake, at most (TLS 1.3 takes one, 1.2 two). */
#define HANDSHAKE_ROUNDS 16
/* What the server may send before close_notify, at most. */
#define READ_CAP (64 * 1024)

void held_tls_hello(held_tls_client_t *cl, kvt_server_t *srv)
{
    int rc;

    cl->ctx = SSL_CTX_new(TLS_client_method());
    ck_assert_int_eq(SSL_CTX_load_verify_locations(cl->ctx, kvt_certs()->ca, NULL), 1);
    SSL_CTX_set_verify(cl->ctx, SSL_VERIFY_PEER, NULL);
    cl->ssl = SSL_new(cl->ctx);
    SSL_set_tlsext_host_name(cl->ssl, "localhost");
    cl->in = BIO_new(BIO_s_mem());
    cl->out = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(cl->in, -1); /* empty is "wait for more", not the end */
    SSL_set_bio(cl->ssl, cl->in, cl->out);
    cl->fd = kvt_connect(kvt_server_port(srv));
    ck_assert_int_ge(cl->fd, 0);
    rc = SSL_connect(cl->ssl);
    ck_assert_int_eq(SSL_get_error(cl->ssl, rc), SSL_ERROR_WANT_READ);
    held_tls_flush(cl);
}

void held_tls_open(held_tls_client_t *cl, kvt_server_t *srv)
{
    int rc;

    held_tls_hello(cl, srv);
    for (int i = 0; (rc = SSL_connect(cl->ssl)) != 1; i++) {
        ck_assert_int_eq(SSL_get_error(cl->ssl, rc), SSL_ERROR_WANT_READ);
        ck_assert_msg(i < HANDSHAKE_ROUNDS, "the handshake did not finish");
        held_tls_flush(cl);
        ck_assert_msg(held_tls_receive(cl), "the server closed in the handshake");
    }
}

void held_tls_flush(held_tls_client_t *cl)
{
    char *data;
    long len = BIO_get_mem_data(cl->out, &data);

    if (len > 0) {
        ck_assert_int_eq(kvt_send_raw(cl->fd, data, (size_t)len), 0);
    }
    ck_assert_int_eq(BIO_reset(cl->out), 1);
}

int held_tls_receive(held_tls_client_t *cl)
{
    struct pollfd p = {.fd = cl->fd, .events = POLLIN};
    char buf[16384];
    ssize_t n;

    ck_assert_msg(poll(&p, 1, WAIT_MS) == 1, "the server sent nothing for %d ms", WAIT_MS);
    n = recv(cl->fd, buf, sizeof(buf), 0);
    if (n > 0) {
        ck_assert_int_eq(BIO_write(cl->in, buf, (int)n), (int)n);
    }
    return n > 0;
}

void held_tls_write(held_tls_client_t *cl, const char *text)
{
    ck_assert_int_eq(SSL_write(cl->ssl, text, (int)strlen(text)), (int)strlen(text));
}

/* The next plaintext into @a buf: its length; 0 at close_notify; -1 when the socket ended
 * without one. Waits for the server as needed. */
static int read_some(held_tls_client_t *cl, char *buf, size_t size)
{
    for (int i = 0; i < 64; i++) {
        int n = SSL_read(cl->ssl, buf, (int)size);

        if (n > 0) {
            return n;
        }
        if (SSL_get_error(cl->ssl, n) == SSL_ERROR_ZERO_RETURN) {
            return 0;
        }
        ck_assert_int_eq(SSL_get_error(cl->ssl, n), SSL_ERROR_WANT_READ);
        held_tls_flush(cl); /* nothing, but a TLS engine may have something to say */
        if (!held_tls_receive(cl)) {
            return -1;
        }
    }
    ck_abort_msg("64 reads from the server and no plaintext");
    return -1;
}

void held_tls_read_until(held_tls_client_t *cl, char *buf, size_t size, const char *needle)
{
    size_t have = 0;

    buf[0] = '\0';
    while (!kvt_contains(buf, needle)) {
        int n;

        ck_assert_msg(have + 1 < size, "no %s in the first %zu bytes: %s", needle, have, buf);
        n = read_some(cl, buf + have, size - 1 - have);
        ck_assert_msg(n > 0, "the connection ended before %s: %s", needle, buf);
        have += (size_t)n;
        buf[have] = '\0';
    }
}

char *held_tls_read_to_close(held_tls_client_t *cl)
{
    char *buf = malloc(READ_CAP + 1);
    size_t have = 0;
    int n = -1;

    ck_assert_ptr_nonnull(buf);
    while (have < READ_CAP && (n = read_some(cl, buf + have, READ_CAP - have)) > 0) {
        have += (size_t)n;
    }
    buf[have] = '\0';
    ck_assert_msg(have < READ_CAP && n == 0,
                  "the connection did not end with close_notify after: %s", buf);
    return buf;
}

void held_tls_close(held_tls_client_t *cl)
{
    SSL_free(cl->ssl); /* frees the BIOs too */
    SSL_CTX_free(cl->ctx);
    close(cl->fd);
}
