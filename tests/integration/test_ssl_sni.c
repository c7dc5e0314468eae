/* mod_ssl's SNI, 421 Misdirected Request, SSLStrictSNIVHostCheck and ALPN, with curl and
 * `openssl s_client` against the test CA (harness/certs.c), under every MPM; and a TLS
 * hello sent to a plain-HTTP port. The rules are httpd 2.4.64's, checked against Debian's
 * apache2 2.4.71 on the same three hosts. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define LOG_DEADLINE_MS 10000
#define REQUEST(host) "GET / HTTP/1.1\\r\\nHost: " host "\\r\\nConnection: close\\r\\n\\r\\n"
#define NO_SNI "-noservername"

KVT_MPM_CASE(per_mpm);

/* A name-based TLS host @a name on the server's address, serving "hello NAME\n" from a
 * DocumentRoot of its own, with the certificate files @a certs and their keys @a keys (as
 * many, NULL-terminated) and the line @a extra (or NULL). */
static void add_host(kvt_server_t *srv, const char *name, const char *const *certs,
                     const char *const *keys, const char *extra)
{
    char *rel = kvt_strf("%s/index.html", name), *body = kvt_strf("hello %s\n", name);
    const char *index = kvt_write_root_file(srv, rel, body);

    kvt_server_conf(srv, "<VirtualHost 127.0.0.1:%d>", kvt_server_port(srv));
    kvt_server_conf(srv, "    ServerName %s", name);
    kvt_server_conf(srv, "    DocumentRoot \"%.*s\"", (int)(strrchr(index, '/') - index), index);
    kvt_server_conf(srv, "    SSLEngine on");
    for (int i = 0; certs[i]; i++) {
        kvt_server_conf(srv, "    SSLCertificateFile %s", certs[i]);
        kvt_server_conf(srv, "    SSLCertificateKeyFile %s", keys[i]);
    }
    kvt_server_conf(srv, "    %s", extra ? extra : "");
    kvt_server_conf(srv, "</VirtualHost>");
    free(rel);
    free(body);
}

/* Three name-based hosts on one TLS address: localhost first (kvt_tls_server's, the RSA and
 * ECDSA pairs, @a extra_first inside it), other.test (its own certificate, @a extra_other)
 * and alias.test (the same certificate files as localhost: a compatible TLS setup). Each
 * serves its own index.html. Started. */
static kvt_server_t *sni_server(const char *extra_first, const char *extra_other)
{
    const kvt_certs_t *c = kvt_certs();
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), extra_first);
    const char *other_certs[] = {c->other_cert, NULL}, *other_keys[] = {c->other_key, NULL};
    const char *certs[] = {c->rsa_cert, c->ec_cert, NULL}, *keys[] = {c->rsa_key, c->ec_key, NULL};

    add_host(srv, "other.test", other_certs, other_keys, extra_other);
    add_host(srv, "alias.test", certs, keys, NULL);
    kvt_server_start(srv);
    return srv;
}

/* s_client with @a options sending @a request; fails the test unless the output has each
 * of the NULL-terminated strings after @a request. */
static void assert_s_client(kvt_server_t *srv, const char *options, const char *request, ...)
{
    char *out;
    const char *want;
    va_list ap;

    kvt_s_client(srv, options, request, &out);
    va_start(ap, request);
    while ((want = va_arg(ap, const char *)) != NULL) {
        ck_assert_msg(kvt_contains(out, want), "s_client %s: no \"%s\" in:\n%s\nerror log:\n%s",
                      options, want, kvt_tail(out), kvt_tail(kvt_server_error_log(srv)));
    }
    va_end(ap);
    free(out);
}

/* curl https://HOST:PORT/ with @a options; fails the test unless it printed @a want. */
static void assert_curl_host(kvt_server_t *srv, const char *host, const char *options,
                             const char *want)
{
    char *out;

    kvt_curl_tls_host(srv, host, options, "/", &out);
    ck_assert_msg(kvt_contains(out, want), "curl %s %s: no \"%s\" in:\n%s", host, options, want,
                  kvt_tail(out));
    free(out);
}

/* The error log holds @a needle (within a bounded wait: it is written after the answer). */
static void assert_logged(kvt_server_t *srv, const char *needle)
{
    char *log = kvt_server_wait_log(srv, needle, LOG_DEADLINE_MS);

    ck_assert_msg(kvt_contains(log, needle), "no \"%s\" in the error log:\n%s", needle,
                  kvt_tail(log));
    free(log);
}

