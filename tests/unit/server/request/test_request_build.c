/* Tests of requests built from a parsed head and a body source (include/kv_request.h:
 * kv_request_new and kv_request_set_head in server/request/request.c, the reading through the
 * request's body source in server/http/http_body.c), in-process, without a socket. */
#include <check.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "http_body.h"
#include "http_header_filter.h"
#include "kv_request.h"
#include "request.h"
#include "../../check_run.h"

static apr_pool_t *pool;
static kv_server_t server;
static kv_conn_t conn;
static kv_filter_t network;

static void setup(void)
{
    kvu_apr_pool_setup(&pool);
    memset(&server, 0, sizeof(server));
    memset(&conn, 0, sizeof(conn));
    memset(&network, 0, sizeof(network));
    server.limit_req_fieldsize = 8190;
    server.limit_req_fields = 100;
    network.name = "network";
    network.type = KV_FTYPE_NETWORK;
    conn.pool = pool;
    conn.base_server = &server;
    conn.output_filters = &network;
    conn.client_ip = "127.0.0.1";
}

static void teardown(void)
{
    kvu_apr_pool_teardown(pool);
}

/* A head of @a method @a target @a protocol with a Host field @a host (NULL: none). */
static kv_parsed_head_t head_of(kv_request_t *r, const char *method, const char *target,
                                const char *protocol, const char *host)
{
    kv_parsed_head_t h = {.method = method,
                          .method_number = kv_method_number(method),
                          .target = target,
                          .protocol = protocol,
                          .proto_num = strcmp(protocol, "HTTP/1.0") == 0 ? KV_HTTP_VERSION(1, 0)
                                                                         : KV_HTTP_VERSION(1, 1),
                          .headers = apr_table_make(r->pool, 4)};

    if (host) {
        apr_table_setn(h.headers, "Host", host);
    }
    return h;
}

/* ---- a body source over a string ---- */

typedef struct {
    const char *data;
    apr_size_t len, pos;
    apr_off_t declared; /* what length() says */
    int fail_at;        /* a read from this offset fails with 408; -1 never */
    int error;
} string_body_t;

static apr_status_t string_read(kv_request_t *r, void *ctx, char *buf, apr_size_t *len)
{
    string_body_t *b = ctx;
    apr_size_t take = b->len - b->pos < *len ? b->len - b->pos : *len;

    (void)r;
    if (b->fail_at >= 0 && b->pos >= (apr_size_t)b->fail_at) {
        b->error = KV_HTTP_REQUEST_TIME_OUT;
        *len = 0;
        return APR_TIMEUP;
    }
    if (take > 3) {
        take = 3; /* short reads, as a network gives */
    }
    memcpy(buf, b->data + b->pos, take);
    b->pos += take;
    *len = take;
    return take ? APR_SUCCESS : APR_EOF;
}

static int string_at_end(const kv_request_t *r, void *ctx)
{
    const string_body_t *b = ctx;

    (void)r;
    return b->pos == b->len;
}

static apr_off_t string_length(const kv_request_t *r, void *ctx)
{
    const string_body_t *b = ctx;

    (void)r;
    return b->declared;
}

static int string_error(const kv_request_t *r, void *ctx)
{
    const string_body_t *b = ctx;

    (void)r;
    return b->error;
}

static kv_body_source_t string_source(string_body_t *b, const char *data, apr_off_t declared)
{
    kv_body_source_t src = {string_read, string_at_end, string_length, string_error, b};

    b->data = data;
    b->len = strlen(data);
    b->pos = 0;
    b->declared = declared;
    b->fail_at = -1;
    b->error = 0;
    return src;
}

/* ---- building ---- */

static apr_status_t framing_stub(kv_filter_t *f, apr_bucket_brigade *bb)
{
    (void)f;
    (void)bb;
    return APR_SUCCESS;
}

KVU_CASE(core, "core", setup, teardown);

KVC_TEST(core, new_request_takes_the_protocol_framing)
{
    static int framing_ctx;
    const kv_framing_t framing = {"stub", framing_stub, &framing_ctx};
    kv_request_t *r = kv_request_new(&conn, &framing);
    kv_request_t *h1 = kv_request_new(&conn, &kv_http1_framing);

    ck_assert_ptr_eq(r->output_filters->func, framing_stub);
    ck_assert_ptr_eq(r->output_filters->ctx, &framing_ctx);
    ck_assert_str_eq(r->output_filters->name, "stub");
    ck_assert_int_eq(r->output_filters->type, KV_FTYPE_PROTOCOL);
    ck_assert_ptr_eq(r->output_filters->r, r);
    ck_assert_ptr_eq(r->output_filters->next, &network);
    ck_assert_ptr_eq(r->framing, &framing);
    ck_assert_ptr_eq(h1->output_filters->func, kv_http_header_filter);
    ck_assert_ptr_null(h1->output_filters->ctx);
    ck_assert_ptr_eq(h1->output_filters->next, &network);
    ck_assert_ptr_eq(kv_request_new(&conn, NULL)->output_filters, &network);
}
END_TEST

