/* Integration harness: the TLS tests' certificates, made with the openssl command line once
 * per test program in its own temp dir, never committed. Check runs each test in a forked
 * child, so the cache is on disk: the directory is named after the program's pid (recorded
 * before main runs), complete once its "done" file exists, and removed when the program
 * itself exits (not when a forked test does). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* POSIX and GNU interfaces under -std=c11 */
#endif
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CERTS_TIMEOUT_MS 60000

static pid_t program_pid;
static char certs_dir[64];
static kvt_certs_t certs;

/* One leaf: its file stem, subject CN, subjectAltName, validity in days (-1: expired
 * yesterday), key algorithm, extended key usage. */
typedef struct {
    const char *stem, *cn, *san;
    int days;
    const char *algorithm; /* "rsa" (2048 bits) or "ec" (P-256) */
    const char *usage;
} leaf_t;

static const leaf_t leaves[] = {
    {"rsa", "localhost", "DNS:localhost,IP:127.0.0.1", 3650, "rsa", "serverAuth"},
    {"ec", "localhost", "DNS:localhost,IP:127.0.0.1", 3650, "ec", "serverAuth"},
    {"other", "other.test", "DNS:other.test", 3650, "ec", "serverAuth"},
    {"expired", "localhost", "DNS:localhost,IP:127.0.0.1", -1, "ec", "serverAuth"},
    {"client", "kiva test client", NULL, 3650, "ec", "clientAuth"},
};

static const char *path_in(const char *name)
{
    return kvt_strf("%s/%s", certs_dir, name);
}

static void openssl(const char *const argv[])
{
    int status = -1;
    char *err = NULL;

    ck_assert_msg(kvt_run(argv, CERTS_TIMEOUT_MS, &status, NULL, &err) == 0 && status == 0,
                  "openssl %s failed (%d): %s", argv[1], status, err ? err : "");
    free(err);
}

/* A private key and a signing request for @a cn. */
static void new_key_and_request(const char *stem, const char *cn, const char *algorithm)
{
    const char *key = path_in(kvt_strf("%s.key", stem));
    const char *csr = path_in(kvt_strf("%s.csr", stem));
    const char *subject = kvt_strf("/CN=%s", cn);
    const char *rsa[] = {"openssl", "req",  "-new", "-newkey", "rsa:2048", "-nodes", "-keyout",
                         key,       "-out", csr,    "-subj",   subject,    NULL};
    const char *ec[] = {
        "openssl", "req",     "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes",  "-keyout", key,    "-out",    csr,  "-subj",    subject,
        NULL};

    openssl(strcmp(algorithm, "rsa") == 0 ? rsa : ec);
}

static void make_ca(void)
{
    const char *argv[] = {"openssl",  "req",
                          "-x509",    "-newkey",
                          "rsa:2048", "-nodes",
                          "-keyout",  path_in("ca.key"),
                          "-out",     path_in("ca.pem"),
                          "-days",    "3650",
                          "-subj",    "/CN=kiva test CA",
                          NULL};

    openssl(argv);
}

static void make_leaf(const leaf_t *leaf)
{
    const char *ext = path_in(kvt_strf("%s.ext", leaf->stem));
    char *text = kvt_strf("basicConstraints=CA:FALSE\nextendedKeyUsage=%s\n%s%s\n", leaf->usage,
                          leaf->san ? "subjectAltName=" : "", leaf->san ? leaf->san : "");
    const char *days = kvt_strf("%d", leaf->days);
    const char *argv[] = {"openssl",
                          "x509",
                          "-req",
                          "-in",
                          path_in(kvt_strf("%s.csr", leaf->stem)),
                          "-CA",
                          path_in("ca.pem"),
                          "-CAkey",
                          path_in("ca.key"),
                          "-CAcreateserial",
                          "-days",
                          days,
                          "-extfile",
                          ext,
                          "-out",
                          path_in(kvt_strf("%s.pem", leaf->stem)),
                          NULL};

    kvth_write_path(ext, text, strlen(text));
    free(text);
    new_key_and_request(leaf->stem, leaf->cn, leaf->algorithm);
    openssl(argv);
}

static void make_encrypted_key(void)
{
    const char *argv[] = {"openssl",
                          "pkey",
                          "-in",
                          path_in("rsa.key"),
                          "-aes256",
                          "-passout",
                          "pass:" KVT_CERT_PASSPHRASE,
                          "-out",
                          path_in("rsa-encrypted.key"),
                          NULL};

    openssl(argv);
}

static void fill_paths(void)
{
    certs.dir = certs_dir;
    certs.ca = path_in("ca.pem");
    certs.rsa_cert = path_in("rsa.pem");
    certs.rsa_key = path_in("rsa.key");
    certs.ec_cert = path_in("ec.pem");
    certs.ec_key = path_in("ec.key");
    certs.other_cert = path_in("other.pem");
    certs.other_key = path_in("other.key");
    certs.expired_cert = path_in("expired.pem");
    certs.expired_key = path_in("expired.key");
    certs.client_cert = path_in("client.pem");
    certs.client_key = path_in("client.key");
    certs.encrypted_key = path_in("rsa-encrypted.key");
}

static void name_dir(void)
{
    snprintf(certs_dir, sizeof(certs_dir), "/tmp/kvt-certs-%ld",
             (long)(program_pid ? program_pid : getpid()));
}

const kvt_certs_t *kvt_certs(void)
{
    struct stat st;

    name_dir();
    fill_paths();
    if (stat(path_in("done"), &st) == 0) {
        return &certs;
    }
    kvth_remove_tree(certs_dir); /* a half-made one */
    ck_assert_msg(mkdir(certs_dir, 0755) == 0, "mkdir %s: %s", certs_dir, strerror(errno));
    make_ca();
    for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
        make_leaf(&leaves[i]);
    }
    make_encrypted_key();
    kvth_write_path(path_in("done"), "", 0);
    return &certs;
}

static void remove_certs(void)
{
    name_dir();
    kvth_remove_tree(certs_dir);
}

static void certs_begin(void) __attribute__((constructor));
static void certs_begin(void)
{
    program_pid = getpid();
    remove_certs(); /* a directory left by an earlier program with this pid */
}

static void certs_end(void) __attribute__((destructor));
static void certs_end(void)
{
    if (getpid() == program_pid) {
        remove_certs();
    }
}
