/* mod_ssl's directives (ssl_config.h). Certificates and keys are loaded as their lines are
 * read: an unreadable file and a key that does not match its certificate are refused there,
 * so that `kiva -t` finds them and the error names the line. An encrypted key waits for
 * SSLPassPhraseDialog, which may come later in the file (ssl_check.c). */
#include <string.h>

#include <apr_strings.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "ssl_config.h"
#include "ssl_env.h"
#include "ssl_keys.h"
#include "ssl_parse.h"
#include "ssl_pha.h"
#include "ssl_tickets.h"
#include "ssl_verify.h"

#define KV_LOG_MODULE "ssl"

const char *ssl_error_text(apr_pool_t *p)
{
    unsigned long e = ERR_peek_last_error();
    char buf[256];

    if (e == 0) {
        return "no reason given by OpenSSL";
    }
    ERR_error_string_n(e, buf, sizeof(buf));
    ERR_clear_error();
    return apr_pstrdup(p, buf);
}

void *ssl_create_server_conf(apr_pool_t *p, kv_server_t *s)
{
    ssl_server_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    (void)s;
    conf->engine = KV_UNSET_INT;
    conf->protocols = KV_UNSET_INT;
    conf->honor_cipher_order = KV_UNSET_INT;
    conf->compression = KV_UNSET_INT;
    conf->session_tickets = KV_UNSET_INT;
    conf->session_timeout = KV_UNSET_TIME;
    conf->ticket_rotation = KV_UNSET_TIME;
    conf->verify_client = KV_UNSET_INT;
    conf->verify_depth = KV_UNSET_INT;
    conf->cert_check = KV_UNSET_TIME;
    conf->read_from = apr_time_now();
    conf->strict_sni = KV_UNSET_INT;
    ssl_stapling_conf_init(&conf->stapling);
    return conf;
}

/* A virtual host takes what it does not set from the main server, as httpd's. */
void *ssl_merge_server_conf(apr_pool_t *p, void *basev, void *addv)
{
    const ssl_server_conf_t *base = basev, *add = addv;
    ssl_server_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    conf->engine = KV_MERGE_INT(add->engine, base->engine, 0);
    conf->certs = KV_MERGE_PTR(add->certs, base->certs, NULL);
    conf->keys = add->certs ? add->keys : KV_MERGE_PTR(add->keys, base->keys, NULL);
    conf->chain = KV_MERGE_PTR(add->chain, base->chain, NULL);
    conf->protocols = KV_MERGE_INT(add->protocols, base->protocols, KV_UNSET_INT);
    conf->ciphers = KV_MERGE_PTR(add->ciphers, base->ciphers, NULL);
    conf->ciphers_tls13 = KV_MERGE_PTR(add->ciphers_tls13, base->ciphers_tls13, NULL);
    conf->honor_cipher_order =
        KV_MERGE_INT(add->honor_cipher_order, base->honor_cipher_order, KV_UNSET_INT);
    conf->compression = KV_MERGE_INT(add->compression, base->compression, KV_UNSET_INT);
    conf->session_tickets = KV_MERGE_INT(add->session_tickets, base->session_tickets, KV_UNSET_INT);
    conf->session_cache = KV_MERGE_PTR(add->session_cache, base->session_cache, NULL);
    conf->session_timeout =
        KV_MERGE_TIME(add->session_timeout, base->session_timeout, KV_UNSET_TIME);
    conf->ticket_key_file = KV_MERGE_PTR(add->ticket_key_file, base->ticket_key_file, NULL);
    conf->ticket_rotation =
        KV_MERGE_TIME(add->ticket_rotation, base->ticket_rotation, KV_UNSET_TIME);
    ssl_verify_merge(conf, base, add);
    conf->cert_check = KV_MERGE_TIME(add->cert_check, base->cert_check, SSL_CERT_CHECK_DEFAULT);
    conf->read_from = base->read_from < add->read_from ? base->read_from : add->read_from;
    conf->strict_sni = KV_MERGE_INT(add->strict_sni, base->strict_sni, KV_UNSET_INT);
    ssl_keys_merge(p, conf, base, add);
    ssl_stapling_conf_merge(&conf->stapling, &base->stapling, &add->stapling);
    return conf;
}

/* ---- Loading PEM files ---------------------------------------------------------------- */