KVC_TEST(core, head_fills_the_request)
{
    kv_request_t *r = kv_request_new(&conn, &kv_http1_framing);
    kv_parsed_head_t h =
        head_of(r, "HEAD", "/a/%7Eb/../c.txt?x=%41", "HTTP/2.0", "Example.COM:8080");

    h.proto_num = KV_HTTP_VERSION(2, 0);
    ck_assert_int_eq(kv_request_set_head(r, &h, NULL), 0);
    ck_assert_int_eq(r->status, 0);
    ck_assert_str_eq(r->method, "HEAD");
    ck_assert_int_eq(r->method_number, KV_M_HEAD);
    ck_assert(r->header_only);
    ck_assert_str_eq(r->protocol, "HTTP/2.0");
    ck_assert_int_eq(r->proto_num, KV_HTTP_VERSION(2, 0));
    ck_assert_str_eq(r->unparsed_uri, "/a/%7Eb/../c.txt?x=%41");
    ck_assert_str_eq(r->uri, "/a/c.txt");
    ck_assert_str_eq(r->args, "x=%41");
    ck_assert_str_eq(r->hostname, "example.com");
    ck_assert_str_eq(r->the_request, "HEAD /a/%7Eb/../c.txt?x=%41 HTTP/2.0");
    ck_assert_ptr_eq(r->headers_in, h.headers);
    ck_assert(!r->close_connection);
}
END_TEST

KVC_TEST(core, request_line_given_is_kept)
{
    kv_request_t *r = kv_request_new(&conn, &kv_http1_framing);
    kv_parsed_head_t h = head_of(r, "OPTIONS", "*", "HTTP/1.1", "h");

    h.request_line = "OPTIONS  *  HTTP/1.1";
    ck_assert_int_eq(kv_request_set_head(r, &h, NULL), 0);
    ck_assert_str_eq(r->the_request, "OPTIONS  *  HTTP/1.1");
    ck_assert_str_eq(r->uri, "*");
    ck_assert_int_eq(r->method_number, KV_M_OPTIONS);
}
END_TEST

KVC_TEST(core, absolute_form_becomes_the_host)
{
    kv_request_t *r = kv_request_new(&conn, &kv_http1_framing);
    kv_parsed_head_t h = head_of(r, "BREW", "http://Pot.Example:81/tea?milk", "HTTP/1.1", "other");

    ck_assert_int_eq(kv_request_set_head(r, &h, NULL), 0);
    ck_assert_int_eq(r->method_number, KV_M_OTHER);
    ck_assert_str_eq(r->uri, "/tea");
    ck_assert_str_eq(r->args, "milk");
    ck_assert_str_eq(r->hostname, "pot.example");
    ck_assert_str_eq(apr_table_get(r->headers_in, "Host"), "pot.example:81");
}
END_TEST

/* What RFC 9112 section 3.2 and httpd refuse, for any protocol from 1.1 up. */
static const struct {
    const char *target, *protocol, *host;
    int status;
} refused[] = {
    {"/", "HTTP/1.1", NULL, KV_HTTP_BAD_REQUEST},    /* no Host */
    {"/", "HTTP/1.1", "", KV_HTTP_BAD_REQUEST},      /* empty Host */
    {"/", "HTTP/1.1", "a b", KV_HTTP_BAD_REQUEST},   /* invalid Host */
    {"/../x", "HTTP/1.1", "h", KV_HTTP_BAD_REQUEST}, /* above the root */
    {"x", "HTTP/1.1", "h", KV_HTTP_BAD_REQUEST},     /* no form of target */
    {"/%2", "HTTP/1.1", "h", KV_HTTP_BAD_REQUEST},   /* bad escape */
};

