/* mod_mime's pure part: mime.types lines, the Add and Remove mappings with httpd's merge,
 * the walk over a file name's extensions, and the charset parameter. */
#include <check.h>
#include <stddef.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "mime_ext.h"
#include "../check_run.h"

static apr_pool_t *pool;

#define FIELD(f) offsetof(mime_ext_info_t, f)

static apr_hash_t *types_of(const char *text)
{
    apr_hash_t *types = apr_hash_make(pool);
    char *copy = apr_pstrdup(pool, text), *last;

    for (char *line = apr_strtok(copy, "\n", &last); line; line = apr_strtok(NULL, "\n", &last)) {
        mime_parse_types_line(pool, types, line);
    }
    return types;
}

static const char *type_of(apr_hash_t *types, const char *ext)
{
    return apr_hash_get(types, ext, APR_HASH_KEY_STRING);
}

KVU_POOL_CASE(mime_ext_case, "mime_ext", pool);

KVC_TEST(mime_ext_case, test_types_lines)
{
    apr_hash_t *t = types_of("# comment text/plain txt\n"
                             "text/html\t\thtml HTM   # old\n"
                             "application/x-empty\n"
                             "   \n"
                             "image/png png\r\n");

    ck_assert_str_eq(type_of(t, "html"), "text/html");
    ck_assert_str_eq(type_of(t, "htm"), "text/html");
    ck_assert_str_eq(type_of(t, "png"), "image/png");
    ck_assert_ptr_null(type_of(t, "txt"));
    ck_assert_ptr_null(type_of(t, "old"));
    ck_assert_ptr_null(type_of(t, "#"));
    ck_assert_uint_eq(apr_hash_count(t), 3);
}
END_TEST

static mime_meta_t find(const char *path, apr_hash_t *map, apr_hash_t *types, int multimatch)
{
    mime_meta_t m;

    mime_find(pool, path, map, types, multimatch, &m);
    return m;
}

static const char *exceptions(const mime_meta_t *m)
{
    return apr_array_pstrcat(pool, m->exceptions, '|');
}

KVC_TEST(mime_ext_case, test_every_extension_counts_last_wins)
{
    apr_hash_t *types = types_of("text/html html\ntext/plain txt\napplication/gzip gz\n");
    apr_hash_t *map = apr_hash_make(pool);
    mime_meta_t m;

    mime_ext_set(pool, map, ".fr", FIELD(language), "FR");
    mime_ext_set(pool, map, "en", FIELD(language), "en");
    mime_ext_set(pool, map, "gz", FIELD(encoding), "x-gzip");
    mime_ext_set(pool, map, "Z", FIELD(encoding), "x-compress");
    mime_ext_set(pool, map, "utf8", FIELD(charset), "UTF-8");
    mime_ext_set(pool, map, "php", FIELD(handler), "application/x-httpd-php");

    m = find("/srv/www/index.html.fr.gz", map, types, 0);
    ck_assert_str_eq(m.type, "application/gzip");
    ck_assert_str_eq(m.encoding, "x-gzip");
    ck_assert_int_eq(m.languages->nelts, 1);
    ck_assert_str_eq(APR_ARRAY_IDX(m.languages, 0, const char *), "fr");
    ck_assert_ptr_null(m.handler);
    ck_assert(m.found_metadata);

    m = find("/d/a.txt.html.UTF8.en.fr.z.GZ", map, types, 0);
    ck_assert_str_eq(m.type, "application/gzip");
    ck_assert_str_eq(m.charset, "utf-8");
    ck_assert_str_eq(m.encoding, "x-compress, x-gzip");
    ck_assert_str_eq(apr_array_pstrcat(pool, m.languages, ','), "en,fr");

    /* The base name is no extension, leading dots and empty parts are skipped. */
    m = find("/d/html", map, types, 0);
    ck_assert_ptr_null(m.type);
    ck_assert(!m.found_metadata);
    m = find("/d/.html", map, types, 0);
    ck_assert_ptr_null(m.type);
    ck_assert_str_eq(exceptions(&m), ".html");
    m = find("/d/x..html.", map, types, 0);
    ck_assert_str_eq(m.type, "text/html");
    m = find("/d.html/readme", map, types, 0);
    ck_assert_ptr_null(m.type);
}
END_TEST

KVC_TEST(mime_ext_case, test_unknown_extensions_are_exceptions)
{
    apr_hash_t *types = types_of("text/html html\n");
    apr_hash_t *map = apr_hash_make(pool);
    mime_meta_t m;

    mime_ext_set(pool, map, "php", FIELD(handler), "application/x-httpd-php");
    m = find("/d/Foo.bak.html.Orig.php", map, types, 0);
    ck_assert_str_eq(m.type, "text/html");
    ck_assert_str_eq(m.handler, "application/x-httpd-php");
    ck_assert_str_eq(exceptions(&m), "Foo|bak|Orig|php");
    /* MultiviewsMatch Handlers: a handler's extension is metadata; Any: every one is. */
    m = find("/d/Foo.bak.html.Orig.php", map, types, MIME_MATCH_HANDLERS);
    ck_assert_str_eq(exceptions(&m), "Foo|bak|Orig");
    m = find("/d/Foo.bak.html.Orig.php", map, types, MIME_MATCH_ANY);
    ck_assert_str_eq(exceptions(&m), "Foo");
}
END_TEST

