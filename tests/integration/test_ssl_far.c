/* Under event, how a child waits for a TLS client's next handshake flight follows how far its
 * clients are. Clients that answer the server's flight later than the worker's hot set waits
 * for it (20 ms) make the child leave their handshakes in the listener's pollset at once
 * (KV01630 at LogLevel mpm_event:debug), instead of a worker waking up for nothing each time;
 * near clients bring the wait in the worker back (KV01631). Every handshake succeeds either
 * way. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "harness.h"

/* The far client's round trip, longer than the event MPM's HOT_IDLE_HANDSHAKE (20 ms). */
#define FAR_MS 45
/* Handshakes that may pass before the child has changed its mind, at most. */
#define FAR_ROUNDS 20
#define NEAR_ROUNDS 400
#define WAIT_MS 10000

KVT_MPM_CASE(per_mpm);

static const char request[] = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

/* What the client's TLS engine has written: sent on @a fd. */
static void flush(BIO *out, int fd)
{
    char *data;
    long len = BIO_get_mem_data(out, &data);

    if (len > 0) {
        ck_assert_int_eq(kvt_send_raw(fd, data, (size_t)len), 0);
    }
    (void)BIO_reset(out);
}

/* What the server has sent, once it has, handed to the client's TLS engine; 0 at its end. */
static int receive(BIO *in, int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    char buf[16384];
    ssize_t n;

    ck_assert_msg(poll(&p, 1, WAIT_MS) == 1, "the server sent nothing for %d ms", WAIT_MS);
    n = recv(fd, buf, sizeof(buf), 0);
    if (n > 0) {
        BIO_write(in, buf, (int)n);
    }
    return n > 0;
}

/* A whole exchange over TLS (memory BIOs in front of the socket): the client answers the
 * server's handshake flight @a hold_ms after it came, as a client that far away would. */
static void exchange(kvt_server_t *srv, int hold_ms)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL *ssl = SSL_new(ctx);
    BIO *in = BIO_new(BIO_s_mem()), *out = BIO_new(BIO_s_mem());
    int fd = kvt_connect(kvt_server_port(srv)), r, rounds = 0;
    char buf[4096];
    size_t have = 0;

    BIO_set_mem_eof_return(in, -1);
    SSL_set_bio(ssl, in, out);
    while ((r = SSL_connect(ssl)) != 1) {
        ck_assert_int_eq(SSL_get_error(ssl, r), SSL_ERROR_WANT_READ);
        ck_assert_int_lt(rounds++, 16);
        flush(out, fd);
        ck_assert_msg(receive(in, fd), "the server closed in the handshake");
    }
    if (hold_ms > 0) {
        poll(NULL, 0, hold_ms); /* the way back to the server */
    }
    ck_assert_int_eq(SSL_write(ssl, request, (int)strlen(request)), (int)strlen(request));
    flush(out, fd);
    buf[0] = '\0';
    for (int i = 0; i < 64 && !kvt_contains(buf, "hello over tls"); i++) {
        int n = SSL_read(ssl, buf + have, (int)(sizeof(buf) - 1 - have));

        if (n > 0) {
            have += (size_t)n;
            buf[have] = '\0';
            continue;
        }
        ck_assert_int_eq(SSL_get_error(ssl, n), SSL_ERROR_WANT_READ);
        flush(out, fd); /* nothing, but a TLS engine may have something to say */
        ck_assert_msg(receive(in, fd), "the connection ended before the response: %s", buf);
    }
    ck_assert_msg(kvt_contains(buf, " 200 OK") && kvt_contains(buf, "hello over tls"), "%s",
                  buf);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
}

/* Handshakes one after another until the error log has @a needle; fails after @a rounds. */
static void exchange_until(kvt_server_t *srv, int hold_ms, int rounds, const char *needle)
{
    for (int i = 0; i < rounds; i++) {
        char *log;
        int seen;

        exchange(srv, hold_ms);
        log = kvt_server_error_log(srv);
        seen = kvt_contains(log, needle);
        free(log);
        if (seen) {
            return;
        }
    }
    ck_abort_msg("no %s after %d handshakes answered %d ms late", needle, rounds, hold_ms);
}

KVC_TEST(per_mpm, test_far_clients_handshakes_wait_in_pollset)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);

    kvt_server_conf(srv, "ServerLimit 1");
    kvt_server_conf(srv, "StartServers 1");
    kvt_server_conf(srv, "LogLevel warn mpm_event:debug");
    kvt_server_start(srv);
    exchange(srv, 0);
    exchange_until(srv, FAR_MS, FAR_ROUNDS, "KV01630");
    exchange_until(srv, 0, NEAR_ROUNDS, "KV01631");
    exchange(srv, FAR_MS);
}
END_TEST

int main(void)
{
    return kvt_run_mpms("ssl_far", KVT_MPM_ASYNC);
}
