/*
 * libFuzzer target for byte ranges (server/http/http_range.c): the Range parser, and for a body
 * small enough the byterange filter that cuts the response. The input is "LENGTH\nVALUE": the
 * representation's length in decimal, then the Range field value. Besides crashes it aborts
 * when a result breaks a promise: every range lies inside the body, no more than httpd's
 * limits; a 416 says "bytes * /LENGTH"; and the 206 body is exactly the slices asked for,
 * alone or as multipart/byteranges.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_buckets.h>
#include <apr_strings.h>

#include "fuzz_common.h"
#include "http_range.h"

/* Bodies up to this length also go through the filter. */
#define BODY_MAX 4096

/* The byte at @a i of the body. */
static char body_byte(apr_off_t i)
{
    return (char)('a' + i % 23);
}

/* Every range lies in the body. (Merging is with the range before only, as in httpd, so a
 * merged range may overlap one further back: "50-60,0-5,55-70,-200" gives 50-60,0-5,0-99.) */
static void check_ranges(const apr_array_header_t *ranges, apr_off_t length)
{
    FUZZ_REQUIRE(ranges->nelts >= 1 && ranges->nelts <= KV_MAX_RANGES);
    for (int i = 0; i < ranges->nelts; i++) {
        const kv_byte_range_t *r = &APR_ARRAY_IDX(ranges, i, kv_byte_range_t);
        FUZZ_REQUIRE(r->first >= 0 && r->first <= r->last && r->last < length);
    }
}

/* The network end of the chain: gathers what reaches it. */
typedef struct {
    char *buf;
    apr_size_t len;
    int eos;
} capture_t;

static apr_status_t capture_filter(kv_filter_t *f, apr_bucket_brigade *bb)
{
    capture_t *cap = f->ctx;
    char *flat;
    apr_size_t n;

    for (apr_bucket *b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        cap->eos |= APR_BUCKET_IS_EOS(b);
    }
    if (apr_brigade_pflatten(bb, &flat, &n, f->r->pool) != APR_SUCCESS) {
        abort();
    }
    cap->buf = apr_pstrcat(f->r->pool, cap->buf, apr_pstrmemdup(f->r->pool, flat, n), NULL);
    cap->len += n;
    apr_brigade_cleanup(bb);
    return APR_SUCCESS;
}

static const char *slice(apr_pool_t *p, const kv_byte_range_t *r)
{
    apr_size_t n = (apr_size_t)(r->last - r->first + 1);
    char *s = apr_palloc(p, n + 1);

    for (apr_size_t i = 0; i < n; i++) {
        s[i] = body_byte(r->first + (apr_off_t)i);
    }
    s[n] = '\0';
    return s;
}

static const char *range_text(apr_pool_t *p, const kv_byte_range_t *r, apr_off_t length)
{
    return apr_psprintf(p, "bytes %" APR_OFF_T_FMT "-%" APR_OFF_T_FMT "/%" APR_OFF_T_FMT, r->first,
                        r->last, length);
}

/* What the 206 body must be (RFC 9110 section 14.6 for several ranges). */
static const char *expected_body(kv_request_t *r, const apr_array_header_t *ranges,
                                 apr_off_t length)
{
    static const char prefix[] = "multipart/byteranges; boundary=";
    apr_array_header_t *parts = apr_array_make(r->pool, 4, sizeof(const char *));
    const char *boundary;

    if (ranges->nelts == 1) {
        const kv_byte_range_t *one = &APR_ARRAY_IDX(ranges, 0, kv_byte_range_t);
        FUZZ_REQUIRE(strcmp(apr_table_get(r->headers_out, "Content-Range"),
                            range_text(r->pool, one, length)) == 0);
        return slice(r->pool, one);
    }
    FUZZ_REQUIRE(strncmp(r->content_type, prefix, sizeof(prefix) - 1) == 0);
    FUZZ_REQUIRE(apr_table_get(r->headers_out, "Content-Range") == NULL);
    boundary = r->content_type + sizeof(prefix) - 1;
    for (int i = 0; i < ranges->nelts; i++) {
        const kv_byte_range_t *one = &APR_ARRAY_IDX(ranges, i, kv_byte_range_t);
        APR_ARRAY_PUSH(parts, const char *) =
            apr_pstrcat(r->pool, "\r\n--", boundary, "\r\nContent-Type: text/html\r\n",
                        "Content-Range: ", range_text(r->pool, one, length), "\r\n\r\n",
                        slice(r->pool, one), NULL);
    }
    APR_ARRAY_PUSH(parts, const char *) = apr_pstrcat(r->pool, "\r\n--", boundary, "--\r\n", NULL);
    return apr_array_pstrcat(r->pool, parts, '\0');
}

/* Send the body through the request's chain: whole with its end in one brigade (a file), or
 * when @a split in two brigades, the end in the second (a script's or a filter's output). */
