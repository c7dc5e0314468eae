/* mod_ssl: HTTPS with curl and `openssl s_client` against the test CA (harness/certs.c),
 * under prefork, worker and event: TLS 1.2 and 1.3, keep-alive, a large file byte for byte,
 * the RSA or the ECDSA certificate by the client's signature algorithms, SSLProtocol,
 * plain HTTP on the TLS port, and what is refused at start. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define LARGE_SIZE (1024 * 1024)

/* The serving tests run under every MPM (kvt_run_mpms); those of the configuration alone run
 * once. */
KVT_MPM_CASE(per_mpm);

/* curl GETs / over TLS 1.2, then over TLS 1.3, and gets the index page. */
static void assert_curl_both_versions(kvt_server_t *srv)
{
    char *out;

    ck_assert_msg(kvt_curl_tls(srv, "--tlsv1.2 --tls-max 1.2", "/", &out) == 0, "%s",
                  kvt_tail(out));
    ck_assert_str_eq(out, "hello over tls\n");
    free(out);
    ck_assert_msg(kvt_curl_tls(srv, "--tlsv1.3", "/", &out) == 0, "%s", kvt_tail(out));
    ck_assert_str_eq(out, "hello over tls\n");
    free(out);
}

KVC_TEST(per_mpm, test_get_over_tls12_and_tls13)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);
    char *out;

    kvt_server_start(srv);
    assert_curl_both_versions(srv);
    ck_assert_msg(kvt_s_client(srv, "-tls1_2", "GET / HTTP/1.0\\r\\n\\r\\n", &out) == 0, "%s",
                  kvt_tail(out));
    ck_assert_msg(kvt_contains(out, "Protocol  : TLSv1.2") && kvt_contains(out, "hello over tls"),
                  "%s", kvt_tail(out));
    ck_assert_msg(kvt_contains(out, "Verify return code: 0 (ok)"), "%s", kvt_tail(out));
    free(out);
    ck_assert_msg(kvt_s_client(srv, "-tls1_3", "GET / HTTP/1.0\\r\\n\\r\\n", &out) == 0, "%s",
                  kvt_tail(out));
    ck_assert_msg(kvt_contains(out, "TLSv1.3") && kvt_contains(out, " 200 OK") &&
                      kvt_contains(out, "hello over tls"),
                  "%s", kvt_tail(out));
    free(out);
}
END_TEST

/* Several requests on one TLS connection: curl reuses it (num_connects 0 after the first). */
KVC_TEST(per_mpm, test_keepalive_serves_several_requests)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);
    char *out, *url;

    kvt_server_start(srv);
    url = kvt_strf("https://127.0.0.1:%d/", kvt_server_port(srv));
    ck_assert_msg(kvt_curl_tls(srv,
                               kvt_strf("-o /dev/null -w '%%{http_code}:%%{num_connects} ' "
                                        "%s -o /dev/null %s -o /dev/null",
                                        url, url),
                               "/", &out) == 0,
                  "%s", kvt_tail(out));
    ck_assert_str_eq(out, "200:1 200:0 200:0 ");
    free(out);
    free(url);
}
END_TEST

/* GET /large.bin (LARGE_SIZE bytes of noise, written here) with curl and compare. */
static void assert_large_file_served(kvt_server_t *srv)
{
    char *body = malloc(LARGE_SIZE), *got, *path;
    uint64_t x = 88172645463325252ULL;
    char *out;

    for (size_t i = 0; i < LARGE_SIZE; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        body[i] = (char)(x & 0xff);
    }
    kvt_write_file(srv, "large.bin", body, LARGE_SIZE);
    path = kvt_strf("%s/large.out", kvt_server_root(srv));
    ck_assert_msg(
        kvt_curl_tls(srv, kvt_strf("-o %s -w '%%{size_download}'", path), "/large.bin", &out) == 0,
        "%s", kvt_tail(out));
    ck_assert_str_eq(out, "1048576");
    got = kvt_read_file(path);
    ck_assert_ptr_nonnull(got);
    ck_assert_msg(memcmp(got, body, LARGE_SIZE) == 0, "the body differs from the file");
    free(out);
    free(got);
    free(body);
    free(path);
}

/* A kept-alive connection whose next request does not come within KeepAliveTimeout ends
 * with close_notify (s_client reports an EOF without one as an error). */
