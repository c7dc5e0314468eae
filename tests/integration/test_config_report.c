/* How kiva reports what is wrong with a configuration: every error in one run, each as
 * "Syntax error on line N of FILE: reason" (httpd stops at the first one). */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kv_module.h"

/* A module record of the previous module ABI (tests/modules/mod_test_old_abi.c). */
#define OLD_ABI_MODULE KV_TEST_BUILDDIR "/tests/modules/.libs/mod_test_old_abi.so"

/* kiva -t (or a plain start with @a start) on the server's config: the exit status and both
 * output streams joined. */
static char *run_check(kvt_server_t *srv, int start, int *status)
{
    const char *conf = kvt_server_write_conf(srv);
    char *out = NULL, *err = NULL;
    int rv = start
                 ? kvt_run_kiva(status, &out, &err, "-f", conf, "-DFOREGROUND", (const char *)NULL)
                 : kvt_run_kiva(status, &out, &err, "-t", "-f", conf, (const char *)NULL);
    ck_assert_msg(rv == 0, "kiva did not finish in time");
    char *joined = kvt_strf("%s%s", out ? out : "", err ? err : "");
    free(out);
    free(err);
    return joined;
}

/* @a out has the error line for the config line containing @a needle, with @a reason. */
static void assert_reported(kvt_server_t *srv, const char *out, const char *needle,
                            const char *reason)
{
    char *want = kvt_strf("kiva: Syntax error on line %u of %s: %s", kvt_conf_line_of(srv, needle),
                          kvt_server_conf_path(srv), reason);
    ck_assert_msg(kvt_contains(out, want), "output lacks \"%s\":\n%s", want, out);
    free(want);
}

static int count_lines_with(const char *out, const char *needle)
{
    int n = 0;
    for (const char *c = strstr(out, needle); c && n < 10000; c = strstr(c + 1, needle)) {
        n++;
    }
    return n;
}

/* One config with errors of every kind: read-time, directive, section opener, LoadModule. */
static kvt_server_t *config_with_errors(void)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_server_drop_base(srv, "LoadModule dir_module");
    kvt_server_drop_base(srv, "DirectoryIndex");
    kvt_server_conf(srv, "KeepAlive Maybe");
    kvt_server_conf(srv, "LoadModule dir_module /nonexistent/kvt/mod_dir.so");
    kvt_server_conf(srv, "LoadModule test_old_abi_module %s", OLD_ABI_MODULE);
    kvt_server_conf(srv, "Define a b c");
    kvt_server_conf(srv, "<VirtualHost 127.0.0.1:notaport>");
    kvt_server_conf(srv, "    NoSuchInsideASkippedSection 1");
    kvt_server_conf(srv, "</VirtualHost>");
    kvt_server_conf(srv, "Timeout soon");
    kvt_server_conf(srv, "DirectoryIndex index.html");
    kvt_server_conf(srv, "MaxKeepAliveRequests abc");
    return srv;
}

