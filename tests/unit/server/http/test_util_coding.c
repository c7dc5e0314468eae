/* Tests of server/http/util_coding.c: Accept-Encoding and Content-Encoding lists, the ETag
 * suffix, and the decision a compressing filter takes on a response's first brigade. */
/* Moved from tests/unit/server/test_util_coding.c (server/ split into layer folders). */
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <check.h>

#include "kv_coding.h"
#include "../../check_run.h"

static apr_pool_t *pool;
static apr_bucket_alloc_t *list;

static void setup(void)
{
    kvu_apr_pool_setup(&pool);
    list = apr_bucket_alloc_create(pool);
}

static void teardown(void)
{
    kvu_apr_pool_teardown(pool);
}

#define ACCEPTS_FILE "tests/unit/server/http/util_coding_accepted.vectors"
#define ACCEPTS 16 /* the vectors in ACCEPTS_FILE */

KVU_CASE(coding_case, "coding", setup, teardown);

KVC_LOOP_TEST(coding_case, test_accepted, 0, ACCEPTS)
{
    const struct kvc_vector *v = kvc_vector(ACCEPTS_FILE, ACCEPTS, 3, _i);

    ck_assert_msg(kv_coding_accepted(v->field[0], v->field[1]) == kvc_vector_int(v, 2),
                  "%s:%d: '%s' for %s", v->file, v->line, v->field[0], v->field[1]);
}
END_TEST

KVC_TEST(coding_case, test_identity)
{
    ck_assert(kv_coding_is_identity(NULL));
    ck_assert(kv_coding_is_identity("identity"));
    ck_assert(kv_coding_is_identity("identity, 8bit,binary ,7bit"));
    ck_assert(!kv_coding_is_identity("gzip"));
    ck_assert(!kv_coding_is_identity("identity, br"));
    ck_assert(!kv_coding_is_identity("identityx"));
}
END_TEST

KVC_TEST(coding_case, test_etag_suffix)
{
    ck_assert_str_eq(kv_etag_add_suffix(pool, "\"abc\"", "gzip"), "\"abc-gzip\"");
    ck_assert_str_eq(kv_etag_add_suffix(pool, "W/\"abc\"", "br"), "W/\"abc-br\"");
    ck_assert_str_eq(kv_etag_add_suffix(pool, "\"\"", "gzip"), "\"\"");
    ck_assert_str_eq(kv_etag_add_suffix(pool, "abc", "gzip"), "abc");
    ck_assert_ptr_null(kv_etag_add_suffix(pool, NULL, "gzip"));
}
END_TEST

KVC_TEST(coding_case, test_etag_mode)
{
    kv_etag_mode_t m = KV_ETAG_REMOVE;

    ck_assert_ptr_null(kv_parse_etag_mode(pool, "addsuffix", &m));
    ck_assert_int_eq(m, KV_ETAG_ADD_SUFFIX);
    ck_assert_ptr_null(kv_parse_etag_mode(pool, "NoChange", &m));
    ck_assert_int_eq(m, KV_ETAG_NO_CHANGE);
    ck_assert_ptr_null(kv_parse_etag_mode(pool, "REMOVE", &m));
    ck_assert_int_eq(m, KV_ETAG_REMOVE);
    ck_assert_ptr_nonnull(kv_parse_etag_mode(pool, "Add", &m));
}
END_TEST

static const kv_coding_spec_t gzip_spec = {"gzip", "no-gzip", "force-gzip",
                                           1,      68,        KV_ETAG_ADD_SUFFIX};

/* A 200 text/html GET of a 1000-byte file, the client accepting gzip. */
static kv_request_t *request(void)
{
    kv_request_t *r = apr_pcalloc(pool, sizeof(*r));

    r->pool = pool;
    r->status = 200;
    r->content_type = "text/html";
    r->clength = 1000;
    r->headers_in = apr_table_make(pool, 4);
    r->headers_out = apr_table_make(pool, 4);
    r->err_headers_out = apr_table_make(pool, 4);
    r->subprocess_env = apr_table_make(pool, 4);
    apr_table_set(r->headers_in, "Accept-Encoding", "gzip");
    apr_table_set(r->headers_out, "ETag", "\"e\"");
    apr_table_set(r->headers_out, "Content-Length", "1000");
    return r;
}

/* A brigade of @a n bytes, whole (with EOS) or not. */
static apr_bucket_brigade *brigade(size_t n, int whole)
{
    apr_bucket_brigade *bb = apr_brigade_create(pool, list);
    char *data = apr_pcalloc(pool, n + 1);

    memset(data, 'x', n);
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_pool_create(data, n, pool, list));
    if (whole) {
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(list));
    }
    return bb;
}

KVC_TEST(coding_case, test_start_compresses)
{
    kv_request_t *r = request();

    ck_assert_int_eq(kv_coding_start(r, brigade(1000, 1), &gzip_spec), KV_CODING_COMPRESS);
    ck_assert_str_eq(apr_table_get(r->headers_out, "Content-Encoding"), "gzip");
    ck_assert_str_eq(apr_table_get(r->headers_out, "Vary"), "Accept-Encoding");
    ck_assert_str_eq(apr_table_get(r->headers_out, "ETag"), "\"e-gzip\"");
    ck_assert_ptr_null(apr_table_get(r->headers_out, "Content-Length"));
    ck_assert_int_eq(r->clength, -1);
}
END_TEST

