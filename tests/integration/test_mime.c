/* mod_mime and the handler dispatch in a running server: every virtual host gets the types
 * of TypesConfig and the main server's Add* lines; a file of unknown type is sent without a
 * Content-Type; charset, language and encoding from the extensions; Remove* undo what the
 * enclosing sections said; handlers named by AddHandler and SetHandler; a handler no module
 * provides is a -t warning and a 500 that never sends the file; Debian's mime.conf. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOAD_STATUS "LoadModule status_module %s/modules/.libs/mod_status.so"
#define PHP_SOURCE "<?php $secret = 'kvt-db-password'; ?>"

/* GET @a path with Host @a host; the response in *r (kvt_response_free it). */
static void get_host(kvt_server_t *srv, const char *host, const char *path, kvt_response_t *r)
{
    char *req = kvt_strf("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, host);

    ck_assert_int_eq(kvt_request(kvt_server_port(srv), req, r), 0);
    free(req);
}

/* GET @a path must answer @a status; then its field @a name must be @a value (NULL: absent). */
static void expect_field(kvt_server_t *srv, const char *path, int status, const char *name,
                         const char *value)
{
    kvt_response_t r;

    kvt_get(kvt_server_port(srv), path, &r);
    ck_assert_msg(r.status == status, "GET %s: %d, want %d\n%s", path, r.status, status,
                  kvt_server_diagnostics(srv));
    if (value) {
        ck_assert_msg(kvt_header(&r, name) && strcmp(kvt_header(&r, name), value) == 0,
                      "GET %s: %s is %s, want %s", path, name, kvt_header(&r, name), value);
    } else {
        ck_assert_msg(!kvt_header(&r, name), "GET %s: %s is %s, want none", path, name,
                      kvt_header(&r, name));
    }
    kvt_response_free(&r);
}

KVT_CASE(mime_case, "mime");

KVC_TEST(mime_case, test_vhost_gets_types_and_main_add_type)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    const char *page = kvt_write_root_file(srv, "site/page.html", "<p>vhost</p>");
    char *dir = kvt_strf("%.*s", (int)(strlen(page) - strlen("/page.html")), page);
    kvt_response_t r;

    kvt_write_root_file(srv, "site/notes.kvtext", "notes");
    kvt_server_conf(srv, "AddType text/x-kvt .kvtext");
    kvt_server_conf(srv, "<VirtualHost *:%d>", kvt_server_port(srv));
    kvt_server_conf(srv, "    ServerName vhost.test");
    kvt_server_conf(srv, "    DocumentRoot \"%s\"", dir);
    kvt_server_conf(srv, "</VirtualHost>");
    kvt_server_start(srv);
    get_host(srv, "vhost.test", "/page.html", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "<p>vhost</p>");
    ck_assert_pstr_eq(kvt_header(&r, "Content-Type"), "text/html");
    kvt_response_free(&r);
    get_host(srv, "vhost.test", "/notes.kvtext", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_pstr_eq(kvt_header(&r, "Content-Type"), "text/x-kvt");
    kvt_response_free(&r);
    free(dir);
}
END_TEST

/* TypesConfig may be given again (as in httpd): the last one is read, the others not. */
KVC_TEST(mime_case, test_types_config_last_wins)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    const char *second = kvt_write_root_file(srv, "conf/second.types", "text/x-second kvsec\n");

    kvt_server_conf(srv, "TypesConfig \"%s\"", second);
    kvt_write_file(srv, "a.kvsec", "s", 1);
    kvt_write_file(srv, "a.html", "h", 1);
    kvt_server_start(srv);
    expect_field(srv, "/a.kvsec", 200, "Content-Type", "text/x-second");
    expect_field(srv, "/a.html", 200, "Content-Type", NULL);
}
END_TEST

/* As httpd 2.4: no Content-Type rather than a guess (application/octet-stream). */
KVC_TEST(mime_case, test_unknown_type_has_no_content_type)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());

    kvt_write_file(srv, "data.kvtunknown", "x", 1);
    kvt_write_file(srv, "README", "r", 1);
    kvt_write_file(srv, "sub/gone.tar", "t", 1);
    kvt_server_conf(srv, "<Directory \"%s/sub\">\nRemoveType .TAR\n</Directory>",
                    kvt_server_docroot(srv));
    kvt_server_start(srv);
    expect_field(srv, "/data.kvtunknown", 200, "Content-Type", NULL);
    expect_field(srv, "/README", 200, "Content-Type", NULL);
    expect_field(srv, "/sub/gone.tar", 200, "Content-Type", NULL);
}
END_TEST

