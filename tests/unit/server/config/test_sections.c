/* Tests of server/config/sections.c: which sections apply to a request, and the order they
 * are merged in (a test module records every section it is merged from). */
/* Moved from tests/unit/server/test_sections.c (server/ split into layer folders). */
#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <apr_file_io.h>
#include <apr_general.h>
#include <apr_strings.h>

#include "config_walk.h"
#include "core.h"
#include "htaccess.h"
#include "if_sections.h"
#include "module.h"
#include "sections.h"
#include "../../check_run.h"

static apr_pool_t *pool;
static kv_server_t *server;

/* The test module: `Mark NAME` in a section; merging appends names in merge order. */
typedef struct {
    const char *marks;
} mark_conf_t;

static void *create_mark(apr_pool_t *p, const char *dir)
{
    (void)dir;
    return apr_pcalloc(p, sizeof(mark_conf_t));
}

static void *merge_mark(apr_pool_t *p, void *basev, void *addv)
{
    mark_conf_t *base = basev, *add = addv, *out = apr_pcalloc(p, sizeof(*out));

    out->marks = !add->marks    ? base->marks
                 : !base->marks ? add->marks
                                : apr_pstrcat(p, base->marks, ",", add->marks, NULL);
    return out;
}

static const char *set_mark(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    (void)argc;
    ((mark_conf_t *)conf)->marks = apr_pstrdup(cmd->pool, argv[0]);
    return NULL;
}

