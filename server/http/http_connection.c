/* The HTTP/1.1 connection loop: read a request head into the connection's buffer, hand
 * the bytes to the pure parser, build the request record, serve it, and go on while
 * keep-alive allows. Bytes of a pipelined next request stay in the buffer. */
#include <string.h>

#include "conn_input.h"
#include "core.h"
#include "http_body.h"
#include "http_header_filter.h"
#include "http_request.h"
#include "kv_connection.h"
#include "kv_log.h"
#include "kv_scoreboard.h"
#include "kv_transport.h"
#include "protocol.h"
#include "request.h"

#define KV_LOG_MODULE "core"

/* How the body is framed; an ambiguous or refused framing fails the request. */
static void check_body_framing(kv_request_t *r)
{
    const char *why = NULL;
    int status = kv_body_setup(r, &why);

    if (status != 0) {
        kv_request_refuse(r, status, why);
    }
}

/* Fill in the request from a parsed head, as every protocol does, its body read from the
 * connection as HTTP/1 frames it; on a problem r->status holds the error. */
static void build_request(kv_request_t *r, const kv_request_head_t *head)
{
    const kv_parsed_head_t h = {.method = head->method,
                                .method_number = head->method_number,
                                .target = head->target,
                                .protocol = head->protocol,
                                .proto_num = head->proto_num,
                                .headers = head->headers,
                                .request_line = head->request_line};

    if (kv_request_set_head(r, &h, &kv_http1_body_source) == 0) {
        check_body_framing(r);
    }
}

/* The head is over (served, refused or timed out): the next one begins afresh. */
static void end_head(kv_conn_t *c, struct kv_conn_input *in)
{
    in->head_started = 0;
    if (c->async) {
        apr_socket_timeout_set(c->sock, c->base_server->timeout); /* for the body, the answer */
    }
}

/* A head that cannot be served: answer @a status, drop what was received, then close. */
static kv_read_result_t answer_bad_head(kv_request_t *r, struct kv_conn_input *in, int status,
                                     const char *why, kv_request_t **out)
{
    kv_request_refuse(r, status, why);
    kv_conn_input_consume(in, in->len);
    end_head(r->connection, in);
    *out = r;
    return KV_READ_OK;
}

/* A head begins: under an asynchronous MPM its reads do not wait (the connection waits in
 * the MPM's poller instead, holding no thread); modules may bound how long it may take. */
static void begin_head(kv_conn_t *c, struct kv_conn_input *in)
{
    if (in->head_started) {
        return;
    }
    in->head_started = 1;
    memset(&c->read_deadline, 0, sizeof(c->read_deadline));
    kv_run_pre_read_request(c);
}

/* The head timed out, as httpd answers it: a request line received gets a 408; before
 * that, the connection only closes, with a log line if it is the connection's first
 * request (a kept-alive connection's next request may never have been meant). */
static kv_read_result_t head_timed_out(kv_conn_t *c, struct kv_conn_input *in, kv_request_t *r,
                                       const kv_parse_limits_t *lim, kv_request_t **out)
{
    const char *line;

    if (!in->head_started) {
        return KV_READ_TIMEOUT; /* KeepAliveTimeout: no request began */
    }
    if (!r) {
        r = kv_request_new(c, &kv_http1_framing);
    }
    if (kv_request_line_received(r->pool, in->buf, in->len, lim, &line)) {
        r->the_request = line;
        return answer_bad_head(r, in, KV_HTTP_REQUEST_TIME_OUT, "timed out reading the request",
                               out);
    }
    kv_conn_input_consume(in, in->len);
    if (c->keepalives == 0) {
        r->status = KV_HTTP_REQUEST_TIME_OUT;
        kv_request_log(r);
    }
    apr_pool_destroy(r->pool);
    end_head(c, in);
    return KV_READ_TIMEOUT;
}

/* Does the head begin as a TLS handshake record (content type 22, version 3.x)? No request
 * line can: a client that meant https:// reached a plain-HTTP port. */
static int is_tls_hello(const struct kv_conn_input *in)
{
    return in->len >= 2 && in->buf[0] == 0x16 && in->buf[1] == 0x03;
}

/* Answer a TLS hello at once with httpd's 400, logged so that the cause is plain: it would
 * otherwise wait for a line end that a hello need not hold. */
static kv_read_result_t tls_on_plain_port(kv_request_t *r, struct kv_conn_input *in,
                                          kv_request_t **out)
{
    kv_conn_t *c = r->connection;

    kv_log_cerror(KV_LOG_MARK, KV_LOG_INFO, 0, c,
                  "KV01487: client %s, port %u: a TLS handshake on a plain-HTTP port: use "
                  "https:// or SSLEngine on for this address",
                  c->client_ip, c->local_addr->port);
    return answer_bad_head(r, in, KV_HTTP_BAD_REQUEST, "TLS handshake on a plain-HTTP port", out);
}

