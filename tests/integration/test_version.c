/* mod_version in a running server: <IfVersion> decides against the httpd version kiva
 * implements (KV_HTTPD_COMPAT_VERSION), with every operator, negation and regular
 * expressions, at top level and inside <Directory>; bad lines are refused with httpd's words
 * and file:line. Debian's apache2, when installed, decides the same lines the same way. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kv_release.h"

#define LOAD_VERSION "LoadModule version_module %s/modules/.libs/mod_version.so"
#define LOAD_AUTHZ "LoadModule authz_core_module %s/modules/.libs/mod_authz_core.so"
#define APACHE2 "/usr/sbin/apache2"
#define APACHE2_MODULES "/usr/lib/apache2/modules"

static kvt_server_t *version_server(void)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_server_conf(srv, LOAD_VERSION, KV_TEST_BUILDDIR);
    return srv;
}

/* Run @a argv (20 s at most): stdout and stderr together; the exit status in *status. */
static char *run_joined(const char *const argv[], int *status)
{
    char *out = NULL, *err = NULL;
    ck_assert_msg(kvt_run(argv, 20000, status, &out, &err) == 0, "%s did not finish", argv[0]);
    char *joined = kvt_strf("%s%s", out ? out : "", err ? err : "");
    free(out);
    free(err);
    return joined;
}

/* kiva -t on the server's config. */
static char *run_check(kvt_server_t *srv, int *status)
{
    const char *argv[] = {KV_TEST_BUILDDIR "/kiva", "-t", "-f", kvt_server_write_conf(srv), NULL};
    return run_joined(argv, status);
}

/* apache2 -t on a config of the base lines httpd needs and then @a body, in the server's
 * root. */
static char *apache2_check(kvt_server_t *srv, const char *body, int *status)
{
    const char *root = kvt_server_root(srv);
    char *text = kvt_strf("ServerRoot \"%s\"\n"
                          "Listen 127.0.0.1:%d\n"
                          "PidFile %s/logs/apache2.pid\n"
                          "ErrorLog %s/logs/apache2_error_log\n"
                          "LoadModule mpm_prefork_module " APACHE2_MODULES "/mod_mpm_prefork.so\n"
                          "User daemon\n"
                          "Group daemon\n"
                          "%s",
                          root, kvt_server_port(srv), root, root, body);
    const char *argv[] = {APACHE2, "-d", root, "-f", kvt_write_root_file(srv, "apache2.conf", text),
                          "-t",    NULL};
    free(text);
    return run_joined(argv, status);
}

/* GET @a path answers @a status with the body @a body. */
static void expect_get(kvt_server_t *srv, const char *path, int status, const char *body)
{
    kvt_response_t r;
    kvt_get(kvt_server_port(srv), path, &r);
    const char *got = r.body ? r.body : "";
    ck_assert_msg(r.status == status && (!body || strcmp(got, body) == 0),
                  "GET %s: %d \"%s\", not %d \"%s\"", path, r.status, got, status,
                  body ? body : "");
    kvt_response_free(&r);
}

/* Debian's apache2's version ("2.4.71"), or NULL when it is not installed. */
static char *apache2_version(void)
{
    const char *argv[] = {APACHE2, "-v", NULL};
    char *out = NULL;
    int status;
    char *version = NULL;

    if (access(APACHE2, X_OK) != 0) {
        return NULL;
    }
    ck_assert_int_eq(kvt_run(argv, 20000, &status, &out, NULL), 0);
    const char *at = out ? strstr(out, "Apache/") : NULL;
    if (at) {
        version = kvt_strf("%.*s", (int)strcspn(at + 7, " \n"), at + 7);
    }
    free(out);
    return version;
}

/* Each line opens a section holding a bad line: only the true ones' lines are reported. */
#define DECISIONS_FILE "tests/integration/version_decisions.vectors"
#define DECISIONS 18 /* the vectors in DECISIONS_FILE */

