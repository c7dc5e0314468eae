/* Tests of modules/autoindex/autoindex_util.c: IndexOptions keywords, the sort query,
 * sorting entries, IndexIgnore matching, icons, alt texts, descriptions, IndexOrderDefault. */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <check.h>

#include "autoindex_util.h"
#include "../check_run.h"

static apr_pool_t *pool;

static const struct {
    const char *word;
    const char *name;  /* NULL: refused */
    const char *value; /* expected value, NULL for none */
} option_words[] = {
    {"FancyIndexing", "FancyIndexing", NULL},
    {"fancyindexing", "FancyIndexing", NULL},
    {"FoldersFirst", "FoldersFirst", NULL},
    {"IgnoreCase", "IgnoreCase", NULL},
    {"SuppressColumnSorting", "SuppressColumnSorting", NULL},
    {"Charset=ISO-8859-1", "Charset", "ISO-8859-1"},
    {"Charset", NULL, NULL},
    {"Charset=", NULL, NULL},
    {"NameWidth=*", "NameWidth", "*"},
    {"IconHeight", "IconHeight", NULL},
    {"IconHeight=22", "IconHeight", "22"},
    {"VersionSort", "VersionSort", NULL},
    {"FancyIndexing=1", NULL, NULL},
    {"Fancy", NULL, NULL},
    {"FancyIndexingX", NULL, NULL},
    {"", NULL, NULL},
};

KVU_POOL_CASE(core_case, "core", pool);

KVC_LOOP_TEST(core_case, test_find_option, 0, (int)(sizeof(option_words) / sizeof(option_words[0])))
{
    const char *value = "unset";
    const ai_option_t *o = ai_find_option(option_words[_i].word, &value);

    if (!option_words[_i].name) {
        ck_assert_msg(o == NULL, "%s accepted", option_words[_i].word);
        return;
    }
    ck_assert_msg(o != NULL, "%s refused", option_words[_i].word);
    ck_assert_str_eq(o->name, option_words[_i].name);
    if (option_words[_i].value) {
        ck_assert_pstr_eq(value, option_words[_i].value);
    } else {
        ck_assert_ptr_null(value);
    }
}
END_TEST

KVC_TEST(core_case, test_option_bits)
{
    const char *value;

    ck_assert_uint_eq(ai_find_option("FancyIndexing", &value)->bit, AI_OPT_FANCY);
    ck_assert_uint_eq(ai_find_option("FoldersFirst", &value)->bit, AI_OPT_FOLDERS_FIRST);
    ck_assert_uint_eq(ai_find_option("IgnoreCase", &value)->bit, AI_OPT_IGNORE_CASE);
    ck_assert_uint_eq(ai_find_option("SuppressColumnSorting", &value)->bit,
                      AI_OPT_SUPPRESS_SORTING);
    ck_assert_uint_eq(ai_find_option("XHTML", &value)->bit, 0);
}
END_TEST

static const struct {
    const char *args;
    char key;
    int descending;
} queries[] = {
    {NULL, 'N', 0},
    {"", 'N', 0},
    {"C=M", 'M', 0},
    {"C=S;O=D", 'S', 1},
    {"O=D&C=D", 'D', 1},
    {"C=N;O=A", 'N', 0},
    {"C=X;O=D", 'N', 0},   /* stops at the bad item */
    {"C=M;O=X", 'M', 0},   /* keeps what came before */
    {"C=MM;O=D", 'N', 0},
    {"c=M", 'N', 0},       /* case matters, as in httpd */
    {"F=2;V=1;P=*.txt;C=S;O=D", 'S', 1},
    {"C=M;", 'M', 0},
    {"foo=bar;C=M", 'N', 0},
};

KVC_LOOP_TEST(core_case, test_parse_sort, 0, (int)(sizeof(queries) / sizeof(queries[0])))
{
    ai_sort_t sort = {'N', 0};

    ai_parse_sort(queries[_i].args, &sort);
    ck_assert_msg(sort.key == queries[_i].key && sort.descending == queries[_i].descending,
                  "%s: got %c/%d", queries[_i].args ? queries[_i].args : "(null)", sort.key,
                  sort.descending);
}
END_TEST

