/* mod_ssl's client certificates and SSL environment, with curl and `openssl s_client` against
 * the test CA (harness/certs.c): SSLVerifyClient (none, optional, require, optional_no_ca),
 * SSLVerifyDepth, SSLCACertificateFile and SSLCACertificatePath (the CA names sent in the
 * CertificateRequest), the SSL_* variables in CGI, logs and expressions, SSLOptions and
 * SSLRequireSSL. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

KVT_MPM_CASE(per_mpm);

/* A TLS server whose virtual host verifies clients against the test CA at @a level, with
 * @a extra lines in the virtual host (or NULL). */
static kvt_server_t *verifying_server(const char *level, const char *extra)
{
    const kvt_certs_t *c = kvt_certs();

    return kvt_tls_server(kvt_mpm(), kvt_strf("SSLCACertificateFile %s\n    SSLVerifyClient %s\n"
                                              "    %s",
                                              c->ca, level, extra ? extra : ""));
}

/* curl's options to present the test client certificate. */
static const char *client_cert_options(void)
{
    const kvt_certs_t *c = kvt_certs();

    return kvt_strf("--cert %s --key %s", c->client_cert, c->client_key);
}

/* curl's options to present a self-signed certificate no CA of the server knows, made in
 * @a srv's ServerRoot. */
static const char *stranger_cert_options(kvt_server_t *srv)
{
    const char *key = kvt_strf("%s/stranger.key", kvt_server_root(srv));
    const char *cert = kvt_strf("%s/stranger.pem", kvt_server_root(srv));
    const char *argv[] = {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                          "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
                          "-days", "30", "-subj", "/CN=stranger", NULL};

    ck_assert_int_eq(kvt_run_tool(argv, NULL, NULL), 0);
    return kvt_strf("--cert %s --key %s", cert, key);
}

/* GET @a path with curl and @a options; the body (or curl's error) in the returned string,
 * curl's exit status in *status. */
static char *curl_get(kvt_server_t *srv, const char *options, const char *path, int *status)
{
    char *out;

    *status = kvt_curl_tls(srv, options, path, &out);
    return out;
}

static void assert_served(kvt_server_t *srv, const char *options)
{
    int status;
    char *out = curl_get(srv, options, "/", &status);

    ck_assert_msg(status == 0 && strcmp(out, "hello over tls\n") == 0, "%d: %s", status,
                  kvt_tail(out));
    free(out);
}

/* curl with @a options fails, and says @a why. */
static void assert_refused_handshake(kvt_server_t *srv, const char *options, const char *why)
{
    int status;
    char *out = curl_get(srv, options, "/", &status);

    ck_assert_msg(status != 0 && kvt_contains(out, why), "%d, want \"%s\": %s", status, why,
                  kvt_tail(out));
    free(out);
}

/* ---- 1. Client certificates ------------------------------------------------------------ */

/* require: no certificate, no handshake (TLS 1.3's certificate_required alert, TLS 1.2's
 * handshake_failure, as httpd's); the test client's certificate is let in. */
KVC_TEST(per_mpm, test_require_needs_a_client_certificate)
{
    kvt_server_t *srv = verifying_server("require", NULL);

    kvt_server_start(srv);
    assert_refused_handshake(srv, "--tlsv1.3", "alert certificate required");
    assert_refused_handshake(srv, "--tls-max 1.2", "alert handshake failure");
    assert_served(srv, client_cert_options());
    assert_served(srv, kvt_strf("--tls-max 1.2 %s", client_cert_options()));
}
END_TEST

/* The CertificateRequest names SSLCACertificateFile's CAs; none is asked for without
 * SSLVerifyClient. */
KVT_TEST_ONCE(per_mpm, test_ca_names_in_certificate_request)
{
    kvt_server_t *srv = verifying_server("optional", NULL);
    kvt_server_t *plain = kvt_tls_server(kvt_mpm(), NULL);
    char *out;

    kvt_server_start(srv);
    ck_assert_msg(kvt_s_client(srv, "-tls1_3", "", &out) == 0, "%s", kvt_tail(out));
    ck_assert_msg(kvt_contains(out, "Acceptable client certificate CA names\nCN = kiva test CA\n"),
                  "%s", out);
    free(out);
    kvt_server_start(plain);
    ck_assert_msg(kvt_s_client(plain, "-tls1_3", "", &out) == 0, "%s", kvt_tail(out));
    ck_assert_msg(kvt_contains(out, "No client certificate CA names sent"), "%s", out);
    free(out);
}
END_TEST

/* optional: a client without a certificate is let in, one whose CA is unknown is not. */
KVT_TEST_ONCE(per_mpm, test_optional_admits_a_client_without_certificate)
{
    kvt_server_t *srv = verifying_server("optional", NULL);

    kvt_server_start(srv);
    assert_served(srv, "");
    assert_served(srv, client_cert_options());
    assert_refused_handshake(srv, stranger_cert_options(srv), "alert unknown ca");
}
END_TEST

