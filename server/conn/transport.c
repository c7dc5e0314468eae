/* The transport stack: the layers between a connection's socket and its protocol, and the
 * socket layer at its bottom. With the socket alone (no layer pushed: plain HTTP, the common
 * case), the calls at the top go straight to APR. */
#include "kv_transport.h"

/* ---- The socket: the bottom layer, which has every op but pending ---- */

static apr_status_t socket_recv(kv_transport_t *t, char *buf, apr_size_t *len)
{
    return apr_socket_recv(t->ctx, buf, len);
}

static apr_status_t socket_sendv(kv_transport_t *t, const struct iovec *vec, apr_int32_t nvec,
                                 apr_size_t *written)
{
    return apr_socket_sendv(t->ctx, vec, nvec, written);
}

static apr_status_t socket_sendfile(kv_transport_t *t, apr_file_t *file, apr_off_t *offset,
                                    apr_size_t *len)
{
    return apr_socket_sendfile(t->ctx, file, NULL, offset, len, 0);
}

static apr_status_t socket_shutdown_write(kv_transport_t *t)
{
    return apr_socket_shutdown(t->ctx, APR_SHUTDOWN_WRITE);
}

static const kv_transport_ops_t socket_ops = {
    .name = "socket",
    .recv = socket_recv,
    .sendv = socket_sendv,
    .sendfile = socket_sendfile,
    .shutdown_write = socket_shutdown_write,
};

KV_DECLARE(void) kv_transport_socket(kv_conn_t *c, apr_socket_t *sock)
{
    c->transport = NULL;
    kv_transport_push(c, &socket_ops, sock);
}

KV_DECLARE(kv_transport_t *) kv_transport_push(kv_conn_t *c, const kv_transport_ops_t *ops,
                                               void *ctx)
{
    kv_transport_t *t = apr_pcalloc(c->pool, sizeof(*t));

    t->ops = ops;
    t->ctx = ctx;
    t->next = c->transport;
    t->c = c;
    c->transport = t;
    return t;
}

/* ---- A layer and the ones below it: an op left NULL passes down ---- */

KV_DECLARE(apr_status_t) kv_transport_layer_recv(kv_transport_t *t, char *buf, apr_size_t *len)
{
    while (!t->ops->recv) {
        t = t->next;
    }
    return t->ops->recv(t, buf, len);
}

KV_DECLARE(apr_status_t) kv_transport_layer_sendv(kv_transport_t *t, const struct iovec *vec,
                                                  apr_int32_t nvec, apr_size_t *written)
{
    while (!t->ops->sendv) {
        t = t->next;
    }
    return t->ops->sendv(t, vec, nvec, written);
}

KV_DECLARE(kv_transport_t *) kv_transport_layer_file_taker(kv_transport_t *t)
{
    for (; t; t = t->next) {
        if (t->ops->sendfile) {
            return t;
        }
        if (t->ops->sendv) {
            return NULL; /* it must see the bytes */
        }
    }
    return NULL;
}

KV_DECLARE(apr_size_t) kv_transport_layer_pending(kv_transport_t *t)
{
    apr_size_t n = 0;

    for (; t; t = t->next) {
        if (t->ops->pending) {
            n += t->ops->pending(t);
        }
    }
    return n;
}

/* ---- The top of a connection's stack ---- */

KV_DECLARE(apr_status_t) kv_transport_recv(kv_conn_t *c, char *buf, apr_size_t *len)
{
    kv_transport_t *t = c->transport;

    if (t->ops == &socket_ops) {
        return apr_socket_recv(t->ctx, buf, len);
    }
    return kv_transport_layer_recv(t, buf, len);
}

KV_DECLARE(apr_status_t) kv_transport_sendv(kv_conn_t *c, const struct iovec *vec,
                                            apr_int32_t nvec, apr_size_t *written)
{
    kv_transport_t *t = c->transport;

    if (t->ops == &socket_ops) {
        return apr_socket_sendv(t->ctx, vec, nvec, written);
    }
    return kv_transport_layer_sendv(t, vec, nvec, written);
}

KV_DECLARE(kv_transport_t *) kv_transport_file_taker(kv_conn_t *c)
{
    kv_transport_t *t = c->transport;

    return t->ops == &socket_ops ? t : kv_transport_layer_file_taker(t);
}

KV_DECLARE(apr_status_t) kv_transport_sendfile(kv_transport_t *taker, apr_file_t *file,
                                               apr_off_t *offset, apr_size_t *len)
{
    return taker->ops->sendfile(taker, file, offset, len);
}

/* Each layer's shutdown_write, top first; the socket's too unless @a layers_only. */
static apr_status_t shutdown_layers(kv_conn_t *c, int layers_only)
{
    for (kv_transport_t *t = c->transport; t && (t->next || !layers_only); t = t->next) {
        if (t->ops->shutdown_write && !t->shut) {
            apr_status_t rv = t->ops->shutdown_write(t);

            if (rv != APR_SUCCESS) {
                return rv;
            }
            t->shut = 1;
        }
    }
    return APR_SUCCESS;
}

KV_DECLARE(apr_status_t) kv_transport_shutdown_write(kv_conn_t *c)
{
    return shutdown_layers(c, 0);
}

KV_DECLARE(apr_status_t) kv_transport_close_layers(kv_conn_t *c)
{
    return shutdown_layers(c, 1);
}

KV_DECLARE(apr_size_t) kv_transport_pending(kv_conn_t *c)
{
    return kv_transport_layer_pending(c->transport);
}
