/* mod_env in a running server: SetEnv, UnsetEnv and PassEnv merged over sections as httpd
 * merges them, set in the fixups phase (after SetEnvIf, whose values win and which cannot see
 * them), and visible to Header's %{VAR}e, to a CGI script's environment and to %{VAR}e in an
 * access log; PassEnv of an undefined variable is a warning naming the line. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MODULES KV_TEST_BUILDDIR "/modules/.libs"

/* A server with mod_env, mod_headers and mod_setenvif, and /f.txt, /sub/f.txt. */
static kvt_server_t *site(void)
{
    kvt_server_t *srv = kvt_server_new("prefork");

    kvt_write_file(srv, "f.txt", "f", 1);
    kvt_write_file(srv, "sub/f.txt", "s", 1);
    kvt_server_conf(srv, "LoadModule env_module %s/mod_env.so", MODULES);
    kvt_server_conf(srv, "LoadModule headers_module %s/mod_headers.so", MODULES);
    kvt_server_conf(srv, "LoadModule setenvif_module %s/mod_setenvif.so", MODULES);
    return srv;
}

static void expect_header(kvt_server_t *srv, const char *path, const char *want)
{
    kvt_response_t r;

    kvt_get(kvt_server_port(srv), path, &r);
    ck_assert_int_eq(r.status, 200);
    const char *got = kvt_header(&r, "X-Env");
    ck_assert_msg(got && strcmp(got, want) == 0, "GET %s: X-Env '%s', want '%s'", path,
                  got ? got : "(none)", want);
    kvt_response_free(&r);
}

KVT_CASE(env_case, "env");

KVC_TEST(env_case, test_set_unset_and_merge)
{
    kvt_server_t *srv = site();

    kvt_server_conf(srv, "SetEnv A top");
    kvt_server_conf(srv, "SetEnv B top");
    kvt_server_conf(srv, "SetEnv EMPTY");
    kvt_server_conf(srv, "<Location /sub>");
    kvt_server_conf(srv, "    UnsetEnv A");
    kvt_server_conf(srv, "    SetEnv B sub");
    kvt_server_conf(srv, "    SetEnv C sub");
    kvt_server_conf(srv, "    UnsetEnv C");
    kvt_server_conf(srv, "</Location>");
    kvt_server_conf(srv, "Header set X-Env \"%%{A}e %%{B}e %%{C}e [%%{EMPTY}e]\"");
    kvt_server_start(srv);
    expect_header(srv, "/f.txt", "top top (null) []");
    expect_header(srv, "/sub/f.txt", "(null) sub (null) []");
}
END_TEST

/* SetEnvIf runs before the fixups: it does not see SetEnv's variables, and a variable it
 * sets keeps its value over SetEnv's (httpd 2.4 answers the same). */
KVC_TEST(env_case, test_runs_after_setenvif)
{
    kvt_server_t *srv = site();

    kvt_server_conf(srv, "SetEnvIf Request_URI . FOO=early");
    kvt_server_conf(srv, "SetEnv FOO late");
    kvt_server_conf(srv, "SetEnv A 1");
    kvt_server_conf(srv, "SetEnvIf A 1 SAW=yes");
    kvt_server_conf(srv, "Header set X-Env \"%%{FOO}e %%{A}e %%{SAW}e\"");
    kvt_server_start(srv);
    expect_header(srv, "/f.txt", "early 1 (null)");
}
END_TEST

KVC_TEST(env_case, test_pass_env)
{
    kvt_server_t *srv = site();

    setenv("KVT_ENV_PASSED", "from the shell", 1);
    unsetenv("KVT_ENV_UNDEFINED");
    kvt_server_conf(srv, "PassEnv KVT_ENV_PASSED KVT_ENV_UNDEFINED");
    kvt_server_conf(srv, "Header set X-Env \"%%{KVT_ENV_PASSED}e %%{KVT_ENV_UNDEFINED}e\"");
    kvt_server_start(srv);
    expect_header(srv, "/f.txt", "from the shell (null)");
    int status;
    char *err = NULL;
    ck_assert_int_eq(kvt_run_kiva(&status, NULL, &err, "-t", "-f", kvt_server_conf_path(srv),
                                  (const char *)NULL),
                     0);
    ck_assert_int_eq(status, 0);
    char *want = kvt_strf("KV01342: PassEnv variable KVT_ENV_UNDEFINED was undefined (line %u",
                          kvt_conf_line_of(srv, "PassEnv KVT_ENV_PASSED"));
    ck_assert_msg(kvt_contains(err, want), "'%s' not in:\n%s", want, err);
    free(want);
    free(err);
}
END_TEST

KVC_TEST(env_case, test_cgi_sees_the_variables)
{
    kvt_server_t *srv = site();
    kvt_response_t r;

    kvt_server_conf(srv, "LoadModule alias_module %s/mod_alias.so", MODULES);
    kvt_server_conf(srv, "LoadModule cgi_module %s/mod_cgi.so", MODULES);
    kvt_server_conf(srv, "ScriptAlias /cgi-bin/ \"%s/cgi-bin/\"", kvt_server_root(srv));
    kvt_server_conf(srv, "SetEnv KVT_GREETING \"hello world\"");
    const char *script = kvt_write_root_file(
        srv, "cgi-bin/env.cgi", "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\nenv\n");
    ck_assert_int_eq(chmod(script, 0755), 0);
    kvt_server_start(srv);
    kvt_get(kvt_server_port(srv), "/cgi-bin/env.cgi", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(kvt_contains(r.body, "\nKVT_GREETING=hello world\n"), "no variable in:\n%s",
                  r.body);
    kvt_response_free(&r);
}
END_TEST

KVC_TEST(env_case, test_access_log_sees_the_variables)
{
    kvt_server_t *srv = site();
    kvt_response_t r;

    kvt_server_conf(srv, "LoadModule log_config_module %s/mod_log_config.so", MODULES);
    /* Into the error log, which the harness waits on. */
    kvt_server_conf(srv, "CustomLog logs/error_log \"access %%{KVT_LOGGED}e %%U\"");
    kvt_server_conf(srv, "<Location /sub>");
    kvt_server_conf(srv, "    SetEnv KVT_LOGGED in-sub");
    kvt_server_conf(srv, "</Location>");
    kvt_server_start(srv);
    kvt_get(kvt_server_port(srv), "/sub/f.txt", &r);
    ck_assert_int_eq(r.status, 200);
    kvt_response_free(&r);
    char *log = kvt_server_wait_log(srv, "access in-sub /sub/f.txt", 5000);
    ck_assert_msg(kvt_contains(log, "access in-sub /sub/f.txt"), "no access line in:\n%s", log);
    free(log);
}
END_TEST

int main(void)
{
    return kvc_run("env");
}
