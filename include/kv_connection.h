/**
 * @file kv_connection.h
 * @brief What an MPM calls to serve an accepted socket.
 */
#ifndef KV_CONNECTION_H
#define KV_CONNECTION_H

#include "kv_http.h"

/** Build the connection record for an accepted socket in @a ptrans (the connection's
 * pool, which the MPM creates and destroys). @a sb_slot is the scoreboard slot of the
 * worker serving it, or -1. Its child_exiting is the MPM's flag (kv_mpm_child_exiting_flag).
 * Returns NULL if the socket is already unusable. */
KV_DECLARE(kv_conn_t *) kv_create_connection(apr_pool_t *ptrans, kv_server_t *s,
                                             apr_socket_t *csd, long id, int sb_slot);

/** Serve the connection to its end: pre_connection, then process_connection, which loops
 * over requests while keep-alive allows; then a lingering close of the socket. */
KV_DECLARE(void) kv_process_connection(kv_conn_t *c, apr_socket_t *csd);

/** Close the socket after the last response, reading and discarding what the client
 * still sends for a bounded time so that it sees the response, not a reset. */
KV_DECLARE(void) kv_lingering_close(kv_conn_t *c);

/** How long a lingering close reads what the client still sends, at most. */
#define KV_LINGER_TIMEOUT apr_time_from_sec(2)

/** Serve a connection of an asynchronous MPM (one that set c->async) one step. Call it for a
 * new connection (KV_CONN_STATE_NEW), and again each time the socket is ready for what the
 * state it returned waits for:
 * - KV_CONN_STATE_READ_REQUEST: waits for (more of) a request head; call again once
 *   readable, or kv_conn_expire after kv_conn_wait_timeout (kv_conn_release_idle before a
 *   long wait). A part of a head received is kept meanwhile.
 * - KV_CONN_STATE_WRITE_COMPLETION: the end of a response waits in c->pending; call again
 *   once writable, or kv_conn_close after Timeout.
 * - KV_CONN_STATE_LINGER: the write side is shut; call again once readable, or kv_conn_close
 *   after KV_LINGER_TIMEOUT.
 * - KV_CONN_STATE_CLOSED: the socket is closed; the MPM destroys c->pool.
 * Between steps the MPM sets c->sb_slot to the scoreboard slot of the thread serving it. */
KV_DECLARE(kv_conn_state_t) kv_conn_step(kv_conn_t *c);

/** The poll events an asynchronous connection waits for in the state a step returned: the
 * socket readable for KV_CONN_STATE_READ_REQUEST and KV_CONN_STATE_LINGER, writable for
 * KV_CONN_STATE_WRITE_COMPLETION; unless a transport layer asked for the other direction
 * (c->sense), which holds until the next step. */
KV_DECLARE(apr_int16_t) kv_conn_poll_events(const kv_conn_t *c);

/** Before an idle connection (KV_CONN_STATE_READ_REQUEST) waits long: give back its input
 * buffer and bucket allocator, so that it holds little more than its record; the next step
 * makes new ones. */
KV_DECLARE(void) kv_conn_release_idle(kv_conn_t *c);

/** How long a connection of an asynchronous MPM may wait in its state before kv_conn_expire:
 * KeepAliveTimeout while it idles between requests; Timeout once a head has begun and on a
 * new connection (a protocol module waiting for its first bytes included), or less when the
 * read deadline (c->read_deadline) comes sooner;
 * Timeout while it writes (KV_CONN_STATE_WRITE_COMPLETION); KV_LINGER_TIMEOUT in a lingering
 * close. */
KV_DECLARE(apr_interval_time_t) kv_conn_wait_timeout(const kv_conn_t *c);

/** The wait of an asynchronous connection ran out (kv_conn_wait_timeout). A request head that
 * had begun gets what httpd gives one that times out (a 408 once its request line is in,
 * logged; on a new connection a log line only), then the connection closes: returns the
 * state to wait in as kv_conn_step does. An idle wait for a request: the transport layers'
 * own closes (TLS's close_notify) go out if the socket takes them at once, then the socket
 * is closed. Any other wait: the socket is closed. */
KV_DECLARE(kv_conn_state_t) kv_conn_expire(kv_conn_t *c);

/** The server a connection's local address selects before any request names a host, as
 * httpd's: the first virtual host of the most specific address that has any, else the
 * main server. What a layer below HTTP (TLS) is configured by. */
KV_DECLARE(kv_server_t *) kv_conn_address_server(const kv_conn_t *c);

/** The virtual host of the connection's address (as kv_conn_address_server chooses among
 * addresses) whose ServerName or ServerAlias is @a hostname, matched as a request's Host is;
 * NULL if none is. What TLS's SNI selects. */
KV_DECLARE(kv_server_t *) kv_conn_name_server(const kv_conn_t *c, const char *hostname);

