/* Tests of AllowOverride's and AllowOverrideList's parsers (server/config/core_options.c), with
 * httpd 2.4's syntax and its error messages (httpd's set_override, set_override_list). */
/* Moved from tests/unit/server/test_allow_override.c (server/ split into layer folders). */
#include <check.h>
#include <string.h>

#include <apr_general.h>

#include "core.h"
#include "../../check_run.h"

static apr_pool_t *pool;
static int override, override_opts;

static void setup(void)
{
    kvu_apr_pool_setup(&pool);
    override = override_opts = KV_UNSET_INT;
}

static void teardown(void)
{
    kvu_apr_pool_teardown(pool);
}

/* Parse an AllowOverride line of up to 4 words; NULL or the error. */
static const char *line(const char *a, const char *b, const char *c, const char *d)
{
    const char *argv[] = {a, b, c, d};
    int argc = d ? 4 : c ? 3 : b ? 2 : 1;

    override = override_opts = KV_UNSET_INT;
    return kv_parse_allow_override(pool, argc, argv, &override, &override_opts);
}

KVU_CASE(allow_override, "allow_override", setup, teardown);

KVC_TEST(allow_override, groups)
{
    ck_assert_ptr_null(line("None", NULL, NULL, NULL));
    ck_assert_int_eq(override, 0);
    ck_assert_ptr_null(line("All", NULL, NULL, NULL));
    ck_assert_int_eq(override, KV_OR_ALL);
    ck_assert_int_eq(override_opts, KV_UNSET_INT);
    /* Debian's userdir.conf */
    ck_assert_ptr_null(line("FileInfo", "AuthConfig", "Limit", "Indexes"));
    ck_assert_int_eq(override, KV_OR_FILEINFO | KV_OR_AUTHCFG | KV_OR_LIMIT | KV_OR_INDEXES);
    ck_assert_ptr_null(line("fileinfo", "authconfig", NULL, NULL));
    ck_assert_int_eq(override, KV_OR_FILEINFO | KV_OR_AUTHCFG);
    /* None and All replace what came before them; later words add to them. */
    ck_assert_ptr_null(line("FileInfo", "None", NULL, NULL));
    ck_assert_int_eq(override, 0);
    ck_assert_ptr_null(line("None", "Limit", NULL, NULL));
    ck_assert_int_eq(override, KV_OR_LIMIT);
    ck_assert_ptr_null(line("Limit", "All", NULL, NULL));
    ck_assert_int_eq(override, KV_OR_ALL);
}
END_TEST

KVC_TEST(allow_override, options_list)
{
    ck_assert_ptr_null(line("Options", NULL, NULL, NULL));
    ck_assert_int_eq(override, KV_OR_OPTIONS);
    ck_assert_int_eq(override_opts, KV_OPT_ALL);
    ck_assert_ptr_null(line("AuthConfig", "Options=Indexes,MultiViews", NULL, NULL));
    ck_assert_int_eq(override, KV_OR_AUTHCFG | KV_OR_OPTIONS);
    ck_assert_int_eq(override_opts, KV_OPT_INDEXES | KV_OPT_MULTIVIEWS);
    ck_assert_ptr_null(line("Options=IncludesNOEXEC,SymLinksIfOwnerMatch", NULL, NULL, NULL));
    ck_assert_int_eq(override_opts, KV_OPT_INCLUDES | KV_OPT_SYM_OWNER);
    ck_assert_ptr_null(line("Options=Includes", NULL, NULL, NULL));
    ck_assert_int_eq(override_opts, KV_OPT_INCLUDES | KV_OPT_INC_WITH_EXEC);
    ck_assert_ptr_null(line("Options=All", NULL, NULL, NULL));
    ck_assert_int_eq(override_opts, KV_OPT_ALL);
    ck_assert_str_eq(line("Options=Indexes,Bogus", NULL, NULL, NULL),
                     "AllowOverride: Illegal option Bogus");
}
END_TEST

KVC_TEST(allow_override, nonfatal)
{
    ck_assert_ptr_null(line("Nonfatal=Override", NULL, NULL, NULL));
    ck_assert_int_eq(override, KV_OR_NONFATAL_OVERRIDE);
    ck_assert_ptr_null(line("FileInfo", "Nonfatal=unknown", NULL, NULL));
    ck_assert_int_eq(override, KV_OR_FILEINFO | KV_OR_NONFATAL_UNKNOWN);
    ck_assert_ptr_null(line("Nonfatal=All", NULL, NULL, NULL));
    ck_assert_int_eq(override, KV_OR_NONFATAL_ALL);
    ck_assert_ptr_nonnull(strstr(line("Nonfatal", NULL, NULL, NULL),
                                 "=Override, =Unknown or =All expected after Nonfatal"));
    ck_assert_ptr_nonnull(
        strstr(line("Nonfatal=Sometimes", NULL, NULL, NULL), "Nonfatal=Sometimes"));
}
END_TEST

KVC_TEST(allow_override, bad_words_refused)
{
    ck_assert_str_eq(line("FileInfo", "Everything", NULL, NULL),
                     "AllowOverride: Illegal override option Everything");
    ck_assert_str_eq(line("Includes", NULL, NULL, NULL),
                     "AllowOverride: Illegal override option Includes");
    ck_assert_ptr_nonnull(strstr(line("Limit=GET", NULL, NULL, NULL), "Limit takes no =value"));
}
END_TEST

KVC_TEST(allow_override, override_list)
{
    apr_array_header_t *list = NULL;
    const char *none[] = {"None"}, *two[] = {"Redirect", "RewriteRule"};
    const char *mixed[] = {"Redirect", "None"}, *unknown[] = {"Redirect", "NoSuchThing"};

    ck_assert_ptr_null(kv_parse_allow_override_list(pool, 1, none, &list));
    ck_assert_ptr_nonnull(list);
    ck_assert_int_eq(list->nelts, 0);
    ck_assert_ptr_null(kv_parse_allow_override_list(pool, 2, two, &list));
    ck_assert_int_eq(list->nelts, 2);
    ck_assert_str_eq(APR_ARRAY_IDX(list, 1, const char *), "RewriteRule");
    ck_assert_str_eq(kv_parse_allow_override_list(pool, 2, mixed, &list),
                     "'None' not allowed with other directives in AllowOverrideList");
    ck_assert_ptr_nonnull(strstr(kv_parse_allow_override_list(pool, 2, unknown, &list),
                                 "NoSuchThing is not a directive of httpd"));
}
END_TEST

int main(void)
{
    return kvc_run("allow_override");
}
