/* mod_expires in a running server: Expires and Cache-Control max-age by type, by default
 * and by modification time, in both code syntaxes; merged per directory; only where
 * ExpiresActive On; not on errors; on 304 and redirects as httpd; an Expires already set
 * left alone; Header edits after it; bad codes refused. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <utime.h>

#define LOAD_EXPIRES "LoadModule expires_module %s/modules/.libs/mod_expires.so"
#define LOAD_HEADERS "LoadModule headers_module %s/modules/.libs/mod_headers.so"

/* An HTTP date as seconds since the epoch; -1 if @a date is not an IMF-fixdate. */
static time_t http_time(const char *date)
{
    struct tm tm = {0};
    const char *end = date ? strptime(date, "%a, %d %b %Y %H:%M:%S GMT", &tm) : NULL;

    return end && *end == '\0' ? timegm(&tm) : (time_t)-1;
}

static void write_doc(kvt_server_t *srv, const char *relpath, const char *content)
{
    kvt_write_file(srv, relpath, content, strlen(content));
}

/* Set the modification time of DocumentRoot/@a relpath to @a t. */
static void set_mtime(kvt_server_t *srv, const char *relpath, time_t t)
{
    char *path = kvt_strf("%s/%s", kvt_server_docroot(srv), relpath);
    struct utimbuf times = {t, t};

    ck_assert_int_eq(utime(path, &times), 0);
    free(path);
}

/* The response has Cache-Control @a cache_control and an Expires @a after seconds after
 * @a base (its Date when @a base is 0); the Date is the request's time, to the second. */
static void assert_expiry(const kvt_response_t *r, const char *what, const char *cache_control,
                          time_t base, long after)
{
    const char *cc = kvt_header(r, "Cache-Control");
    time_t date = http_time(kvt_header(r, "Date"));
    time_t expires = http_time(kvt_header(r, "Expires"));

    ck_assert_msg(cc && strcmp(cc, cache_control) == 0, "%s: Cache-Control %s, want %s", what,
                  cc ? cc : "(none)", cache_control);
    ck_assert_msg(date != -1 && expires != -1, "%s: Date %s, Expires %s", what,
                  kvt_header(r, "Date"), kvt_header(r, "Expires"));
    ck_assert_msg(expires == (base ? base : date) + after, "%s: Expires %s, Date %s, want +%ld",
                  what, kvt_header(r, "Expires"), kvt_header(r, "Date"), after);
}

static void assert_no_expiry(const kvt_response_t *r, const char *what)
{
    ck_assert_msg(!kvt_header(r, "Expires") && !kvt_header(r, "Cache-Control"),
                  "%s: Expires %s, Cache-Control %s", what, kvt_header(r, "Expires"),
                  kvt_header(r, "Cache-Control"));
}

static kvt_server_t *expires_server(void)
{
    kvt_server_t *srv = kvt_server_new("prefork");

    /* mod_headers first: its filter is added first, yet must run after mod_expires'. */
    kvt_server_conf(srv, LOAD_HEADERS, KV_TEST_BUILDDIR);
    kvt_server_conf(srv, LOAD_EXPIRES, KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "ExpiresActive On");
    kvt_server_conf(srv, "ExpiresDefault \"access plus 1 hour\"");
    kvt_server_conf(srv, "ExpiresByType text/html A60");
    kvt_server_conf(srv, "ExpiresByType image/* \"modification plus 1 day 2 hours\"");
    return srv;
}

KVT_CASE(expires_case, "expires");

KVC_TEST(expires_case, test_expiry_by_type_default_and_modification)
{
    kvt_server_t *srv = expires_server();
    time_t hour_ago = time(NULL) - 3600;
    kvt_response_t r;

    write_doc(srv, "a.txt", "text");
    write_doc(srv, "p.html", "<p>");
    write_doc(srv, "pic.png", "png");
    write_doc(srv, "old.gif", "gif");
    write_doc(srv, "dir/x.txt", "x");
    kvt_server_start(srv);
    set_mtime(srv, "pic.png", hour_ago);
    set_mtime(srv, "old.gif", time(NULL) - 3 * 86400);
    int port = kvt_server_port(srv);

    kvt_get(port, "/a.txt", &r);
    ck_assert_int_eq(r.status, 200);
    assert_expiry(&r, "ExpiresDefault", "max-age=3600", 0, 3600);
    kvt_response_free(&r);
    kvt_get(port, "/p.html", &r);
    assert_expiry(&r, "ExpiresByType text/html A60", "max-age=60", 0, 60);
    kvt_response_free(&r);
    /* image/png by the image/ wildcard, from the file's modification time. */
    kvt_get(port, "/pic.png", &r);
    ck_assert_msg(kvt_header(&r, "Expires") && http_time(kvt_header(&r, "Expires")) ==
                                                   hour_ago + 93600,
                  "Expires %s", kvt_header(&r, "Expires"));
    long age = strtol(kvt_header(&r, "Cache-Control") + strlen("max-age="), NULL, 10);
    ck_assert_msg(age <= 90000 && age >= 90000 - 60, "Cache-Control %s",
                  kvt_header(&r, "Cache-Control"));
    kvt_response_free(&r);
    /* Expired already: now, max-age=0. */
    kvt_get(port, "/old.gif", &r);
    assert_expiry(&r, "past modification", "max-age=0", 0, 0);
    kvt_response_free(&r);
    /* An error has none; a redirect (mod_dir's, an HTML page) has text/html's. */
    kvt_get(port, "/missing.txt", &r);
    ck_assert_int_eq(r.status, 404);
    assert_no_expiry(&r, "404");
    kvt_response_free(&r);
    kvt_get(port, "/dir", &r);
    ck_assert_int_eq(r.status, 301);
    assert_expiry(&r, "301", "max-age=60", 0, 60);
    kvt_response_free(&r);
}
END_TEST