static void send_body(kv_request_t *r, apr_off_t length, int split)
{
    apr_bucket_alloc_t *ba = r->connection->bucket_alloc;
    apr_bucket_brigade *bb = apr_brigade_create(r->pool, ba);
    char *body = apr_palloc(r->pool, (apr_size_t)length);
    apr_size_t half = split ? (apr_size_t)length / 2 : 0;

    for (apr_off_t i = 0; i < length; i++) {
        body[i] = body_byte(i);
    }
    if (half) {
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_transient_create(body, half, ba));
        FUZZ_REQUIRE(kv_pass_brigade(r->output_filters, bb) == APR_SUCCESS);
    }
    APR_BRIGADE_INSERT_TAIL(
        bb, apr_bucket_pool_create(body + half, (apr_size_t)length - half, r->pool, ba));
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(ba));
    FUZZ_REQUIRE(kv_pass_brigade(r->output_filters, bb) == APR_SUCCESS);
}

/* A request with the Range field @a value for a body of @a length, its chain ending in a
 * capture filter (*cap); kv_range_setup's answer in *rv. */
static kv_request_t *ranged_request(apr_pool_t *p, const char *value, apr_off_t length,
                                    capture_t **cap, kv_filter_t **net, int *rv)
{
    kv_request_t *r = fuzz_make_request(p, "x");

    *cap = apr_pcalloc(p, sizeof(**cap));
    (*cap)->buf = "";
    *net = kv_add_output_filter(r, "capture", capture_filter, KV_FTYPE_NETWORK, *cap);
    apr_table_setn(r->headers_in, "Range", value);
    *rv = kv_range_setup(r, length);
    return r;
}

/* kv_range_setup and the filter, for the ranges the parser gave (or none). */
static void check_filter(apr_pool_t *p, const char *value, apr_off_t length, kv_range_result_t res,
                         const apr_array_header_t *ranges)
{
    capture_t *cap;
    kv_filter_t *net;
    int rv;
    kv_request_t *r = ranged_request(p, value, length, &cap, &net, &rv);

    if (res == KV_RANGE_UNSATISFIABLE) {
        FUZZ_REQUIRE(rv == KV_HTTP_RANGE_NOT_SATISFIABLE);
        FUZZ_REQUIRE(strcmp(apr_table_get(r->err_headers_out, "Content-Range"),
                            apr_psprintf(p, "bytes */%" APR_OFF_T_FMT, length)) == 0);
        return;
    }
    FUZZ_REQUIRE(rv == KV_OK);
    FUZZ_REQUIRE((r->output_filters == net) == (res == KV_RANGE_IGNORE));
    if (res == KV_RANGE_IGNORE || length > BODY_MAX) {
        return;
    }
    send_body(r, length, 0);
    FUZZ_REQUIRE(cap->eos && r->status == KV_HTTP_PARTIAL_CONTENT);
    FUZZ_REQUIRE(r->clength == (apr_off_t)cap->len);
    FUZZ_REQUIRE(strlen(cap->buf) == cap->len);
    FUZZ_REQUIRE(strcmp(cap->buf, expected_body(r, ranges, length)) == 0);

    /* A body that comes in pieces is sent whole and unchanged, never held (as httpd's
     * byterange filter, which cuts only a body whose first brigade holds its end). */
    if (length < 2) {
        return;
    }
    r = ranged_request(p, value, length, &cap, &net, &rv);
    send_body(r, length, 1);
    FUZZ_REQUIRE(cap->eos && r->status != KV_HTTP_PARTIAL_CONTENT);
    FUZZ_REQUIRE(cap->len == (apr_size_t)length);
    for (apr_off_t i = 0; i < length; i++) {
        FUZZ_REQUIRE(cap->buf[i] == body_byte(i));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_input_pool();
    const char *text = apr_pstrmemdup(p, (const char *)data, size);
    const char *nl = strchr(text, '\n');
    apr_array_header_t *ranges = NULL;
    kv_range_result_t res;
    apr_off_t length;
    char *end;

    if (nl && apr_strtoff(&length, text, &end, 10) == APR_SUCCESS && end == nl && length >= 0) {
        const char *value = nl + 1;
        res = kv_range_parse(p, value, length, &ranges);
        FUZZ_REQUIRE(res == KV_RANGE_IGNORE || res == KV_RANGE_SATISFIABLE ||
                     res == KV_RANGE_UNSATISFIABLE);
        if (res != KV_RANGE_IGNORE) {
            FUZZ_REQUIRE(length > 0 && strncasecmp(value, "bytes=", 6) == 0);
        }
        if (res == KV_RANGE_SATISFIABLE) {
            check_ranges(ranges, length);
        }
        check_filter(p, value, length, res, ranges);
    }
    apr_pool_destroy(p);
    return 0;
}
