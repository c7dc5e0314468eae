/* The CGI/1.1 meta-variables (RFC 3875 section 4.1) and httpd's additions for a request. */
#ifndef CGI_ENV_H
#define CGI_ENV_H

#include <apr_tables.h>

#include "kiva.h"

/** PATH given to scripts when the configuration sets none (SetEnv PATH ...). */
#define CGI_DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

/* The environment variable a request header field goes to ("HTTP_USER_AGENT"), or NULL
 * when the field is not passed: credentials, the httpoxy Proxy field, and names with
 * characters other than letters, digits and '-'. */
const char *cgi_env_header_name(apr_pool_t *p, const char *field);

/* Every variable a script of @a r gets, with @a docroot as DOCUMENT_ROOT: r->subprocess_env
 * first, then the request's header fields, then the CGI/1.1 variables over them. */
apr_table_t *cgi_env_table(const kv_request_t *r, const char *docroot);

/* The table as a NULL-terminated "NAME=value" array for exec. */
const char *const *cgi_env_array(apr_pool_t *p, const apr_table_t *env);

#endif
