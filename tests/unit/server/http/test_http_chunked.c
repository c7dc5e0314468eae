/* Tests of server/http/http_chunked.c: the chunked decoder, every form fed whole, a byte at a
 * time and with room for one data byte at a time, which must all give the same result. */
/* Moved from tests/unit/server/test_http_chunked.c (server/ split into layer folders). */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <check.h>

#include "http_chunked.h"
#include "kv_http.h"
#include "../../check_run.h"

/* What follows the body on the wire: never the decoder's to take. */
#define NEXT "GET / HTTP/1.1\r\n"

static apr_pool_t *pool;
static kv_chunked_limits_t lim;

static void setup(void)
{
    kvu_apr_pool_setup(&pool);
    lim.line_max = 8190;
    lim.fields_max = 100;
    lim.body_max = 0;
}

static void teardown(void)
{
    kvu_apr_pool_teardown(pool);
}

/* The outcome of decoding one input. */
typedef struct {
    kv_chunked_result_t rc; /* DONE, ERROR, or AGAIN when the input ran out */
    int status;
    const char *reason;
    char *data;       /* every data byte, in order */
    apr_size_t taken; /* input bytes taken in all */
    apr_table_t *trailers;
    int calls;
} decoded_t;

/*
 * Decode @a len bytes as a client sending @a step bytes at a time would have them decoded
 * (0: all at once), with room for @a room data bytes a call. Bytes not taken are given again
 * with the next ones, as the connection's buffer keeps them.
 */
static decoded_t decode(const char *in, apr_size_t len, apr_size_t step, apr_size_t room)
{
    kv_chunked_t d;
    decoded_t res = {KV_CHUNKED_AGAIN, 0, NULL, apr_pcalloc(pool, len + 1), 0, NULL, 0};
    apr_size_t have = step == 0 || step > len ? len : step, ndata = 0;

    kv_chunked_init(&d, pool, &lim);
    /* Each call takes a byte or more, or asks for more: bounded by twice the input. */
    for (int guard = 0; guard <= 2 * (int)len + 2; guard++) {
        kv_chunked_out_t out;
        kv_chunked_result_t rc =
            kv_chunked_decode(&d, in + res.taken, have - res.taken, room, &out);
        res.calls++;
        ck_assert_uint_le(out.used, have - res.taken);
        if (rc == KV_CHUNKED_DATA) {
            ck_assert_uint_gt(out.data_len, 0);
            ck_assert_uint_le(out.data_len, room);
            ck_assert_ptr_eq(out.data + out.data_len, in + res.taken + out.used);
            memcpy(res.data + ndata, out.data, out.data_len);
            ndata += out.data_len;
        } else {
            ck_assert_uint_eq(out.data_len, 0);
        }
        res.taken += out.used;
        if (rc == KV_CHUNKED_DONE || rc == KV_CHUNKED_ERROR) {
            res.rc = rc;
            break;
        }
        if (rc == KV_CHUNKED_AGAIN) {
            ck_assert_uint_eq(res.taken, have);
            if (have == len) {
                break;
            }
            have = step == 0 || have + step > len ? len : have + step;
        }
    }
    res.status = d.status;
    res.reason = d.reason;
    res.trailers = d.trailers;
    return res;
}

/* Decoded whole, a byte at a time, and one data byte a call: the same every way. */
static decoded_t decode_every_way(const char *in, apr_size_t len)
{
    decoded_t whole = decode(in, len, 0, 1 << 16);
    const decoded_t ways[] = {decode(in, len, 1, 1 << 16), decode(in, len, 0, 1),
                              decode(in, len, 3, 2)};

    for (size_t i = 0; i < sizeof(ways) / sizeof(ways[0]); i++) {
        ck_assert_msg(ways[i].rc == whole.rc, "%.40s: way %zu gives %d, whole %d", in, i,
                      ways[i].rc, whole.rc);
        ck_assert_int_eq(ways[i].status, whole.status);
        ck_assert_str_eq(ways[i].data, whole.data);
        ck_assert_pstr_eq(ways[i].reason, whole.reason);
        if (whole.rc == KV_CHUNKED_DONE) {
            ck_assert_uint_eq(ways[i].taken, whole.taken);
        }
    }
    return whole;
}

static decoded_t decode_str(const char *in)
{
    return decode_every_way(in, strlen(in));
}

#define GOOD_FILE "tests/unit/server/http/http_chunked_valid.vectors"
#define GOOD 23 /* the vectors in GOOD_FILE */

KVU_CASE(decoder_case, "decoder", setup, teardown);