static void assert_every_error(int start)
{
    kvt_server_t *srv = config_with_errors();
    int status;
    char *out = run_check(srv, start, &status);
    char *old_abi;

    ck_assert_msg(status == 1, "exit status %d, want 1:\n%s", status, out);
    ck_assert_msg(!kvt_contains(out, "Syntax OK"), "said Syntax OK:\n%s", out);
    assert_reported(srv, out, "KeepAlive Maybe", "KeepAlive must be On or Off");
    assert_reported(srv, out, "/nonexistent/kvt/mod_dir.so",
                    "Cannot load /nonexistent/kvt/mod_dir.so");
    old_abi = kvt_strf("test_old_abi_module in %s was built for module ABI %d, but this kiva "
                       "has ABI %d: rebuild the module",
                       OLD_ABI_MODULE, KV_MODULE_ABI - 1, KV_MODULE_ABI);
    assert_reported(srv, out, "mod_test_old_abi.so", old_abi);
    free(old_abi);
    assert_reported(srv, out, "Define a b c", "Define takes one or two arguments");
    assert_reported(srv, out, "<VirtualHost 127.0.0.1:notaport>", "<VirtualHost>");
    assert_reported(srv, out, "Timeout soon", "Timeout: 'soon'");
    /* The module whose LoadModule failed is not loaded: its directive says so. */
    assert_reported(srv, out, "DirectoryIndex", "Invalid command 'DirectoryIndex': it is "
                                                "provided by a module that is not loaded; add: "
                                                "LoadModule dir_module");
    assert_reported(srv, out, "MaxKeepAliveRequests abc", "MaxKeepAliveRequests");
    /* The contents of a section whose opener failed are not walked. */
    ck_assert_msg(!kvt_contains(out, "NoSuchInsideASkippedSection"), "skipped line reported:\n%s",
                  out);
    ck_assert_msg(count_lines_with(out, "kiva: Syntax error on line ") == 8, "not 8 errors:\n%s",
                  out);
    /* In the order of the file, the reader's (Define) among the walker's. */
    unsigned last = 0, n;
    for (const char *c = strstr(out, "on line "); c; c = strstr(c + 1, "on line ")) {
        ck_assert_int_eq(sscanf(c, "on line %u", &n), 1);
        ck_assert_msg(n > last, "errors out of order:\n%s", out);
        last = n;
    }
    free(out);
}

KVT_CASE(every_error, "every_error");
KVT_CASE(unknown_directives, "unknown_directives");
KVT_CASE(repeats, "repeats");
KVT_CASE(sections, "sections");
KVT_CASE(mutex_case, "mutex");
KVT_CASE(views, "views");

KVC_TEST(every_error, test_t_reports_every_error)
{
    assert_every_error(0);
}
END_TEST

KVC_TEST(every_error, test_start_reports_every_error)
{
    assert_every_error(1);
}
END_TEST

/* The checks made once the walk is done are reported with the walk's errors. */
KVC_TEST(every_error, test_post_config_check_reported_too)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_server_drop_base(srv, "Listen");
    kvt_server_conf(srv, "KeepAlive Maybe");
    int status;
    char *out = run_check(srv, 0, &status);
    ck_assert_int_eq(status, 1);
    assert_reported(srv, out, "KeepAlive Maybe", "KeepAlive must be On or Off");
    ck_assert_msg(kvt_contains(out, "kiva: no Listen directive"), "no Listen check:\n%s", out);
    free(out);
}
END_TEST

KVC_TEST(every_error, test_error_count_is_capped)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    for (int i = 0; i < 130; i++) {
        kvt_server_conf(srv, "KeepAlive Maybe%d", i);
    }
    int status;
    char *out = run_check(srv, 0, &status);
    ck_assert_int_eq(status, 1);
    ck_assert_int_eq(count_lines_with(out, "kiva: Syntax error on line "), 100);
    ck_assert_msg(kvt_contains(out, "kiva: ... and more errors (only the first 100 are shown)"),
                  "no summary line:\n%s", out);
    assert_reported(srv, out, "KeepAlive Maybe99", "KeepAlive must be On or Off");
    ck_assert_msg(!kvt_contains(out, "Maybe100"), "past the cap:\n%s", out);
    free(out);
}
END_TEST

/* ---- Directives kiva does not have ---- */

/* Directives of httpd modules kiva has not, and what kiva must say about each. */
static const char *const httpd_only[][2] = {
    {"RewriteEngine On", "RewriteEngine is provided by httpd's mod_rewrite, which kiva does not "
                         "have yet"},
    {"H2Direct on", "H2Direct is provided by httpd's mod_http2, which kiva does not have yet"},
    {"ProxyPass /app http://127.0.0.1:9/", "ProxyPass is provided by httpd's mod_proxy, which "
                                           "kiva does not have yet"},
    {"CacheEnable disk /", "CacheEnable is provided by httpd's mod_cache, which kiva does not "
                           "have yet"},
    /* kiva has mod_dir (loaded) and a core, but not these directives of theirs. */
    {"DirectoryCheckHandler On", "DirectoryCheckHandler is provided by httpd's mod_dir; kiva's "
                                 "mod_dir does not implement it yet"},
    {"GprofDir /tmp", "GprofDir is provided by httpd's core; kiva's core does not implement it "
                      "yet"},
};

