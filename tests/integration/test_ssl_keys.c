/* mod_ssl's keys and settings: SSLPassPhraseDialog (exec:, the pipe form, builtin with no
 * terminal, a wrong passphrase, a program that hangs), SSLOpenSSLConfCmd and SSLRandomSeed,
 * and what `kiva -t` checks as a start does (SSLEngine on without a certificate, the chain
 * order). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

/* How long kiva may take to kill a dialog program that hangs (10 s) and stop, and more. */
#define HANG_RUN_MS 40000

KVT_MPM_CASE(per_mpm);

/* A TLS server whose vhost has the RSA certificate with @a key, and @a main_line (or NULL)
 * in the main server. */
static kvt_server_t *key_server(const char *key, const char *main_line)
{
    const kvt_certs_t *c = kvt_certs();
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    int port = kvt_server_port(srv);

    kvt_server_drop_base(srv, "Listen");
    kvt_server_conf(srv, "LoadModule ssl_module %s/modules/.libs/mod_ssl.so", KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "Listen 127.0.0.1:%d https", port);
    if (main_line) {
        kvt_server_conf(srv, "%s", main_line);
    }
    kvt_server_conf(srv, "<VirtualHost 127.0.0.1:%d>", port);
    kvt_server_conf(srv, "    ServerName localhost");
    kvt_server_conf(srv, "    SSLEngine on");
    kvt_server_conf(srv, "    SSLCertificateFile %s", c->rsa_cert);
    kvt_server_conf(srv, "    SSLCertificateKeyFile %s", key);
    kvt_server_conf(srv, "</VirtualHost>");
    kvt_write_file(srv, "index.html", "hello over tls\n", 15);
    return srv;
}

/* An executable shell script under ServerRoot; its path. */
static const char *script(kvt_server_t *srv, const char *name, const char *body)
{
    const char *path = kvt_write_root_file(srv, name, kvt_strf("#!/bin/sh\n%s\n", body));

    ck_assert_int_eq(chmod(path, 0755), 0);
    return path;
}

/* A dialog program that notes its arguments in ServerRoot/args and prints @a pass. */
static const char *exec_dialog(kvt_server_t *srv, const char *pass)
{
    return script(srv, "dialog.sh",
                  kvt_strf("echo \"$1 $2\" >> %s/args\necho '%s'", kvt_server_root(srv), pass));
}

/* Run kiva @a how on the server's configuration: its exit status, stderr in *err. */
static int run_kiva(kvt_server_t *srv, const char *how, char **err)
{
    int status = -1;

    ck_assert_int_eq(
        kvt_run_kiva(&status, NULL, err, how, "-f", kvt_server_write_conf(srv), (const char *)NULL),
        0);
    return status;
}

/* exec: decrypts the key with the program's line; the program gets httpd's arguments, and
 * runs once for two keys with the same passphrase (the second vhost's is tried with it). */
KVC_TEST(per_mpm, test_exec_dialog_decrypts_the_key)
{
    const kvt_certs_t *c = kvt_certs();
    kvt_server_t *srv = key_server(c->encrypted_key, NULL);
    char *out, *args;

    kvt_server_conf(srv, "SSLPassPhraseDialog exec:%s", exec_dialog(srv, KVT_CERT_PASSPHRASE));
    kvt_server_conf(srv, "<VirtualHost 127.0.0.1:%d>", kvt_server_port(srv));
    kvt_server_conf(srv, "    ServerName other.test");
    kvt_server_conf(srv, "    SSLEngine on");
    kvt_server_conf(srv, "    SSLCertificateFile %s", c->rsa_cert);
    kvt_server_conf(srv, "    SSLCertificateKeyFile %s", c->encrypted_key);
    kvt_server_conf(srv, "</VirtualHost>");
    kvt_server_start(srv);
    ck_assert_msg(kvt_curl_tls(srv, "", "/", &out) == 0, "%s", kvt_tail(out));
    ck_assert_str_eq(out, "hello over tls\n");
    free(out);
    /* kiva -f CONF -DFOREGROUND checks the configuration once, then starts it. */
    args = kvt_read_file(kvt_strf("%s/args", kvt_server_root(srv)));
    ck_assert_ptr_nonnull(args);
    ck_assert_str_eq(args, "localhost:443 RSA\n");
    free(args);
}
END_TEST