KVC_TEST(per_mpm, test_keepalive_timeout_sends_close_notify)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), "KeepAliveTimeout 1");
    char *out;

    kvt_server_start(srv);
    ck_assert_msg(
        kvt_s_client(srv, "-tls1_3", "GET / HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n", &out) == 0,
        "%s", kvt_tail(out));
    ck_assert_msg(kvt_contains(out, "hello over tls") && !kvt_contains(out, "unexpected eof"), "%s",
                  kvt_tail(out));
    free(out);
}
END_TEST

/* A 1 MiB file comes through the TLS layer's sendv (it has no sendfile), byte for byte. */
KVC_TEST(per_mpm, test_large_file_byte_exact)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);

    kvt_server_start(srv);
    assert_large_file_served(srv);
}
END_TEST

/* Below TLS, a layer that carries the records in short pieces and says "would block" with
 * c->sense set now and then (under event): TLS keeps that direction and goes on. */
KVC_TEST(per_mpm, test_over_a_trickling_layer)
{
    kvt_server_t *srv = kvt_tls_server_over(kvt_mpm(), NULL, 1);

    kvt_server_start(srv);
    assert_curl_both_versions(srv);
    assert_large_file_served(srv);
}
END_TEST

/* Under event, handshakes that stall wait in the pollset, not in a worker thread: with two
 * threads, four clients that sent half a ClientHello do not keep a fifth waiting (a worker
 * MPM would serve it only once Timeout ended two of them), and Timeout closes them. */
KVT_TEST_NEEDS(per_mpm, test_event_stalled_handshakes_hold_no_thread, KVT_MPM_ASYNC)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);
    /* A TLS record header announcing a 512-byte handshake message, and a little of it. */
    static const char half_hello[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03";
    int fds[4];
    char *out;

    kvt_server_conf(srv, "ServerLimit 1");
    kvt_server_conf(srv, "StartServers 1");
    kvt_server_conf(srv, "ThreadsPerChild 2");
    kvt_server_conf(srv, "MaxRequestWorkers 2");
    kvt_server_conf(srv, "MinSpareThreads 1");
    kvt_server_conf(srv, "MaxSpareThreads 3");
    kvt_server_conf(srv, "AsyncRequestWorkerFactor 20");
    kvt_server_conf(srv, "Timeout 6");
    kvt_server_start(srv);
    for (int i = 0; i < KVT_COUNT(fds); i++) {
        fds[i] = kvt_connect(kvt_server_port(srv));
        ck_assert_int_eq(kvt_send_raw(fds[i], half_hello, sizeof(half_hello) - 1), 0);
        ck_assert(kvt_wait_served(srv, fds[i], 5000) != 0);
    }
    ck_assert_msg(kvt_curl_tls(srv, "--max-time 3", "/", &out) == 0, "%s", kvt_tail(out));
    ck_assert_str_eq(out, "hello over tls\n");
    free(out);
    for (int i = 0; i < KVT_COUNT(fds); i++) {
        ck_assert_msg(kvt_is_closed(fds[i], 15000), "stalled handshake %d still open", i);
    }
}
END_TEST

/* The client's signature algorithms choose between the RSA and the ECDSA certificate. */
KVC_TEST(per_mpm, test_rsa_or_ecdsa_by_signature_algorithms)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);
    char *out;

    kvt_server_start(srv);
    ck_assert_msg(kvt_s_client(srv, "-tls1_3 -sigalgs ECDSA+SHA256", "", &out) == 0, "%s",
                  kvt_tail(out));
    ck_assert_msg(kvt_contains(out, "Server public key is 256 bit") &&
                      kvt_contains(out, "Peer signature type: ECDSA"),
                  "%s", kvt_tail(out));
    free(out);
    ck_assert_msg(kvt_s_client(srv, "-tls1_3 -sigalgs RSA-PSS+SHA256", "", &out) == 0, "%s",
                  kvt_tail(out));
    ck_assert_msg(kvt_contains(out, "Server public key is 2048 bit") &&
                      kvt_contains(out, "Peer signature type: RSA-PSS"),
                  "%s", kvt_tail(out));
    free(out);
    ck_assert_msg(kvt_s_client(srv, "-tls1_2 -sigalgs RSA+SHA256", "", &out) == 0, "%s",
                  kvt_tail(out));
    ck_assert_msg(kvt_contains(out, "Server public key is 2048 bit"), "%s", kvt_tail(out));
    free(out);
}
END_TEST