KVC_LOOP_TEST(unknown_directives, test_httpd_directive_named_with_its_module, 0,
              KVT_COUNT(httpd_only))
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_server_conf(srv, "%s", httpd_only[_i][0]);
    int status;
    char *out = run_check(srv, 0, &status);
    ck_assert_int_eq(status, 1);
    char *name = kvt_strf("%.*s", (int)strcspn(httpd_only[_i][0], " "), httpd_only[_i][0]);
    char *reason = kvt_strf("Invalid command '%s': %s", name, httpd_only[_i][1]);
    assert_reported(srv, out, httpd_only[_i][0], reason);
    ck_assert_msg(!kvt_contains(out, "perhaps"), "a guess besides:\n%s", out);
    free(name);
    free(reason);
    free(out);
}
END_TEST

/* A kiva module that is not loaded still gets the LoadModule line, before httpd's table. */
KVC_TEST(unknown_directives, test_unloaded_kiva_module_hint_first)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_server_drop_base(srv, "LoadModule dir_module");
    kvt_server_drop_base(srv, "DirectoryIndex");
    kvt_server_conf(srv, "DirectoryIndex start.html");
    int status;
    char *out = run_check(srv, 0, &status);
    ck_assert_int_eq(status, 1);
    assert_reported(srv, out, "DirectoryIndex start.html",
                    "Invalid command 'DirectoryIndex': it is provided by a module that is not "
                    "loaded; add: LoadModule dir_module");
    ck_assert_msg(!kvt_contains(out, "httpd's"), "httpd's table consulted first:\n%s", out);
    free(out);
}
END_TEST

/* Suggestions only for typos: one edit in a long name, not three in a short one. */
KVC_TEST(unknown_directives, test_suggestion_only_when_close)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_server_conf(srv, "KeepAliveTimout 5");
    kvt_server_conf(srv, "KeepAliveXYZ On");
    int status;
    char *out = run_check(srv, 0, &status);
    ck_assert_int_eq(status, 1);
    assert_reported(srv, out, "KeepAliveTimout 5",
                    "Invalid command 'KeepAliveTimout', perhaps you meant 'KeepAliveTimeout'?");
    assert_reported(srv, out, "KeepAliveXYZ On",
                    "Invalid command 'KeepAliveXYZ', perhaps misspelled or defined by a module "
                    "not included in the server configuration");
    free(out);
}
END_TEST

/* ---- Directives given again ---- */

static int file_has_started(void *path)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    int found = 0;
    for (int n = 0; f && !found && n < 10000 && fgets(line, sizeof(line), f); n++) {
        found = strstr(line, "KV00022") != NULL;
    }
    if (f) {
        fclose(f);
    }
    return found;
}

/* As httpd, the last ErrorLog counts: the server logs to the second file. */
KVC_TEST(repeats, test_error_log_twice_last_counts)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_server_conf(srv, "ErrorLog logs/second_log");
    kvt_server_start(srv);
    char *second = kvt_strf("%s/logs/second_log", kvt_server_root(srv));
    ck_assert_msg(kvt_wait_for(file_has_started, second, 10000), "nothing logged to %s", second);
    char *first = kvt_server_error_log(srv);
    ck_assert_msg(!kvt_contains(first, "KV00022"), "the first ErrorLog was used:\n%s", first);
    free(first);
    free(second);
}
END_TEST

/* ServerRoot, ServerName, ListenBacklog, SendBufferSize, ReceiveBufferSize given again are
 * accepted, as httpd accepts them. */