KVC_TEST(core_case, test_sort_query)
{
    ai_sort_t by_name = {'N', 0}, by_name_desc = {'N', 1};

    ck_assert_str_eq(ai_sort_query(pool, &by_name, 'N'), "C=N;O=D");
    ck_assert_str_eq(ai_sort_query(pool, &by_name, 'M'), "C=M;O=A");
    ck_assert_str_eq(ai_sort_query(pool, &by_name_desc, 'N'), "C=N;O=A");
    ck_assert_str_eq(ai_sort_query(pool, &by_name_desc, 'S'), "C=S;O=A");
}
END_TEST

static apr_array_header_t *sample(void)
{
    static const ai_entry_t rows[] = {
        {.name = "b.txt", .desc = "second", .is_dir = 0, .size = 300, .mtime = 2000},
        {.name = "A.txt", .desc = "first", .is_dir = 0, .size = 100, .mtime = 3000},
        {.name = "dir", .desc = NULL, .is_dir = 1, .size = -1, .mtime = 1000},
        {.name = "c.txt", .desc = "first", .is_dir = 0, .size = 200, .mtime = 2000},
        {.name = "a.txt", .desc = NULL, .is_dir = 0, .size = 200, .mtime = 4000},
    };
    apr_array_header_t *a = apr_array_make(pool, 5, sizeof(ai_entry_t));

    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        APR_ARRAY_PUSH(a, ai_entry_t) = rows[i];
    }
    return a;
}

static const char *order(const apr_array_header_t *a)
{
    const char *s = "";

    for (int i = 0; i < a->nelts; i++) {
        s = apr_pstrcat(pool, s, i ? " " : "", APR_ARRAY_IDX(a, i, ai_entry_t).name, NULL);
    }
    return s;
}

static const struct {
    char key;
    int descending;
    unsigned opts;
    const char *want;
} sorts[] = {
    {'N', 0, 0, "A.txt a.txt b.txt c.txt dir"},
    {'N', 1, 0, "dir c.txt b.txt a.txt A.txt"},
    {'N', 0, AI_OPT_IGNORE_CASE, "A.txt a.txt b.txt c.txt dir"},
    {'N', 0, AI_OPT_FOLDERS_FIRST, "dir A.txt a.txt b.txt c.txt"},
    {'N', 1, AI_OPT_FOLDERS_FIRST, "dir c.txt b.txt a.txt A.txt"},
    {'M', 0, 0, "dir b.txt c.txt A.txt a.txt"},
    {'M', 1, 0, "a.txt A.txt c.txt b.txt dir"},
    {'S', 0, 0, "dir A.txt a.txt c.txt b.txt"},
    {'S', 1, 0, "b.txt c.txt a.txt A.txt dir"},
    {'D', 0, 0, "a.txt dir A.txt c.txt b.txt"},
    {'D', 1, 0, "b.txt c.txt A.txt dir a.txt"},
    {'S', 1, AI_OPT_FOLDERS_FIRST, "dir b.txt c.txt a.txt A.txt"},
};

KVC_LOOP_TEST(core_case, test_sort_entries, 0, (int)(sizeof(sorts) / sizeof(sorts[0])))
{
    apr_array_header_t *a = sample();
    ai_sort_t sort = {sorts[_i].key, sorts[_i].descending};

    ai_sort_entries(pool, a, &sort, sorts[_i].opts);
    ck_assert_str_eq(order(a), sorts[_i].want);
}
END_TEST

