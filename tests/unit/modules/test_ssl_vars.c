/* Tests of modules/ssl/ssl_vars.c and ssl_options.c: the SSL_* certificate variables of a
 * certificate made here, in httpd 2.4's formats, and SSLOptions' words and +/- merge as
 * httpd's. */
#include <check.h>
#include <string.h>

#include <apr_general.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "ssl_options.h"
#include "ssl_vars.h"
#include "../check_run.h"

static apr_pool_t *pool;
static X509 *cert;

static void add_entry(X509_NAME *name, const char *field, int type, const char *value)
{
    ck_assert(
        X509_NAME_add_entry_by_txt(name, field, type, (const unsigned char *)value, -1, -1, 0));
}

/* A self-signed P-256 certificate with a DN of repeated and non-ASCII attributes, a fixed
 * serial and start, and subjectAltNames. */
static X509 *make_cert(void)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    X509V3_CTX ctx;
    X509_EXTENSION *san;

    ck_assert_ptr_nonnull(key);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 0x1A2B);
    ck_assert(ASN1_TIME_set_string(X509_getm_notBefore(x), "20261207135631Z"));
    ck_assert(ASN1_TIME_set_string(X509_getm_notAfter(x), "20270106135631Z"));
    add_entry(name, "C", MBSTRING_ASC, "DE");
    add_entry(name, "O", MBSTRING_ASC, "Kiva, Inc.");
    add_entry(name, "OU", MBSTRING_ASC, "a");
    add_entry(name, "OU", MBSTRING_ASC, "b");
    add_entry(name, "CN", MBSTRING_UTF8, "M\xc3\xbcller");
    add_entry(name, "emailAddress", MBSTRING_ASC, "t@example.org");
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, name);
    X509_NAME_free(name);
    X509_set_pubkey(x, key);
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    san = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name,
                              "DNS:one.test,DNS:two.test,email:x@example.org");
    ck_assert_ptr_nonnull(san);
    X509_add_ext(x, san, -1);
    X509_EXTENSION_free(san);
    ck_assert(X509_sign(x, key, EVP_sha256()));
    EVP_PKEY_free(key);
    return x;
}

static void setup(void)
{
    apr_pool_create(&pool, NULL);
    cert = make_cert();
}

static void teardown(void)
{
    X509_free(cert);
    apr_pool_destroy(pool);
}

KVU_CASE(vars_case, "ssl_vars", setup, teardown);

static const struct {
    const char *suffix;
    int flags;
    const char *value; /* NULL: none */
} cert_vars[] = {
    /* RFC 2253, last attribute first, UTF-8 as it is (httpd clears ASN1_STRFLGS_ESC_MSB) */
    {"S_DN", 0, "emailAddress=t@example.org,CN=M\xc3\xbcller,OU=b,OU=a,O=Kiva\\, Inc.,C=DE"},
    {"I_DN", 0, "emailAddress=t@example.org,CN=M\xc3\xbcller,OU=b,OU=a,O=Kiva\\, Inc.,C=DE"},
    {"S_DN", SSL_VARS_LEGACY_DN,
     "/C=DE/O=Kiva, Inc./OU=a/OU=b/CN=M\\xC3\\xBCller/emailAddress=t@example.org"},
    {"S_DN_CN", 0, "M\xc3\xbcller"},
    {"S_DN_O", 0, "Kiva, Inc."},
    {"S_DN_OU", 0, "a"},
    {"S_DN_OU_0", 0, "a"},
    {"S_DN_OU_1", 0, "b"},
    {"S_DN_OU_2", 0, NULL},
    {"S_DN_Email", 0, "t@example.org"},
    {"S_DN_C_RAW", 0, "DE"},
    {"I_DN_C", 0, "DE"},
    {"S_DN_L", 0, NULL},
    {"S_DN_CN_x", 0, NULL},
    {"S_DN_NOPE", 0, NULL},
    {"X_DN", 0, NULL},
    {"M_VERSION", 0, "3"},
    {"M_SERIAL", 0, "1A2B"},
    {"V_START", 0, "Dec  7 13:56:31 2026 GMT"},
    {"V_END", 0, "Jan  6 13:56:31 2027 GMT"},
    {"SAN_DNS_0", 0, "one.test"},
    {"SAN_DNS_1", 0, "two.test"},
    {"SAN_DNS_2", 0, NULL},
    {"SAN_Email_0", 0, "x@example.org"},
    {"A_KEY", 0, "id-ecPublicKey"},
    {"A_SIG", 0, "ecdsa-with-SHA256"},
    {"NO_SUCH", 0, NULL},
};