KVC_TEST(repeats, test_repeatable_directives_accepted)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_server_conf(srv,
                    "ServerRoot \"%s\"\n"
                    "ServerName second.example\n"
                    "ListenBacklog 100\n"
                    "ListenBacklog 200\n"
                    "SendBufferSize 65536\n"
                    "SendBufferSize 0\n"
                    "ReceiveBufferSize 65536\n"
                    "ReceiveBufferSize 0",
                    kvt_server_root(srv));
    int status;
    char *out = run_check(srv, 0, &status);
    ck_assert_msg(status == 0 && kvt_contains(out, "Syntax OK"), "kiva -t: %d\n%s", status, out);
    free(out);
}
END_TEST

/* ---- <IfFile>, <IfDirective>, <IfSection>, <VirtualHost *:*> ---- */

/* Each section holds a bad line named after it: only the true ones' lines are reported. */
static const char *const conditions[][2] = {
    {"<IfFile conf/present.conf>", "1"},
    {"<IfFile !conf/present.conf>", "0"},
    {"<IfFile conf/absent.conf>", "0"},
    {"<IfFile \"conf/with space.conf\">", "1"},
    {"<IfDirective DirectoryIndex>", "1"},
    {"<IfDirective !DirectoryIndex>", "0"},
    {"<IfDirective RewriteEngine>", "0"},
    {"<IfSection VirtualHost>", "1"},
    {"<IfSection !Proxy>", "1"},
    {"<IfSection Proxy>", "0"},
};

KVC_TEST(sections, test_if_sections_decide)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_write_root_file(srv, "conf/present.conf", "\n");
    kvt_write_root_file(srv, "conf/with space.conf", "\n");
    for (int i = 0; i < KVT_COUNT(conditions); i++) {
        char *name = kvt_strf("%.*s", (int)strcspn(conditions[i][0] + 1, " "),
                              conditions[i][0] + 1);
        kvt_server_conf(srv, "%s", conditions[i][0]);
        kvt_server_conf(srv, "    KeepAlive Case%d", i);
        kvt_server_conf(srv, "</%s>", name);
        free(name);
    }
    int status;
    char *out = run_check(srv, 0, &status);
    ck_assert_int_eq(status, 1);
    for (int i = 0; i < KVT_COUNT(conditions); i++) {
        char *line = kvt_strf("KeepAlive Case%d\n", i);
        char *reported = kvt_strf("kiva: Syntax error on line %u of %s: KeepAlive must be On "
                                  "or Off",
                                  kvt_conf_line_of(srv, line), kvt_server_conf_path(srv));
        ck_assert_msg(kvt_contains(out, reported) == (conditions[i][1][0] == '1'),
                      "%s decided wrong:\n%s", conditions[i][0], out);
        free(line);
        free(reported);
    }
    free(out);
}
END_TEST

/* A conditional section inside <Directory> sets that directory's settings, not the
 * server's (<IfModule> used to set the server's). */
KVC_TEST(sections, test_conditional_section_inside_directory)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_write_file(srv, "index.html", "top index", 9);
    kvt_write_file(srv, "other.html", "top other", 9);
    kvt_write_file(srv, "sub/other.html", "sub other", 9);
    kvt_server_conf(srv, "<Directory \"%s/sub\">", kvt_server_docroot(srv));
    kvt_server_conf(srv, "    <IfModule dir_module>");
    kvt_server_conf(srv, "        DirectoryIndex other.html");
    kvt_server_conf(srv, "    </IfModule>");
    kvt_server_conf(srv, "</Directory>");
    kvt_server_start(srv);
    kvt_response_t r;
    kvt_get(kvt_server_port(srv), "/sub/", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "sub other");
    kvt_response_free(&r);
    kvt_get(kvt_server_port(srv), "/", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "top index");
    kvt_response_free(&r);
}
END_TEST

static char *body_for_host(int port, const char *host)
{
    kvt_response_t r;
    char *req = kvt_strf("GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", host);
    ck_assert_int_eq(kvt_request(port, req, &r), 0);
    ck_assert_int_eq(r.status, 200);
    char *body = kvt_strf("%s", r.body ? r.body : "");
    kvt_response_free(&r);
    free(req);
    return body;
}

