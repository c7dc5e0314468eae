/* A look at the first bytes of a connection that consumes none, for a protocol module's
 * process_connection deciding whether the connection is its own (a preface). It reads into
 * the connection's input buffer, where the protocol that takes the connection finds them. */
#include "conn_input.h"
#include "kv_connection.h"

KV_DECLARE(apr_status_t)
kv_conn_peek(kv_conn_t *c, apr_size_t want, const char **buf, apr_size_t *len)
{
    struct kv_conn_input *in = kv_conn_input(c);
    kv_read_result_t rr = KV_READ_OK;

    if (in->len < want && in->len < in->cap) {
        apr_interval_time_t timeout = 0;

        if (c->async) {
            apr_socket_timeout_get(c->sock, &timeout);
            apr_socket_timeout_set(c->sock, 0); /* the connection waits in the MPM instead */
        }
        rr = kv_conn_input_fill(c, in);
        if (c->async) {
            apr_socket_timeout_set(c->sock, timeout);
        }
    }
    *buf = in->buf;
    *len = in->len;
    switch (rr) {
    case KV_READ_OK:
        return APR_SUCCESS;
    case KV_READ_WAIT:
        return APR_EAGAIN;
    case KV_READ_CLOSED:
        return APR_EOF;
    case KV_READ_TIMEOUT:
        return APR_TIMEUP;
    default:
        return APR_EGENERAL;
    }
}
