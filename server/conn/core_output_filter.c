/* The network filter: writes a brigade through the connection's transport stack (with the
 * socket alone, to the socket), gathering memory buckets into one writev and handing file
 * buckets to the layer that takes files (sendfile), if one does; otherwise they are read and
 * written as memory. Written buckets leave the brigade, so a write the socket cannot take
 * yet stops where it is: a blocking connection waits for the socket (Timeout bounds every
 * wait); under an asynchronous MPM the end of a response is written without waiting and
 * what the socket does not take is set aside in c->pending for the MPM to finish once the
 * socket is writable (write completion). A failed write marks the connection aborted. */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <apr_portable.h>

#include "core_output_filter.h"
#include "kv_connection.h"
#include "kv_log.h"
#include "kv_transport.h"

#define KV_LOG_MODULE "core"
#define MAX_IOVEC 64
/* Files up to this size are read rather than sent with sendfile (see worth_sendfile); one
 * read of a file bucket takes this much. */
#define SMALL_FILE APR_BUCKET_BUFF_SIZE

/* Remove the first @a written bytes of the brigade's data buckets (and metadata before
 * them); a bucket written in part is split. */
static void drop_written(apr_bucket_brigade *bb, apr_size_t written)
{
    while (!APR_BRIGADE_EMPTY(bb)) {
        apr_bucket *b = APR_BRIGADE_FIRST(bb);

        if (b->length > written && b->length != (apr_size_t)-1) {
            if (written > 0) {
                apr_bucket_split(b, written);
                apr_bucket_delete(b);
            }
            return;
        }
        written -= APR_BUCKET_IS_METADATA(b) ? 0 : b->length;
        apr_bucket_delete(b);
    }
}

/* A small file is read and sent with the response head in one writev (one packet, where
 * writev and sendfile would make two); a larger one goes by sendfile, unless its descriptor
 * was opened without APR_FOPEN_SENDFILE_ENABLED (EnableSendfile Off) or a transport layer
 * must see its bytes (@a taker NULL): then it is read. */
static int worth_sendfile(const apr_bucket *b, const kv_transport_t *taker)
{
    return taker && APR_BUCKET_IS_FILE(b) && b->length > SMALL_FILE &&
           (apr_file_flags_get(((apr_bucket_file *)b->data)->fd) & APR_FOPEN_SENDFILE_ENABLED);
}

/* Turn a small file bucket into a heap bucket of its bytes with one pread: its own read
 * would seek first, one more system call per response. */
static apr_status_t read_small_file(apr_bucket *b)
{
    apr_bucket_file *fb = b->data;
    apr_size_t len = b->length;
    apr_os_file_t fd;
    char *buf;
    ssize_t n;

    if (apr_os_file_get(&fd, fb->fd) != APR_SUCCESS) {
        return APR_EBADF;
    }
    buf = apr_bucket_alloc(len, b->list);
    n = pread(fd, buf, len, (off_t)b->start);
    if (n != (ssize_t)len) {
        apr_bucket_free(buf);
        return n < 0 ? APR_FROM_OS_ERROR(errno) : APR_EOF; /* APR_EOF: the file shrank */
    }
    b->type->destroy(b->data);
    apr_bucket_heap_make(b, buf, len, apr_bucket_free);
    return APR_SUCCESS;
}

/* Send bytes that a sendfile follows at once, as a response head before its file: MSG_MORE
 * lets them leave in the file's first segment, as TCP_CORK around the two would (httpd sets
 * it), without the two setsockopt calls. Sent alone, the head is a segment by itself, and
 * the client's receive-window tuning then measures a round trip too short to grow on (seen
 * on loopback: a 400 KB window instead of 5 MB, and 1 MiB downloads 25 % slower than
 * httpd's). What the socket does not take now is sent as any other write, with its wait. */
static apr_status_t send_before_file(apr_socket_t *s, struct iovec *vec, int n, apr_size_t *written)
{
#ifdef MSG_MORE
    struct msghdr msg = {0};
    apr_os_sock_t fd;
    ssize_t sent;

    if (apr_os_sock_get(&fd, s) == APR_SUCCESS) {
        msg.msg_iov = vec;
        msg.msg_iovlen = (size_t)n;
        do {
            sent = sendmsg(fd, &msg, MSG_MORE);
        } while (sent < 0 && errno == EINTR);
        if (sent >= 0) {
            *written = (apr_size_t)sent;
            return APR_SUCCESS;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            return APR_FROM_OS_ERROR(errno);
        }
    }
#endif
    return apr_socket_sendv(s, vec, n, written);
}