/* Each valid body decodes to its data, takes exactly its own bytes and leaves the next
 * request's; a call after the end takes nothing. */
KVC_LOOP_TEST(decoder_case, test_valid, 0, GOOD)
{
    const struct kvc_vector *v = kvc_vector(GOOD_FILE, GOOD, 2, _i);
    size_t blen = strlen(v->field[0]);
    char *in = apr_pstrcat(pool, v->field[0], NEXT, NULL);
    decoded_t res = decode_str(in);

    ck_assert_msg(res.rc == KV_CHUNKED_DONE, "%s:%d: %.40s: %d %s", v->file, v->line, v->field[0],
                  res.rc, res.reason ? res.reason : "");
    ck_assert_msg(res.taken == blen, "%s:%d: took %zu of %zu", v->file, v->line, res.taken, blen);
    ck_assert_msg(strcmp(res.data, v->field[1]) == 0, "%s:%d: data '%s'", v->file, v->line,
                  res.data);
}
END_TEST

/* Chunk data is any bytes, NUL and CRLF too. */
KVC_TEST(decoder_case, test_valid_binary_data)
{
    static const char in[] = "4\r\n\0\r\n\0\r\n0\r\n\r\n" NEXT;
    decoded_t res = decode_every_way(in, sizeof(in) - 1);

    ck_assert_int_eq(res.rc, KV_CHUNKED_DONE);
    ck_assert_uint_eq(res.taken, sizeof(in) - 1 - strlen(NEXT));
    ck_assert_int_eq(memcmp(res.data, "\0\r\n\0", 4), 0);
}
END_TEST

KVC_TEST(decoder_case, test_done_and_error_are_final)
{
    kv_chunked_t d;
    kv_chunked_out_t out;

    kv_chunked_init(&d, pool, &lim);
    ck_assert_int_eq(kv_chunked_decode(&d, "0\r\n\r\n" NEXT, 21, 10, &out), KV_CHUNKED_DONE);
    ck_assert_uint_eq(out.used, 5);
    ck_assert_int_eq(kv_chunked_decode(&d, NEXT, 16, 10, &out), KV_CHUNKED_DONE);
    ck_assert_uint_eq(out.used, 0);

    kv_chunked_init(&d, pool, &lim);
    ck_assert_int_eq(kv_chunked_decode(&d, "5\nhello", 7, 10, &out), KV_CHUNKED_ERROR);
    ck_assert_uint_eq(out.used, 2);
    ck_assert_int_eq(d.status, KV_HTTP_BAD_REQUEST);
    ck_assert_int_eq(kv_chunked_decode(&d, "0\r\n\r\n", 5, 10, &out), KV_CHUNKED_ERROR);
    ck_assert_uint_eq(out.used, 0);
}
END_TEST

/* Data comes in spans no longer than the room given, pointing into the input. */
KVC_TEST(decoder_case, test_data_spans)
{
    kv_chunked_t d;
    kv_chunked_out_t out;
    static const char in[] = "a\r\n0123456789\r\n0\r\n\r\n";

    kv_chunked_init(&d, pool, &lim);
    ck_assert_int_eq(kv_chunked_decode(&d, in, 3, 4, &out), KV_CHUNKED_AGAIN);
    ck_assert_uint_eq(out.used, 3);
    ck_assert_int_eq(kv_chunked_decode(&d, in + 3, sizeof(in) - 4, 4, &out), KV_CHUNKED_DATA);
    ck_assert_ptr_eq(out.data, in + 3);
    ck_assert_uint_eq(out.data_len, 4);
    ck_assert_uint_eq(out.used, 4);
    ck_assert_int_eq(kv_chunked_decode(&d, in + 7, 6, 100, &out), KV_CHUNKED_DATA);
    ck_assert_ptr_eq(out.data, in + 7);
    ck_assert_uint_eq(out.data_len, 6);
    ck_assert_int_eq(kv_chunked_decode(&d, in + 13, 0, 100, &out), KV_CHUNKED_AGAIN);
    ck_assert_uint_eq(out.used, 0);
    ck_assert_int_eq(kv_chunked_decode(&d, in + 13, sizeof(in) - 14, 100, &out), KV_CHUNKED_DONE);
}
END_TEST

#define BAD_FILE "tests/unit/server/http/http_chunked_invalid.vectors"
#define BAD 61 /* the vectors in BAD_FILE */