/* OpenSSL would prompt on the terminal for an encrypted key's passphrase: note that the key
 * is encrypted instead; SSLPassPhraseDialog's passphrase decrypts it once the whole
 * configuration is read (ssl_check.c). */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    *(int *)u = 1;
    return -1;
}

static apr_status_t free_x509(void *x)
{
    X509_free(x);
    return APR_SUCCESS;
}

static apr_status_t free_pkey(void *k)
{
    EVP_PKEY_free(k);
    return APR_SUCCESS;
}

static apr_status_t free_chain(void *chain)
{
    sk_X509_pop_free(chain, X509_free);
    return APR_SUCCESS;
}

static const char *where(kv_cmd_parms_t *cmd)
{
    return apr_psprintf(cmd->pool, "%s:%u", cmd->directive->file, cmd->directive->line);
}

/* Open @a path (relative to ServerRoot) for the directive, or say why not. */
static const char *open_pem(kv_cmd_parms_t *cmd, const char *arg, const char **path, BIO **bio)
{
    apr_finfo_t finfo;
    apr_status_t rv;
    char reason[120];

    *path = kv_server_root_relative(cmd->pool, arg);
    rv = apr_stat(&finfo, *path, APR_FINFO_SIZE | APR_FINFO_TYPE, cmd->temp_pool);
    if (rv == APR_SUCCESS && (finfo.filetype != APR_REG || finfo.size == 0)) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a file with a certificate or key",
                            cmd->cmd->name, *path);
    }
    ERR_clear_error();
    *bio = rv == APR_SUCCESS ? BIO_new_file(*path, "r") : NULL;
    if (!*bio) {
        if (rv == APR_SUCCESS) {
            rv = APR_EACCES;
        }
        return apr_psprintf(cmd->pool, "%s: cannot read '%s': %s", cmd->cmd->name, *path,
                            apr_strerror(rv, reason, sizeof(reason)));
    }
    return NULL;
}

/* Every certificate of a PEM file, in order; NULL with *err when it has none or a bad one. */
static STACK_OF(X509) *
    read_certs(kv_cmd_parms_t *cmd, BIO *bio, const char *path, const char **err)
{
    STACK_OF(X509) *certs = sk_X509_new_null();
    X509 *x;

    while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        sk_X509_push(certs, x);
    }
    if (ERR_GET_REASON(ERR_peek_last_error()) == PEM_R_NO_START_LINE && sk_X509_num(certs)) {
        ERR_clear_error(); /* the end of the file */
        apr_pool_cleanup_register(cmd->pool, certs, free_chain, apr_pool_cleanup_null);
        return certs;
    }
    *err = apr_psprintf(cmd->pool, "%s: no certificate could be read from '%s': %s", cmd->cmd->name,
                        path, sk_X509_num(certs) ? ssl_error_text(cmd->temp_pool) : "none in it");
    ERR_clear_error();
    sk_X509_pop_free(certs, X509_free);
    return NULL;
}

/* The private key in @a bio, or NULL (and *encrypted if it needs a passphrase). */
static EVP_PKEY *read_key(kv_cmd_parms_t *cmd, BIO *bio, int *encrypted)
{
    EVP_PKEY *key;

    *encrypted = 0;
    key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, encrypted);
    if (key) {
        apr_pool_cleanup_register(cmd->pool, key, free_pkey, apr_pool_cleanup_null);
    }
    return key;
}

/* An expired certificate still loads (a client may not check), but says so, with -t too. */
static void warn_if_expired(kv_cmd_parms_t *cmd, const ssl_cert_t *cert)
{
    const ASN1_TIME *not_after = X509_get0_notAfter(cert->cert);
    BIO *mem;
    char date[64] = "";
    int n;

    if (X509_cmp_current_time(not_after) >= 0) {
        return;
    }
    mem = BIO_new(BIO_s_mem());
    if (mem && ASN1_TIME_print(mem, not_after)) {
        n = BIO_read(mem, date, (int)sizeof(date) - 1);
        date[n > 0 ? n : 0] = '\0';
    }
    BIO_free(mem);
    kv_log_error(KV_LOG_MARK, KV_LOG_WARNING, 0, cmd->server,
                 "KV01481: the certificate in %s (SSLCertificateFile at %s) expired on %s",
                 cert->cert_file, cert->where, date);
}