/* The <IfVersion> lines whose decision turns on the patch level, so apache2 decides them the
 * same only when it is the version kiva follows; whether each holds. */
static const struct {
    const char *open;
    int holds;
} exact[] = {
    {"<IfVersion = " KV_HTTPD_COMPAT_VERSION ">", 1},
    {"<IfVersion " KV_HTTPD_COMPAT_VERSION ">", 1},
    {"<IfVersion >= " KV_HTTPD_COMPAT_VERSION ">", 1},
    {"<IfVersion > " KV_HTTPD_COMPAT_VERSION ">", 0},
    {"<IfVersion <= " KV_HTTPD_COMPAT_VERSION ">", 1},
    {"<IfVersion < " KV_HTTPD_COMPAT_VERSION ">", 0},
    {"<IfVersion ~ ^" KV_HTTPD_COMPAT_VERSION "$>", 1},
};

#define ALL_DECISIONS (DECISIONS + KVT_COUNT(exact))

/* Decision @a i of ALL_DECISIONS, those of DECISIONS_FILE first. */
typedef struct {
    const char *open; /* the line that opens the section */
    int holds;
    int exact;   /* whether it turns on the patch level */
    char *where; /* what failure messages name it by (free it) */
} decision_t;

static decision_t decision(int i)
{
    if (i < DECISIONS) {
        const struct kvc_vector *v = kvc_vector(DECISIONS_FILE, DECISIONS, 2, i);
        return (decision_t){v->field[0], kvc_vector_int(v, 1), 0,
                            kvt_strf("%s:%d: %s", v->file, v->line, v->field[0])};
    }
    i -= DECISIONS;
    return (decision_t){exact[i].open, exact[i].holds, 1, kvt_strf("%s", exact[i].open)};
}

static char *decision_body(int i)
{
    decision_t d = decision(i);
    char *body = kvt_strf("%s\n    KeepAlive Case%d\n</IfVersion>\n", d.open, i);

    free(d.where);
    return body;
}

KVT_CASE(version_case, "version");

KVC_TEST(version_case, test_decisions)
{
    kvt_server_t *srv = version_server();
    for (int i = 0; i < ALL_DECISIONS; i++) {
        char *body = decision_body(i);
        kvt_server_conf(srv, "%s", body);
        free(body);
    }
    int status;
    char *out = run_check(srv, &status);
    ck_assert_int_eq(status, 1);
    for (int i = 0; i < ALL_DECISIONS; i++) {
        char *line = kvt_strf("KeepAlive Case%d\n", i);
        char *reported = kvt_strf("kiva: Syntax error on line %u of %s: KeepAlive must be On "
                                  "or Off",
                                  kvt_conf_line_of(srv, line), kvt_server_conf_path(srv));
        decision_t d = decision(i);
        ck_assert_msg(kvt_contains(out, reported) == d.holds, "%s decided wrong:\n%s", d.where,
                      out);
        free(d.where);
        free(line);
        free(reported);
    }
    free(out);

    /* apache2 stops at the first error: one run per line. */
    char *version = apache2_version();
    if (!version) {
        return;
    }
    int same_version = strcmp(version, KV_HTTPD_COMPAT_VERSION) == 0;
    for (int i = 0; i < ALL_DECISIONS; i++) {
        decision_t d = decision(i);
        if (d.exact && !same_version) {
            free(d.where);
            continue;
        }
        char *body = decision_body(i);
        char *a2 = apache2_check(srv, body, &status);
        ck_assert_msg((status == 1 && kvt_contains(a2, "KeepAlive must be On or Off")) == d.holds,
                      "apache2 %s decides %s: %d\n%s", version, d.where, status, a2);
        free(d.where);
        free(a2);
        free(body);
    }
    free(version);
}
END_TEST

