/* mod_ssl beyond httpd: a certificate and key renewed on disk are taken up by new handshakes
 * without a restart (SSLCertificateCheckInterval), while a connection opened before keeps
 * going; a pair that does not load is logged and the old one stays; a graceful restart
 * finishes the TLS responses under way; under every MPM. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "harness.h"

#define RENEW_WAIT_MS 20000

KVT_MPM_CASE(per_mpm);

/* Copy @a from into the server's tls/NAME as a renewal tool does: write beside, rename over. */
static const char *put_file(kvt_server_t *srv, const char *name, const char *from)
{
    return kvt_replace_root_file(srv, kvt_strf("tls/%s", name), from);
}

/* A server whose tls/cert.pem and tls/key.pem (relative to ServerRoot) are kvt_certs()'s RSA
 * localhost pair, looked at every second. */
static kvt_server_t *renewing_server(void)
{
    const kvt_certs_t *c = kvt_certs();
    kvt_server_t *srv = kvt_tls_server_pair(kvt_mpm(), "tls/cert.pem", "tls/key.pem",
                                            "SSLCertificateCheckInterval 1");

    put_file(srv, "cert.pem", c->rsa_cert);
    put_file(srv, "key.pem", c->rsa_key);
    kvt_server_conf(srv, "KeepAliveTimeout 60");
    return srv;
}

struct subject_wait {
    kvt_server_t *srv;
    const char *want;
};

static int serves_subject(void *arg)
{
    struct subject_wait *w = arg;
    char *subject = kvt_tls_subject(w->srv);
    int same = strcmp(subject, w->want) == 0;

    free(subject);
    return same;
}

struct log_wait {
    kvt_server_t *srv;
    const char *want;
};

/* Make a handshake, which must still get localhost's certificate; has the log @a want? */
static int old_pair_until_logged(void *arg)
{
    struct log_wait *w = arg;
    char *subject = kvt_tls_subject(w->srv), *log;
    int logged;

    ck_assert_str_eq(subject, "localhost");
    free(subject);
    log = kvt_server_error_log(w->srv);
    logged = kvt_contains(log, w->want);
    free(log);
    return logged;
}

/* Handshakes keep getting the old pair until the server logged @a want; the log. */
static char *assert_old_pair_until_logged(kvt_server_t *srv, const char *want)
{
    struct log_wait w = {srv, want};
    char *log;

    if (!kvt_wait_for(old_pair_until_logged, &w, RENEW_WAIT_MS)) {
        log = kvt_server_error_log(srv);
        ck_abort_msg("never logged: %s\n%s", want, kvt_tail(log));
    }
    log = kvt_server_error_log(srv);
    return log;
}

static void assert_subject_becomes(kvt_server_t *srv, const char *want)
{
    struct subject_wait w = {srv, want};
    char *log;

    if (!kvt_wait_for(serves_subject, &w, RENEW_WAIT_MS)) {
        log = kvt_server_error_log(srv);
        ck_abort_msg("new handshakes never got the certificate of %s: %s", want, kvt_tail(log));
    }
}

/* Each process wrote the line with @a number at most once ("[pid N]" starts its lines). */
static void assert_logged_once_per_pid(kvt_server_t *srv, const char *number)
{
    char *log = kvt_server_error_log(srv);
    pid_t pids[64];
    int n = 0;

    for (char *line = strtok(log, "\n"); line; line = strtok(NULL, "\n")) {
        const char *at = strstr(line, "[pid ");

        if (!strstr(line, number) || !at) {
            continue;
        }
        pid_t pid = (pid_t)atol(at + 5);
        for (int i = 0; i < n; i++) {
            ck_assert_msg(pids[i] != pid, "pid %d logged %s twice", (int)pid, number);
        }
        ck_assert_int_lt(n, KVT_COUNT(pids));
        pids[n++] = pid;
    }
    ck_assert_int_gt(n, 0);
    free(log);
}

static void assert_serves_index(kvt_server_t *srv)
{
    char *out;

    ck_assert_msg(kvt_curl_tls(srv, "-k", "/", &out) == 0, "%s", kvt_tail(out));
    ck_assert_str_eq(out, "hello over tls\n");
    free(out);
}

/* ---- A TLS connection held by the test (libssl) --------------------------------------- */

typedef struct {
    SSL_CTX *ctx;
    SSL *ssl;
    int fd;
} held_t;