/* Read the next request head. *out is the request to answer (possibly with an error
 * status already set), or NULL when the connection is done. Under an asynchronous MPM,
 * KV_READ_WAIT when the socket has no more bytes yet: what came of the head stays in
 * c->input, and the next call goes on from there. */
static kv_read_result_t read_request(kv_conn_t *c, kv_request_t **out)
{
    const kv_server_t *s = c->base_server;
    struct kv_conn_input *in = kv_conn_input(c);
    kv_parse_limits_t lim;
    kv_request_head_t head;
    kv_request_t *r = NULL;
    int parse = in->len > 0;
    apr_size_t line_limit;

    lim.line_max = (apr_size_t)s->limit_req_line;
    lim.field_size_max = (apr_size_t)s->limit_req_fieldsize;
    lim.fields_max = s->limit_req_fields;
    line_limit = lim.line_max < lim.field_size_max ? lim.line_max : lim.field_size_max;
    *out = NULL;
    if (in->len == 0 && !in->head_started && c->keepalives > 0) {
        /* The MPM waits until the socket is readable, unless a transport layer holds bytes
         * already (a pipelined request TLS has decrypted): the socket may never wake them. */
        if (c->async && c->state != KV_CONN_STATE_READ_REQUEST && !kv_transport_pending(c)) {
            return KV_READ_WAIT;
        }
        c->state = KV_CONN_STATE_PROCESSING;
        kv_scoreboard_update(c->sb_slot, KV_SB_KEEPALIVE, NULL);
        apr_socket_timeout_set(c->sock, c->async ? 0 : s->keep_alive_timeout);
    } else {
        begin_head(c, in);
        apr_socket_timeout_set(c->sock, c->async ? 0 : s->timeout);
    }
    for (;;) {
        if (in->len > 0 && !r) {
            r = kv_request_new(c, &kv_http1_framing);
            kv_scoreboard_update(c->sb_slot, KV_SB_READ, NULL);
            if (!in->head_started) {
                begin_head(c, in);
                apr_socket_timeout_set(c->sock, c->async ? 0 : s->timeout);
            }
        }
        if (r && is_tls_hello(in)) {
            return tls_on_plain_port(r, in, out);
        }
        if (parse) {
            int n;
            memset(&head, 0, sizeof(head));
            n = kv_parse_request_head(r->pool, in->buf, in->len, &lim, &head);
            if (n > 0) {
                kv_conn_input_consume(in, (apr_size_t)n);
                end_head(c, in);
                build_request(r, &head);
                *out = r;
                return KV_READ_OK;
            }
            if (n == KV_PARSE_ERROR) {
                r->the_request = head.request_line;
                return answer_bad_head(r, in, head.status ? head.status : KV_HTTP_BAD_REQUEST,
                                       head.reason ? head.reason : "malformed request", out);
            }
        }
        if (in->len == in->cap && !kv_conn_input_grow(c, in)) {
            return answer_bad_head(r, in, KV_HTTP_BAD_REQUEST, "request head too large", out);
        }
        apr_size_t old_len = in->len;
        kv_read_result_t rr = kv_conn_input_fill(c, in);
        if (rr == KV_READ_TIMEOUT) {
            return head_timed_out(c, in, r, &lim, out);
        }
        if (rr != KV_READ_OK) {
            if (r) {
                apr_pool_destroy(r->pool);
            }
            return rr;
        }
        parse = kv_conn_input_worth_parsing(in, old_len, line_limit);
    }
}

/* Serve requests while keep-alive allows. Under an asynchronous MPM return instead of
 * waiting: for the next request (KV_CONN_STATE_READ_REQUEST) or for the client to take the
 * rest of a response (KV_CONN_STATE_WRITE_COMPLETION); c->keepalive says whether another
 * request may follow. */
int kv_http_process_connection(kv_conn_t *c)
{
    c->keepalive = 0;
    for (;;) {
        kv_request_t *r;
        kv_read_result_t rr = read_request(c, &r);
        int head_ok;

        if (rr == KV_READ_WAIT) {
            c->keepalive = 1;
            c->state = KV_CONN_STATE_READ_REQUEST;
            return KV_OK;
        }
        if (rr != KV_READ_OK) {
            break;
        }
        head_ok = !r->status;
        kv_process_request(r); /* a refused head gets its error answer */
        c->keepalives++;
        c->keepalive = !r->close_connection && !c->aborted && kv_discard_body(r) == KV_OK;
        c->input_done = !c->keepalive && head_ok && kv_client_closes(r) &&
                        kv_body_read_whole(r) && c->input->len == 0 &&
                        !kv_transport_pending(c);
        memset(&c->read_deadline, 0, sizeof(c->read_deadline)); /* none between requests */
        apr_pool_destroy(r->pool);
        if (!c->keepalive || kv_conn_output_pending(c)) {
            break;
        }
    }
    c->state = kv_conn_output_pending(c) ? KV_CONN_STATE_WRITE_COMPLETION : KV_CONN_STATE_LINGER;
    return KV_OK;
}