/* Send the memory buckets at the head of @a bb (up to MAX_IOVEC of them) in one writev. */
static apr_status_t send_memory(kv_conn_t *c, apr_bucket_brigade *bb, kv_transport_t *taker)
{
    struct iovec vec[MAX_IOVEC];
    int n = 0;
    int file_follows = 0;
    apr_size_t written = 0;
    apr_status_t rv = APR_SUCCESS;

    for (apr_bucket *b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb) && n < MAX_IOVEC;
         b = APR_BUCKET_NEXT(b)) {
        const char *data;
        apr_size_t len;

        if (APR_BUCKET_IS_METADATA(b)) {
            continue;
        }
        if (worth_sendfile(b, taker)) {
            file_follows = 1;
            break;
        }
        if (APR_BUCKET_IS_FILE(b) && b->length <= SMALL_FILE &&
            (rv = read_small_file(b)) != APR_SUCCESS) {
            return rv;
        }
        rv = apr_bucket_read(b, &data, &len, APR_BLOCK_READ);
        if (rv != APR_SUCCESS) {
            return rv;
        }
        if (len > 0) {
            vec[n].iov_base = (void *)data;
            vec[n].iov_len = len;
            n++;
        }
    }
    /* MSG_MORE only when the file goes to the socket itself: then no layer sees the bytes. */
    if (n > 0) {
        rv = file_follows && !taker->next ? send_before_file(c->sock, vec, n, &written)
                                          : kv_transport_sendv(c, vec, n, &written);
    }
    drop_written(bb, written);
    return rv;
}

/* Send the file bucket at the head of @a bb with the sendfile of @a taker. */
static apr_status_t send_file(kv_transport_t *taker, apr_bucket_brigade *bb)
{
    apr_bucket *b = APR_BRIGADE_FIRST(bb);
    apr_bucket_file *fb = b->data;
    apr_off_t offset = b->start;
    apr_size_t len = b->length;
    apr_status_t rv = kv_transport_sendfile(taker, fb->fd, &offset, &len);

    if (rv == APR_SUCCESS && len == 0 && b->length > 0) {
        return APR_EOF; /* the file shrank under us */
    }
    drop_written(bb, len);
    return APR_STATUS_IS_EAGAIN(rv) && len > 0 ? APR_SUCCESS : rv;
}

/* Write until the brigade is empty, the socket's wait runs out, or (timeout 0) the socket
 * takes no more: then APR_EAGAIN with the rest still in @a bb. */
static apr_status_t write_brigade(kv_conn_t *c, apr_bucket_brigade *bb)
{
    kv_transport_t *taker = kv_transport_file_taker(c);

    while (!APR_BRIGADE_EMPTY(bb)) {
        apr_status_t rv = worth_sendfile(APR_BRIGADE_FIRST(bb), taker) ? send_file(taker, bb)
                                                                       : send_memory(c, bb, taker);

        if (rv != APR_SUCCESS) {
            return rv;
        }
    }
    return APR_SUCCESS;
}

static int brigade_ends_response(apr_bucket_brigade *bb)
{
    return !APR_BRIGADE_EMPTY(bb) && APR_BUCKET_IS_EOS(APR_BRIGADE_LAST(bb));
}

static apr_status_t close_descriptor(void *fd)
{
    close((int)(apr_uintptr_t)fd);
    return APR_SUCCESS;
}

/* A file bucket that borrows its descriptor (APR_FOPEN_NOCLEANUP: the open-file cache's, say,
 * which may close it once the request is over) gets one of its own, for the life of @a p. */