KVC_TEST(mime_case, test_charset_language_encoding)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());

    kvt_write_file(srv, "page.html.fr", "fr", 2);
    kvt_write_file(srv, "page.utf8.html.en.de", "m", 1);
    kvt_write_file(srv, "table.csv.kvz", "z", 1);
    kvt_write_file(srv, "plain.html", "p", 1);
    kvt_write_file(srv, "sub/page.html.fr", "s", 1);
    kvt_write_file(srv, "sub/inner/page.html.fr", "i", 1);
    kvt_server_conf(srv, "AddLanguage fr .fr\nAddLanguage en .en\nAddLanguage de .de");
    kvt_server_conf(srv, "AddCharset UTF-8 .utf8 .fr\nAddEncoding x-gzip .kvz");
    kvt_server_conf(srv, "AddType text/csv .csv\nDefaultLanguage it");
    kvt_server_conf(srv, "<Directory \"%s/sub\">\nRemoveLanguage fr\nRemoveCharset .fr\n"
                         "</Directory>", kvt_server_docroot(srv));
    kvt_server_conf(srv, "<Directory \"%s/sub/inner\">\nAddLanguage fr-ca .fr\n</Directory>",
                    kvt_server_docroot(srv));
    kvt_server_start(srv);
    expect_field(srv, "/page.html.fr", 200, "Content-Type", "text/html; charset=utf-8");
    expect_field(srv, "/page.html.fr", 200, "Content-Language", "fr");
    expect_field(srv, "/page.utf8.html.en.de", 200, "Content-Language", "en,de");
    expect_field(srv, "/page.utf8.html.en.de", 200, "Content-Type", "text/html; charset=utf-8");
    expect_field(srv, "/table.csv.kvz", 200, "Content-Encoding", "x-gzip");
    expect_field(srv, "/table.csv.kvz", 200, "Content-Type", "text/csv");
    expect_field(srv, "/plain.html", 200, "Content-Language", "it");
    expect_field(srv, "/plain.html", 200, "Content-Encoding", NULL);
    /* Removed below sub (DefaultLanguage takes over), added again deeper. */
    expect_field(srv, "/sub/page.html.fr", 200, "Content-Language", "it");
    expect_field(srv, "/sub/page.html.fr", 200, "Content-Type", "text/html");
    expect_field(srv, "/sub/inner/page.html.fr", 200, "Content-Language", "fr-ca");
    /* An error page carries none of the file's metadata. */
    expect_field(srv, "/missing.html.fr", 404, "Content-Language", NULL);
}
END_TEST

/* A server on which mod_status handles .st files, and @a directive holds in the <Directory> of
 * DocumentRoot/@a dir. */
static kvt_server_t *status_handler_server(const char *dir, const char *directive)
{
    kvt_server_t *srv = kvt_server_new("prefork");

    kvt_server_processes(srv, 1, 1, 1);
    kvt_server_conf(srv, LOAD_STATUS, KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "AddHandler server-status .st");
    kvt_server_conf(srv, "<Directory \"%s/%s\">\n%s\n</Directory>", kvt_server_docroot(srv), dir,
                    directive);
    return srv;
}

KVC_TEST(mime_case, test_add_handler_any_name_and_remove_handler)
{
    kvt_server_t *srv = status_handler_server("plain", "RemoveHandler .st");

    kvt_write_file(srv, "status.st", "the file itself", 15);
    kvt_write_file(srv, "plain/status.st", "plain file", 10);
    kvt_server_start(srv);
    kvt_response_t r;
    kvt_get(kvt_server_port(srv), "/status.st?auto", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(kvt_contains(r.body, "ServerUptime"), "not the status page:\n%s", r.body);
    kvt_response_free(&r);
    kvt_assert_serves(srv, "/plain/status.st", "plain file");
}
END_TEST

/* ModMimeUsePathInfo On: the extensions of the path info count too. */
KVC_TEST(mime_case, test_mod_mime_use_path_info)
{
    kvt_server_t *srv = status_handler_server("on", "ModMimeUsePathInfo On");

    kvt_write_file(srv, "on/app", "app", 3);
    kvt_write_file(srv, "off/app", "app", 3);
    kvt_server_start(srv);
    expect_field(srv, "/on/app/x.st?auto", 200, "Content-Type", "text/plain; charset=ISO-8859-1");
    expect_field(srv, "/off/app/x.st?auto", 404, "Content-Type", "text/html; charset=iso-8859-1");
}
END_TEST

/* SetHandler and ForceType are the core's, with httpd's merge: None turns them off below. */
KVC_TEST(mime_case, test_set_handler_force_type)
{
    kvt_server_t *srv = kvt_server_new("prefork");

    kvt_server_processes(srv, 1, 1, 1);
    kvt_server_conf(srv, LOAD_STATUS, KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "<Directory \"%s/forced\">\nForceType text/x-forced\n</Directory>",
                    kvt_server_docroot(srv));
    kvt_server_conf(srv, "<Directory \"%s/forced/free\">\nForceType None\n</Directory>",
                    kvt_server_docroot(srv));
    kvt_server_conf(srv, "<Location /admin>\nSetHandler server-status\n</Location>");
    kvt_server_conf(srv, "<Location /admin/off>\nSetHandler None\n</Location>");
    kvt_write_file(srv, "forced/a.html", "a", 1);
    kvt_write_file(srv, "forced/free/a.html", "a", 1);
    kvt_write_file(srv, "admin/off/a.html", "off", 3);
    kvt_server_start(srv);
    expect_field(srv, "/forced/a.html", 200, "Content-Type", "text/x-forced");
    expect_field(srv, "/forced/free/a.html", 200, "Content-Type", "text/html");
    expect_field(srv, "/admin/x?auto", 200, "Content-Type", "text/plain; charset=ISO-8859-1");
    expect_field(srv, "/admin/off/a.html", 200, "Content-Type", "text/html");
}
END_TEST

/* httpd sends the PHP source when no module handles the handler AddHandler names. */
KVC_TEST(mime_case, test_unprovided_handler_is_500_never_the_file)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_response_t r;
    char *log;

    kvt_server_conf(srv, "AddHandler application/x-httpd-php .php");
    kvt_server_conf(srv, "<Location /fcgi>\nSetHandler \"proxy:fcgi://127.0.0.1:9/\"\n"
                         "</Location>");
    kvt_write_file(srv, "index.php", PHP_SOURCE, strlen(PHP_SOURCE));
    kvt_write_file(srv, "fcgi/x.html", PHP_SOURCE, strlen(PHP_SOURCE));
    kvt_server_start(srv);
    kvt_get(kvt_server_port(srv), "/index.php", &r);
    ck_assert_int_eq(r.status, 500);
    ck_assert_msg(!kvt_contains(r.body, "kvt-db-password"), "the source was sent:\n%s", r.body);
    kvt_response_free(&r);
    kvt_get(kvt_server_port(srv), "/fcgi/x.html", &r);
    ck_assert_int_eq(r.status, 500);
    ck_assert_msg(!kvt_contains(r.body, "kvt-db-password"), "the source was sent:\n%s", r.body);
    kvt_response_free(&r);
    log = kvt_server_wait_log(srv, "'proxy:fcgi://127.0.0.1:9/'", 5000);
    ck_assert_msg(kvt_contains(log, "KV01140: no loaded module provides handler "
                                    "'application/x-httpd-php'"), "error_log:\n%s", log);
    ck_assert_msg(kvt_contains(log, "'proxy:fcgi://127.0.0.1:9/'"), "error_log:\n%s", log);
    ck_assert_msg(!kvt_contains(log, "kvt-db-password"), "error_log:\n%s", log);
    free(log);
}
END_TEST

