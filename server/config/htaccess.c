/* The refusal of requests that meet a .htaccess file kiva would have to read. httpd reads
 * one in each directory from / down to the file's where AllowOverride (or
 * AllowOverrideList) allows something; kiva cannot apply them yet, and serving as if they
 * were not there could bypass the access control they hold, so it answers 500 as httpd does
 * for a .htaccess it cannot apply. */
#include <string.h>

#include <apr_strings.h>

#include "core.h"
#include "htaccess.h"
#include "kv_log.h"
#include "module.h"

#define KV_LOG_MODULE "core"

/* The names AccessFileName gives, httpd's default when it is not set. */
static const char *const default_names[] = {".htaccess"};

int kv_htaccess_section_allows(void **dir_config)
{
    const kv_core_dir_conf_t *d = kv_get_module_config(dir_config, &core_module);

    return d && ((d->override != KV_UNSET_INT && d->override != 0) ||
                 (d->override_list && d->override_list->nelts > 0));
}

/* Do the plain <Directory> sections let .htaccess files in @a dir (@a depth components)
 * override something? The last section (by depth, then config order) that sets each of
 * AllowOverride and AllowOverrideList decides, as in httpd's walk. */
static int overrides_in(kv_request_t *r, const kv_sections_t *secs, const char *dir, int depth)
{
    int override = 0;
    const apr_array_header_t *list = NULL;

    for (int i = 0; i < secs->directories->nelts; i++) {
        const kv_section_t *sec = APR_ARRAY_IDX(secs->directories, i, const kv_section_t *);
        const kv_core_dir_conf_t *d;

        if (sec->components > depth) {
            break;
        }
        if (!kv_directory_covers(r->pool, sec, dir)) {
            continue;
        }
        d = kv_get_module_config(sec->dir_config, &core_module);
        override = d->override != KV_UNSET_INT ? d->override : override;
        list = d->override_list ? d->override_list : list;
    }
    return override != 0 || (list && list->nelts > 0);
}

/* KV_OK, or the refusal when one of the access file names exists in @a dir. */
static int check_dir(kv_request_t *r, const apr_array_header_t *names, const char *dir)
{
    int n = names ? names->nelts : 1;

    for (int i = 0; i < n; i++) {
        const char *name = names ? APR_ARRAY_IDX(names, i, const char *) : default_names[0];
        const char *path = apr_pstrcat(r->pool, dir, dir[1] ? "/" : "", name, NULL);
        apr_finfo_t fi;
        apr_status_t rv = apr_stat(&fi, path, APR_FINFO_TYPE, r->pool);

        if (rv == APR_SUCCESS || rv == APR_INCOMPLETE) {
            kv_log_rerror(KV_LOG_MARK, KV_LOG_ALERT, 0, r,
                          "KV01420: %s: AllowOverride lets it change the configuration, but "
                          "kiva does not read .htaccess files yet: request refused (move its "
                          "directives into a <Directory %s> section, or set AllowOverride "
                          "None there)",
                          path, dir);
            return KV_HTTP_INTERNAL_SERVER_ERROR;
        }
        if (!APR_STATUS_IS_ENOENT(rv) && !APR_STATUS_IS_ENOTDIR(rv)) {
            kv_log_rerror(KV_LOG_MARK, KV_LOG_CRIT, rv, r,
                          "KV01421: %s: unable to check htaccess file, ensure it is readable "
                          "and that '%s' is executable",
                          path, dir);
            return KV_HTTP_FORBIDDEN;
        }
    }
    return KV_OK;
}

int kv_htaccess_check(kv_request_t *r)
{
    const kv_core_server_conf_t *sconf = kv_core_sconf(r->server);
    char *path;
    int depth = 0;

    if (!sconf->sections.overrides || !r->filename || r->filename[0] != '/') {
        return KV_OK;
    }
    path = apr_pstrdup(r->pool, r->filename);
    if (r->finfo.filetype != APR_DIR) {
        *strrchr(path, '/') = '\0';
    }
    /* Each directory from / down: "/", "/a", "/a/b" ... (empty components skipped). */
    for (size_t i = 0;; i++) {
        char c = path[i];
        int rv;

        if (i > 0 && c != '/' && c != '\0') {
            continue;
        }
        if (i == 0 || path[i - 1] != '/') {
            depth += i > 0;
            path[i] = '\0';
            if (overrides_in(r, &sconf->sections, i ? path : "/", depth) &&
                (rv = check_dir(r, sconf->access_file_names, i ? path : "/")) != KV_OK) {
                return rv;
            }
            path[i] = c;
        }
        if (c == '\0') {
            return KV_OK;
        }
    }
}