static void held_open(kvt_server_t *srv, held_t *h)
{
    h->ctx = SSL_CTX_new(TLS_client_method());
    ck_assert_int_eq(SSL_CTX_load_verify_locations(h->ctx, kvt_certs()->ca, NULL), 1);
    SSL_CTX_set_verify(h->ctx, SSL_VERIFY_PEER, NULL);
    h->fd = kvt_connect(kvt_server_port(srv));
    h->ssl = SSL_new(h->ctx);
    SSL_set_fd(h->ssl, h->fd);
    ck_assert_msg(SSL_connect(h->ssl) == 1, "the handshake failed");
}

/* GET / on the held connection, kept alive: its body. */
static void held_get_index(held_t *h)
{
    static const char req[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    char buf[4096];
    size_t have = 0;

    ck_assert_int_eq(SSL_write(h->ssl, req, (int)strlen(req)), (int)strlen(req));
    /* Bounded: the socket's receive timeout ends a read that waits too long. */
    for (int i = 0; i < 64 && !kvt_contains(buf, "hello over tls\n"); i++) {
        int n = SSL_read(h->ssl, buf + have, (int)(sizeof(buf) - 1 - have));

        ck_assert_msg(n > 0, "the held connection ended: %.*s", (int)have, buf);
        have += (size_t)n;
        buf[have] = '\0';
    }
    ck_assert_msg(kvt_contains(buf, " 200 OK") && kvt_contains(buf, "hello over tls\n"), "%s", buf);
}

/* The CN of the certificate the held connection got. */
static int held_peer_is(held_t *h, const char *cn)
{
    X509 *peer = SSL_get1_peer_certificate(h->ssl);
    char name[256] = "";

    X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, name, sizeof(name));
    X509_free(peer);
    return strcmp(name, cn) == 0;
}

static void held_close(held_t *h)
{
    SSL_free(h->ssl);
    SSL_CTX_free(h->ctx);
    close(h->fd);
}

/* ---- The tests ---------------------------------------------------------------------- */

/* The other.test pair replaces localhost's: new handshakes get it with no restart (the same
 * parent and generation; the children that served before still serve), and a connection
 * opened before goes on serving with the old certificate, during the new handshakes (the
 * old SSL_CTX lives while it does) or, under single, which serves one connection at a time,
 * before them. */
KVC_TEST(per_mpm, test_renewed_pair_taken_up_without_restart)
{
    const kvt_certs_t *c = kvt_certs();
    kvt_server_t *srv = renewing_server();
    int serial = strcmp(kvt_mpm(), "single") == 0;
    pid_t before[16];
    int nbefore, gen;
    held_t h;
    char *subject, *log;

    kvt_server_start(srv);
    subject = kvt_tls_subject(srv);
    ck_assert_str_eq(subject, "localhost");
    free(subject);
    held_open(srv, &h);
    held_get_index(&h);
    gen = kvt_status_generation(srv);
    nbefore = kvt_children(kvt_server_pid(srv), before, KVT_COUNT(before));

    put_file(srv, "key.pem", c->other_key);
    put_file(srv, "cert.pem", c->other_cert);
    if (serial) {
        held_get_index(&h);
        held_close(&h);
    }
    assert_subject_becomes(srv, "other.test");
    log = kvt_server_wait_log(srv, "KV01562", 5000);
    ck_assert_msg(kvt_contains(log, "KV01562: new handshakes of the <VirtualHost> at ") &&
                      kvt_contains(log, "use the renewed certificate in '"),
                  "%s", log);
    free(log);

    ck_assert_int_eq(kvt_status_generation(srv), gen);
    if (kvt_mpm_has(KVT_MPM_KEEPS_CHILDREN)) {
        for (int i = 0; i < nbefore; i++) {
            ck_assert_msg(kvt_server_has_child(srv, before[i]), "child %d is gone", (int)before[i]);
        }
    }
    if (!serial) {
        held_get_index(&h);
        ck_assert(held_peer_is(&h, "localhost"));
        held_close(&h);
    }
    assert_serves_index(srv);
}
END_TEST

/* A session ticket given before a renewal resumes after it, in whichever child: the renewed
 * context keeps the generation's ticket keys. */
