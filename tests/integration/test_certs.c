/* The harness's test certificates (harness/certs.c): what each one is, checked with the
 * openssl command line, and made once per program. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

/* Run openssl with @a argv; its exit status, stdout and stderr joined in *out. */
static int openssl_says(const char *const argv[], char **out)
{
    int status = -1;
    char *o = NULL, *e = NULL;

    ck_assert_int_eq(kvt_run(argv, 30000, &status, &o, &e), 0);
    *out = kvt_strf("%s%s", o ? o : "", e ? e : "");
    free(o);
    free(e);
    return status;
}

static void assert_verifies(const kvt_certs_t *c, const char *cert, const char *purpose)
{
    const char *argv[] = {"openssl", "verify", "-CAfile", c->ca, "-purpose", purpose, cert, NULL};
    char *out;

    ck_assert_msg(openssl_says(argv, &out) == 0, "%s does not verify: %s", cert, out);
    free(out);
}

/* The certificate's text form (openssl x509 -text). */
static char *cert_text(const char *cert)
{
    const char *argv[] = {"openssl", "x509", "-in", cert, "-noout", "-text", NULL};
    char *out;

    ck_assert_int_eq(openssl_says(argv, &out), 0);
    return out;
}

/* Does @a key belong to @a cert? Their public keys are the same. */
static int key_matches(const char *cert, const char *key, const char *passphrase)
{
    const char *from_cert[] = {"openssl", "x509", "-in", cert, "-noout", "-pubkey", NULL};
    const char *from_key[] = {"openssl", "pkey",    "-in",      key,
                              "-pubout", "-passin", passphrase, NULL};
    char *a, *b;
    int same;

    ck_assert_int_eq(openssl_says(from_cert, &a), 0);
    if (openssl_says(from_key, &b) != 0) {
        free(a);
        free(b);
        return 0;
    }
    same = strcmp(a, b) == 0;
    free(a);
    free(b);
    return same;
}

KVT_CASE(certs_case, "certs");

KVC_TEST(certs_case, test_each_certificate_is_what_it_says)
{
    const kvt_certs_t *c = kvt_certs();
    char *text, *out;
    const char *expired[] = {"openssl", "verify", "-CAfile", c->ca, c->expired_cert, NULL};

    assert_verifies(c, c->rsa_cert, "sslserver");
    assert_verifies(c, c->ec_cert, "sslserver");
    assert_verifies(c, c->other_cert, "sslserver");
    assert_verifies(c, c->client_cert, "sslclient");
    ck_assert_int_ne(openssl_says(expired, &out), 0);
    ck_assert_msg(kvt_contains(out, "certificate has expired"), "%s", out);
    free(out);

    text = cert_text(c->rsa_cert);
    ck_assert_msg(kvt_contains(text, "rsaEncryption") && kvt_contains(text, "(2048 bit)"), "%s",
                  text);
    ck_assert(kvt_contains(text, "DNS:localhost") && kvt_contains(text, "IP Address:127.0.0.1"));
    free(text);
    text = cert_text(c->ec_cert);
    ck_assert_msg(kvt_contains(text, "id-ecPublicKey") && kvt_contains(text, "prime256v1"), "%s",
                  text);
    ck_assert(kvt_contains(text, "DNS:localhost") && kvt_contains(text, "IP Address:127.0.0.1"));
    free(text);
    text = cert_text(c->other_cert);
    ck_assert(kvt_contains(text, "DNS:other.test") && !kvt_contains(text, "DNS:localhost"));
    free(text);

    ck_assert(key_matches(c->rsa_cert, c->rsa_key, "pass:"));
    ck_assert(key_matches(c->ec_cert, c->ec_key, "pass:"));
    ck_assert(key_matches(c->other_cert, c->other_key, "pass:"));
    ck_assert(key_matches(c->client_cert, c->client_key, "pass:"));
    ck_assert(!key_matches(c->ec_cert, c->rsa_key, "pass:"));
}
END_TEST

KVC_TEST(certs_case, test_encrypted_key_needs_its_passphrase)
{
    const kvt_certs_t *c = kvt_certs();
    char *text = kvt_read_file(c->encrypted_key);

    ck_assert_msg(kvt_contains(text, "ENCRYPTED PRIVATE KEY"), "%s", text);
    free(text);
    ck_assert(key_matches(c->rsa_cert, c->encrypted_key, "pass:" KVT_CERT_PASSPHRASE));
    ck_assert(!key_matches(c->rsa_cert, c->encrypted_key, "pass:wrong"));
}
END_TEST

/* The second call, and the next test (another forked child), find them made. */
KVC_TEST(certs_case, test_made_once_per_program)
{
    const kvt_certs_t *c = kvt_certs();
    struct stat first, again;

    ck_assert_int_eq(stat(c->ca, &first), 0);
    c = kvt_certs();
    ck_assert_int_eq(stat(c->ca, &again), 0);
    ck_assert_int_eq(first.st_ino, again.st_ino);
    ck_assert_int_eq(first.st_mtim.tv_nsec, again.st_mtim.tv_nsec);
    ck_assert_msg(strncmp(c->dir, "/tmp/", 5) == 0, "%s", c->dir);
}
END_TEST

int main(void)
{
    return kvc_run("certs");
}