/* A second coding filter asks again: Vary names the field once. */
KVC_TEST(coding_case, test_start_vary_once)
{
    kv_request_t *r = request();

    apr_table_set(r->headers_out, "Vary", "accept-encoding");
    apr_table_set(r->headers_in, "Accept-Encoding", "br");
    ck_assert_int_eq(kv_coding_start(r, brigade(1000, 0), &gzip_spec), KV_CODING_PASS);
    ck_assert_str_eq(apr_table_get(r->headers_out, "Vary"), "accept-encoding");
    apr_table_set(r->headers_out, "Vary", "Cookie");
    ck_assert_int_eq(kv_coding_start(r, brigade(1000, 0), &gzip_spec), KV_CODING_PASS);
    ck_assert_str_eq(apr_table_get(r->headers_out, "Vary"), "Cookie, Accept-Encoding");
}
END_TEST

/* What leaves the response alone, and whether Vary is added then (as httpd). */
KVC_TEST(coding_case, test_start_passes)
{
    kv_request_t *r;

    r = request();
    r->status = 204;
    ck_assert_int_eq(kv_coding_start(r, brigade(1000, 1), &gzip_spec), KV_CODING_PASS);
    ck_assert_ptr_null(apr_table_get(r->headers_out, "Vary"));

    r = request();
    apr_table_set(r->subprocess_env, "no-gzip", "1");
    ck_assert_int_eq(kv_coding_start(r, brigade(1000, 1), &gzip_spec), KV_CODING_PASS);
    ck_assert_ptr_null(apr_table_get(r->headers_out, "Vary"));

    r = request();
    apr_table_set(r->headers_out, "Content-Range", "bytes 0-9/1000");
    ck_assert_int_eq(kv_coding_start(r, brigade(10, 1), &gzip_spec), KV_CODING_PASS);

    r = request();
    r->content_type = "text/css";
    apr_table_set(r->subprocess_env, "gzip-only-text/html", "1");
    ck_assert_int_eq(kv_coding_start(r, brigade(1000, 1), &gzip_spec), KV_CODING_PASS);
    r->content_type = "text/html; charset=utf-8";
    ck_assert_int_eq(kv_coding_start(r, brigade(1000, 1), &gzip_spec), KV_CODING_COMPRESS);

    r = request();
    apr_table_set(r->err_headers_out, "Content-Encoding", "br");
    ck_assert_int_eq(kv_coding_start(r, brigade(1000, 1), &gzip_spec), KV_CODING_PASS);
    ck_assert_ptr_null(apr_table_get(r->headers_out, "Vary"));
    ck_assert_str_eq(apr_table_get(r->headers_out, "ETag"), "\"e\"");

    /* A whole body under 68 bytes; a longer one still coming is compressed. */
    r = request();
    ck_assert_int_eq(kv_coding_start(r, brigade(67, 1), &gzip_spec), KV_CODING_PASS);
    ck_assert_ptr_null(apr_table_get(r->headers_out, "Vary"));
    ck_assert_int_eq(kv_coding_start(r, brigade(67, 0), &gzip_spec), KV_CODING_COMPRESS);

    r = request();
    apr_table_unset(r->headers_in, "Accept-Encoding");
    ck_assert_int_eq(kv_coding_start(r, brigade(1000, 1), &gzip_spec), KV_CODING_PASS);
    ck_assert_str_eq(apr_table_get(r->headers_out, "Vary"), "Accept-Encoding");
    ck_assert_str_eq(apr_table_get(r->headers_out, "Content-Length"), "1000");
    apr_table_set(r->subprocess_env, "force-gzip", "1");
    ck_assert_int_eq(kv_coding_start(r, brigade(1000, 1), &gzip_spec), KV_CODING_COMPRESS);
}
END_TEST

/* HEAD: the fields change, there is no body to code. A 304's empty body is too short to
 * code, as httpd finds; one that is not whole yet gets the fields. */
KVC_TEST(coding_case, test_start_headers_only)
{
    kv_request_t *r = request();
    apr_bucket_brigade *eos = apr_brigade_create(pool, list);

    APR_BRIGADE_INSERT_TAIL(eos, apr_bucket_eos_create(list));
    r->status = 304;
    ck_assert_int_eq(kv_coding_start(r, eos, &gzip_spec), KV_CODING_PASS);
    ck_assert_str_eq(apr_table_get(r->headers_out, "ETag"), "\"e\"");
    ck_assert_int_eq(kv_coding_start(r, brigade(0, 0), &gzip_spec), KV_CODING_HEADERS_ONLY);
    ck_assert_str_eq(apr_table_get(r->headers_out, "ETag"), "\"e-gzip\"");

    r = request();
    r->header_only = 1;
    ck_assert_int_eq(kv_coding_start(r, eos, &gzip_spec), KV_CODING_HEADERS_ONLY);
    ck_assert_str_eq(apr_table_get(r->headers_out, "Content-Encoding"), "gzip");
    ck_assert_int_eq(r->clength, -1);

    /* A HEAD whose handler sends the body (a script): it is coded, so its length is. */
    r = request();
    r->header_only = 1;
    r->clength = -1;
    ck_assert_int_eq(kv_coding_start(r, brigade(1000, 1), &gzip_spec), KV_CODING_COMPRESS);

    r = request();
    r->header_only = 1;
    r->clength = 3;
    ck_assert_int_eq(kv_coding_start(r, eos, &gzip_spec), KV_CODING_PASS);
}
END_TEST

int main(void)
{
    return kvc_run("util_coding");
}