KVC_TEST(per_mpm, test_ticket_resumes_across_renewal)
{
    const kvt_certs_t *c = kvt_certs();
    kvt_server_t *srv = renewing_server();
    const char *sess = kvt_strf("%s/session.pem", kvt_server_root(srv));
    char *out;

    kvt_server_start(srv);
    ck_assert_msg(kvt_s_client(srv, kvt_strf("-tls1_3 -sess_out %s", sess),
                               "GET / HTTP/1.0\\r\\n\\r\\n", &out) == 0,
                  "%s", kvt_tail(out));
    free(out);
    put_file(srv, "key.pem", c->other_key);
    put_file(srv, "cert.pem", c->other_cert);
    assert_subject_becomes(srv, "other.test");
    for (int i = 0; i < 4; i++) { /* several children under prefork and fork */
        ck_assert_msg(kvt_s_client(srv, kvt_strf("-tls1_3 -sess_in %s", sess),
                                   "GET / HTTP/1.0\\r\\n\\r\\n", &out) == 0,
                      "%s", kvt_tail(out));
        ck_assert_msg(kvt_contains(out, "Reused, TLSv1.3"), "%s", kvt_tail(out));
        free(out);
    }
}
END_TEST

/* A certificate replaced before its key (a renewal half written) is not used: handshakes
 * keep the old pair, the mismatch is logged once by each child that looked, naming both
 * files; once the key follows, the pair is taken up. */
KVC_TEST(per_mpm, test_mismatched_pair_keeps_old_and_is_logged)
{
    const kvt_certs_t *c = kvt_certs();
    kvt_server_t *srv = renewing_server();
    const char *cert, *key;
    char *log, *subject, *want;

    kvt_server_start(srv);
    cert = put_file(srv, "cert.pem", c->other_cert);
    key = kvt_strf("%s/tls/key.pem", kvt_server_root(srv));
    want = kvt_strf("KV01560: the renewed certificates of the <VirtualHost> at %s:",
                    kvt_server_conf_path(srv));
    log = assert_old_pair_until_logged(srv, want);
    ck_assert_msg(kvt_contains(log, kvt_strf("are not used, the ones loaded before stay: the "
                                             "private key in '%s' does not match the "
                                             "certificate in '%s'",
                                             key, cert)),
                  "%s", kvt_tail(log));
    free(log);
    for (int i = 0; i < 5; i++) { /* more handshakes after the interval: no second line */
        subject = kvt_tls_subject(srv);
        ck_assert_str_eq(subject, "localhost");
        free(subject);
    }
    assert_logged_once_per_pid(srv, "KV01560");

    put_file(srv, "key.pem", c->other_key);
    assert_subject_becomes(srv, "other.test");
}
END_TEST

/* A certificate file that is no certificate (truncated mid-write) is logged with the file
 * and the reason; the old pair stays. */
KVC_TEST(per_mpm, test_unreadable_certificate_keeps_old)
{
    kvt_server_t *srv = renewing_server();
    const char *cert;
    char *log, *subject;

    kvt_server_start(srv);
    cert = kvt_write_root_file(srv, "tls/cert.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n");
    log = assert_old_pair_until_logged(srv, "KV01560");
    ck_assert_msg(
        kvt_contains(log, kvt_strf("the ones loaded before stay: '%s' cannot be read", cert)), "%s",
        log);
    free(log);
    subject = kvt_tls_subject(srv);
    ck_assert_str_eq(subject, "localhost");
    free(subject);
}
END_TEST

/* After a renewal, a graceful restart reads the files again as httpd does and serves them. */
KVC_TEST(per_mpm, test_graceful_restart_after_renewal)
{
    const kvt_certs_t *c = kvt_certs();
    kvt_server_t *srv = renewing_server();
    int gen;

    kvt_server_start(srv);
    put_file(srv, "key.pem", c->other_key);
    put_file(srv, "cert.pem", c->other_cert);
    assert_subject_becomes(srv, "other.test");
    gen = kvt_status_generation(srv);
    ck_assert_int_eq(kill(kvt_server_pid(srv), SIGUSR1), 0);
    kvt_wait_generation(srv, gen + 1);
    assert_subject_becomes(srv, "other.test");
    assert_serves_index(srv);
}
END_TEST

#define BIG_SIZE (4 * 1024 * 1024)

/* Read from the held connection until @a want bytes in all (head and body) have come, or it
 * ends; the bytes read. Bounded: the socket's receive timeout ends a read that waits. */
