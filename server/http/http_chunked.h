/**
 * @file http_chunked.h
 * @brief The chunked transfer coding decoder of RFC 9112 section 7.1 (internal to the core).
 *
 * Pure and resumable: the caller feeds the bytes it has, the decoder says how many it took
 * and what they were (body data, nothing yet, the end, or an error with its HTTP status). It
 * never reads a socket and never logs. Every byte is looked at once, so a client sending a
 * byte at a time costs no more than one sending it all at once, and the result is the same.
 */
#ifndef KV_HTTP_CHUNKED_H
#define KV_HTTP_CHUNKED_H

#include <apr_pools.h>
#include <apr_tables.h>

/** What a call of kv_chunked_decode() found. */
typedef enum {
    KV_CHUNKED_AGAIN, /**< every byte given was framing: call again with more */
    KV_CHUNKED_DATA,  /**< body bytes, in kv_chunked_out_t.data */
    KV_CHUNKED_DONE,  /**< the trailer section has ended: the body is complete */
    KV_CHUNKED_ERROR  /**< malformed or over a limit: see kv_chunked_t.status and .reason */
} kv_chunked_result_t;

/** The limits a chunked body is decoded under. */
typedef struct {
    apr_size_t line_max; /**< LimitRequestFieldSize: longest chunk line or trailer field,
                              without its CRLF */
    int fields_max;      /**< LimitRequestFields: most trailer fields; 0 is unlimited */
    apr_off_t body_max;  /**< LimitRequestBody: most body bytes in all chunks; 0 is unlimited */
} kv_chunked_limits_t;

/** A decoder. Only status, reason and trailers are for the caller to read. */
typedef struct {
    int state;
    kv_chunked_limits_t lim;
    apr_pool_t *pool;
    apr_off_t size;        /**< the chunk size being read, then what is left of its data */
    apr_off_t total;       /**< body bytes announced by the chunk sizes so far */
    apr_size_t line_len;   /**< bytes of the current line so far, without its CRLF */
    char *field;           /**< the trailer field being read, in a buffer made on first use */
    apr_size_t field_cap;  /**< the buffer's size, doubled as needed up to line_max */
    int nfields;           /**< trailer fields so far */
    int status;            /**< on error: the HTTP status to answer (400 or 413) */
    const char *reason;    /**< on error: short static text for the error log */
    apr_table_t *trailers; /**< the trailer fields, names as received, values trimmed of OWS */
} kv_chunked_t;

/** Where a call of kv_chunked_decode() got to. */
typedef struct {
    apr_size_t used;     /**< bytes of the input taken (framing, and the data if any) */
    const char *data;    /**< KV_CHUNKED_DATA: body bytes, pointing into the input */
    apr_size_t data_len; /**< KV_CHUNKED_DATA: how many (> 0) */
} kv_chunked_out_t;

/** Start decoding a chunked body under @a lim; the trailer fields go into a table in @a p. */
void kv_chunked_init(kv_chunked_t *d, apr_pool_t *p, const kv_chunked_limits_t *lim);

/**
 * Decode the next bytes of a chunked body.
 * @param buf  bytes that follow those taken by the previous calls
 * @param len  how many (may be 0)
 * @param room the most body bytes to return at once (> 0)
 * @param out  how many bytes were taken, and the body data if any
 * @return KV_CHUNKED_DATA after at most @a room body bytes (framing before them taken
 *         too); KV_CHUNKED_AGAIN when all of @a buf was framing; KV_CHUNKED_DONE once the
 *         final CRLF is taken (what follows it is not the body's); KV_CHUNKED_ERROR with
 *         out->used counting the byte at which the fault showed (a trailer field is
 *         checked at the end of its line). DONE and ERROR are final: later calls
 *         take nothing and return them again.
 */
kv_chunked_result_t kv_chunked_decode(kv_chunked_t *d, const char *buf, apr_size_t len,
                                      apr_size_t room, kv_chunked_out_t *out);

#endif