/* The Nth certificate and the Nth key, once both are read, must belong together. */
static const char *check_pair(kv_cmd_parms_t *cmd, const ssl_server_conf_t *conf, int n)
{
    const ssl_cert_t *cert;
    const ssl_key_t *key;

    if (!conf->certs || !conf->keys || n >= conf->certs->nelts || n >= conf->keys->nelts) {
        return NULL;
    }
    cert = &APR_ARRAY_IDX(conf->certs, n, ssl_cert_t);
    key = &APR_ARRAY_IDX(conf->keys, n, ssl_key_t);
    if (!key->key) {
        return NULL; /* encrypted: checked once decrypted (ssl_check.c) */
    }
    ERR_clear_error();
    if (X509_check_private_key(cert->cert, key->key) != 1) {
        ERR_clear_error();
        return apr_psprintf(cmd->pool,
                            "%s: the private key in '%s' (%s) does not match the certificate "
                            "in '%s' (%s)",
                            cmd->cmd->name, key->key_file, key->where, cert->cert_file,
                            cert->where);
    }
    return NULL;
}

/* ---- The directives ------------------------------------------------------------------- */

static const char *set_engine(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv)
{
    ssl_server_conf_t *conf = c;

    (void)argc;
    if (strcasecmp(argv[0], "on") == 0) {
        conf->engine = 1;
    } else if (strcasecmp(argv[0], "off") == 0) {
        conf->engine = 0;
    } else if (strcasecmp(argv[0], "optional") == 0) {
        return "SSLEngine optional (TLS upgrade, RFC 2817) is not supported";
    } else {
        return apr_psprintf(cmd->pool, "SSLEngine must be On or Off, not '%s'", argv[0]);
    }
    return NULL;
}

static const char *set_cert_file(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv)
{
    ssl_server_conf_t *conf = c;
    const char *path, *err = NULL;
    STACK_OF(X509) * certs;
    ssl_cert_t *cert;
    BIO *bio;
    int encrypted;

    (void)argc;
    if ((err = open_pem(cmd, argv[0], &path, &bio)) != NULL) {
        return err;
    }
    certs = read_certs(cmd, bio, path, &err);
    if (certs) {
        (void)BIO_reset(bio);
        if (!conf->certs) {
            conf->certs = apr_array_make(cmd->pool, 2, sizeof(ssl_cert_t));
        }
        cert = apr_array_push(conf->certs);
        cert->cert_file = path;
        cert->where = where(cmd);
        cert->cert = sk_X509_shift(certs);
        apr_pool_cleanup_register(cmd->pool, cert->cert, free_x509, apr_pool_cleanup_null);
        cert->chain = certs; /* what follows it */
        warn_if_expired(cmd, cert);
        cert->own_key = read_key(cmd, bio, &encrypted);
        ERR_clear_error();
        err = check_pair(cmd, conf, conf->certs->nelts - 1);
    }
    BIO_free(bio);
    return err;
}

static const char *set_key_file(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv)
{
    ssl_server_conf_t *conf = c;
    const char *path, *err;
    ssl_key_t *key;
    EVP_PKEY *pkey;
    BIO *bio;
    int encrypted;

    (void)argc;
    if ((err = open_pem(cmd, argv[0], &path, &bio)) != NULL) {
        return err;
    }
    pkey = read_key(cmd, bio, &encrypted);
    BIO_free(bio);
    if (!pkey && !encrypted) {
        return apr_psprintf(cmd->pool,
                            "SSLCertificateKeyFile: no private key could be read "
                            "from '%s': %s",
                            path, ssl_error_text(cmd->temp_pool));
    }
    if (!conf->keys) {
        conf->keys = apr_array_make(cmd->pool, 2, sizeof(ssl_key_t));
    }
    key = apr_array_push(conf->keys);
    key->key_file = path;
    key->where = where(cmd);
    key->key = pkey;
    key->encrypted = encrypted; /* decrypted once SSLPassPhraseDialog is known */
    ERR_clear_error();
    return check_pair(cmd, conf, conf->keys->nelts - 1);
}

static const char *set_chain_file(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv)
{
    ssl_server_conf_t *conf = c;
    const char *path, *err = NULL;
    BIO *bio;

    (void)argc;
    if ((err = open_pem(cmd, argv[0], &path, &bio)) != NULL) {
        return err;
    }
    conf->chain = read_certs(cmd, bio, path, &err);
    BIO_free(bio);
    conf->chain_file = path;
    conf->chain_where = where(cmd);
    return err;
}

