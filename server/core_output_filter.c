/* The network filter: writes a brigade to the client socket, gathering memory buckets
 * into one writev and sending file buckets with sendfile. The socket's timeout (Timeout)
 * bounds every wait; a failed write marks the connection aborted. */
#include <sys/uio.h>

#include "kv_log.h"
#include "request.h"

#define KV_LOG_MODULE "core"
#define MAX_IOVEC 64

typedef struct {
    struct iovec vec[MAX_IOVEC];
    int n;
} iov_batch_t;

static apr_status_t send_all_iov(apr_socket_t *s, iov_batch_t *batch)
{
    struct iovec *v = batch->vec;
    int n = batch->n;

    while (n > 0) {
        apr_size_t written = 0;
        apr_status_t rv = apr_socket_sendv(s, v, n, &written);
        if (rv != APR_SUCCESS) {
            return rv;
        }
        while (n > 0 && written >= v->iov_len) {
            written -= v->iov_len;
            v++;
            n--;
        }
        if (n > 0) {
            v->iov_base = (char *)v->iov_base + written;
            v->iov_len -= written;
        }
    }
    batch->n = 0;
    return APR_SUCCESS;
}

static apr_status_t send_file_bucket(apr_socket_t *s, apr_bucket *b)
{
    apr_bucket_file *fb = b->data;
    apr_off_t offset = b->start;
    apr_size_t left = b->length;

    while (left > 0) {
        apr_size_t len = left;
        apr_status_t rv = apr_socket_sendfile(s, fb->fd, NULL, &offset, &len, 0);
        if (rv != APR_SUCCESS && !(APR_STATUS_IS_EAGAIN(rv) && len > 0)) {
            return rv;
        }
        if (len == 0) {
            return APR_EOF;
        }
        offset += (apr_off_t)len;
        left -= len;
    }
    return APR_SUCCESS;
}

static apr_status_t write_brigade(kv_conn_t *c, apr_bucket_brigade *bb)
{
    iov_batch_t batch;
    apr_status_t rv;

    batch.n = 0;
    for (apr_bucket *b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        const char *data;
        apr_size_t len;

        if (APR_BUCKET_IS_METADATA(b)) {
            continue;
        }
        if (APR_BUCKET_IS_FILE(b) && b->length > 0) {
            if ((rv = send_all_iov(c->sock, &batch)) != APR_SUCCESS ||
                (rv = send_file_bucket(c->sock, b)) != APR_SUCCESS) {
                return rv;
            }
            continue;
        }
        rv = apr_bucket_read(b, &data, &len, APR_BLOCK_READ);
        if (rv != APR_SUCCESS) {
            return rv;
        }
        if (len == 0) {
            continue;
        }
        if (batch.n == MAX_IOVEC && (rv = send_all_iov(c->sock, &batch)) != APR_SUCCESS) {
            return rv;
        }
        batch.vec[batch.n].iov_base = (void *)data;
        batch.vec[batch.n].iov_len = len;
        batch.n++;
    }
    return send_all_iov(c->sock, &batch);
}

apr_status_t kv_core_output_filter(kv_filter_t *f, apr_bucket_brigade *bb)
{
    kv_conn_t *c = f->c;
    apr_status_t rv;

    if (c->aborted) {
        apr_brigade_cleanup(bb);
        return APR_ECONNABORTED;
    }
    rv = write_brigade(c, bb);
    apr_brigade_cleanup(bb);
    if (rv != APR_SUCCESS) {
        c->aborted = 1;
        kv_log_cerror(KV_LOG_MARK, KV_LOG_INFO, rv, c, "KV00033: writing to the client failed");
    }
    return rv;
}
