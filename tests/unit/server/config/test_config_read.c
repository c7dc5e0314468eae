/* Tests of server/config/config_read.c: lines, quoting, ${VAR}, Define, <IfDefine>, sections,
 * Include, ServerRoot and every error message. Fixture files are written into a fresh
 * temporary directory that serves as ServerRoot; all are removed at the end, failed or not. */
/* Moved from tests/unit/server/test_config_read.c (server/ split into layer folders). */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apr_file_info.h>
#include <apr_file_io.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "config_read.h"
#include "../../check_run.h"

static apr_pool_t *pool;
static char base_dir[] = "/tmp/kiva-cfg-XXXXXX"; /* holds every test's directory; main removes it */
static const char *dir;                          /* this test's directory and ServerRoot */
static const char *saved_root;
static kv_config_reader_t rd;
static kv_directive_t *tree;

/* ---- fixture -------------------------------------------------------------------------- */

static void remove_tree(apr_pool_t *parent, const char *path)
{
    apr_pool_t *p;
    apr_dir_t *d;
    apr_finfo_t fi;

    apr_pool_create(&p, parent);
    if (apr_dir_open(&d, path, p) == APR_SUCCESS) {
        while (apr_dir_read(&fi, APR_FINFO_NAME | APR_FINFO_TYPE | APR_FINFO_LINK, d) ==
               APR_SUCCESS) {
            const char *child = apr_pstrcat(p, path, "/", fi.name, NULL);
            if (strcmp(fi.name, ".") == 0 || strcmp(fi.name, "..") == 0) {
                continue;
            }
            if (fi.filetype == APR_DIR) {
                remove_tree(p, child);
            } else {
                apr_file_remove(child, p);
            }
        }
        apr_dir_close(d);
        apr_dir_remove(path, p);
    }
    apr_pool_destroy(p);
}

static void setup(void)
{
    char *tmpl;

    apr_pool_create(&pool, NULL);
    tmpl = apr_pstrcat(pool, base_dir, "/t-XXXXXX", NULL);
    ck_assert_ptr_nonnull(mkdtemp(tmpl));
    dir = tmpl;
    saved_root = kv_server_root;
    kv_server_root = dir;
    kv_config_defines_reset(pool, NULL);
    rd.pool = pool;
    rd.temp_pool = pool;
    rd.warnings = NULL;
    tree = NULL;
}

static void teardown(void)
{
    kv_server_root = saved_root;
    apr_pool_destroy(pool);
}

/* Write @a content to @a rel below the temporary directory, making directories. */
static const char *write_file(const char *rel, const char *content)
{
    const char *path = apr_pstrcat(pool, dir, "/", rel, NULL);
    apr_file_t *f;
    apr_size_t len = strlen(content);
    char *parent = apr_pstrdup(pool, path);

    *strrchr(parent, '/') = '\0';
    ck_assert_int_eq(apr_dir_make_recursive(parent, APR_FPROT_OS_DEFAULT, pool), APR_SUCCESS);
    ck_assert_int_eq(apr_file_open(&f, path,
                                   APR_FOPEN_WRITE | APR_FOPEN_CREATE | APR_FOPEN_TRUNCATE,
                                   APR_FPROT_OS_DEFAULT, pool),
                     APR_SUCCESS);
    ck_assert_int_eq(apr_file_write_full(f, content, len, NULL), APR_SUCCESS);
    apr_file_close(f);
    return path;
}

static const char *path_of(const char *rel)
{
    return apr_pstrcat(pool, dir, "/", rel, NULL);
}

/* Read @a content written as @a rel; the error or NULL. */
static const char *read_text(const char *rel, const char *content)
{
    write_file(rel, content);
    return kv_config_read_file(&rd, rel, &tree);
}

static const char *syntax(unsigned line, const char *rel, const char *reason)
{
    return apr_psprintf(pool, "Syntax error on line %u of %s: %s", line, path_of(rel), reason);
}

/* The tree as "Name(arg|arg){children} Next(...)". */
static const char *dump(const kv_directive_t *n)
{
    const char *out = "";

    for (; n; n = n->next) {
        const char *args = "";
        for (int i = 0; i < n->argc; i++) {
            args = apr_pstrcat(pool, args, i ? "|" : "", n->argv[i], NULL);
        }
        ck_assert_ptr_null(n->argv[n->argc]);
        out = apr_pstrcat(
            pool, out, *out ? " " : "", n->name, "(", args, ")",
            n->first_child ? apr_pstrcat(pool, "{", dump(n->first_child), "}", NULL) : "", NULL);
    }
    return out;
}