KVC_TEST(mime_ext_case, test_add_type_over_types_config_and_remove_type)
{
    apr_hash_t *types = types_of("text/html html\napplication/x-tar tar\n");
    apr_hash_t *map = apr_hash_make(pool);
    mime_meta_t m;

    mime_ext_set(pool, map, "html", FIELD(type), "Text/X-Mine");
    ck_assert_str_eq(find("a.html", map, types, 0).type, "text/x-mine");
    /* RemoveType is an empty AddType: TypesConfig's type is hidden too. */
    mime_ext_set(pool, map, "tar", FIELD(type), "");
    m = find("a.tar", map, types, 0);
    ck_assert_ptr_null(m.type);
    ck_assert(!m.found_metadata);
    ck_assert_ptr_null(mime_ext_set(pool, map, ".", FIELD(type), "a/b"));
}
END_TEST

static mime_removal_t removal(const char *ext, size_t field)
{
    mime_removal_t rm = {ext, field};
    return rm;
}

KVC_TEST(mime_ext_case, test_merge_overlays_field_by_field)
{
    apr_hash_t *base = apr_hash_make(pool), *add = apr_hash_make(pool), *merged;
    apr_array_header_t *none = apr_array_make(pool, 1, sizeof(mime_removal_t));
    const mime_ext_info_t *info;

    mime_ext_set(pool, base, "cgi", FIELD(handler), "cgi-script");
    mime_ext_set(pool, base, "cgi", FIELD(type), "text/plain");
    mime_ext_set(pool, add, "cgi", FIELD(charset), "utf-8");
    mime_ext_set(pool, add, "pl", FIELD(handler), "cgi-script");
    merged = mime_ext_merge(pool, base, add, none);
    info = apr_hash_get(merged, "cgi", APR_HASH_KEY_STRING);
    ck_assert_str_eq(info->handler, "cgi-script");
    ck_assert_str_eq(info->type, "text/plain");
    ck_assert_str_eq(info->charset, "utf-8");
    ck_assert_ptr_nonnull(apr_hash_get(merged, "pl", APR_HASH_KEY_STRING));
    /* The parent's entry is not changed by the merge. */
    ck_assert_ptr_null(((mime_ext_info_t *)apr_hash_get(base, "cgi", APR_HASH_KEY_STRING))->charset);
}
END_TEST

KVC_TEST(mime_ext_case, test_remove_clears_the_inherited_field_only)
{
    apr_hash_t *base = apr_hash_make(pool), *add = apr_hash_make(pool), *merged, *deeper;
    apr_array_header_t *rms = apr_array_make(pool, 2, sizeof(mime_removal_t));
    apr_array_header_t *none = apr_array_make(pool, 1, sizeof(mime_removal_t));
    const mime_ext_info_t *info;

    mime_ext_set(pool, base, "cgi", FIELD(handler), "cgi-script");
    mime_ext_set(pool, base, "cgi", FIELD(language), "en");
    APR_ARRAY_PUSH(rms, mime_removal_t) = removal("cgi", FIELD(handler));
    APR_ARRAY_PUSH(rms, mime_removal_t) = removal("nothing", FIELD(handler));
    merged = mime_ext_merge(pool, base, add, rms);
    info = apr_hash_get(merged, "cgi", APR_HASH_KEY_STRING);
    ck_assert_ptr_null(info->handler);
    ck_assert_str_eq(info->language, "en");
    ck_assert_str_eq(((mime_ext_info_t *)apr_hash_get(base, "cgi", APR_HASH_KEY_STRING))->handler,
                     "cgi-script");
    /* A deeper section may add it again. */
    add = apr_hash_make(pool);
    mime_ext_set(pool, add, "cgi", FIELD(handler), "other");
    deeper = mime_ext_merge(pool, merged, add, none);
    ck_assert_str_eq(((mime_ext_info_t *)apr_hash_get(deeper, "cgi", APR_HASH_KEY_STRING))->handler,
                     "other");
}
END_TEST

KVC_TEST(mime_ext_case, test_charset_parameter)
{
    ck_assert_str_eq(mime_type_with_charset(pool, "text/html", "utf-8"),
                     "text/html; charset=utf-8");
    ck_assert_str_eq(mime_type_with_charset(pool, "text/html ; Charset=latin1;level=1", "utf-8"),
                     "text/html; level=1; charset=utf-8");
    ck_assert_str_eq(mime_type_with_charset(pool, "text/plain;format=flowed", "koi8-r"),
                     "text/plain; format=flowed; charset=koi8-r");
}
END_TEST

KVC_TEST(mime_ext_case, test_multiviews_match_words)
{
    int bits = 0;

    ck_assert_ptr_null(mime_multimatch_add(pool, "handlers", &bits));
    ck_assert_ptr_null(mime_multimatch_add(pool, "Filters", &bits));
    ck_assert_int_eq(bits, MIME_MATCH_HANDLERS | MIME_MATCH_FILTERS);
    ck_assert_ptr_nonnull(mime_multimatch_add(pool, "Any", &bits));
    ck_assert_ptr_nonnull(mime_multimatch_add(pool, "NegotiatedOnly", &bits));
    bits = 0;
    ck_assert_ptr_null(mime_multimatch_add(pool, "Any", &bits));
    ck_assert_ptr_nonnull(mime_multimatch_add(pool, "Handlers", &bits));
    ck_assert_ptr_nonnull(strstr(mime_multimatch_add(pool, "Some", &bits), "'Some'"));
    ck_assert_int_eq(bits, MIME_MATCH_ANY);
}
END_TEST

int main(void)
{
    return kvc_run("mime_ext");
}