/* A <VirtualHost @a addr> named @a name.test whose index.html says @a name. */
static void add_site_host(kvt_server_t *srv, const char *addr, const char *name)
{
    char *rel = kvt_strf("%s/index.html", name);
    const char *f = kvt_write_root_file(srv, rel, name);
    free(rel);
    kvt_server_conf(srv, "<VirtualHost %s>", addr);
    kvt_server_conf(srv, "    ServerName %s.test", name);
    kvt_server_conf(srv, "    DocumentRoot \"%.*s\"", (int)(strlen(f) - strlen("/index.html")), f);
    kvt_server_conf(srv, "</VirtualHost>");
}

/* <VirtualHost *:*> and <VirtualHost _default_:*> take any address and port, by name. */
KVC_TEST(sections, test_vhost_any_port)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    add_site_host(srv, "*:*", "star");
    add_site_host(srv, "_default_:*", "default");
    kvt_server_start(srv);
    int port = kvt_server_port(srv);
    char *b = body_for_host(port, "default.test");
    ck_assert_str_eq(b, "default");
    free(b);
    b = body_for_host(port, "star.test");
    ck_assert_str_eq(b, "star");
    free(b);
    b = body_for_host(port, "unknown.test"); /* the first host of the address */
    ck_assert_str_eq(b, "star");
    free(b);
}
END_TEST

/* As httpd (checked with Debian's apache2): the hosts of *:PORT take that port whole, by
 * name among themselves; a *:* host answers there to no name. */
KVC_TEST(sections, test_vhost_port_shadows_any_port)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    char *port = kvt_strf("*:%d", kvt_server_port(srv));
    add_site_host(srv, "*:*", "star");
    add_site_host(srv, port, "port");
    free(port);
    kvt_server_start(srv);
    char *b = body_for_host(kvt_server_port(srv), "star.test");
    ck_assert_str_eq(b, "port");
    free(b);
}
END_TEST

/* ---- Mutex and DefaultRuntimeDir ---- */

static const char *const mutex_refusals[][2] = {
    {"Mutex bogus", "Invalid Mutex argument bogus (default, none, file:/path, fcntl:/path, "
                    "flock:/path, posixsem, sysvsem, sem, pthread)"},
    {"Mutex fcntl:/nonexistent/kvt", "Invalid Mutex directory in argument fcntl:/nonexistent/kvt"},
    {"Mutex default ssl-cache", "Mutex type ssl-cache is not valid"},
    {"Mutex none mpm-accept", "None is not allowed for mutex type mpm-accept"},
    {"Mutex no", "None is not allowed for mutex type default"},
    {"DefaultRuntimeDir /nonexistent/kvt", "DefaultRuntimeDir must be a valid directory, absolute "
                                           "or relative to ServerRoot"},
};

KVC_TEST(mutex_case, test_mutex_and_runtime_dir_refusals)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    for (int i = 0; i < KVT_COUNT(mutex_refusals); i++) {
        kvt_server_conf(srv, "%s", mutex_refusals[i][0]);
    }
    int status;
    char *out = run_check(srv, 0, &status);
    ck_assert_int_eq(status, 1);
    for (int i = 0; i < KVT_COUNT(mutex_refusals); i++) {
        assert_reported(srv, out, mutex_refusals[i][0], mutex_refusals[i][1]);
    }
    ck_assert_int_eq(count_lines_with(out, "kiva: Syntax error"), KVT_COUNT(mutex_refusals));
    free(out);
}
END_TEST

KVC_TEST(mutex_case, test_mutex_forms_accepted)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_server_conf(srv, "DefaultRuntimeDir logs\n"
                         "Mutex default\n"
                         "Mutex file:logs default\n"
                         "Mutex fcntl:logs mpm-accept OmitPID\n"
                         "Mutex posixsem mpm-accept\n"
                         "Mutex sysvsem default mpm-accept\n"
                         "Mutex pthread\n"
                         "Mutex yes");
    int status;
    char *out = run_check(srv, 0, &status);
    ck_assert_msg(status == 0 && kvt_contains(out, "Syntax OK"), "kiva -t: %d\n%s", status, out);
    free(out);
}
END_TEST

