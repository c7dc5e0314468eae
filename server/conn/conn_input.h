/* The connection's input buffer (conn_input.c), shared by the head reader
 * (http_connection.c) and the body reader (http_body.c). Internal to the core. */
#ifndef KV_CONN_INPUT_H
#define KV_CONN_INPUT_H

#include <apr_allocator.h>

#include "kv_http.h"

/** Bytes received on a connection and not yet consumed by a request. */
struct kv_conn_input {
    kv_conn_t *c;          /**< the connection it belongs to */
    apr_memnode_t *node;   /**< the buffer's memory, from the connection's allocator */
    char *buf;
    apr_size_t len;
    apr_size_t cap;
    apr_size_t max;        /**< the largest head the limits allow */
    apr_size_t line_start; /**< where the line being received starts */
    int head_started;      /**< the pre_read_request hook ran for the head being received */
    int wait_expired;      /**< an asynchronous wait for more of the head ran out
                                (kv_conn_expire): the next read times out */
};

/** Why reading stopped. */
typedef enum {
    KV_READ_OK,
    KV_READ_CLOSED,
    KV_READ_TIMEOUT,
    KV_READ_FAILED,
    KV_READ_WAIT /**< asynchronous: no byte to read now; wait in the MPM's poller */
} kv_read_result_t;

/** The input buffer of @a c, made on first use. */
struct kv_conn_input *kv_conn_input(kv_conn_t *c);

/** Give the buffer's memory back while the connection idles with nothing buffered (an idle
 * kept-alive connection then holds no buffer); kv_conn_input makes a new one. */
void kv_conn_input_release(kv_conn_t *c);

/** Drop the first @a n buffered bytes: the request has read them (c->bytes_in). */
void kv_conn_input_consume(struct kv_conn_input *in, apr_size_t n);

/** Receive more bytes into the free end of the buffer, through the connection's transport
 * stack. The socket's timeout applies to the read, cut short by c->read_deadline, which each byte received may push back; a socket
 * with timeout 0 that has nothing gives KV_READ_WAIT. */
kv_read_result_t kv_conn_input_fill(kv_conn_t *c, struct kv_conn_input *in);

/** Make room for more bytes, up to the head limit; 0 when the buffer may not grow. */
int kv_conn_input_grow(kv_conn_t *c, struct kv_conn_input *in);

/** After a fill that took the buffer from @a old_len bytes: whether the head is worth
 * parsing again. The parser reads the head from its start on every call, so call it only
 * when a line has ended or the open line may break a limit (@a line_limit): a client that
 * sends one byte at a time then costs one parse per line, not one per byte. */
int kv_conn_input_worth_parsing(struct kv_conn_input *in, apr_size_t old_len,
                                apr_size_t line_limit);

#endif