static size_t held_read(held_t *h, char *buf, size_t have, size_t want)
{
    for (int i = 0; i < 100000 && have < want; i++) {
        int n = SSL_read(h->ssl, buf + have, (int)(want - have));

        if (n <= 0) {
            break;
        }
        have += (size_t)n;
    }
    return have;
}

/* A graceful restart while a TLS response is under way: the old child finishes it, every
 * byte; answers the connection's next request with Connection: close and ends it with
 * close_notify (test_mpm's test_graceful_restart_old_child_finishes, over TLS); and the new
 * generation serves new connections. */
KVC_TEST(per_mpm, test_graceful_restart_finishes_tls_responses)
{
    static const char req[] = "GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n";
    kvt_server_t *srv = renewing_server();
    char *body = malloc(BIG_SIZE), *got = malloc(BIG_SIZE + 4096), *end;
    size_t have, head_len;
    held_t h;
    int gen;

    for (size_t i = 0; i < BIG_SIZE; i++) {
        body[i] = (char)('a' + i % 26);
    }
    kvt_write_file(srv, "big.bin", body, BIG_SIZE);
    kvt_server_start(srv);
    held_open(srv, &h);
    ck_assert_int_eq(SSL_write(h.ssl, req, (int)strlen(req)), (int)strlen(req));
    have = held_read(&h, got, 0, 64 * 1024); /* under way: the rest is not sent yet */
    gen = kvt_status_generation(srv);
    ck_assert_int_eq(kill(kvt_server_pid(srv), SIGUSR1), 0);
    kvt_wait_generation(srv, gen + 1);
    got[have] = '\0';
    end = strstr(got, "\r\n\r\n");
    ck_assert_msg(end && kvt_contains(got, " 200 OK"), "%.200s", got);
    head_len = (size_t)(end + 4 - got);
    have = held_read(&h, got, have, head_len + BIG_SIZE);
    ck_assert_msg(have == head_len + BIG_SIZE, "%zu of %d body bytes", have - head_len, BIG_SIZE);
    ck_assert_msg(memcmp(got + head_len, body, BIG_SIZE) == 0, "the body differs from the file");
    /* As over plain HTTP: the old child answers the connection's next request, says close,
     * and ends it with close_notify. */
    held_get_index(&h);
    ck_assert_int_eq(SSL_read(h.ssl, got, 1), 0);
    ck_assert_int_eq(SSL_get_error(h.ssl, 0), SSL_ERROR_ZERO_RETURN);
    held_close(&h);
    assert_serves_index(srv);
    free(body);
    free(got);
}
END_TEST

/* Does this kernel take TLS keys (the "tls" upper layer protocol)? Not this machine's. */
static int kernel_has_tls(void)
{
    char *ulps = kvt_read_file("/proc/sys/net/ipv4/tcp_available_ulp");
    int has = ulps && kvt_contains(ulps, "tls");

    free(ulps);
    return has;
}

/* The BIO a connection got, from its debug line: a socket BIO when TLS sits right on the
 * socket (kTLS tried, on where the kernel has it), ours over the trickle layer below it. The
 * large file comes byte for byte both ways (test_ssl's test: here with a look at the BIO). */
KVC_LOOP_TEST(per_mpm, test_bio_over_socket_or_layer, 0, 2)
{
    kvt_server_t *srv = kvt_tls_server_over(kvt_mpm(), NULL, _i);
    int layer = _i || kvt_trickling();
    char *out, *log;

    kvt_server_conf(srv, "LogLevel warn ssl:debug");
    kvt_server_start(srv);
    ck_assert_msg(kvt_curl_tls(srv, "--tlsv1.3", "/", &out) == 0, "%s", kvt_tail(out));
    ck_assert_str_eq(out, "hello over tls\n");
    free(out);
    log = kvt_server_wait_log(srv, "KV01564", 5000);
    ck_assert_msg(kvt_contains(log, "KV01564: TLS handshake done (TLSv1.3, TLS_"), "%s",
                  kvt_tail(log));
    ck_assert_msg(kvt_contains(log, layer ? "records through kiva's BIO over the transport layer "
                                            "below; kTLS send off"
                                          : "records through a socket BIO; kTLS send "),
                  "%s", kvt_tail(log));
    if (!layer && !kernel_has_tls()) {
        ck_assert_msg(kvt_contains(log, "kTLS send off, files encrypted in user space"), "%s",
                      kvt_tail(log));
    }
    free(log);
}
END_TEST