static int lock_file_exists(void *path)
{
    return access(path, F_OK) == 0;
}

/* The accept mutex (taken with two listeners) is a flock file in the Mutex directory. */
KVC_TEST(mutex_case, test_mutex_applies_to_accept_mutex)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_server_t *other = kvt_server_new("prefork"); /* for a second free port */
    kvt_write_root_file(srv, "locks/.keep", "");
    kvt_server_conf(srv, "Listen 127.0.0.1:%d", kvt_server_port(other));
    kvt_server_conf(srv, "Mutex flock:locks mpm-accept OmitPID");
    kvt_server_start(srv);
    char *lock = kvt_strf("%s/locks/mpm-accept", kvt_server_root(srv));
    ck_assert_msg(kvt_wait_for(lock_file_exists, lock, 10000), "no lock file %s", lock);
    for (int i = 0; i < 2; i++) {
        kvt_response_t r;
        kvt_get(i == 0 ? kvt_server_port(srv) : kvt_server_port(other), "/", &r);
        ck_assert_msg(r.status > 0, "no answer on the %s listener", i == 0 ? "first" : "second");
        kvt_response_free(&r);
    }
    free(lock);
}
END_TEST

/* ---- -S, -t -D DUMP_*, -l, kivactl ---- */

#define APACHE2 "/usr/sbin/apache2"

/* A config kiva and httpd both accept (but for the LoadModule path @a mpm_so): two
 * addresses, name-based and IP-based hosts, *:* and _default_:*. */
static char *both_config(kvt_server_t *srv, int port2, const char *mpm_so)
{
    const char *root = kvt_server_root(srv);
    int port = kvt_server_port(srv);
    return kvt_strf("ServerRoot \"%s\"\n"
                    "Listen 127.0.0.1:%d\n"
                    "Listen 127.0.0.1:%d\n"
                    "PidFile %s/logs/httpd.pid\n"
                    "ErrorLog %s/logs/error_log\n"
                    "LoadModule mpm_prefork_module %s\n"
                    "User daemon\n"
                    "Group daemon\n"
                    "ServerName main.test\n"
                    "DocumentRoot \"%s/htdocs\"\n"
                    "<VirtualHost *:%d>\n"
                    "  ServerName a.test\n"
                    "  ServerAlias www.a.test *.wild.test\n"
                    "</VirtualHost>\n"
                    "<VirtualHost *:%d>\n"
                    "  ServerName b.test\n"
                    "</VirtualHost>\n"
                    "<VirtualHost 127.0.0.1:%d>\n"
                    "  ServerName ip.test\n"
                    "</VirtualHost>\n"
                    "<VirtualHost *:*>\n"
                    "  ServerName star.test\n"
                    "</VirtualHost>\n"
                    "<VirtualHost _default_:*>\n"
                    "  ServerName def.test\n"
                    "</VirtualHost>\n",
                    root, port, port2, root, root, mpm_so, root, port, port, port2);
}

/* What httpd -S prints for both_config, but the Mutex lines (whose names and default
 * directory are the build's). */
