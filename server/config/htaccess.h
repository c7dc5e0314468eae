/* .htaccess files, which kiva does not read yet: a request that httpd would configure from
 * one is refused instead of being served as if the file were not there. Internal to the
 * core. */
#ifndef KV_HTACCESS_H
#define KV_HTACCESS_H

#include "kv_http.h"
#include "sections.h"

/** Does the section config @a dir_config set AllowOverride or AllowOverrideList to allow
 * something (config time: no request may meet a .htaccess file while none does)? */
int kv_htaccess_section_allows(void **dir_config);

/** KV_OK, or the status that refuses @a r: 500 (logged) when an AccessFileName file exists
 * in the directory of r->filename, or in one above it, where the <Directory> sections let
 * .htaccess files override something (httpd's walk from / down); 403 (logged) when such a
 * file cannot be checked. Costs nothing while every AllowOverride is None. */
int kv_htaccess_check(kv_request_t *r);

#endif
