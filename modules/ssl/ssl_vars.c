/* httpd's SSL_* variables (ssl_vars.h), by the names and in the formats of httpd 2.4's
 * mod_ssl: DNs as RFC 2253 without escaping UTF-8 (X509_NAME_print_ex), dates as
 * ASN1_TIME_print's "Dec  7 13:56:31 2026 GMT", serials in upper-case hex, session IDs in
 * lower-case hex. */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ssl_vars.h"

/* ---- Helpers ------------------------------------------------------------------------------ */

/* What was written to the memory BIO @a bio, in @a p; the BIO is freed. */
static const char *bio_text(apr_pool_t *p, BIO *bio)
{
    char *data;
    long len = BIO_get_mem_data(bio, &data);
    const char *text = len > 0 ? apr_pstrmemdup(p, data, (apr_size_t)len) : NULL;

    BIO_free(bio);
    return text;
}

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int all_digits(const char *s)
{
    return *s && strspn(s, "0123456789") == strlen(s);
}

/* The subject (S) or issuer (I) name of @a x, for @a which 'S' or 'I'. */
static X509_NAME *name_of(X509 *x, char which)
{
    return which == 'S' ? X509_get_subject_name(x) : which == 'I' ? X509_get_issuer_name(x) : NULL;
}

/* ---- Distinguished names ------------------------------------------------------------------ */

/* The attributes httpd names in SSL_*_DN_<tag>; extract: StdEnvVars exports it. */
static const struct {
    const char *tag;
    int nid;
    int extract;
} dn_tags[] = {
    {"C", NID_countryName, 1},
    {"ST", NID_stateOrProvinceName, 1},
    {"SP", NID_stateOrProvinceName, 0},
    {"L", NID_localityName, 1},
    {"O", NID_organizationName, 1},
    {"OU", NID_organizationalUnitName, 1},
    {"CN", NID_commonName, 1},
    {"T", NID_title, 1},
    {"I", NID_initials, 1},
    {"G", NID_givenName, 1},
    {"S", NID_surname, 1},
    {"D", NID_description, 1},
    {"UID", NID_userId, 1},
    {"Email", NID_pkcs9_emailAddress, 1},
};

#define N_DN_TAGS (sizeof(dn_tags) / sizeof(dn_tags[0]))

static const char *dn_string(apr_pool_t *p, X509_NAME *name, int flags)
{
    BIO *bio;

    if (flags & SSL_VARS_LEGACY_DN) {
        char *line = X509_NAME_oneline(name, NULL, 0);
        const char *text = line ? apr_pstrdup(p, line) : NULL;

        OPENSSL_free(line);
        return text;
    }
    bio = BIO_new(BIO_s_mem());
    if (!bio) {
        return NULL;
    }
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    return bio_text(p, bio);
}

/* One attribute's value: UTF-8, or its bytes as they are (@a raw, the _RAW forms). */
static const char *entry_text(apr_pool_t *p, X509_NAME_ENTRY *e, int raw)
{
    const ASN1_STRING *data = X509_NAME_ENTRY_get_data(e);
    unsigned char *utf8 = NULL;
    const char *text;
    int len;

    if (raw) {
        return apr_pstrmemdup(p, (const char *)ASN1_STRING_get0_data(data),
                              (apr_size_t)ASN1_STRING_length(data));
    }
    len = ASN1_STRING_to_UTF8(&utf8, data);
    if (len < 0) {
        return NULL;
    }
    text = apr_pstrmemdup(p, (const char *)utf8, (apr_size_t)len);
    OPENSSL_free(utf8);
    return text;
}

/* @a var: a tag, then optionally _N (the Nth such attribute, from 0) and _RAW. */
static const char *dn_part(apr_pool_t *p, X509_NAME *name, const char *var)
{
    size_t len = strlen(var);
    const char *us;
    int raw = 0, index = 0;

    if (len > 4 && strcmp(var + len - 4, "_RAW") == 0) {
        raw = 1;
        len -= 4;
    }
    us = memchr(var, '_', len);
    if (us && us > var) {
        char *n = apr_pstrmemdup(p, us + 1, len - (size_t)(us - var) - 1);

        if (!all_digits(n)) {
            return NULL;
        }
        index = atoi(n);
        len = (size_t)(us - var);
    }
    for (size_t t = 0; t < N_DN_TAGS; t++) {
        if (strlen(dn_tags[t].tag) != len || strncmp(var, dn_tags[t].tag, len) != 0) {
            continue;
        }
        for (int i = 0; i < X509_NAME_entry_count(name); i++) {
            X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);

            if (OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)) == dn_tags[t].nid && index-- == 0) {
                return entry_text(p, e, raw);
            }
        }
        return NULL;
    }
    return NULL;
}