/* Over TLS a request's own URLs are https ones, port 443 by default (httpd's ap_http_scheme
 * and ap_default_port): mod_dir's redirect to the directory's slash keeps the scheme. */
KVC_TEST(per_mpm, test_own_urls_are_https)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), "UseCanonicalName On");
    char *out;

    kvt_write_file(srv, "sub/index.html", "sub\n", 4);
    kvt_server_start(srv);
    ck_assert_msg(
        kvt_curl_tls(srv, "-o /dev/null -w '%{http_code} %{redirect_url}'", "/sub", &out) == 0,
        "%s", kvt_tail(out));
    /* ServerName has no port: the scheme's default, 443, which a URL leaves out */
    ck_assert_str_eq(out, "301 https://localhost/sub/");
    free(out);
}
END_TEST

KVC_TEST(per_mpm, test_sslprotocol_tls13_only_refuses_tls12)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), "SSLProtocol -all +TLSv1.3");
    char *out;

    kvt_server_start(srv);
    ck_assert_msg(kvt_s_client(srv, "-tls1_2", "", &out) != 0, "%s", kvt_tail(out));
    ck_assert_msg(kvt_contains(out, "alert protocol version"), "%s", kvt_tail(out));
    free(out);
    ck_assert_int_ne(kvt_curl_tls(srv, "--tlsv1.2 --tls-max 1.2", "/", &out), 0);
    free(out);
    ck_assert_msg(kvt_s_client(srv, "-tls1_3", "GET / HTTP/1.0\\r\\n\\r\\n", &out) == 0, "%s",
                  kvt_tail(out));
    ck_assert_msg(kvt_contains(out, "hello over tls"), "%s", kvt_tail(out));
    free(out);
}
END_TEST

/* A plain port and a TLS port side by side: the TLS layer is pushed only for connections
 * whose address selects the host with SSLEngine on. */
KVC_TEST(per_mpm, test_plain_and_tls_ports_side_by_side)
{
    const kvt_certs_t *c = kvt_certs();
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    int tls_port = kvt_server_port(kvt_server_new(kvt_mpm())); /* a second free port */
    char *script, *out;
    const char *argv[] = {"sh", "-c", NULL, NULL};

    kvt_server_conf(srv, "LoadModule ssl_module %s/modules/.libs/mod_ssl.so", KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "Listen 127.0.0.1:%d https", tls_port);
    kvt_server_conf(srv, "<VirtualHost 127.0.0.1:%d>", tls_port);
    kvt_server_conf(srv, "    SSLEngine on");
    kvt_server_conf(srv, "    SSLCertificateFile %s", c->ec_cert);
    kvt_server_conf(srv, "    SSLCertificateKeyFile %s", c->ec_key);
    kvt_server_conf(srv, "</VirtualHost>");
    kvt_write_file(srv, "index.html", "both\n", 5);
    kvt_server_start(srv);
    kvt_assert_serves(srv, "/", "both\n");
    script = kvt_strf("curl -sS --cacert %s https://127.0.0.1:%d/ 2>&1", c->ca, tls_port);
    argv[2] = script;
    ck_assert_msg(kvt_run_tool(argv, &out, NULL) == 0, "%s", kvt_tail(out));
    ck_assert_str_eq(out, "both\n");
    free(out);
    free(script);
}
END_TEST

/* SSLCertificateChainFile's certificates follow the server's certificate. */
KVT_TEST_ONCE(per_mpm, test_chain_file_is_sent)
{
    const kvt_certs_t *c = kvt_certs();
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), kvt_strf("SSLCertificateChainFile %s", c->ca));
    char *out;

    kvt_server_start(srv);
    ck_assert_msg(kvt_s_client(srv, "-tls1_3 -showcerts", "", &out) == 0, "%s", kvt_tail(out));
    ck_assert_msg(kvt_contains(out, " 1 s:CN = kiva test CA"), "%s", out);
    free(out);
}
END_TEST

