/* In-process support for unit tests of the request path: a server built from a config text
 * through the real reader and walker, with the modules the binary registers; a connection
 * on the accepted end of a loopback TCP pair, its client end, and a filter that captures what
 * the connection sends. Serve it with kv_process_connection (a blocking MPM's way) or step
 * it with kv_conn_step (an asynchronous one's). Each helper fails the running Check test on
 * an unexpected error. A test, in short:
 *
 *     kvu_server_build(&srv, "Listen 127.0.0.1:80\nDocumentRoot /tmp\n", stub_modules);
 *     k = kvu_conn_open(&srv, 0, 0);
 *     kvu_send(k, "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
 *     kv_process_connection(k->c, k->c->sock);
 *     got = kvu_read_to_close(k);
 *     kvu_next_response(srv.pconf, &got, &resp);   (resp.status, resp.head, resp.body)
 *     kvu_server_destroy(&srv);
 *
 * Nothing is listened on: Listen is there because a configuration needs one. */
#ifndef KVU_INPROC_H
#define KVU_INPROC_H

#include <check.h>

#include <apr_network_io.h>
#include <apr_pools.h>

#include "kv_http.h"
#include "../check_run.h"

/** A configuration generation, as server/process/main.c builds one. */
typedef struct {
    apr_pool_t *pconf;
    apr_pool_t *ptemp;
    kv_server_t *server;
} kvu_server_t;

/** Start APR and build a generation: the built-in modules of server/process/main.c, then @a extra
 * (NULL-terminated, may be NULL: stub modules of the test), then @a conf read as a config
 * file and run, then the checks of the whole and the hook sort. Returns NULL or the errors. */
const char *kvu_server_build(kvu_server_t *s, const char *conf, kv_module_t *const *extra);

/** Unload the generation (hooks first) and stop APR. */
void kvu_server_destroy(kvu_server_t *s);

/** What a connection has sent, as a capture filter saw it in front of the network filter. */
typedef struct {
    char *buf;
    apr_size_t len;
    apr_size_t cap;
} kvu_capture_t;

/** Append @a n bytes at @a data to @a cap (growing it in @a p), keeping it NUL-ended. */
void kvu_capture_put(kvu_capture_t *cap, apr_pool_t *p, const char *data, apr_size_t n);

/** A connection and the client at the other end. */
typedef struct {
    apr_pool_t *pool;     /**< the connection's pool (an MPM's ptrans) */
    kv_conn_t *c;         /**< accepted end, as kv_create_connection made it */
    apr_socket_t *client; /**< the client end, blocking with a 10 s timeout */
    kvu_capture_t sent;   /**< every byte the connection handed to its network filter */
} kvu_conn_t;

/** A connected loopback pair made in @a p: *accepted as an MPM gets it, *client connected.
 * @a bufsize > 0 sets small socket buffers (SO_SNDBUF of the accepted end, SO_RCVBUF of the
 * client) so that a large response fills them. */
void kvu_tcp_pair(apr_pool_t *p, apr_socket_t **accepted, apr_socket_t **client, int bufsize);

/** A connection of @a s on a fresh pair (see kvu_tcp_pair for @a bufsize), with the capture
 * filter in front of its network filter. @a async: served step by step (c->async). */
kvu_conn_t *kvu_conn_open(kvu_server_t *s, int async, int bufsize);

/** Write @a bytes from the client, all of them. */
void kvu_send(kvu_conn_t *k, const char *bytes);

/** The client says it sends no more (shuts its write side). */
void kvu_client_done(kvu_conn_t *k);

/** Read on the client end until the server closes (or 10 s pass); the bytes, NUL-ended. */
const char *kvu_read_to_close(kvu_conn_t *k);

/** Read on the client end without waiting; the bytes there were, NUL-ended ("" if none). */
const char *kvu_read_now(kvu_conn_t *k);

/** Wait (up to 10 s) until the accepted end of @a k has bytes to read. */
void kvu_wait_readable(kvu_conn_t *k);

/** Wait (up to 10 s) until the client end of @a k has bytes to read. */
void kvu_wait_answer(kvu_conn_t *k);

/** One response split off the front of *cursor, which moves past it. Framed by Content-Length
 * or by the end of the text. Returns 0 when *cursor holds no response. */
typedef struct {
    int status;
    const char *head; /**< the status line and fields, NUL-ended, without the blank line */
    const char *body; /**< NUL-ended */
} kvu_response_t;
int kvu_next_response(apr_pool_t *p, const char **cursor, kvu_response_t *out);

/** The value of field @a name in a response head, or NULL. */
const char *kvu_field(apr_pool_t *p, const char *head, const char *name);

/** Tell the request path of @a c that its child is exiting (a graceful restart or stop);
 * the one place that knows how the MPM says it. Irreversible in the test's process. */
void kvu_child_exiting(kv_conn_t *c);

/** A stub handler's answer: @a text as a 200 text/plain response (whole, so with a length). */
int kvu_answer(kv_request_t *r, const char *text);

#endif
