/* Connections: the record an MPM builds for an accepted socket, the connection hooks,
 * and the lingering close that lets the client read the last response. */
#include <apr_poll.h>
#include <apr_strings.h>

#include "kv_connection.h"
#include "kv_log.h"
#include "kv_mpm_common.h"
#include "kv_scoreboard.h"
#include "conn_input.h"
#include "core_output_filter.h"
#include "kv_transport.h"
#include "module.h"
#include "vhost.h"

#define KV_LOG_MODULE "core"

/* How long and how much a closing connection drains from the client. */
#define LINGER_READ_TIMEOUT apr_time_from_msec(500)
#define LINGER_MAX_BYTES (512 * 1024)
/* Reads of a lingering asynchronous connection per step; the MPM's timer bounds the rest. */
#define LINGER_STEP_READS 16

APR_HOOK_STRUCT(APR_HOOK_LINK(pre_connection) APR_HOOK_LINK(process_connection)
                    APR_HOOK_LINK(pre_read_request) APR_HOOK_LINK(handshake_done))

KV_IMPLEMENT_HOOK_RUN_ALL(int, pre_connection, (kv_conn_t * c, void *csd), (c, csd), KV_OK,
                          KV_DECLINED)
KV_IMPLEMENT_HOOK_RUN_FIRST(int, process_connection, (kv_conn_t * c), (c), KV_DECLINED)
KV_IMPLEMENT_HOOK_VOID(pre_read_request, (kv_conn_t * c), (c))
KV_IMPLEMENT_HOOK_VOID(handshake_done, (kv_conn_t * c), (c))

/* The connection's bucket allocator, from its pool's allocator. An idle asynchronous
 * connection gives it back and gets a new one when it wakes. */
static void make_bucket_alloc(kv_conn_t *c)
{
    if (!c->bucket_alloc) {
        c->bucket_alloc = apr_bucket_alloc_create_ex(apr_pool_allocator_get(c->pool));
        if (c->pending) {
            c->pending->bucket_alloc = c->bucket_alloc;
        }
    }
}

static apr_status_t drop_bucket_alloc(void *data)
{
    kv_conn_t *c = data;

    if (c->bucket_alloc) {
        apr_bucket_alloc_destroy(c->bucket_alloc);
        c->bucket_alloc = NULL;
    }
    return APR_SUCCESS;
}

KV_DECLARE(kv_conn_t *) kv_create_connection(apr_pool_t *ptrans, kv_server_t *s,
                                             apr_socket_t *csd, long id, int sb_slot)
{
    kv_conn_t *c = apr_pcalloc(ptrans, sizeof(*c));
    kv_filter_t *net = apr_pcalloc(ptrans, sizeof(*net));
    char *ip;

    c->pool = ptrans;
    c->base_server = s;
    c->sock = csd;
    c->id = id;
    c->sb_slot = sb_slot;
    c->child_exiting = kv_mpm_child_exiting_flag();
    if (apr_socket_addr_get(&c->local_addr, APR_LOCAL, csd) != APR_SUCCESS ||
        apr_socket_addr_get(&c->client_addr, APR_REMOTE, csd) != APR_SUCCESS) {
        return NULL;
    }
    apr_sockaddr_ip_get(&ip, c->client_addr);
    c->client_ip = ip;
    apr_sockaddr_ip_get(&ip, c->local_addr);
    c->local_ip = ip;
    make_bucket_alloc(c);
    apr_pool_cleanup_register(ptrans, c, drop_bucket_alloc, apr_pool_cleanup_null);
    c->conn_config = kv_config_vector_make(ptrans);
    net->name = "core";
    net->func = kv_core_output_filter;
    net->type = KV_FTYPE_NETWORK;
    net->c = c;
    c->output_filters = net;
    kv_transport_socket(c, csd);
    apr_socket_opt_set(csd, APR_TCP_NODELAY, 1);
    apr_socket_timeout_set(csd, s->timeout);
    return c;
}

KV_DECLARE(kv_server_t *) kv_conn_address_server(const kv_conn_t *c)
{
    return kv_vhost_select(c->base_server, c->local_ip, c->local_addr->port, NULL);
}

KV_DECLARE(kv_server_t *) kv_conn_name_server(const kv_conn_t *c, const char *hostname)
{
    kv_server_t *s = kv_vhost_select(c->base_server, c->local_ip, c->local_addr->port, hostname);

    return kv_vhost_answers_to(s, hostname) ? s : NULL;
}