static const char *set_protocol(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv)
{
    ssl_server_conf_t *conf = c;
    const char *overrides, *err;
    int protocols = 0; /* as httpd, each line starts from none */

    err = ssl_parse_protocols(cmd->pool, argc, argv, &protocols, &overrides);
    if (err) {
        return err;
    }
    if (overrides) {
        kv_log_error(KV_LOG_MARK, KV_LOG_WARNING, 0, cmd->server,
                     "KV01471: SSLProtocol: Protocol '%s' overrides already set parameter(s) "
                     "(%s). Check if a +/- prefix is missing.",
                     overrides, where(cmd));
    }
    conf->protocols = protocols;
    return NULL;
}

/* Try a cipher string on a scratch context, so that a bad one is a syntax error. */
static const char *set_cipher_suite(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv)
{
    ssl_server_conf_t *conf = c;
    int tls13 = argc == 2 ? ssl_parse_cipher_protocol(argv[0]) : 0;
    const char *spec = argv[argc - 1];
    SSL_CTX *scratch;
    int ok;

    if (tls13 < 0) {
        return apr_psprintf(cmd->pool,
                            "SSLCipherSuite: protocol '%s' is not one of SSL and "
                            "TLSv1.3",
                            argv[0]);
    }
    scratch = SSL_CTX_new(TLS_server_method());
    ok = scratch &&
         (tls13 ? SSL_CTX_set_ciphersuites(scratch, spec) : SSL_CTX_set_cipher_list(scratch, spec));
    SSL_CTX_free(scratch);
    if (!ok) {
        return apr_psprintf(cmd->pool, "SSLCipherSuite: no cipher matches '%s': %s", spec,
                            ssl_error_text(cmd->temp_pool));
    }
    *(tls13 ? &conf->ciphers_tls13 : &conf->ciphers) = apr_pstrdup(cmd->pool, spec);
    return NULL;
}

