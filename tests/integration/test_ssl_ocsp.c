/* mod_ssl's OCSP stapling against a local `openssl ocsp` responder (harness/ocsp.c), with
 * `openssl s_client -status`: a good response stapled under every MPM, a revoked one as
 * httpd staples it, a responder that is down or never answers stalls no handshake, one that
 * comes back is picked up, a response that does not verify is logged and not stapled, and
 * the directives' bad values are refused. And the default that `make testssl` asked for:
 * the server's cipher order. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

/* How long the fetcher may take to publish a response on a slow machine. */
#define STAPLE_TIMEOUT_MS 30000
/* A handshake with a dead responder must end well within this. */
#define HANDSHAKE_DEADLINE_MS 15000

KVT_MPM_CASE(per_mpm);

/* A server with SSLUseStapling on for @a leaf (its key @a key; the test CA as its chain, so
 * that kiva finds the issuer), @a extra in the host (or ""). No SSLStaplingCache: the
 * responses are in DefaultRuntimeDir (test_ssl_stapling2 tests the caches). */
static kvt_server_t *stapling_server(const char *leaf, const char *key, const char *extra)
{
    return kvt_tls_server_pair(kvt_mpm(), leaf, key,
                               kvt_strf("SSLCertificateChainFile %s\n    SSLUseStapling on\n    %s",
                                        kvt_certs()->ca, extra));
}

/* Wait until the error log has message @a number, and fail unless it holds @a expected. */
static void assert_logged(kvt_server_t *srv, const char *number, char *expected)
{
    char *log = kvt_server_wait_log(srv, number, STAPLE_TIMEOUT_MS);

    ck_assert_msg(kvt_contains(log, expected), "want %s in: %s", expected, kvt_tail(log));
    free(log);
    free(expected);
}

/* The pid in the last "fetcher (pid N)" line of the error log after @a from. */
static pid_t fetcher_pid(kvt_server_t *srv, size_t from)
{
    char *log = kvt_server_error_log(srv), *at = NULL, *p = log + from;
    pid_t pid;

    while ((p = strstr(p, "KV01590: the OCSP stapling fetcher (pid ")) != NULL) {
        at = p;
        p++;
    }
    ck_assert_msg(at != NULL, "no fetcher started: %s", kvt_tail(log));
    pid = (pid_t)atol(at + strlen("KV01590: the OCSP stapling fetcher (pid "));
    free(log);
    return pid;
}

/* The responder says good: the handshake carries its response (under every MPM),
 * and the fetcher runs as User, not as root. */
KVC_TEST(per_mpm, test_good_response_is_stapled)
{
    kvt_ocsp_t *ocsp = kvt_ocsp_new();
    const char *key, *leaf = kvt_ocsp_leaf(ocsp, "good", 0, &key);
    kvt_server_t *srv = stapling_server(leaf, key, "");
    pid_t fetcher;

    kvt_ocsp_start(ocsp, NULL, NULL);
    kvt_server_start(srv);
    kvt_assert_stapled(srv, "Cert Status: good", STAPLE_TIMEOUT_MS);
    kvt_assert_stapled(srv, "OCSP Response Status: successful", STAPLE_TIMEOUT_MS);
    fetcher = fetcher_pid(srv, 0);
    ck_assert_msg(geteuid() != 0 ||
                      (kvt_pid_uid(fetcher) != 0 && kvt_pid_uid(fetcher) != (uid_t)-1),
                  "the fetcher %ld runs as uid %ld", (long)fetcher, (long)kvt_pid_uid(fetcher));
    kvt_ocsp_stop(ocsp);
}
END_TEST

/* A graceful restart ends the old generation's fetcher and starts the new one's, which
 * staples as before. */
KVT_TEST_ONCE(per_mpm, test_graceful_restart_replaces_the_fetcher)
{
    kvt_ocsp_t *ocsp = kvt_ocsp_new();
    const char *key, *leaf = kvt_ocsp_leaf(ocsp, "graceful", 0, &key);
    kvt_server_t *srv = stapling_server(leaf, key, "");
    char *log;
    size_t len;
    pid_t old, new;

    kvt_ocsp_start(ocsp, NULL, NULL);
    kvt_server_start(srv);
    kvt_assert_stapled(srv, "Cert Status: good", STAPLE_TIMEOUT_MS);
    old = fetcher_pid(srv, 0);
    ck_assert_msg(kvt_pid_alive(old), "fetcher %ld is not running", (long)old);
    log = kvt_server_error_log(srv);
    len = strlen(log);
    free(log);
    ck_assert_int_eq(kill(kvt_server_pid(srv), SIGUSR1), 0);
    kvt_wait_generation(srv, 1);
    ck_assert_msg(kvt_wait_for(kvt_pid_gone, &old, 10000), "old fetcher %ld still runs", (long)old);
    new = fetcher_pid(srv, len);
    ck_assert_msg(new != old &&kvt_pid_alive(new), "fetcher %ld is not running", (long)new);
    kvt_assert_stapled(srv, "Cert Status: good", STAPLE_TIMEOUT_MS);
    kvt_ocsp_stop(ocsp);
}
END_TEST

