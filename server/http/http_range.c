/* Byte ranges (RFC 9110 section 14) as httpd answers them: a pure parser of the Range
 * field, the decision whether a response gets ranges, and the byterange filter that cuts
 * the finished body into the chosen slices without reading file buckets. */
#include <string.h>

#include <apr_general.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "http_conditional.h"
#include "http_range.h"
#include "kv_log.h"

#define KV_LOG_MODULE "core"

/* The largest apr_off_t: numbers past it saturate instead of wrapping. */
#define OFF_MAX ((apr_off_t)((((apr_uint64_t)1) << (sizeof(apr_off_t) * 8 - 1)) - 1))

/* How one range-spec reads. */
typedef enum { SPEC_INVALID, SPEC_UNSATISFIABLE, SPEC_SATISFIABLE } spec_kind_t;

/* Counters of httpd's limits on one Range field. */
typedef struct {
    int specs;
    int overlaps;
    int reversals;
} range_counts_t;

/* The decimal number at *s, saturating at OFF_MAX; -1 if no digit is there. */
static apr_off_t parse_number(const char **s)
{
    const char *p = *s;
    apr_off_t n = 0;

    if (!apr_isdigit(*p)) {
        return -1;
    }
    for (; apr_isdigit(*p); p++) {
        int digit = *p - '0';
        n = n > (OFF_MAX - digit) / 10 ? OFF_MAX : n * 10 + digit;
    }
    *s = p;
    return n;
}

/* "-N": the last N bytes, all of them if the body is shorter. */
static spec_kind_t parse_suffix(const char **s, apr_off_t length, kv_byte_range_t *out)
{
    apr_off_t suffix;

    (*s)++;
    if ((suffix = parse_number(s)) < 0) {
        return SPEC_INVALID;
    }
    if (suffix == 0) {
        return SPEC_UNSATISFIABLE;
    }
    out->first = suffix >= length ? 0 : length - suffix;
    out->last = length - 1;
    return SPEC_SATISFIABLE;
}

/* "first-last" or "first-": a last past the end is clamped to the end. */
static spec_kind_t parse_spec(const char **s, apr_off_t length, kv_byte_range_t *out)
{
    apr_off_t first, last = OFF_MAX;

    if (**s == '-') {
        return parse_suffix(s, length, out);
    }
    if ((first = parse_number(s)) < 0 || **s != '-') {
        return SPEC_INVALID;
    }
    (*s)++;
    if (apr_isdigit(**s)) {
        last = parse_number(s);
    }
    if (last < first) {
        return SPEC_INVALID;
    }
    if (first >= length) {
        return SPEC_UNSATISFIABLE;
    }
    out->first = first;
    out->last = last < length - 1 ? last : length - 1;
    return SPEC_SATISFIABLE;
}

static int ranges_touch(const kv_byte_range_t *a, const kv_byte_range_t *b)
{
    return b->first <= a->last + 1 && b->last + 1 >= a->first;
}

/* As httpd: a range that overlaps or touches the previous one is merged into it. */
static void merge_or_add(apr_array_header_t *ranges, const kv_byte_range_t *next,
                         range_counts_t *counts)
{
    if (ranges->nelts > 0) {
        kv_byte_range_t *prev = &APR_ARRAY_IDX(ranges, ranges->nelts - 1, kv_byte_range_t);
        if (ranges_touch(prev, next)) {
            prev->first = next->first < prev->first ? next->first : prev->first;
            prev->last = next->last > prev->last ? next->last : prev->last;
            counts->overlaps++;
            return;
        }
        if (next->first < prev->first) {
            counts->reversals++;
        }
    }
    APR_ARRAY_PUSH(ranges, kv_byte_range_t) = *next;
}

static int within_limits(const range_counts_t *counts)
{
    return counts->specs <= KV_MAX_RANGES && counts->overlaps <= KV_MAX_RANGE_OVERLAPS &&
           counts->reversals <= KV_MAX_RANGE_REVERSALS;
}

kv_range_result_t kv_range_parse(apr_pool_t *p, const char *value, apr_off_t length,
                                 apr_array_header_t **ranges)
{
    range_counts_t counts = {0, 0, 0};
    apr_array_header_t *out;
    const char *s;

    if (!value || strncasecmp(value, "bytes=", 6) != 0 || length <= 0) {
        return KV_RANGE_IGNORE;
    }
    out = apr_array_make(p, 4, sizeof(kv_byte_range_t));
    for (s = value + 6;;) {
        kv_byte_range_t range;
        spec_kind_t kind;
        /* Empty list elements are allowed (RFC 9110 section 5.6.1). */
        s += strspn(s, " \t,");
        if (*s == '\0') {
            break;
        }
        if ((kind = parse_spec(&s, length, &range)) == SPEC_INVALID) {
            return KV_RANGE_IGNORE;
        }
        counts.specs++;
        if (kind == SPEC_SATISFIABLE) {
            merge_or_add(out, &range, &counts);
        }
        s += strspn(s, " \t");
        if (*s != ',' && *s != '\0') {
            return KV_RANGE_IGNORE;
        }
    }
    if (counts.specs == 0 || !within_limits(&counts)) {
        return KV_RANGE_IGNORE;
    }
    if (out->nelts == 0) {
        return KV_RANGE_UNSATISFIABLE;
    }
    *ranges = out;
    return KV_RANGE_SATISFIABLE;
}