static const kv_command_t mark_commands[] = {
    {"Mark", set_mark, NULL, 1, 1, KV_CTX_ALL, 0, "name"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

static kv_module_t mark_module = {KV_MODULE_HEADER("mark"), .create_dir_config = create_mark,
                                  .merge_dir_config = merge_mark, .commands = mark_commands};

static kv_directive_t *make(const char *name, const char *arg1, const char *arg2)
{
    kv_directive_t *d = apr_pcalloc(pool, sizeof(*d));
    const char **argv = apr_pcalloc(pool, 3 * sizeof(*argv));

    argv[0] = arg1;
    argv[1] = arg2;
    d->name = name;
    d->argc = arg2 ? 2 : arg1 ? 1 : 0;
    d->argv = argv;
    d->file = "/etc/t.conf";
    d->line = 1;
    return d;
}

/* A section named @a name with @a args holding one `Mark mark` (and an optional child). */
static kv_directive_t *section(const char *name, const char *a1, const char *a2,
                               const char *mark, kv_directive_t *child)
{
    kv_directive_t *s = make(name, a1, a2);

    s->first_child = make("Mark", mark, NULL);
    s->first_child->next = child;
    for (kv_directive_t *d = s->first_child; d; d = d->next) {
        d->parent = s;
    }
    return s;
}

static kv_directive_t *chain(kv_directive_t *first, ...)
{
    va_list ap;
    kv_directive_t *d = first, *next;

    va_start(ap, first);
    while ((next = va_arg(ap, kv_directive_t *)) != NULL) {
        d->next = next;
        d = next;
    }
    va_end(ap);
    return first;
}

static void setup(void)
{
    apr_pool_create(&pool, NULL);
    apr_hook_global_pool = pool;
    kv_modules_reset();
    server = kv_server_create(pool);
    kv_module_add(pool, &core_module, NULL, server);
    kv_module_add(pool, &mark_module, NULL, server);
}

static void teardown(void)
{
    apr_hook_deregister_all();
    apr_pool_destroy(pool);
}

static const char *configure(kv_directive_t *tree)
{
    apr_pool_t *ptemp;
    const char *err;

    apr_pool_create(&ptemp, pool);
    err = kv_config_run(pool, ptemp, server, chain(make("Listen", "8080", NULL), tree, NULL));
    if (!err) {
        err = kv_core_finish_config(pool, server);
    }
    return err;
}

/* A GET of @a uri mapped to @a filename (a regular file, or a directory when @a is_dir). */
static kv_request_t *request_for(const char *uri, const char *filename, int is_dir)
{
    kv_request_t *r = apr_pcalloc(pool, sizeof(*r));

    r->pool = pool;
    r->server = server;
    r->method = "GET";
    r->uri = uri;
    r->filename = filename;
    r->finfo.filetype = is_dir ? APR_DIR : APR_REG;
    r->headers_in = apr_table_make(pool, 2);
    r->subprocess_env = apr_table_make(pool, 2);
    return r;
}

static const char *marks_of(const kv_request_t *r)
{
    const mark_conf_t *m = kv_get_module_config(r->per_dir_config, &mark_module);

    return m->marks ? m->marks : "";
}

/* The marks merged for a request for @a uri mapped to @a filename. */
static const char *marks_for(const char *uri, const char *filename, int is_dir)
{
    kv_request_t *r = request_for(uri, filename, is_dir);

    kv_directory_walk(r);
    return marks_of(r);
}

KVU_CASE(walk, "walk", setup, teardown);

KVC_TEST(walk, directories_merge_shortest_first_then_match_files_location)
{
    ck_assert_ptr_null(configure(chain(
        section("<Location", "/", NULL, "loc", NULL),
        section("<Directory", "/srv/www/a", NULL, "deep", NULL),
        section("<Files", "*.html", NULL, "files", NULL),
        section("<DirectoryMatch", "^/srv/.*/a$", NULL, "dmatch", NULL),
        section("<Directory", "/srv/www", NULL, "www", NULL),
        section("<Directory", "/", NULL, "root", NULL), NULL)));
    ck_assert_str_eq(marks_for("/a/x.html", "/srv/www/a/x.html", 0),
                     "root,www,deep,dmatch,files,loc");
    ck_assert_str_eq(marks_for("/b.txt", "/srv/www/b.txt", 0), "root,www,loc");
}
END_TEST

KVC_TEST(walk, directory_covers_whole_components_only)
{
    ck_assert_ptr_null(configure(section("<Directory", "/srv/www", NULL, "www", NULL)));
    ck_assert_str_eq(marks_for("/x", "/srv/www/x", 0), "www");
    ck_assert_str_eq(marks_for("/", "/srv/www", 1), "www");
    ck_assert_str_eq(marks_for("/x", "/srv/www2/x", 0), "");
    ck_assert_str_eq(marks_for("/x", "/srv/x", 0), "");
}
END_TEST

KVC_TEST(walk, directory_wildcards_and_tilde)
{
    ck_assert_ptr_null(configure(chain(
        section("<Directory", "/home/*/public_html", NULL, "glob", NULL),
        section("<Directory", "~", "^/data/[0-9]+$", "tilde", NULL), NULL)));
    ck_assert_str_eq(marks_for("/x", "/home/ann/public_html/x", 0), "glob");
    ck_assert_str_eq(marks_for("/x", "/home/ann/other/x", 0), "");
    ck_assert_str_eq(marks_for("/x", "/data/42/x", 0), "tilde");
    ck_assert_str_eq(marks_for("/x", "/data/x/y", 0), "");
}
END_TEST

KVC_TEST(walk, location_matches_segments)
{
    ck_assert_ptr_null(configure(chain(
        section("<Location", "/private", NULL, "priv", NULL),
        section("<LocationMatch", "\\.php$", NULL, "php", NULL), NULL)));
    ck_assert_str_eq(marks_for("/private", "/s/private", 1), "priv");
    ck_assert_str_eq(marks_for("/private/a.php", "/s/private/a.php", 0), "priv,php");
    ck_assert_str_eq(marks_for("/private2", "/s/private2", 0), "");
}
END_TEST

KVC_TEST(walk, files_inside_directory_apply_only_there)
{
    ck_assert_ptr_null(configure(section("<Directory", "/srv/a", NULL, "a",
                                         section("<Files", "*.txt", NULL, "txt", NULL))));
    ck_assert_str_eq(marks_for("/t.txt", "/srv/a/t.txt", 0), "a,txt");
    ck_assert_str_eq(marks_for("/t.txt", "/srv/b/t.txt", 0), "");
    ck_assert_str_eq(marks_for("/t.html", "/srv/a/t.html", 0), "a");
}
END_TEST

KVC_TEST(walk, nesting_rules)
{
    const char *err = configure(section("<Directory", "/a", NULL, "a",
                                        section("<Directory", "/a/b", NULL, "b", NULL)));
    ck_assert_ptr_nonnull(strstr(err, "<Directory> is not allowed in a <Directory>, <Location> or <Files> section"));
    teardown();
    setup();
    err = configure(section("<Location", "/a", NULL, "a", section("<Files", "x", NULL, "b", NULL)));
    ck_assert_ptr_nonnull(strstr(err, "<Files> cannot occur within a <Location> section"));
    teardown();
    setup();
    err = configure(section("<Directory", "~", "a(", "x", NULL));
    ck_assert_ptr_nonnull(strstr(err, "bad regular expression"));
    teardown();
    setup();
    err = configure(section("<Directory", "/a", "/b", "x", NULL));
    ck_assert_ptr_nonnull(strstr(err, "takes one argument"));
}
END_TEST

KVC_TEST(walk, server_only_directive_refused_inside_section)
{
    const char *err = configure(section("<Directory", "/a", NULL, "a",
                                        make("DocumentRoot", "/tmp", NULL)));
    ck_assert_ptr_nonnull(strstr(err, "DocumentRoot is not allowed in a <Directory>"));
}
END_TEST

KVC_TEST(walk, options_absolute_relative_and_errors)
{
    kv_request_t r;

    memset(&r, 0, sizeof(r));
    r.pool = pool;
    r.server = server;
    ck_assert_ptr_null(configure(chain(
        section("<Directory", "/", NULL, "root", make("Options", "None", NULL)),
        section("<Directory", "/w", NULL, "w", make("Options", "Indexes", "FollowSymLinks")),
        section("<Directory", "/w/x", NULL, "x", make("Options", "-Indexes", "+ExecCGI")),
        NULL)));
    r.finfo.filetype = APR_REG;
    r.filename = "/w/x/f";
    kv_directory_walk(&r);
    ck_assert_int_eq(kv_allow_options(&r), KV_OPT_SYM_LINKS | KV_OPT_EXECCGI);
    r.filename = "/w/f";
    kv_directory_walk(&r);
    ck_assert_int_eq(kv_allow_options(&r), KV_OPT_INDEXES | KV_OPT_SYM_LINKS);
    r.filename = "/o/f";
    kv_directory_walk(&r);
    ck_assert_int_eq(kv_allow_options(&r), KV_OPT_NONE);
    teardown();
    setup();
    ck_assert_ptr_nonnull(strstr(configure(make("Options", "+Indexes", "FollowSymLinks")),
                                 "either all Options must start with + or -"));
    teardown();
    setup();
    ck_assert_ptr_null(configure(make("Options", "MultiViews", "Indexes")));
    teardown();
    setup();
    ck_assert_ptr_nonnull(strstr(configure(make("Options", "Bogus", NULL)), "illegal option"));
}
END_TEST

/* The Options in force for a file in @a dir. */
static int options_in(const char *dir)
{
    kv_request_t *r = request_for("/", apr_pstrcat(pool, dir, "/f", NULL), 0);

    kv_directory_walk(r);
    return kv_allow_options(r);
}

KVC_TEST(walk, options_includes_noexec)
{
    const int both = KV_OPT_INCLUDES | KV_OPT_INC_WITH_EXEC;

    ck_assert_ptr_null(configure(
        chain(section("<Directory", "/a", NULL, "a", make("Options", "IncludesNoExec", "Indexes")),
              section("<Directory", "/b", NULL, "b", make("Options", "Includes", NULL)),
              section("<Directory", "/b/n", NULL, "bn", make("Options", "+IncludesNOEXEC", NULL)),
              section("<Directory", "/b/m", NULL, "bm", make("Options", "-Includes", NULL)),
              section("<Directory", "/c", NULL, "c", make("Options", "All", NULL)),
              section("<Directory", "/c/n", NULL, "cn", make("Options", "-IncludesNoExec", NULL)),
              NULL)));
    ck_assert_int_eq(options_in("/a"), KV_OPT_INCLUDES | KV_OPT_INDEXES);
    ck_assert_int_eq(options_in("/b"), both);
    /* +IncludesNOEXEC under Includes takes exec away, as in httpd's merge. */
    ck_assert_int_eq(options_in("/b/n"), KV_OPT_INCLUDES);
    ck_assert_int_eq(options_in("/b/m"), 0);
    /* All holds Includes (with exec), not MultiViews. */
    ck_assert_int_eq(options_in("/c") & (both | KV_OPT_MULTIVIEWS), both);
    ck_assert_int_eq(options_in("/c/n") & KV_OPT_INCLUDES, 0);
}
END_TEST

KVC_TEST(walk, allow_override_only_in_plain_directory)
{
    const char *sections[][3] = {{"<Location", "/", NULL},
                                 {"<Files", "x", NULL},
                                 {"<DirectoryMatch", "^/a", NULL},
                                 {"<Directory", "~", "^/a"}};

    ck_assert_ptr_null(configure(
        chain(section("<Directory", "/", NULL, "r", make("AllowOverride", "None", NULL)),
              section("<Directory", "/home/*/public_html", NULL, "u",
                      make("AllowOverride", "FileInfo", "AuthConfig")),
              section("<Directory", "/srv", NULL, "s", make("AllowOverrideList", "Redirect", NULL)),
              NULL)));
    for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
        teardown();
        setup();
        const char *err = configure(section(sections[i][0], sections[i][1], sections[i][2], "x",
                                            make("AllowOverride", "All", NULL)));
        ck_assert_msg(err && strstr(err, "AllowOverride is only valid in a <Directory> section"),
                      "%s %s: %s", sections[i][0], sections[i][1], err ? err : "accepted");
    }
    teardown();
    setup();
    ck_assert_ptr_nonnull(strstr(configure(make("AllowOverride", "None", NULL)), "not allowed"));
}
END_TEST

/* A directory for the .htaccess tests: DIR/www/sub and DIR/other, made in pool. */
static const char *make_tree(void)
{
    char *dir = apr_pstrdup(pool, "/tmp/kv-htaccess-XXXXXX");

    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(apr_dir_make_recursive(apr_pstrcat(pool, dir, "/www/sub", NULL),
                                            APR_FPROT_OS_DEFAULT, pool),
                     APR_SUCCESS);
    ck_assert_int_eq(
        apr_dir_make(apr_pstrcat(pool, dir, "/other", NULL), APR_FPROT_OS_DEFAULT, pool),
        APR_SUCCESS);
    return dir;
}

static void touch(const char *path)
{
    apr_file_t *f;

    ck_assert_int_eq(
        apr_file_open(&f, path, APR_FOPEN_CREATE | APR_FOPEN_WRITE, APR_FPROT_OS_DEFAULT, pool),
        APR_SUCCESS);
    apr_file_close(f);
}

/* kv_htaccess_check for the regular file @a rel under @a dir. */
static int check_file(const char *dir, const char *rel)
{
    return kv_htaccess_check(request_for("/", apr_pstrcat(pool, dir, rel, NULL), 0));
}

static void remove_tree(const char *dir)
{
    const char *files[] = {"/.htaccess", "/www/.htaccess", "/www/sub/.htaccess",
                           "/www/.acl",  "/www/sub/.acl",  "/other/.htaccess"};
    const char *dirs[] = {"/www/sub", "/www", "/other", ""};

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        apr_file_remove(apr_pstrcat(pool, dir, files[i], NULL), pool);
    }
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        ck_assert_int_eq(apr_dir_remove(apr_pstrcat(pool, dir, dirs[i], NULL), pool), APR_SUCCESS);
    }
}

