/* mod_ssl: SSLVerifyClient and SSLVerifyDepth in a directory section, the client's certificate
 * asked for after the handshake (TLS 1.3 post-handshake authentication), as httpd's
 * `<Location /admin> SSLVerifyClient require </Location>`: with curl, `openssl s_client` and a
 * libssl client of the test's own that orders its records (a request body sent before its
 * answer to the CertificateRequest), under every MPM. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "harness.h"

/* How long the test's own client waits for the server at most. */
#define CLIENT_WAIT_MS 20000

KVT_MPM_CASE(per_mpm);

/* A TLS server whose virtual host has the test CA for client certificates and asks for one
 * in the handshake at @a host_level (NULL: not at all), and whose /admin/ (a CGI directory:
 * echo.cgi prints the client's DN and verification, then the request body) asks for one as
 * @a level, with @a extra in the <Location> too (or NULL). */
static kvt_server_t *admin_server_in(const char *host_level, const char *level, const char *extra)
{
    const kvt_certs_t *c = kvt_certs();
    kvt_server_t *srv =
        kvt_tls_server(kvt_mpm(), kvt_strf("SSLCACertificateFile %s\n    SSLVerifyClient %s", c->ca,
                                           host_level ? host_level : "none"));
    const char *path;

    kvt_server_conf(srv, "LoadModule alias_module %s/modules/.libs/mod_alias.so", KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "LoadModule cgi_module %s/modules/.libs/mod_cgi.so", KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "ScriptAlias /admin/ \"%s/admin/\"", kvt_server_root(srv));
    kvt_server_conf(srv, "LogLevel info ssl:debug"); /* KV01626 says when a client is asked */
    kvt_server_conf(srv,
                    "<Location /admin/>\n"
                    "    SSLVerifyClient %s\n"
                    "    SSLOptions +StdEnvVars\n"
                    "    %s\n"
                    "</Location>",
                    level, extra ? extra : "");
    path = kvt_write_root_file(srv, "admin/echo.cgi",
                               "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\n"
                               "printf 'DN=%s\\nVERIFY=%s\\n' \"$SSL_CLIENT_S_DN\" "
                               "\"$SSL_CLIENT_VERIFY\"\n"
                               "cat\n");
    ck_assert_int_eq(chmod(path, 0755), 0);
    return srv;
}

/* admin_server_in with a virtual host that asks for no certificate in the handshake. */
static kvt_server_t *admin_server(const char *level, const char *extra)
{
    return admin_server_in(NULL, level, extra);
}

static const char *client_cert_options(void)
{
    const kvt_certs_t *c = kvt_certs();

    return kvt_strf("--cert %s --key %s", c->client_cert, c->client_key);
}

/* curl with @a options, on one connection, GETs / and @a path and / again: each body, then
 * "[STATUS NEW-CONNECTIONS]". */
static char *three_gets(kvt_server_t *srv, const char *options, const char *path)
{
    int port = kvt_server_port(srv);
    char *out;
    int status = kvt_curl_tls(srv,
                              kvt_strf("-w '[%%{http_code} %%{num_connects}]\\n' %s "
                                       "https://127.0.0.1:%d/ https://127.0.0.1:%d%s",
                                       options, port, port, path),
                              "/", &out);

    ck_assert_msg(status == 0, "curl: %d\n%s", status, kvt_tail(out));
    return out;
}

/* The error log holds @a needle (waited for: the log line may follow the response). */
static void assert_logged(kvt_server_t *srv, const char *needle)
{
    char *log = kvt_server_wait_log(srv, needle, 10000);

    ck_assert_msg(kvt_contains(log, needle), "no \"%s\" in the error log:\n%s", needle,
                  kvt_tail(log));
    free(log);
}

/* ---- curl: a certificate asked for after the handshake ---------------------------------- */

/* With a certificate, /admin/ is served on the connection that served / without one, and its
 * script sees the certificate; / goes on being served on that connection. */
