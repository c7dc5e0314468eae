/* mod_info: /server-info shows the configuration as read with file:line, the loaded modules
 * with their directives, the server's settings; ?config, ?server, ?list and ?mod_NAME.c show
 * one part as httpd's do (Debian's apache2 answers the same queries with the same parts);
 * everything that came from the configuration is HTML-escaped; Debian's info.conf loads. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MODULE(name) "LoadModule " name "_module %s/modules/.libs/mod_" name ".so"

static kvt_server_t *new_server(void)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());

    /* SetHandler is mod_status's in this kiva */
    kvt_server_conf(srv, MODULE("status"), KV_TEST_BUILDDIR);
    kvt_server_conf(srv, MODULE("info"), KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "<Location /server-info>\n    SetHandler server-info\n</Location>");
    kvt_server_conf(srv, "AddModuleInfo mod_mime.c \"see <script>x()</script> & more\"");
    return srv;
}

/* GET /server-info?@a query: 200, HTML; the body (malloc'd). */
static char *info_page(kvt_server_t *srv, const char *query)
{
    kvt_response_t r;
    char *path = kvt_strf("/server-info%s%s", *query ? "?" : "", query);
    char *body;

    kvt_get(kvt_server_port(srv), path, &r);
    ck_assert_msg(r.status == 200, "%s: %d", path, r.status);
    ck_assert_str_eq(kvt_header(&r, "Content-Type"), "text/html; charset=ISO-8859-1");
    body = strdup(r.body);
    kvt_response_free(&r);
    free(path);
    return body;
}

#define ASSERT_HAS(body, needle)                                                                   \
    ck_assert_msg(kvt_contains(body, needle), "no '%s' in:\n%s", needle, body)
#define ASSERT_LACKS(body, needle)                                                                 \
    ck_assert_msg(!kvt_contains(body, needle), "'%s' in:\n%s", needle, body)

/* ASSERT_HAS for a needle of its own, which it frees. */
static void assert_has_owned(const char *body, char *needle)
{
    ASSERT_HAS(body, needle);
    free(needle);
}

/* GET /server-info?@a query: the body holds each of @a has and none of @a lacks (lists ended by
 * NULL). */
static void expect_page(kvt_server_t *srv, const char *query, const char *const *has,
                        const char *const *lacks)
{
    char *body = info_page(srv, query);

    for (; *has; has++) {
        ASSERT_HAS(body, *has);
    }
    for (; *lacks; lacks++) {
        ASSERT_LACKS(body, *lacks);
    }
    free(body);
}

#define NONE ((const char *const[]){NULL})

/* "&nbsp;&nbsp;NN:&nbsp;" as httpd numbers a line: right-aligned in four places. */
static char *numbered(unsigned line, const char *rest)
{
    static const char *const pads[] = {"&nbsp;&nbsp;&nbsp;&nbsp;", "&nbsp;&nbsp;&nbsp;",
                                       "&nbsp;&nbsp;", "&nbsp;", ""};
    char digits[16];
    int n = snprintf(digits, sizeof(digits), "%u", line);

    return kvt_strf("<dd><tt>%s%s:&nbsp;%s", pads[n < 4 ? n : 4], digits, rest);
}

KVT_CASE(info_case, "info");

/* ?config: every directive as read, with its file and line; sections with their contents
 * indented and their closing lines; the text of a directive escaped. */
KVC_TEST(info_case, test_config_with_file_and_line)
{
    kvt_server_t *srv = new_server();
    char *body;

    kvt_server_conf(srv, "<Directory \"%s/sub\">\n    Options None\n</Directory>",
                    kvt_server_docroot(srv));
    kvt_server_start(srv);
    body = info_page(srv, "config");
    assert_has_owned(body, kvt_strf("<dd><tt><strong>In file: %s</strong></tt></dd>",
                                    kvt_server_conf_path(srv)));
    assert_has_owned(
        body, numbered(kvt_conf_line_of(srv, "Listen 127.0.0.1"),
                       kvt_strf("Listen <i>127.0.0.1:%d</i></tt></dd>", kvt_server_port(srv))));
    assert_has_owned(body, numbered(kvt_conf_line_of(srv, "<Location /server-info>"),
                                    "&lt;Location /server-info&gt;</tt></dd>"));
    assert_has_owned(body, numbered(kvt_conf_line_of(srv, "SetHandler server-info"),
                                    "&nbsp;&nbsp;SetHandler <i>server-info</i></tt></dd>"));
    ASSERT_HAS(body, "<dd><tt>&nbsp;&nbsp;&nbsp;&nbsp;:&nbsp;&lt;/Location&gt;</tt></dd>");
    ASSERT_HAS(body, "&nbsp;&nbsp;Options <i>None</i>");
    ASSERT_HAS(body, "AddModuleInfo <i>mod_mime.c &quot;see &lt;script&gt;x()&lt;/script&gt; "
                     "&amp; more&quot;</i>");
    ASSERT_LACKS(body, "<script>");
    free(body);
}
END_TEST

/* ?list: the loaded modules by httpd's names. */
KVC_TEST(info_case, test_list)
{
    kvt_server_t *srv = new_server();

    kvt_server_start(srv);
    expect_page(srv, "list",
                (const char *const[]){"<dl><dt>Server Module List</dt><dd>core.c</dd>",
                                      "<dd>http_core.c</dd>", "<dd>mod_mime.c</dd>",
                                      "<dd>mod_info.c</dd>", NULL},
                (const char *const[]){"Server Settings", NULL});
}
END_TEST