KVC_LOOP_TEST(core, bad_heads_are_refused, 0, (int)(sizeof(refused) / sizeof(refused[0])))
{
    kv_request_t *r = kv_request_new(&conn, &kv_http1_framing);
    kv_parsed_head_t h =
        head_of(r, "GET", refused[_i].target, refused[_i].protocol, refused[_i].host);
    int status = kv_request_set_head(r, &h, NULL);

    ck_assert_msg(status == refused[_i].status, "%s Host '%s': %d, want %d", refused[_i].target,
                  refused[_i].host ? refused[_i].host : "(none)", status, refused[_i].status);
    ck_assert_int_eq(r->status, status);
    ck_assert(r->close_connection);
}
END_TEST

KVC_TEST(core, http10_may_go_without_host)
{
    kv_request_t *r = kv_request_new(&conn, &kv_http1_framing);
    kv_parsed_head_t h = head_of(r, "GET", "/", "HTTP/1.0", NULL);

    ck_assert_int_eq(kv_request_set_head(r, &h, NULL), 0);
    ck_assert_ptr_null(r->hostname);
}
END_TEST

/* ---- the body, through the source ---- */

KVC_TEST(core, body_is_read_through_the_source)
{
    kv_request_t *r = kv_request_new(&conn, &kv_http1_framing);
    kv_parsed_head_t h = head_of(r, "POST", "/p", "HTTP/1.1", "h");
    string_body_t b;
    kv_body_source_t src = string_source(&b, "hello body", 10);
    char buf[64];
    apr_size_t got = 0;
    apr_status_t rv;

    ck_assert_int_eq(kv_request_set_head(r, &h, &src), 0);
    ck_assert(kv_has_body(r));
    ck_assert_int_eq(r->remaining, 10);
    ck_assert(!kv_body_read_whole(r));
    for (int i = 0; i < 20; i++) {
        apr_size_t n = sizeof(buf) - got;
        if ((rv = kv_read_body(r, buf + got, &n)) != APR_SUCCESS) {
            ck_assert_uint_eq(n, 0);
            break;
        }
        got += n;
        ck_assert_int_eq(r->remaining, 10 - (apr_off_t)got);
    }
    ck_assert_int_eq(rv, APR_EOF);
    ck_assert_uint_eq(got, 10);
    ck_assert(memcmp(buf, "hello body", 10) == 0);
    ck_assert(kv_body_read_whole(r));
    ck_assert_int_eq(kv_body_error(r), 0);
}
END_TEST

KVC_TEST(core, unknown_length_is_a_body)
{
    kv_request_t *r = kv_request_new(&conn, &kv_http1_framing);
    kv_parsed_head_t h = head_of(r, "POST", "/p", "HTTP/1.1", "h");
    string_body_t b;
    kv_body_source_t src = string_source(&b, "streamed", -1);

    ck_assert_int_eq(kv_request_set_head(r, &h, &src), 0);
    ck_assert(kv_has_body(r));
    ck_assert_int_eq(r->remaining, 0);
    ck_assert_int_eq(kv_discard_body(r), KV_OK);
    ck_assert_uint_eq(b.pos, 8);
    ck_assert(kv_body_read_whole(r));
}
END_TEST

KVC_TEST(core, failed_read_gives_the_source_status)
{
    kv_request_t *r = kv_request_new(&conn, &kv_http1_framing);
    kv_parsed_head_t h = head_of(r, "PUT", "/p", "HTTP/1.1", "h");
    string_body_t b;
    kv_body_source_t src = string_source(&b, "0123456789", 10);

    b.fail_at = 6;
    ck_assert_int_eq(kv_request_set_head(r, &h, &src), 0);
    ck_assert_int_eq(kv_discard_body(r), KV_HTTP_REQUEST_TIME_OUT);
    ck_assert_int_eq(kv_body_error(r), KV_HTTP_REQUEST_TIME_OUT);
    ck_assert_int_eq(r->remaining, 4);
    ck_assert(!kv_body_read_whole(r));
}
END_TEST

KVC_TEST(core, no_source_no_body)
{
    kv_request_t *r = kv_request_new(&conn, &kv_http1_framing);
    kv_parsed_head_t h = head_of(r, "GET", "/", "HTTP/1.1", "h");
    char buf[8];
    apr_size_t n = sizeof(buf);

    ck_assert_int_eq(kv_request_set_head(r, &h, NULL), 0);
    ck_assert(!kv_has_body(r));
    ck_assert_int_eq(kv_read_body(r, buf, &n), APR_EOF);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(kv_discard_body(r), KV_OK);
    ck_assert_int_eq(kv_body_error(r), 0);
    ck_assert(!kv_body_read_whole(r));
}
END_TEST

int main(void)
{
    return kvc_run("request_build");
}
