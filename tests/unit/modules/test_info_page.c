/* Tests of modules/info/info_page.c: mod_info's rendering of a configuration read by the
 * core's reader, and of a module record, escaped. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "config_read.h"
#include "info_page.h"
#include "../check_run.h"

static apr_pool_t *pool;

static kv_directive_t *read_conf(const char *text)
{
    kv_config_reader_t rd = {.pool = pool, .temp_pool = pool};
    kv_directive_t *tree = NULL;
    const char *err = kv_config_read_line(&rd, text, "test.conf", &tree);

    ck_assert_msg(err == NULL, "%s", err);
    return tree;
}

static const kv_command_t mime_cmds[] = {
    {"TypesConfig", NULL, NULL, 1, 1, 0, 0, "the <MIME> types file"},
    {"AddType", NULL, NULL, 2, -1, 0, 0, "a type & extensions"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

static kv_module_t mime = {KV_MODULE_HEADER("mime"), .commands = mime_cmds};

#define ASSERT_HAS(body, needle)                                                                   \
    ck_assert_msg(strstr(body, needle) != NULL, "no '%s' in:\n%s", needle, body)

KVU_POOL_CASE(info_page_case, "info_page", pool);

KVC_TEST(info_page_case, whole_configuration)
{
    const char *html =
        info_config_html(pool,
                         read_conf("Listen 80\n<Directory \"/a<b>\">\n  AddType text/x .x\n"
                                   "</Directory>\nHeader set X \"<i>&\"\n"),
                         NULL);

    ck_assert_str_eq(html, "<dd><tt><strong>In file: test.conf</strong></tt></dd>\n"
                           "<dd><tt>&nbsp;&nbsp;&nbsp;1:&nbsp;Listen <i>80</i></tt></dd>\n"
                           "<dd><tt>&nbsp;&nbsp;&nbsp;2:&nbsp;&lt;Directory &quot;/a&lt;b&gt;&quot;"
                           "&gt;</tt></dd>\n"
                           "<dd><tt>&nbsp;&nbsp;&nbsp;3:&nbsp;&nbsp;&nbsp;AddType <i>text/x .x</i>"
                           "</tt></dd>\n"
                           "<dd><tt>&nbsp;&nbsp;&nbsp;&nbsp;:&nbsp;&lt;/Directory&gt;</tt></dd>\n"
                           "<dd><tt>&nbsp;&nbsp;&nbsp;5:&nbsp;Header <i>set X &quot;&lt;i&gt;&amp;"
                           "&quot;</i></tt></dd>\n");
}
END_TEST

/* A module's lines only, in the sections that hold them; a section without any is left out. */
KVC_TEST(info_page_case, one_modules_lines)
{
    kv_directive_t *tree = read_conf("Listen 80\n<Directory /a>\n  Options None\n</Directory>\n"
                                     "<Directory /b>\n  AddType text/x .x\n</Directory>\n"
                                     "TypesConfig /etc/mime.types\n");
    const char *html = info_config_html(pool, tree, &mime);

    ck_assert_msg(strstr(html, "Listen") == NULL && strstr(html, "/a&gt;") == NULL, "%s", html);
    ASSERT_HAS(html, "5:&nbsp;&lt;Directory /b&gt;");
    ASSERT_HAS(html, "6:&nbsp;&nbsp;&nbsp;AddType <i>text/x .x</i>");
    ASSERT_HAS(html, "8:&nbsp;TypesConfig <i>/etc/mime.types</i>");
    ck_assert_str_eq(info_config_html(pool, read_conf("Listen 80\n"), &mime), "");
}
END_TEST

/* As httpd shows them: the lines an <IfModule> or <IfDefine> let through, in its place. */
KVC_TEST(info_page_case, conditions_decided_when_read)
{
    const char *html = info_config_html(pool,
                                        read_conf("<IfModule !mod_none.c>\n  Listen 80\n"
                                                  "</IfModule>\n<IfModule mod_none.c>\n"
                                                  "  Listen 81\n</IfModule>\n"
                                                  "<IfDefine NOT_DEFINED>\n  Listen 82\n"
                                                  "</IfDefine>\n"),
                                        NULL);

    ck_assert_str_eq(html, "<dd><tt><strong>In file: test.conf</strong></tt></dd>\n"
                           "<dd><tt>&nbsp;&nbsp;&nbsp;2:&nbsp;Listen <i>80</i></tt></dd>\n");
}
END_TEST

KVC_TEST(info_page_case, module_section)
{
    apr_array_header_t *more = apr_array_make(pool, 1, sizeof(const char *));
    const char *html;

    APR_ARRAY_PUSH(more, const char *) = "<script>";
    html = info_module_html(pool, &mime, read_conf("TypesConfig m.types\n"), more);
    ASSERT_HAS(html, "<a name=\"mod_mime.c\"><strong>Module Name:</strong></a>");
    ASSERT_HAS(html, "<tt><em>built in</em></tt>");
    ASSERT_HAS(html, "<dd><tt>TypesConfig - <i>the &lt;MIME&gt; types file</i></tt></dd>");
    ASSERT_HAS(html, "<dd><tt>AddType - <i>a type &amp; extensions</i></tt></dd>");
    ASSERT_HAS(html, "1:&nbsp;TypesConfig <i>m.types</i>");
    ASSERT_HAS(html, "<dd>&lt;script&gt;</dd>");
    ck_assert_msg(strstr(html, "<script>") == NULL, "%s", html);
    html = info_module_html(pool, &mime, read_conf("Listen 80\n"), NULL);
    ASSERT_HAS(html, "<dt><strong>Current Configuration:</strong></dt>\n"
                     "<dd><tt><em>none</em></tt></dd>");
}
END_TEST

KVC_TEST(info_page_case, module_file_names)
{
    kv_module_t core = {KV_MODULE_HEADER("core")};
    kv_module_t loaded_core = {KV_MODULE_HEADER("core"), .loaded_from = "x.so"};

    ck_assert_str_eq(info_module_file(pool, &mime), "mod_mime.c");
    ck_assert_str_eq(info_module_file(pool, &core), "core.c");
    ck_assert_str_eq(info_module_file(pool, &loaded_core), "mod_core.c");
}
END_TEST

int main(void)
{
    return kvc_run("info_page");
}
