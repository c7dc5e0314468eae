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
#include <sys/stat.h>

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
    const char *argv[] = {
        "openssl", "req",          "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes",  "-keyout",      key,     "-out",    cert, "-days",    "30",
        "-subj",   "/CN=stranger", NULL};

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

/* curl with @a options GETs @a path and gets status @a code. */
static void assert_code(kvt_server_t *srv, const char *options, const char *path, const char *code)
{
    int status;
    char *out =
        curl_get(srv, kvt_strf("-o /dev/null -w '%%{http_code}' %s", options), path, &status);

    ck_assert_msg(status == 0 && strcmp(out, code) == 0, "%s: %s, want %s", path, out, code);
    free(out);
}

/* A plain HTTP server with mod_ssl loaded. */
static kvt_server_t *plain_server(void)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());

    kvt_server_conf(srv, "LoadModule ssl_module %s/modules/.libs/mod_ssl.so", KV_TEST_BUILDDIR);
    return srv;
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
    kvt_assert_refused(srv, "-t", kvt_strf("SSLCACertificatePath %s", c->ca), "is not a directory");
}
END_TEST

/* SSLVerifyClient is taken in a directory section (test_ssl_pha); the CAs that verify what it
 * asks for are the server's, as httpd's, which refuses a CA file there too. */
KVT_TEST_ONCE(per_mpm, test_ca_file_in_location_is_refused)
{
    const kvt_certs_t *c = kvt_certs();
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);
    const char *conf;
    char *err = NULL;
    int status = -1;

    kvt_server_conf(srv, "<Location /private>");
    kvt_server_conf(srv, "    SSLVerifyClient require");
    kvt_server_conf(srv, "    SSLCACertificateFile %s", c->ca);
    kvt_server_conf(srv, "</Location>");
    conf = kvt_server_write_conf(srv);
    ck_assert_int_eq(kvt_run_kiva(&status, NULL, &err, "-t", "-f", conf, (const char *)NULL), 0);
    ck_assert_int_eq(status, 1);
    ck_assert_msg(kvt_contains(err, kvt_strf("Syntax error on line %u of %s: SSLCACertificateFile "
                                             "cannot be set per directory",
                                             kvt_conf_line_of(srv, "SSLCACertificateFile"), conf)),
                  "%s", err);
    ck_assert_msg(
        !kvt_contains(err, kvt_strf("line %u of", kvt_conf_line_of(srv, "SSLVerifyClient"))), "%s",
        err);
    free(err);
}
END_TEST

/* ---- 2. The SSL environment --------------------------------------------------------------- */

/* A CGI script, /cgi-bin/env.cgi, that prints HTTPS and the SSL_* variables, sorted, then
 * SSL_CLIENT_CERT whole (PEM has several lines) between << and >>. */
static void add_env_script(kvt_server_t *srv)
{
    const char *path;

    kvt_server_conf(srv, "LoadModule alias_module %s/modules/.libs/mod_alias.so", KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "LoadModule cgi_module %s/modules/.libs/mod_cgi.so", KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "ScriptAlias /cgi-bin/ \"%s/cgi-bin/\"", kvt_server_root(srv));
    path = kvt_write_root_file(srv, "cgi-bin/env.cgi",
                               "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\n"
                               "env | grep -E '^(HTTPS|SSL_)' | sort\n"
                               "printf 'CLIENT_CERT<<%s>>\\n' \"$SSL_CLIENT_CERT\"\n");
    ck_assert_int_eq(chmod(path, 0755), 0);
}

/* What `openssl x509 -noout -OPTION` says of @a cert, after its '=' ("notBefore=..."). */
static char *x509_field(const char *cert, const char *option)
{
    const char *argv[] = {"openssl", "x509", "-in", cert, "-noout", option, NULL};
    char *out = NULL, *value;

    ck_assert_int_eq(kvt_run_tool(argv, &out, NULL), 0);
    value = strchr(out, '=');
    ck_assert_ptr_nonnull(value);
    value = kvt_strf("%.*s", (int)strcspn(value + 1, "\n"), value + 1);
    free(out);
    return value;
}

static void assert_has(const char *env, const char *line)
{
    ck_assert_msg(kvt_contains(env, kvt_strf("%s\n", line)), "no \"%s\" in:\n%s", line, env);
}

/* SSLOptions +StdEnvVars +ExportCertData: the script gets httpd's variables in httpd's
 * formats (those Debian's apache2 gave for the same certificates), the certificates in
 * PEM. */
