/* The command line (-v -V -t -M -D -C -c -d -k, bad options) and configuration errors:
 * kiva refuses a bad config with `kiva: Syntax error on line N of FILE: reason`, exit 1. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MODULES KV_TEST_BUILDDIR "/modules/.libs"

/* Run kiva with both output streams joined, for messages whose stream is not the point. */
static char *run_joined(int *status, const char *a1, const char *a2, const char *a3, const char *a4)
{
    char *out = NULL, *err = NULL;
    int rv = kvt_run_kiva(status, &out, &err, a1, a2, a3, a4, (const char *)NULL);
    ck_assert_msg(rv == 0, "kiva %s %s did not finish in time", a1, a2 ? a2 : "");
    char *joined = kvt_strf("%s%s", out ? out : "", err ? err : "");
    free(out);
    free(err);
    return joined;
}

/* -t on the server's config: 0 and "Syntax OK", or the failure's output. */
static char *check_config(kvt_server_t *srv, int *status)
{
    return run_joined(status, "-t", "-f", kvt_server_write_conf(srv), NULL);
}

static void assert_syntax_ok(kvt_server_t *srv)
{
    int status;
    char *out = check_config(srv, &status);
    ck_assert_msg(status == 0 && kvt_contains(out, "Syntax OK"), "kiva -t: status %d, output:\n%s",
                  status, out);
    free(out);
}

/* Start kiva for real on the config; it must refuse with exit 1 and, when @a needle is
 * given, name the line that contains it. Returns stderr for further checks. */
static char *expect_refusal(kvt_server_t *srv, const char *needle)
{
    const char *conf = kvt_server_write_conf(srv);
    int status;
    char *err = NULL;
    int rv = kvt_run_kiva(&status, NULL, &err, "-f", conf, "-DFOREGROUND", (const char *)NULL);
    ck_assert_msg(rv == 0, "kiva started with a bad config instead of refusing it");
    ck_assert_msg(status == 1, "exit status %d, want 1; stderr:\n%s", status, err);
    if (needle != NULL) {
        char *want =
            kvt_strf("kiva: Syntax error on line %u of %s: ", kvt_conf_line_of(srv, needle), conf);
        ck_assert_msg(kvt_contains(err, want), "stderr lacks \"%s\":\n%s", want, err);
        free(want);
    }
    return err;
}

/* Lines that alone make the config bad, and what the reason must mention. */
static const char *const refusals[][2] = {
    {"NoSuchDirective foo", "NoSuchDirective"},
    {"KeepAlive On Off", "KeepAlive"},        /* too many arguments */
    {"KeepAliveTimeout", "KeepAliveTimeout"}, /* too few */
    {"MaxKeepAliveRequests abc", "abc"},      /* not read as 0, as httpd's atoi does */
    {"MaxKeepAliveRequests 10x", "10x"},
    {"MaxKeepAliveRequests -1", "-1"},
    {"LimitRequestFields 99999999999999999999999", "99999999999999999999999"},
    {"Timeout 99999999999999999999999", "99999999999999999999999"},
    {"KeepAlive Maybe", "KeepAlive"},
    {"ServerRoot \"/nonexistent/kvt\"", "ServerRoot"},
    {"</IfModule>", "IfModule"},
    {"LoadModule foo_module /nonexistent/kvt/mod_foo.so", "/nonexistent/kvt/mod_foo.so"},
    {"LoadModule foo_module " MODULES "/mod_mime.so", "foo_module"}, /* no such symbol */
    {"Include /nonexistent/kvt/missing.conf", "/nonexistent/kvt/missing.conf"},
};

/* A server whose config is the base plus one bad line, refused at that line. */
static char *refused_line(const char *line)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_server_conf(srv, "%s", line);
    return expect_refusal(srv, line);
}

/* DocumentRoot "${KVT_SITE}" serves the directory that a Define in the config or, with
 * @a on_command_line, a -C "Define ..." names. */
static void assert_docroot_from_define(int on_command_line)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    const char *f = kvt_write_root_file(srv, "site/f.txt", "via-define");
    char *define = kvt_strf("Define KVT_SITE %.*s", (int)(strlen(f) - strlen("/f.txt")), f);
    kvt_server_drop_base(srv, "DocumentRoot");
    if (on_command_line) {
        kvt_server_arg(srv, "-C");
        kvt_server_arg(srv, define);
    } else {
        kvt_server_conf(srv, "%s", define);
    }
    kvt_server_conf(srv, "DocumentRoot \"${KVT_SITE}\"");
    kvt_server_start(srv);
    kvt_response_t r;
    kvt_get(kvt_server_port(srv), "/f.txt", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "via-define");
}

