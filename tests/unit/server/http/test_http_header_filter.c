/* The keep-alive decision of the header filter (server/http/http_header_filter.c), as a table:
 * kv_response_can_keep_alive on request records set up row by row, and the Connection field
 * the filter then writes for the same request (through the in-process support's capture). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "http_body.h"
#include "inproc.h"
#include "http_header_filter.h"
#include "request.h"

static kvu_server_t srv;
static kvu_conn_t *conn;

static void setup(void)
{
    const char *err = kvu_server_build(&srv,
                                       "Listen 127.0.0.1:80\n"
                                       "DocumentRoot /tmp\n"
                                       "KeepAlive On\n"
                                       "MaxKeepAliveRequests 3\n",
                                       NULL);

    ck_assert_msg(err == NULL, "%s", err);
    conn = kvu_conn_open(&srv, 0, 0);
}

static void teardown(void)
{
    kvu_server_destroy(&srv);
}

#define UNKNOWN -1
#define NO_MAX 0

/* One case: the request as the filter finds it, and whether the connection may stay. */
typedef struct {
    const char *what;
    int minor;              /* HTTP/1.minor */
    const char *connection; /* the request's Connection field, or NULL */
    int keep_alive;         /* KeepAlive */
    int max;                /* MaxKeepAliveRequests */
    int served;             /* requests the connection served before this one */
    apr_off_t clength;      /* the response's length (the body is "x"), UNKNOWN if not known */
    int status;
    int head;            /* a HEAD request */
    int close;           /* r->close_connection (an error that ends the connection) */
    int aborted;         /* the client went away */
    apr_off_t remaining; /* body bytes not read */
    int expect;          /* keep-alive allowed */
} row_t;

static const row_t rows[] = {
    {"1.1 by default", 1, NULL, 1, 3, 0, 1, 200, 0, 0, 0, 0, 1},
    {"1.1 Connection: close", 1, "close", 1, 3, 0, 1, 200, 0, 0, 0, 0, 0},
    {"1.1 Connection: Close, in any case", 1, "Close", 1, 3, 0, 1, 200, 0, 0, 0, 0, 0},
    {"1.1 close among other tokens", 1, "keep-alive, close", 1, 3, 0, 1, 200, 0, 0, 0, 0, 0},
    {"1.1 a token that only begins with close", 1, "closed", 1, 3, 0, 1, 200, 0, 0, 0, 0, 1},
    {"1.1 Connection: keep-alive", 1, "Keep-Alive", 1, 3, 0, 1, 200, 0, 0, 0, 0, 1},
    {"1.0 by default", 0, NULL, 1, 3, 0, 1, 200, 0, 0, 0, 0, 0},
    {"1.0 Connection: keep-alive", 0, "keep-alive", 1, 3, 0, 1, 200, 0, 0, 0, 0, 1},
    {"1.0 keep-alive, unknown length: framed by the close", 0, "keep-alive", 1, 3, 0, UNKNOWN, 200,
     0, 0, 0, 0, 0},
    {"1.1 unknown length: chunked", 1, NULL, 1, 3, 0, UNKNOWN, 200, 0, 0, 0, 0, 1},
    {"1.0 keep-alive, unknown length, 304 has no body", 0, "keep-alive", 1, 3, 0, UNKNOWN, 304, 0,
     0, 0, 0, 1},
    {"1.0 keep-alive, unknown length, 204 has no body", 0, "keep-alive", 1, 3, 0, UNKNOWN, 204, 0,
     0, 0, 0, 1},
    {"1.0 keep-alive, unknown length, HEAD", 0, "keep-alive", 1, 3, 0, UNKNOWN, 200, 1, 0, 0, 0, 1},
    {"KeepAlive Off", 1, NULL, 0, 3, 0, 1, 200, 0, 0, 0, 0, 0},
    {"KeepAlive Off, client asks keep-alive", 1, "keep-alive", 0, 3, 0, 1, 200, 0, 0, 0, 0, 0},
    {"MaxKeepAliveRequests 3, second request", 1, NULL, 1, 3, 1, 1, 200, 0, 0, 0, 0, 1},
    {"MaxKeepAliveRequests 3, third request", 1, NULL, 1, 3, 2, 1, 200, 0, 0, 0, 0, 0},
    {"MaxKeepAliveRequests 1, first request", 1, NULL, 1, 1, 0, 1, 200, 0, 0, 0, 0, 0},
    {"MaxKeepAliveRequests 0 is unlimited", 1, NULL, 1, NO_MAX, 100000, 1, 200, 0, 0, 0, 0, 1},
    {"an error that keeps the connection (404)", 1, NULL, 1, 3, 0, 1, 404, 0, 0, 0, 0, 1},
    {"an error that ends it (400 of a bad head)", 1, NULL, 1, 3, 0, 1, 400, 0, 1, 0, 0, 0},
    {"an error that ends it (413)", 1, NULL, 1, 3, 0, 1, 413, 0, 1, 0, 0, 0},
    {"the client went away", 1, NULL, 1, 3, 0, 1, 200, 0, 0, 1, 0, 0},
    {"an unread body small enough to skip", 1, NULL, 1, 3, 0, 1, 200, 0, 0, 0, KV_MAX_DISCARD_BODY,
     1},
    {"an unread body too large to skip", 1, NULL, 1, 3, 0, 1, 200, 0, 0, 0, KV_MAX_DISCARD_BODY + 1,
     0},
};