KVC_TEST(per_mpm, test_location_asks_for_the_certificate)
{
    kvt_server_t *srv = admin_server("require", NULL);
    char *out;

    kvt_server_start(srv);
    out = three_gets(srv, kvt_strf("--tlsv1.3 %s", client_cert_options()), "/admin/echo.cgi");
    ck_assert_msg(kvt_contains(out, "hello over tls\n[200 1]\n"
                                    "DN=CN=kiva test client\nVERIFY=SUCCESS\n[200 0]\n"
                                    "hello over tls\n[200 0]\n"),
                  "%s", out);
    free(out);
    assert_logged(srv, "KV01626: verify client post handshake");
}
END_TEST

/* require without a certificate: 403, and the connection goes on serving the others. */
KVC_TEST(per_mpm, test_require_without_certificate_is_403)
{
    kvt_server_t *srv = admin_server("require", NULL);
    char *out;

    kvt_server_start(srv);
    out = three_gets(srv, "--tlsv1.3", "/admin/echo.cgi");
    ck_assert_msg(kvt_contains(out, "hello over tls\n[200 1]\n") &&
                      kvt_contains(out, "</html>\n[403 0]\nhello over tls\n[200 0]\n"),
                  "%s", out);
    free(out);
    assert_logged(srv, "KV01627: Post-handshake authentication failed: Client certificate missing");
}
END_TEST

/* optional without a certificate lets the request in (SSL_CLIENT_VERIFY NONE); a directory
 * SSLVerifyDepth 0 refuses the test client's CA-signed certificate, as the handshake would. */
KVC_TEST(per_mpm, test_optional_and_depth_in_a_directory)
{
    kvt_server_t *srv = admin_server("optional", NULL);
    kvt_server_t *shallow = admin_server("require", "SSLVerifyDepth 0");
    char *out;

    kvt_server_start(srv);
    out = three_gets(srv, "--tlsv1.3", "/admin/echo.cgi");
    ck_assert_msg(kvt_contains(out, "\nDN=\nVERIFY=NONE\n[200 0]\n"), "%s", out);
    free(out);
    kvt_server_start(shallow);
    ck_assert_msg(kvt_curl_tls(shallow, client_cert_options(), "/admin/echo.cgi", &out) != 0 &&
                      kvt_contains(out, "alert"),
                  "%s", kvt_tail(out));
    free(out);
}
END_TEST

/* A certificate verified in the handshake (the host's optional) satisfies a directory's
 * require without asking again (httpd asks again and fails, AH10158); without one, the
 * client is asked again and refused. */
KVC_TEST(per_mpm, test_certificate_from_the_handshake_is_enough)
{
    kvt_server_t *srv = admin_server_in("optional", "require", NULL);
    char *out, *log;

    kvt_server_start(srv);
    out = three_gets(srv, client_cert_options(), "/admin/echo.cgi");
    ck_assert_msg(kvt_contains(out, "\nDN=CN=kiva test client\nVERIFY=SUCCESS\n[200 0]\n"), "%s",
                  out);
    free(out);
    log = kvt_server_error_log(srv);
    ck_assert_msg(!kvt_contains(log, "KV01626"), "%s", kvt_tail(log));
    free(log);
    out = three_gets(srv, "", "/admin/echo.cgi");
    ck_assert_msg(kvt_contains(out, "</html>\n[403 0]\nhello over tls\n[200 0]\n"), "%s", out);
    free(out);
    assert_logged(srv, "KV01627: Post-handshake authentication failed: Client certificate missing");
}
END_TEST

/* TLS 1.2 would need a renegotiation, which kiva does not do: 403, said in the log, and the
 * connection serves the rest. */
KVC_TEST(per_mpm, test_tls12_refused_with_the_reason)
{
    kvt_server_t *srv = admin_server("require", NULL);
    char *out;

    kvt_server_start(srv);
    out = three_gets(srv, kvt_strf("--tls-max 1.2 %s", client_cert_options()), "/admin/echo.cgi");
    ck_assert_msg(kvt_contains(out, "</html>\n[403 0]\nhello over tls\n[200 0]\n"), "%s", out);
    free(out);
    assert_logged(srv, "KV01621: /admin/echo.cgi asks for a client certificate this TLSv1.2 "
                       "connection does not have");
}
END_TEST