/* -t: a warning with file and line for each name no loaded module provides; still OK. */
KVC_TEST(mime_case, test_unprovided_handler_warns_in_config_test)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    const char *conf;
    char *err = NULL, *want;
    int status;

    kvt_server_conf(srv, LOAD_STATUS, KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "AddHandler application/x-httpd-php .php");
    kvt_server_conf(srv, "<Location /s>\nSetHandler Server-Status\n</Location>");
    kvt_server_conf(srv, "<Location /m>\nSetHandler type-map\n</Location>");
    conf = kvt_server_write_conf(srv);
    ck_assert_int_eq(kvt_run_kiva(&status, NULL, &err, "-t", "-f", conf, (const char *)NULL), 0);
    ck_assert_msg(status == 0, "-t failed:\n%s", err);
    ck_assert_msg(kvt_contains(err, "Syntax OK"), "%s", err);
    want = kvt_strf("Warning on line %u of %s: AddHandler names handler "
                    "'application/x-httpd-php', which no loaded module provides",
                    kvt_conf_line_of(srv, "x-httpd-php"), conf);
    ck_assert_msg(kvt_contains(err, want), "stderr lacks \"%s\":\n%s", want, err);
    free(want);
    want = kvt_strf("Warning on line %u of %s: SetHandler names handler 'type-map'",
                    kvt_conf_line_of(srv, "type-map"), conf);
    ck_assert_msg(kvt_contains(err, want), "stderr lacks \"%s\":\n%s", want, err);
    ck_assert_msg(!kvt_contains_nocase(err, "'server-status'"), "%s", err);
    free(want);
    free(err);
}
END_TEST

/* Debian's mods-available/mime.conf, included whole (with Debian's /etc/mime.types). */
KVC_TEST(mime_case, test_debian_mime_conf)
{
    static const char debian[] = "/etc/apache2/mods-available/mime.conf";
    kvt_server_t *srv;

    if (access(debian, R_OK) != 0 || access("/etc/mime.types", R_OK) != 0) {
        fprintf(stderr, "test_debian_mime_conf: %s is not installed; skipped\n", debian);
        return;
    }
    srv = kvt_server_new(kvt_mpm());
    kvt_server_conf(srv, "Include %s", debian);
    kvt_write_file(srv, "index.html.fr", "fr", 2);
    kvt_write_file(srv, "doc.txt.utf8", "u", 1);
    kvt_write_file(srv, "sheet.es", "e", 1);
    kvt_server_start(srv);
    expect_field(srv, "/index.html.fr", 200, "Content-Language", "fr");
    expect_field(srv, "/index.html.fr", 200, "Content-Type", "text/html");
    expect_field(srv, "/doc.txt.utf8", 200, "Content-Type", "text/plain; charset=utf-8");
    /* RemoveType es: Spanish, not application/ecmascript. */
    expect_field(srv, "/sheet.es", 200, "Content-Type", NULL);
    expect_field(srv, "/sheet.es", 200, "Content-Language", "es");
}
END_TEST

int main(void)
{
    return kvc_run("mime");
}
