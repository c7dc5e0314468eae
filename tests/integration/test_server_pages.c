/* How the server names itself on the wire and on its generated pages: ServerTokens in the
 * Server field and SERVER_SOFTWARE, ServerSignature's footer on error pages and listings,
 * ServerAdmin on the 500 page, each as Debian's apache2 (2.4.71) writes them, with what came
 * from the configuration or the request HTML-escaped. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define LOAD "LoadModule %s_module %s/modules/.libs/mod_%s.so"
#define BANNER "kiva/" KV_TEST_VERSION " (Unix)"

/* A server with /cgi-bin/ (env.cgi prints SERVER_SOFTWARE, bad.cgi fails), a listable /list/
 * and the lines @a extra (NULL-terminated). */
static kvt_server_t *start(const char *const *extra)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    const char *env = kvt_write_root_file(srv, "cgi-bin/env.cgi",
                                          "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\n"
                                          "echo \"SERVER_SOFTWARE=$SERVER_SOFTWARE\"\n");
    const char *bad = kvt_write_root_file(srv, "cgi-bin/bad.cgi", "#!/bin/sh\nexit 1\n");

    ck_assert_int_eq(chmod(env, 0755), 0);
    ck_assert_int_eq(chmod(bad, 0755), 0);
    kvt_write_file(srv, "list/f1", "1", 1);
    kvt_write_file(srv, "quiet/f", "q", 1);
    kvt_server_conf(srv, LOAD, "alias", KV_TEST_BUILDDIR, "alias");
    kvt_server_conf(srv, LOAD, "cgi", KV_TEST_BUILDDIR, "cgi");
    kvt_server_conf(srv, LOAD, "autoindex", KV_TEST_BUILDDIR, "autoindex");
    kvt_server_conf(srv, "ScriptAlias /cgi-bin/ \"%s/cgi-bin/\"", kvt_server_root(srv));
    kvt_server_conf(srv, "<Directory \"%s/list\">\nOptions Indexes\n</Directory>",
                    kvt_server_docroot(srv));
    kvt_server_conf(srv, "<Directory \"%s/quiet\">\nServerSignature Off\n</Directory>",
                    kvt_server_docroot(srv));
    for (int i = 0; extra && extra[i]; i++) {
        kvt_server_conf(srv, "%s", extra[i]);
    }
    kvt_server_start(srv);
    return srv;
}

static void get(kvt_server_t *srv, const char *target, const char *host, kvt_response_t *r)
{
    char *req = kvt_strf("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, host);

    ck_assert_int_eq(kvt_request(kvt_server_port(srv), req, r), 0);
    free(req);
}

static void expect_body_has(const kvt_response_t *r, const char *want)
{
    ck_assert_msg(kvt_contains(r->body, want), "no '%s' in:\n%s", want, r->body);
}

KVC_CASE(server_pages, .name = "server_pages");

/* By default: the full banner, no footer, and "[no address given]" on the 500 page. */
KVC_TEST(server_pages, test_defaults)
{
    kvt_server_t *srv = start(NULL);
    kvt_response_t r;

    get(srv, "/missing", "x", &r);
    ck_assert_int_eq(r.status, 404);
    ck_assert_pstr_eq(kvt_header(&r, "Server"), BANNER);
    ck_assert_msg(!kvt_contains(r.body, "<address>"), "a footer by default:\n%s", r.body);
    kvt_response_free(&r);
    get(srv, "/cgi-bin/bad.cgi", "x", &r);
    ck_assert_int_eq(r.status, 500);
    expect_body_has(&r, "<p>Please contact the server administrator at \n"
                        " [no address given] to inform them of the time this error occurred,\n");
    kvt_response_free(&r);
    get(srv, "/cgi-bin/env.cgi", "x", &r);
    expect_body_has(&r, "SERVER_SOFTWARE=" BANNER "\n");
    kvt_response_free(&r);
}
END_TEST

/* ServerTokens Prod: "kiva" alone in the Server field, SERVER_SOFTWARE and the footer. */
KVC_TEST(server_pages, test_tokens_prod)
{
    static const char *const conf[] = {"ServerTokens Prod", "ServerSignature On", NULL};
    kvt_server_t *srv = start(conf);
    kvt_response_t r;

    get(srv, "/missing", "x:8080", &r);
    ck_assert_pstr_eq(kvt_header(&r, "Server"), "kiva");
    expect_body_has(&r, "<hr>\n<address>kiva Server at x Port 8080</address>\n</body></html>\n");
    kvt_response_free(&r);
    get(srv, "/cgi-bin/env.cgi", "x", &r);
    expect_body_has(&r, "SERVER_SOFTWARE=kiva\n");
    kvt_response_free(&r);
}
END_TEST

/* ServerSignature On: the footer on error pages and listings, off in a <Directory> that
 * says so; the name and port as the client addressed the server. */
KVC_TEST(server_pages, test_signature_on)
{
    static const char *const conf[] = {"ServerSignature On", NULL};
    kvt_server_t *srv = start(conf);
    kvt_response_t r;

    get(srv, "/missing", "x:8080", &r);
    expect_body_has(&r, "<p>The requested URL was not found on this server.</p>\n<hr>\n"
                        "<address>" BANNER " Server at x Port 8080</address>\n</body></html>\n");
    kvt_response_free(&r);
    get(srv, "/list/", "y", &r);
    ck_assert_int_eq(r.status, 200);
    expect_body_has(&r, "<address>" BANNER " Server at y Port 80</address>\n</body></html>\n");
    kvt_response_free(&r);
    get(srv, "/quiet/missing", "x", &r);
    ck_assert_int_eq(r.status, 404);
    ck_assert_msg(!kvt_contains(r.body, "<address>"), "footer where Off:\n%s", r.body);
    kvt_response_free(&r);
}
END_TEST

/* ServerSignature EMail and ServerAdmin: a mailto link, the address escaped (apache2:
 * href="mailto:adm&lt;x&gt;@example.com"); the 500 page names the administrator. */
KVC_TEST(server_pages, test_signature_email_and_admin)
{
    static const char *const conf[] = {"ServerSignature EMail", "ServerAdmin adm<x>@example.com",
                                       NULL};
    kvt_server_t *srv = start(conf);
    kvt_response_t r;

    get(srv, "/missing", "x", &r);
    expect_body_has(&r, "<address>" BANNER " Server at <a href=\"mailto:adm&lt;x&gt;@example.com"
                        "\">x</a> Port 80</address>\n");
    kvt_response_free(&r);
    get(srv, "/cgi-bin/bad.cgi", "x", &r);
    ck_assert_int_eq(r.status, 500);
    expect_body_has(&r, " adm&lt;x&gt;@example.com to inform them of the time this error");
    kvt_response_free(&r);
}
END_TEST

/* ServerAdmin of a virtual host; a mailto: address is not given a second one. */
KVC_TEST(server_pages, test_vhost_admin)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_response_t r;

    kvt_server_conf(srv, "ServerAdmin main@example.com");
    kvt_server_conf(srv, "<VirtualHost *:%d>", kvt_server_port(srv));
    kvt_server_conf(srv, "    ServerName v.test");
    kvt_server_conf(srv, "    ServerAdmin mailto:v@example.com");
    kvt_server_conf(srv, "    ServerSignature EMail");
    kvt_server_conf(srv, "</VirtualHost>");
    kvt_server_start(srv);
    get(srv, "/missing", "v.test", &r);
    expect_body_has(&r, "<a href=\"mailto:v@example.com\">v.test</a>");
    kvt_response_free(&r);
}
END_TEST

int main(void)
{
    return kvc_run("server_pages");
}