KVC_TEST(expires_case, test_not_modified_has_expiry)
{
    kvt_server_t *srv = expires_server();
    kvt_response_t r;

    write_doc(srv, "a.txt", "text");
    kvt_server_start(srv);
    int port = kvt_server_port(srv);
    kvt_get(port, "/a.txt", &r);
    char *req = kvt_strf("GET /a.txt HTTP/1.1\r\nHost: localhost\r\nIf-Modified-Since: %s\r\n"
                         "Connection: close\r\n\r\n",
                         kvt_header(&r, "Last-Modified"));
    kvt_response_free(&r);
    ck_assert_int_eq(kvt_request(port, req, &r), 0);
    ck_assert_int_eq(r.status, 304);
    assert_expiry(&r, "304", "max-age=3600", 0, 3600);
    kvt_response_free(&r);
    free(req);
}
END_TEST

/* A directory's ExpiresByType replaces its type's and keeps the others; ExpiresActive Off
 * turns it off below; without ExpiresActive On nothing is set. */
KVC_TEST(expires_case, test_merge_per_directory)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    const char *root;
    kvt_response_t r;

    kvt_server_conf(srv, LOAD_EXPIRES, KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "ExpiresDefault A100");
    kvt_server_conf(srv, "ExpiresByType text/html A200");
    write_doc(srv, "a.txt", "t");
    write_doc(srv, "on/a.txt", "t");
    write_doc(srv, "on/p.html", "h");
    write_doc(srv, "on/off/a.txt", "t");
    root = kvt_server_docroot(srv);
    kvt_server_conf(srv, "<Directory \"%s/on\">", root);
    kvt_server_conf(srv, "    ExpiresActive On");
    kvt_server_conf(srv, "    ExpiresByType text/plain \"access plus 5 seconds\"");
    kvt_server_conf(srv, "</Directory>");
    kvt_server_conf(srv, "<Directory \"%s/on/off\">", root);
    kvt_server_conf(srv, "    ExpiresActive Off");
    kvt_server_conf(srv, "</Directory>");
    kvt_server_start(srv);
    int port = kvt_server_port(srv);

    kvt_get(port, "/a.txt", &r);
    ck_assert_int_eq(r.status, 200);
    assert_no_expiry(&r, "no ExpiresActive");
    kvt_response_free(&r);
    kvt_get(port, "/on/a.txt", &r);
    assert_expiry(&r, "directory's type", "max-age=5", 0, 5);
    kvt_response_free(&r);
    kvt_get(port, "/on/p.html", &r);
    assert_expiry(&r, "inherited type", "max-age=200", 0, 200);
    kvt_response_free(&r);
    kvt_get(port, "/on/off/a.txt", &r);
    assert_no_expiry(&r, "ExpiresActive Off");
    kvt_response_free(&r);
}
END_TEST

/* An Expires set before (Header ... early) stays, without max-age; Header edits what
 * mod_expires set (its filter runs before Header's, as in httpd). */
KVC_TEST(expires_case, test_existing_fields_and_header)
{
    kvt_server_t *srv = expires_server(), *early = expires_server();
    kvt_response_t r;

    write_doc(srv, "a.txt", "t");
    kvt_server_conf(srv, "Header append Cache-Control public");
    kvt_server_start(srv);
    kvt_get(kvt_server_port(srv), "/a.txt", &r);
    assert_expiry(&r, "Header append", "max-age=3600, public", 0, 3600);
    kvt_response_free(&r);

    write_doc(early, "a.txt", "t");
    kvt_server_conf(early, "Header set Expires \"Thu, 01 Jan 2037 00:00:00 GMT\" early");
    kvt_server_start(early);
    kvt_get(kvt_server_port(early), "/a.txt", &r);
    ck_assert_pstr_eq(kvt_header(&r, "Expires"), "Thu, 01 Jan 2037 00:00:00 GMT");
    ck_assert_ptr_null(kvt_header(&r, "Cache-Control"));
    kvt_response_free(&r);
}
END_TEST

static const char *const refusals[][2] = {
    {"ExpiresByType html A60", "Invalid mimetype: should contain a slash"},
    {"ExpiresDefault \"access plus 1 fortnight\"", "unrecognised <type> 'fortnight'"},
    {"ExpiresDefault A12x", "bad expires code"},
    {"ExpiresByType text/html \"later plus 1 day\"", "unrecognised <base> 'later'"},
    {"ExpiresActive maybe", "ExpiresActive must be On or Off"},
};

KVC_LOOP_TEST(expires_case, test_bad_config_refused, 0, KVT_COUNT(refusals))
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_server_conf(srv, LOAD_EXPIRES, KV_TEST_BUILDDIR);
    kvt_assert_refused(srv, "-t", refusals[_i][0], refusals[_i][1]);
}
END_TEST

int main(void)
{
    return kvc_run("expires");
}
