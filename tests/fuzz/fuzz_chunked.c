/*
 * libFuzzer target for the chunked decoder (server/http/http_chunked.c; see README.md). The first
 * input byte picks the room a call has for data and whether LimitRequestBody is set; the
 * rest is the body. Besides crashes and sanitizer reports, it aborts when a result breaks a
 * promise: the input fed whole, a byte at a time, or in pieces of another size decodes to the
 * same data, the same end and the same trailer fields; the data never outgrows the input or
 * the limits; every call takes what it says and points only into what it was given.
 */
#include <string.h>

#include <apr_strings.h>

#include "fuzz_common.h"
#include "http_chunked.h"
#include "kv_http.h"

/* Small limits, so that the fuzzer reaches them. */
static const kv_chunked_limits_t limits = {.line_max = 40, .fields_max = 4, .body_max = 100};

typedef struct {
    kv_chunked_result_t rc;
    kv_chunked_t d;
    char *data;
    size_t ndata;
    size_t taken;
} run_t;

/* Every call's promises about what it took and returned. */
static void check_call(kv_chunked_result_t rc, const kv_chunked_out_t *out, const char *given,
                       size_t len, size_t room)
{
    FUZZ_REQUIRE(out->used <= len);
    if (rc == KV_CHUNKED_DATA) {
        FUZZ_REQUIRE(out->data_len > 0 && out->data_len <= room && out->data_len <= out->used);
        FUZZ_REQUIRE(out->data == given + out->used - out->data_len);
    } else {
        FUZZ_REQUIRE(out->data == NULL && out->data_len == 0);
    }
    if (rc == KV_CHUNKED_AGAIN) {
        FUZZ_REQUIRE(out->used == len);
    }
}

/* Decode @a len bytes arriving @a step at a time, @a room data bytes a call at most; bytes
 * not taken are given again with the next, as the connection's buffer keeps them. */
static void decode(apr_pool_t *p, const kv_chunked_limits_t *lim, const char *in, size_t len,
                   size_t step, size_t room, run_t *run)
{
    size_t have = step < len ? step : len;

    kv_chunked_init(&run->d, p, lim);
    run->data = apr_palloc(p, len + 1);
    run->ndata = 0;
    run->taken = 0;
    run->rc = KV_CHUNKED_AGAIN;
    /* Each call takes a byte, or asks for more: at most twice the input's length. */
    for (size_t calls = 0; calls <= 2 * len + 2; calls++) {
        kv_chunked_out_t out;
        kv_chunked_result_t rc =
            kv_chunked_decode(&run->d, in + run->taken, have - run->taken, room, &out);
        check_call(rc, &out, in + run->taken, have - run->taken, room);
        if (rc == KV_CHUNKED_DATA) {
            memcpy(run->data + run->ndata, out.data, out.data_len);
            run->ndata += out.data_len;
        }
        run->taken += out.used;
        if (rc == KV_CHUNKED_DONE || rc == KV_CHUNKED_ERROR) {
            run->rc = rc;
            return;
        }
        if (rc == KV_CHUNKED_AGAIN) {
            if (have == len) {
                return;
            }
            have = have + step < len ? have + step : len;
        }
    }
    fuzz_broken("a call takes a byte or asks for more", __FILE__, __LINE__);
}

static void check_alone(const run_t *run, size_t len)
{
    const apr_array_header_t *h = apr_table_elts(run->d.trailers);
    const apr_table_entry_t *e = (const apr_table_entry_t *)h->elts;

    FUZZ_REQUIRE(run->ndata <= len && run->taken <= len);
    FUZZ_REQUIRE(run->d.lim.body_max == 0 || (apr_off_t)run->ndata <= run->d.lim.body_max);
    if (run->rc == KV_CHUNKED_ERROR) {
        FUZZ_REQUIRE(run->d.status == KV_HTTP_BAD_REQUEST ||
                     run->d.status == KV_HTTP_REQUEST_ENTITY_TOO_LARGE);
        FUZZ_REQUIRE(run->d.reason != NULL);
    } else {
        FUZZ_REQUIRE(run->d.status == 0 && run->d.reason == NULL);
    }
    FUZZ_REQUIRE(h->nelts <= limits.fields_max);
    for (int i = 0; i < h->nelts; i++) {
        size_t klen = strlen(e[i].key), vlen = strlen(e[i].val);
        FUZZ_REQUIRE(klen > 0 && klen + 1 + vlen <= limits.line_max);
        FUZZ_REQUIRE(strpbrk(e[i].key, " \t:\r\n") == NULL && strpbrk(e[i].val, "\r\n") == NULL);
    }
}

static void check_same(const run_t *a, const run_t *b)
{
    const apr_array_header_t *ha = apr_table_elts(a->d.trailers);
    const apr_array_header_t *hb = apr_table_elts(b->d.trailers);

    FUZZ_REQUIRE(a->rc == b->rc && a->d.status == b->d.status && a->d.reason == b->d.reason);
    FUZZ_REQUIRE(a->ndata == b->ndata && memcmp(a->data, b->data, a->ndata) == 0);
    if (a->rc == KV_CHUNKED_DONE) {
        FUZZ_REQUIRE(a->taken == b->taken);
    }
    FUZZ_REQUIRE(ha->nelts == hb->nelts);
    for (int i = 0; i < ha->nelts; i++) {
        const apr_table_entry_t *ea = (const apr_table_entry_t *)ha->elts + i;
        const apr_table_entry_t *eb = (const apr_table_entry_t *)hb->elts + i;
        FUZZ_REQUIRE(strcmp(ea->key, eb->key) == 0 && strcmp(ea->val, eb->val) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    const char *in = (const char *)data + 1;
    kv_chunked_limits_t lim = limits;
    size_t len, room;
    run_t whole, bytewise, pieces;

    if (size == 0) {
        return 0;
    }
    p = fuzz_input_pool();
    len = size - 1;
    room = (size_t)(data[0] >> 1) + 1;
    if (!(data[0] & 1)) {
        lim.body_max = 0;
    }
    decode(p, &lim, in, len, len, 1 << 16, &whole);
    decode(p, &lim, in, len, 1, room, &bytewise);
    decode(p, &lim, in, len, room, 1, &pieces);
    check_alone(&whole, len);
    check_same(&whole, &bytewise);
    check_same(&whole, &pieces);
    apr_pool_destroy(p);
    return 0;
}