KVC_TEST(core_case, test_ignore_case_sorts_without_case)
{
    static const ai_entry_t rows[] = {
        {.name = "b", .size = 1, .mtime = 1},
        {.name = "B", .size = 1, .mtime = 1},
        {.name = "a", .size = 1, .mtime = 1},
        {.name = "C", .size = 1, .mtime = 1}};
    apr_array_header_t *a = apr_array_make(pool, 4, sizeof(ai_entry_t));
    ai_sort_t sort = {'N', 0};

    for (size_t i = 0; i < 4; i++) {
        APR_ARRAY_PUSH(a, ai_entry_t) = rows[i];
    }
    ai_sort_entries(pool, a, &sort, AI_OPT_IGNORE_CASE);
    ck_assert_str_eq(order(a), "a B b C");
    ai_sort_entries(pool, a, &sort, 0);
    ck_assert_str_eq(order(a), "B C a b");
}
END_TEST

/* Sort @a n names (a trailing '/' makes a directory) with @a opts, by @a key; the order. */
static const char *sorted_names(const char *const *names, size_t n, char key, unsigned opts)
{
    apr_array_header_t *a = apr_array_make(pool, (int)n, sizeof(ai_entry_t));
    ai_sort_t sort = {key, 0};

    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(names[i]);
        int dir = names[i][len - 1] == '/';
        ai_entry_t *e = apr_array_push(a);
        memset(e, 0, sizeof(*e));
        e->name = apr_pstrndup(pool, names[i], len - (dir ? 1 : 0));
        e->desc = key == 'D' ? e->name : NULL;
        e->is_dir = dir;
    }
    ai_sort_entries(pool, a, &sort, opts);
    return order(a);
}

KVC_TEST(core_case, test_version_sort_and_directories)
{
    static const char *const names[] = {"file10", "file2", "File3", "a.txt", "a/", "b10/",
                                        "b2", "file1.1.z", "file1.01.z"};
    size_t n = sizeof(names) / sizeof(names[0]);

    /* A directory compares with its '/': "a.txt" before "a/" (as httpd lists them). */
    ck_assert_str_eq(sorted_names(names, n, 'N', 0),
                     "File3 a.txt a b10 b2 file1.01.z file1.1.z file10 file2");
    /* Digits as numbers; equal numbers ("1.01", "1.1") fall back to bytes. */
    ck_assert_str_eq(sorted_names(names, n, 'N', AI_OPT_VERSION_SORT),
                     "File3 a.txt a b2 b10 file1.01.z file1.1.z file2 file10");
    ck_assert_str_eq(sorted_names(names, n, 'N', AI_OPT_VERSION_SORT | AI_OPT_IGNORE_CASE),
                     "a.txt a b2 b10 file1.01.z file1.1.z file2 File3 file10");
    /* Descriptions too. */
    ck_assert_str_eq(sorted_names(names, n, 'D', AI_OPT_VERSION_SORT),
                     "File3 a a.txt b2 b10 file1.01.z file1.1.z file2 file10");
}
END_TEST

KVC_TEST(core_case, test_is_ignored)
{
    apr_array_header_t *p = apr_array_make(pool, 4, sizeof(const char *));

    ck_assert_int_eq(ai_is_ignored(p, "x", "/d/x"), 0);
    APR_ARRAY_PUSH(p, const char *) = ".??*";
    APR_ARRAY_PUSH(p, const char *) = "*~";
    APR_ARRAY_PUSH(p, const char *) = "README*";
    APR_ARRAY_PUSH(p, const char *) = "/d/secret/*";
    ck_assert_int_eq(ai_is_ignored(p, ".git", "/d/.git"), 1);
    ck_assert_int_eq(ai_is_ignored(p, ".a", "/d/.a"), 0);
    ck_assert_int_eq(ai_is_ignored(p, "notes~", "/d/notes~"), 1);
    ck_assert_int_eq(ai_is_ignored(p, "README.txt", "/d/README.txt"), 1);
    ck_assert_int_eq(ai_is_ignored(p, "readme.txt", "/d/readme.txt"), 0);
    ck_assert_int_eq(ai_is_ignored(p, "x", "/d/secret/x"), 1);
    ck_assert_int_eq(ai_is_ignored(p, "x", "/d/public/x"), 0);
}
END_TEST


