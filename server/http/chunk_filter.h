/* The chunked transfer coding of responses (chunk_filter.c). Internal to the core. */
#ifndef KV_CHUNK_FILTER_H
#define KV_CHUNK_FILTER_H

#include "kv_http.h"

/** Frame the data of each brigade as one chunk (RFC 9112 section 7.1) and end the body
 * with the last chunk before EOS. A pending response head goes out in front, unframed. */
apr_status_t kv_chunk_filter(kv_filter_t *f, apr_bucket_brigade *bb);

/** Put a chunk filter right after @a f; @a head (the serialised response head) is sent
 * before the first chunk. Returns the new filter. */
kv_filter_t *kv_chunk_filter_insert(kv_filter_t *f, apr_bucket_brigade *head);

#endif
