/* <If>, <ElseIf> and <Else> in a running server: the branch that holds is merged per
 * request, after the other sections of its context; nesting; sections in a virtual host and
 * a <Directory>; a bad expression is a -t error naming file and line. What a section sets is
 * shown with mod_headers (`Header set X-If ...`). */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#define MODULES KV_TEST_BUILDDIR "/modules/.libs"

static kvt_server_t *site(void)
{
    kvt_server_t *srv = kvt_server_new("prefork");

    kvt_write_file(srv, "f.txt", "f", 1);
    kvt_write_file(srv, "d/g.txt", "g", 1);
    kvt_server_conf(srv, "LoadModule headers_module %s/mod_headers.so", MODULES);
    return srv;
}

/* The values of X-If and X-Nested ("" when absent) of GET @a path with @a host, as "if|nested";
 * malloc'd. */
static char *branch(kvt_server_t *srv, const char *path, const char *host)
{
    char *req = kvt_strf("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, host);
    kvt_response_t r;
    ck_assert_msg(kvt_request(kvt_server_port(srv), req, &r) == 0, "no response to GET %s", path);
    ck_assert_int_eq(r.status, 200);
    const char *a = kvt_header(&r, "X-If");
    const char *b = kvt_header(&r, "X-Nested");
    char *out = kvt_strf("%s|%s", a ? a : "", b ? b : "");
    kvt_response_free(&r);
    free(req);
    return out;
}

static void expect_branch(kvt_server_t *srv, const char *path, const char *host, const char *want)
{
    char *got = branch(srv, path, host);
    ck_assert_msg(strcmp(got, want) == 0, "GET %s (Host %s): '%s', want '%s'", path, host, got,
                  want);
    free(got);
}

/* A config of sections (a printf format of the docroot) and the branches GETs see under it. */
static const struct {
    const char *conf;
    struct {
        const char *path, *host, *want;
    } get[5];
} branches[] = {
    /* <If>, <ElseIf> and <Else>, with an <If> nested in the <ElseIf>. */
    {"<If \"%%{HTTP_HOST} == 'a.example'\">\n"
     "    Header set X-If a\n"
     "</If>\n"
     "<ElseIf \"%%{QUERY_STRING} =~ /b/\">\n"
     "    Header set X-If b\n"
     "    <If \"%%{QUERY_STRING} -strmatch '*c*'\">\n"
     "        Header set X-Nested c\n"
     "    </If>\n"
     "</ElseIf>\n"
     "<Else>\n"
     "    Header set X-If else\n"
     "</Else>",
     {{"/f.txt", "a.example", "a|"},
      {"/f.txt?bc", "a.example", "a|"},
      {"/f.txt", "z.example", "else|"},
      {"/f.txt?b", "z.example", "b|"},
      {"/f.txt?bc", "z.example", "b|c"}}},
    /* What an <IfModule> inside an <If> (or a <Directory>) holds belongs to the <If>. */
    {"<If \"%%{QUERY_STRING} == 'yes'\">\n"
     "    <IfModule headers_module>\n"
     "        Header set X-If yes\n"
     "    </IfModule>\n"
     "</If>\n"
     "<Directory \"%s/d\">\n"
     "    <IfModule headers_module>\n"
     "        Header set X-Nested in-d\n"
     "    </IfModule>\n"
     "</Directory>",
     {{"/f.txt?yes", "localhost", "yes|"},
      {"/f.txt?no", "localhost", "|"},
      {"/d/g.txt", "localhost", "|in-d"}}},
    /* An <If> of the server is merged after a <Location> that sets the same header, and one in
     * a <Directory> after it; the URL test uses httpd's m#...# form. */
    {"<If \"%%{REQUEST_URI} =~ m#^/d/#\">\n"
     "    Header set X-If server-if\n"
     "</If>\n"
     "<Location />\n"
     "    Header set X-If location\n"
     "</Location>\n"
     "<Directory \"%s/d\">\n"
     "    <If \"-R '127.0.0.0/8'\">\n"
     "        Header set X-Nested dir-if\n"
     "    </If>\n"
     "</Directory>",
     {{"/d/g.txt", "localhost", "server-if|dir-if"}, {"/f.txt", "localhost", "location|"}}},
};

KVT_CASE(if_case, "if");

KVC_LOOP_TEST(if_case, test_sections_pick_the_branch, 0, KVT_COUNT(branches))
{
    kvt_server_t *srv = site();

    kvt_server_conf(srv, branches[_i].conf, kvt_server_docroot(srv));
    kvt_server_start(srv);
    for (int i = 0; i < 5 && branches[_i].get[i].path; i++) {
        expect_branch(srv, branches[_i].get[i].path, branches[_i].get[i].host,
                      branches[_i].get[i].want);
    }
}
END_TEST

KVC_TEST(if_case, test_if_in_a_virtual_host)
{
    kvt_server_t *srv = site();

    kvt_server_conf(srv, "<VirtualHost *:%d>", kvt_server_port(srv));
    kvt_server_conf(srv, "    ServerName v.example");
    kvt_server_conf(srv, "    DocumentRoot \"%s\"", kvt_server_docroot(srv));
    kvt_server_conf(srv, "    <If \"%%{REQUEST_METHOD} in {'GET', 'HEAD'}\">");
    kvt_server_conf(srv, "        Header set X-If vhost");
    kvt_server_conf(srv, "    </If>");
    kvt_server_conf(srv, "</VirtualHost>");
    kvt_server_conf(srv, "<VirtualHost *:%d>", kvt_server_port(srv));
    kvt_server_conf(srv, "    ServerName w.example");
    kvt_server_conf(srv, "    DocumentRoot \"%s\"", kvt_server_docroot(srv));
    kvt_server_conf(srv, "</VirtualHost>");
    kvt_server_start(srv);
    expect_branch(srv, "/f.txt", "v.example", "vhost|");
    expect_branch(srv, "/f.txt", "w.example", "|");
}
END_TEST

/* A condition that cannot be evaluated (a number comparison of a word) is false, and logged
 * with the section's line; an <Else> after it applies, as in httpd. */
KVC_TEST(if_case, test_failed_condition_is_false_and_logged)
{
    kvt_server_t *srv = site();

    kvt_server_conf(srv, "<If \"%%{QUERY_STRING} -gt 5\">");
    kvt_server_conf(srv, "    Header set X-If big");
    kvt_server_conf(srv, "</If>");
    kvt_server_conf(srv, "<Else>");
    kvt_server_conf(srv, "    Header set X-If else");
    kvt_server_conf(srv, "</Else>");
    kvt_server_start(srv);
    expect_branch(srv, "/f.txt?9", "localhost", "big|");
    expect_branch(srv, "/f.txt?abc", "localhost", "else|");
    char *want = kvt_strf("KV01340: Failed to evaluate the <If> condition of line %u of %s: "
                          "'abc' is not a number",
                          kvt_conf_line_of(srv, "-gt 5"), kvt_server_conf_path(srv));
    char *log = kvt_server_wait_log(srv, want, 5000);
    ck_assert_msg(kvt_contains(log, want), "'%s' not in:\n%s", want, log);
    free(log);
    free(want);
}
END_TEST

/* kiva -t on the config with the section @a open ... @a close: exit 1, and stderr names the
 * line of @a open and holds @a want. */
static void expect_config_error(const char *open, const char *close, const char *want)
{
    kvt_server_t *srv = site();
    int status;
    char *err = NULL;

    kvt_server_conf(srv, "%s", open);
    kvt_server_conf(srv, "    Header set X-If x");
    kvt_server_conf(srv, "%s", close);
    const char *conf = kvt_server_write_conf(srv);
    ck_assert_int_eq(kvt_run_kiva(&status, NULL, &err, "-t", "-f", conf, (const char *)NULL), 0);
    ck_assert_int_eq(status, 1);
    char *line = kvt_strf("Syntax error on line %u of %s: ", kvt_conf_line_of(srv, open), conf);
    ck_assert_msg(strstr(err, line), "'%s' not in:\n%s", line, err);
    ck_assert_msg(strstr(err, want), "'%s' not in:\n%s", want, err);
    free(line);
    free(err);
}

KVC_TEST(if_case, test_config_errors_name_the_line)
{
    expect_config_error("<If \"%{HTTP_HOST} === 'x'\">", "</If>", "Cannot parse condition clause");
    expect_config_error("<If \"%{NO_SUCH_VAR} == 'x'\">", "</If>",
                        "unknown variable 'NO_SUCH_VAR'");
    expect_config_error("<Else>", "</Else>", "without previous <If> or <ElseIf>");
    expect_config_error("<ElseIf \"true\">", "</ElseIf>", "without previous <If> or <ElseIf>");
}
END_TEST

int main(void)
{
    return kvc_run("if");
}
