/* The parts of mod_info's pages that come from the configuration and the module records:
 * pure (no request, no server state), so that the unit test renders them from a tree it read
 * itself. Everything from a file, a directive or a record is HTML-escaped. */
#ifndef INFO_PAGE_H
#define INFO_PAGE_H

#include <apr_pools.h>

#include "kv_config.h"
#include "kv_module.h"

/** The name mod_info shows for @a m and takes in `?name`: httpd's source-file name,
 * "mod_mime.c" (httpd names the core's own "core.c" and "http_core.c", as kiva does). */
const char *info_module_file(apr_pool_t *p, const kv_module_t *m);

/** The configuration from @a tree as read, one `<dd>` per line with its line number, the
 * file named whenever it changes, sections indented with their closing lines. With @a only,
 * just the directives of that module, in the sections that hold them; "" if it has none. */
const char *info_config_html(apr_pool_t *p, const kv_directive_t *tree, const kv_module_t *only);

/** The section of module @a m: its name, its directives with their help, the lines of the
 * configuration that use them, and the AddModuleInfo texts for it (@a more, NULL if none). */
const char *info_module_html(apr_pool_t *p, const kv_module_t *m, const kv_directive_t *tree,
                             const apr_array_header_t *more);

#endif