static void assert_reads(const char *content, const char *expected_tree)
{
    const char *err = read_text("t.conf", content);

    ck_assert_msg(err == NULL, "unexpected error: %s", err);
    ck_assert_str_eq(dump(tree), expected_tree);
}

/* Reading @a content alone gives the error @a expected. */
static void assert_fails(const char *content, const char *expected)
{
    tree = NULL;
    rd.errors = NULL;
    ck_assert_str_eq(read_text("t.conf", content), expected);
}

#define REFUSALS_FILE "tests/unit/server/config/config_read_refusals.vectors"

/* The test @a set's configurations in REFUSALS_FILE (there must be @a count): each is refused,
 * with its line and reason. */
static void assert_refused(const char *set, int count)
{
    const struct kvc_vector *v;
    int n = kvc_vectors(REFUSALS_FILE, 4, &v), found = 0;

    for (int i = 0; i < n; i++) {
        if (strcmp(v[i].field[0], set) == 0) {
            const char *want = syntax((unsigned)kvc_vector_int(&v[i], 2), "t.conf", v[i].field[3]);
            const char *got;

            tree = NULL;
            rd.errors = NULL;
            got = read_text("t.conf", v[i].field[1]);
            ck_assert_msg(got != NULL && strcmp(got, want) == 0, "%s:%d: '%s', want '%s'",
                          v[i].file, v[i].line, got ? got : "(accepted)", want);
            found++;
        }
    }
    ck_assert_msg(found == count, "%s: %d vectors of %s, the test wants %d", REFUSALS_FILE, found,
                  set, count);
}

static const kv_directive_t *nth(int i)
{
    const kv_directive_t *n = tree;

    while (i-- > 0) {
        n = n->next;
    }
    return n;
}

KVU_CASE(lines_case, "lines", setup, teardown);
KVU_CASE(defines_case, "defines", setup, teardown);
KVU_CASE(sections_case, "sections", setup, teardown);
KVU_CASE(include_case, "include", setup, teardown);
KVU_CASE(entry_case, "entry", setup, teardown);
KVU_CASE(errors_case, "errors", setup, teardown);

/* ---- lines ---------------------------------------------------------------------------- */

KVC_TEST(lines_case, directives_comments_and_blank_lines)
{
    assert_reads("# comment\n"
                 "   ServerName   www.example.com   \n"
                 "\n"
                 "Listen 8080 # not a comment\n"
                 "\t# indented comment\n"
                 "  \t \n"
                 "keepalive On",
                 "ServerName(www.example.com) Listen(8080|#|not|a|comment) keepalive(On)");
    ck_assert_uint_eq(nth(0)->line, 2);
    ck_assert_uint_eq(nth(1)->line, 4);
    ck_assert_uint_eq(nth(2)->line, 7);
    ck_assert_str_eq(nth(0)->file, path_of("t.conf"));
    ck_assert_str_eq(nth(1)->args, "8080 # not a comment");
    ck_assert_ptr_null(nth(0)->parent);
    ck_assert_ptr_null(nth(0)->first_child);
    ck_assert_ptr_null(rd.warnings);
}
END_TEST

KVC_TEST(lines_case, continuation_lines)
{
    assert_reads("Foo a \\\n"
                 "   b \\\n"
                 "c\n"
                 "# comment \\\n"
                 "still the comment\n"
                 "Bar x\r\n"
                 "Baz y \\\r\n"
                 "z\r\n"
                 "Last \\\n",
                 "Foo(a|b|c) Bar(x) Baz(y|z) Last()");
    ck_assert_uint_eq(nth(0)->line, 1);
    ck_assert_str_eq(nth(0)->args, "a    b c");
    ck_assert_uint_eq(nth(1)->line, 6);
    ck_assert_uint_eq(nth(2)->line, 7);
    ck_assert_uint_eq(nth(3)->line, 9);
}
END_TEST

KVC_TEST(lines_case, long_lines)
{
    /* A line of exactly the limit is read; one byte more, directly or by continuation, is not. */
    char *arg = apr_palloc(pool, KV_CONFIG_MAX_LINE);
    char *too_long = apr_palloc(pool, KV_CONFIG_MAX_LINE + 2);

    memset(arg, 'x', KV_CONFIG_MAX_LINE - 2);
    arg[KV_CONFIG_MAX_LINE - 2] = '\0';
    assert_reads(apr_pstrcat(pool, "L ", arg, "\nNext 1\n", NULL),
                 apr_pstrcat(pool, "L(", arg, ") Next(1)", NULL));

    memset(too_long, 'y', KV_CONFIG_MAX_LINE + 1);
    too_long[KV_CONFIG_MAX_LINE + 1] = '\0';
    assert_fails(apr_pstrcat(pool, "A 1\n", too_long, "\n", NULL),
                 syntax(2, "t.conf", "line is longer than 65536 characters"));
    assert_fails(apr_pstrcat(pool, "A 1\nL \\\n", arg, "x\n", NULL),
                 syntax(2, "t.conf", "line is longer than 65536 characters"));
}
END_TEST