/* ---- command line ---- */

KVT_CASE(cli, "cli");
KVT_CASE(errors_case, "errors");

KVC_TEST(cli, test_version)
{
    int status;
    char *out = NULL;
    ck_assert_int_eq(kvt_run_kiva(&status, &out, NULL, "-v", (const char *)NULL), 0);
    ck_assert_int_eq(status, 0);
    ck_assert_msg(kvt_contains(out, "kiva") && kvt_contains(out, KV_TEST_VERSION), "-v printed: %s",
                  out);
}
END_TEST

KVC_TEST(cli, test_build_settings)
{
    int status, vstatus;
    char *out = NULL, *vout = NULL;
    ck_assert_int_eq(kvt_run_kiva(&status, &out, NULL, "-V", (const char *)NULL), 0);
    ck_assert_int_eq(kvt_run_kiva(&vstatus, &vout, NULL, "-v", (const char *)NULL), 0);
    ck_assert_int_eq(status, 0);
    ck_assert_msg(kvt_contains(out, KV_TEST_VERSION), "-V printed: %s", out);
    ck_assert_msg(kvt_contains(out, KV_TEST_PREFIX), "-V does not show the prefix: %s", out);
    ck_assert_msg(strlen(out) > strlen(vout), "-V says no more than -v: %s", out);
}
END_TEST

KVC_TEST(cli, test_syntax_ok)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    assert_syntax_ok(srv);
    /* -t only checks: nothing may listen afterwards */
    ck_assert_int_eq(kvt_listen_backlog(kvt_server_port(srv)), -1);
}
END_TEST

/* What kiva -M prints for the server's config; it must succeed. */
static char *list_modules(kvt_server_t *srv)
{
    int status;
    char *out = NULL;
    ck_assert_int_eq(kvt_run_kiva(&status, &out, NULL, "-M", "-f", kvt_server_write_conf(srv),
                                  (const char *)NULL),
                     0);
    ck_assert_msg(status == 0, "kiva -M exited %d", status);
    return out;
}

KVC_TEST(cli, test_list_modules)
{
    char *out = list_modules(kvt_server_new("prefork"));
    const char *want[] = {"core", "mpm_prefork_module", "mime_module", "dir_module"};
    for (int i = 0; i < KVT_COUNT(want); i++) {
        ck_assert_msg(kvt_contains(out, want[i]), "-M lacks %s: %s", want[i], out);
    }
}
END_TEST

KVC_TEST(cli, test_list_modules_only_loaded)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_server_drop_base(srv, "LoadModule dir_module");
    kvt_server_drop_base(srv, "DirectoryIndex");
    char *out = list_modules(srv);
    ck_assert_msg(kvt_contains(out, "mime_module") && !kvt_contains(out, "dir_module"),
                  "-M without LoadModule dir_module: %s", out);
}
END_TEST

KVC_TEST(cli, test_define_ifdefine)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_server_conf(srv, "<IfDefine KVT_BROKEN>");
    kvt_server_conf(srv, "NoSuchDirectiveHere");
    kvt_server_conf(srv, "</IfDefine>");
    kvt_server_conf(srv, "<IfDefine !KVT_OTHER>");
    kvt_server_conf(srv, "KeepAlive On");
    kvt_server_conf(srv, "</IfDefine>");
    assert_syntax_ok(srv);

    int status;
    const char *conf = kvt_server_conf_path(srv);
    char *err = NULL;
    ck_assert_int_eq(
        kvt_run_kiva(&status, NULL, &err, "-t", "-D", "KVT_BROKEN", "-f", conf, (const char *)NULL),
        0);
    ck_assert_int_eq(status, 1);
    char *want = kvt_strf(
        "Syntax error on line %u of %s:", kvt_conf_line_of(srv, "NoSuchDirectiveHere"), conf);
    ck_assert_msg(kvt_contains(err, want), "-D KVT_BROKEN did not enable the section: %s", err);
}
END_TEST

/* Start a server with /f.txt, the config lines and the command-line arguments (both
 * NULL-terminated): does its answer to a plain HTTP/1.1 GET say Connection: close? */
