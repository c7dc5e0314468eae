/* httpd 2.4's directives and the modules that provide them. Internal to the core. */
#ifndef KV_HTTPD_DIRECTIVES_H
#define KV_HTTPD_DIRECTIVES_H

#include <apr_pools.h>

/** The httpd 2.4 module that provides directive @a name (case-insensitive; a section as
 * "<Name"), as httpd's manual names it: "mod_rewrite", "core", "mpm_common", "prefork";
 * NULL if no module of httpd has it. */
const char *kv_httpd_directive_module(const char *name);

/** The name kiva gives the module httpd calls @a httpd_module: "mod_rewrite" -> "rewrite",
 * "prefork" -> "mpm_prefork", "core" -> "core". */
const char *kv_httpd_module_kiva_name(apr_pool_t *p, const char *httpd_module);

#endif
