/* A TLS client in the test process whose records go out only when the test says: its TLS
 * engine reads and writes memory BIOs, and the test moves the bytes between them and the
 * socket. Records written one after the other reach the server in one segment
 * (test_ssl_pipeline), and a flight can be held back as a far client's would be
 * (test_ssl_far). */
#ifndef HELD_TLS_CLIENT_H
#define HELD_TLS_CLIENT_H

#include <openssl/ssl.h>

#include "harness.h"

typedef struct {
    SSL_CTX *ctx;
    SSL *ssl;
    BIO *in;  /* what came from the server, for the engine to read */
    BIO *out; /* what the engine wrote, until held_tls_flush sends it */
    int fd;
} held_tls_client_t;

/* Connect to @a srv's port and send the ClientHello, nothing more: a client that stalls in
 * the handshake, or one that goes on with held_tls_open's rounds. */
void held_tls_hello(held_tls_client_t *cl, kvt_server_t *srv);

/* Connect to @a srv's port and shake hands up to the client's last flight (its Finished),
 * which stays unsent; the server's certificate is checked against the test CA. */
void held_tls_open(held_tls_client_t *cl, kvt_server_t *srv);

/* Send what the engine has written, in one send(). */
void held_tls_flush(held_tls_client_t *cl);

/* Hand what the server sends next to the engine, waiting for it; 0 when the server closed. */
int held_tls_receive(held_tls_client_t *cl);

/* Write @a text as one record (held until the next flush). */
void held_tls_write(held_tls_client_t *cl, const char *text);

/* Read into @a buf (NUL-terminated, @a size bytes) until it has @a needle; flushes what the
 * engine writes meanwhile. Fails if the connection ends first. */
void held_tls_read_until(held_tls_client_t *cl, char *buf, size_t size, const char *needle);

/* Everything the server sends until it ends the connection with close_notify (malloc'd).
 * Fails if it ends otherwise. */
char *held_tls_read_to_close(held_tls_client_t *cl);

void held_tls_close(held_tls_client_t *cl);

#endif