KVC_LOOP_TEST(vars_case, certificate_variables_as_httpd, 0, KVU_COUNT(cert_vars))
{
    const char *v = ssl_var_cert(pool, cert, cert_vars[_i].suffix, cert_vars[_i].flags);

    if (cert_vars[_i].value) {
        ck_assert_msg(v && strcmp(v, cert_vars[_i].value) == 0, "%s: '%s', want '%s'",
                      cert_vars[_i].suffix, v ? v : "(null)", cert_vars[_i].value);
    } else {
        ck_assert_msg(v == NULL, "%s: '%s', want none", cert_vars[_i].suffix, v);
    }
}
END_TEST

KVC_TEST(vars_case, pem_remain_and_unknown_ca)
{
    const char *pem = ssl_var_cert(pool, cert, "CERT", 0);

    ck_assert_ptr_nonnull(pem);
    ck_assert(strncmp(pem, "-----BEGIN CERTIFICATE-----\n", 28) == 0);
    ck_assert(strstr(pem, "-----END CERTIFICATE-----\n") != NULL);
    ck_assert_ptr_nonnull(ssl_var_cert(pool, cert, "V_REMAIN", 0));
    ck_assert(ssl_error_is_unknown_ca(X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT));
    ck_assert(ssl_error_is_unknown_ca(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY));
    ck_assert(!ssl_error_is_unknown_ca(X509_V_ERR_CERT_HAS_EXPIRED));
    ck_assert(!ssl_error_is_unknown_ca(X509_V_OK));
}
END_TEST

/* ---- SSLOptions ---------------------------------------------------------------------------- */

#define STD SSL_OPT_STDENVVARS
#define CERT SSL_OPT_EXPORTCERTDATA
#define STRICT SSL_OPT_STRICTREQUIRE

/* Parse @a line's words (up to 4) into a fresh section's options. */
static const char *parse(ssl_options_t *o, const char *const words[4])
{
    int argc = 0;

    while (argc < 4 && words[argc]) {
        argc++;
    }
    ssl_options_init(o);
    return ssl_options_parse(pool, o, argc, words);
}

static const struct {
    const char *base[4]; /* the enclosing section's line; {NULL}: none */
    const char *add[4];  /* the inner section's */
    int options;         /* in force in the inner section, SSL_OPT_RELATIVE aside */
} merges[] = {
    {{"+StdEnvVars"}, {"+ExportCertData"}, STD | CERT},
    {{"StdEnvVars", "+ExportCertData"}, {"-StdEnvVars"}, CERT},
    {{"+StdEnvVars"}, {"ExportCertData"}, CERT},      /* a bare word replaces */
    {{"StdEnvVars", "ExportCertData"}, {NULL}, CERT}, /* httpd: the last bare word wins */
    {{"+StdEnvVars", "+StrictRequire"}, {"-StrictRequire", "+ExportCertData"}, STD | CERT},
    {{NULL}, {"+StdEnvVars", "-StdEnvVars"}, 0},
    {{"FakeBasicAuth"},
     {"+OptRenegotiate", "+LegacyDNStringFormat"},
     SSL_OPT_FAKEBASICAUTH | SSL_OPT_OPTRENEGOTIATE | SSL_OPT_LEGACYDNFORMAT},
};

KVC_LOOP_TEST(vars_case, options_merge_as_httpd, 0, KVU_COUNT(merges))
{
    ssl_options_t base, add, out;

    ck_assert_ptr_null(parse(&base, merges[_i].base));
    ck_assert_ptr_null(parse(&add, merges[_i].add));
    ssl_options_merge(&out, &base, &add);
    ck_assert_int_eq(out.options & ~SSL_OPT_RELATIVE, merges[_i].options);
}
END_TEST

KVC_TEST(vars_case, options_refuse_unknown_words)
{
    ssl_options_t o;
    const char *const bad[4] = {"+StdEnvVars", "+CompatEnvVars"};
    const char *const lower[4] = {"stdenvvars"};

    ck_assert_str_eq(parse(&o, bad), "SSLOptions: Illegal option 'CompatEnvVars'");
    ck_assert_str_eq(parse(&o, lower), "SSLOptions: Illegal option 'stdenvvars'");
}
END_TEST

int main(void)
{
    return kvu_run_apr("ssl_vars");
}