/* The limit holds after ${VAR} expansion too, so that a Define that doubles itself line after
 * line cannot exhaust memory (found by tests/fuzz/fuzz_config). */
KVC_TEST(lines_case, long_lines_after_expansion)
{
    char *half = apr_palloc(pool, KV_CONFIG_MAX_LINE / 2);
    const char *doubling = "Define X ${X}${X}\n";

    memset(half, 'v', KV_CONFIG_MAX_LINE / 2 - 1);
    half[KV_CONFIG_MAX_LINE / 2 - 1] = '\0';
    assert_reads(apr_pstrcat(pool, "Define X ", half, "\nL ${X}${X}\n", NULL),
                 apr_pstrcat(pool, "Define(X|", half, ") L(", half, half, ")", NULL));
    assert_fails(apr_pstrcat(pool, "Define X ", half, "\nL ${X}${X}x\n", NULL),
                 syntax(2, "t.conf", "line is longer than 65536 characters after ${} expansion"));
    assert_fails(apr_pstrcat(pool, "Define X 0123456789abcdef\n", doubling, doubling, doubling,
                             doubling, doubling, doubling, doubling, doubling, doubling, doubling,
                             doubling, doubling, doubling, NULL),
                 apr_pstrcat(pool,
                             syntax(13, "t.conf",
                                    "line is longer than 65536 characters after ${} expansion"),
                             "\n",
                             syntax(14, "t.conf",
                                    "line is longer than 65536 characters after ${} expansion"),
                             NULL));
}
END_TEST

KVC_TEST(lines_case, nul_in_a_line)
{
    const char text[] = "A 1\nB x\0y\n";
    apr_file_t *f;
    apr_size_t len = sizeof(text) - 1;

    apr_file_open(&f, write_file("t.conf", ""), APR_FOPEN_WRITE, APR_FPROT_OS_DEFAULT, pool);
    apr_file_write_full(f, text, len, NULL);
    apr_file_close(f);
    ck_assert_str_eq(kv_config_read_file(&rd, "t.conf", &tree),
                     syntax(2, "t.conf", "line contains a NUL character"));
}
END_TEST

/* ---- arguments ------------------------------------------------------------------------ */

KVC_TEST(lines_case, quoted_arguments)
{
    assert_reads("A \"one two\" 'three four' five\n"
                 "B \"say \\\"hi\\\"\" 'it\\'s' \"back\\\\slash\" plain\\\\x a\\b 'x\\\"y'\n"
                 "C \"\" ''\n"
                 "D \"a\"b mid\"dle\n",
                 "A(one two|three four|five) B(say \"hi\"|it's|back\\slash|plain\\x|a\\b|x\\\"y) "
                 "C(|) D(a|b|mid\"dle)");
    ck_assert_str_eq(nth(0)->args, "\"one two\" 'three four' five");
    ck_assert_int_eq(nth(2)->argc, 2);
}
END_TEST

KVC_TEST(lines_case, unterminated_quote)
{
    assert_refused("unterminated_quote", 2);
}
END_TEST

/* ---- ${VAR} and Define ---------------------------------------------------------------- */

KVC_TEST(defines_case, variables_expand)
{
    setenv("KV_TEST_HOME", "/home/t", 1);
    unsetenv("KV_TEST_NOPE");
    unsetenv("FLAG");
    assert_reads("Define ROOT /srv/www\n"
                 "DocumentRoot ${ROOT}/htdocs\n"
                 "Home ${KV_TEST_HOME}\n"
                 "Missing ${KV_TEST_NOPE}x \"${ROOT} dir\"\n"
                 "Define FLAG\n"
                 "Flag ${FLAG} ${unclosed\n"
                 "Env ${KV_TEST_HOME}${ROOT}\n",
                 "Define(ROOT|/srv/www) DocumentRoot(/srv/www/htdocs) Home(/home/t) "
                 "Missing(${KV_TEST_NOPE}x|/srv/www dir) Define(FLAG) Flag(${FLAG}|${unclosed) "
                 "Env(/home/t/srv/www)");
    ck_assert_str_eq(nth(3)->args, "${KV_TEST_NOPE}x \"/srv/www dir\"");
    ck_assert_ptr_nonnull(rd.warnings);
    ck_assert_int_eq(rd.warnings->nelts, 2);
    ck_assert_str_eq(APR_ARRAY_IDX(rd.warnings, 0, const char *),
                     apr_psprintf(pool,
                                  "Warning on line 4 of %s: config variable ${KV_TEST_NOPE} is "
                                  "not defined",
                                  path_of("t.conf")));
    ck_assert_str_eq(APR_ARRAY_IDX(rd.warnings, 1, const char *),
                     apr_psprintf(pool,
                                  "Warning on line 6 of %s: config variable ${FLAG} is not "
                                  "defined",
                                  path_of("t.conf")));
}
END_TEST