KVC_TEST(per_mpm, test_cgi_gets_the_ssl_environment)
{
    const kvt_certs_t *c = kvt_certs();
    kvt_server_t *srv = verifying_server("optional", "SSLOptions +StdEnvVars +ExportCertData");
    char *env, *pem = kvt_read_file(c->client_cert);
    int status;

    add_env_script(srv);
    kvt_server_start(srv);
    env =
        curl_get(srv, kvt_strf("--tlsv1.3 %s", client_cert_options()), "/cgi-bin/env.cgi", &status);
    ck_assert_msg(status == 0, "%s", env);
    assert_has(env, "HTTPS=on");
    assert_has(env, "SSL_PROTOCOL=TLSv1.3");
    assert_has(env, "SSL_CIPHER=TLS_AES_256_GCM_SHA384");
    assert_has(env, "SSL_CIPHER_USEKEYSIZE=256");
    assert_has(env, "SSL_CIPHER_ALGKEYSIZE=256");
    assert_has(env, "SSL_SESSION_RESUMED=Initial");
    assert_has(env, "SSL_CLIENT_VERIFY=SUCCESS");
    assert_has(env, "SSL_CLIENT_S_DN=CN=kiva test client");
    assert_has(env, "SSL_CLIENT_S_DN_CN=kiva test client");
    assert_has(env, "SSL_CLIENT_I_DN=CN=kiva test CA");
    assert_has(env, "SSL_CLIENT_I_DN_CN=kiva test CA");
    assert_has(env, "SSL_SERVER_S_DN=CN=localhost");
    assert_has(env, "SSL_SERVER_I_DN=CN=kiva test CA");
    assert_has(env, "SSL_SERVER_SAN_DNS_0=localhost");
    assert_has(env, kvt_strf("SSL_CLIENT_M_SERIAL=%s", x509_field(c->client_cert, "-serial")));
    assert_has(env, kvt_strf("SSL_CLIENT_V_START=%s", x509_field(c->client_cert, "-startdate")));
    assert_has(env, kvt_strf("SSL_CLIENT_V_END=%s", x509_field(c->client_cert, "-enddate")));
    assert_has(env, "SSL_CLIENT_M_VERSION=3");
    ck_assert_msg(kvt_contains(env, "\nSSL_VERSION_LIBRARY=OpenSSL/3.") &&
                      kvt_contains(env, "\nSSL_SESSION_ID="),
                  "%s", env);
    ck_assert_msg(kvt_contains(env, kvt_strf("CLIENT_CERT<<%s>>", pem)), "%s", env);
    ck_assert_msg(kvt_contains(env, "SSL_SERVER_CERT=-----BEGIN CERTIFICATE-----\n"), "%s", env);
    ck_assert_msg(!kvt_contains(env, "SSL_TLS_SNI"), "no SNI to an address: %s", env);
    free(env);
    free(pem);
}
END_TEST

/* Without SSLOptions a script gets HTTPS alone, as httpd's. */
KVT_TEST_ONCE(per_mpm, test_without_std_env_vars_only_https)
{
    kvt_server_t *srv = verifying_server("optional", NULL);
    char *env;
    int status;

    add_env_script(srv);
    kvt_server_start(srv);
    env = curl_get(srv, client_cert_options(), "/cgi-bin/env.cgi", &status);
    ck_assert_msg(status == 0 && strcmp(env, "HTTPS=on\nCLIENT_CERT<<>>\n") == 0, "%s", env);
    free(env);
}
END_TEST

/* optional_no_ca: SSL_CLIENT_VERIFY says GENEROUS for the unknown CA's certificate, NONE
 * without one. (Debian's apache2 2.4 says GENEROUS over TLS 1.2 and "FAILED:self-signed
 * certificate" over TLS 1.3, where it no longer resets the verify result; kiva says
 * GENEROUS for both, as httpd documents.) */
KVT_TEST_ONCE(per_mpm, test_optional_no_ca_says_generous)
{
    kvt_server_t *srv = verifying_server("optional_no_ca", "SSLOptions +StdEnvVars");
    char *env;
    int status;

    add_env_script(srv);
    kvt_server_start(srv);
    env = curl_get(srv, stranger_cert_options(srv), "/cgi-bin/env.cgi", &status);
    ck_assert_msg(status == 0, "%s", env);
    assert_has(env, "SSL_CLIENT_VERIFY=GENEROUS");
    assert_has(env, "SSL_CLIENT_S_DN=CN=stranger");
    assert_has(env, "SSL_CLIENT_I_DN=CN=stranger");
    free(env);
    env = curl_get(srv, "--tls-max 1.2", "/cgi-bin/env.cgi", &status);
    ck_assert_msg(status == 0, "%s", env);
    assert_has(env, "SSL_CLIENT_VERIFY=NONE");
    assert_has(env, "SSL_PROTOCOL=TLSv1.2");
    ck_assert_msg(!kvt_contains(env, "SSL_CLIENT_S_DN"), "%s", env);
    free(env);
}
END_TEST