/* Two virtual hosts with one certificate: it is fetched once, and stapled by both. */
KVT_TEST_ONCE(per_mpm, test_shared_certificate_fetched_once)
{
    kvt_ocsp_t *ocsp = kvt_ocsp_new();
    const char *key, *leaf = kvt_ocsp_leaf(ocsp, "shared", 0, &key);
    kvt_server_t *srv = stapling_server(leaf, key, "");

    kvt_server_conf(srv, "<VirtualHost 127.0.0.1:%d>", kvt_server_port(srv));
    kvt_server_conf(srv, "    ServerName www.localhost");
    kvt_server_conf(srv, "    SSLEngine on");
    kvt_server_conf(srv, "    SSLCertificateFile %s", leaf);
    kvt_server_conf(srv, "    SSLCertificateKeyFile %s", key);
    kvt_server_conf(srv, "    SSLCertificateChainFile %s", kvt_certs()->ca);
    kvt_server_conf(srv, "    SSLUseStapling on");
    kvt_server_conf(srv, "</VirtualHost>");
    kvt_ocsp_start(ocsp, NULL, NULL);
    kvt_server_start(srv);
    kvt_assert_stapled(srv, "Cert Status: good", STAPLE_TIMEOUT_MS);
    assert_logged(srv, "KV01590",
                  kvt_strf("KV01590: the OCSP stapling fetcher (pid %ld) started for 1 "
                           "certificate\n",
                           (long)fetcher_pid(srv, 0)));
    kvt_ocsp_stop(ocsp);
}
END_TEST

/* A revoked certificate's response is stapled, as httpd does with its default
 * SSLStaplingReturnResponderErrors on, and logged; with it off, nothing is stapled. */
KVT_TEST_ONCE(per_mpm, test_revoked_response_stapled_as_httpd)
{
    kvt_ocsp_t *ocsp = kvt_ocsp_new();
    const char *key, *leaf = kvt_ocsp_leaf(ocsp, "revoked", 1, &key);
    kvt_server_t *srv = stapling_server(leaf, key, "");

    kvt_ocsp_start(ocsp, NULL, NULL);
    kvt_server_start(srv);
    kvt_assert_stapled(srv, "Cert Status: revoked", STAPLE_TIMEOUT_MS);
    assert_logged(srv, "KV01589",
                  kvt_strf("KV01589: the OCSP responder %s says the "
                           "certificate in %s is revoked",
                           kvt_ocsp_url(ocsp), leaf));
    kvt_server_stop(srv);

    srv = stapling_server(leaf, key, "SSLStaplingReturnResponderErrors off");
    kvt_server_start(srv);
    free(kvt_server_wait_log(srv, "KV01589", STAPLE_TIMEOUT_MS));
    kvt_assert_nothing_stapled(srv);
    kvt_ocsp_stop(ocsp);
}
END_TEST

/* A listening socket that never accepts: a responder that takes the request and never
 * answers. */