KVC_TEST(defines_case, define_and_undefine)
{
    apr_array_header_t *cmdline = apr_array_make(pool, 1, sizeof(const char *));

    APR_ARRAY_PUSH(cmdline, const char *) = "CMDLINE";
    kv_config_defines_reset(pool, cmdline);
    ck_assert(kv_exists_define("CMDLINE"));
    ck_assert_str_eq(kv_config_define_value("CMDLINE"), "");
    ck_assert(!kv_exists_define("A"));
    ck_assert_ptr_null(kv_config_define_value("A"));
    assert_reads("Define A 1\nDefine B\nUnDefine CMDLINE\nDefine A 2\nDefine E \"\"\nUse ${E}x\n",
                 "Define(A|1) Define(B) UnDefine(CMDLINE) Define(A|2) Define(E|) Use(x)");
    ck_assert_str_eq(kv_config_define_value("A"), "2");
    ck_assert(kv_exists_define("B"));
    ck_assert_str_eq(kv_config_define_value("B"), "");
    ck_assert(!kv_exists_define("CMDLINE"));
    ck_assert_ptr_null(rd.warnings);
}
END_TEST

KVC_TEST(defines_case, defines_reset_and_die_with_their_pool)
{
    apr_pool_t *p;

    apr_pool_create(&p, pool);
    kv_config_defines_reset(p, NULL);
    ck_assert_ptr_null(kv_config_read_line(&rd, "Define GONE", "-C", &tree));
    ck_assert(kv_exists_define("GONE"));
    kv_config_defines_reset(p, NULL);
    ck_assert(!kv_exists_define("GONE"));
    ck_assert_ptr_null(kv_config_read_line(&rd, "Define GONE", "-C", &tree));
    apr_pool_destroy(p);
    ck_assert(!kv_exists_define("GONE"));
    ck_assert_ptr_null(kv_config_define_value("GONE"));
}
END_TEST

KVC_TEST(defines_case, define_errors)
{
    assert_refused("define_errors", 5);
}
END_TEST

/* ---- <IfDefine> ----------------------------------------------------------------------- */

KVC_TEST(defines_case, ifdefine_splices_or_drops)
{
    unsetenv("KV_TEST_NOPE");
    assert_reads("Define ON\n"
                 "<IfDefine ON>\n"
                 "  A 1\n"
                 "  <IfDefine !OFF>\n"
                 "    B 2\n"
                 "  </IfDefine>\n"
                 "</IfDefine>\n"
                 "<IfDefine OFF>\n"
                 "  C 3 ${KV_TEST_NOPE}\n"
                 "  Define SHOULD_NOT\n"
                 "  Include does-not-exist.conf\n"
                 "  ServerRoot /does/not/exist\n"
                 "  <Directory /x>\n"
                 "    <IfDefine ON>\n"
                 "      D 4\n"
                 "    </IfDefine>\n"
                 "  </Directory>\n"
                 "</IfDefine>\n"
                 "<ifdefine !ON>\n"
                 "  E 5\n"
                 "</IFDEFINE>\n"
                 "<VirtualHost *:80>\n"
                 "  <IfDefine ON>\n"
                 "    F 6\n"
                 "  </IfDefine>\n"
                 "</VirtualHost>\n"
                 "G 7\n",
                 "Define(ON) A(1) B(2) <VirtualHost(*:80){F(6)} G(7)");
    ck_assert(!kv_exists_define("SHOULD_NOT"));
    ck_assert_ptr_null(rd.warnings);
    ck_assert_ptr_null(nth(1)->parent);
    ck_assert_uint_eq(nth(2)->line, 5);
    ck_assert_ptr_eq(nth(3)->first_child->parent, nth(3));
    ck_assert_str_eq(kv_server_root, dir);
}
END_TEST

KVC_TEST(defines_case, ifdefine_false_block_is_checked_for_nesting)
{
    assert_refused("ifdefine_false_block_is_checked_for_nesting", 4);
}
END_TEST

KVC_TEST(defines_case, ifdefine_errors)
{
    assert_refused("ifdefine_errors", 5);
}
END_TEST

/* ---- sections ------------------------------------------------------------------------- */