/* StdEnvVars's SSL_<prefix>_DN_<tag>, then _<tag>_1, _2 ... for the repeats, as httpd. */
static void add_dn_parts(apr_pool_t *p, apr_table_t *env, const char *prefix, X509_NAME *name)
{
    int seen[N_DN_TAGS] = {0};

    for (int i = 0; i < X509_NAME_entry_count(name); i++) {
        X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
        int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));

        for (size_t t = 0; t < N_DN_TAGS; t++) {
            const char *value;

            if (!dn_tags[t].extract || dn_tags[t].nid != nid) {
                continue;
            }
            value = entry_text(p, e, 0);
            if (value) {
                apr_table_setn(env,
                               seen[t] ? apr_psprintf(p, "%s%s_%d", prefix, dn_tags[t].tag, seen[t])
                                       : apr_pstrcat(p, prefix, dn_tags[t].tag, NULL),
                               value);
            }
            seen[t]++;
            break;
        }
    }
}

/* ---- Certificates ------------------------------------------------------------------------- */

/* The Nth subjectAltName entry of @a type (GEN_DNS, GEN_EMAIL), or NULL. */
static const char *san_entry(apr_pool_t *p, X509 *x, int type, int n)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    const char *text = NULL;

    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);

        if (g->type == type && n-- == 0) {
            const ASN1_IA5STRING *s = type == GEN_DNS ? g->d.dNSName : g->d.rfc822Name;

            text = apr_pstrmemdup(p, (const char *)ASN1_STRING_get0_data(s),
                                  (apr_size_t)ASN1_STRING_length(s));
            break;
        }
    }
    GENERAL_NAMES_free(names);
    return text;
}

static const char *san(apr_pool_t *p, X509 *x, const char *var)
{
    if (starts(var, "DNS_") && all_digits(var + 4)) {
        return san_entry(p, x, GEN_DNS, atoi(var + 4));
    }
    if (starts(var, "Email_") && all_digits(var + 6)) {
        return san_entry(p, x, GEN_EMAIL, atoi(var + 6));
    }
    return NULL;
}

static const char *time_text(apr_pool_t *p, const ASN1_TIME *t)
{
    BIO *bio = BIO_new(BIO_s_mem());

    if (!bio) {
        return NULL;
    }
    ASN1_TIME_print(bio, t);
    return bio_text(p, bio);
}

/* Whole days until @a t, "0" once it is past. */
static const char *days_left(apr_pool_t *p, const ASN1_TIME *t)
{
    int days = 0, secs = 0;

    if (!ASN1_TIME_diff(&days, &secs, NULL, t) || days < 0) {
        return "0";
    }
    return apr_itoa(p, days);
}

static const char *serial(apr_pool_t *p, X509 *x)
{
    BIO *bio = BIO_new(BIO_s_mem());

    if (!bio) {
        return NULL;
    }
    i2a_ASN1_INTEGER(bio, X509_get0_serialNumber(x));
    return bio_text(p, bio);
}

static const char *pem(apr_pool_t *p, X509 *x)
{
    BIO *bio = BIO_new(BIO_s_mem());

    if (!bio) {
        return NULL;
    }
    PEM_write_bio_X509(bio, x);
    return bio_text(p, bio);
}

static const char *nid_name(int nid)
{
    return nid == NID_undef ? "UNKNOWN" : OBJ_nid2ln(nid);
}

static const char *key_algorithm(X509 *x)
{
    ASN1_OBJECT *alg = NULL;

    X509_PUBKEY_get0_param(&alg, NULL, NULL, NULL, X509_get_X509_PUBKEY(x));
    return nid_name(alg ? OBJ_obj2nid(alg) : NID_undef);
}

const char *ssl_var_cert(apr_pool_t *p, X509 *x, const char *var, int flags)
{
    if (strcmp(var, "M_VERSION") == 0) {
        return apr_ltoa(p, X509_get_version(x) + 1);
    }
    if (strcmp(var, "M_SERIAL") == 0) {
        return serial(p, x);
    }
    if (strcmp(var, "V_START") == 0) {
        return time_text(p, X509_get0_notBefore(x));
    }
    if (strcmp(var, "V_END") == 0) {
        return time_text(p, X509_get0_notAfter(x));
    }
    if (strcmp(var, "V_REMAIN") == 0) {
        return days_left(p, X509_get0_notAfter(x));
    }
    if (var[0] && strcmp(var + 1, "_DN") == 0 && name_of(x, var[0])) {
        return dn_string(p, name_of(x, var[0]), flags);
    }
    if (var[0] && starts(var + 1, "_DN_") && name_of(x, var[0])) {
        return dn_part(p, name_of(x, var[0]), var + 5);
    }
    if (starts(var, "SAN_")) {
        return san(p, x, var + 4);
    }
    if (strcmp(var, "A_SIG") == 0) {
        return nid_name(X509_get_signature_nid(x));
    }
    if (strcmp(var, "A_KEY") == 0) {
        return key_algorithm(x);
    }
    if (strcmp(var, "CERT") == 0) {
        return pem(p, x);
    }
    return NULL;
}