/* ---- openssl s_client: with and without post-handshake authentication ---------------------- */

#define PIPELINED                                                                                  \
    "GET /admin/echo.cgi HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n"                                \
    "GET / HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n"

/* A client that did not offer post-handshake authentication cannot be asked: 403 and a line
 * that says why; the request after it on the connection is served. One that offered it
 * (-enable_pha) is asked and served. */
KVC_TEST(per_mpm, test_client_without_pha_is_403_with_the_reason)
{
    const kvt_certs_t *c = kvt_certs();
    kvt_server_t *srv = admin_server("require", NULL);
    const char *cert = kvt_strf("-tls1_3 -cert %s -key %s", c->client_cert, c->client_key);
    char *out;

    kvt_server_start(srv);
    kvt_s_client(srv, cert, PIPELINED, &out);
    ck_assert_msg(kvt_contains(out, "HTTP/1.1 403 Forbidden\r\n") &&
                      kvt_contains(out, "HTTP/1.1 200 OK\r\n") &&
                      kvt_contains(out, "hello over tls\n"),
                  "%s", kvt_tail(out));
    free(out);
    assert_logged(srv, "KV01620: cannot perform post-handshake authentication for "
                       "/admin/echo.cgi: the client did not offer post-handshake authentication");
    kvt_s_client(srv, kvt_strf("%s -enable_pha", cert), PIPELINED, &out);
    ck_assert_msg(kvt_contains(out, "DN=CN=kiva test client\nVERIFY=SUCCESS\n") &&
                      kvt_contains(out, "hello over tls\n") && !kvt_contains(out, " 403 "),
                  "%s", kvt_tail(out));
    free(out);
}
END_TEST

/* ---- A request body already on the way ------------------------------------------------------ */

/* The test's own client: TLS 1.3 with post-handshake authentication and the test client's
 * certificate, so that it can send records in an order of its choosing. */
typedef struct {
    SSL_CTX *ctx;
    SSL *ssl;
    int fd;
} client_t;

