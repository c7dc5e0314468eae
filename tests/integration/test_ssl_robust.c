/* mod_ssl's robustness, under every MPM. Clients that go away at awkward moments: a reset in
 * the middle of the handshake (which crashed event's children when the handshake step ran
 * again with no SSL: commit fc39780; wrk showed it, its connections closed in mid-handshake),
 * a reset once a Connection: close response has come, plain HTTP on the TLS port with
 * keep-alive, and plain HTTP after a failed handshake; no child may die of it ("exit signal"
 * in the error log), and the server still answers. And an encrypted key renewed on disk: a
 * child decrypts it with the passphrases that worked at start, never with a dialog. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "harness.h"

/* Rounds of each scenario, and the most time they may take. */
#define ROUNDS 12
#define ROUNDS_MS 30000
#define WAIT_MS 10000
#define BIG_SIZE (256 * 1024)

KVT_MPM_CASE(per_mpm);

/* ---- Clients ------------------------------------------------------------------------- */

/* A TLS client's first flight (its ClientHello, made into memory: a socket would let OpenSSL
 * finish the handshake if the server answered at once), sent; returns once the server's
 * answering flight has come: the server waits for the client's next one. */
static int half_handshake(kvt_server_t *srv)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL *ssl = SSL_new(ctx);
    BIO *in = BIO_new(BIO_s_mem()), *out = BIO_new(BIO_s_mem());
    int fd = kvt_connect(kvt_server_port(srv));
    struct pollfd p = {.fd = fd, .events = POLLIN};
    char *hello;
    long len;

    SSL_set_bio(ssl, in, out);
    ck_assert_int_eq(SSL_connect(ssl), -1);
    ck_assert_int_eq(SSL_get_error(ssl, -1), SSL_ERROR_WANT_READ);
    len = BIO_get_mem_data(out, &hello);
    ck_assert_int_gt(len, 0);
    ck_assert_int_eq(kvt_send_raw(fd, hello, (size_t)len), 0);
    ck_assert_msg(poll(&p, 1, WAIT_MS) == 1, "the server never answered the ClientHello");
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    return fd;
}

/* A whole handshake, @a request sent, and the response read until @a until is in it. */
static int tls_exchange(kvt_server_t *srv, const char *request, const char *until)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL *ssl = SSL_new(ctx);
    int fd = kvt_connect(kvt_server_port(srv));
    char buf[8192];
    size_t have = 0;

    SSL_set_fd(ssl, fd);
    ck_assert_msg(SSL_connect(ssl) == 1, "the handshake failed");
    ck_assert_int_eq(SSL_write(ssl, request, (int)strlen(request)), (int)strlen(request));
    buf[0] = '\0';
    /* Bounded: the socket's receive timeout ends a read that waits too long. */
    for (int i = 0; i < 64 && !kvt_contains(buf, until) && have < sizeof(buf) - 1; i++) {
        int n = SSL_read(ssl, buf + have, (int)(sizeof(buf) - 1 - have));

        ck_assert_msg(n > 0, "the connection ended before \"%s\": %s", until, buf);
        have += (size_t)n;
        buf[have] = '\0';
    }
    ck_assert_msg(kvt_contains(buf, " 200 OK") && kvt_contains(buf, until), "%s", buf);
    SSL_free(ssl); /* no close_notify: the caller resets the connection */
    SSL_CTX_free(ctx);
    return fd;
}

/* The server's processes a scenario has seen: its children when it began, and each that held
 * one of its connections. */
typedef struct {
    pid_t pids[64];
    int n;
} seen_t;

static void see(seen_t *seen, pid_t pid)
{
    for (int i = 0; i < seen->n; i++) {
        if (seen->pids[i] == pid) {
            return;
        }
    }
    if (pid > 0 && seen->n < KVT_COUNT(seen->pids)) {
        seen->pids[seen->n++] = pid;
    }
}

static void see_children(kvt_server_t *srv, seen_t *seen)
{
    pid_t kids[64];
    int n = kvt_children(kvt_server_pid(srv), kids, KVT_COUNT(kids));

    seen->n = 0;
    for (int i = 0; i < n; i++) {
        see(seen, kids[i]);
    }
}