/* ---- The connection ----------------------------------------------------------------------- */

int ssl_error_is_unknown_ca(long err)
{
    return err == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT ||
           err == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
           err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
           err == X509_V_ERR_CERT_UNTRUSTED || err == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE;
}

/* httpd's SSL_CLIENT_VERIFY. An unknown CA that got through was forgiven by optional_no_ca:
 * any other SSLVerifyClient level ends such a handshake. */
static const char *client_verify(apr_pool_t *p, SSL *ssl)
{
    long result = SSL_get_verify_result(ssl);

    if (!SSL_get0_peer_certificate(ssl)) {
        return "NONE";
    }
    if (result == X509_V_OK) {
        return "SUCCESS";
    }
    if (ssl_error_is_unknown_ca(result)) {
        return "GENEROUS";
    }
    return apr_pstrcat(p, "FAILED:", X509_verify_cert_error_string(result), NULL);
}

static const char *session_id(apr_pool_t *p, SSL *ssl)
{
    const SSL_SESSION *session = SSL_get_session(ssl);
    const unsigned char *id;
    unsigned int len = 0;
    char *hex;

    id = session ? SSL_SESSION_get_id(session, &len) : NULL;
    if (!id || len == 0) {
        return NULL;
    }
    hex = apr_palloc(p, len * 2 + 1);
    for (unsigned int i = 0; i < len; i++) {
        apr_snprintf(hex + i * 2, 3, "%02x", id[i]);
    }
    return hex;
}

/* "OpenSSL/3.0.19" from "OpenSSL 3.0.19 27 Jan 2026", as httpd shortens it. */
static const char *library_version(apr_pool_t *p)
{
    char *v = apr_pstrdup(p, OpenSSL_version(OPENSSL_VERSION));
    char *sp = strchr(v, ' ');

    if (sp) {
        *sp = '/';
        sp[strcspn(sp, " ")] = '\0';
    }
    return v;
}

static const char *cipher_var(apr_pool_t *p, SSL *ssl, const char *var)
{
    const SSL_CIPHER *cipher = SSL_get_current_cipher(ssl);
    int alg = 0, use = cipher ? SSL_CIPHER_get_bits(cipher, &alg) : 0;

    if (!*var) {
        return cipher ? SSL_CIPHER_get_name(cipher) : NULL;
    }
    if (strcmp(var, "_EXPORT") == 0) {
        return use < 56 ? "true" : "false";
    }
    if (strcmp(var, "_USEKEYSIZE") == 0) {
        return apr_itoa(p, use);
    }
    if (strcmp(var, "_ALGKEYSIZE") == 0) {
        return apr_itoa(p, alg);
    }
    return NULL;
}

/* SSL_CLIENT_CERT_CHAIN_N: the Nth certificate the client sent after its own. */
static const char *client_chain(apr_pool_t *p, SSL *ssl, const char *n)
{
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);

    if (!all_digits(n) || !chain || atoi(n) >= sk_X509_num(chain)) {
        return NULL;
    }
    return pem(p, sk_X509_value(chain, atoi(n)));
}

static const char *client_var(apr_pool_t *p, SSL *ssl, const char *var, int flags)
{
    X509 *peer = SSL_get0_peer_certificate(ssl);

    if (strcmp(var, "VERIFY") == 0) {
        return client_verify(p, ssl);
    }
    if (starts(var, "CERT_CHAIN_")) {
        return client_chain(p, ssl, var + 11);
    }
    return peer ? ssl_var_cert(p, peer, var, flags) : NULL;
}