/* The SNI name selects the host: its certificate in the handshake, its pages after. */
KVC_TEST(per_mpm, test_sni_selects_the_virtual_host)
{
    kvt_server_t *srv = sni_server(NULL, NULL);

    assert_curl_host(srv, "other.test", "", "hello other.test\n");
    assert_curl_host(srv, "localhost", "", "hello over tls\n");
    assert_curl_host(srv, "alias.test", "-k", "hello alias.test\n");
    assert_s_client(srv, "-servername other.test -verify_hostname other.test", "",
                    "CN = other.test", "Verify return code: 0 (ok)", NULL);
    assert_s_client(srv, "-servername OTHER.test", "", "CN = other.test", NULL);
}
END_TEST

/* No SNI, or a name no host has: the handshake is the address's first host's (localhost). */
KVC_TEST(per_mpm, test_no_or_unknown_sni_gets_the_first_host)
{
    kvt_server_t *srv = sni_server(NULL, NULL);

    assert_s_client(srv, NO_SNI " -verify_hostname localhost", REQUEST("localhost"),
                    "CN = localhost", "Verify return code: 0 (ok)", " 200 OK", "hello over tls",
                    NULL);
    assert_s_client(srv, "-servername nosuch.test -verify_hostname localhost", REQUEST("localhost"),
                    "CN = localhost", " 200 OK", "hello over tls", NULL);
}
END_TEST

/* The SNI host's SSLProtocol rules the handshake: the switch happens before the version is
 * chosen. */
KVC_TEST(per_mpm, test_sni_host_protocols_rule_the_handshake)
{
    kvt_server_t *srv = sni_server(NULL, "SSLProtocol -all +TLSv1.2");
    char *out;

    ck_assert_msg(kvt_s_client(srv, "-servername other.test -tls1_3", "", &out) != 0,
                  "TLS 1.3 with other.test: %s", kvt_tail(out));
    free(out);
    assert_s_client(srv, "-servername other.test", "", "New, TLSv1.2", "CN = other.test", NULL);
    assert_s_client(srv, "-servername localhost -tls1_3", "", "New, TLSv1.3", NULL);
}
END_TEST

/* A Host that selects another host than the handshake's, with another TLS setup: 421 with
 * httpd's page, logged; with SNI and without. A host with the same certificates serves. */
KVC_TEST(per_mpm, test_host_of_another_tls_host_is_misdirected)
{
    kvt_server_t *srv = sni_server(NULL, NULL);

    assert_curl_host(srv, "other.test", "-H 'Host: localhost' -w ' %{http_code}'",
                     "does not match\nthe Server Name Indication (SNI) in use for this\n"
                     "connection.</p>\n</body></html>\n 421");
    assert_logged(srv, "KV01485: hostname other.test provided via SNI and hostname localhost "
                       "provided via HTTP have no compatible TLS setup");
    /* A Host no host has selects the first host, not the SNI's. */
    assert_s_client(srv, "-servername other.test", REQUEST("nosuch.test"),
                    "HTTP/1.1 421 Misdirected Request", NULL);
    assert_s_client(srv, NO_SNI, REQUEST("other.test"), "HTTP/1.1 421 Misdirected Request", NULL);
    assert_logged(srv, "KV01485: hostname localhost (default host as no SNI was provided) and "
                       "hostname other.test provided via HTTP");
    assert_s_client(srv, "-servername localhost", REQUEST("alias.test"), " 200 OK",
                    "hello alias.test", NULL);
    assert_s_client(srv, NO_SNI, REQUEST("alias.test"), " 200 OK", "hello alias.test", NULL);
}
END_TEST

/* SNI without a Host (HTTP/1.0) is 400; without SNI either, the first host serves. */
KVC_TEST(per_mpm, test_sni_without_host_is_bad_request)
{
    kvt_server_t *srv = sni_server(NULL, NULL);

    assert_s_client(srv, "-servername other.test", "GET / HTTP/1.0\\r\\n\\r\\n", " 400 Bad Request",
                    NULL);
    assert_logged(srv, "KV01483: hostname other.test provided via SNI, but no hostname provided "
                       "in the HTTP request");
    assert_s_client(srv, NO_SNI, "GET / HTTP/1.0\\r\\n\\r\\n", " 200 OK", "hello over tls", NULL);
}
END_TEST

#define STRICT "SSLStrictSNIVHostCheck on"
#define STRICT_REASON                                                                              \
    "<p>You don't have permission to access this resource.Reason: The client software did not "    \
    "provide a hostname using Server Name Indication (SNI), which is required to access this "     \
    "server.<br />\n</p>"

/* SSLStrictSNIVHostCheck on in the first host: a client without SNI is refused every host of
 * the address (403 with httpd's reason); one with SNI is served. */