/* Items as Debian's autoindex.conf gives them (in order), plus one from a <Directory>. */
static apr_array_header_t *debian_icons(void)
{
    apr_array_header_t *a = apr_array_make(pool, 8, sizeof(ai_item_t));

    ai_push_item(pool, a, AI_BY_PATH, ".txt", "/srv/special", "/icons/special.gif");
    ai_push_item(pool, a, AI_BY_ENCODING, "X-GZIP", NULL, "/icons/compressed.gif");
    ai_push_item(pool, a, AI_BY_TYPE, "text/*", NULL, "/icons/text.gif");
    ai_push_item(pool, a, AI_BY_PATH, ".tar", NULL, "/icons/tar.gif");
    ai_push_item(pool, a, AI_BY_PATH, ".gz", NULL, "/icons/gz.gif");
    ai_push_item(pool, a, AI_BY_PATH, "/core", NULL, "/icons/bomb.gif");
    ai_push_item(pool, a, AI_BY_PATH, "README", NULL, "/icons/hand.right.gif");
    ai_push_item(pool, a, AI_BY_PATH, "..", NULL, "/icons/back.gif");
    ai_push_item(pool, a, AI_BY_PATH, "**DIRECTORY**", NULL, "/icons/folder.gif");
    ai_push_item(pool, a, AI_BY_PATH, "^^BLANKICON^^", NULL, "/icons/blank.gif");
    ai_push_item(pool, a, AI_BY_PATH, "*.c?", NULL, "/icons/c.gif");
    return a;
}

static const struct {
    const char *path, *type, *encoding;
    int path_only;
    const char *want; /* NULL: none applies */
} icon_cases[] = {
    {"/srv/www/a.txt", "text/plain", NULL, 0, "/icons/text.gif"},
    {"/srv/special/a.txt", "text/plain", NULL, 0, "/icons/special.gif"}, /* its section first */
    {"/srv/www/a.TXT", "TEXT/Plain", NULL, 0, "/icons/text.gif"},      /* types ignore case */
    {"/srv/www/a.tar.gz", "application/x-tar", "x-gzip", 0, "/icons/compressed.gif"},
    {"/srv/www/a.tar.gz", "application/x-tar", NULL, 0, "/icons/gz.gif"},
    {"/srv/www/a.tar", "application/x-tar", NULL, 0, "/icons/tar.gif"},
    {"/srv/www/a.tar.gz", "text/plain", "br", 0, "/icons/gz.gif"}, /* an encoding hides types */
    {"/srv/www/core", NULL, NULL, 0, "/icons/bomb.gif"},
    {"/srv/www/hardcore", NULL, NULL, 0, NULL}, /* "/core" is a whole name */
    {"/srv/www/README", "text/plain", NULL, 0, "/icons/text.gif"}, /* the type came first */
    {"/srv/www/old.README", NULL, NULL, 0, "/icons/hand.right.gif"}, /* ends with it */
    {"/srv/www/x.cc", NULL, NULL, 0, "/icons/c.gif"},                /* wildcards as given */
    {"/srv/www/x.c", NULL, NULL, 0, NULL},
    {"/srv/www/dir", "text/plain", NULL, 1, NULL}, /* a directory: by path only */
    {"/srv/www/..", NULL, NULL, 1, "/icons/back.gif"},
    {"^^DIRECTORY^^", NULL, NULL, 1, "/icons/folder.gif"},
    {"^^BLANKICON^^", NULL, NULL, 1, "/icons/blank.gif"},
    {"^^PARENT^^", NULL, NULL, 1, NULL},
    {"/srv/www/^^DIRECTORY^^x", NULL, NULL, 0, NULL},
};