static apr_status_t own_descriptor(apr_bucket *b, apr_pool_t *p)
{
    apr_bucket_file *fb = b->data;
    apr_int32_t flags = apr_file_flags_get(fb->fd);
    apr_os_file_t fd;
    int copy;

    if (!(flags & APR_FOPEN_NOCLEANUP) || apr_file_pool_get(fb->fd) == p) {
        return APR_SUCCESS; /* its own, or made so at an earlier set-aside */
    }
    if (apr_os_file_get(&fd, fb->fd) != APR_SUCCESS ||
        (copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0) {
        return APR_FROM_OS_ERROR(errno);
    }
    apr_pool_cleanup_register(p, (void *)(apr_uintptr_t)copy, close_descriptor,
                              apr_pool_cleanup_null);
    fb->readpool = p;
    return apr_os_file_put(&fb->fd, &copy, flags, p);
}

/* Keep what the socket did not take, beyond the request's lifetime, for write completion. */
static apr_status_t set_aside(kv_conn_t *c, apr_bucket_brigade *bb)
{
    if (!c->pending) {
        c->pending = apr_brigade_create(c->pool, c->bucket_alloc);
    }
    for (apr_bucket *b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        apr_status_t rv = APR_BUCKET_IS_FILE(b) ? own_descriptor(b, c->pool) : APR_SUCCESS;

        if (rv != APR_SUCCESS) {
            return rv;
        }
        rv = apr_bucket_setaside(b, c->pool);
        if (rv != APR_SUCCESS && rv != APR_ENOTIMPL) {
            return rv;
        }
    }
    APR_BRIGADE_CONCAT(c->pending, bb);
    return APR_SUCCESS;
}

/* The end of a response under an asynchronous MPM: write what the socket takes now. */
static apr_status_t write_without_waiting(kv_conn_t *c, apr_bucket_brigade *bb)
{
    apr_interval_time_t timeout;
    apr_status_t rv;

    apr_socket_timeout_get(c->sock, &timeout);
    apr_socket_timeout_set(c->sock, 0);
    rv = write_brigade(c, bb);
    apr_socket_timeout_set(c->sock, timeout);
    if (APR_STATUS_IS_EAGAIN(rv)) {
        rv = set_aside(c, bb);
    }
    return rv;
}

/* The bytes of @a bb's data buckets (each knows its length here: files and memory). As
 * httpd's mod_logio counted them, a response's bytes count when they are handed to the
 * network, so a response whose end waits for write completion is logged whole. */
static apr_off_t brigade_bytes(apr_bucket_brigade *bb)
{
    apr_off_t n = 0;

    for (apr_bucket *b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        if (!APR_BUCKET_IS_METADATA(b) && b->length != (apr_size_t)-1) {
            n += (apr_off_t)b->length;
        }
    }
    return n;
}

static void write_failed(kv_conn_t *c, apr_status_t rv)
{
    c->aborted = 1;
    kv_log_cerror(KV_LOG_MARK, KV_LOG_INFO, rv, c, "KV00033: writing to the client failed");
}

apr_status_t kv_core_output_filter(kv_filter_t *f, apr_bucket_brigade *bb)
{
    kv_conn_t *c = f->c;
    apr_status_t rv;

    if (c->aborted) {
        apr_brigade_cleanup(bb);
        return APR_ECONNABORTED;
    }
    c->bytes_out += brigade_bytes(bb);
    if (kv_conn_output_pending(c)) {
        APR_BRIGADE_PREPEND(bb, c->pending);
    }
    if (c->async && brigade_ends_response(bb)) {
        rv = write_without_waiting(c, bb);
    } else {
        rv = write_brigade(c, bb);
    }
    apr_brigade_cleanup(bb);
    if (rv != APR_SUCCESS) {
        write_failed(c, rv);
    }
    return rv;
}

KV_DECLARE(int) kv_conn_output_pending(const kv_conn_t *c)
{
    return c->pending && !APR_BRIGADE_EMPTY(c->pending);
}

/* Write completion: write what waits without blocking. APR_EAGAIN while some is left. */
apr_status_t kv_conn_write_pending(kv_conn_t *c)
{
    apr_status_t rv;

    apr_socket_timeout_set(c->sock, 0);
    rv = write_brigade(c, c->pending);
    if (rv != APR_SUCCESS && !APR_STATUS_IS_EAGAIN(rv)) {
        apr_brigade_cleanup(c->pending);
        write_failed(c, rv);
    }
    return rv;
}
