/* SSLPassPhraseDialog, SSLOpenSSLConfCmd and SSLRandomSeed (ssl_keys.h). */
#include <string.h>

#include <apr_strings.h>
#include <openssl/err.h>

#include "kv_log.h"
#include "ssl_keys.h"
#include "ssl_keys_parse.h"

#define KV_LOG_MODULE "ssl"

/* httpd's flags: commands of a configuration file, for a server, certificates allowed. */
#define CONF_CMD_FLAGS                                                                             \
    (SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_SERVER | SSL_CONF_FLAG_CERTIFICATE |                       \
     SSL_CONF_FLAG_SHOW_ERRORS)

static const char *where(kv_cmd_parms_t *cmd)
{
    return apr_psprintf(cmd->pool, "%s:%u", cmd->directive->file, cmd->directive->line);
}

/* The program is not looked for here: Debian's ssl.conf names its ask-for-passphrase script
 * whether or not a key is encrypted, so it is needed (and checked) only when one is. */
const char *ssl_set_pphrase_dialog(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv)
{
    ssl_server_conf_t *conf = c;
    ssl_pphrase_kind_t kind;
    const char *program, *err;

    (void)argc;
    if ((err = ssl_parse_pphrase_dialog(argv[0], &kind, &program)) != NULL) {
        return err;
    }
    conf->pphrase_kind = (int)kind;
    conf->pphrase_program =
        kind == SSL_PPHRASE_EXEC ? kv_server_root_relative(cmd->pool, program) : program;
    conf->pphrase_where = where(cmd);
    return NULL;
}

static SSL_CONF_CTX *conf_ctx_for(SSL_CTX *ctx)
{
    SSL_CONF_CTX *cctx = SSL_CONF_CTX_new();

    if (cctx) {
        SSL_CONF_CTX_set_flags(cctx, CONF_CMD_FLAGS);
        SSL_CONF_CTX_set_ssl_ctx(cctx, ctx);
    }
    return cctx;
}

/* The value OpenSSL is given: a file or directory relative to ServerRoot, and a CipherString
 * without the null and export ciphers, as httpd. */
static const char *conf_cmd_value(kv_cmd_parms_t *cmd, int type, const char *name,
                                  const char *value)
{
    if (type == SSL_CONF_TYPE_FILE || type == SSL_CONF_TYPE_DIR) {
        return kv_server_root_relative(cmd->pool, value);
    }
    if (strcasecmp(name, "CipherString") == 0) {
        return apr_pstrcat(cmd->pool, value, ":!aNULL:!eNULL:!EXP", NULL);
    }
    return value;
}

/* Each line is tried on a scratch context, so that an unknown command or a bad value is a
 * syntax error naming the line, by -t too (httpd finds a bad value only at start). */
const char *ssl_set_conf_cmd(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv)
{
    ssl_server_conf_t *conf = c;
    SSL_CTX *scratch = SSL_CTX_new(TLS_server_method());
    SSL_CONF_CTX *cctx = scratch ? conf_ctx_for(scratch) : NULL;
    const char *err = NULL, *value;
    ssl_conf_cmd_t *cc;
    int type;

    (void)argc;
    if (!cctx) {
        SSL_CTX_free(scratch);
        return apr_psprintf(cmd->pool, "SSLOpenSSLConfCmd: cannot make an OpenSSL context: %s",
                            ssl_error_text(cmd->temp_pool));
    }
    ERR_clear_error();
    type = SSL_CONF_cmd_value_type(cctx, argv[0]);
    value = conf_cmd_value(cmd, type, argv[0], argv[1]);
    if (type == SSL_CONF_TYPE_UNKNOWN) {
        err = apr_psprintf(cmd->pool,
                           "SSLOpenSSLConfCmd: '%s': invalid OpenSSL configuration "
                           "command",
                           argv[0]);
    } else if (SSL_CONF_cmd(cctx, argv[0], value) <= 0) {
        err = apr_psprintf(cmd->pool, "SSLOpenSSLConfCmd %s: bad value '%s': %s", argv[0], argv[1],
                           ssl_error_text(cmd->temp_pool));
    }
    ERR_clear_error();
    SSL_CONF_CTX_free(cctx);
    SSL_CTX_free(scratch);
    if (err) {
        return err;
    }
    if (!conf->conf_cmds) {
        conf->conf_cmds = apr_array_make(cmd->pool, 2, sizeof(ssl_conf_cmd_t));
    }
    cc = apr_array_push(conf->conf_cmds);
    cc->name = apr_pstrdup(cmd->pool, argv[0]);
    cc->value = value;
    cc->where = where(cmd);
    return NULL;
}

/* OpenSSL 3 seeds its generator from the operating system and reseeds it itself: the lines
 * are checked as httpd checks them, and have nothing more to do. */
const char *ssl_set_random_seed(kv_cmd_parms_t *cmd, void *c, int argc, const char *const *argv)
{
    const char *path, *err;
    apr_finfo_t finfo;

    (void)c;
    if ((err = ssl_parse_random_seed(cmd->pool, argc, argv, &path)) != NULL) {
        return err;
    }
    if (path) {
        path = kv_server_root_relative(cmd->pool, path);
        if (apr_stat(&finfo, path, APR_FINFO_TYPE, cmd->temp_pool) != APR_SUCCESS) {
            return apr_psprintf(cmd->pool, "SSLRandomSeed: source path '%s' does not exist", path);
        }
    }
    return NULL;
}

void ssl_keys_merge(apr_pool_t *p, ssl_server_conf_t *conf, const ssl_server_conf_t *base,
                    const ssl_server_conf_t *add)
{
    conf->pphrase_kind = add->pphrase_kind;
    conf->pphrase_program = add->pphrase_program;
    conf->pphrase_where = add->pphrase_where;
    if (base->conf_cmds && add->conf_cmds) {
        conf->conf_cmds = apr_array_append(p, base->conf_cmds, add->conf_cmds);
    } else {
        conf->conf_cmds = KV_MERGE_PTR(add->conf_cmds, base->conf_cmds, NULL);
    }
    conf->chain_file = add->chain ? add->chain_file : base->chain_file;
    conf->chain_where = add->chain ? add->chain_where : base->chain_where;
}

int ssl_conf_cmds_apply(apr_pool_t *p, kv_server_t *s, ssl_server_conf_t *conf)
{
    SSL_CONF_CTX *cctx;
    int ok = 1;

    if (!conf->conf_cmds) {
        return 1;
    }
    cctx = conf_ctx_for(conf->ctx);
    ERR_clear_error();
    for (int i = 0; ok && cctx && i < conf->conf_cmds->nelts; i++) {
        const ssl_conf_cmd_t *cc = &APR_ARRAY_IDX(conf->conf_cmds, i, ssl_conf_cmd_t);

        if (SSL_CONF_cmd(cctx, cc->name, cc->value) <= 0) {
            kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, 0, s,
                         "KV01540: SSLOpenSSLConfCmd %s '%s' (%s) cannot be applied: %s", cc->name,
                         cc->value, cc->where, ssl_error_text(p));
            ok = 0;
        }
    }
    if (!cctx || (ok && !SSL_CONF_CTX_finish(cctx))) {
        kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, 0, s,
                     "KV01541: the SSLOpenSSLConfCmd lines cannot be applied: %s",
                     ssl_error_text(p));
        ok = 0;
    }
    SSL_CONF_CTX_free(cctx);
    return ok;
}