const kv_command_t ssl_commands[] = {
    {"SSLEngine", set_engine, NULL, 1, 1, KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "On|Off: TLS on the connections of this server's addresses"},
    {"SSLCertificateFile", set_cert_file, NULL, 1, 1, KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "file: a PEM certificate (and its chain after it); repeatable, one per key type"},
    {"SSLCertificateKeyFile", set_key_file, NULL, 1, 1, KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "file: the PEM private key of the SSLCertificateFile of the same rank"},
    {"SSLCertificateChainFile", set_chain_file, NULL, 1, 1, KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "file: PEM intermediate CA certificates sent after every certificate"},
    {"SSLProtocol", set_protocol, NULL, 1, -1, KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "[+-]all|TLSv1|TLSv1.1|TLSv1.2|TLSv1.3 ...: the protocol versions accepted"},
    {"SSLCipherSuite", set_cipher_suite, NULL, 1, 2, KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "[SSL|TLSv1.3] spec: OpenSSL's cipher list (TLS 1.2 and below) or TLS 1.3's suites"},
    {"SSLHonorCipherOrder", kv_set_bounded_slot,
     KV_SLOT(ssl_server_conf_t, honor_cipher_order, KV_UNIT_FLAG, 0, 1), 1, 1, KV_CTX_SERVER,
     KV_CMD_SERVER_CONF, "On|Off: the server's cipher order wins over the client's"},
    {"SSLCompression", kv_set_bounded_slot,
     KV_SLOT(ssl_server_conf_t, compression, KV_UNIT_FLAG, 0, 1), 1, 1, KV_CTX_SERVER,
     KV_CMD_SERVER_CONF, "On|Off: TLS compression (Off, the default: CRIME)"},
    {"SSLSessionTickets", kv_set_bounded_slot,
     KV_SLOT(ssl_server_conf_t, session_tickets, KV_UNIT_FLAG, 0, 1), 1, 1, KV_CTX_SERVER,
     KV_CMD_SERVER_CONF, "On|Off: TLS session tickets (RFC 5077)"},
    {"SSLSessionCache", ssl_set_session_cache, NULL, 1, 1, KV_CTX_MAIN, KV_CMD_SERVER_CONF,
     "none|nonenotnull|shmcb:path(size)|memcache:host:port,...: the server-side session cache"},
    {"SSLSessionCacheTimeout", kv_set_bounded_slot,
     KV_SLOT(ssl_server_conf_t, session_timeout, KV_UNIT_SECONDS, 0, 86400 * 365), 1, 1,
     KV_CTX_SERVER, KV_CMD_SERVER_CONF, "seconds: how long a session may be resumed (300)"},
    {"SSLSessionTicketKeyFile", ssl_set_ticket_key_file, NULL, 1, 1, KV_CTX_SERVER,
     KV_CMD_SERVER_CONF, "file: 48 bytes, a fixed session ticket key (no rotation)"},
    {"SSLSessionTicketKeyRotation", kv_set_bounded_slot,
     KV_SLOT(ssl_server_conf_t, ticket_rotation, KV_UNIT_SECONDS, 1, 86400 * 7), 1, 1,
     KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "seconds: how often the session ticket key changes (3600); the one before still resumes"},
    /* Client certificates (ssl_verify.c); SSLVerifyClient and SSLVerifyDepth in a directory
     * ask after the handshake (ssl_pha.c), the CAs are the server's. */
    {"SSLCACertificateFile", ssl_set_ca_file, NULL, 1, 1, KV_CTX_ALL, KV_CMD_SERVER_CONF,
     "file: PEM CA certificates that verify client certificates (and are named to clients)"},
    {"SSLCACertificatePath", ssl_set_ca_path, NULL, 1, 1, KV_CTX_ALL, KV_CMD_SERVER_CONF,
     "directory: CA certificates by subject hash (openssl rehash) for client certificates"},
    {"SSLVerifyClient", ssl_set_verify_client, NULL, 1, 1, KV_CTX_ALL, KV_CMD_SERVER_CONF,
     "none|optional|require|optional_no_ca: ask the client for a certificate"},
    {"SSLVerifyDepth", ssl_set_verify_depth, NULL, 1, 1, KV_CTX_ALL, KV_CMD_SERVER_CONF,
     "N: the most CA certificates above the client's (default 1)"},
    {"SSLRenegBufferSize", kv_set_bounded_slot,
     KV_SLOT(ssl_dir_conf_t, reneg_buffer, KV_UNIT_BYTES, 0, SSL_PHA_HELD_MOST), 1, 1, KV_CTX_ALL,
     0, "bytes: the most of a request held while its client certificate is asked for (131072)"},
    /* The SSL environment and access (ssl_env.c), per directory. */
    {"SSLOptions", ssl_set_options, NULL, 1, -1, KV_CTX_ALL, 0,
     "[+-]StdEnvVars|ExportCertData|FakeBasicAuth|StrictRequire|OptRenegotiate|"
     "LegacyDNStringFormat ...: what requests over TLS get"},
    {"SSLRequireSSL", ssl_set_require_ssl, NULL, 0, 0, KV_CTX_DIR, 0,
     "(no arguments): 403 for requests not over TLS"},
    {"SSLCertificateCheckInterval", kv_set_bounded_slot,
     KV_SLOT(ssl_server_conf_t, cert_check, KV_UNIT_SECONDS, 0, 24 * 3600), 1, 1, KV_CTX_SERVER,
     KV_CMD_SERVER_CONF,
     "seconds: how often each child looks for renewed certificate and key files (0: never)"},
    {"SSLStrictSNIVHostCheck", kv_set_bounded_slot,
     KV_SLOT(ssl_server_conf_t, strict_sni, KV_UNIT_FLAG, 0, 1), 1, 1, KV_CTX_SERVER,
     KV_CMD_SERVER_CONF, "On|Off: refuse a client without SNI a name-based virtual host"},
    {"SSLPassPhraseDialog", ssl_set_pphrase_dialog, NULL, 1, 1, KV_CTX_MAIN, KV_CMD_SERVER_CONF,
     "builtin|exec:/path|'|/path [args]': where the passphrase of an encrypted key comes from"},
    {"SSLOpenSSLConfCmd", ssl_set_conf_cmd, NULL, 2, 2, KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "name value: an OpenSSL SSL_CONF command for this server's TLS context"},
    {"SSLRandomSeed", ssl_set_random_seed, NULL, 2, 3, KV_CTX_MAIN, KV_CMD_SERVER_CONF,
     "startup|connect builtin|file:/path|exec:/path [bytes]: accepted; OpenSSL 3 seeds itself"},
    SSL_STAPLING_COMMANDS,
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};