/* SSLCipherSuite, both forms, and SSLHonorCipherOrder: the client offers ChaCha20 first. */
KVT_LOOP_TEST_ONCE(per_mpm, test_cipher_suite_and_honor_order, 0, 3)
{
    static const struct {
        const char *conf, *client, *cipher;
    } cases[] = {
        {"SSLCipherSuite TLSv1.3 TLS_CHACHA20_POLY1305_SHA256", "-tls1_3",
         "Cipher is TLS_CHACHA20_POLY1305_SHA256"},
        {"SSLCipherSuite ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305\n"
         "    SSLHonorCipherOrder off",
         "-tls1_2 -cipher ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256",
         "Cipher is ECDHE-ECDSA-CHACHA20-POLY1305"},
        {"SSLCipherSuite SSL ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305\n"
         "    SSLHonorCipherOrder on",
         "-tls1_2 -cipher ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256",
         "Cipher is ECDHE-ECDSA-AES128-GCM-SHA256"},
    };
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), cases[_i].conf);
    char *out;

    kvt_server_start(srv);
    ck_assert_msg(kvt_s_client(srv, cases[_i].client, "", &out) == 0, "%s", kvt_tail(out));
    ck_assert_msg(kvt_contains(out, cases[_i].cipher), "%s", kvt_tail(out));
    free(out);
}
END_TEST

/* SSLSessionTickets off: no ticket is sent (TLS 1.2 shows the one it gets). */
KVT_LOOP_TEST_ONCE(per_mpm, test_session_tickets_off, 0, 2)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), _i ? "SSLSessionTickets off" : NULL);
    char *out;

    kvt_server_start(srv);
    ck_assert_msg(kvt_s_client(srv, "-tls1_2", "", &out) == 0, "%s", kvt_tail(out));
    ck_assert_msg(kvt_contains(out, "TLS session ticket:") == !_i, "%s", kvt_tail(out));
    free(out);
}
END_TEST

/* Bad values are refused by -t, naming the line; SSLEngine on with no certificate stops the
 * start. */
KVT_TEST_ONCE(per_mpm, test_bad_values_refused)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);
    char *log, *err = NULL;
    int status = -1;

    kvt_assert_refused(srv, "-t", "SSLCipherSuite NO-SUCH-CIPHER",
                       "SSLCipherSuite: no cipher matches 'NO-SUCH-CIPHER'");
    srv = kvt_tls_server(kvt_mpm(), NULL);
    kvt_assert_refused(srv, "-t", "SSLCipherSuite TLSv1.2 AES128-SHA",
                       "SSLCipherSuite: protocol 'TLSv1.2' is not one of SSL and TLSv1.3");
    srv = kvt_tls_server(kvt_mpm(), NULL);
    kvt_assert_refused(srv, "-t", "SSLProtocol -all", "SSLProtocol: no protocol is left");
    srv = kvt_tls_server(kvt_mpm(), NULL);
    kvt_assert_refused(srv, "-t", "SSLEngine optional", "SSLEngine optional (TLS upgrade");

    srv = kvt_server_new(kvt_mpm());
    kvt_server_conf(srv, "LoadModule ssl_module %s/modules/.libs/mod_ssl.so", KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "SSLEngine on");
    kvt_server_write_conf(srv);
    ck_assert_int_eq(kvt_run_kiva(&status, NULL, &err, "-DFOREGROUND", "-f",
                                  kvt_server_conf_path(srv), (const char *)NULL),
                     0);
    ck_assert_int_eq(status, 1);
    log = kvt_strf("%s%s", err, kvt_server_error_log(srv));
    ck_assert_msg(kvt_contains(log, "KV01472: SSLEngine on for the main server ") &&
                      kvt_contains(log, "but no SSLCertificateFile for it"),
                  "%s", log);
    free(log);
    free(err);
}
END_TEST

