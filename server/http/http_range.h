/* Byte ranges (RFC 9110 section 14): the Range parser and httpd's byterange filter.
 * Internal to the core. */
#ifndef KV_HTTP_RANGE_H
#define KV_HTTP_RANGE_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "kv_http.h"

/** httpd's MaxRanges default: more ranges than this and the whole body is sent. */
#define KV_MAX_RANGES 200
/** httpd's MaxRangeOverlaps default: more merged overlaps and the whole body is sent. */
#define KV_MAX_RANGE_OVERLAPS 20
/** httpd's MaxRangeReversals default: more ranges that go backwards and the whole is sent. */
#define KV_MAX_RANGE_REVERSALS 20

/** One satisfiable range, both ends inclusive, within the representation. */
typedef struct {
    apr_off_t first; /**< first byte */
    apr_off_t last;  /**< last byte, first <= last < length */
} kv_byte_range_t;

/** What a Range header field asks of a representation of a known length. */
typedef enum {
    KV_RANGE_IGNORE,       /**< no ranges, invalid syntax, too many, or an empty body: 200 */
    KV_RANGE_SATISFIABLE,  /**< the ranges to send: 206 */
    KV_RANGE_UNSATISFIABLE /**< valid, but no range overlaps the body: 416 */
} kv_range_result_t;

/** Parse the Range field value @a value ("bytes=0-9,-5") against @a length bytes.
 * Ends past the body are clamped, numbers too large for apr_off_t saturate, ranges that
 * overlap or touch the one before are merged as httpd does. On KV_RANGE_SATISFIABLE
 * *ranges holds kv_byte_range_t in request order, allocated from @a p. */
kv_range_result_t kv_range_parse(apr_pool_t *p, const char *value, apr_off_t length,
                                 apr_array_header_t **ranges);

/** For a GET of @a length bytes whose status is still 200: apply the request's Range
 * (if If-Range allows) by inserting the byterange filter, or refuse it.
 * @return KV_OK (the filter is in the chain or no range applies), or
 * KV_HTTP_RANGE_NOT_SATISFIABLE with "Content-Range: bytes *\/LEN" in r->err_headers_out. */
int kv_range_setup(kv_request_t *r, apr_off_t length);

/** The byterange filter (KV_FTYPE_CONTENT_SET): once the body is complete, sends only the
 * ranges kv_range_setup chose, as one 206 slice or multipart/byteranges. As httpd: a body
 * whose first brigade is not the whole of it (a filter before streams it, compressed) goes
 * out whole, never held; one a filter changed but passed whole is cut by the Range field
 * parsed again against its new length. */
apr_status_t kv_byterange_filter(kv_filter_t *f, apr_bucket_brigade *bb);

#endif