/* ---- Record sizes ------------------------------------------------------------------- */

#define TAG_AND_TYPE 17 /* a TLS 1.3 record's ciphertext over its plaintext (AEAD tag, type) */

/* The plaintext sizes of the application-data records s_client -trace received, in order,
 * into @a sizes (at most @a max); their count. */
static int app_record_sizes(const char *trace, int *sizes, int max)
{
    int n = 0;

    for (const char *at = strstr(trace, "Received Record"); at && n < max;
         at = strstr(at + 1, "Received Record")) {
        const char *len = strstr(at, "  Length = ");
        const char *inner = strstr(at, "  Inner Content Type = ");
        const char *next = strstr(at + 1, "Received Record");

        if (len && inner && (!next || inner < next) &&
            strncmp(inner + strlen("  Inner Content Type = "), "ApplicationData", 15) == 0) {
            sizes[n++] = atoi(len + strlen("  Length = ")) - TAG_AND_TYPE;
        }
    }
    return n;
}

/* A small response (head and body) goes in one record; a large one's first 16 KiB in
 * records that fit a TCP segment, the rest in full 16 KiB records. */
KVC_TEST(per_mpm, test_record_sizes_small_first_then_full)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);
    size_t big_len = 64 * 1024, sum = 0;
    char *big = malloc(big_len), *out;
    int sizes[256], n, small = 0, full = 0;

    for (size_t i = 0; i < big_len; i++) {
        big[i] = (char)('a' + i % 26);
    }
    kvt_write_file(srv, "big.txt", big, big_len);
    free(big);
    kvt_server_start(srv);

    ck_assert_msg(kvt_s_client(srv, "-tls1_3 -trace", "GET / HTTP/1.0\\r\\n\\r\\n", &out) == 0,
                  "%s", kvt_tail(out));
    n = app_record_sizes(out, sizes, KVT_COUNT(sizes));
    ck_assert_msg(n == 1 && sizes[0] > 100 && kvt_contains(out, "hello over tls"),
                  "%d records, the first of %d bytes", n, n ? sizes[0] : 0);
    free(out);

    ck_assert_msg(kvt_s_client(srv, "-tls1_3 -trace", "GET /big.txt HTTP/1.0\\r\\n\\r\\n", &out) ==
                      0,
                  "%s", kvt_tail(out));
    n = app_record_sizes(out, sizes, KVT_COUNT(sizes));
    for (int i = 0; i < n; i++) {
        if (sum < 16384) {
            ck_assert_msg(sizes[i] <= 1400, "record %d (at %zu bytes) has %d", i, sum, sizes[i]);
            small++;
        } else if (i < n - 1) {
            ck_assert_msg(sizes[i] == 16384, "record %d (at %zu bytes) has %d", i, sum, sizes[i]);
            full++;
        }
        sum += (size_t)sizes[i];
    }
    ck_assert_msg(sum > big_len && sum < big_len + 1024, "%zu bytes in records", sum); /* head */
    ck_assert_int_ge(small, 12);
    ck_assert_int_ge(full, 2);
    free(out);
}
END_TEST

/* SSLCertificateCheckInterval takes seconds or ms, 0 (never) to 24 hours. */
KVT_TEST_ONCE(per_mpm, test_check_interval_values)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), "SSLCertificateCheckInterval 500ms");
    char *err = NULL;
    int status = -1;

    kvt_server_conf(srv, "SSLCertificateCheckInterval 0");
    kvt_server_write_conf(srv);
    ck_assert_int_eq(kvt_run_kiva(&status, NULL, &err, "-t", "-f", kvt_server_conf_path(srv),
                                  (const char *)NULL),
                     0);
    ck_assert_msg(status == 0 && kvt_contains(err, "Syntax OK"), "%d: %s", status, err);
    free(err);
    srv = kvt_tls_server(kvt_mpm(), NULL);
    kvt_assert_refused(srv, "-t", "SSLCertificateCheckInterval -1", "SSLCertificateCheckInterval");
    srv = kvt_tls_server(kvt_mpm(), NULL);
    kvt_assert_refused(srv, "-t", "SSLCertificateCheckInterval 2d", "SSLCertificateCheckInterval");
}
END_TEST

int main(void)
{
    return kvt_run_mpms("ssl_renew", 0);
}