/* An expired certificate loads, with a warning that gives its date, by -t too. */
KVT_TEST_ONCE(per_mpm, test_expired_certificate_is_a_warning)
{
    const kvt_certs_t *c = kvt_certs();
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);
    const char *argv[] = {"openssl", "x509", "-in", c->expired_cert, "-noout", "-enddate", NULL};
    char *err = NULL, *enddate = NULL, *date;
    int status = -1;

    kvt_server_conf(srv, "SSLCertificateFile %s", c->expired_cert);
    kvt_server_conf(srv, "SSLCertificateKeyFile %s", c->expired_key);
    kvt_server_write_conf(srv);
    ck_assert_int_eq(kvt_run_kiva(&status, NULL, &err, "-t", "-f", kvt_server_conf_path(srv),
                                  (const char *)NULL),
                     0);
    ck_assert_msg(status == 0 && kvt_contains(err, "Syntax OK"), "%d: %s", status, err);
    ck_assert_int_eq(kvt_run_tool(argv, &enddate, NULL), 0); /* notAfter=Dec  6 10:43:16 2026 GMT */
    date = strchr(enddate, '=') + 1;
    date[strcspn(date, "\n")] = '\0';
    ck_assert_msg(kvt_contains(err, kvt_strf("KV01481: the certificate in %s (SSLCertificateFile "
                                             "at %s:%u) expired on %s",
                                             c->expired_cert, kvt_server_conf_path(srv),
                                             kvt_conf_line_of(srv, "SSLCertificateFile"), date)),
                  "%s", err);
    free(err);
    free(enddate);
}
END_TEST

/* httpd's 400 to plain HTTP on a TLS port, then the close. */
KVC_TEST(per_mpm, test_plain_http_to_tls_port_is_400)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);
    kvt_response_t resp;
    char *log;
    int fd;

    kvt_server_start(srv);
    fd = kvt_connect(kvt_server_port(srv));
    kvt_send(fd, "GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n");
    ck_assert_int_eq(kvt_read_response(fd, &resp, 0), 0);
    ck_assert_int_eq(resp.status, 400);
    ck_assert_str_eq(resp.version, "HTTP/1.1"); /* as httpd's, whatever the client's */
    ck_assert_str_eq(kvt_header(&resp, "Content-Type"), "text/html; charset=iso-8859-1");
    ck_assert_msg(kvt_contains(resp.body, "Reason: You're speaking plain HTTP to an SSL-enabled "
                                          "server port.<br />\n Instead use the HTTPS scheme to "
                                          "access this URL, please.<br />\n</p>"),
                  "%s", resp.body);
    ck_assert(kvt_says_close(&resp));
    ck_assert(kvt_is_closed(fd, 5000));
    kvt_response_free(&resp);
    log = kvt_server_wait_log(srv, "KV01478", 5000);
    ck_assert_msg(kvt_contains(log, "HTTP spoken on the HTTPS port"), "%s", log);
    free(log);
    /* The port still speaks TLS to the next client. */
    ck_assert_int_eq(kvt_curl_tls(srv, "", "/", &log), 0);
    ck_assert_str_eq(log, "hello over tls\n");
    free(log);
}
END_TEST

/* A key that is not its certificate's is a syntax error naming the line, with -t and at
 * start; so is a certificate file that cannot be read. */
KVT_TEST_ONCE(per_mpm, test_key_mismatch_refused_naming_the_line)
{
    const kvt_certs_t *c = kvt_certs();
    const char *how[] = {"-t", "-DFOREGROUND"};
    kvt_server_t *srv;

    for (int i = 0; i < 2; i++) {
        unsigned cert_line;

        srv = kvt_tls_server(kvt_mpm(), NULL);
        kvt_server_conf(srv, "SSLCertificateFile %s", c->rsa_cert);
        kvt_server_write_conf(srv);
        cert_line = kvt_conf_line_of(srv, "SSLCertificateFile"); /* the key goes next */
        kvt_assert_refused(srv, how[i], kvt_strf("SSLCertificateKeyFile %s", c->ec_key),
                           kvt_strf("SSLCertificateKeyFile: the private key in '%s' (%s:%u) "
                                    "does not match the certificate in '%s' (%s:%u)",
                                    c->ec_key, kvt_server_conf_path(srv), cert_line + 1,
                                    c->rsa_cert, kvt_server_conf_path(srv), cert_line));
    }
    srv = kvt_tls_server(kvt_mpm(), NULL);
    kvt_assert_refused(srv, "-t", "SSLCertificateFile /nonexistent/cert.pem",
                       "SSLCertificateFile: cannot read '/nonexistent/cert.pem'");
    /* An encrypted key: test_ssl_keys.c (SSLPassPhraseDialog). */
}
END_TEST

int main(void)
{
    return kvt_run_mpms("ssl", 0);
}