/* SSL_TLS_SNI is the name the client sent, without SSLOptions too. */
KVT_TEST_ONCE(per_mpm, test_sni_in_the_environment)
{
    const kvt_certs_t *c = kvt_certs();
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);
    char *script, *env = NULL;
    const char *argv[] = {"sh", "-c", NULL, NULL};

    add_env_script(srv);
    kvt_server_start(srv);
    script = kvt_strf("curl -sS --cacert %s --resolve localhost:%d:127.0.0.1 "
                      "https://localhost:%d/cgi-bin/env.cgi 2>&1",
                      c->ca, kvt_server_port(srv), kvt_server_port(srv));
    argv[2] = script;
    ck_assert_int_eq(kvt_run_tool(argv, &env, NULL), 0);
    ck_assert_msg(strcmp(env, "HTTPS=on\nSSL_TLS_SNI=localhost\nCLIENT_CERT<<>>\n") == 0, "%s",
                  env);
    free(env);
    free(script);
}
END_TEST

static int has_lines(void *path)
{
    char *text = kvt_read_file(path);
    int n = 0;

    for (const char *s = text; s && *s; s++) {
        n += *s == '\n';
    }
    free(text);
    return n >= 2;
}

/* %{NAME}x log fields: mod_ssl's variables, "-" for one the request has none of, escaped as
 * httpd escapes them (the "\," of an RFC 2253 DN doubled); HTTPS is off over plain HTTP. */