/* A wrong passphrase is an error at once, naming the key's file and line: no retry. */
KVT_TEST_ONCE(per_mpm, test_wrong_passphrase_is_an_error)
{
    const kvt_certs_t *c = kvt_certs();
    const char *how[] = {"-t", "-DFOREGROUND"};

    for (int i = 0; i < 2; i++) {
        kvt_server_t *srv = key_server(c->encrypted_key, NULL);
        char *err = NULL, *args;

        kvt_server_conf(srv, "SSLPassPhraseDialog exec:%s", exec_dialog(srv, "not-the-one"));
        ck_assert_int_eq(run_kiva(srv, how[i], &err), 1);
        ck_assert_msg(kvt_contains(err, kvt_strf("KV01544: pass phrase incorrect for the key in "
                                                 "%s (SSLCertificateKeyFile at %s:%u",
                                                 c->encrypted_key, kvt_server_conf_path(srv),
                                                 kvt_conf_line_of(srv, "SSLCertificateKeyFile"))),
                      "%s", err);
        args = kvt_read_file(kvt_strf("%s/args", kvt_server_root(srv)));
        ck_assert_str_eq(args, "localhost:443 RSA\n"); /* asked once */
        free(args);
        free(err);
    }
}
END_TEST

/* A program that never answers is killed at the timeout, with a clear error. */
KVT_TEST_ONCE(per_mpm, test_hanging_dialog_is_killed)
{
    const kvt_certs_t *c = kvt_certs();
    kvt_server_t *srv = key_server(c->encrypted_key, NULL);
    const char *argv[] = {KV_TEST_BUILDDIR "/kiva", "-t", "-f", NULL, NULL};
    char *err = NULL;
    int status = -1;
    time_t start;

    kvt_server_conf(srv, "SSLPassPhraseDialog exec:%s", script(srv, "hang.sh", "exec sleep 120"));
    argv[3] = kvt_server_write_conf(srv);
    start = time(NULL);
    ck_assert_msg(kvt_run(argv, HANG_RUN_MS, &status, NULL, &err) == 0, "kiva -t hung");
    ck_assert_int_eq(status, 1);
    ck_assert_msg(kvt_contains(err, "hang.sh' gave no passphrase in 10 seconds and was killed"),
                  "%s", err);
    ck_assert_msg(time(NULL) - start >= 9, "did not wait for it");
    free(err);
}
END_TEST

/* builtin (the default) with no terminal: an error naming the key's file and line, at once. */
KVT_TEST_ONCE(per_mpm, test_builtin_without_a_terminal_is_an_error)
{
    const kvt_certs_t *c = kvt_certs();
    const char *how[] = {"-t", "-DFOREGROUND"};

    for (int i = 0; i < 2; i++) {
        kvt_server_t *srv = key_server(c->encrypted_key, i ? "SSLPassPhraseDialog builtin" : NULL);
        char *err = NULL;

        ck_assert_int_eq(run_kiva(srv, how[i], &err), 1);
        ck_assert_msg(kvt_contains(err, kvt_strf("KV01543: the key in %s (SSLCertificateKeyFile at "
                                                 "%s:%u) is encrypted and its passphrase could "
                                                 "not be had: there is no terminal",
                                                 c->encrypted_key, kvt_server_conf_path(srv),
                                                 kvt_conf_line_of(srv, "SSLCertificateKeyFile"))),
                      "%s", err);
        free(err);
    }
}
END_TEST

/* The pipe form is sent the prompt and answers a line. */
KVT_TEST_ONCE(per_mpm, test_pipe_dialog_gets_the_prompt)
{
    const kvt_certs_t *c = kvt_certs();
    kvt_server_t *srv = key_server(c->encrypted_key, NULL);
    const char *pipe = script(srv, "pipe.sh",
                              kvt_strf("read prompt\necho \"$prompt\" > %s/prompt\necho '%s'",
                                       kvt_server_root(srv), KVT_CERT_PASSPHRASE));
    char *err = NULL, *prompt;

    kvt_server_conf(srv, "SSLPassPhraseDialog \"|/bin/sh %s\"", pipe);
    ck_assert_msg(run_kiva(srv, "-t", &err) == 0 && kvt_contains(err, "Syntax OK"), "%s", err);
    prompt = kvt_read_file(kvt_strf("%s/prompt", kvt_server_root(srv)));
    ck_assert_str_eq(
        prompt, kvt_strf("Enter pass phrase for localhost:443 (RSA) in %s:\n", c->encrypted_key));
    free(prompt);
    free(err);
}
END_TEST