static void client_open(client_t *h, kvt_server_t *srv)
{
    const kvt_certs_t *c = kvt_certs();
    struct timeval tv = {CLIENT_WAIT_MS / 1000, 0};

    h->ctx = SSL_CTX_new(TLS_client_method());
    ck_assert_ptr_nonnull(h->ctx);
    ck_assert_int_eq(SSL_CTX_set_min_proto_version(h->ctx, TLS1_3_VERSION), 1);
    ck_assert_int_eq(SSL_CTX_load_verify_locations(h->ctx, c->ca, NULL), 1);
    ck_assert_int_eq(SSL_CTX_use_certificate_file(h->ctx, c->client_cert, SSL_FILETYPE_PEM), 1);
    ck_assert_int_eq(SSL_CTX_use_PrivateKey_file(h->ctx, c->client_key, SSL_FILETYPE_PEM), 1);
    SSL_CTX_set_verify(h->ctx, SSL_VERIFY_PEER, NULL);
    h->fd = kvt_connect(kvt_server_port(srv));
    setsockopt(h->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    h->ssl = SSL_new(h->ctx);
    SSL_set_post_handshake_auth(h->ssl, 1);
    SSL_set_fd(h->ssl, h->fd);
    ck_assert_msg(SSL_connect(h->ssl) == 1, "the handshake failed");
}

static void client_close(client_t *h)
{
    SSL_free(h->ssl);
    SSL_CTX_free(h->ctx);
    close(h->fd);
}

static void client_send(client_t *h, const char *bytes)
{
    ck_assert_int_eq(SSL_write(h->ssl, bytes, (int)strlen(bytes)), (int)strlen(bytes));
}

/* What the server sends until @a needle has come (NULL: until it closes), malloc'd. */
static char *client_read(client_t *h, const char *needle)
{
    size_t room = 65536, have = 0;
    char *buf = malloc(room);
    int n;

    ck_assert_ptr_nonnull(buf);
    buf[0] = '\0';
    while (have < room - 1 && !(needle && strstr(buf, needle)) &&
           (n = SSL_read(h->ssl, buf + have, (int)(room - 1 - have))) > 0) {
        have += (size_t)n;
        buf[have] = '\0';
    }
    ck_assert_msg(!needle || strstr(buf, needle), "no \"%s\" in:\n%s", needle, buf);
    return buf;
}

/* A request on the connection (its session tickets read with the response), then @a head;
 * once the server's CertificateRequest is on the way back (the socket readable), @a body
 * goes out before the client reads it and answers: the server reads the body first. The
 * response, read until the server closes. */
static char *body_before_answer(kvt_server_t *srv, const char *head, const char *body)
{
    client_t h;
    struct pollfd pfd;
    char *out;

    client_open(&h, srv);
    client_send(&h, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    free(client_read(&h, "hello over tls\n"));
    client_send(&h, head);
    pfd.fd = h.fd;
    pfd.events = POLLIN;
    ck_assert_msg(poll(&pfd, 1, CLIENT_WAIT_MS) == 1, "no CertificateRequest came");
    client_send(&h, body);
    out = client_read(&h, NULL);
    client_close(&h);
    return out;
}

#define BODY "name=kiva&body=sent-before-the-certificate"

/* The body sent before the client's answer is held and given to the script whole, with a
 * pipelined request after it, which is answered too. */
KVC_TEST(per_mpm, test_body_on_the_way_is_kept)
{
    kvt_server_t *srv = admin_server("require", NULL);
    char *out;

    kvt_server_start(srv);
    out = body_before_answer(srv,
                             kvt_strf("POST /admin/echo.cgi HTTP/1.1\r\nHost: localhost\r\n"
                                      "Content-Length: %zu\r\n\r\n",
                                      strlen(BODY)),
                             BODY "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    /* The script's output comes chunked, the body in the chunk of the DN or in its own. */
    ck_assert_msg(kvt_contains(out, "DN=CN=kiva test client\nVERIFY=SUCCESS\n") &&
                      (kvt_contains(out, "VERIFY=SUCCESS\n" BODY "\r\n0\r\n\r\nHTTP/1.1 200 ") ||
                       kvt_contains(out, "\r\n" BODY "\r\n0\r\n\r\nHTTP/1.1 200 ")) &&
                      kvt_contains(out, "hello over tls\n"),
                  "%s", out);
    free(out);
}
END_TEST

/* More than SSLRenegBufferSize before the client's answer: 413, as httpd, the connection
 * closed; a Content-Length above it is refused before the client is asked. */
KVC_TEST(per_mpm, test_body_above_reneg_buffer_size_is_413)
{
    kvt_server_t *srv = admin_server("require", "SSLRenegBufferSize 16");
    char *out;

    kvt_server_start(srv);
    out = body_before_answer(srv,
                             "POST /admin/echo.cgi HTTP/1.1\r\nHost: localhost\r\n"
                             "Transfer-Encoding: chunked\r\n\r\n",
                             kvt_strf("%zx\r\n%s\r\n0\r\n\r\n", strlen(BODY), BODY));
    ck_assert_msg(kvt_contains(out, "HTTP/1.1 413 ") && kvt_contains(out, "Connection: close\r\n"),
                  "%s", out);
    free(out);
    assert_logged(srv, "KV01623: could not buffer message body to allow TLS Post-Handshake "
                       "Authentication to proceed");
    ck_assert_int_eq(kvt_curl_tls(srv,
                                  kvt_strf("-o /dev/null -w '%%{http_code}' -d '%s' %s", BODY,
                                           client_cert_options()),
                                  "/admin/echo.cgi", &out),
                     0);
    ck_assert_msg(strcmp(out, "413") == 0, "%s", out);
    free(out);
    assert_logged(srv, "KV01622: could not buffer message body");
}
END_TEST

/* A client of the test's own sends a request for /admin/, then does not answer the server's
 * CertificateRequest until @a needle is in the error log; then it gets @a status. */
static void assert_silent_client_gets(kvt_server_t *srv, const char *needle, const char *status)
{
    struct pollfd pfd;
    client_t h;
    char *out;

    client_open(&h, srv);
    client_send(&h, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    free(client_read(&h, "hello over tls\n"));
    client_send(&h, "GET /admin/echo.cgi HTTP/1.1\r\nHost: localhost\r\n\r\n");
    pfd.fd = h.fd;
    pfd.events = POLLIN;
    ck_assert_msg(poll(&pfd, 1, CLIENT_WAIT_MS) == 1, "no CertificateRequest came");
    assert_logged(srv, needle);
    out = client_read(&h, NULL);
    client_close(&h);
    ck_assert_msg(kvt_contains(out, kvt_strf("HTTP/1.1 %s ", status)) && !kvt_contains(out, "DN="),
                  "%s", out);
    free(out);
}

/* A client that does not answer the CertificateRequest within Timeout gets 403 (httpd's
 * failed read of the answer); RequestReadTimeout's body deadline, when it comes first, ends
 * the wait sooner, with 408. */
KVC_TEST(per_mpm, test_no_answer_in_time)
{
    kvt_server_t *srv = admin_server("require", NULL);
    kvt_server_t *reqtimeout = admin_server("require", NULL);

    kvt_server_conf(srv, "Timeout 2");
    kvt_server_start(srv);
    assert_silent_client_gets(srv,
                              "KV01625: the client did not answer the certificate request within "
                              "Timeout (2 s)",
                              "403");
    kvt_server_conf(reqtimeout, "LoadModule reqtimeout_module %s/modules/.libs/mod_reqtimeout.so",
                    KV_TEST_BUILDDIR);
    kvt_server_conf(reqtimeout, "RequestReadTimeout body=1");
    kvt_server_start(reqtimeout);
    assert_silent_client_gets(reqtimeout,
                              "KV01629: the client did not answer the certificate request before "
                              "RequestReadTimeout's body deadline",
                              "408");
    assert_logged(reqtimeout, "KV01300: Request body read timeout");
}
END_TEST

/* ---- The configuration ----------------------------------------------------------------------- */

/* Run kiva -t on @a srv's configuration: its exit status, stderr in *err. */
static int check_config(kvt_server_t *srv, char **err)
{
    const char *conf = kvt_server_write_conf(srv);
    int status = -1;

    ck_assert_int_eq(kvt_run_kiva(&status, NULL, err, "-t", "-f", conf, (const char *)NULL), 0);
    return status;
}

/* SSLVerifyClient, SSLVerifyDepth and SSLRenegBufferSize are taken in a directory (the CAs
 * are the server's: test_ssl_client); bad values are syntax errors of their line. */
KVT_TEST_ONCE(per_mpm, test_directory_directives)
{
    kvt_server_t *srv = admin_server("optional_no_ca", "SSLVerifyDepth 3\n"
                                                       "    SSLRenegBufferSize 1M");
    kvt_server_t *bad = admin_server("sometimes", "SSLRenegBufferSize lots");
    char *err = NULL;

    ck_assert_msg(check_config(srv, &err) == 0, "%s", err);
    free(err);
    ck_assert_int_eq(check_config(bad, &err), 1);
    ck_assert_msg(kvt_contains(err, kvt_strf("line %u of", kvt_conf_line_of(bad, "sometimes"))) &&
                      kvt_contains(err, "SSLVerifyClient: Invalid argument 'sometimes'") &&
                      kvt_contains(err, kvt_strf("line %u of", kvt_conf_line_of(bad, "lots"))) &&
                      kvt_contains(err, "SSLRenegBufferSize"),
                  "%s", err);
    free(err);
}
END_TEST

int main(void)
{
    return kvt_run_mpms("ssl_pha", 0);
}
