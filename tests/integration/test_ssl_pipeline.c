/* Pipelined requests over TLS, under every MPM: requests whose records reach the server in
 * one segment, with the client's last handshake flight or after a response, are all
 * answered. mod_ssl has OpenSSL read ahead (whole socket reads, not a record header then its
 * body), so the next records may wait undecrypted in OpenSSL's buffer, where the socket
 * wakes no one: the connection must be served from there, not left to wait for readability. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "harness.h"

KVT_MPM_CASE(per_mpm);

/* A client whose records go out only when it says: OpenSSL writes them into a memory BIO,
 * and flush() sends what is there in one send(), so that records written one after the
 * other reach the server in one segment. */
typedef struct {
    SSL_CTX *ctx;
    SSL *ssl;
    BIO *out;
    int fd;
} client_t;

static void flush(client_t *cl)
{
    char *data;
    long len = BIO_get_mem_data(cl->out, &data);

    if (len > 0) {
        ck_assert_int_eq(send(cl->fd, data, (size_t)len, 0), len);
    }
    ck_assert_int_eq(BIO_reset(cl->out), 1);
}

/* Handshake up to the client's last flight, which stays unsent (in cl->out). */
static void client_open(kvt_server_t *srv, client_t *cl)
{
    BIO *in;
    int rc = 0;

    cl->ctx = SSL_CTX_new(TLS_client_method());
    ck_assert_int_eq(SSL_CTX_load_verify_locations(cl->ctx, kvt_certs()->ca, NULL), 1);
    SSL_CTX_set_verify(cl->ctx, SSL_VERIFY_PEER, NULL);
    cl->fd = kvt_connect(kvt_server_port(srv));
    cl->ssl = SSL_new(cl->ctx);
    SSL_set_tlsext_host_name(cl->ssl, "localhost");
    in = BIO_new_socket(cl->fd, BIO_NOCLOSE);
    cl->out = BIO_new(BIO_s_mem());
    SSL_set_bio(cl->ssl, in, cl->out);
    /* Bounded: each round sends a flight and reads the server's (the socket's receive
     * timeout ends a read that waits). */
    for (int i = 0; i < 8 && (rc = SSL_connect(cl->ssl)) != 1; i++) {
        ck_assert_int_eq(SSL_get_error(cl->ssl, rc), SSL_ERROR_WANT_READ);
        flush(cl);
    }
    ck_assert_msg(rc == 1, "the handshake did not finish");
}

static void client_write(client_t *cl, const char *req)
{
    ck_assert_int_eq(SSL_write(cl->ssl, req, (int)strlen(req)), (int)strlen(req));
}

/* Everything the server sends until it ends the connection with close_notify. */
static char *client_read_to_close(client_t *cl)
{
    size_t cap = 64 * 1024, have = 0;
    char *buf = malloc(cap + 1);
    int n = 0;

    for (int i = 0; i < 10000 && have < cap; i++) {
        n = SSL_read(cl->ssl, buf + have, (int)(cap - have));
        if (n <= 0) {
            break;
        }
        have += (size_t)n;
    }
    buf[have] = '\0';
    ck_assert_msg(n == 0 && SSL_get_error(cl->ssl, n) == SSL_ERROR_ZERO_RETURN,
                  "the connection did not end with close_notify after: %s", buf);
    return buf;
}

static void client_close(client_t *cl)
{
    SSL_free(cl->ssl);
    SSL_CTX_free(cl->ctx);
    close(cl->fd);
}

static int count(const char *haystack, const char *needle)
{
    int n = 0;

    for (const char *p = haystack; (p = strstr(p, needle)); p += strlen(needle)) {
        n++;
    }
    return n;
}

static const char keep[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
static const char last[] = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

/* Three requests in three records, sent with the client's Finished in one segment. */
KVC_TEST(per_mpm, test_requests_with_the_last_handshake_flight)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);
    client_t cl;
    char *got;

    kvt_server_start(srv);
    client_open(srv, &cl);
    client_write(&cl, keep);
    client_write(&cl, keep);
    client_write(&cl, last);
    flush(&cl);
    got = client_read_to_close(&cl);
    ck_assert_msg(count(got, "HTTP/1.1 200 OK\r\n") == 3 && count(got, "hello over tls\n") == 3,
                  "%s", got);
    free(got);
    client_close(&cl);
}
END_TEST

/* After a first answered request, two more in two records in one segment. */
KVC_TEST(per_mpm, test_pipelined_records_after_a_response)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);
    client_t cl;
    char buf[4096] = "";
    size_t have = 0;
    char *got;

    kvt_server_start(srv);
    client_open(srv, &cl);
    client_write(&cl, keep);
    flush(&cl);
    for (int i = 0; i < 64 && !strstr(buf, "hello over tls\n"); i++) {
        int n = SSL_read(cl.ssl, buf + have, (int)(sizeof(buf) - 1 - have));

        ck_assert_msg(n > 0, "no first response");
        have += (size_t)n;
        buf[have] = '\0';
    }
    client_write(&cl, keep);
    client_write(&cl, last);
    flush(&cl);
    got = client_read_to_close(&cl);
    ck_assert_msg(count(got, "HTTP/1.1 200 OK\r\n") == 2 && count(got, "hello over tls\n") == 2,
                  "%s", got);
    free(got);
    client_close(&cl);
}
END_TEST

int main(void)
{
    return kvt_run_mpms("ssl_pipeline", 0);
}