KV_DECLARE(void) kv_process_connection(kv_conn_t *c, apr_socket_t *csd)
{
    int rv = kv_run_pre_connection(c, csd);

    if (rv == KV_OK || rv == KV_DECLINED) {
        kv_run_process_connection(c);
    }
    kv_lingering_close(c);
}

KV_DECLARE(void) kv_conn_close(kv_conn_t *c)
{
    if (c->sock) {
        apr_socket_close(c->sock);
        c->sock = NULL;
    }
    c->state = KV_CONN_STATE_CLOSED;
}

/* Shut the write side through the transport stack (a layer's own close first, as TLS's
 * close_notify, then the socket's) so that the client sees the end of the response.
 * APR_SUCCESS once shut; APR_EAGAIN while a non-blocking layer waits for the socket (call
 * again when it is ready); anything else if the socket was closed instead: the client is
 * gone, shutting failed, or nothing more can come from the client (then close sends a FIN,
 * not a reset, and there is nothing to wait for: nginx's lingering heuristic, restricted to
 * clients that said they are done; the layers' own closes, TLS's close_notify, are still
 * sent, so that such a client sees a clean end). */
static apr_status_t shut_write_side(kv_conn_t *c)
{
    apr_status_t rv;

    if (c->aborted) {
        rv = APR_ECONNABORTED;
    } else if (c->input_done) {
        rv = kv_transport_close_layers(c);
        rv = rv == APR_SUCCESS ? APR_ECONNABORTED : rv; /* nothing to linger for */
    } else {
        rv = kv_transport_shutdown_write(c);
    }

    if (rv != APR_SUCCESS && !(c->async && APR_STATUS_IS_EAGAIN(rv))) {
        kv_conn_close(c);
    }
    return rv;
}

KV_DECLARE(void) kv_lingering_close(kv_conn_t *c)
{
    char buf[4096];
    apr_size_t total = 0;
    apr_time_t deadline = apr_time_now() + KV_LINGER_TIMEOUT;

    if (!c->sock) {
        return;
    }
    kv_scoreboard_update(c->sb_slot, KV_SB_CLOSING, NULL);
    if (shut_write_side(c) != APR_SUCCESS) {
        return;
    }
    apr_socket_timeout_set(c->sock, LINGER_READ_TIMEOUT);
    while (total < LINGER_MAX_BYTES && apr_time_now() < deadline) {
        apr_size_t len = sizeof(buf);
        if (kv_transport_recv(c, buf, &len) != APR_SUCCESS || len == 0) {
            break;
        }
        total += len;
    }
    kv_conn_close(c);
}

/* ---- Asynchronous connections (kv_conn_step) ---- */

/* Finish shutting the write side if a layer waited, then read and drop what the client
 * still sends, without waiting; closes at its end. */
static void linger_read(kv_conn_t *c)
{
    char buf[4096];
    apr_status_t rv = shut_write_side(c);

    if (APR_STATUS_IS_EAGAIN(rv) && c->sense == KV_CONN_SENSE_DEFAULT) {
        c->sense = KV_CONN_SENSE_WANT_WRITE; /* a close of its own to send: wait to write */
    }
    if (rv != APR_SUCCESS) {
        return; /* closed, or a layer waits */
    }
    for (int i = 0; i < LINGER_STEP_READS; i++) {
        apr_size_t len = sizeof(buf);

        rv = kv_transport_recv(c, buf, &len);
        if (APR_STATUS_IS_EAGAIN(rv) && len == 0) {
            return;
        }
        if (rv != APR_SUCCESS || len == 0) {
            break;
        }
    }
    kv_conn_close(c);
}

static void linger_start(kv_conn_t *c)
{
    kv_scoreboard_update(c->sb_slot, KV_SB_CLOSING, NULL);
    if (c->sock) {
        apr_socket_timeout_set(c->sock, 0);
        linger_read(c);
    }
}

/* Run the protocol. A process_connection hook that does not know asynchronous connections
 * returns when the connection is done. */
static void serve(kv_conn_t *c, kv_conn_state_t as)
{
    c->state = as;
    make_bucket_alloc(c);
    apr_socket_timeout_set(c->sock, c->base_server->timeout);
    kv_run_process_connection(c);
    if (c->state == KV_CONN_STATE_PROCESSING) {
        c->state = KV_CONN_STATE_LINGER;
    }
}

