/* The SSL environment: httpd's SSL_* variables of a TLS connection, one at a time
 * (ssl_vars.c). Pure functions of the connection's SSL and certificates, so that a log field
 * or an expression computes only the variable it names. */
#ifndef SSL_VARS_H
#define SSL_VARS_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <openssl/ssl.h>

/** SSL_CLIENT_S_DN and the other whole DNs in httpd's legacy "/C=DE/CN=x" form
 * (SSLOptions +LegacyDNStringFormat) rather than RFC 2253's. */
#define SSL_VARS_LEGACY_DN 1

/** Is @a err (an X509_V_ERR_*) a verification error that optional_no_ca forgives: the
 * client's CA is not one we know? */
int ssl_error_is_unknown_ca(long err);

/** The value of the SSL_* variable @a name of the connection @a ssl, in @a p; NULL when the
 * connection has none (no client certificate, no SNI ...) or @a name is not one. @a flags:
 * SSL_VARS_*. */
const char *ssl_var_lookup(apr_pool_t *p, SSL *ssl, const char *name, int flags);

/** @a suffix (what follows SSL_CLIENT_ or SSL_SERVER_: "S_DN_CN", "M_SERIAL", "CERT" ...)
 * of certificate @a x, in @a p; NULL when @a x has none. */
const char *ssl_var_cert(apr_pool_t *p, X509 *x, const char *suffix, int flags);

/** SSLOptions +StdEnvVars's variables of @a ssl into @a env: httpd's list, the DN components
 * (SSL_CLIENT_S_DN_CN ...) and the subjectAltName entries (SSL_SERVER_SAN_DNS_0 ...). */
void ssl_vars_add_std(apr_pool_t *p, SSL *ssl, apr_table_t *env, int flags);

/** SSLOptions +ExportCertData's: SSL_SERVER_CERT, SSL_CLIENT_CERT (empty without one) and
 * SSL_CLIENT_CERT_CHAIN_n, in PEM. */
void ssl_vars_add_certs(apr_pool_t *p, SSL *ssl, apr_table_t *env);

#endif