KVC_TEST(per_mpm, test_strict_sni_in_the_first_host)
{
    kvt_server_t *srv = sni_server(STRICT, NULL);

    assert_s_client(srv, NO_SNI, REQUEST("localhost"), "HTTP/1.1 403 Forbidden", STRICT_REASON,
                    NULL);
    assert_logged(srv, "KV01484: no hostname was provided via SNI for a name-based virtual host");
    assert_s_client(srv, NO_SNI, REQUEST("other.test"), "HTTP/1.1 403 Forbidden", NULL);
    assert_s_client(srv, "-servername localhost", REQUEST("localhost"), " 200 OK", NULL);
    assert_curl_host(srv, "other.test", "", "hello other.test\n");
}
END_TEST

/* SSLStrictSNIVHostCheck on in another host: only that host is refused to a client without
 * SNI (403, before the 421 its other TLS setup would get). */
KVC_TEST(per_mpm, test_strict_sni_in_another_host)
{
    kvt_server_t *srv = sni_server(NULL, STRICT);

    assert_s_client(srv, NO_SNI, REQUEST("localhost"), " 200 OK", "hello over tls", NULL);
    assert_s_client(srv, NO_SNI, REQUEST("other.test"), "HTTP/1.1 403 Forbidden", STRICT_REASON,
                    NULL);
    assert_curl_host(srv, "other.test", "", "hello other.test\n");
}
END_TEST

/* ALPN: http/1.1 when offered (before h2, which nothing registered); none offered, none
 * agreed; only unknown ones: RFC 7301's no_application_protocol alert. */
KVC_TEST(per_mpm, test_alpn_agrees_on_http11)
{
    kvt_server_t *srv = sni_server(NULL, NULL);

    assert_curl_host(srv, "localhost", "--http1.1 -v", "ALPN: server accepted http/1.1");
    assert_curl_host(srv, "other.test", "--http2 -v", "ALPN: server accepted http/1.1");
    assert_s_client(srv, "-servername localhost -alpn h2,http/1.1", REQUEST("localhost"),
                    "ALPN protocol: http/1.1", " 200 OK", NULL);
    assert_s_client(srv, "-servername localhost", REQUEST("localhost"), "No ALPN negotiated",
                    " 200 OK", NULL);
    assert_s_client(srv, "-servername localhost -alpn foo,h2", REQUEST("localhost"),
                    "no application protocol", NULL);
}
END_TEST

/* A protocol module's registered name is offered, preferred to HTTP/1's, and the protocol
 * choice sees what ALPN agreed: mod_test_protocol takes a connection ALPN gave it without
 * its magic; one that agreed on http/1.1 goes to HTTP/1. */
KVC_TEST(per_mpm, test_alpn_gives_the_connection_to_the_agreed_protocol)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);

    kvt_server_conf(srv,
                    "LoadModule test_protocol_module %s/tests/modules/.libs/mod_test_protocol.so",
                    KV_TEST_BUILDDIR);
    kvt_server_start(srv);
    /* The toy's connection ends at a line that is no request ("END"): s_client then ends. */
    assert_s_client(srv, "-alpn http/1.1,kvtp/1", "GET / 0\\nHost: localhost\\n\\nEND\\n",
                    "ALPN protocol: kvtp/1", "200 15\nhello over tls\n", NULL);
    assert_s_client(srv, "-alpn http/1.1", REQUEST("localhost"), "ALPN protocol: http/1.1",
                    "HTTP/1.1 200 OK", "hello over tls", NULL);
}
END_TEST

/* A TLS ClientHello on a plain-HTTP port: httpd's 400 at once (the hello need hold no line
 * end), a log line that says what happened, and the server goes on serving. */
KVC_TEST(per_mpm, test_tls_hello_on_a_plain_port)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    static const char hello[] = "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03"
                                "\x11\x22\x33\x44\x55\x66\x77\x88";
    kvt_response_t resp;
    char *want;
    int fd;

    kvt_write_file(srv, "index.html", "plain\n", 6);
    kvt_server_start(srv);
    fd = kvt_connect(kvt_server_port(srv));
    ck_assert_int_eq(kvt_send_raw(fd, hello, sizeof(hello) - 1), 0);
    ck_assert_int_eq(kvt_read_response(fd, &resp, 0), 0);
    ck_assert_int_eq(resp.status, 400);
    ck_assert_msg(kvt_says_close(&resp), "the connection is kept after a TLS hello");
    kvt_response_free(&resp);
    close(fd);
    want = kvt_strf("port %d: a TLS handshake on a plain-HTTP port: use https:// or SSLEngine on "
                    "for this address",
                    kvt_server_port(srv));
    assert_logged(srv, want);
    assert_logged(srv, "KV01487: client 127.0.0.1");
    free(want);
    kvt_assert_serves(srv, "/", "plain\n");
}
END_TEST

int main(void)
{
    return kvt_run_mpms("ssl_sni", 0);
}