static void first_step(kv_conn_t *c)
{
    int rv = kv_run_pre_connection(c, c->sock);

    if (rv == KV_OK || rv == KV_DECLINED) {
        serve(c, KV_CONN_STATE_PROCESSING);
    } else {
        c->state = KV_CONN_STATE_LINGER;
    }
}

static void write_completion(kv_conn_t *c)
{
    apr_status_t rv = kv_conn_write_pending(c);

    if (APR_STATUS_IS_EAGAIN(rv)) {
        return;
    }
    if (rv != APR_SUCCESS || !c->keepalive) {
        c->state = KV_CONN_STATE_LINGER;
        return;
    }
    serve(c, KV_CONN_STATE_PROCESSING); /* a pipelined request may be buffered already */
}

KV_DECLARE(apr_int16_t) kv_conn_poll_events(const kv_conn_t *c)
{
    switch (c->sense) {
    case KV_CONN_SENSE_WANT_READ:
        return APR_POLLIN;
    case KV_CONN_SENSE_WANT_WRITE:
        return APR_POLLOUT;
    default:
        return c->state == KV_CONN_STATE_WRITE_COMPLETION ? APR_POLLOUT : APR_POLLIN;
    }
}

KV_DECLARE(void) kv_conn_release_idle(kv_conn_t *c)
{
    if (c->state == KV_CONN_STATE_READ_REQUEST) {
        kv_conn_input_release(c);
        drop_bucket_alloc(c);
    }
}

static int head_started(const kv_conn_t *c)
{
    return c->input && c->input->head_started;
}

KV_DECLARE(apr_interval_time_t) kv_conn_wait_timeout(const kv_conn_t *c)
{
    const kv_server_t *s = c->base_server;
    apr_interval_time_t t = s->timeout;

    switch (c->state) {
    case KV_CONN_STATE_READ_REQUEST:
        if (!head_started(c) && c->keepalives > 0) {
            return s->keep_alive_timeout;
        }
        if (c->read_deadline.at && c->read_deadline.at - apr_time_now() < t) {
            t = c->read_deadline.at - apr_time_now();
        }
        return t > 0 ? t : 0;
    case KV_CONN_STATE_LINGER:
        return KV_LINGER_TIMEOUT;
    default:
        return t;
    }
}

KV_DECLARE(kv_conn_state_t) kv_conn_expire(kv_conn_t *c)
{
    c->sense = KV_CONN_SENSE_DEFAULT;
    if (c->state != KV_CONN_STATE_READ_REQUEST || !head_started(c)) {
        if (c->read_deadline.at && c->read_deadline.at <= apr_time_now()) {
            kv_conn_read_deadline_passed(c); /* a stage before any head: TLS's handshake */
        }
        if (c->state == KV_CONN_STATE_READ_REQUEST && c->sock) {
            /* An idle wait ran out: the layers' own closes (TLS's close_notify) go out if
             * the socket takes them at once, as a blocking MPM's lingering close sends
             * them; no waiting, no lingering. */
            apr_socket_timeout_set(c->sock, 0);
            (void)kv_transport_close_layers(c);
        }
        kv_conn_close(c);
        return c->state;
    }
    c->input->wait_expired = 1; /* the head's next read times out, and is answered so */
    return kv_conn_step(c);
}

KV_DECLARE(kv_conn_state_t) kv_conn_step(kv_conn_t *c)
{
    kv_conn_state_t was = c->state;

    c->sense = KV_CONN_SENSE_DEFAULT; /* a layer's wish held for the wait that woke it */
    switch (was) {
    case KV_CONN_STATE_NEW:
        first_step(c);
        break;
    case KV_CONN_STATE_READ_REQUEST:
        serve(c, KV_CONN_STATE_READ_REQUEST); /* woken: the HTTP loop reads what came */
        break;
    case KV_CONN_STATE_WRITE_COMPLETION:
        write_completion(c);
        break;
    case KV_CONN_STATE_LINGER:
        linger_read(c);
        break;
    default:
        break;
    }
    if (c->state == KV_CONN_STATE_LINGER && was != KV_CONN_STATE_LINGER) {
        linger_start(c);
    }
    return c->state;
}