KVC_TEST(sections_case, sections_nest)
{
    const kv_directive_t *vhost;
    const kv_directive_t *directory;

    assert_reads("<VirtualHost *:80>\n"
                 "    ServerName a\n"
                 "    <Directory \"/var/www\" >\n"
                 "        <RequireAll>\n"
                 "            Require all granted\n"
                 "        </RequireAll>\n"
                 "    </directory>\n"
                 "    <Files>\n"
                 "    </Files >\n"
                 "</VirtualHost>\n"
                 "After 1\n",
                 "<VirtualHost(*:80){ServerName(a) <Directory(/var/www){<RequireAll(){"
                 "Require(all|granted)}} <Files()} After(1)");
    vhost = nth(0);
    directory = vhost->first_child->next;
    ck_assert_str_eq(vhost->args, "*:80");
    ck_assert_str_eq(directory->args, "\"/var/www\"");
    ck_assert_uint_eq(directory->line, 3);
    ck_assert_ptr_eq(directory->parent, vhost);
    ck_assert_ptr_eq(directory->first_child->parent, directory);
    ck_assert_ptr_eq(directory->first_child->first_child->parent, directory->first_child);
    ck_assert_ptr_null(directory->next->first_child);
    ck_assert_ptr_null(vhost->parent);
    ck_assert_uint_eq(nth(1)->line, 11);
}
END_TEST

KVC_TEST(sections_case, section_errors)
{
    assert_refused("section_errors", 9);
}
END_TEST

KVC_TEST(sections_case, section_nesting_limit)
{
    const char *deep = "";

    for (int i = 0; i < KV_CONFIG_MAX_SECTION_DEPTH; i++) {
        deep = apr_pstrcat(pool, "<S>\n", deep, "</S>\n", NULL);
    }
    ck_assert_ptr_null(read_text("t.conf", deep));
    assert_fails(apr_pstrcat(pool, "<S>\n", deep, "</S>\n", NULL),
                 syntax(KV_CONFIG_MAX_SECTION_DEPTH + 1, "t.conf",
                        "sections are nested more than 128 deep"));
}
END_TEST

/* ---- Include -------------------------------------------------------------------------- */

KVC_TEST(include_case, include_wildcards_and_sections)
{
    write_file("conf.d/b.conf", "FromB 1\n");
    write_file("conf.d/a.conf", "# first\nFromA 1\n");
    write_file("conf.d/c.txt", "NotMe 1\n");
    write_file("conf.d/.hidden.conf", "Hidden 1\n");
    write_file("vhost.conf", "InVhost 1\n");
    assert_reads("A 1\n"
                 "Include conf.d/*.conf\n"
                 "B 2\n"
                 "<VirtualHost *>\n"
                 "include vhost.conf\n"
                 "</VirtualHost>\n"
                 "IncludeOptional nothing/*.conf\n"
                 "IncludeOptional conf.d/*.none\n"
                 "IncludeOptional missing.conf\n"
                 "Include "
                 "/dev/null\n"
                 "C 3\n",
                 "A(1) FromA(1) FromB(1) B(2) <VirtualHost(*){InVhost(1)} C(3)");
    ck_assert_str_eq(nth(1)->file, path_of("conf.d/a.conf"));
    ck_assert_uint_eq(nth(1)->line, 2);
    ck_assert_str_eq(nth(3)->file, path_of("t.conf"));
    ck_assert_ptr_eq(nth(4)->first_child->parent, nth(4));
    ck_assert_str_eq(nth(4)->first_child->file, path_of("vhost.conf"));
}
END_TEST

KVC_TEST(include_case, files_read_are_listed_in_order)
{
    const apr_array_header_t *files;

    write_file("conf.d/b.conf", "B 1\n");
    write_file("conf.d/a.conf", "A 1\n");
    ck_assert_ptr_null(read_text("top.conf", "Include conf.d/*.conf\nIncludeOptional no.conf\n"));
    files = kv_config_files_read();
    ck_assert_ptr_nonnull(files);
    ck_assert_int_eq(files->nelts, 3);
    ck_assert_str_eq(APR_ARRAY_IDX(files, 0, const char *), path_of("top.conf"));
    ck_assert_str_eq(APR_ARRAY_IDX(files, 1, const char *), path_of("conf.d/a.conf"));
    ck_assert_str_eq(APR_ARRAY_IDX(files, 2, const char *), path_of("conf.d/b.conf"));
}
END_TEST

