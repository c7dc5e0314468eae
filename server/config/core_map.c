/* The core's translate_name and map_to_storage: a URL to its file below DocumentRoot. */
#include <string.h>

#include <apr_strings.h>

#include "core.h"
#include "kv_log.h"
#include "util_path.h"

#define KV_LOG_MODULE "core"

int kv_core_translate(kv_request_t *r)
{
    if (!r->uri || r->uri[0] != '/') {
        return KV_HTTP_BAD_REQUEST;
    }
    r->filename = kv_map_uri_to_file(r->pool, kv_document_root(r), r->uri);
    return KV_OK;
}

/* A path below DocumentRoot that does not exist as given: the longest leading part that
 * is a regular file takes the request, the rest is path info (as httpd). */
static int split_path_info(kv_request_t *r)
{
    char *path = apr_pstrdup(r->pool, r->filename);
    size_t root = strlen(kv_document_root(r));
    char *slash;

    while ((slash = strrchr(path, '/')) != NULL && (size_t)(slash - path) > root) {
        *slash = '\0';
        apr_status_t rv = apr_stat(&r->finfo, path, APR_FINFO_MIN, r->pool);
        if (rv == APR_SUCCESS || rv == APR_INCOMPLETE) {
            r->path_info = r->filename + (slash - path);
            r->filename = path;
            return r->finfo.filetype == APR_REG ? KV_OK : KV_HTTP_NOT_FOUND;
        }
    }
    r->finfo.filetype = APR_NOFILE;
    return KV_OK;
}

int kv_core_map_to_storage(kv_request_t *r)
{
    apr_status_t rv;

    if (!r->filename) {
        return KV_DECLINED;
    }
    rv = apr_stat(&r->finfo, r->filename, APR_FINFO_MIN, r->pool);
    if (rv == APR_SUCCESS || rv == APR_INCOMPLETE) {
        r->canonical_filename = r->filename;
        return KV_OK;
    }
    if (APR_STATUS_IS_ENOENT(rv)) {
        r->finfo.filetype = APR_NOFILE;
        return KV_OK;
    }
    if (APR_STATUS_IS_ENOTDIR(rv)) {
        return split_path_info(r);
    }
    if (APR_STATUS_IS_EACCES(rv)) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, rv, r,
                      "KV00031: access to %s denied because search permissions are missing on a "
                      "component of the path",
                      r->uri);
        return KV_HTTP_FORBIDDEN;
    }
    kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, rv, r, "KV00032: cannot stat %s", r->filename);
    return KV_HTTP_FORBIDDEN;
}
