/* Tests of server/http/chunk_filter.c: brigades framed as chunks, behind the response head. */
/* Moved from tests/unit/server/test_chunk_filter.c (server/ split into layer folders). */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <check.h>

#include "chunk_filter.h"
#include "../../check_run.h"

static apr_pool_t *pool;
static apr_bucket_alloc_t *ba;
static kv_conn_t conn;
static kv_filter_t head_filter, sink;
static char *wire; /* what reached the end of the chain */
static int passes;

static apr_status_t capture(kv_filter_t *f, apr_bucket_brigade *bb)
{
    char *bytes;
    apr_size_t len;

    (void)f;
    passes++;
    ck_assert_int_eq(apr_brigade_pflatten(bb, &bytes, &len, pool), APR_SUCCESS);
    wire = apr_pstrcat(pool, wire, apr_pstrmemdup(pool, bytes, len), NULL);
    apr_brigade_cleanup(bb);
    return APR_SUCCESS;
}

static void setup(void)
{
    kvu_apr_pool_setup(&pool);
    ba = apr_bucket_alloc_create(pool);
    memset(&conn, 0, sizeof(conn));
    conn.pool = pool;
    conn.bucket_alloc = ba;
    memset(&sink, 0, sizeof(sink));
    sink.func = capture;
    sink.c = &conn;
    memset(&head_filter, 0, sizeof(head_filter));
    head_filter.c = &conn;
    head_filter.next = &sink;
    wire = "";
    passes = 0;
}

static void teardown(void)
{
    kvu_apr_pool_teardown(pool);
}

static apr_bucket_brigade *brigade(const char *data)
{
    apr_bucket_brigade *bb = apr_brigade_create(pool, ba);
    if (data) {
        apr_brigade_puts(bb, NULL, NULL, data);
    }
    return bb;
}

static void add_eos(apr_bucket_brigade *bb)
{
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(ba));
}

KVU_CASE(framing, "framing", setup, teardown);

KVC_TEST(framing, test_head_then_chunks_then_last_chunk)
{
    kv_filter_t *chunk = kv_chunk_filter_insert(&head_filter, brigade("HEAD\r\n\r\n"));
    ck_assert_ptr_eq(head_filter.next, chunk);
    ck_assert_ptr_eq(chunk->next, &sink);
    ck_assert_int_eq(kv_pass_brigade(chunk, brigade("hello")), APR_SUCCESS);
    ck_assert_str_eq(wire, "HEAD\r\n\r\n5\r\nhello\r\n");
    apr_bucket_brigade *bb = brigade("0123456789abcdefg");
    add_eos(bb);
    ck_assert_int_eq(kv_pass_brigade(chunk, bb), APR_SUCCESS);
    ck_assert_str_eq(wire, "HEAD\r\n\r\n5\r\nhello\r\n11\r\n0123456789abcdefg\r\n0\r\n\r\n");
}
END_TEST

KVC_TEST(framing, test_several_buckets_one_chunk_flush_splits)
{
    kv_filter_t *chunk = kv_chunk_filter_insert(&head_filter, NULL);
    apr_bucket_brigade *bb = brigade("ab");
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_immortal_create("cd", 2, ba));
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_immortal_create("", 0, ba));
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_flush_create(ba));
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_immortal_create("e", 1, ba));
    add_eos(bb);
    ck_assert_int_eq(kv_pass_brigade(chunk, bb), APR_SUCCESS);
    ck_assert_str_eq(wire, "4\r\nabcd\r\n1\r\ne\r\n0\r\n\r\n");
}
END_TEST

KVC_TEST(framing, test_empty_and_metadata_only_brigades)
{
    kv_filter_t *chunk = kv_chunk_filter_insert(&head_filter, brigade("H\r\n\r\n"));
    ck_assert_int_eq(kv_pass_brigade(chunk, brigade(NULL)), APR_SUCCESS);
    ck_assert_str_eq(wire, "H\r\n\r\n");
    apr_bucket_brigade *bb = brigade(NULL);
    add_eos(bb);
    ck_assert_int_eq(kv_pass_brigade(chunk, bb), APR_SUCCESS);
    /* The head went out once; an empty chunk is never sent before the last one. */
    ck_assert_str_eq(wire, "H\r\n\r\n0\r\n\r\n");
    ck_assert_int_eq(passes, 2);
}
END_TEST

int main(void)
{
    return kvc_run("chunk_filter");
}