/* A request on the test's connection as @a row describes it. */
static kv_request_t *request_of(const row_t *row)
{
    kv_request_t *r = kv_request_new(conn->c, &kv_http1_framing);

    srv.server->keep_alive = row->keep_alive;
    srv.server->keep_alive_max = row->max;
    conn->c->keepalives = row->served;
    conn->c->aborted = row->aborted;
    r->proto_num = KV_HTTP_VERSION(1, row->minor);
    r->protocol = row->minor ? "HTTP/1.1" : "HTTP/1.0";
    if (row->connection) {
        apr_table_setn(r->headers_in, "Connection", row->connection);
    }
    r->clength = row->clength;
    r->status = row->status;
    r->header_only = row->head;
    r->close_connection = row->close;
    r->remaining = row->remaining;
    return r;
}

KVC_CASE(keep_alive_case, .name = "keep_alive", .setup = setup, .teardown = teardown,
         .timeout = 30);

KVC_LOOP_TEST(keep_alive_case, decision_table, 0, KVU_COUNT(rows))
{
    const row_t *row = &rows[_i];

    ck_assert_msg(kv_response_can_keep_alive(request_of(row)) == row->expect, "%s: want %d",
                  row->what, row->expect);
}
END_TEST

/* What the filter writes follows the decision: Connection and Keep-Alive fields, and
 * r->close_connection for the connection loop. The body does not end in the brigade, so the
 * filter finds no length of its own. */
KVC_LOOP_TEST(keep_alive_case, filter_writes_the_decision, 0, KVU_COUNT(rows))
{
    const row_t *row = &rows[_i];
    kv_request_t *r = request_of(row);
    apr_bucket_brigade *bb = apr_brigade_create(r->pool, conn->c->bucket_alloc);
    kvu_response_t resp;
    const char *sent;

    apr_brigade_puts(bb, NULL, NULL, "x");
    ck_assert(kv_pass_brigade(r->output_filters, bb) == APR_SUCCESS || row->aborted);
    sent = conn->sent.buf;
    ck_assert_msg(kvu_next_response(srv.pconf, &sent, &resp), "%s: no head", row->what);
    ck_assert_msg(strcmp(kvu_field(srv.pconf, resp.head, "Connection"),
                         row->expect ? "Keep-Alive" : "close") == 0,
                  "%s: %s", row->what, resp.head);
    ck_assert_msg((kvu_field(srv.pconf, resp.head, "Keep-Alive") != NULL) == row->expect, "%s",
                  row->what);
    ck_assert_int_eq(r->close_connection, !row->expect);
}
END_TEST

/* A client waiting for 100 Continue before it sends its body: whether the body comes is not
 * known, so the connection cannot be kept. */
KVC_TEST(keep_alive_case, body_awaiting_continue_closes)
{
    kv_request_t *r = request_of(&rows[0]);
    const char *why = NULL;

    apr_table_setn(r->headers_in, "Content-Length", "5");
    ck_assert(kv_response_can_keep_alive(r));
    apr_table_setn(r->headers_in, "Expect", "100-continue");
    ck_assert_int_eq(kv_body_setup(r, &why), 0);
    ck_assert(!kv_response_can_keep_alive(r));
}
END_TEST

/* A child told to finish (graceful restart or stop) ends each connection after the response
 * it is writing. In a test of its own: it cannot be undone in the test's process. */
KVC_TEST(keep_alive_case, child_exiting_closes)
{
    kv_request_t *r = request_of(&rows[0]);

    ck_assert(kv_response_can_keep_alive(r));
    kvu_child_exiting(conn->c);
    ck_assert(!kv_response_can_keep_alive(r));
}
END_TEST

/* The directives reach the decision through the configuration as read. */
KVC_TEST(keep_alive_case, directives_reach_the_decision)
{
    kv_request_t *r;

    kvu_server_destroy(&srv);
    ck_assert_ptr_null(kvu_server_build(&srv,
                                        "Listen 127.0.0.1:80\nDocumentRoot /tmp\n"
                                        "MaxKeepAliveRequests 2\n",
                                        NULL));
    conn = kvu_conn_open(&srv, 0, 0);
    r = kv_request_new(conn->c, &kv_http1_framing);
    r->clength = 0;
    ck_assert(kv_response_can_keep_alive(r));
    conn->c->keepalives = 1;
    ck_assert(!kv_response_can_keep_alive(r));
    kvu_server_destroy(&srv);
    ck_assert_ptr_null(kvu_server_build(&srv,
                                        "Listen 127.0.0.1:80\nDocumentRoot /tmp\n"
                                        "KeepAlive Off\n",
                                        NULL));
    conn = kvu_conn_open(&srv, 0, 0);
    r = kv_request_new(conn->c, &kv_http1_framing);
    r->clength = 0;
    ck_assert(!kv_response_can_keep_alive(r));
}
END_TEST

int main(void)
{
    return kvc_run("http_header_filter");
}