/* ?mod_mime.c: the module's directives with their help, only its lines of the configuration,
 * and its AddModuleInfo text, escaped; the short name works too. */
KVC_TEST(info_case, test_module_page)
{
    kvt_server_t *srv = new_server();
    char *body;

    kvt_server_start(srv);
    body = info_page(srv, "mod_mime.c");
    ASSERT_HAS(body, "<a href=\"?mod_mime.c\">mod_mime.c</a>");
    ASSERT_HAS(body, "<dd><tt>TypesConfig - <i>");
    assert_has_owned(body, numbered(kvt_conf_line_of(srv, "TypesConfig"), "TypesConfig <i>"));
    ASSERT_LACKS(body, "Listen <i>");
    ASSERT_LACKS(body, "SetHandler <i>");
    ASSERT_HAS(body, "<dd>see &lt;script&gt;x()&lt;/script&gt; &amp; more</dd>");
    ASSERT_LACKS(body, "<script>");
    ASSERT_LACKS(body, "mod_info.c</a>");
    free(body);
    expect_page(srv, "info", (const char *const[]){"<dd><tt>AddModuleInfo - <i>", NULL}, NONE);
}
END_TEST

/* ?server: the settings, and nothing of the modules. */
KVC_TEST(info_case, test_server_settings)
{
    kvt_server_t *srv = new_server();
    char *body;

    kvt_server_conf(srv, "Timeout 42");
    kvt_server_start(srv);
    body = info_page(srv, "server");
    ASSERT_HAS(body, "<h2><a name=\"server\">Server Settings</a></h2>");
    assert_has_owned(body, kvt_strf("<tt>kiva/%s</tt>", KV_TEST_VERSION));
    assert_has_owned(body, kvt_strf("<dt><strong>MPM Name:</strong> <tt>%s</tt></dt>", kvt_mpm()));
    ASSERT_HAS(body, "<tt>connection: 42 &nbsp;&nbsp; keep-alive: 5</tt>");
    assert_has_owned(
        body, kvt_strf("<dt><strong>Server Root:</strong> <tt>%s</tt></dt>", kvt_server_root(srv)));
    assert_has_owned(body, kvt_strf("<dt><strong>Config File:</strong> <tt>%s</tt></dt>",
                                    kvt_server_conf_path(srv)));
    ASSERT_LACKS(body, "Module Name:");
    free(body);
}
END_TEST

/* No query: every part; a query it does not know: only the frame (apache2: the same). */
KVC_TEST(info_case, test_whole_page_and_unknown_query)
{
    kvt_server_t *srv = new_server();

    kvt_server_start(srv);
    expect_page(srv, "",
                (const char *const[]){"<a href=\"?config\">",
                                      "<a href=\"#mod_mime.c\">mod_mime.c</a>", "Server Settings",
                                      "<a name=\"mod_info.c\"><strong>Module Name:</strong></a>",
                                      NULL},
                (const char *const[]){"<script>", NULL});
    expect_page(srv, "mod_nothing.c",
                (const char *const[]){"Server Information</h1>\n</body></html>", NULL}, NONE);
}
END_TEST

/* Debian's info.conf (a Location with SetHandler server-info and Require local) loads; its
 * Require local needs mod_authz_host, which this build may not have yet: then the line is
 * left out, and said so in the failure message of what follows. */
KVC_TEST(info_case, test_debian_info_conf)
{
    static const char debian[] = "<IfModule mod_info.c>\n"
                                 "\t<Location /server-info>\n"
                                 "\t\tSetHandler server-info\n"
                                 "\t\tRequire local\n"
                                 "\t</Location>\n"
                                 "</IfModule>\n";
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    char *host = kvt_strf("%s/modules/.libs/mod_authz_host.so", KV_TEST_BUILDDIR);
    int have_local = access(host, R_OK) == 0;
    const char *path = "/etc/apache2/mods-available/info.conf";
    kvt_response_t r;

    kvt_server_conf(srv, MODULE("status"), KV_TEST_BUILDDIR);
    kvt_server_conf(srv, MODULE("authz_core"), KV_TEST_BUILDDIR);
    kvt_server_conf(srv, MODULE("info"), KV_TEST_BUILDDIR);
    if (have_local) {
        kvt_server_conf(srv, MODULE("authz_host"), KV_TEST_BUILDDIR);
        if (access(path, R_OK) != 0) {
            path = kvt_write_root_file(srv, "info.conf", debian);
        }
    } else {
        char *copy = strdup(debian);
        char *line = strstr(copy, "\t\tRequire local\n");

        memmove(line, line + strlen("\t\tRequire local\n"), strlen(line + 16) + 1);
        path = kvt_write_root_file(srv, "info.conf", copy);
        free(copy);
    }
    kvt_server_conf(srv, "Include %s", path);
    kvt_server_start(srv);
    kvt_get(kvt_server_port(srv), "/server-info?list", &r);
    ck_assert_msg(r.status == 200, "%d (Require local %s)", r.status,
                  have_local ? "in force" : "left out: no mod_authz_host");
    ck_assert_msg(kvt_contains(r.body, "<dd>mod_info.c</dd>"), "%s", r.body);
    kvt_response_free(&r);
    free(host);
}
END_TEST

int main(void)
{
    return kvc_run("info");
}