KVC_LOOP_TEST(decoder_case, test_invalid, 0, BAD)
{
    const struct kvc_vector *v = kvc_vector(BAD_FILE, BAD, 2, _i);
    decoded_t res = decode_str(v->field[0]);

    ck_assert_msg(res.rc == KV_CHUNKED_ERROR, "%s:%d: %.40s accepted (%d)", v->file, v->line,
                  v->field[0], res.rc);
    ck_assert_msg(res.status == KV_HTTP_BAD_REQUEST, "%s:%d: status %d", v->file, v->line,
                  res.status);
    ck_assert_msg(res.reason != NULL && strcmp(res.reason, v->field[1]) == 0, "%s:%d: reason '%s'",
                  v->file, v->line, res.reason ? res.reason : "(none)");
}
END_TEST

/* Bytes with a NUL, by length. */
KVC_TEST(decoder_case, test_invalid_with_nul)
{
    static const struct {
        const char *in;
        apr_size_t len;
        const char *reason;
    } rows[] = {
#define ROW(s, why) {s, sizeof(s) - 1, why}
        ROW("5\0\r\nhello\r\n", "invalid chunk size"),
        ROW("5;a\0\r\nhello\r\n", "invalid chunk extension"),
        ROW("5;a=\"\0\"\r\nhello\r\n", "invalid quoted string in chunk extension"),
        ROW("0\r\nX-A: a\0b\r\n\r\n", "control character in trailer field value"),
        ROW("0\r\nX\0: 1\r\n\r\n", "invalid trailer field name"),
#undef ROW
    };

    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        decoded_t res = decode_every_way(rows[i].in, rows[i].len);
        ck_assert_int_eq(res.rc, KV_CHUNKED_ERROR);
        ck_assert_str_eq(res.reason, rows[i].reason);
    }
}
END_TEST

/* The largest size an apr_off_t holds is a size; one more is refused, however written. */
KVC_TEST(decoder_case, test_size_overflow)
{
    kv_chunked_t d;
    kv_chunked_out_t out;

    kv_chunked_init(&d, pool, &lim);
    ck_assert_int_eq(kv_chunked_decode(&d, "7fffffffffffffff\r\nab", 20, 10, &out),
                     KV_CHUNKED_DATA);
    ck_assert_uint_eq(out.data_len, 2);
    ck_assert(decode_str("00007FFFFFFFFFFFFFFF\r\n").rc == KV_CHUNKED_AGAIN);
    ck_assert(decode_str("10000000000000000\r\n").rc == KV_CHUNKED_ERROR);
    ck_assert_str_eq(decode_str("00008000000000000000\r\n").reason, "chunk size too large");
}
END_TEST

/* @a n bytes: @a prefix, then @a fill. */
static char *filled(const char *prefix, char fill, apr_size_t n)
{
    char *s = apr_palloc(pool, n + 1);

    memset(s, fill, n);
    memcpy(s, prefix, strlen(prefix));
    s[n] = '\0';
    return s;
}

/* @a head, a line of LimitRequestFieldSize bytes (@a prefix, then @a fill), @a tail: decoded
 * whole. One byte more is refused with @a reason as soon as its bytes are in, without
 * waiting for a line end. @return the decoded body at the limit. */
static decoded_t line_at_and_over_limit(const char *head, const char *prefix, char fill,
                                        const char *tail, const char *reason)
{
    decoded_t at =
        decode_str(apr_pstrcat(pool, head, filled(prefix, fill, lim.line_max), tail, NULL));
    char *over = apr_pstrcat(pool, head, filled(prefix, fill, lim.line_max + 1), NULL);
    decoded_t res;

    ck_assert_msg(at.rc == KV_CHUNKED_DONE, "%s at the limit: %s", prefix, at.reason);
    res = decode_str(over);
    ck_assert_int_eq(res.rc, KV_CHUNKED_ERROR);
    ck_assert_int_eq(res.status, KV_HTTP_BAD_REQUEST);
    ck_assert_str_eq(res.reason, reason);
    ck_assert_uint_eq(res.taken, strlen(over));
    res = decode_str(apr_pstrcat(pool, over, tail, NULL));
    ck_assert_str_eq(res.reason, reason);
    return at;
}

/* The chunk-size line and the last-chunk (leading zeros count too). */
KVC_TEST(decoder_case, test_chunk_line_limit)
{
    lim.line_max = 64;
    line_at_and_over_limit("", "5;", 'a', "\r\nhello\r\n0\r\n\r\n", "chunk line too long");
    line_at_and_over_limit("", "5;a=", 'b', "\r\nhello\r\n0\r\n\r\n", "chunk line too long");
    line_at_and_over_limit("", "", '0', "\r\n\r\n", "chunk line too long");
}
END_TEST