static int silent_listener(int *port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ck_assert_int_eq(listen(fd, 16), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    *port = ntohs(sa.sin_port);
    return fd;
}

/* A responder that never answers (SSLStaplingForceURL to a socket that never accepts, a
 * long SSLStaplingResponderTimeout): handshakes complete at once, with nothing stapled,
 * while the fetcher waits (under every MPM). */
KVC_TEST(per_mpm, test_silent_responder_stalls_no_handshake)
{
    kvt_ocsp_t *ocsp = kvt_ocsp_new();
    const char *key, *leaf = kvt_ocsp_leaf(ocsp, "silent", 0, &key);
    int port, fd = silent_listener(&port);
    kvt_server_t *srv = stapling_server(leaf, key,
                                        kvt_strf("SSLStaplingForceURL http://127.0.0.1:%d/\n"
                                                 "    SSLStaplingResponderTimeout 120",
                                                 port));
    const char *argv[] = {"sh", "-c",
                          kvt_strf("openssl s_client -connect 127.0.0.1:%d -CAfile %s -status "
                                   "</dev/null 2>&1",
                                   kvt_server_port(srv), kvt_certs()->ca),
                          NULL};
    char *out = NULL;
    int status = -1;

    kvt_server_start(srv);
    for (int i = 0; i < 3; i++) {
        ck_assert_msg(kvt_run(argv, HANDSHAKE_DEADLINE_MS, &status, &out, NULL) == 0,
                      "a handshake waited for the silent OCSP responder");
        ck_assert_msg(status == 0 && kvt_contains(out, "OCSP response: no response sent") &&
                          kvt_contains(out, "Verify return code: 0 (ok)"),
                      "%s", kvt_tail(out));
        free(out);
    }
    close(fd);
}
END_TEST

/* No responder at its URL: each handshake goes on with nothing stapled (the fetcher's
 * failure is logged); once the responder starts, the next fetch (SSLStaplingErrorCacheTimeout
 * later) is stapled. */
KVT_TEST_ONCE(per_mpm, test_responder_down_then_back)
{
    kvt_ocsp_t *ocsp = kvt_ocsp_new();
    const char *key, *leaf = kvt_ocsp_leaf(ocsp, "back", 0, &key);
    kvt_server_t *srv = stapling_server(
        leaf, key, "SSLStaplingFakeTryLater off\n    SSLStaplingErrorCacheTimeout 1");

    kvt_server_start(srv);
    assert_logged(srv, "KV01586",
                  kvt_strf("KV01586: the OCSP responder %s for the certificate "
                           "in %s did not answer",
                           kvt_ocsp_url(ocsp), leaf));
    kvt_assert_nothing_stapled(srv);
    kvt_ocsp_start(ocsp, NULL, NULL);
    kvt_assert_stapled(srv, "Cert Status: good", STAPLE_TIMEOUT_MS);
    kvt_ocsp_stop(ocsp);
}
END_TEST

typedef struct {
    kvt_server_t *srv;
    const char *needle;
    int times;
} log_wait_t;

static int logged_times(void *arg)
{
    const log_wait_t *w = arg;
    char *log = kvt_server_error_log(w->srv), *p = log;
    int n = 0;

    while (p && (p = strstr(p, w->needle)) != NULL) {
        n++;
        p++;
    }
    free(log);
    return n >= w->times;
}

/* A good response still valid stays stapled when later fetches fail (the responder
 * stopped), rather than httpd's faked tryLater: two failures a second apart, so that a
 * child has looked at the store again since the first. */
KVT_TEST_ONCE(per_mpm, test_good_response_kept_through_a_failure)
{
    kvt_ocsp_t *ocsp = kvt_ocsp_new();
    const char *key, *leaf = kvt_ocsp_leaf(ocsp, "kept", 0, &key);
    kvt_server_t *srv = stapling_server(
        leaf, key, "SSLStaplingStandardCacheTimeout 1\n    SSLStaplingErrorCacheTimeout 1");
    log_wait_t twice = {srv, "KV01586", 2};
    char *out;

    kvt_ocsp_start(ocsp, NULL, NULL);
    kvt_server_start(srv);
    kvt_assert_stapled(srv, "Cert Status: good", STAPLE_TIMEOUT_MS);
    kvt_ocsp_stop(ocsp);
    ck_assert_msg(kvt_wait_for(logged_times, &twice, STAPLE_TIMEOUT_MS), "%s",
                  kvt_tail(kvt_server_error_log(srv)));
    out = kvt_stapling_report(srv);
    ck_assert_msg(kvt_contains(out, "Cert Status: good"), "%s", kvt_tail(out));
    free(out);
}
END_TEST

/* With httpd's default SSLStaplingFakeTryLater on, an unreachable responder is stapled as a
 * tryLater response. */
KVT_TEST_ONCE(per_mpm, test_unreachable_responder_fakes_trylater)
{
    kvt_ocsp_t *ocsp = kvt_ocsp_new();
    const char *key, *leaf = kvt_ocsp_leaf(ocsp, "trylater", 0, &key);
    kvt_server_t *srv = stapling_server(leaf, key, "");

    kvt_server_start(srv);
    kvt_assert_stapled(srv, "OCSP Response Status: trylater", STAPLE_TIMEOUT_MS);
}
END_TEST

/* A response signed by a certificate the issuer did not make an OCSP signer (the other.test
 * leaf) is logged, naming the responder and why, and not stapled. */
KVT_TEST_ONCE(per_mpm, test_bad_response_logged_not_stapled)
{
    const kvt_certs_t *c = kvt_certs();
    kvt_ocsp_t *ocsp = kvt_ocsp_new();
    const char *key, *leaf = kvt_ocsp_leaf(ocsp, "badsig", 0, &key);
    kvt_server_t *srv = stapling_server(leaf, key, "");

    kvt_ocsp_start(ocsp, c->other_cert, c->other_key);
    kvt_server_start(srv);
    assert_logged(srv, "KV01588",
                  kvt_strf("KV01588: bad OCSP response from %s for the "
                           "certificate in %s: its signature does not verify",
                           kvt_ocsp_url(ocsp), leaf));
    kvt_assert_nothing_stapled(srv);
    kvt_ocsp_stop(ocsp);
}
END_TEST

/* A certificate whose issuer kiva cannot find, or that names no responder, is served
 * without stapling, with a warning that names its file. */
KVT_TEST_ONCE(per_mpm, test_unstapled_certificates_warned)
{
    const kvt_certs_t *c = kvt_certs();
    kvt_ocsp_t *ocsp = kvt_ocsp_new();
    const char *key, *leaf = kvt_ocsp_leaf(ocsp, "noissuer", 0, &key);
    kvt_server_t *srv = kvt_tls_server_pair(kvt_mpm(), leaf, key, "SSLUseStapling on");

    kvt_server_start(srv);
    assert_logged(srv, "KV01580",
                  kvt_strf("KV01580: OCSP stapling is off for the certificate "
                           "in %s",
                           leaf));
    kvt_assert_nothing_stapled(srv);
    kvt_server_stop(srv);

    srv = stapling_server(c->ec_cert, c->ec_key, "");
    kvt_server_start(srv);
    assert_logged(srv, "KV01581",
                  kvt_strf("KV01581: OCSP stapling is off for the certificate "
                           "in %s",
                           c->ec_cert));
    kvt_assert_nothing_stapled(srv);
}
END_TEST

/* testssl.sh (make testssl) rates a server that follows the client's cipher order HIGH, so
 * mod_ssl's SSLHonorCipherOrder is on unless turned off: the client offers ChaCha20 first,
 * the server's AES-GCM wins. */
KVT_TEST_ONCE(per_mpm, test_server_cipher_order_by_default)
{
    kvt_server_t *srv = kvt_tls_server(
        kvt_mpm(), "SSLCipherSuite ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305");
    char *out;

    kvt_server_start(srv);
    ck_assert_msg(kvt_s_client(srv,
                               "-tls1_2 -cipher "
                               "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256",
                               "", &out) == 0,
                  "%s", kvt_tail(out));
    ck_assert_msg(kvt_contains(out, "Cipher is ECDHE-ECDSA-AES128-GCM-SHA256"), "%s",
                  kvt_tail(out));
    free(out);
}
END_TEST

/* Bad values are refused, naming the line. */
KVT_TEST_ONCE(per_mpm, test_bad_values_refused)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);
    char *err = NULL;
    int status = -1;

    kvt_assert_refused(srv, "-t", "SSLStaplingCache nosuch:/tmp/x",
                       "SSLStaplingCache: 'nosuch' stapling cache not supported");
    srv = kvt_tls_server(kvt_mpm(), "SSLStaplingCache shmcb:/tmp/x(512000)");
    kvt_server_write_conf(srv);
    ck_assert_int_eq(kvt_run_kiva(&status, NULL, &err, "-t", "-f", kvt_server_conf_path(srv),
                                  (const char *)NULL),
                     0);
    ck_assert_msg(status == 1 &&
                      kvt_contains(err, "SSLStaplingCache is not allowed in <VirtualHost>"),
                  "%d: %s", status, err);
    free(err);
    srv = kvt_tls_server(kvt_mpm(), NULL);
    kvt_assert_refused(srv, "-t", "SSLUseStapling maybe", "SSLUseStapling must be On or Off");
    srv = kvt_tls_server(kvt_mpm(), NULL);
    kvt_assert_refused(srv, "-t", "SSLStaplingResponderTimeout 0", "SSLStaplingResponderTimeout");
}
END_TEST

int main(void)
{
    return kvt_run_mpms("ssl_ocsp", 0);
}
