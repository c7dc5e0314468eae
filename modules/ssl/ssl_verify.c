/* Client certificates (ssl_verify.h). As httpd: the CA certificates of SSLCACertificateFile
 * and SSLCACertificatePath both verify the client's certificate and name, in the
 * CertificateRequest, the CAs the client may choose from; SSLVerifyDepth is checked by the
 * verify callback, which also lets optional_no_ca accept an issuer we do not know. */
#include <string.h>

#include <apr_strings.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "kv_log.h"
#include "ssl_env.h"
#include "ssl_vars.h"
#include "ssl_verify.h"

#define KV_LOG_MODULE "ssl"

/* Where an SSL_CTX keeps its server's configuration, for the verify callback. Made once, in
 * the parent, at the first post_config with a TLS host. */
static int conf_index = -1;
/* Where an SSL keeps the level and depth a directory asked its certificate at, which win over
 * its server's (ssl_verify_post_handshake). Made with conf_index. */
static int want_index = -1;

int ssl_verify_parse_level(const char *arg)
{
    static const char *const names[] = {"none", "optional", "require", "optional_no_ca"};

    for (int i = 0; i < 4; i++) {
        if (strcasecmp(arg, names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

void ssl_verify_merge(ssl_server_conf_t *conf, const ssl_server_conf_t *base,
                      const ssl_server_conf_t *add)
{
    conf->ca_file = KV_MERGE_PTR(add->ca_file, base->ca_file, NULL);
    conf->ca_file_where = add->ca_file ? add->ca_file_where : base->ca_file_where;
    conf->ca_path = KV_MERGE_PTR(add->ca_path, base->ca_path, NULL);
    conf->ca_path_where = add->ca_path ? add->ca_path_where : base->ca_path_where;
    conf->verify_client = KV_MERGE_INT(add->verify_client, base->verify_client, KV_UNSET_INT);
    conf->verify_depth = KV_MERGE_INT(add->verify_depth, base->verify_depth, KV_UNSET_INT);
}

/* ---- The directives --------------------------------------------------------------------- */

static const char *where(kv_cmd_parms_t *cmd)
{
    return apr_psprintf(cmd->pool, "%s:%u", cmd->directive->file, cmd->directive->line);
}

/* As httpd, the CAs are the server's: a directory cannot have its own. */
static const char *refuse_in_directory(kv_cmd_parms_t *cmd)
{
    if (!(cmd->context & KV_CTX_DIR)) {
        return NULL;
    }
    return apr_psprintf(cmd->pool,
                        "%s cannot be set per directory (httpd: \"Your SSL library does not have "
                        "support for per-directory CA\"): put it in the server or "
                        "<VirtualHost>, whose CAs verify the certificates SSLVerifyClient asks "
                        "for in <Directory>, <Location> or <Files>",
                        cmd->cmd->name);
}

/* SSLVerifyClient and SSLVerifyDepth set the directory's value in a directory section (its
 * certificate is then asked for after the handshake, ssl_pha.c), else the server's. */
static int *verify_field(kv_cmd_parms_t *cmd, ssl_server_conf_t *conf, int depth)
{
    ssl_dir_conf_t *dc;

    if (!(cmd->context & KV_CTX_DIR)) {
        return depth ? &conf->verify_depth : &conf->verify_client;
    }
    dc = kv_get_module_config(cmd->dir_config, cmd->module);
    return depth ? &dc->verify_depth : &dc->verify_client;
}

/* Read every certificate of @a path, to refuse a file that has none now, not at start. */
static const char *check_ca_file(kv_cmd_parms_t *cmd, const char *path)
{
    BIO *bio;
    X509 *x;
    int n = 0;

    ERR_clear_error();
    bio = BIO_new_file(path, "r");
    if (!bio) {
        return apr_psprintf(cmd->pool, "%s: cannot read '%s': %s", cmd->cmd->name, path,
                            ssl_error_text(cmd->temp_pool));
    }
    while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        X509_free(x);
        n++;
    }
    BIO_free(bio);
    if (n == 0 || ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE) {
        const char *why = n ? ssl_error_text(cmd->temp_pool) : "none in it";

        ERR_clear_error();
        return apr_psprintf(cmd->pool, "%s: no CA certificate could be read from '%s': %s",
                            cmd->cmd->name, path, why);
    }
    ERR_clear_error();
    return NULL;
}

const char *ssl_set_ca_file(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv)
{
    ssl_server_conf_t *conf = c;
    const char *path = kv_server_root_relative(cmd->pool, argv[0]);
    const char *err = refuse_in_directory(cmd);

    (void)argc;
    if (err || (err = check_ca_file(cmd, path)) != NULL) {
        return err;
    }
    conf->ca_file = path;
    conf->ca_file_where = where(cmd);
    return NULL;
}

const char *ssl_set_ca_path(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv)
{
    ssl_server_conf_t *conf = c;
    const char *path = kv_server_root_relative(cmd->pool, argv[0]);
    const char *err = refuse_in_directory(cmd);
    apr_finfo_t finfo;
    char reason[120];
    apr_status_t rv;

    (void)argc;
    if (err) {
        return err;
    }
    rv = apr_stat(&finfo, path, APR_FINFO_TYPE, cmd->temp_pool);
    if (rv != APR_SUCCESS) {
        return apr_psprintf(cmd->pool, "SSLCACertificatePath: cannot read '%s': %s", path,
                            apr_strerror(rv, reason, sizeof(reason)));
    }
    if (finfo.filetype != APR_DIR) {
        return apr_psprintf(cmd->pool, "SSLCACertificatePath: '%s' is not a directory", path);
    }
    conf->ca_path = path;
    conf->ca_path_where = where(cmd);
    return NULL;
}

const char *ssl_set_verify_client(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv)
{
    int level = ssl_verify_parse_level(argv[0]);

    (void)argc;
    if (level < 0) {
        return apr_psprintf(cmd->pool,
                            "SSLVerifyClient: Invalid argument '%s': none, optional, require "
                            "or optional_no_ca",
                            argv[0]);
    }
    *verify_field(cmd, c, 0) = level;
    return NULL;
}

const char *ssl_set_verify_depth(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv)
{
    long depth;
    const char *err = kv_parse_int(cmd->pool, argv[0], 0, 100, &depth);

    (void)argc;
    if (err) {
        return apr_pstrcat(cmd->pool, "SSLVerifyDepth: ", err, NULL);
    }
    *verify_field(cmd, c, 1) = (int)depth;
    return NULL;
}

/* ---- The SSL_CTX ------------------------------------------------------------------------ */

/* httpd's verify callback: optional_no_ca forgives an unknown issuer (SSL_CLIENT_VERIFY
 * then says GENEROUS), and a chain deeper than SSLVerifyDepth fails. A directory's level and
 * depth, after the handshake, win over the server's. */
static int verify_callback(int ok, X509_STORE_CTX *store)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    const ssl_server_conf_t *conf = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), conf_index);
    const ssl_verify_want_t *want = want_index < 0 ? NULL : SSL_get_ex_data(ssl, want_index);
    int err = X509_STORE_CTX_get_error(store);
    int depth = X509_STORE_CTX_get_error_depth(store);
    int level, most;

    if (!conf && !want) {
        return ok;
    }
    level = want ? want->level : conf->verify_client;
    most = want ? want->depth
                : KV_MERGE_INT(conf->verify_depth, KV_UNSET_INT, SSL_VERIFY_DEPTH_DEFAULT);
    if (!ok && level == SSL_VERIFY_CLIENT_OPTIONAL_NO_CA && ssl_error_is_unknown_ca(err)) {
        ok = 1;
    }
    if (depth > most) {
        X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_CHAIN_TOO_LONG);
        ok = 0;
    }
    return ok;
}

