/* ErrorDocument: a text, a local URL served with the error's status (internal redirect),
 * a remote URL (a redirect), per section, and falling back to the built-in page. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static kvt_response_t fetch(kvt_server_t *srv, const char *method, const char *path)
{
    kvt_response_t r;
    char *req = kvt_strf("%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", method,
                         path);
    int fd = kvt_connect(kvt_server_port(srv));

    kvt_send(fd, req);
    ck_assert_int_eq(kvt_read_response(fd, &r, strcmp(method, "HEAD") == 0), 0);
    close(fd);
    free(req);
    return r;
}

static kvt_server_t *serve(const char *const *lines)
{
    kvt_server_t *srv = kvt_server_new("prefork");

    kvt_write_file(srv, "errors/404.html", "custom not found", 16);
    kvt_write_file(srv, "sub/ok.txt", "ok", 2);
    for (; *lines; lines++) {
        kvt_server_conf(srv, "%s", *lines);
    }
    kvt_server_start(srv);
    return srv;
}

KVT_CASE(errordoc, "errordoc");

KVC_TEST(errordoc, test_local_document_keeps_the_status)
{
    const char *conf[] = {"ErrorDocument 404 /errors/404.html", NULL};
    kvt_server_t *srv = serve(conf);
    kvt_response_t r = fetch(srv, "GET", "/missing");

    ck_assert_int_eq(r.status, 404);
    ck_assert_str_eq(r.body, "custom not found");
    ck_assert_str_eq(kvt_header(&r, "Content-Type"), "text/html");
    kvt_response_free(&r);
    r = fetch(srv, "HEAD", "/missing");
    ck_assert_int_eq(r.status, 404);
    ck_assert_int_eq(r.body_len, 0);
    kvt_response_free(&r);
}
END_TEST

KVC_TEST(errordoc, test_text_and_remote_documents)
{
    const char *conf[] = {"ErrorDocument 404 \"Nothing here\"",
                          "ErrorDocument 403 http://example.com/denied",
                          "LoadModule authz_core_module " KV_TEST_BUILDDIR
                          "/modules/.libs/mod_authz_core.so",
                          "<Location /sub/>\nRequire all denied\n</Location>", NULL};
    kvt_server_t *srv = serve(conf);
    kvt_response_t r = fetch(srv, "GET", "/missing");

    ck_assert_int_eq(r.status, 404);
    ck_assert_str_eq(r.body, "Nothing here");
    kvt_response_free(&r);
    r = fetch(srv, "GET", "/sub/");
    ck_assert_int_eq(r.status, 302);
    ck_assert_str_eq(kvt_header(&r, "Location"), "http://example.com/denied");
    kvt_response_free(&r);
}
END_TEST

KVC_TEST(errordoc, test_section_document_and_default)
{
    const char *conf[] = {"ErrorDocument 404 /errors/404.html", "<Location /sub>",
                          "    ErrorDocument 404 default", "</Location>", NULL};
    kvt_server_t *srv = serve(conf);
    kvt_response_t r = fetch(srv, "GET", "/sub/missing");

    ck_assert_int_eq(r.status, 404);
    ck_assert_msg(kvt_contains(r.body, "<h1>Not Found</h1>"), "body: %s", r.body);
    kvt_response_free(&r);
    r = fetch(srv, "GET", "/missing");
    ck_assert_str_eq(r.body, "custom not found");
    kvt_response_free(&r);
}
END_TEST

KVC_TEST(errordoc, test_missing_document_falls_back)
{
    const char *conf[] = {"ErrorDocument 404 /errors/none.html", NULL};
    kvt_server_t *srv = serve(conf);
    kvt_response_t r = fetch(srv, "GET", "/missing");

    ck_assert_int_eq(r.status, 404);
    ck_assert_msg(kvt_contains(r.body, "<h1>Not Found</h1>"), "body: %s", r.body);
    kvt_response_free(&r);
}
END_TEST

KVC_TEST(errordoc, test_bad_status_refused)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    int status;
    char *err = NULL;

    kvt_server_conf(srv, "ErrorDocument 200 /x.html");
    ck_assert_int_eq(kvt_run_kiva(&status, NULL, &err, "-t", "-f", kvt_server_write_conf(srv),
                                  (const char *)NULL),
                     0);
    ck_assert_int_eq(status, 1);
    ck_assert_msg(kvt_contains(err, "Syntax error on line") && kvt_contains(err, "ErrorDocument"),
                  "stderr: %s", err);
}
END_TEST

int main(void)
{
    return kvc_run("errordoc");
}