const char *ssl_var_lookup(apr_pool_t *p, SSL *ssl, const char *name, int flags)
{
    const char *var;
    X509 *own;

    if (!starts(name, "SSL_")) {
        return NULL;
    }
    var = name + 4;
    if (strcmp(var, "VERSION_LIBRARY") == 0) {
        return library_version(p);
    }
    if (strcmp(var, "PROTOCOL") == 0) {
        return SSL_get_version(ssl);
    }
    if (starts(var, "CIPHER")) {
        return cipher_var(p, ssl, var + 6);
    }
    if (strcmp(var, "SESSION_ID") == 0) {
        return session_id(p, ssl);
    }
    if (strcmp(var, "SESSION_RESUMED") == 0) {
        return SSL_session_reused(ssl) ? "Resumed" : "Initial";
    }
    if (strcmp(var, "TLS_SNI") == 0) {
        return SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    }
    if (strcmp(var, "SECURE_RENEG") == 0) {
        return SSL_get_secure_renegotiation_support(ssl) ? "true" : "false";
    }
    if (strcmp(var, "COMPRESS_METHOD") == 0) {
        return SSL_get_current_compression(ssl) ? "ZLIB" : "NULL";
    }
    if (starts(var, "CLIENT_")) {
        return client_var(p, ssl, var + 7, flags);
    }
    own = SSL_get_certificate(ssl);
    if (starts(var, "SERVER_") && own) {
        return ssl_var_cert(p, own, var + 7, flags);
    }
    return NULL;
}

/* ---- The environment of scripts --------------------------------------------------------- */

/* httpd's StdEnvVars list, less what kiva does not have (SRP, the ClientHello's). */
static const char *const std_vars[] = {
    "SSL_VERSION_LIBRARY", "SSL_PROTOCOL",         "SSL_SECURE_RENEG",      "SSL_COMPRESS_METHOD",
    "SSL_CIPHER",          "SSL_CIPHER_EXPORT",    "SSL_CIPHER_USEKEYSIZE", "SSL_CIPHER_ALGKEYSIZE",
    "SSL_CLIENT_VERIFY",   "SSL_CLIENT_M_VERSION", "SSL_CLIENT_M_SERIAL",   "SSL_CLIENT_V_START",
    "SSL_CLIENT_V_END",    "SSL_CLIENT_V_REMAIN",  "SSL_CLIENT_S_DN",       "SSL_CLIENT_I_DN",
    "SSL_CLIENT_A_KEY",    "SSL_CLIENT_A_SIG",     "SSL_SERVER_M_VERSION",  "SSL_SERVER_M_SERIAL",
    "SSL_SERVER_V_START",  "SSL_SERVER_V_END",     "SSL_SERVER_S_DN",       "SSL_SERVER_I_DN",
    "SSL_SERVER_A_KEY",    "SSL_SERVER_A_SIG",     "SSL_SESSION_ID",        "SSL_SESSION_RESUMED",
};

/* SSL_<prefix>_SAN_DNS_n and _Email_n: every such entry of @a x. */
static void add_sans(apr_pool_t *p, apr_table_t *env, const char *prefix, X509 *x)
{
    static const struct {
        int type;
        const char *name;
    } kinds[] = {{GEN_EMAIL, "Email"}, {GEN_DNS, "DNS"}};

    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        const char *v;

        for (int i = 0; i < 100 && (v = san_entry(p, x, kinds[k].type, i)) != NULL; i++) {
            apr_table_setn(env, apr_psprintf(p, "%sSAN_%s_%d", prefix, kinds[k].name, i), v);
        }
    }
}

static void add_cert_parts(apr_pool_t *p, apr_table_t *env, const char *prefix, X509 *x)
{
    if (!x) {
        return;
    }
    add_dn_parts(p, env, apr_pstrcat(p, prefix, "S_DN_", NULL), X509_get_subject_name(x));
    add_dn_parts(p, env, apr_pstrcat(p, prefix, "I_DN_", NULL), X509_get_issuer_name(x));
    add_sans(p, env, prefix, x);
}

void ssl_vars_add_std(apr_pool_t *p, SSL *ssl, apr_table_t *env, int flags)
{
    add_cert_parts(p, env, "SSL_SERVER_", SSL_get_certificate(ssl));
    add_cert_parts(p, env, "SSL_CLIENT_", SSL_get0_peer_certificate(ssl));
    for (size_t i = 0; i < sizeof(std_vars) / sizeof(std_vars[0]); i++) {
        const char *v = ssl_var_lookup(p, ssl, std_vars[i], flags);

        if (v && *v) {
            apr_table_setn(env, std_vars[i], v);
        }
    }
}

void ssl_vars_add_certs(apr_pool_t *p, SSL *ssl, apr_table_t *env)
{
    const char *v;

    v = ssl_var_lookup(p, ssl, "SSL_SERVER_CERT", 0);
    apr_table_setn(env, "SSL_SERVER_CERT", v ? v : "");
    v = ssl_var_lookup(p, ssl, "SSL_CLIENT_CERT", 0);
    apr_table_setn(env, "SSL_CLIENT_CERT", v ? v : "");
    for (int i = 0; i < 100; i++) {
        const char *name = apr_psprintf(p, "SSL_CLIENT_CERT_CHAIN_%d", i);

        if ((v = ssl_var_lookup(p, ssl, name, 0)) == NULL) {
            break;
        }
        apr_table_setn(env, name, v);
    }
}