static int answer_closes(const char *const *lines, const char *const *args)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_write_file(srv, "f.txt", "x", 1);
    for (; *lines != NULL; lines++) {
        kvt_server_conf(srv, "%s", *lines);
    }
    for (; *args != NULL; args++) {
        kvt_server_arg(srv, *args);
    }
    kvt_server_start(srv);
    kvt_response_t r;
    ck_assert_int_eq(
        kvt_request(kvt_server_port(srv), "GET /f.txt HTTP/1.1\r\nHost: a\r\n\r\n", &r), 0);
    ck_assert_int_eq(r.status, 200);
    int closes = kvt_contains_nocase(kvt_header(&r, "Connection"), "close");
    kvt_response_free(&r);
    kvt_server_stop(srv);
    return closes;
}

/* -D NAME takes effect on a running server, not only under -t. */
KVC_TEST(cli, test_define_changes_serving)
{
    const char *lines[] = {"<IfDefine KVT_NOKEEPALIVE>", "KeepAlive Off", "</IfDefine>", NULL};
    const char *define[] = {"-D", "KVT_NOKEEPALIVE", NULL}, *none[] = {NULL};
    ck_assert_msg(answer_closes(lines, define), "KeepAlive Off under -D was not applied");
    ck_assert_msg(!answer_closes(lines, none), "<IfDefine> section applied without -D");
}
END_TEST

KVC_TEST(cli, test_directive_after_config)
{
    const char *lines[] = {"KeepAlive On", NULL}, *args[] = {"-c", "KeepAlive Off", NULL};
    ck_assert_msg(answer_closes(lines, args), "-c \"KeepAlive Off\" did not override the config");
}
END_TEST

/* -C runs before the config, so the config's own setting wins. */
KVC_TEST(cli, test_directive_before_config_is_overridden)
{
    const char *lines[] = {"KeepAlive On", NULL}, *args[] = {"-C", "KeepAlive Off", NULL};
    ck_assert_msg(!answer_closes(lines, args), "a -C setting overrode the config's KeepAlive On");
}
END_TEST

KVC_TEST(cli, test_directive_before_config)
{
    assert_docroot_from_define(1);
}
END_TEST

KVC_TEST(cli, test_server_root_option)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_write_file(srv, "f.txt", "d", 1);
    kvt_server_drop_base(srv, "ServerRoot");
    kvt_server_arg(srv, "-d");
    kvt_server_arg(srv, kvt_server_root(srv));
    kvt_server_start(srv);
    kvt_response_t r;
    kvt_get(kvt_server_port(srv), "/f.txt", &r);
    ck_assert_int_eq(r.status, 200);
    /* the relative PidFile landed under the -d root */
    char *pidfile = kvt_strf("%s/logs/kiva.pid", kvt_server_root(srv));
    ck_assert_msg(access(pidfile, F_OK) == 0, "no %s", pidfile);
}
END_TEST

KVC_TEST(cli, test_bad_option)
{
    int status;
    char *out = run_joined(&status, "-Q", NULL, NULL, NULL);
    ck_assert_int_eq(status, 1);
    ck_assert_msg(kvt_contains_nocase(out, "usage"), "no usage for a bad option: %s", out);
}
END_TEST

KVC_TEST(cli, test_stop_without_server)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    int status;
    char *out = run_joined(&status, "-k", "stop", "-f", kvt_server_write_conf(srv));
    ck_assert_msg(status != 0, "-k stop with no server exited 0: %s", out);
    ck_assert_msg(kvt_contains_nocase(out, "not running"), "unclear message: %s", out);
}
END_TEST

/* ---- configuration errors ---- */

KVC_LOOP_TEST(errors_case, test_refused_line, 0, KVT_COUNT(refusals))
{
    char *err = refused_line(refusals[_i][0]);
    ck_assert_msg(kvt_contains(err, refusals[_i][1]), "\"%s\": the reason does not mention %s: %s",
                  refusals[_i][0], refusals[_i][1], err);
}
END_TEST

KVC_TEST(errors_case, test_unknown_directive_under_t)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_server_conf(srv, "NoSuchDirective foo");
    int status;
    char *out = check_config(srv, &status);
    ck_assert_int_eq(status, 1);
    char *want =
        kvt_strf("kiva: Syntax error on line %u of %s: ", kvt_conf_line_of(srv, "NoSuchDirective"),
                 kvt_server_conf_path(srv));
    ck_assert_msg(kvt_contains(out, want), "kiva -t: %s", out);
    ck_assert_msg(!kvt_contains(out, "Syntax OK"), "kiva -t said Syntax OK: %s", out);
}
END_TEST

KVC_TEST(errors_case, test_near_miss_suggestion)
{
    char *err = refused_line("KeepAliveTimout 5");
    ck_assert_msg(kvt_contains_nocase(err, "perhaps you meant") &&
                      kvt_contains(err, "KeepAliveTimeout"),
                  "no suggestion: %s", err);
}
END_TEST