KVC_TEST(walk, htaccess_refused_where_overrides_apply)
{
    const char *dir = make_tree();

    ck_assert_ptr_null(
        configure(chain(section("<Directory", "/", NULL, "r", make("AllowOverride", "None", NULL)),
                        section("<Directory", apr_pstrcat(pool, dir, "/www", NULL), NULL, "w",
                                make("AllowOverride", "All", NULL)),
                        NULL)));
    ck_assert_int_eq(check_file(dir, "/www/sub/f"), KV_OK);
    /* Where AllowOverride None applies, a .htaccess is not read: ignored, as httpd. */
    touch(apr_pstrcat(pool, dir, "/.htaccess", NULL));
    touch(apr_pstrcat(pool, dir, "/other/.htaccess", NULL));
    ck_assert_int_eq(check_file(dir, "/www/sub/f"), KV_OK);
    ck_assert_int_eq(check_file(dir, "/other/f"), KV_OK);
    /* A parent directory's counts, and so does the file's own. */
    touch(apr_pstrcat(pool, dir, "/www/.htaccess", NULL));
    ck_assert_int_eq(check_file(dir, "/www/sub/f"), KV_HTTP_INTERNAL_SERVER_ERROR);
    ck_assert_int_eq(check_file(dir, "/www/f"), KV_HTTP_INTERNAL_SERVER_ERROR);
    ck_assert_int_eq(kv_htaccess_check(request_for("/", apr_pstrcat(pool, dir, "/www", NULL), 1)),
                     KV_HTTP_INTERNAL_SERVER_ERROR);
    ck_assert_int_eq(check_file(dir, "/other/f"), KV_OK);
    remove_tree(dir);
}
END_TEST

