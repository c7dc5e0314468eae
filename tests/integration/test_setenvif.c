/* mod_setenvif in a running server: SetEnvIf on request fields, on the special attributes,
 * on variables set before and on field names given as a regex; the NoCase forms;
 * BrowserMatch; $N in values; unsetting (the configuration errors are in test_headers.c). The
 * variables are made visible with mod_headers' `Header set X %{VAR}e` (an unset one reads
 * "(null)"). */
#include "harness.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MODULES KV_TEST_BUILDDIR "/modules/.libs"

/* A server with /f.txt, both modules, the NULL-terminated lines, and a header X-Env that
 * shows the variables named in @a shown ("%{A}e %{B}e"). */
static kvt_server_t *serve(const char *shown, ...)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    va_list ap;

    kvt_write_file(srv, "f.txt", "f", 1);
    kvt_server_conf(srv, "LoadModule headers_module %s/mod_headers.so", MODULES);
    kvt_server_conf(srv, "LoadModule setenvif_module %s/mod_setenvif.so", MODULES);
    va_start(ap, shown);
    for (const char *l = va_arg(ap, const char *); l; l = va_arg(ap, const char *)) {
        kvt_server_conf(srv, "%s", l);
    }
    va_end(ap);
    kvt_server_conf(srv, "Header always set X-Env \"%s\"", shown);
    kvt_server_start(srv);
    return srv;
}

/* X-Env of the answer to GET @a path with the extra request fields; malloc'd. */
static char *env_for(kvt_server_t *srv, const char *path, const char *fields)
{
    char *req =
        kvt_strf("GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n%s\r\n", path, fields);
    kvt_response_t r;
    ck_assert_msg(kvt_request(kvt_server_port(srv), req, &r) == 0, "no response to GET %s", path);
    const char *v = kvt_header(&r, "X-Env");
    ck_assert_msg(v != NULL, "no X-Env in the answer to GET %s", path);
    char *copy = kvt_strf("%s", v);
    kvt_response_free(&r);
    free(req);
    return copy;
}

static void expect_env(kvt_server_t *srv, const char *path, const char *fields, const char *want)
{
    char *got = env_for(srv, path, fields);
    ck_assert_msg(strcmp(got, want) == 0, "GET %s with [%s]: X-Env '%s', want '%s'", path, fields,
                  got, want);
    free(got);
}

KVT_CASE(rules_case, "rules");

KVC_TEST(rules_case, test_request_field_and_substitution)
{
    kvt_server_t *srv = serve("%{CLIENT}e %{MATCHED}e",
                              "SetEnvIf X-Client ^(\\w+)-(\\d+)$ "
                              "CLIENT=$2-$1 MATCHED",
                              NULL);
    expect_env(srv, "/f.txt", "X-Client: abc-42\r\n", "42-abc 1");
    expect_env(srv, "/f.txt", "x-client: abc-42\r\n", "42-abc 1");
    expect_env(srv, "/f.txt", "X-Client: abc\r\n", "(null) (null)");
    expect_env(srv, "/f.txt", "", "(null) (null)");
}
END_TEST

KVC_TEST(rules_case, test_rules_inside_a_section_apply_there)
{
    kvt_server_t *srv = serve("%{ALL}e %{INLOC}e", "SetEnvIf Request_Method GET ALL",
                              "<Location /in>", "SetEnvIf Request_URI . INLOC", "</Location>",
                              NULL);
    kvt_write_file(srv, "in/f.txt", "g", 1);
    expect_env(srv, "/in/f.txt", "", "1 1");
    expect_env(srv, "/f.txt", "", "1 (null)");
}
END_TEST

KVC_TEST(rules_case, test_special_attributes)
{
    kvt_server_t *srv =
        serve("%{RA}e%{RH}e%{SA}e%{RM}e%{RP}e%{RU}e", "SetEnvIf Remote_Addr ^127\\.0\\.0\\.1$ RA",
              "SetEnvIf remote_host ^127\\. RH", "SetEnvIf Server_Addr ^127\\.0\\.0\\.1$ SA",
              "SetEnvIf Request_Method ^GET$ RM", "SetEnvIf Request_Protocol ^HTTP/1\\.1$ RP",
              "SetEnvIf Request_URI ^/f\\.txt$ RU", NULL);
    expect_env(srv, "/f.txt", "", "111111");
    expect_env(srv, "/missing", "", "11111(null)");
}
END_TEST

KVC_TEST(rules_case, test_nocase)
{
    kvt_server_t *srv = serve("%{EXACT}e %{ANY}e", "SetEnvIf X-Case ^yes$ EXACT",
                              "SetEnvIfNoCase X-Case ^yes$ ANY", NULL);
    expect_env(srv, "/f.txt", "X-Case: YES\r\n", "(null) 1");
    expect_env(srv, "/f.txt", "X-Case: yes\r\n", "1 1");
}
END_TEST

KVC_TEST(rules_case, test_browser_match)
{
    kvt_server_t *srv = serve("%{OLD}e %{CURLISH}e", "BrowserMatch ^Mozilla/4 OLD",
                              "BrowserMatchNoCase curl/(\\d+) CURLISH=$0:$1", NULL);
    expect_env(srv, "/f.txt", "User-Agent: CURL/8\r\n", "(null) CURL/8:8");
    expect_env(srv, "/f.txt", "User-Agent: Mozilla/4.0\r\n", "1 (null)");
}
END_TEST

/* Later rules see earlier ones' variables; !NAME unsets; an absent field reads "". */
KVC_TEST(rules_case, test_chained_unset_and_absent)
{
    kvt_server_t *srv =
        serve("%{FIRST}e %{IS_F}e %{A}e %{B}e %{NO_X}e",
              "SetEnvIf Request_URI ^/(\\w+) FIRST=$1 A=1 B=2", "SetEnvIf FIRST ^f$ IS_F",
              "SetEnvIf Request_URI \\.txt$ !A", "SetEnvIf X-Missing ^$ NO_X", NULL);
    expect_env(srv, "/f.txt", "", "f 1 (null) 2 1");
    expect_env(srv, "/g.html", "X-Missing: here\r\n", "g (null) 1 2 (null)");
}
END_TEST

/* An attribute that is not a plain name is a regex over field names. */
KVC_TEST(rules_case, test_field_name_regex)
{
    kvt_server_t *srv = serve("%{TOK}e", "SetEnvIf ^X-Tok- ^secret$ TOK=found", NULL);
    expect_env(srv, "/f.txt", "X-Tok-Abc: secret\r\n", "found");
    expect_env(srv, "/f.txt", "X-Tok-Abc: other\r\n", "(null)");
    expect_env(srv, "/f.txt", "X-Other: secret\r\n", "(null)");
}
END_TEST

int main(void)
{
    return kvc_run("setenvif");
}