/* The byterange filter's state: the ranges chosen and the body held until complete. */
typedef struct {
    apr_array_header_t *ranges;
    apr_off_t length;
    apr_bucket_brigade *held;
    const char *value;  /* the Range field, to cut a body a filter changed (compressed) */
    int passing;        /* the body streams: it goes out whole */
} byterange_ctx_t;

static int range_applies(const kv_request_t *r)
{
    return r->method_number == KV_M_GET && (r->status == 0 || r->status == KV_HTTP_OK);
}

static int if_range_allows(kv_request_t *r)
{
    const char *if_range = apr_table_get(r->headers_in, "If-Range");

    return !if_range ||
           kv_if_range_matches(if_range, apr_table_get(r->headers_out, "ETag"), r->mtime);
}

int kv_range_setup(kv_request_t *r, apr_off_t length)
{
    const char *value = apr_table_get(r->headers_in, "Range");
    apr_array_header_t *ranges;
    byterange_ctx_t *ctx;

    if (!value || !range_applies(r) || !if_range_allows(r)) {
        return KV_OK;
    }
    switch (kv_range_parse(r->pool, value, length, &ranges)) {
    case KV_RANGE_UNSATISFIABLE:
        apr_table_setn(r->err_headers_out, "Content-Range",
                       apr_psprintf(r->pool, "bytes */%" APR_OFF_T_FMT, length));
        return KV_HTTP_RANGE_NOT_SATISFIABLE;
    case KV_RANGE_SATISFIABLE:
        ctx = apr_pcalloc(r->pool, sizeof(*ctx));
        ctx->ranges = ranges;
        ctx->length = length;
        ctx->value = value;
        ctx->held = apr_brigade_create(r->pool, r->connection->bucket_alloc);
        kv_add_output_filter(r, "byterange", kv_byterange_filter, KV_FTYPE_CONTENT_SET, ctx);
        return KV_OK;
    default:
        return KV_OK;
    }
}

/* Move @a bb into the held body; 1 once its end (EOS) has arrived. */
static int hold_body(kv_request_t *r, byterange_ctx_t *ctx, apr_bucket_brigade *bb,
                     apr_status_t *rv)
{
    int complete = 0;

    *rv = APR_SUCCESS;
    while (!APR_BRIGADE_EMPTY(bb)) {
        apr_bucket *b = APR_BRIGADE_FIRST(bb);
        if (complete || APR_BUCKET_IS_EOS(b)) {
            complete = 1;
            apr_bucket_delete(b);
            continue;
        }
        if ((*rv = apr_bucket_setaside(b, r->pool)) != APR_SUCCESS) {
            return 0;
        }
        APR_BUCKET_REMOVE(b);
        APR_BRIGADE_INSERT_TAIL(ctx->held, b);
    }
    return complete;
}

/* Append @a text (from the request pool) as a bucket of its own, never into a shared one. */
static void append_text(kv_request_t *r, apr_bucket_brigade *out, const char *text)
{
    APR_BRIGADE_INSERT_TAIL(out,
                            apr_bucket_pool_create(text, strlen(text), r->pool, out->bucket_alloc));
}

/* Copies of the held buckets of bytes first..last: file buckets stay file buckets. */
static apr_status_t copy_range(apr_bucket_brigade *held, apr_bucket_brigade *out,
                               const kv_byte_range_t *range)
{
    apr_bucket *from, *to;
    apr_status_t rv;

    if ((rv = apr_brigade_partition(held, range->first, &from)) != APR_SUCCESS ||
        (rv = apr_brigade_partition(held, range->last + 1, &to)) != APR_SUCCESS) {
        return rv;
    }
    for (apr_bucket *b = from; b != to; b = APR_BUCKET_NEXT(b)) {
        apr_bucket *copy;
        if (APR_BUCKET_IS_METADATA(b)) {
            continue;
        }
        if ((rv = apr_bucket_copy(b, &copy)) != APR_SUCCESS) {
            return rv;
        }
        APR_BRIGADE_INSERT_TAIL(out, copy);
    }
    return APR_SUCCESS;
}

static const char *range_text(apr_pool_t *p, const kv_byte_range_t *range, apr_off_t length)
{
    return apr_psprintf(p, "bytes %" APR_OFF_T_FMT "-%" APR_OFF_T_FMT "/%" APR_OFF_T_FMT,
                        range->first, range->last, length);
}

/* A boundary that the request's time and random bits keep out of the content. */
static const char *make_boundary(kv_request_t *r)
{
    apr_uint64_t bits = 0;
    unsigned char rnd[sizeof(bits)];

    if (apr_generate_random_bytes(rnd, sizeof(rnd)) == APR_SUCCESS) {
        memcpy(&bits, rnd, sizeof(bits));
    }
    return apr_psprintf(r->pool, "%" APR_UINT64_T_HEX_FMT "%016" APR_UINT64_T_HEX_FMT,
                        (apr_uint64_t)r->request_time, bits);
}