/* Debian's ssl.conf names its ask-for-passphrase script: with no encrypted key it is never
 * run, so it need not be there; with one, its absence is the error. */
KVT_TEST_ONCE(per_mpm, test_missing_dialog_program_matters_only_for_encrypted_keys)
{
    const kvt_certs_t *c = kvt_certs();
    const char *line = "SSLPassPhraseDialog exec:/nonexistent/ask-for-passphrase";
    kvt_server_t *srv = key_server(c->rsa_key, line);
    char *err = NULL;

    ck_assert_msg(run_kiva(srv, "-t", &err) == 0 && kvt_contains(err, "Syntax OK"), "%s", err);
    free(err);
    srv = key_server(c->encrypted_key, line);
    ck_assert_int_eq(run_kiva(srv, "-t", &err), 1);
    ck_assert_msg(kvt_contains(err, "its passphrase could not be had: cannot run "
                                    "'/nonexistent/ask-for-passphrase'"),
                  "%s", err);
    free(err);
}
END_TEST

/* SSLOpenSSLConfCmd Curves picks the key exchange group: prime256v1 instead of OpenSSL's
 * first choice, X25519. */
KVT_LOOP_TEST_ONCE(per_mpm, test_openssl_conf_cmd_curves, 0, 2)
{
    kvt_server_t *srv =
        kvt_tls_server(kvt_mpm(), _i ? "SSLOpenSSLConfCmd Curves prime256v1" : NULL);
    char *out;

    kvt_server_start(srv);
    ck_assert_msg(kvt_s_client(srv, "-tls1_3", "", &out) == 0, "%s", kvt_tail(out));
    ck_assert_msg(kvt_contains(out, _i ? "Server Temp Key: ECDH, prime256v1"
                                       : "Server Temp Key: "
                                         "X25519"),
                  "%s", kvt_tail(out));
    free(out);
}
END_TEST

/* SSLOpenSSLConfCmd Options -SessionTicket, from the main server, under a vhost's own line:
 * no ticket is sent, and the vhost's Curves applies too. */
KVC_TEST(per_mpm, test_openssl_conf_cmd_options_from_the_main_server)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), "SSLOpenSSLConfCmd Curves prime256v1");
    char *out;

    kvt_server_conf(srv, "SSLOpenSSLConfCmd Options -SessionTicket");
    kvt_server_start(srv);
    ck_assert_msg(kvt_s_client(srv, "-tls1_2", "", &out) == 0, "%s", kvt_tail(out));
    ck_assert_msg(!kvt_contains(out, "TLS session ticket:"), "%s", kvt_tail(out));
    ck_assert_msg(kvt_contains(out, "Server Temp Key: ECDH, prime256v1"), "%s", kvt_tail(out));
    free(out);
}
END_TEST

/* An unknown command or a bad value is a syntax error naming the line; so are SSLRandomSeed's
 * bad forms. */
KVT_TEST_ONCE(per_mpm, test_conf_cmd_and_random_seed_refusals)
{
    static const char *const refused[][2] = {
        {"SSLOpenSSLConfCmd NoSuchCommand on",
         "SSLOpenSSLConfCmd: 'NoSuchCommand': invalid OpenSSL configuration command"},
        {"SSLOpenSSLConfCmd Curves no-such-curve",
         "SSLOpenSSLConfCmd Curves: bad value 'no-such-curve'"},
        {"SSLOpenSSLConfCmd Options -NoSuchOption",
         "SSLOpenSSLConfCmd Options: bad value '-NoSuchOption'"},
        {"SSLRandomSeed always builtin", "SSLRandomSeed: invalid context: `always'"},
        {"SSLRandomSeed startup file:/nonexistent/random 512",
         "SSLRandomSeed: source path '/nonexistent/random' does not exist"},
        {"SSLRandomSeed startup builtin 512", "byte specification not allowed"},
    };

    for (int i = 0; i < KVT_COUNT(refused); i++) {
        kvt_assert_refused(kvt_tls_server(kvt_mpm(), NULL), "-t", refused[i][0], refused[i][1]);
    }
}
END_TEST