/* Refused lines, with httpd's reason (apache2 gives the same reason on the same line). */
static const struct {
    const char *open;
    const char *reason;
} refusals[] = {
    {"<IfVersion => 2.4>", "unrecognized operator '=>'"},
    {"<IfVersion ! 2.4>", "unrecognized operator '!'"},
    {"<IfVersion ~= 2.4>", "unrecognized operator '~='"},
    {"<IfVersion >= 2.4.x>", "Version appears to be invalid. It must have the format "
                             "major[.minor[.patch]] where major, minor and patch are numbers."},
    {"<IfVersion < 2.4.71.1>", "Version appears to be invalid."},
    {"<IfVersion = />", "Missing delimiting / of regular expression."},
    {"<IfVersion = /^2\\.4>", "Missing delimiting / of regular expression."},
    {"<IfVersion ~ ^2\\.(4>", "Unable to compile regular expression"},
};

KVC_TEST(version_case, test_refusals)
{
    kvt_server_t *srv = version_server();
    for (int i = 0; i < KVT_COUNT(refusals); i++) {
        kvt_server_conf(srv, "%s", refusals[i].open);
        kvt_server_conf(srv, "    KeepAlive Case%d", i);
        kvt_server_conf(srv, "</IfVersion>");
    }
    int status;
    char *out = run_check(srv, &status);
    ck_assert_int_eq(status, 1);
    for (int i = 0; i < KVT_COUNT(refusals); i++) {
        char *open = kvt_strf("%s\n", refusals[i].open);
        char *want =
            kvt_strf("kiva: Syntax error on line %u of %s: %s", kvt_conf_line_of(srv, open),
                     kvt_server_conf_path(srv), refusals[i].reason);
        ck_assert_msg(kvt_contains(out, want), "output lacks \"%s\":\n%s", want, out);
        /* A refused section's contents are not run. */
        char *inner = kvt_strf("KeepAlive Case%d\n", i);
        char *inner_err = kvt_strf("line %u of", kvt_conf_line_of(srv, inner));
        ck_assert_msg(!kvt_contains(out, inner_err), "contents of %s run:\n%s", refusals[i].open,
                      out);
        free(open);
        free(want);
        free(inner);
        free(inner_err);
    }
    free(out);

    if (access(APACHE2, X_OK) != 0) {
        return;
    }
    for (int i = 0; i < KVT_COUNT(refusals); i++) {
        char *body = kvt_strf("%s\n</IfVersion>\n", refusals[i].open);
        char *a2 = apache2_check(srv, body, &status);
        /* The section is the config's line 8, after the 7 base lines. */
        char *want = kvt_strf("Syntax error on line 8 of %s/apache2.conf: %s", kvt_server_root(srv),
                              refusals[i].reason);
        ck_assert_msg(status == 1 && kvt_contains(a2, want), "apache2 on %s: %d\n%s",
                      refusals[i].open, status, a2);
        free(want);
        free(a2);
        free(body);
    }
}
END_TEST

/* The snippet packages ship: the 2.2 branch (Order, which no loaded module has here) is
 * skipped, the 2.4 branch runs, inside <Directory> as at top level. */
KVC_TEST(version_case, test_package_snippet)
{
    kvt_server_t *srv = version_server();
    kvt_server_conf(srv, LOAD_AUTHZ, KV_TEST_BUILDDIR);
    kvt_write_file(srv, "index.html", "top", 3);
    kvt_write_file(srv, "private/index.html", "private", 7);
    kvt_server_conf(srv, "<Directory \"%s/private\">", kvt_server_docroot(srv));
    kvt_server_conf(srv, "    <IfVersion < 2.3>");
    kvt_server_conf(srv, "        Order allow,deny");
    kvt_server_conf(srv, "        Allow from all");
    kvt_server_conf(srv, "    </IfVersion>");
    kvt_server_conf(srv, "    <IfVersion >= 2.3>");
    kvt_server_conf(srv, "        Require all denied");
    kvt_server_conf(srv, "    </IfVersion>");
    kvt_server_conf(srv, "</Directory>");
    kvt_server_start(srv);
    expect_get(srv, "/private/", 403, NULL);
    expect_get(srv, "/", 200, "top");
}
END_TEST

