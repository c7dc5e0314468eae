/**
 * @file kv_transport.h
 * @brief The transport stack: the layers between a connection's socket and its protocol.
 *
 * Every connection has a stack of layers; the protocol (HTTP/1) reads and writes the top of
 * it, and the bottom is the socket. A module pushes a layer from a pre_connection hook to see
 * the bytes in both directions (TLS will be one). A layer calls the one below it with the
 * kv_transport_layer_* functions on its @c next.
 *
 * Blocking is the socket's: its timeout (apr_socket_timeout_set on c->sock) says how long a
 * call may wait; 0 under an asynchronous MPM's non-blocking steps. A layer that cannot go on
 * answers APR_EAGAIN; if it needs the other direction to make progress (TLS's WANT_WRITE
 * during a read), it sets c->sense before it answers, and the MPM waits for that instead.
 */
#ifndef KV_TRANSPORT_H
#define KV_TRANSPORT_H

#include <apr_file_io.h>
#include <apr_network_io.h>

#include "kv_http.h"

typedef struct kv_transport kv_transport_t;

/** What a layer does. An op left NULL passes the call down to the layer below, as if the
 * layer were not there for it; a layer with a sendv but no sendfile sees every byte sent
 * (file buckets are read and come through its sendv). */
typedef struct kv_transport_ops {
    const char *name; /**< for logs */
    /** Receive up to *len bytes: APR_SUCCESS with *len > 0, or *len = 0 and APR_EOF,
     * APR_EAGAIN (nothing now, without waiting), APR_TIMEUP or an error. */
    apr_status_t (*recv)(kv_transport_t *t, char *buf, apr_size_t *len);
    /** Send the bytes of @a vec; may take less than all (*written), as writev: callers loop.
     * APR_EAGAIN when it takes nothing now. */
    apr_status_t (*sendv)(kv_transport_t *t, const struct iovec *vec, apr_int32_t nvec,
                          apr_size_t *written);
    /** Optional: send *len bytes of @a file from *offset without the caller reading them
     * (the socket's sendfile; kTLS's). On return *len says how much went. */
    apr_status_t (*sendfile)(kv_transport_t *t, apr_file_t *file, apr_off_t *offset,
                             apr_size_t *len);
    /** Optional: end the write direction, sending the layer's own close (TLS's
     * close_notify) through the layers below. Called once per layer, top first; APR_EAGAIN
     * (non-blocking) has it called again once the socket is ready (see c->sense). */
    apr_status_t (*shutdown_write)(kv_transport_t *t);
    /** Optional: bytes the layer holds that its next recv returns without reading the
     * layer below (TLS's decrypted records). */
    apr_size_t (*pending)(kv_transport_t *t);
} kv_transport_ops_t;

/** One layer of a connection's transport stack. */
struct kv_transport {
    const kv_transport_ops_t *ops;
    void *ctx;            /**< the layer's own state */
    kv_transport_t *next; /**< the layer below; NULL for the socket, the bottom */
    kv_conn_t *c;         /**< the connection */
    int shut;             /**< its shutdown_write is done */
};

/** Push a layer on top of @a c's stack (from a pre_connection hook, before the protocol
 * reads); it lives as long as the connection's pool. */
KV_DECLARE(kv_transport_t *) kv_transport_push(kv_conn_t *c, const kv_transport_ops_t *ops,
                                               void *ctx);

/** Make the bottom layer, over @a sock (kv_create_connection does). */
KV_DECLARE(void) kv_transport_socket(kv_conn_t *c, apr_socket_t *sock);

/** @name A layer's calls: @a t and, for each op it leaves NULL, the layers below it.
 * A layer calls them on its @c next.
 * @{ */
KV_DECLARE(apr_status_t) kv_transport_layer_recv(kv_transport_t *t, char *buf, apr_size_t *len);
KV_DECLARE(apr_status_t) kv_transport_layer_sendv(kv_transport_t *t, const struct iovec *vec,
                                                  apr_int32_t nvec, apr_size_t *written);
/** The layer that takes files for @a t: the first at or below it with a sendfile, unless
 * one above that sees the bytes (has a sendv); NULL when file bytes must be read and sent. */
KV_DECLARE(kv_transport_t *) kv_transport_layer_file_taker(kv_transport_t *t);
/** Bytes held at or below @a t that a recv returns without reading the socket. */
KV_DECLARE(apr_size_t) kv_transport_layer_pending(kv_transport_t *t);
/** @} */

/** @name The top of @a c's stack, for the protocol and the core.
 * @{ */
KV_DECLARE(apr_status_t) kv_transport_recv(kv_conn_t *c, char *buf, apr_size_t *len);
KV_DECLARE(apr_status_t) kv_transport_sendv(kv_conn_t *c, const struct iovec *vec,
                                            apr_int32_t nvec, apr_size_t *written);
/** The layer to hand file buckets to (kv_transport_sendfile), or NULL: then they are read
 * and sent with kv_transport_sendv. With the socket alone it is the socket. */
KV_DECLARE(kv_transport_t *) kv_transport_file_taker(kv_conn_t *c);
/** Send from @a file through @a taker, as kv_transport_file_taker gave it. */
KV_DECLARE(apr_status_t) kv_transport_sendfile(kv_transport_t *taker, apr_file_t *file,
                                               apr_off_t *offset, apr_size_t *len);
/** End the write direction: each layer's shutdown_write, top first, the socket's last.
 * A layer that answered APR_EAGAIN is called again on the next call; the layers done are
 * not. */
KV_DECLARE(apr_status_t) kv_transport_shutdown_write(kv_conn_t *c);
/** As kv_transport_shutdown_write without the socket's shutdown: the layers' own closes
 * (TLS's close_notify) for a connection that is closed right after, whose close sends the
 * FIN. */
KV_DECLARE(apr_status_t) kv_transport_close_layers(kv_conn_t *c);
/** Bytes the layers hold that the next recv returns without reading the socket: while
 * there are, the connection must not wait for the socket to become readable. */
KV_DECLARE(apr_size_t) kv_transport_pending(kv_conn_t *c);
/** @} */

#endif