/* Debian's ssl.conf lines load: SSLRandomSeed is checked and has nothing more to do (OpenSSL 3
 * seeds itself from the system). */
KVT_TEST_ONCE(per_mpm, test_debian_ssl_conf_lines_load)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);
    char *err = NULL;

    kvt_server_conf(srv, "SSLRandomSeed startup builtin");
    kvt_server_conf(srv, "SSLRandomSeed startup file:/dev/urandom 512");
    kvt_server_conf(srv, "SSLRandomSeed connect builtin");
    kvt_server_conf(srv, "SSLRandomSeed connect file:/dev/urandom 512");
    kvt_server_conf(srv, "SSLPassPhraseDialog exec:/usr/share/apache2/ask-for-passphrase");
    ck_assert_msg(run_kiva(srv, "-t", &err) == 0 && kvt_contains(err, "Syntax OK"), "%s", err);
    free(err);
}
END_TEST

/* -t runs the checks a start runs: SSLEngine on without a certificate fails it, for the main
 * server and for a <VirtualHost>, with no listener opened. */
KVT_TEST_ONCE(per_mpm, test_config_test_finds_engine_without_certificate)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    char *err = NULL;

    kvt_server_conf(srv, "LoadModule ssl_module %s/modules/.libs/mod_ssl.so", KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "SSLEngine on");
    ck_assert_int_eq(run_kiva(srv, "-t", &err), 1);
    ck_assert_msg(kvt_contains(err, "KV01472: SSLEngine on for the main server but no "
                                    "SSLCertificateFile for it") &&
                      !kvt_contains(err, "Syntax OK"),
                  "%s", err);
    free(err);

    srv = kvt_server_new(kvt_mpm());
    kvt_server_conf(srv, "LoadModule ssl_module %s/modules/.libs/mod_ssl.so", KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "<VirtualHost 127.0.0.1:%d>", kvt_server_port(srv));
    kvt_server_conf(srv, "    SSLEngine on");
    kvt_server_conf(srv, "</VirtualHost>");
    ck_assert_int_eq(run_kiva(srv, "-t", &err), 1);
    ck_assert_msg(kvt_contains(err, kvt_strf("KV01472: SSLEngine on for the <VirtualHost> at "
                                             "%s:%u but no SSLCertificateFile",
                                             kvt_server_conf_path(srv),
                                             kvt_conf_line_of(srv, "<VirtualHost"))),
                  "%s", err);
    free(err);
}
END_TEST

/* A chain that does not lead from the leaf is a warning naming the file, by -t; the CA's own
 * certificate after the leaf is in order. */
KVT_LOOP_TEST_ONCE(per_mpm, test_config_test_warns_of_chain_order, 0, 2)
{
    const kvt_certs_t *c = kvt_certs();
    kvt_server_t *srv = kvt_tls_server(
        kvt_mpm(), kvt_strf("SSLCertificateChainFile %s", _i ? c->other_cert : c->ca));
    char *err = NULL;

    ck_assert_int_eq(run_kiva(srv, "-t", &err), 0);
    ck_assert_msg(kvt_contains(err, "Syntax OK"), "%s", err);
    if (_i) {
        ck_assert_msg(
            kvt_contains(err, kvt_strf("KV01546: the chain of the certificate in %s "
                                       "(SSLCertificateFile at %s:%u) does not lead "
                                       "from it: '/CN=other.test' in %s "
                                       "(SSLCertificateChainFile) did not issue "
                                       "'/CN=localhost'",
                                       c->rsa_cert, kvt_server_conf_path(srv),
                                       kvt_conf_line_of(srv, c->rsa_cert), c->other_cert)),
            "%s", err);
    } else {
        ck_assert_msg(!kvt_contains(err, "KV01546"), "%s", err);
    }
    free(err);
}
END_TEST

/* The first bytes of a TLS ClientHello, then nothing: a client stalled in the handshake. */
static const char stalled_hello[] = "\x16\x03\x01\x00\xc8\x01";

