/* The default handler: serves the mapped file to GET, HEAD and POST, as httpd's core does. */
#include <apr_date.h>
#include <apr_portable.h>
#include <apr_strings.h>

#include "core.h"
#include "file_cache.h"
#include "http_conditional.h"
#include "http_range.h"
#include "kv_log.h"
#include "util_date.h"

#define KV_LOG_MODULE "core"

/* What may be asked of a file (httpd's default handler allows the same). */
#define FILE_METHODS                                                                              \
    (KV_METHOD_BIT(KV_M_GET) | KV_METHOD_BIT(KV_M_POST) | KV_METHOD_BIT(KV_M_OPTIONS))

/* The per-directory core settings of @a r. */
static const kv_core_dir_conf_t *dir_conf(const kv_request_t *r)
{
    return kv_get_module_config(r->per_dir_config, &core_module);
}

static void set_validators(kv_request_t *r)
{
    static _Thread_local kv_date_cache_t date_cache = KV_DATE_CACHE_INIT;
    char *date = apr_palloc(r->pool, APR_RFC822_DATE_LEN);
    /* A file dated in the future claims no more than the time of the request. */
    apr_time_t mtime = r->finfo.mtime < r->request_time ? r->finfo.mtime : r->request_time;
    const char *etag = kv_make_etag(r->pool, kv_etag_effective(&dir_conf(r)->etag), &r->finfo);

    kv_http_date(&date_cache, date, mtime);
    r->mtime = mtime;
    apr_table_setn(r->headers_out, "Last-Modified", date);
    if (etag) {
        apr_table_setn(r->headers_out, "ETag", etag);
    }
}

/* EnableSendfile Off (the default, as httpd 2.4): the same descriptor without
 * APR_FOPEN_SENDFILE_ENABLED, so the network filter reads the file instead. */
static apr_status_t without_sendfile(apr_file_t **fd, kv_request_t *r)
{
    apr_int32_t flags = apr_file_flags_get(*fd);
    apr_os_file_t os;
    apr_status_t rv;

    if (dir_conf(r)->enable_sendfile == 1 || !(flags & APR_FOPEN_SENDFILE_ENABLED)) {
        return APR_SUCCESS;
    }
    if ((rv = apr_os_file_get(&os, *fd)) != APR_SUCCESS) {
        return rv;
    }
    return apr_os_file_put(fd, &os, flags & ~APR_FOPEN_SENDFILE_ENABLED, r->pool);
}

/* The file's bytes as buckets; EnableMMAP Off keeps APR from mapping it to read it. */
static void insert_file(apr_bucket_brigade *bb, apr_file_t *fd, kv_request_t *r)
{
    int mmap = dir_conf(r)->enable_mmap != 0;

    apr_brigade_insert_file(bb, fd, 0, r->finfo.size, r->pool);
    for (apr_bucket *b = APR_BRIGADE_FIRST(bb); !mmap && b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        if (APR_BUCKET_IS_FILE(b)) {
            apr_bucket_file_enable_mmap(b, 0);
        }
    }
}

static int open_error_status(kv_request_t *r, apr_status_t rv)
{
    if (APR_STATUS_IS_EACCES(rv)) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, rv, r,
                      "KV00040: file permissions deny server access: %s", r->filename);
        return KV_HTTP_FORBIDDEN;
    }
    if (APR_STATUS_IS_ENOENT(rv)) {
        return KV_HTTP_NOT_FOUND;
    }
    kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, rv, r, "KV00041: cannot open %s", r->filename);
    return KV_HTTP_FORBIDDEN;
}

/* As httpd: a 304 keeps the ETag but carries no Last-Modified, length or type. */
static int send_not_modified(kv_request_t *r)
{
    apr_bucket_brigade *bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);

    r->status = KV_HTTP_NOT_MODIFIED;
    apr_table_unset(r->headers_out, "Last-Modified");
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(bb->bucket_alloc));
    kv_pass_brigade(r->output_filters, bb);
    return KV_DONE;
}

int kv_default_handler(kv_request_t *r)
{
    apr_file_t *fd;
    apr_bucket_brigade *bb;
    apr_status_t rv;
    int status = kv_refuse_unhandled(r);

    /* POST is served as GET: httpd serves a file to it (its body read and dropped). */
    if (status == KV_OK) {
        status = kv_discard_body(r);
    }
    if (status == KV_OK) {
        status = kv_check_methods(r, FILE_METHODS);
    }
    if (status != KV_OK) {
        return status;
    }
    if (r->finfo.filetype == APR_NOFILE) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_INFO, 0, r, "KV00042: File does not exist: %s",
                      r->filename ? r->filename : r->uri);
        return KV_HTTP_NOT_FOUND;
    }
    if (r->path_info && *r->path_info) {
        return KV_HTTP_NOT_FOUND;
    }
    if (r->finfo.filetype == APR_DIR) {
        /* As httpd: a directory that no module (mod_dir, mod_autoindex) answered is not
         * found; mod_autoindex itself refuses a listing that Options forbids with 403. */
        kv_log_rerror(KV_LOG_MARK, KV_LOG_INFO, 0, r, "KV01092: Attempt to serve directory: %s",
                      r->filename);
        return KV_HTTP_NOT_FOUND;
    }
    if (r->finfo.filetype != APR_REG) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_INFO, 0, r, "KV00043: not a regular file: %s",
                      r->filename);
        return KV_HTTP_FORBIDDEN;
    }
    set_validators(r);
    if ((status = kv_meets_conditions(r)) != KV_OK) {
        return status == KV_HTTP_NOT_MODIFIED ? send_not_modified(r) : status;
    }
    rv = kv_file_cache_open(&fd, r);
    if (rv == APR_SUCCESS) {
        rv = without_sendfile(&fd, r);
    }
    if (rv != APR_SUCCESS) {
        return open_error_status(r, rv);
    }
    apr_table_setn(r->headers_out, "Accept-Ranges", "bytes");
    if ((status = kv_range_setup(r, r->finfo.size)) != KV_OK) {
        return status;
    }
    r->clength = r->finfo.size;
    bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    if (!r->header_only && r->finfo.size > 0) {
        insert_file(bb, fd, r);
    }
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(bb->bucket_alloc));
    kv_pass_brigade(r->output_filters, bb);
    return KV_DONE;
}