KVT_TEST_ONCE(per_mpm, test_log_fields)
{
    kvt_server_t *srv = verifying_server("optional", NULL);
    char *log, *out;
    const char *path = kvt_strf("%s/logs/ssl_log", kvt_server_root(srv));
    int fd, status;
    kvt_response_t resp;

    kvt_server_conf(srv, "LoadModule log_config_module %s/modules/.libs/mod_log_config.so",
                    KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "LogFormat \"%%{HTTPS}x|%%{SSL_PROTOCOL}x|%%{SSL_CLIENT_S_DN_CN}x|"
                         "%%{SSL_CLIENT_VERIFY}x|%%{SSL_CLIENT_I_DN}x|%%{SSL_NO_SUCH}x\" ssl");
    kvt_server_conf(srv, "CustomLog logs/ssl_log ssl");
    kvt_server_start(srv);
    out = curl_get(srv, kvt_strf("--tlsv1.3 %s", client_cert_options()), "/", &status);
    ck_assert_msg(status == 0, "%s", out);
    free(out);
    fd = kvt_connect(kvt_server_port(srv)); /* plain HTTP: httpd's 400, logged */
    kvt_send(fd, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    ck_assert_int_eq(kvt_read_response(fd, &resp, 0), 0);
    kvt_response_free(&resp);
    ck_assert(kvt_wait_for(has_lines, (void *)path, 10000));
    log = kvt_read_file(path);
    ck_assert_msg(kvt_contains(log, "on|TLSv1.3|kiva test client|SUCCESS|CN=kiva test CA|-\n"
                                    "off|-|-|-|-|-\n"),
                  "%s", log);
    free(log);
}
END_TEST

/* Expressions see mod_ssl's variables: Require expr on the client certificate's CN, <If> on
 * HTTPS. */
KVT_TEST_ONCE(per_mpm, test_expressions_see_ssl_variables)
{
    kvt_server_t *srv = verifying_server("optional", NULL);

    kvt_server_conf(srv, "LoadModule authz_core_module %s/modules/.libs/mod_authz_core.so",
                    KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "<Location /private.html>");
    kvt_server_conf(srv, "    Require expr \"%%{SSL_CLIENT_S_DN_CN} == 'kiva test client'\"");
    kvt_server_conf(srv, "</Location>");
    kvt_server_conf(srv, "<If \"%%{https} != 'on'\">"); /* any case */
    kvt_server_conf(srv, "    Require all denied");
    kvt_server_conf(srv, "</If>");
    kvt_write_file(srv, "private.html", "private\n", 8);
    kvt_server_start(srv);
    assert_code(srv, client_cert_options(), "/private.html", "200");
    assert_code(srv, "", "/private.html", "403");
    assert_code(srv, "", "/", "200"); /* HTTPS is on */
}
END_TEST

/* Over plain HTTP HTTPS is off: the <If> denies. */
KVT_TEST_ONCE(per_mpm, test_expression_https_is_off_over_plain_http)
{
    kvt_server_t *srv = plain_server();

    kvt_server_conf(srv, "LoadModule authz_core_module %s/modules/.libs/mod_authz_core.so",
                    KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "<If \"%%{HTTPS} != 'on' && -z %%{SSL_PROTOCOL}\">");
    kvt_server_conf(srv, "    Require all denied");
    kvt_server_conf(srv, "</If>");
    kvt_write_file(srv, "index.html", "hello\n", 6);
    kvt_server_start(srv);
    kvt_assert_status(srv, "/", 403);
}
END_TEST

/* ---- 3. SSLOptions per directory, SSLRequireSSL, FakeBasicAuth -------------------------- */

/* SSLRequireSSL: 403 over plain HTTP, as httpd, logged; the TLS server serves the same
 * path. */
KVT_TEST_ONCE(per_mpm, test_require_ssl_refuses_plain_http)
{
    kvt_server_t *plain = plain_server();
    kvt_server_t *tls = kvt_tls_server(kvt_mpm(), NULL);
    int status;
    char *out, *log;

    for (int i = 0; i < 2; i++) {
        kvt_server_t *srv = i ? tls : plain;

        kvt_server_conf(srv, "<Location /secure.html>");
        kvt_server_conf(srv, "    SSLRequireSSL");
        kvt_server_conf(srv, "</Location>");
        kvt_write_file(srv, "secure.html", "secure\n", 7);
        kvt_write_file(srv, "index.html", "hello over tls\n", 15);
        kvt_server_start(srv);
    }
    kvt_assert_status(plain, "/secure.html", 403);
    kvt_assert_serves(plain, "/index.html", "hello over tls\n");
    log = kvt_server_wait_log(plain, "KV01503", 5000);
    ck_assert_msg(kvt_contains(log, "secure.html failed, reason: SSL connection required"), "%s",
                  log);
    free(log);
    out = curl_get(tls, "", "/secure.html", &status);
    ck_assert_msg(status == 0 && strcmp(out, "secure\n") == 0, "%s", out);
    free(out);
}
END_TEST

/* A section's +/- SSLOptions add to the virtual host's (the unit test has the rest of the
 * merge). */
KVT_TEST_ONCE(per_mpm, test_options_merge_across_sections)
{
    const kvt_certs_t *c = kvt_certs();
    kvt_server_t *srv = verifying_server("optional", "SSLOptions +StdEnvVars\n"
                                                     "    <Location /cgi-bin/>\n"
                                                     "        SSLOptions +ExportCertData\n"
                                                     "    </Location>");
    char *env, *pem = kvt_read_file(c->client_cert);
    int status;

    add_env_script(srv);
    kvt_server_start(srv);
    env = curl_get(srv, client_cert_options(), "/cgi-bin/env.cgi", &status);
    ck_assert_msg(status == 0 && kvt_contains(env, kvt_strf("CLIENT_CERT<<%s>>", pem)), "%s", env);
    ck_assert_msg(kvt_contains(env, "HTTPS=on\n") && kvt_contains(env, "\nSSL_PROTOCOL=TLSv1.3\n"),
                  "%s", env);
    free(env);
    free(pem);
    srv = kvt_tls_server(kvt_mpm(), NULL);
    kvt_assert_refused(srv, "-t", "SSLOptions +StdEnvVars +CompatEnvVars",
                       "SSLOptions: Illegal option 'CompatEnvVars'");
}
END_TEST

/* FakeBasicAuth: the certificate's DN ("/CN=kiva test client") is the Basic user, with
 * httpd's password "password"; a client that sends such credentials itself is refused. */
KVT_TEST_ONCE(per_mpm, test_fake_basic_auth)
{
    kvt_server_t *srv = verifying_server("optional", NULL);
    const char *passwd[] = {"openssl", "passwd", "-apr1", "password", NULL};
    char *hash = NULL;

    ck_assert_int_eq(kvt_run_tool(passwd, &hash, NULL), 0);
    kvt_write_root_file(srv, "users", kvt_strf("/CN=kiva test client:%s", hash));
    free(hash);
    kvt_write_file(srv, "private.html", "private\n", 8);
    kvt_server_conf(srv,
                    "LoadModule authz_core_module %s/modules/.libs/mod_authz_core.so\n"
                    "LoadModule authz_user_module %s/modules/.libs/mod_authz_user.so\n"
                    "LoadModule authn_core_module %s/modules/.libs/mod_authn_core.so\n"
                    "LoadModule authn_file_module %s/modules/.libs/mod_authn_file.so\n"
                    "LoadModule auth_basic_module %s/modules/.libs/mod_auth_basic.so",
                    KV_TEST_BUILDDIR, KV_TEST_BUILDDIR, KV_TEST_BUILDDIR, KV_TEST_BUILDDIR,
                    KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "<Location /private.html>\n"
                         "    SSLOptions +FakeBasicAuth\n"
                         "    AuthType Basic\n"
                         "    AuthName certs\n"
                         "    AuthUserFile users\n"
                         "    Require valid-user\n"
                         "</Location>");
    kvt_server_start(srv);
    assert_code(srv, client_cert_options(), "/private.html", "200");
    assert_code(srv, "", "/private.html", "401");
    assert_code(srv, "-u '/CN=kiva test client:password'", "/private.html", "403");
}
END_TEST

int main(void)
{
    return kvt_run_mpms("ssl_client", 0);
}
