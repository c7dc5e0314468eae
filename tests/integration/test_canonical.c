/* Self-referential URLs (mod_dir's slash redirect, mod_alias's Redirect) and CGI's
 * SERVER_NAME and SERVER_PORT under UseCanonicalName and UseCanonicalPhysicalPort. Behind a
 * port map the client reaches the server on another port than it listens on: the answer
 * must carry the Host the client sent, with its port only if it sent one, never the
 * listening port unless the configuration asks for it (what httpd 2.4 does). */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define LOAD "LoadModule %s_module %s/modules/.libs/mod_%s.so"

/* ServerName localhost (the harness's); /d/ and /old redirect, /cgi-bin/env.cgi prints the
 * two variables; /canon/ says UseCanonicalName On, /phys/ adds UseCanonicalPhysicalPort On. */
static kvt_server_t *start(void)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    const char *env = kvt_write_root_file(srv, "cgi-bin/env.cgi",
                                          "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\n"
                                          "echo \"SERVER_NAME=$SERVER_NAME\"\n"
                                          "echo \"SERVER_PORT=$SERVER_PORT\"\n");

    ck_assert_int_eq(chmod(env, 0755), 0);
    kvt_write_file(srv, "d/index.html", "d", 1);
    kvt_write_file(srv, "canon/index.html", "c", 1);
    kvt_write_file(srv, "phys/index.html", "p", 1);
    kvt_server_conf(srv, LOAD, "alias", KV_TEST_BUILDDIR, "alias");
    kvt_server_conf(srv, LOAD, "cgi", KV_TEST_BUILDDIR, "cgi");
    kvt_server_conf(srv, "ScriptAlias /cgi-bin/ \"%s/cgi-bin/\"", kvt_server_root(srv));
    kvt_server_conf(srv, "Redirect /old /new");
    kvt_server_conf(srv, "<Directory \"%s/canon\">", kvt_server_docroot(srv));
    kvt_server_conf(srv, "    UseCanonicalName On");
    kvt_server_conf(srv, "</Directory>");
    kvt_server_conf(srv, "<Directory \"%s/phys\">", kvt_server_docroot(srv));
    kvt_server_conf(srv, "    UseCanonicalName On");
    kvt_server_conf(srv, "    UseCanonicalPhysicalPort On");
    kvt_server_conf(srv, "</Directory>");
    kvt_server_start(srv);
    return srv;
}

/* GET @a target with Host @a host (NULL: an HTTP/1.0 request without Host). */
static void get(kvt_server_t *srv, const char *target, const char *host, kvt_response_t *r)
{
    char *req =
        host ? kvt_strf("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, host)
             : kvt_strf("GET %s HTTP/1.0\r\n\r\n", target);

    ck_assert_int_eq(kvt_request(kvt_server_port(srv), req, r), 0);
    free(req);
}

static void expect_location(kvt_server_t *srv, const char *target, const char *host, int status,
                            const char *want)
{
    kvt_response_t r;

    get(srv, target, host, &r);
    ck_assert_msg(r.status == status, "%s (Host %s): status %d", target, host, r.status);
    ck_assert_msg(kvt_header(&r, "Location") && strcmp(kvt_header(&r, "Location"), want) == 0,
                  "%s (Host %s): Location %s, want %s", target, host, kvt_header(&r, "Location"),
                  want);
    kvt_response_free(&r);
}

static void expect_cgi(kvt_server_t *srv, const char *host, const char *name, const char *port)
{
    kvt_response_t r;
    char *want = kvt_strf("SERVER_NAME=%s\nSERVER_PORT=%s\n", name, port);

    get(srv, "/cgi-bin/env.cgi", host, &r);
    ck_assert_msg(r.status == 200 && kvt_contains(r.body, want), "Host %s: %d\n%s", host, r.status,
                  r.body);
    kvt_response_free(&r);
    free(want);
}

KVC_CASE(canonical, .name = "canonical");

/* The port map case: the client knows the server as x (port 80): no port in the answer. */
KVC_TEST(canonical, test_host_without_port_gives_no_port)
{
    kvt_server_t *srv = start();

    expect_location(srv, "/d", "x", 301, "http://x/d/");
    expect_location(srv, "/old?q", "x", 302, "http://x/new?q");
    expect_cgi(srv, "x", "x", "80");
}
END_TEST

KVC_TEST(canonical, test_host_port_is_kept)
{
    kvt_server_t *srv = start();

    expect_location(srv, "/d", "x:8080", 301, "http://x:8080/d/");
    expect_location(srv, "/old", "x:8080", 302, "http://x:8080/new");
    expect_location(srv, "/d", "x:80", 301, "http://x/d/");
    expect_cgi(srv, "x:8080", "x", "8080");
}
END_TEST

/* HTTP/1.0 without Host: ServerName. */
KVC_TEST(canonical, test_no_host_uses_server_name)
{
    kvt_server_t *srv = start();

    expect_location(srv, "/d", NULL, 301, "http://localhost/d/");
}
END_TEST

/* UseCanonicalName On in a <Directory>: ServerName there, the client's Host elsewhere. */
KVC_TEST(canonical, test_canonical_name_per_directory)
{
    kvt_server_t *srv = start();

    expect_location(srv, "/canon", "x:8080", 301, "http://localhost/canon/");
    expect_location(srv, "/d", "x:8080", 301, "http://x:8080/d/");
}
END_TEST

/* UseCanonicalPhysicalPort On: the port the connection came in on. */
KVC_TEST(canonical, test_physical_port)
{
    kvt_server_t *srv = start();
    char *want = kvt_strf("http://localhost:%d/phys/", kvt_server_port(srv));

    expect_location(srv, "/phys", "x:8080", 301, want);
    free(want);
}
END_TEST

/* A virtual host under UseCanonicalName On, with a port in its ServerName. */
KVC_TEST(canonical, test_vhost_canonical_name)
{
    kvt_server_t *srv = kvt_server_new("prefork");

    kvt_write_file(srv, "d/index.html", "d", 1);
    kvt_server_conf(srv, "<VirtualHost *:%d>", kvt_server_port(srv));
    kvt_server_conf(srv, "    ServerName www.example.com:81");
    kvt_server_conf(srv, "    UseCanonicalName On");
    kvt_server_conf(srv, "</VirtualHost>");
    kvt_server_start(srv);
    expect_location(srv, "/d", "x:8080", 301, "http://www.example.com:81/d/");
}
END_TEST

int main(void)
{
    return kvc_run("canonical");
}