/* The stack's order, which OpenSSL uses to leave out a CA named twice. */
static int name_cmp(const X509_NAME *const *a, const X509_NAME *const *b)
{
    return X509_NAME_cmp(*a, *b);
}

/* The names of the CAs sent in the CertificateRequest. */
static STACK_OF(X509_NAME) * ca_names(const ssl_server_conf_t *conf)
{
    STACK_OF(X509_NAME) *names = sk_X509_NAME_new(name_cmp);

    if (!names) {
        return NULL;
    }
    if ((conf->ca_file && !SSL_add_file_cert_subjects_to_stack(names, conf->ca_file)) ||
        (conf->ca_path && !SSL_add_dir_cert_subjects_to_stack(names, conf->ca_path))) {
        sk_X509_NAME_pop_free(names, X509_NAME_free);
        return NULL;
    }
    return names;
}

static int load_cas(apr_pool_t *pconf, kv_server_t *s, ssl_server_conf_t *conf)
{
    STACK_OF(X509_NAME) * names;
    const char *which = conf->ca_file ? conf->ca_file_where : conf->ca_path_where;

    ERR_clear_error();
    if (!SSL_CTX_load_verify_locations(conf->ctx, conf->ca_file, conf->ca_path) ||
        (names = ca_names(conf)) == NULL) {
        kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, 0, s,
                     "KV01500: the CA certificates for client authentication (%s) cannot be "
                     "loaded: %s",
                     which, ssl_error_text(pconf));
        return 0;
    }
    if (sk_X509_NAME_num(names) == 0) {
        sk_X509_NAME_free(names);
        kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, 0, s,
                     "KV01501: no CA certificate found for client authentication in %s (%s)",
                     conf->ca_file ? conf->ca_file : conf->ca_path, which);
        return 0;
    }
    SSL_CTX_set_client_CA_list(conf->ctx, names);
    return 1;
}

int ssl_verify_configure(apr_pool_t *pconf, kv_server_t *s, ssl_server_conf_t *conf)
{
    int level = conf->verify_client == KV_UNSET_INT ? SSL_VERIFY_CLIENT_NONE : conf->verify_client;
    int mode = SSL_VERIFY_NONE;

    if (conf_index < 0) { /* in the parent, before any connection */
        conf_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
        want_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    }
    if ((conf->ca_file || conf->ca_path) && !load_cas(pconf, s, conf)) {
        return 0;
    }
    if (level == SSL_VERIFY_CLIENT_NONE) {
        return 1;
    }
    SSL_CTX_set_ex_data(conf->ctx, conf_index, conf);
    mode = SSL_VERIFY_PEER;
    if (level == SSL_VERIFY_CLIENT_REQUIRE) {
        mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
        if (!conf->ca_file && !conf->ca_path) {
            kv_log_error(KV_LOG_MARK, KV_LOG_WARNING, 0, s,
                         "KV01502: SSLVerifyClient require but no SSLCACertificateFile or "
                         "SSLCACertificatePath: no client certificate can be verified");
        }
    }
    SSL_CTX_set_verify(conf->ctx, mode, verify_callback);
    return 1;
}

int ssl_verify_post_handshake(SSL *ssl, const ssl_verify_want_t *want)
{
    if (want_index < 0 || !SSL_set_ex_data(ssl, want_index, (void *)want)) {
        return 0;
    }
    SSL_set_verify(ssl, SSL_VERIFY_PEER, verify_callback);
    return 1;
}
