/* The chunk filter: the header filter puts it behind itself when a response to an HTTP/1.1
 * client has no length known in advance. Each brigade's run of data becomes one chunk;
 * a flush or the end closes the run; EOS gets the last chunk (no trailers). */
#include <apr_strings.h>

#include "chunk_filter.h"

typedef struct {
    apr_bucket_brigade *head; /* the response head, sent once in front of the body */
} chunk_ctx_t;

static const char crlf[] = "\r\n";
static const char last_chunk[] = "0\r\n\r\n";

static apr_bucket *immortal(apr_bucket_alloc_t *a, const char *s, apr_size_t len)
{
    return apr_bucket_immortal_create(s, len, a);
}

/* Wrap the data buckets [first, stop) of @a len bytes in a chunk-size line and CRLF. */
static void frame_run(apr_bucket_brigade *bb, apr_bucket *first, apr_bucket *stop, apr_off_t len)
{
    char size[32];
    apr_size_t n = (apr_size_t)apr_snprintf(size, sizeof(size), "%" APR_UINT64_T_HEX_FMT "\r\n",
                                            (apr_uint64_t)len);
    apr_bucket *b = apr_bucket_heap_create(size, n, NULL, bb->bucket_alloc);

    APR_BUCKET_INSERT_BEFORE(first, b);
    b = immortal(bb->bucket_alloc, crlf, sizeof(crlf) - 1);
    if (stop == APR_BRIGADE_SENTINEL(bb)) {
        APR_BRIGADE_INSERT_TAIL(bb, b);
    } else {
        APR_BUCKET_INSERT_BEFORE(stop, b);
    }
}

/* The bucket's length, reading it first if it is not known (a pipe, a socket). */
static apr_status_t known_length(apr_bucket *b, apr_size_t *len)
{
    if (b->length == (apr_size_t)-1) {
        const char *data;
        apr_status_t rv = apr_bucket_read(b, &data, len, APR_BLOCK_READ);
        if (rv != APR_SUCCESS) {
            return rv;
        }
    }
    *len = b->length;
    return APR_SUCCESS;
}

static apr_status_t frame_brigade(apr_bucket_brigade *bb)
{
    apr_bucket *first = NULL;
    apr_off_t run = 0;

    for (apr_bucket *b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        apr_size_t len;
        if (APR_BUCKET_IS_METADATA(b)) {
            if (run > 0) {
                frame_run(bb, first, b, run);
            }
            first = NULL;
            run = 0;
            if (APR_BUCKET_IS_EOS(b)) {
                APR_BUCKET_INSERT_BEFORE(
                    b, immortal(bb->bucket_alloc, last_chunk, sizeof(last_chunk) - 1));
            }
            continue;
        }
        apr_status_t rv = known_length(b, &len);
        if (rv != APR_SUCCESS) {
            return rv;
        }
        if (len > 0 && !first) {
            first = b;
        }
        run += (apr_off_t)len;
    }
    if (run > 0) {
        frame_run(bb, first, APR_BRIGADE_SENTINEL(bb), run);
    }
    return APR_SUCCESS;
}

apr_status_t kv_chunk_filter(kv_filter_t *f, apr_bucket_brigade *bb)
{
    chunk_ctx_t *ctx = f->ctx;
    apr_status_t rv = frame_brigade(bb);

    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (ctx && ctx->head) {
        apr_bucket_brigade *head = ctx->head;
        ctx->head = NULL;
        APR_BRIGADE_PREPEND(bb, head);
    }
    return kv_pass_brigade(f->next, bb);
}

kv_filter_t *kv_chunk_filter_insert(kv_filter_t *f, apr_bucket_brigade *head)
{
    apr_pool_t *p = f->r ? f->r->pool : f->c->pool;
    kv_filter_t *chunk = apr_pcalloc(p, sizeof(*chunk));
    chunk_ctx_t *ctx = apr_pcalloc(p, sizeof(*ctx));

    ctx->head = head;
    chunk->name = "chunk";
    chunk->func = kv_chunk_filter;
    chunk->type = KV_FTYPE_PROTOCOL;
    chunk->ctx = ctx;
    chunk->r = f->r;
    chunk->c = f->c;
    chunk->next = f->next;
    f->next = chunk;
    return chunk;
}