static char *expected_S(kvt_server_t *srv, int port2, const char *conf)
{
    const char *root = kvt_server_root(srv);
    int port = kvt_server_port(srv);
    char *p1 = kvt_strf("*:%d", port), *ip = kvt_strf("127.0.0.1:%d", port2);
    char *want = kvt_strf("VirtualHost configuration:\n"
                          "%-22s ip.test (%s:18)\n"
                          "%-22s is a NameVirtualHost\n"
                          "         default server a.test (%s:11)\n"
                          "         port %d namevhost a.test (%s:11)\n"
                          "                 alias www.a.test\n"
                          "                 wild alias *.wild.test\n"
                          "         port %d namevhost b.test (%s:15)\n"
                          "%-22s is a NameVirtualHost\n"
                          "         default server star.test (%s:21)\n"
                          "         port * namevhost star.test (%s:21)\n"
                          "         port * namevhost def.test (%s:24)\n"
                          "ServerRoot: \"%s\"\n"
                          "Main DocumentRoot: \"%s/htdocs\"\n"
                          "Main ErrorLog: \"%s/logs/error_log\"\n"
                          "PidFile: \"%s/logs/httpd.pid\"\n"
                          "Define: DUMP_VHOSTS\n"
                          "Define: DUMP_RUN_CFG\n"
                          "User: name=\"daemon\" id=1\n"
                          "Group: name=\"daemon\" id=1\n",
                          ip, conf, p1, conf, port, conf, port, conf, "*:*", conf, conf, conf,
                          root, root, root, root);
    free(p1);
    free(ip);
    return want;
}

/* @a out without its "Mutex ..." lines. */
static char *without_mutex_lines(const char *out)
{
    char *copy = kvt_strf("%s", out);
    char *w = copy;
    for (const char *line = out; *line;) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line + 1) : strlen(line);
        if (strncmp(line, "Mutex ", 6) != 0) {
            memmove(w, line, n);
            w += n;
        }
        line += n;
    }
    *w = '\0';
    return copy;
}

static char *run_tool(const char *const argv[], int *status, char **err_out)
{
    char *out = NULL, *err = NULL;
    ck_assert_msg(kvt_run(argv, 20000, status, &out, &err) == 0, "%s did not finish", argv[0]);
    if (err_out) {
        *err_out = err ? err : kvt_strf("%s", "");
    } else {
        free(err);
    }
    return out ? out : kvt_strf("%s", "");
}

KVC_TEST(views, test_S_as_httpd_prints_it)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    int port2 = kvt_server_port(kvt_server_new("prefork"));
    char *conf = kvt_strf("%s/both.conf", kvt_server_root(srv));
    char *text = both_config(srv, port2, KV_TEST_BUILDDIR "/modules/.libs/mod_mpm_prefork.so");
    kvt_write_root_file(srv, "both.conf", text);
    const char *argv[] = {KV_TEST_BUILDDIR "/kiva", "-S", "-f", conf, NULL};
    int status;
    char *err;
    char *out = run_tool(argv, &status, &err);
    ck_assert_msg(status == 0, "kiva -S: %d\n%s%s", status, out, err);
    ck_assert_msg(!kvt_contains(err, "Syntax OK"), "-S said Syntax OK: %s", err);
    char *want = expected_S(srv, port2, conf);
    char *got = without_mutex_lines(out);
    ck_assert_str_eq(got, want);
    ck_assert_msg(kvt_contains(out, "Mutex default: dir=\"") &&
                      kvt_contains(out, "Mutex mpm-accept: using_defaults\n"),
                  "no Mutex lines:\n%s", out);

    /* Debian's apache2 on the same file (its own MPM path) prints the same. */
    if (access(APACHE2, X_OK) == 0) {
        free(text);
        text = both_config(srv, port2, "/usr/lib/apache2/modules/mod_mpm_prefork.so");
        kvt_write_root_file(srv, "both.conf", text);
        const char *a2[] = {APACHE2, "-d", kvt_server_root(srv), "-f", conf, "-S", NULL};
        char *a2err;
        char *a2out = run_tool(a2, &status, &a2err);
        ck_assert_msg(status == 0, "apache2 -S: %d\n%s%s", status, a2out, a2err);
        char *a2got = without_mutex_lines(a2out);
        ck_assert_str_eq(got, a2got);
        free(a2out);
        free(a2err);
        free(a2got);
    }
    free(text);
    free(conf);
    free(want);
    free(got);
    free(out);
    free(err);
}
END_TEST