KVC_TEST(include_case, include_directories_and_middle_wildcards)
{
    write_file("dir/z.conf", "Z 1\n");
    write_file("dir/a", "A 1\n");
    write_file("dir/sub/m.conf", "M 1\n");
    write_file("sites/two/site.conf", "Two 1\n");
    write_file("sites/one/site.conf", "One 1\n");
    write_file("sites/three/other.conf", "Three 1\n");
    write_file("sites/file", "File 1\n");
    assert_reads("Include dir\nInclude sites/*/site.conf\nInclude sit?s/o*/\n",
                 "A(1) M(1) Z(1) One(1) Two(1) One(1)");
    ck_assert_str_eq(nth(1)->file, path_of("dir/sub/m.conf"));
}
END_TEST

KVC_TEST(include_case, include_errors)
{
    write_file("bad.conf", "Good 1\n\nBad \"x\n");
    assert_fails("Include missing.conf\n",
                 syntax(1, "t.conf",
                        apr_psprintf(pool,
                                     "Could not open configuration file %s: No such file or "
                                     "directory",
                                     path_of("missing.conf"))));
    assert_fails("A 1\nInclude none/*.conf\n",
                 syntax(2, "t.conf",
                        apr_psprintf(pool,
                                     "No files match the wildcard %s (use IncludeOptional to "
                                     "allow none)",
                                     path_of("none/*.conf"))));
    assert_fails("Include a b\n", syntax(1, "t.conf", "Include takes one argument"));
    assert_fails("IncludeOptional\n", syntax(1, "t.conf", "IncludeOptional takes one argument"));
    assert_fails("A 1\nInclude bad.conf\n",
                 syntax(3, "bad.conf", "unterminated quote in the arguments"));
    write_file("open.conf", "<Directory /x>\n");
    assert_fails("Include open.conf\n</Directory>\n",
                 apr_pstrcat(pool, syntax(1, "open.conf", "<Directory> was not closed"), "\n",
                             syntax(2, "t.conf", "</Directory> without matching <Directory> "
                                                 "section"),
                             NULL));
    write_file("close.conf", "</Directory>\n");
    assert_fails("<Directory /x>\nInclude close.conf\n</Directory>\n",
                 syntax(1, "close.conf", "</Directory> without matching <Directory> section"));
}
END_TEST

KVC_TEST(include_case, include_recursion)
{
    write_file("self.conf", "A 1\nInclude self.conf\n");
    assert_fails("Include self.conf\n",
                 syntax(2, "self.conf",
                        apr_psprintf(pool, "Include recursion: %s is already being read",
                                     path_of("self.conf"))));
    tree = NULL;
    write_file("a.conf", "Include b.conf\n");
    write_file("b.conf", "B 1\nInclude ./a.conf\n");
    ck_assert_str_eq(kv_config_read_file(&rd, "a.conf", &tree),
                     syntax(2, "b.conf",
                            apr_psprintf(pool, "Include recursion: %s is already being read",
                                         path_of("a.conf"))));
    tree = NULL;
    write_file("loop/x.conf", "Include loop\n");
    ck_assert_str_eq(kv_config_read_file(&rd, "loop", &tree),
                     syntax(1, "loop/x.conf",
                            apr_psprintf(pool, "Include recursion: %s is already being read",
                                         path_of("loop/x.conf"))));
}
END_TEST

KVC_TEST(include_case, include_depth_limit)
{
    for (int i = 0; i < KV_CONFIG_MAX_INCLUDE_DEPTH; i++) {
        write_file(apr_psprintf(pool, "f%d.conf", i),
                   apr_psprintf(pool, "Include f%d.conf\n", i + 1));
    }
    write_file(apr_psprintf(pool, "f%d.conf", KV_CONFIG_MAX_INCLUDE_DEPTH), "Deepest 1\n");
    ck_assert_ptr_null(kv_config_read_file(&rd, "f0.conf", &tree));
    ck_assert_str_eq(dump(tree), "Deepest(1)");

    tree = NULL;
    write_file(apr_psprintf(pool, "f%d.conf", KV_CONFIG_MAX_INCLUDE_DEPTH),
               apr_psprintf(pool, "Include f%d.conf\n", KV_CONFIG_MAX_INCLUDE_DEPTH + 1));
    write_file(apr_psprintf(pool, "f%d.conf", KV_CONFIG_MAX_INCLUDE_DEPTH + 1), "TooDeep 1\n");
    ck_assert_str_eq(kv_config_read_file(&rd, "f0.conf", &tree),
                     syntax(1, apr_psprintf(pool, "f%d.conf", KV_CONFIG_MAX_INCLUDE_DEPTH),
                            "Include nesting is deeper than 32 levels (is there an Include "
                            "loop?)"));
}
END_TEST

