/**
 * @file kv_listen.h
 * @brief Listening sockets. They live in the global pool and survive restarts; their
 * options (ListenBacklog, SendBufferSize, ReceiveBufferSize) are applied again on every
 * generation.
 */
#ifndef KV_LISTEN_H
#define KV_LISTEN_H

#include <apr_network_io.h>

#include "kv_http.h"

/** One listening socket. */
typedef struct kv_listen_rec kv_listen_rec_t;
struct kv_listen_rec {
    kv_listen_rec_t *next;   /**< next listener */
    apr_socket_t *sd;        /**< the socket */
    apr_sockaddr_t *bind_addr; /**< address it is bound to */
    const char *text;        /**< as configured: "127.0.0.1:8080" */
    int active;              /**< configured in the running generation */
    const char *protocol;    /**< Listen's protocol in the running generation ("https") */
};

/** The listeners of the running generation, in configuration order. */
KV_DECLARE_DATA extern kv_listen_rec_t *kv_listeners;

/** Number of listeners in kv_listeners. */
KV_DECLARE(int) kv_listeners_count(void);

/** One Listen directive. */
typedef struct {
    const char *addr;     /**< host part, NULL for every address */
    apr_port_t port;      /**< port */
    const char *text;     /**< as written */
    const char *protocol; /**< named on the line, else https for port 443, else http */
} kv_listen_spec_t;

/** What a generation's configuration asks of its listeners: the core's Listen,
 * ListenBacklog, SendBufferSize, ReceiveBufferSize and AcceptFilter. */
typedef struct {
    const apr_array_header_t *specs;   /**< the Listen lines, as kv_listen_spec_t */
    int backlog;                       /**< ListenBacklog */
    int send_buffer_size;              /**< SendBufferSize, 0 = system default */
    int receive_buffer_size;           /**< ReceiveBufferSize, 0 = system default */
    const apr_table_t *accept_filters; /**< AcceptFilter: protocol -> filter, lower-case */
} kv_listen_conf_t;

/** Open (or keep from the last generation) every listener @a conf names and apply its
 * socket options. Closes listeners no longer configured. @a s is the main server (its
 * pool, pconf, holds the active list; its error log takes the messages). Logs and returns
 * non-zero on failure. */
KV_DECLARE(int) kv_setup_listeners(kv_server_t *s, const kv_listen_conf_t *conf);

/** Close the parent's copy of every listener (when the server exits). */
KV_DECLARE(void) kv_close_listeners(void);

/** The server stops taking connections for good (stop, graceful stop): end the listening
 * state of every listening socket, in every process that holds a copy of it, so that new
 * connections are refused at once even while a child still holds its copy, then close the
 * parent's copies. The connections already accepted are not touched. */
KV_DECLARE(void) kv_shutdown_listeners(void);

#endif
