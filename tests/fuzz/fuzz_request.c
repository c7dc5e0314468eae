/*
 * libFuzzer target for the request-head parser (server/http/protocol.c) and the body framing a
 * parsed head gets (kv_body_setup in server/http/http_body.c). The input is the bytes a client
 * sent. Besides crashes and sanitizer reports it aborts when a result breaks a promise: a
 * parsed head has every part and each part is what RFC 9112 allows, a byte more never turns
 * "done" or an error around, an error always names a 4xx or 5xx status, and a body is framed
 * by chunked alone (HTTP/1.1, no Content-Length) or by one Content-Length, or refused.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "fuzz_common.h"
#include "http_body.h"
#include "kv_request.h"
#include "protocol.h"

/* Small limits, so that the fuzzer reaches them. */
static const kv_parse_limits_t limits = {.line_max = 200, .field_size_max = 100, .fields_max = 8};

static int parse(apr_pool_t *p, const uint8_t *data, size_t size, kv_request_head_t *head)
{
    return kv_parse_request_head(p, (const char *)data, size, &limits, head);
}

static int is_token(const char *s)
{
    if (*s == '\0') {
        return 0;
    }
    for (; *s; s++) {
        if (!apr_isalnum(*s) && !strchr("!#$%&'*+-.^_`|~", *s)) {
            return 0;
        }
    }
    return 1;
}

/* Any byte of @a s a control character (other than HTAB when @a tab_ok)? */
static int has_ctl(const char *s, int tab_ok)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && !(tab_ok && c == '\t')) || c == 0x7f) {
            return 1;
        }
    }
    return 0;
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static void check_fields(const apr_table_t *headers)
{
    const apr_array_header_t *arr = apr_table_elts(headers);
    int hosts = 0;

    FUZZ_REQUIRE(limits.fields_max == 0 || arr->nelts <= limits.fields_max);
    for (int i = 0; i < arr->nelts; i++) {
        const apr_table_entry_t *e = &APR_ARRAY_IDX(arr, i, apr_table_entry_t);
        size_t n = strlen(e->val);

        FUZZ_REQUIRE(is_token(e->key));
        FUZZ_REQUIRE(!has_ctl(e->val, 1));
        FUZZ_REQUIRE(n == 0 || (!is_ows(e->val[0]) && !is_ows(e->val[n - 1])));
        FUZZ_REQUIRE(strlen(e->key) + n < limits.field_size_max);
        hosts += strcasecmp(e->key, "Host") == 0;
    }
    FUZZ_REQUIRE(hosts <= 1);
}

static void check_head(apr_pool_t *p, const uint8_t *data, int rv, size_t size,
                       const kv_request_head_t *head)
{
    const char *cl;
    apr_off_t len;

    if (rv == KV_PARSE_ERROR) {
        FUZZ_REQUIRE(head->status >= 400 && head->status < 600 && head->reason != NULL);
        return;
    }
    if (rv == KV_PARSE_AGAIN) {
        return;
    }
    FUZZ_REQUIRE(rv > 0 && (size_t)rv <= size && data[rv - 1] == '\n');
    FUZZ_REQUIRE(head->method && head->target && head->protocol && head->headers);
    /* Strict: one space between the three parts, nothing else in the line. */
    FUZZ_REQUIRE(strcmp(head->request_line, apr_pstrcat(p, head->method, " ", head->target, " ",
                                                        head->protocol, NULL)) == 0);
    FUZZ_REQUIRE(strlen(head->request_line) <= limits.line_max);
    FUZZ_REQUIRE(is_token(head->method));
    FUZZ_REQUIRE(head->method_number == kv_method_number(head->method));
    FUZZ_REQUIRE(*head->target != '\0' && !has_ctl(head->target, 0) && !strchr(head->target, ' '));
    FUZZ_REQUIRE(strlen(head->protocol) == 8 && strncmp(head->protocol, "HTTP/1.", 7) == 0);
    FUZZ_REQUIRE(head->proto_num >= KV_HTTP_VERSION(1, 0) &&
                 head->proto_num <= KV_HTTP_VERSION(1, 9));
    check_fields(head->headers);
    cl = apr_table_get(head->headers, "Content-Length");
    if (cl != NULL && kv_parse_content_length(cl, &len) == 0) {
        FUZZ_REQUIRE(len >= 0 && apr_isdigit(cl[0]));
    }
}

/* RFC 9112 section 6: chunked (alone, last, in HTTP/1.1, without Content-Length) frames the
 * body, else Content-Length (every field the same number) does, else there is none. */
static void check_framing(apr_pool_t *p, const kv_request_head_t *head)
{
    kv_request_t *r = fuzz_make_request(p, "");
    const char *why = NULL, *te, *cl;
    apr_off_t len = 0;
    int status;

    r->method = head->method;
    r->method_number = head->method_number;
    r->protocol = head->protocol;
    r->proto_num = head->proto_num;
    r->headers_in = head->headers;
    r->per_dir_config = r->server->lookup_defaults;
    r->body_source = &kv_http1_body_source; /* as HTTP/1's loop gives its requests */
    status = kv_body_setup(r, &why);
    if (status != 0) {
        FUZZ_REQUIRE(status >= 400 && status < 600 && why != NULL && !kv_has_body(r));
        return;
    }
    te = apr_table_get(head->headers, "Transfer-Encoding");
    cl = apr_table_get(head->headers, "Content-Length");
    if (te != NULL) {
        FUZZ_REQUIRE(head->proto_num >= KV_HTTP_VERSION(1, 1) && cl == NULL && kv_has_body(r));
        return;
    }
    FUZZ_REQUIRE(cl == NULL || kv_parse_content_length(cl, &len) == 0);
    FUZZ_REQUIRE(r->remaining == len && kv_has_body(r) == (len > 0));
}

/* One byte more never turns a result around: done stays done, an error stays the same error,
 * and "need more" only follows "need more". */
static void check_resumable(apr_pool_t *p, const uint8_t *data, size_t size, int rv,
                            const kv_request_head_t *head)
{
    kv_request_head_t shorter;
    int prev;

    if (size == 0) {
        return;
    }
    prev = parse(p, data, size - 1, &shorter);
    if (prev > 0) {
        FUZZ_REQUIRE(rv == prev);
    } else if (prev == KV_PARSE_ERROR) {
        FUZZ_REQUIRE(rv == KV_PARSE_ERROR && head->status == shorter.status);
    }
    if (rv == KV_PARSE_AGAIN) {
        FUZZ_REQUIRE(prev == KV_PARSE_AGAIN);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_input_pool();
    kv_request_head_t head;
    int rv = parse(p, data, size, &head);

    check_head(p, data, rv, size, &head);
    check_resumable(p, data, size, rv, &head);
    if (rv > 0) {
        check_framing(p, &head);
    }
    apr_pool_destroy(p);
    return 0;
}