/* A TLS server with RequestReadTimeout @a rrt and Timeout @a timeout; a client stalls in its
 * handshake: the milliseconds until the server closes the connection (at most 20 s). */
static long stalled_handshake_ms(kvt_server_t *srv, const char *rrt, int timeout)
{
    long start;
    int fd, closed;

    kvt_server_conf(srv, "LoadModule reqtimeout_module %s/modules/.libs/mod_reqtimeout.so",
                    KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "RequestReadTimeout %s", rrt);
    kvt_server_conf(srv, "Timeout %d", timeout);
    kvt_server_start(srv);
    fd = kvt_connect(kvt_server_port(srv));
    ck_assert_int_eq(kvt_send_raw(fd, stalled_hello, sizeof(stalled_hello) - 1), 0);
    start = kvt_now_ms();
    closed = kvt_is_closed(fd, 20000);
    ck_assert_msg(closed, "the stalled handshake was not closed in 20 s");
    close(fd);
    return kvt_now_ms() - start;
}

/* RequestReadTimeout handshake=1: a client stalled in mid-handshake is closed after 1 s, not
 * at Timeout nor by the header stage, with httpd's log line; a client that completes its
 * handshake is served (the header stage follows). */
KVC_TEST(per_mpm, test_handshake_stage_bounds_a_stalled_handshake)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);
    long ms = stalled_handshake_ms(srv, "handshake=1 header=30", 30);
    char *out;

    ck_assert_msg(ms >= 800 && ms < 8000, "closed after %ld ms", ms);
    out = kvt_server_wait_log(srv, "KV01300: Request handshake read timeout", 5000);
    ck_assert_msg(kvt_contains(out, "KV01300: Request handshake read timeout"), "%s", out);
    free(out);
    ck_assert_msg(kvt_curl_tls(srv, "", "/", &out) == 0, "%s", kvt_tail(out));
    ck_assert_str_eq(out, "hello over tls\n");
    free(out);
}
END_TEST

/* Without a handshake stage, the header stage does not time the handshake (it begins once
 * the handshake ends), as httpd 2.4.39+: Timeout closes the stalled client. */
KVC_TEST(per_mpm, test_handshake_is_not_under_the_header_stage)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);
    long ms = stalled_handshake_ms(srv, "header=1", 4);
    char *log;

    ck_assert_msg(ms >= 3500 && ms < 15000, "closed after %ld ms, want Timeout's 4 s", ms);
    log = kvt_server_error_log(srv);
    ck_assert_msg(!kvt_contains(log, "Request header read timeout"), "%s", log);
    free(log);
}
END_TEST

/* A graceful restart reads the encrypted key again without asking: the passphrase that
 * worked at start is tried first (httpd keeps its decrypted keys), so a dialog that can
 * answer once, or a builtin prompt with no terminal left, does not fail the restart. */
KVT_TEST_ONCE(per_mpm, test_restart_reuses_the_passphrase)
{
    const kvt_certs_t *c = kvt_certs();
    kvt_server_t *srv = key_server(c->encrypted_key, NULL);
    const char *root = kvt_server_root(srv);
    char *log, *out;

    kvt_write_root_file(srv, "once", "");
    kvt_server_conf(srv, "SSLPassPhraseDialog exec:%s",
                    script(srv, "once.sh",
                           kvt_strf("if [ -f %s/once ]; then rm %s/once; echo '%s'; else echo "
                                    "wrong; fi",
                                    root, root, KVT_CERT_PASSPHRASE)));
    kvt_server_start(srv);
    ck_assert_int_eq(kill(kvt_server_pid(srv), SIGUSR1), 0);
    kvt_wait_generation(srv, 1);
    log = kvt_server_wait_log(srv, "(generation 1)", 10000);
    ck_assert_msg(kvt_contains(log, "(generation 1)") && !kvt_contains(log, "KV00023") &&
                      !kvt_contains(log, "KV01544"),
                  "%s", log);
    free(log);
    ck_assert_msg(kvt_curl_tls(srv, "", "/", &out) == 0, "%s", kvt_tail(out));
    ck_assert_str_eq(out, "hello over tls\n");
    free(out);
}
END_TEST

int main(void)
{
    return kvt_run_mpms("ssl_keys", 0);
}