/** Void: every function runs; in the child, in the thread serving the connection, before
 * each request head is read: on a new connection before its first read, on a kept-alive one
 * once the next request's first byte has come (the wait before it is KeepAliveTimeout's).
 * c->read_deadline is clear; a function may set it for the head (mod_reqtimeout), or note
 * per-request counters on the connection (mod_logio). It must not read or write the
 * socket. The head's reads may be spread over several steps of an asynchronous MPM: this
 * runs once per head. */
KV_DECLARE_HOOK(void, pre_read_request, (kv_conn_t *c))

/** Void: every function runs. A transport layer's handshake (mod_ssl's TLS handshake) has
 * ended on @a c (c->handshaking is clear again), inside a read or write of the connection's
 * first request: mod_reqtimeout's handshake stage ends and its header stage begins, as
 * httpd's. Not run when the handshake fails (the connection closes). It must not read or
 * write the socket. */
KV_DECLARE_HOOK(void, handshake_done, (kv_conn_t *c))

/*
 * Choosing the protocol. The process_connection hook (declared in kv_http.h) chooses it:
 * it runs first-wins, after pre_connection, in the thread serving the connection. The first
 * function that does not return KV_DECLINED has taken the connection and serves it: it sets
 * c->protocol to its name ("h2") and reads and answers requests (building them with
 * kv_request.h) until the connection is done, then returns KV_OK. HTTP/1 (http_core) runs
 * KV_HOOK_REALLY_LAST and takes every connection no module before it took.
 *
 * A protocol module decides from what it may know before a byte is consumed: the protocol
 * TLS's ALPN agreed on (c->protocol, set by mod_ssl before the other functions run, below);
 * the first bytes, through kv_conn_peek() (a preface). It must decline at once, without
 * reading, for a connection whose c->protocol names another protocol.
 *
 * Under a synchronous MPM it runs once per connection. Under an asynchronous MPM (c->async)
 * it runs again at each step of kv_conn_step() that serves the connection: the first, and
 * each wake-up from KV_CONN_STATE_READ_REQUEST or after write completion. A function that
 * has to wait for bytes (kv_conn_peek() answering APR_EAGAIN) sets c->state to
 * KV_CONN_STATE_READ_REQUEST and returns KV_OK; it is asked again once the socket is readable.
 */

/*
 * The protocols TLS may agree on (ALPN). A protocol module registers its name from its
 * register_hooks; mod_ssl offers the registered ones to a client that sends ALPN, the one
 * registered last first (HTTP/1, a part of the core, registers "http/1.1" before any loaded
 * module: a protocol module added later, HTTP/2's "h2", is preferred to it). Once the
 * handshake is done, before any process_connection function but mod_ssl's runs, c->protocol
 * the name ALPN agreed on (the registry's copy: compare it with strcmp), or NULL without
 * ALPN.
 */

/** Register protocol @a name (ALPN's spelling) for the generation whose configuration pool
 * is @a pconf (register_hooks' pool); a name registered twice counts once. */
KV_DECLARE(void) kv_protocol_register(apr_pool_t *pconf, const char *name);

/** The protocols registered for the running generation (const char *), in the order of
 * registration; NULL if none is. */
KV_DECLARE(const apr_array_header_t *) kv_protocols(void);

/**
 * Look at the first bytes of @a c without consuming them (a protocol's preface): what its
 * input buffer holds, after one read of what the socket has if fewer than @a want bytes are
 * buffered (@a want: a few bytes, no more than the buffer's 8 KiB). The read waits up to
 * Timeout, or not at all under an asynchronous MPM. The bytes stay for whichever protocol
 * takes the connection.
 * @param buf, len what is buffered now (@a len may be below @a want after a short read: call
 *        again for more, each call reading once)
 * @return APR_SUCCESS after a read or when enough was buffered; APR_EAGAIN when an
 *         asynchronous connection has nothing more to read now (wait until readable);
 *         APR_EOF when the client closed; APR_TIMEUP when the read timed out; APR_EGENERAL
 *         when it failed.
 */
KV_DECLARE(apr_status_t) kv_conn_peek(kv_conn_t *c, apr_size_t want, const char **buf,
                                      apr_size_t *len);

/** c->read_deadline has passed: log which stage's (httpd's mod_reqtimeout words, once per
 * stage). For a layer that reads the socket itself (mod_ssl's handshake) and so bounds its
 * own waits by the deadline. */
KV_DECLARE(void) kv_conn_read_deadline_passed(kv_conn_t *c);

/** Close the connection's socket now (a timeout expired, or the server stops). */
KV_DECLARE(void) kv_conn_close(kv_conn_t *c);

/** Non-zero while response bytes wait in c->pending for the socket to take them. */
KV_DECLARE(int) kv_conn_output_pending(const kv_conn_t *c);

#endif
