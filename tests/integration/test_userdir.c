/* mod_userdir in a running server: /~user URLs served from the path form
 * (ServerRoot/users/STAR/public_html), with mod_dir's index and trailing-slash redirect;
 * disabled and enabled users; a URL form that redirects; and a real user's home from the
 * system's user database (bin, whose home holds sh). */
#include "harness.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MODULES KV_TEST_BUILDDIR "/modules/.libs"

/* A server with mod_userdir (not started yet), and public_html directories of alice and carol
 * under ServerRoot/users. */
static kvt_server_t *site(void)
{
    kvt_server_t *srv = kvt_server_new("prefork");

    kvt_write_root_file(srv, "users/alice/public_html/index.html", "alice's index");
    kvt_write_root_file(srv, "users/alice/public_html/a.txt", "alice's a");
    kvt_write_root_file(srv, "users/carol/public_html/c.txt", "carol's c");
    kvt_server_conf(srv, "LoadModule userdir_module %s/mod_userdir.so", MODULES);
    return srv;
}

/* The path form for the users under ServerRoot. */
static void users_dir(kvt_server_t *srv)
{
    kvt_server_conf(srv, "UserDir %s/users/*/public_html", kvt_server_root(srv));
}

/* GET @a path: the status, and the body or (for a redirect) the Location, as "status text". */
static void expect(kvt_server_t *srv, const char *path, const char *want)
{
    kvt_response_t r;

    kvt_get(kvt_server_port(srv), path, &r);
    const char *loc = kvt_header(&r, "Location");
    char *got = kvt_strf("%d %s", r.status,
                         r.status / 100 == 3 ? (loc ? loc : "")
                         : r.status == 200   ? r.body
                                             : "");
    ck_assert_msg(strcmp(got, want) == 0, "GET %s: '%s', want '%s'", path, got, want);
    free(got);
    kvt_response_free(&r);
}

KVT_CASE(userdir, "userdir");

KVC_TEST(userdir, test_path_form)
{
    kvt_server_t *srv = site();
    users_dir(srv);
    kvt_server_start(srv);

    expect(srv, "/~alice/a.txt", "200 alice's a");
    expect(srv, "/~alice/", "200 alice's index");
    /* The Host field names no port, so the redirect names none (UseCanonicalName Off). */
    expect(srv, "/~alice", "301 http://localhost/~alice/");
    expect(srv, "/~carol/c.txt", "200 carol's c");
    expect(srv, "/~bob/a.txt", "404 ");
    expect(srv, "/~alice/nothing", "404 ");
}
END_TEST

KVC_TEST(userdir, test_disabled_users)
{
    kvt_server_t *srv = site();
    users_dir(srv);
    kvt_server_conf(srv, "UserDir disabled carol");
    kvt_server_start(srv);

    expect(srv, "/~alice/a.txt", "200 alice's a");
    expect(srv, "/~carol/c.txt", "404 ");
}
END_TEST

KVC_TEST(userdir, test_only_enabled_users)
{
    kvt_server_t *srv = site();
    users_dir(srv);
    kvt_server_conf(srv, "UserDir disabled");
    kvt_server_conf(srv, "UserDir enabled carol");
    kvt_server_start(srv);

    expect(srv, "/~alice/a.txt", "404 ");
    expect(srv, "/~carol/c.txt", "200 carol's c");
}
END_TEST

KVC_TEST(userdir, test_url_form_redirects)
{
    kvt_server_t *srv = site();
    kvt_server_conf(srv, "UserDir http://www.example.com/~*/");
    kvt_server_start(srv);

    expect(srv, "/~alice/one/two.html", "302 http://www.example.com/~alice/one/two.html");
}
END_TEST

KVC_TEST(userdir, test_real_users_home)
{
    struct passwd *pw = getpwnam("bin");
    struct stat st;

    ck_assert_msg(pw != NULL, "no user bin in the system's user database");
    char *sh = kvt_strf("%s/sh", pw->pw_dir);
    ck_assert_msg(stat(sh, &st) == 0, "%s: no sh in bin's home", sh);
    kvt_server_t *srv = site();
    kvt_response_t r;

    kvt_server_conf(srv, "UserDir .");
    kvt_server_start(srv);

    kvt_get(kvt_server_port(srv), "/~bin/sh", &r);
    ck_assert_int_eq(r.status, 200);
    const char *len = kvt_header(&r, "Content-Length");
    ck_assert_msg(len && atol(len) == (long)st.st_size, "Content-Length %s, want %ld of %s",
                  len ? len : "(none)", (long)st.st_size, sh);
    kvt_response_free(&r);
    free(sh);
}
END_TEST

int main(void)
{
    return kvc_run("userdir");
}