/* A directive of a kiva module that is not loaded: the reason gives the LoadModule line. */
static const char *const unloaded[][3] = {
    {"dir_module", "DirectoryIndex index.html", "mod_dir.so"},
    {"mime_module", "TypesConfig conf/mime.types", "mod_mime.so"},
};

KVC_LOOP_TEST(errors_case, test_directive_of_unloaded_module, 0, KVT_COUNT(unloaded))
{
    kvt_server_t *srv = kvt_server_new("prefork");
    char *load = kvt_strf("LoadModule %s", unloaded[_i][0]);
    char *directive = kvt_strf("%.*s", (int)strcspn(unloaded[_i][1], " "), unloaded[_i][1]);
    kvt_server_drop_base(srv, load);
    kvt_server_drop_base(srv, directive);
    kvt_server_conf(srv, "%s", unloaded[_i][1]);
    char *err = expect_refusal(srv, unloaded[_i][1]);
    ck_assert_msg(kvt_contains(err, load) && kvt_contains(err, unloaded[_i][2]),
                  "no \"%s ... %s\" hint: %s", load, unloaded[_i][2], err);
}
END_TEST

/* As httpd, a second DocumentRoot replaces the first. */
KVC_TEST(errors_case, test_document_root_twice)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    const char *f = kvt_write_root_file(srv, "again/f.txt", "second-root");
    (void)f;
    kvt_server_conf(srv, "DocumentRoot \"%s/again\"", kvt_server_root(srv));
    kvt_server_start(srv);
    kvt_response_t r;
    kvt_get(kvt_server_port(srv), "/f.txt", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "second-root");
}
END_TEST

/* As httpd, the error names the line that opened the section. */
KVC_TEST(errors_case, test_unclosed_section)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_server_conf(srv, "<IfModule mime_module>");
    kvt_server_conf(srv, "KeepAlive On");
    char *err = expect_refusal(srv, "<IfModule mime_module>");
    ck_assert_msg(kvt_contains(err, "not closed"), "unclear message for an unclosed section: %s",
                  err);
}
END_TEST

KVC_TEST(errors_case, test_no_mpm)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_server_drop_base(srv, "LoadModule mpm_");
    char *err = expect_refusal(srv, NULL);
    ck_assert_msg(kvt_contains(err, "MPM"), "no mention of the missing MPM: %s", err);
}
END_TEST

/* As httpd: loading the same module twice is a warning, and the config is still good. */
KVC_TEST(errors_case, test_mpm_loaded_twice_warns)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_server_conf(srv, "LoadModule mpm_prefork_module %s/mod_mpm_prefork.so", MODULES);
    int status;
    char *out = check_config(srv, &status);
    ck_assert_msg(status == 0 && kvt_contains(out, "Syntax OK"), "-t: status %d: %s", status, out);
    ck_assert_msg(kvt_contains(out, "mpm_prefork_module") &&
                      kvt_contains_nocase(out, "already loaded"),
                  "no warning about the second LoadModule: %s", out);
}
END_TEST

KVC_TEST(errors_case, test_include_wildcard)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_write_root_file(srv, "conf.d/a.conf", "KeepAlive On\n");
    const char *b = kvt_write_root_file(srv, "conf.d/b.conf", "# second file\nNoSuchInB on\n");
    kvt_server_conf(srv, "Include conf.d/*.conf");
    char *err = expect_refusal(srv, NULL);
    char *want = kvt_strf("kiva: Syntax error on line 2 of %s: ", b);
    ck_assert_msg(kvt_contains(err, want), "stderr lacks \"%s\": %s", want, err);
}
END_TEST

KVC_TEST(errors_case, test_include_wildcard_ok)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_write_root_file(srv, "conf.d/a.conf", "KeepAlive On\n");
    kvt_write_root_file(srv, "conf.d/b.conf", "KeepAliveTimeout 3\n");
    kvt_server_conf(srv, "Include conf.d/*.conf");
    assert_syntax_ok(srv);
}
END_TEST

KVC_TEST(errors_case, test_include_optional_nothing)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_server_conf(srv, "IncludeOptional conf.d/nothing-*.conf");
    kvt_server_conf(srv, "IncludeOptional %s/none/x.conf", kvt_server_root(srv));
    assert_syntax_ok(srv);
}
END_TEST

KVC_TEST(errors_case, test_define_variable)
{
    assert_docroot_from_define(0);
}
END_TEST

int main(void)
{
    return kvc_run("config_cli");
}