/* -t -D DUMP_VHOSTS and -t -D DUMP_RUN_CFG are -S's halves; DUMP_MODULES is -M. */
KVC_TEST(views, test_dump_defines)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_server_conf(srv, "Define KVT_VALUED hello");
    kvt_server_conf(srv, "Define KVT_GONE");
    kvt_server_conf(srv, "UnDefine KVT_GONE");
    const char *conf = kvt_server_write_conf(srv);
    int status;
    const char *vh[] = {KV_TEST_BUILDDIR "/kiva", "-t", "-D", "DUMP_VHOSTS", "-f", conf, NULL};
    char *out = run_tool(vh, &status, NULL);
    ck_assert_int_eq(status, 0);
    ck_assert_str_eq(out, "VirtualHost configuration:\n");
    free(out);

    const char *run[] = {KV_TEST_BUILDDIR "/kiva", "-t", "-D", "DUMP_RUN_CFG", "-f", conf, NULL};
    out = run_tool(run, &status, NULL);
    ck_assert_int_eq(status, 0);
    char *root = kvt_strf("ServerRoot: \"%s\"\nMain DocumentRoot: \"%s\"\n", kvt_server_root(srv),
                          kvt_server_docroot(srv));
    ck_assert_msg(strncmp(out, root, strlen(root)) == 0, "DUMP_RUN_CFG:\n%s", out);
    /* -D names first, then the Define lines, as httpd lists them; UnDefine forgets. */
    ck_assert_msg(kvt_contains(out, "\nDefine: DUMP_RUN_CFG\nDefine: KVT_VALUED=hello\nUser: ") &&
                      kvt_contains(out, "\nPidFile: \"") && !kvt_contains(out, "VirtualHost"),
                  "DUMP_RUN_CFG:\n%s", out);
    free(root);
    free(out);

    const char *mods[] = {KV_TEST_BUILDDIR "/kiva", "-t", "-D", "DUMP_MODULES", "-f", conf, NULL};
    const char *m[] = {KV_TEST_BUILDDIR "/kiva", "-M", "-f", conf, NULL};
    out = run_tool(mods, &status, NULL);
    ck_assert_int_eq(status, 0);
    char *out_m = run_tool(m, &status, NULL);
    ck_assert_str_eq(out, out_m);
    ck_assert_msg(kvt_contains(out, "Loaded Modules:\n core_module (static)\n"), "%s", out);
    free(out);
    free(out_m);
}
END_TEST

KVC_TEST(views, test_compiled_in_modules)
{
    const char *argv[] = {KV_TEST_BUILDDIR "/kiva", "-l", NULL};
    int status;
    char *out = run_tool(argv, &status, NULL);
    ck_assert_int_eq(status, 0);
    ck_assert_str_eq(out, "Compiled in modules:\n  core.c\n  mpm_common.c\n  http_core.c\n");
    free(out);
}
END_TEST

/* kivactl passes -S, -M and -t on, and configtest is -t, as apachectl does. */
KVC_TEST(views, test_kivactl_views)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_server_conf(srv, "<VirtualHost *:%d>", kvt_server_port(srv));
    kvt_server_conf(srv, "    ServerName v.test");
    kvt_server_conf(srv, "</VirtualHost>");
    const char *conf = kvt_server_write_conf(srv);
    const char *cmds[][2] = {{"-S", " v.test ("}, {"-M", "Loaded Modules:"},
                             {"-t", "Syntax OK"},           {"configtest", "Syntax OK"}};
    setenv("KIVA", KV_TEST_BUILDDIR "/kiva", 1);
    for (int i = 0; i < KVT_COUNT(cmds); i++) {
        const char *argv[] = {KV_TEST_BUILDDIR "/kivactl", cmds[i][0], "-f", conf, NULL};
        int status;
        char *err;
        char *out = run_tool(argv, &status, &err);
        ck_assert_msg(status == 0, "kivactl %s: %d\n%s%s", cmds[i][0], status, out, err);
        ck_assert_msg(kvt_contains(out, cmds[i][1]) || kvt_contains(err, cmds[i][1]),
                      "kivactl %s printed:\n%s%s", cmds[i][0], out, err);
        free(out);
        free(err);
    }
}
END_TEST

int main(void)
{
    return kvc_run("config_report");
}