KVC_TEST(include_case, include_directory_loop)
{
    write_file("d/a.conf", "A 1\n");
    ck_assert_int_eq(symlink(".", path_of("d/self")), 0);
    assert_fails("Include d\n", syntax(1, "t.conf",
                                       "Include nesting is deeper than 32 levels (is there an "
                                       "Include loop?)"));
}
END_TEST

static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;

    ck_assert_ptr_nonnull(d);
    while (readdir(d)) {
        n++;
    }
    closedir(d);
    return n;
}

KVC_TEST(include_case, files_are_closed)
{
    int before;

    for (int i = 0; i < 40; i++) {
        write_file(apr_psprintf(pool, "many/%02d.conf", i), "X 1\n");
    }
    write_file("bad/x.conf", "</Nope>\n");
    before = open_fds();
    ck_assert_ptr_null(kv_config_read_file(&rd, "many", &tree));
    ck_assert_ptr_nonnull(kv_config_read_file(&rd, "bad", &tree));
    ck_assert_int_eq(open_fds(), before);
}
END_TEST

/* ---- ServerRoot, top-level reads, command line ---------------------------------------- */

KVC_TEST(entry_case, server_root_directive)
{
    apr_pool_t *gen;
    kv_config_reader_t r;

    write_file("sub/x.conf", "InSub 1\n");
    write_file("file", "");
    apr_pool_create(&gen, pool);
    r.pool = gen;
    r.temp_pool = gen;
    r.warnings = NULL;
    write_file("t.conf", apr_psprintf(pool, "ServerRoot %s/sub//\nInclude x.conf\n", dir));
    ck_assert_ptr_null(kv_config_read_file(&r, "t.conf", &tree));
    ck_assert_str_eq(dump(tree), apr_psprintf(pool, "ServerRoot(%s/sub//) InSub(1)", dir));
    ck_assert_str_eq(kv_server_root, path_of("sub"));
    ck_assert_ptr_null(kv_config_read_line(&r, "ServerRoot ..", "-c", &tree));
    ck_assert_str_eq(kv_server_root, dir);
    ck_assert_ptr_null(kv_config_read_line(&r, "ServerRoot sub", "-c", &tree));
    ck_assert_str_eq(kv_server_root, path_of("sub"));
    apr_pool_destroy(gen);
    ck_assert_str_eq(kv_server_root, dir);

    assert_refused("server_root_directive", 3);
    ck_assert_str_eq(kv_server_root, dir);
}
END_TEST

KVC_TEST(entry_case, top_level_file)
{
    ck_assert_str_eq(kv_config_read_file(&rd, "nope.conf", &tree),
                     apr_psprintf(pool,
                                  "Could not open configuration file %s: No such file or "
                                  "directory",
                                  path_of("nope.conf")));
    write_file("abs.conf", "Abs 1\n");
    ck_assert_ptr_null(kv_config_read_file(&rd, path_of("abs.conf"), &tree));
    ck_assert_str_eq(tree->file, path_of("abs.conf"));
}
END_TEST

KVC_TEST(entry_case, command_line_directives_and_appending)
{
    write_file("inc.conf", "FromFile 1\n");
    write_file("main.conf", "Main ${CL}\n");
    ck_assert_ptr_null(kv_config_read_line(&rd, "Define CL yes", "-C", &tree));
    ck_assert_ptr_null(kv_config_read_file(&rd, "main.conf", &tree));
    ck_assert_ptr_null(kv_config_read_line(&rd, "Include inc.conf", "-c", &tree));
    ck_assert_ptr_null(kv_config_read_line(&rd, "  After  \"a b\"  ", "-c", &tree));
    ck_assert_str_eq(dump(tree), "Define(CL|yes) Main(yes) FromFile(1) After(a b)");
    ck_assert_str_eq(nth(0)->file, "-C");
    ck_assert_uint_eq(nth(0)->line, 1);
    ck_assert_str_eq(nth(3)->file, "-c");
    ck_assert_str_eq(kv_config_read_line(&rd, "<Directory /x>", "-c", &tree),
                     "Syntax error on line 1 of -c: <Directory> was not closed");
    ck_assert_str_eq(kv_config_read_line(&rd, "Include nope.conf", "-C", &tree),
                     apr_psprintf(pool,
                                  "Syntax error on line 1 of -C: Could not open configuration "
                                  "file %s: No such file or directory",
                                  path_of("nope.conf")));
}
END_TEST

/* ---- Every error in one reading ------------------------------------------------------ */