KVC_LOOP_TEST(core_case, test_find_item, 0, (int)(sizeof(icon_cases) / sizeof(icon_cases[0])))
{
    const char *got = ai_find_item(debian_icons(), icon_cases[_i].path, icon_cases[_i].type,
                                   icon_cases[_i].encoding, icon_cases[_i].path_only);

    ck_assert_msg(icon_cases[_i].want ? got && strcmp(got, icon_cases[_i].want) == 0 : !got,
                  "%s (%s, %s): %s, want %s", icon_cases[_i].path,
                  icon_cases[_i].type ? icon_cases[_i].type : "-",
                  icon_cases[_i].encoding ? icon_cases[_i].encoding : "-", got ? got : "none",
                  icon_cases[_i].want ? icon_cases[_i].want : "none");
}
END_TEST

KVC_TEST(core_case, test_split_icon)
{
    const char *alt, *url;

    ck_assert_ptr_null(ai_split_icon(pool, "/icons/a.gif", &alt, &url));
    ck_assert_ptr_null(alt);
    ck_assert_str_eq(url, "/icons/a.gif");
    ck_assert_ptr_null(ai_split_icon(pool, "(SND,/icons/sound2.gif)", &alt, &url));
    ck_assert_str_eq(alt, "SND");
    ck_assert_str_eq(url, "/icons/sound2.gif");
    ck_assert_ptr_null(ai_split_icon(pool, "(,/i.gif)", &alt, &url));
    ck_assert_str_eq(alt, "");
    ck_assert_str_eq(ai_split_icon(pool, "(SND,/icons/sound2.gif", &alt, &url),
                     "missing closing paren");
    ck_assert_ptr_nonnull(ai_split_icon(pool, "(SND)", &alt, &url));
}
END_TEST

KVC_TEST(core_case, test_find_desc)
{
    apr_array_header_t *d = apr_array_make(pool, 4, sizeof(ai_desc_t));

    ck_assert_ptr_null(ai_find_desc(d, "/srv/a.txt"));
    ai_push_desc(pool, d, "b.c", "the C file");
    ai_push_desc(pool, d, "*.txt", "text");
    ai_push_desc(pool, d, "sub/x.h", "a header below sub");
    ai_push_desc(pool, d, "*.h", "any header");
    /* No wildcard: names that contain it. */
    ck_assert_str_eq(ai_find_desc(d, "/srv/b.c"), "the C file");
    ck_assert_str_eq(ai_find_desc(d, "/srv/ab.cc"), "the C file");
    ck_assert_ptr_null(ai_find_desc(d, "/srv/b.c.d/x"));
    /* A wildcard matches within the name ("*" around it), and the first that applies wins. */
    ck_assert_str_eq(ai_find_desc(d, "/srv/a.txt"), "text");
    ck_assert_str_eq(ai_find_desc(d, "/srv/a.txt.bak"), "text");
    ck_assert_str_eq(ai_find_desc(d, "/srv/b.c.txt"), "the C file");
    /* A '/' matches the end of the full path, on whole segments. */
    ck_assert_str_eq(ai_find_desc(d, "/srv/sub/x.h"), "a header below sub");
    ck_assert_str_eq(ai_find_desc(d, "/srv/nosub/x.h"), "any header");
}
END_TEST

KVC_TEST(core_case, test_parse_order)
{
    ai_sort_t s = {0, 0};

    ck_assert_ptr_null(ai_parse_order("Descending", "Date", &s));
    ck_assert_int_eq(s.key, 'M');
    ck_assert_int_eq(s.descending, 1);
    ck_assert_ptr_null(ai_parse_order("ascending", "description", &s));
    ck_assert_int_eq(s.key, 'D');
    ck_assert_int_eq(s.descending, 0);
    ck_assert_ptr_nonnull(ai_parse_order("Up", "Name", &s));
    ck_assert_ptr_nonnull(ai_parse_order("Ascending", "Modified", &s));
    ck_assert_int_eq(s.key, 'D'); /* a refused pair changes nothing */
}
END_TEST

int main(void)
{
    return kvc_run("autoindex_util");
}