KVC_TEST(walk, htaccess_deeper_none_and_names)
{
    const char *dir = make_tree();

    ck_assert_ptr_null(configure(
        chain(make("AccessFileName", ".acl", NULL),
              section("<Directory", "/", NULL, "r", make("AllowOverrideList", "Redirect", NULL)),
              section("<Directory", apr_pstrcat(pool, dir, "/www", NULL), NULL, "w",
                      make("AllowOverrideList", "None", NULL)),
              section("<Directory", apr_pstrcat(pool, dir, "/*/sub", NULL), NULL, "s",
                      make("AllowOverride", "Nonfatal=All", NULL)),
              NULL)));
    /* AccessFileName names the file: .htaccess itself is then nothing special. */
    touch(apr_pstrcat(pool, dir, "/www/.htaccess", NULL));
    ck_assert_int_eq(check_file(dir, "/www/f"), KV_OK);
    /* AllowOverrideList None below a list: nothing is read in /www ... */
    touch(apr_pstrcat(pool, dir, "/www/.acl", NULL));
    ck_assert_int_eq(check_file(dir, "/www/f"), KV_OK);
    touch(apr_pstrcat(pool, dir, "/www/sub/.acl", NULL));
    /* ... and the wildcard section allows something in /www/sub. */
    ck_assert_int_eq(check_file(dir, "/www/sub/f"), KV_HTTP_INTERNAL_SERVER_ERROR);
    remove_tree(dir);
}
END_TEST