/* Is a process the scenario saw gone (a crash, or a child that ended as its MPM ends them)? */
static int any_gone(const seen_t *seen)
{
    for (int i = 0; i < seen->n; i++) {
        if (!kvt_pid_alive(seen->pids[i])) {
            return 1;
        }
    }
    return 0;
}

/* Reset @a fd and wait until the server let go of it (it may have closed its end already). */
static void reset(kvt_server_t *srv, int fd, seen_t *seen)
{
    see(seen, kvt_serving_pid(srv, fd));
    ck_assert_msg(kvt_reset_conn(srv, fd, WAIT_MS),
                  "the server never let go of a reset connection");
}

/* ---- What must hold after each scenario ---------------------------------------------- */

/* No child died of a signal (the parent logs KV00409 "child pid N exit signal ..." when it
 * reaps one, within its reap tick: waited for only when a process the scenario saw is gone),
 * and the server still answers. */
static void assert_no_child_died(kvt_server_t *srv, const seen_t *seen)
{
    char *log = kvt_server_wait_log(srv, "exit signal", any_gone(seen) ? 3000 : 0), *out;

    ck_assert_msg(!kvt_contains(log, "exit signal"), "a child died: %s", kvt_tail(log));
    free(log);
    ck_assert_msg(kvt_curl_tls(srv, "", "/", &out) == 0, "%s", kvt_tail(out));
    ck_assert_str_eq(out, "hello over tls\n");
    free(out);
}

static kvt_server_t *started_server(void)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);

    kvt_server_start(srv);
    return srv;
}

/* ---- The tests ----------------------------------------------------------------------- */

/* The client resets while the server waits for its second flight. Under event, the step the
 * reset woke failed the handshake (ECONNRESET) and left the connection waiting as it was; the
 * reset socket woke it again, and without fc39780 the step called OpenSSL with no SSL
 * (SIGSEGV). */
KVC_TEST(per_mpm, test_reset_in_mid_handshake)
{
    kvt_server_t *srv = started_server();
    long deadline = kvt_now_ms() + ROUNDS_MS;
    seen_t seen;

    see_children(srv, &seen);
    for (int i = 0; i < ROUNDS && kvt_now_ms() < deadline; i++) {
        int fd = half_handshake(srv);

        ck_assert_msg(kvt_wait_served(srv, fd, WAIT_MS) > 0, "no server process holds the "
                                                             "connection in mid-handshake");
        reset(srv, fd, &seen);
    }
    assert_no_child_died(srv, &seen);
}
END_TEST

/* wrk's way with Connection: close over TLS: the response read, the connection reset at once,
 * with the server done writing (a small file) or still writing (a large one). */
KVC_TEST(per_mpm, test_reset_after_connection_close_response)
{
    static const char small[] = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    static const char big[] =
        "GET /big.bin HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);
    char *body = malloc(BIG_SIZE);
    long deadline;
    seen_t seen;

    memset(body, 'k', BIG_SIZE);
    kvt_write_file(srv, "big.bin", body, BIG_SIZE);
    free(body);
    kvt_server_start(srv);
    see_children(srv, &seen);
    deadline = kvt_now_ms() + ROUNDS_MS;
    for (int i = 0; i < ROUNDS && kvt_now_ms() < deadline; i++) {
        int fd = i % 2 ? tls_exchange(srv, big, "\r\n\r\n")
                       : tls_exchange(srv, small, "hello over tls\n");

        reset(srv, fd, &seen);
    }
    assert_no_child_died(srv, &seen);
}
END_TEST

/* Plain HTTP on the TLS port, keep-alive and two requests pipelined: httpd's 400 once, then
 * the server closes; and a client that resets as soon as it has the 400. */
