/* Access by TLS (ssl_env.h): SSLRequireSSL, and SSLOptions +FakeBasicAuth, which makes the
 * client certificate's DN a Basic user, as httpd's ssl_hook_Access and ssl_hook_UserCheck. */
#include <string.h>

#include <apr_base64.h>
#include <apr_strings.h>

#include "basic_creds.h"
#include "kv_log.h"
#include "ssl_env.h"
#include "ssl_pha.h"

#define KV_LOG_MODULE "ssl"

extern kv_module_t ssl_module;

/* The password FakeBasicAuth gives every DN: httpd's, which its users put in their
 * AuthUserFile (any password would do: the certificate is the credential). */
#define FAKE_PASSWORD "password"

/* 403 for a request not over TLS where SSLRequireSSL is in force. No other module can grant
 * what an access checker refused (kiva has no Satisfy Any), so StrictRequire's rule holds
 * whether or not it is set. */
static int require_ssl(kv_request_t *r)
{
    const ssl_dir_conf_t *conf = kv_get_module_config(r->per_dir_config, &ssl_module);

    if (conf->require_ssl != 1 || ssl_request_ssl(r)) {
        return KV_DECLINED;
    }
    kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                  "KV01503: access to %s failed, reason: SSL connection required",
                  r->filename ? r->filename : r->uri);
    return KV_HTTP_FORBIDDEN;
}

/* A client that sends FakeBasicAuth's credentials itself ("/CN=...:password") is refused,
 * as httpd refuses it, wherever it sends them. */
static int is_spoof(kv_request_t *r)
{
    const char *field = apr_table_get(r->headers_in, "Authorization");
    const char *user, *password;

    return field && basic_creds_parse(r->pool, field, &user, &password) && user[0] == '/' &&
           strcmp(password, FAKE_PASSWORD) == 0;
}

/* FakeBasicAuth: the client certificate's DN, in httpd's legacy one-line form, becomes the
 * Basic user of the request, for mod_auth_basic to check against its AuthUserFile. */
static int fake_basic_auth(kv_request_t *r)
{
    const ssl_dir_conf_t *conf = kv_get_module_config(r->per_dir_config, &ssl_module);
    SSL *ssl = ssl_request_ssl(r);
    X509 *peer = ssl ? SSL_get0_peer_certificate(ssl) : NULL;
    char *dn, *creds, *encoded;

    if (is_spoof(r)) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r, "KV01504: Encountered FakeBasicAuth spoof");
        return KV_HTTP_FORBIDDEN;
    }
    if (!peer || !(conf->options.options & SSL_OPT_FAKEBASICAUTH) || r->user) {
        return KV_DECLINED;
    }
    dn = X509_NAME_oneline(X509_get_subject_name(peer), NULL, 0);
    if (!dn) {
        return KV_DECLINED;
    }
    creds = apr_pstrcat(r->pool, dn, ":" FAKE_PASSWORD, NULL);
    OPENSSL_free(dn);
    encoded = apr_palloc(r->pool, (apr_size_t)apr_base64_encode_len((int)strlen(creds)));
    apr_base64_encode(encoded, creds, (int)strlen(creds));
    apr_table_setn(r->headers_in, "Authorization", apr_pstrcat(r->pool, "Basic ", encoded, NULL));
    return KV_DECLINED;
}

void ssl_access_register_hooks(void)
{
    kv_hook_access_checker(require_ssl, NULL, NULL, KV_HOOK_FIRST);
    kv_hook_check_user_id(fake_basic_auth, NULL, NULL, KV_HOOK_FIRST);
    ssl_pha_register_hooks();
}