KVC_TEST(walk, htaccess_costs_nothing_with_none)
{
    ck_assert_ptr_null(configure(chain(
        section("<Directory", "/", NULL, "r", make("AllowOverride", "None", NULL)),
        section("<Directory", "/w", NULL, "w", make("AllowOverrideList", "None", NULL)), NULL)));
    ck_assert_int_eq(kv_core_sconf(server)->sections.overrides, 0);
    teardown();
    setup();
    ck_assert_ptr_null(
        configure(section("<Directory", "/w", NULL, "w", make("AllowOverride", "Limit", NULL))));
    ck_assert_int_eq(kv_core_sconf(server)->sections.overrides, 1);
}
END_TEST

/* The marks merged for a GET of @a uri (file @a filename) with Host @a host: the sections,
 * then the <If> sections, as a request's phases merge them. */
static const char *if_marks_for(const char *uri, const char *filename, const char *host)
{
    kv_request_t *r = request_for(uri, filename, 0);

    apr_table_set(r->headers_in, "Host", host);
    kv_directory_walk(r);
    kv_if_walk(r);
    return marks_of(r);
}

KVC_TEST(walk, if_sections_merge_last_in_their_context)
{
    ck_assert_ptr_null(configure(chain(
        section("<If", "%{HTTP_HOST} == 'a'", NULL, "if-a", NULL),
        section("<Location", "/", NULL, "loc", NULL),
        section("<Directory", "/srv", NULL, "srv",
                section("<If", "%{REQUEST_URI} =~ m#^/x#", NULL, "dir-if", NULL)),
        NULL)));
    ck_assert_str_eq(if_marks_for("/x", "/srv/x", "a"), "srv,loc,if-a,dir-if");
    ck_assert_str_eq(if_marks_for("/y", "/srv/y", "a"), "srv,loc,if-a");
    ck_assert_str_eq(if_marks_for("/x", "/other/x", "b"), "loc");
}
END_TEST