static apr_status_t build_single(kv_request_t *r, byterange_ctx_t *ctx, apr_bucket_brigade *out)
{
    const kv_byte_range_t *range = &APR_ARRAY_IDX(ctx->ranges, 0, kv_byte_range_t);
    apr_status_t rv = copy_range(ctx->held, out, range);

    if (rv == APR_SUCCESS) {
        apr_table_setn(r->headers_out, "Content-Range", range_text(r->pool, range, ctx->length));
    }
    return rv;
}

/* multipart/byteranges (RFC 9110 section 14.6): each part has its own head. */
static apr_status_t build_multipart(kv_request_t *r, byterange_ctx_t *ctx, apr_bucket_brigade *out)
{
    const char *boundary = make_boundary(r);
    const char *type_line =
        r->content_type ? apr_pstrcat(r->pool, "Content-Type: ", r->content_type, "\r\n", NULL)
                        : "";
    apr_status_t rv;

    for (int i = 0; i < ctx->ranges->nelts; i++) {
        const kv_byte_range_t *range = &APR_ARRAY_IDX(ctx->ranges, i, kv_byte_range_t);
        append_text(r, out,
                    apr_pstrcat(r->pool, "\r\n--", boundary, "\r\n", type_line, "Content-Range: ",
                                range_text(r->pool, range, ctx->length), "\r\n\r\n", NULL));
        if ((rv = copy_range(ctx->held, out, range)) != APR_SUCCESS) {
            return rv;
        }
    }
    append_text(r, out, apr_pstrcat(r->pool, "\r\n--", boundary, "--\r\n", NULL));
    apr_table_unset(r->headers_out, "Content-Range");
    r->content_type = apr_pstrcat(r->pool, "multipart/byteranges; boundary=", boundary, NULL);
    return APR_SUCCESS;
}

/* The 206 body of the ranges into @a out, with its status, length and fields; anything
 * but APR_SUCCESS leaves @a out to be thrown away and the response as it was. */
static apr_status_t build_ranges(kv_request_t *r, byterange_ctx_t *ctx, apr_bucket_brigade *out)
{
    apr_off_t held_length = -1;
    apr_status_t rv = apr_brigade_length(ctx->held, 1, &held_length);

    if (rv == APR_SUCCESS && held_length != ctx->length) {
        /* A filter changed the body (compressed it): as httpd, the ranges are of the bytes
         * sent, so they are cut from the new body if they fit it. */
        if (kv_range_parse(r->pool, ctx->value, held_length, &ctx->ranges) !=
            KV_RANGE_SATISFIABLE) {
            kv_log_rerror(KV_LOG_MARK, KV_LOG_DEBUG, 0, r,
                          "KV00650: body is %" APR_OFF_T_FMT " bytes, not %" APR_OFF_T_FMT
                          ", and the ranges do not fit it: ranges ignored",
                          held_length, ctx->length);
            return APR_EGENERAL;
        }
        ctx->length = held_length;
    }
    if (rv == APR_SUCCESS) {
        rv = ctx->ranges->nelts == 1 ? build_single(r, ctx, out) : build_multipart(r, ctx, out);
    }
    if (rv != APR_SUCCESS) {
        return rv;
    }
    r->status = KV_HTTP_PARTIAL_CONTENT;
    return apr_brigade_length(out, 0, &r->clength);
}

/* The ranges of the held body, or all of it (a 200) if they cannot be cut from it. */
static apr_status_t send_ranges(kv_filter_t *f, byterange_ctx_t *ctx)
{
    kv_request_t *r = f->r;
    apr_bucket_brigade *out = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    apr_status_t rv;

    if (build_ranges(r, ctx, out) != APR_SUCCESS) {
        /* Partitioning only split buckets: the held body is still whole. */
        apr_brigade_cleanup(out);
        APR_BRIGADE_CONCAT(out, ctx->held);
    }
    APR_BRIGADE_INSERT_TAIL(out, apr_bucket_eos_create(out->bucket_alloc));
    rv = kv_pass_brigade(f->next, out);
    apr_brigade_cleanup(ctx->held);
    return rv;
}

apr_status_t kv_byterange_filter(kv_filter_t *f, apr_bucket_brigade *bb)
{
    byterange_ctx_t *ctx = f->ctx;
    apr_status_t rv;

    if (!ctx->passing && APR_BRIGADE_EMPTY(ctx->held) && !APR_BRIGADE_EMPTY(bb) &&
        !APR_BUCKET_IS_EOS(APR_BRIGADE_LAST(bb))) {
        /* As httpd: ranges are cut from a body that comes whole in its first brigade (a
         * file); one that a filter streams (compressed output) is sent whole, not held. */
        ctx->passing = 1;
    }
    if (ctx->passing) {
        return kv_pass_brigade(f->next, bb);
    }
    if (!hold_body(f->r, ctx, bb, &rv)) {
        return rv;
    }
    return send_ranges(f, ctx);
}
