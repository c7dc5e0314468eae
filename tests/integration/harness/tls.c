/* The TLS tests' servers and clients (harness.h): a server whose port speaks TLS with the
 * test certificates (certs.c), and curl and `openssl s_client` pointed at it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define TOOL_TIMEOUT_MS 30000

/* The server of kvt_tls_server_over with the certificate and key pairs @a pairs (NULL
 * ends them). */
static kvt_server_t *tls_server(const char *mpm, const char *extra, int trickle,
                                const char *const *pairs)
{
    kvt_server_t *srv = kvt_server_new(mpm);
    int port = kvt_server_port(srv);

    kvt_server_drop_base(srv, "Listen");
    if (trickle && !kvt_trickling()) {
        kvt_server_conf(srv,
                        "LoadModule test_trickle_module %s/tests/modules/.libs/mod_test_trickle.so",
                        KV_TEST_BUILDDIR);
    }
    kvt_server_conf(srv, "LoadModule ssl_module %s/modules/.libs/mod_ssl.so", KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "Listen 127.0.0.1:%d https", port);
    kvt_server_conf(srv, "<VirtualHost 127.0.0.1:%d>", port);
    kvt_server_conf(srv, "    ServerName localhost");
    kvt_server_conf(srv, "    SSLEngine on");
    for (; *pairs; pairs += 2) {
        kvt_server_conf(srv, "    SSLCertificateFile %s", pairs[0]);
        kvt_server_conf(srv, "    SSLCertificateKeyFile %s", pairs[1]);
    }
    if (extra) {
        kvt_server_conf(srv, "    %s", extra);
    }
    kvt_server_conf(srv, "</VirtualHost>");
    kvt_write_file(srv, "index.html", "hello over tls\n", 15);
    return srv;
}

kvt_server_t *kvt_tls_server_over(const char *mpm, const char *extra, int trickle)
{
    const kvt_certs_t *c = kvt_certs();
    const char *pairs[] = {c->rsa_cert, c->rsa_key, c->ec_cert, c->ec_key, NULL};

    return tls_server(mpm, extra, trickle, pairs);
}

kvt_server_t *kvt_tls_server_pair(const char *mpm, const char *cert, const char *key,
                                  const char *extra)
{
    const char *pairs[] = {cert, key, NULL};

    return tls_server(mpm, extra, 0, pairs);
}

kvt_server_t *kvt_tls_server(const char *mpm, const char *extra)
{
    return kvt_tls_server_over(mpm, extra, 0);
}

const char *kvt_tail(const char *out)
{
    size_t len = strlen(out);

    return len > 1500 ? out + len - 1500 : out;
}

int kvt_run_tool(const char *const argv[], char **out, char **err)
{
    int status = -1;

    ck_assert_msg(kvt_run(argv, TOOL_TIMEOUT_MS, &status, out, err) == 0, "%s timed out", argv[0]);
    return status;
}

/* Run @a script with sh -c through kvt_run_tool, stdout in *out; the script is freed. */
static int run_script(char *script, char **out)
{
    const char *argv[] = {"sh", "-c", script, NULL};
    int status = kvt_run_tool(argv, out, NULL);

    free(script);
    return status;
}

int kvt_s_client(kvt_server_t *srv, const char *options, const char *request, char **out)
{
    const kvt_certs_t *c = kvt_certs();

    /* With a request, read until the server closes; without, end after the handshake. */
    return run_script(kvt_strf("printf '%s' | openssl s_client -connect 127.0.0.1:%d -CAfile %s "
                               "-verify_return_error %s %s 2>&1",
                               request, kvt_server_port(srv), c->ca, *request ? "-ign_eof" : "",
                               options),
                      out);
}

int kvt_curl_tls(kvt_server_t *srv, const char *options, const char *path, char **out)
{
    const kvt_certs_t *c = kvt_certs();

    return run_script(kvt_strf("curl -sS --cacert %s %s https://127.0.0.1:%d%s 2>&1", c->ca,
                               options, kvt_server_port(srv), path),
                      out);
}

char *kvt_tls_subject(kvt_server_t *srv)
{
    char *out, *at, *subject;

    ck_assert_msg(kvt_s_client(srv, "-tls1_3", "", &out) == 0, "%s", kvt_tail(out));
    at = strstr(out, "subject=CN = ");
    ck_assert_msg(at != NULL, "%s", kvt_tail(out));
    at += strlen("subject=CN = ");
    subject = strndup(at, strcspn(at, "\n"));
    free(out);
    return subject;
}

int kvt_curl_tls_host(kvt_server_t *srv, const char *host, const char *options, const char *path,
                      char **out)
{
    const kvt_certs_t *c = kvt_certs();
    int port = kvt_server_port(srv);

    return run_script(kvt_strf("curl -sS --cacert %s --resolve %s:%d:127.0.0.1 %s "
                               "https://%s:%d%s 2>&1",
                               c->ca, host, port, options, host, port, path),
                      out);
}
