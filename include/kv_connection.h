/**
 * @file kv_connection.h
 * @brief What an MPM calls to serve an accepted socket.
 */
#ifndef KV_CONNECTION_H
#define KV_CONNECTION_H

#include "kv_http.h"

/** Build the connection record for an accepted socket in @a ptrans (the connection's
 * pool, which the MPM creates and destroys). @a sb_slot is the scoreboard slot of the
 * worker serving it, or -1. Returns NULL if the socket is already unusable. */
KV_DECLARE(kv_conn_t *) kv_create_connection(apr_pool_t *ptrans, kv_server_t *s,
                                             apr_socket_t *csd, long id, int sb_slot);

/** Serve the connection to its end: pre_connection, then process_connection, which loops
 * over requests while keep-alive allows; then a lingering close of the socket. */
KV_DECLARE(void) kv_process_connection(kv_conn_t *c, apr_socket_t *csd);

/** Close the socket after the last response, reading and discarding what the client
 * still sends for a bounded time so that it sees the response, not a reset. */
KV_DECLARE(void) kv_lingering_close(kv_conn_t *c);

#endif