/* LimitRequestBody counts the data of all chunks: the limit passes, one byte more is 413,
 * known from the chunk size before any of its data. */
KVC_TEST(decoder_case, test_body_limit)
{
    decoded_t res;

    lim.body_max = 10;
    res = decode_str("5\r\n12345\r\n5\r\n67890\r\n0\r\n\r\n");
    ck_assert_int_eq(res.rc, KV_CHUNKED_DONE);
    ck_assert_str_eq(res.data, "1234567890");
    res = decode_str("5\r\n12345\r\n6\r\n");
    ck_assert_int_eq(res.rc, KV_CHUNKED_ERROR);
    ck_assert_int_eq(res.status, KV_HTTP_REQUEST_ENTITY_TOO_LARGE);
    ck_assert_str_eq(res.data, "12345");
    res = decode_str("b\r\n");
    ck_assert_int_eq(res.status, KV_HTTP_REQUEST_ENTITY_TOO_LARGE);
    /* A size over the limit that also overflows is a bad request, not too large. */
    ck_assert_int_eq(decode_str("fffffffffffffffff\r\n").status, KV_HTTP_BAD_REQUEST);
    /* 0 is no limit. */
    lim.body_max = 0;
    ck_assert_int_eq(decode_str("7fffffffffffffff\r\n").rc, KV_CHUNKED_AGAIN);
}
END_TEST

KVC_TEST(decoder_case, test_trailers)
{
    decoded_t res = decode_str("1\r\nx\r\n0\r\nX-A: 1\r\nx-b:two  words \t\r\nX-A:\r\n"
                               "X-C: \xe9\t\x80\r\n\r\n" NEXT);
    const apr_array_header_t *h;

    ck_assert_int_eq(res.rc, KV_CHUNKED_DONE);
    ck_assert_str_eq(res.data, "x");
    h = apr_table_elts(res.trailers);
    ck_assert_int_eq(h->nelts, 4);
    ck_assert_str_eq(((apr_table_entry_t *)h->elts)[0].key, "X-A");
    ck_assert_str_eq(((apr_table_entry_t *)h->elts)[0].val, "1");
    ck_assert_str_eq(((apr_table_entry_t *)h->elts)[2].val, "");
    ck_assert_str_eq(apr_table_get(res.trailers, "X-B"), "two  words");
    ck_assert_str_eq(apr_table_get(res.trailers, "x-c"), "\xe9\t\x80");
    ck_assert_int_eq(apr_table_elts(decode_str("0\r\n\r\n").trailers)->nelts, 0);
}
END_TEST

/* LimitRequestFields trailer fields pass, one more is refused at its first byte; 0 is no
 * limit. */
KVC_TEST(decoder_case, test_trailer_count_limit)
{
    char *fields = "";
    decoded_t res;

    lim.fields_max = 3;
    for (int i = 0; i < 3; i++) {
        fields = apr_psprintf(pool, "%sX-%d: v\r\n", fields, i);
    }
    res = decode_str(apr_pstrcat(pool, "0\r\n", fields, "\r\n", NULL));
    ck_assert_int_eq(res.rc, KV_CHUNKED_DONE);
    ck_assert_int_eq(apr_table_elts(res.trailers)->nelts, 3);
    res = decode_str(apr_pstrcat(pool, "0\r\n", fields, "X", NULL));
    ck_assert_int_eq(res.rc, KV_CHUNKED_ERROR);
    ck_assert_str_eq(res.reason, "too many trailer fields");
    lim.fields_max = 0;
    for (int i = 3; i < 300; i++) {
        fields = apr_psprintf(pool, "%sX-%d: v\r\n", fields, i);
    }
    res = decode_str(apr_pstrcat(pool, "0\r\n", fields, "\r\n", NULL));
    ck_assert_int_eq(res.rc, KV_CHUNKED_DONE);
    ck_assert_int_eq(apr_table_elts(res.trailers)->nelts, 300);
}
END_TEST

/* A trailer field longer than the decoder's first buffer is kept whole. */
KVC_TEST(decoder_case, test_trailer_size_limit)
{
    decoded_t at;

    lim.line_max = 1000;
    at = line_at_and_over_limit("0\r\n", "X-Long: ", 'v', "\r\n\r\n", "trailer field too long");
    ck_assert_uint_eq(strlen(apr_table_get(at.trailers, "X-Long")), 1000 - 8);
}
END_TEST

int main(void)
{
    return kvc_run("http_chunked");
}