KVC_TEST(walk, elseif_and_else_follow_the_first_that_holds)
{
    ck_assert_ptr_null(configure(chain(
        section("<If", "%{HTTP_HOST} == 'a'", NULL, "a", NULL),
        section("<ElseIf", "%{HTTP_HOST} -strmatch 'b*'", NULL, "b", NULL),
        section("<ElseIf", "%{HTTP_HOST} =~ /^b/", NULL, "b2", NULL),
        section("<Else", NULL, NULL, "else", NULL),
        section("<If", "true", NULL, "second", NULL), NULL)));
    ck_assert_str_eq(if_marks_for("/", "/f", "a"), "a,second");
    ck_assert_str_eq(if_marks_for("/", "/f", "bb"), "b,second");
    ck_assert_str_eq(if_marks_for("/", "/f", "c"), "else,second");
}
END_TEST

KVC_TEST(walk, nested_if_merges_after_its_parent)
{
    ck_assert_ptr_null(configure(section(
        "<If", "%{HTTP_HOST} =~ /^a/", NULL, "outer",
        chain(section("<If", "%{HTTP_HOST} == 'ab'", NULL, "inner", NULL),
              section("<Else", NULL, NULL, "inner-else", NULL), NULL))));
    ck_assert_str_eq(if_marks_for("/", "/f", "ab"), "outer,inner");
    ck_assert_str_eq(if_marks_for("/", "/f", "ac"), "outer,inner-else");
    ck_assert_str_eq(if_marks_for("/", "/f", "b"), "");
}
END_TEST

KVC_TEST(walk, if_section_errors)
{
    const char *err = configure(section("<Else", NULL, NULL, "e", NULL));
    ck_assert_ptr_nonnull(strstr(err, "<Else> or <ElseIf> section without previous <If>"));
    teardown();
    setup();
    err = configure(chain(section("<If", "true", NULL, "i", NULL),
                          section("<Else", NULL, NULL, "e", NULL),
                          section("<ElseIf", "true", NULL, "ei", NULL), NULL));
    ck_assert_ptr_nonnull(strstr(err, "without previous <If>"));
    teardown();
    setup();
    err = configure(section("<If", "%{HTTP_HOST} === 'a'", NULL, "i", NULL));
    ck_assert_ptr_nonnull(strstr(err, "Syntax error on line 1 of /etc/t.conf: Cannot parse "
                                      "condition clause"));
    teardown();
    setup();
    err = configure(section("<If", "true", "false", "i", NULL));
    ck_assert_ptr_nonnull(strstr(err, "Multiple <If> arguments"));
    teardown();
    setup();
    err = configure(section("<Else", "true", NULL, "i", NULL));
    ck_assert_ptr_nonnull(strstr(err, "<Else> does not take an argument"));
    teardown();
    setup();
    err = configure(section("<If", "true", NULL, "i", section("<Files", "x", NULL, "f", NULL)));
    ck_assert_ptr_nonnull(strstr(err, "<Files> cannot occur within an <If> section"));
    teardown();
    setup();
    err = configure(section("<If", "true", NULL, "i", make("DocumentRoot", "/tmp", NULL)));
    ck_assert_ptr_nonnull(strstr(err, "DocumentRoot is not allowed in a <Directory>"));
}
END_TEST

KVC_TEST(walk, default_options_follow_symlinks)
{
    kv_request_t r;

    ck_assert_ptr_null(configure(NULL));
    memset(&r, 0, sizeof(r));
    r.pool = pool;
    r.server = server;
    r.per_dir_config = server->lookup_defaults;
    ck_assert_int_eq(kv_allow_options(&r), KV_OPT_SYM_LINKS);
}
END_TEST

int main(void)
{
    return kvu_run_apr("sections");
}
