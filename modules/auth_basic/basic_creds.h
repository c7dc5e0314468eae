/* The credentials of an "Authorization: Basic <base64 of user:password>" field (RFC 7617).
 * Pure, so it is tested on its own. */
#ifndef BASIC_CREDS_H
#define BASIC_CREDS_H

#include <apr_pools.h>

/* Decode @a field into *user and *password (in p). Returns 1, or 0 when the field is not
 * Basic, its token is not base64, or the decoded text has no ':' or holds a NUL. */
int basic_creds_parse(apr_pool_t *p, const char *field, const char **user, const char **password);

#endif