/* Inside <Directory> the contents set that directory's settings, not the server's; negation
 * and regular expressions choose as at top level. */
KVC_TEST(version_case, test_inside_directory)
{
    kvt_server_t *srv = version_server();
    const char *names[] = {"a", "b", "c", "d", "e", "f"};
    for (int i = 0; i < KVT_COUNT(names); i++) {
        for (int j = 0; j < 2; j++) {
            char *rel = kvt_strf("%s/%s.html", names[i], j ? "yes" : "no");
            char *body = kvt_strf("%s %s", names[i], j ? "yes" : "no");
            kvt_write_file(srv, rel, body, strlen(body));
            free(rel);
            free(body);
        }
    }
    kvt_write_file(srv, "index.html", "top", 3);
    kvt_write_file(srv, "no.html", "top no", 6);
    kvt_write_file(srv, "yes.html", "top yes", 7);
    /* Each directory's index is yes.html if its test holds, no.html (set first) if not. */
    const char *tests[] = {">= 2.4",       "!>= 2.4",       "~ ^2\\.4\\.",
                           "!~ ^2\\.4\\.", "= /^1\\.3\\./", "!= /^1\\.3\\./"};
    const int holds[] = {1, 0, 1, 0, 0, 1};
    for (int i = 0; i < KVT_COUNT(names); i++) {
        kvt_server_conf(srv, "<Directory \"%s/%s\">", kvt_server_docroot(srv), names[i]);
        kvt_server_conf(srv, "    DirectoryIndex no.html");
        kvt_server_conf(srv, "    <IfVersion %s>", tests[i]);
        kvt_server_conf(srv, "        DirectoryIndex yes.html");
        kvt_server_conf(srv, "    </IfVersion>");
        kvt_server_conf(srv, "</Directory>");
    }
    kvt_server_start(srv);
    for (int i = 0; i < KVT_COUNT(names); i++) {
        char *path = kvt_strf("/%s/", names[i]);
        char *want = kvt_strf("%s %s", names[i], holds[i] ? "yes" : "no");
        expect_get(srv, path, 200, want); /* /a/ tests tests[0], and so on */
        free(path);
        free(want);
    }
    expect_get(srv, "/", 200, "top");
}
END_TEST

/* At top level, a true section's contents set the server's settings. */
KVC_TEST(version_case, test_top_level)
{
    kvt_server_t *srv = version_server();
    kvt_write_file(srv, "index.html", "index", 5);
    kvt_write_file(srv, "old.html", "old", 3);
    kvt_write_file(srv, "new.html", "new", 3);
    kvt_server_conf(srv, "<IfVersion < 2.3>");
    kvt_server_conf(srv, "    DirectoryIndex old.html");
    kvt_server_conf(srv, "</IfVersion>");
    kvt_server_conf(srv, "<IfVersion >= 2.3>");
    kvt_server_conf(srv, "    DirectoryIndex new.html");
    kvt_server_conf(srv, "</IfVersion>");
    kvt_server_start(srv);
    expect_get(srv, "/", 200, "new");
}
END_TEST

/* Without the module, <IfVersion> names the LoadModule line to add. */
KVC_TEST(version_case, test_module_not_loaded)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_server_conf(srv, "<IfVersion >= 2.3>");
    kvt_server_conf(srv, "</IfVersion>");
    int status;
    char *out = run_check(srv, &status);
    ck_assert_int_eq(status, 1);
    ck_assert_msg(kvt_contains(out, "add: LoadModule version_module "), "%s", out);
    free(out);
}
END_TEST

int main(void)
{
    return kvc_run("version");
}
