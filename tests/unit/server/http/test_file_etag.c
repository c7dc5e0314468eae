/* Tests of server/http/file_etag.c (FileETag's parser, merge and the ETag it makes, compared with
 * Debian's apache2 2.4.71 on the same file) and of AddDefaultCharset's rule
 * (kv_add_default_charset, server/http/http_header_filter.c). */
/* Moved from tests/unit/server/test_file_etag.c (server/ split into layer folders). */
#include <check.h>
#include <string.h>

#include <apr_general.h>

#include "core.h"
#include "../../check_run.h"

static apr_pool_t *pool;
static apr_finfo_t finfo;

static void setup(void)
{
    kvu_apr_pool_setup(&pool);
    memset(&finfo, 0, sizeof(finfo));
    /* stat of apache2's a.txt: inode 10962898, 6 bytes, mtime 0x662038129ca8f us. */
    finfo.inode = 10962898;
    finfo.size = 6;
    finfo.mtime = (apr_time_t)0x662038129ca8fLL;
}

static void teardown(void)
{
    kvu_apr_pool_teardown(pool);
}

/* The bits a FileETag line with @a argc words stands for at the top (over the default). */
static int line_bits(int argc, const char *const *argv)
{
    kv_etag_conf_t top = {KV_UNSET_INT, 0, 0}, line, merged;

    ck_assert_ptr_null(kv_parse_file_etag(pool, argc, argv, &line));
    kv_etag_merge(&merged, &top, &line);
    return kv_etag_effective(&merged);
}

KVU_CASE(file_etag_case, "file_etag", setup, teardown);

KVC_TEST(file_etag_case, etags_as_apache2_makes_them)
{
    ck_assert_str_eq(kv_make_etag(pool, KV_ETAG_DEFAULT, &finfo), "\"6-662038129ca8f\"");
    ck_assert_str_eq(kv_make_etag(pool, KV_ETAG_INODE, &finfo), "\"a747d2\"");
    ck_assert_str_eq(kv_make_etag(pool, KV_ETAG_ALL, &finfo), "\"a747d2-6-662038129ca8f\"");
    ck_assert_str_eq(kv_make_etag(pool, KV_ETAG_MTIME, &finfo), "\"662038129ca8f\"");
    ck_assert_ptr_null(kv_make_etag(pool, 0, &finfo));
}
END_TEST

KVC_TEST(file_etag_case, keywords)
{
    const char *const none[] = {"None"}, *const all[] = {"all"}, *const two[] = {"INode", "size"};
    kv_etag_conf_t unset = {KV_UNSET_INT, 0, 0};

    ck_assert_int_eq(kv_etag_effective(&unset), KV_ETAG_MTIME | KV_ETAG_SIZE);
    ck_assert_int_eq(line_bits(1, none), 0);
    ck_assert_int_eq(line_bits(1, all), KV_ETAG_ALL);
    ck_assert_int_eq(line_bits(2, two), KV_ETAG_INODE | KV_ETAG_SIZE);
}
END_TEST

/* +/- change what the enclosing section uses (MTime Size by default). */
KVC_TEST(file_etag_case, relative_keywords_merge)
{
    const char *const minus_size[] = {"-Size"}, *const plus_inode[] = {"+INode"};
    const char *const all[] = {"All"}, *const minus_inode[] = {"-INode"};
    kv_etag_conf_t top = {KV_UNSET_INT, 0, 0}, server, dir, merged;

    ck_assert_int_eq(line_bits(1, minus_size), KV_ETAG_MTIME);
    ck_assert_int_eq(line_bits(1, plus_inode), KV_ETAG_ALL);
    /* FileETag All in the server, -INode in a directory: MTime Size (apache2 too). */
    ck_assert_ptr_null(kv_parse_file_etag(pool, 1, all, &server));
    ck_assert_ptr_null(kv_parse_file_etag(pool, 1, minus_inode, &dir));
    kv_etag_merge(&merged, &top, &server);
    kv_etag_merge(&merged, &merged, &dir);
    ck_assert_int_eq(kv_etag_effective(&merged), KV_ETAG_MTIME | KV_ETAG_SIZE);
}
END_TEST

KVC_TEST(file_etag_case, bad_lines_refused)
{
    const char *const mixed[] = {"INode", "-Size"}, *const unknown[] = {"Inodes"};
    const char *const none_plus[] = {"None", "Size"}, *const signed_none[] = {"+None"};
    kv_etag_conf_t c;

    ck_assert_ptr_nonnull(strstr(kv_parse_file_etag(pool, 2, mixed, &c), "either every"));
    ck_assert_ptr_nonnull(strstr(kv_parse_file_etag(pool, 1, unknown, &c), "'Inodes'"));
    ck_assert_ptr_nonnull(strstr(kv_parse_file_etag(pool, 2, none_plus, &c), "None stands"));
    ck_assert_ptr_nonnull(strstr(kv_parse_file_etag(pool, 1, signed_none, &c), "None stands"));
}
END_TEST

/* apache2: text/plain and text/html get "; charset=...", other types and a type that names
 * its charset do not. */
KVC_TEST(file_etag_case, default_charset)
{
    ck_assert_str_eq(kv_add_default_charset(pool, "text/plain", "iso-8859-1"),
                     "text/plain; charset=iso-8859-1");
    ck_assert_str_eq(kv_add_default_charset(pool, "TEXT/HTML", "utf-8"),
                     "TEXT/HTML; charset=utf-8");
    ck_assert_str_eq(kv_add_default_charset(pool, "text/html; level=1", "utf-8"),
                     "text/html; level=1; charset=utf-8");
    ck_assert_str_eq(kv_add_default_charset(pool, "text/html; Charset=koi8-r", "utf-8"),
                     "text/html; Charset=koi8-r");
    ck_assert_str_eq(kv_add_default_charset(pool, "text/css", "utf-8"), "text/css");
    ck_assert_str_eq(kv_add_default_charset(pool, "text/htmlx", "utf-8"), "text/htmlx");
    ck_assert_str_eq(kv_add_default_charset(pool, "text/plain", ""), "text/plain");
    ck_assert_str_eq(kv_add_default_charset(pool, "text/plain", NULL), "text/plain");
}
END_TEST

int main(void)
{
    return kvc_run("file_etag");
}