/* optional_no_ca: a certificate of an unknown CA is let in too. */
KVT_TEST_ONCE(per_mpm, test_optional_no_ca_admits_an_unknown_ca)
{
    kvt_server_t *srv = verifying_server("optional_no_ca", NULL);

    kvt_server_start(srv);
    assert_served(srv, stranger_cert_options(srv));
    assert_served(srv, "");
    assert_served(srv, client_cert_options());
}
END_TEST

/* SSLVerifyDepth 0 admits no CA above the client's certificate: the test client's, signed
 * by the test CA, is refused, as httpd refuses it ("Certificate Chain too long"). */
KVT_TEST_ONCE(per_mpm, test_verify_depth_zero_refuses_a_ca_signed_certificate)
{
    kvt_server_t *srv = verifying_server("require", "SSLVerifyDepth 0");

    kvt_server_start(srv);
    assert_refused_handshake(srv, client_cert_options(), "alert");
}
END_TEST

/* SSLCACertificatePath: a directory of CA certificates named by subject hash (openssl
 * rehash, as c_rehash) verifies clients and names its CAs. */
KVT_TEST_ONCE(per_mpm, test_ca_path_is_a_hashed_directory)
{
    const kvt_certs_t *c = kvt_certs();
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), "SSLCACertificatePath cas\n"
                                                  "    SSLVerifyClient require");
    const char *dir = kvt_strf("%s/cas", kvt_server_root(srv));
    const char *rehash[] = {"openssl", "rehash", dir, NULL};
    char *ca = kvt_read_file(c->ca), *out;

    ck_assert_ptr_nonnull(ca);
    kvt_write_root_file(srv, "cas/kiva-ca.pem", ca);
    free(ca);
    ck_assert_int_eq(kvt_run_tool(rehash, NULL, NULL), 0);
    kvt_server_start(srv);
    assert_served(srv, client_cert_options());
    assert_refused_handshake(srv, "", "alert certificate required");
    kvt_s_client(srv, "-tls1_3", "", &out); /* fails: it has no certificate to give */
    ck_assert_msg(kvt_contains(out, "Acceptable client certificate CA names\nCN = kiva test CA\n"),
                  "%s", out);
    free(out);
}
END_TEST

/* Bad values are syntax errors of their line, with -t. */
KVT_TEST_ONCE(per_mpm, test_bad_values_refused)
{
    const kvt_certs_t *c = kvt_certs();
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);

    kvt_assert_refused(srv, "-t", "SSLVerifyClient sometimes",
                       "SSLVerifyClient: Invalid argument 'sometimes'");
    srv = kvt_tls_server(kvt_mpm(), NULL);
    kvt_assert_refused(srv, "-t", "SSLVerifyDepth many", "SSLVerifyDepth: ");
    srv = kvt_tls_server(kvt_mpm(), NULL);
    kvt_assert_refused(srv, "-t", "SSLCACertificateFile /nonexistent/ca.pem",
                       "SSLCACertificateFile: cannot read '/nonexistent/ca.pem'");
    srv = kvt_tls_server(kvt_mpm(), NULL);
    kvt_assert_refused(srv, "-t", kvt_strf("SSLCACertificateFile %s", c->client_key),
                       "SSLCACertificateFile: no CA certificate could be read from");
    srv = kvt_tls_server(kvt_mpm(), NULL);
    kvt_assert_refused(srv, "-t", kvt_strf("SSLCACertificatePath %s", c->ca),
                       "is not a directory");
}
END_TEST

/* In a directory section httpd renegotiates (or asks TLS 1.3 post-handshake); kiva refuses the
 * directive there and says why. */
KVT_TEST_ONCE(per_mpm, test_verify_client_in_location_is_refused)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);
    const char *conf;
    char *err = NULL;
    int status = -1;

    kvt_server_conf(srv, "<Location /private>");
    kvt_server_conf(srv, "    SSLVerifyClient require");
    kvt_server_conf(srv, "</Location>");
    conf = kvt_server_write_conf(srv);
    ck_assert_int_eq(kvt_run_kiva(&status, NULL, &err, "-t", "-f", conf, (const char *)NULL), 0);
    ck_assert_int_eq(status, 1);
    ck_assert_msg(kvt_contains(err, kvt_strf("Syntax error on line %u of %s: SSLVerifyClient in "
                                             "<Directory>, <Location> or <Files> needs TLS "
                                             "renegotiation or post-handshake authentication",
                                             kvt_conf_line_of(srv, "SSLVerifyClient"), conf)),
                  "%s", err);
    free(err);
}
END_TEST

int main(void)
{
    return kvt_run_mpms("ssl_client", 0);
}