KVC_TEST(per_mpm, test_plain_http_with_keepalive)
{
    static const char two[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
                              "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    kvt_server_t *srv = started_server();
    long deadline = kvt_now_ms() + ROUNDS_MS;
    seen_t seen;

    see_children(srv, &seen);
    for (int i = 0; i < ROUNDS && kvt_now_ms() < deadline; i++) {
        int fd = kvt_connect(kvt_server_port(srv));
        kvt_response_t resp;

        kvt_send(fd, i % 2 ? two : "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
        ck_assert_int_eq(kvt_read_response(fd, &resp, 0), 0);
        ck_assert_int_eq(resp.status, 400);
        ck_assert_msg(kvt_contains(resp.body, "speaking plain HTTP to an SSL-enabled server port"),
                      "%s", resp.body);
        ck_assert(kvt_says_close(&resp));
        kvt_response_free(&resp);
        if (i % 3 == 2) {
            reset(srv, fd, &seen);
        } else {
            ck_assert_msg(kvt_is_closed(fd, WAIT_MS), "the server kept the plain connection");
            close(fd);
        }
    }
    assert_no_child_died(srv, &seen);
}
END_TEST

/* Handshakes that fail (a record of no TLS type) with a plain HTTP request right behind: no
 * request is served, under event as under the blocking MPMs, where the failed step ends the
 * connection. Event's failed step once left the connection waiting for a request (when a wake
 * ran it, as most do: the client's flight may come while the step that sent the server's is
 * still under way, hence the rounds), and the HTTP loop then read the request in plain text
 * through the failed layer and ran it. */
KVC_TEST(per_mpm, test_no_request_served_after_failed_handshake)
{
    /* A record header of content type 99 and length 0, then the request. */
    static const char bytes[] = "\x63\x03\x03\x00\x00"
                                "GET /after-failure HTTP/1.1\r\nHost: localhost\r\n\r\n";
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);
    long deadline;
    char *log;

    kvt_server_conf(srv, "LoadModule log_config_module %s/modules/.libs/mod_log_config.so",
                    KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "CustomLog logs/access_log \"%%r %%>s\"");
    kvt_server_start(srv);
    deadline = kvt_now_ms() + ROUNDS_MS;
    for (int i = 0; i < ROUNDS && kvt_now_ms() < deadline; i++) {
        int fd = half_handshake(srv);

        ck_assert_int_eq(kvt_send_raw(fd, bytes, sizeof(bytes) - 1), 0);
        ck_assert_msg(kvt_is_closed(fd, WAIT_MS), "the server kept a connection whose TLS failed");
        close(fd);
    }
    log = kvt_server_wait_log(srv, "KV01477", WAIT_MS);
    ck_assert_msg(kvt_contains(log, "KV01477: TLS read failed in the handshake"), "%s",
                  kvt_tail(log));
    free(log);
    /* A request's line is logged before its connection closes. */
    log = kvt_read_file(kvt_strf("%s/logs/access_log", kvt_server_root(srv)));
    ck_assert_msg(!kvt_contains(log, "/after-failure"), "served in plain text: %s", log);
    free(log);
}
END_TEST

/* ---- Encrypted keys renewed on disk ------------------------------------------------- */

#define RENEW_WAIT_MS 20000

/* The other.test key encrypted with @a pass, in ServerRoot/NAME; its path. */
static const char *encrypted_other_key(kvt_server_t *srv, const char *name, const char *pass)
{
    const char *path = kvt_strf("%s/%s", kvt_server_root(srv), name);
    const char *argv[] = {"openssl",
                          "pkey",
                          "-in",
                          kvt_certs()->other_key,
                          "-aes256",
                          "-passout",
                          kvt_strf("pass:%s", pass),
                          "-out",
                          path,
                          NULL};
    char *out, *err;

    ck_assert_msg(kvt_run_tool(argv, &out, &err) == 0, "%s", err);
    free(out);
    free(err);
    return path;
}

/* A started server whose tls/cert.pem and tls/key.pem are the RSA localhost pair, the key
 * encrypted with KVT_CERT_PASSPHRASE, which an exec: dialog gives (noting each run in
 * ServerRoot/runs); the files are looked at every second. */
static kvt_server_t *encrypted_renewing_server(void)
{
    const kvt_certs_t *c = kvt_certs();
    kvt_server_t *srv = kvt_tls_server_pair(kvt_mpm(), "tls/cert.pem", "tls/key.pem",
                                            "SSLCertificateCheckInterval 1");
    const char *dialog = kvt_write_root_file(srv, "dialog.sh",
                                             kvt_strf("#!/bin/sh\necho run >> %s/runs\necho '%s'\n",
                                                      kvt_server_root(srv), KVT_CERT_PASSPHRASE));

    ck_assert_int_eq(chmod(dialog, 0755), 0);
    kvt_replace_root_file(srv, "tls/cert.pem", c->rsa_cert);
    kvt_replace_root_file(srv, "tls/key.pem", c->encrypted_key);
    kvt_server_conf(srv, "SSLPassPhraseDialog exec:%s", dialog);
    kvt_server_start(srv);
    return srv;
}

struct renew_wait {
    kvt_server_t *srv;
    const char *subject; /* wait until a new handshake gets it */
    const char *logged;  /* or, handshakes getting localhost meanwhile, until the log has it */
};

static int renewal_seen(void *arg)
{
    const struct renew_wait *w = arg;
    char *subject = kvt_tls_subject(w->srv), *log;
    int seen;

    if (w->subject) {
        seen = strcmp(subject, w->subject) == 0;
    } else {
        ck_assert_str_eq(subject, "localhost");
        log = kvt_server_error_log(w->srv);
        seen = kvt_contains(log, w->logged);
        free(log);
    }
    free(subject);
    return seen;
}

static void wait_renewal(kvt_server_t *srv, const char *subject, const char *logged)
{
    struct renew_wait w = {srv, subject, logged};
    char *log;

    if (!kvt_wait_for(renewal_seen, &w, RENEW_WAIT_MS)) {
        log = kvt_server_error_log(srv);
        ck_abort_msg("never %s %s: %s", subject ? "served" : "logged", subject ? subject : logged,
                     kvt_tail(log));
    }
}

/* The dialog ran once, at start (kiva -DFOREGROUND checks the configuration, then starts it):
 * never in a child. */
static void assert_dialog_ran_once(kvt_server_t *srv)
{
    char *runs = kvt_read_file(kvt_strf("%s/runs", kvt_server_root(srv)));

    ck_assert_ptr_nonnull(runs);
    ck_assert_str_eq(runs, "run\n");
    free(runs);
}

/* A renewed key encrypted with the passphrase that worked at start is taken up. */
KVC_TEST(per_mpm, test_renewed_key_with_the_start_passphrase)
{
    kvt_server_t *srv = encrypted_renewing_server();
    char *log;

    kvt_replace_root_file(srv, "tls/key.pem",
                          encrypted_other_key(srv, "other.key", KVT_CERT_PASSPHRASE));
    kvt_replace_root_file(srv, "tls/cert.pem", kvt_certs()->other_cert);
    wait_renewal(srv, "other.test", NULL);
    log = kvt_server_wait_log(srv, "KV01562", 5000);
    ck_assert_msg(kvt_contains(log, "KV01562"), "%s", kvt_tail(log));
    free(log);
    assert_dialog_ran_once(srv);
}
END_TEST

/* One encrypted with another passphrase is refused, the log naming the file and why, and the
 * old pair stays; a key with the known passphrase put after it is taken up. */
KVC_TEST(per_mpm, test_renewed_key_with_another_passphrase)
{
    kvt_server_t *srv = encrypted_renewing_server();
    const char *key;
    char *log;

    key = kvt_replace_root_file(srv, "tls/key.pem",
                                encrypted_other_key(srv, "other.key", "not-the-one-at-start"));
    kvt_replace_root_file(srv, "tls/cert.pem", kvt_certs()->other_cert);
    wait_renewal(srv, NULL, "KV01560");
    log = kvt_server_error_log(srv);
    ck_assert_msg(kvt_contains(log, kvt_strf("the ones loaded before stay: the key in '%s' is "
                                             "encrypted and its passphrase is not one that "
                                             "worked at start",
                                             key)),
                  "%s", kvt_tail(log));
    free(log);
    kvt_replace_root_file(srv, "tls/key.pem",
                          encrypted_other_key(srv, "other2.key", KVT_CERT_PASSPHRASE));
    wait_renewal(srv, "other.test", NULL);
    assert_dialog_ran_once(srv);
}
END_TEST

int main(void)
{
    return kvt_run_mpms("ssl_robust", 0);
}