KVC_TEST(errors_case, reading_goes_on_after_a_bad_line)
{
    write_file("missing-dir/.keep", "");
    assert_fails("A 1\nDefine\nB \"open\nInclude nope.conf\n<IfDefine>\nC 1\n</IfDefine>\nD 2\n",
                 apr_pstrcat(pool, syntax(2, "t.conf", "Define takes one or two arguments"), "\n",
                             syntax(3, "t.conf", "unterminated quote in the arguments"), "\n",
                             syntax(4, "t.conf",
                                    apr_psprintf(pool,
                                                 "Could not open configuration file %s: No "
                                                 "such file or directory",
                                                 path_of("nope.conf"))),
                             "\n",
                             syntax(5, "t.conf",
                                    "<IfDefine> directive requires additional arguments"),
                             NULL));
    /* The good lines are kept; the block of the bad <IfDefine> is skipped. */
    ck_assert_str_eq(dump(tree), "A(1) D(2)");
    ck_assert_int_eq(rd.incomplete, 1); /* nope.conf was not read */
}
END_TEST

KVC_TEST(errors_case, broken_nesting_ends_the_file_only)
{
    write_file("inc/a.conf", "<Directory /x>\nA 1\n");
    write_file("inc/b.conf", "B 1\nB \"2\n");
    assert_fails("Include inc\nC 1\n",
                 apr_pstrcat(pool, syntax(1, "inc/a.conf", "<Directory> was not closed"), "\n",
                             syntax(2, "inc/b.conf", "unterminated quote in the arguments"),
                             NULL));
    ck_assert_str_eq(dump(tree), "<Directory(/x){A(1)} B(1) C(1)");
}
END_TEST

KVC_TEST(errors_case, errors_are_capped)
{
    apr_array_header_t *lines = apr_array_make(pool, 150, sizeof(const char *));
    const char *err;
    int n = 0;

    for (int i = 0; i < 150; i++) {
        APR_ARRAY_PUSH(lines, const char *) = "Define\n";
    }
    err = read_text("t.conf", apr_array_pstrcat(pool, lines, '\0'));
    ck_assert_ptr_nonnull(err);
    for (const char *c = err; c; c = strchr(c + 1, '\n')) {
        n++;
    }
    ck_assert_int_eq(n, KV_CONFIG_MAX_ERRORS + 1);
    ck_assert_ptr_nonnull(strstr(err, syntax(100, "t.conf", "Define takes one or two arguments")));
    ck_assert_ptr_null(strstr(err, syntax(101, "t.conf", "Define takes one or two arguments")));
    ck_assert_ptr_nonnull(strstr(err, "\n... and more errors (only the first 100 are shown)"));
}
END_TEST

KVC_TEST(errors_case, add_errors_joins_and_skips_repeats)
{
    const char *all = NULL;

    kv_config_add_errors(pool, &all, NULL);
    ck_assert_ptr_null(all);
    kv_config_add_errors(pool, &all, "a\nb");
    kv_config_add_errors(pool, &all, "b\nc");
    ck_assert_str_eq(all, "a\nb\nc");
}
END_TEST

KVC_TEST(errors_case, errors_sorted_by_position)
{
    const char *errors;

    write_file("inc/a.conf", "A 1\n");
    write_file("inc/b.conf", "B 1\n");
    ck_assert_ptr_null(read_text("t.conf", "Include inc/a.conf\nInclude inc/b.conf\n"));
    errors = apr_pstrcat(pool, "no Listen directive\n",
                         syntax(9, "t.conf", "nine"), "\n",
                         syntax(1, "inc/b.conf", "b one"), "\n",
                         "Syntax error on line 1 of -c: after\n",
                         syntax(2, "t.conf", "two"), "\n",
                         syntax(1, "inc/a.conf", "a one"), "\n",
                         "Syntax error on line 3 of -C: before\n",
                         syntax(2, "t.conf", "two again"), "\n",
                         "... and more errors (only the first 100 are shown)", NULL);
    ck_assert_str_eq(kv_config_errors_in_order(pool, errors),
                     apr_pstrcat(pool, "Syntax error on line 3 of -C: before\n",
                                 syntax(2, "t.conf", "two"), "\n",
                                 syntax(2, "t.conf", "two again"), "\n",
                                 syntax(9, "t.conf", "nine"), "\n",
                                 syntax(1, "inc/a.conf", "a one"), "\n",
                                 syntax(1, "inc/b.conf", "b one"), "\n",
                                 "Syntax error on line 1 of -c: after\n",
                                 "no Listen directive\n",
                                 "... and more errors (only the first 100 are shown)", NULL));
}
END_TEST

int main(void)
{
    apr_pool_t *p;
    int failed;

    apr_initialize();
    if (!mkdtemp(base_dir)) {
        perror(base_dir);
        return EXIT_FAILURE;
    }
    failed = kvc_run("config_read");
    apr_pool_create(&p, NULL);
    remove_tree(p, base_dir);
    apr_pool_destroy(p);
    apr_terminate();
    return failed;
}
