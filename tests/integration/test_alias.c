/* mod_alias in a running server: Alias and AliasMatch serve files from outside DocumentRoot
 * and never above their target; every Redirect form answers with its status and Location;
 * redirects are tried before aliases and the first match wins; bad lines are refused. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOAD_ALIAS "LoadModule alias_module %s/modules/.libs/mod_alias.so"
#define SECRET "secret-above-the-alias"

static kvt_server_t *new_server(void)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_server_conf(srv, LOAD_ALIAS, KV_TEST_BUILDDIR);
    return srv;
}

/* An Alias line mapping @a url_path to ServerRoot/@a dir (with @a slash after it). */
static void alias_to_root(kvt_server_t *srv, const char *directive, const char *url_path,
                          const char *dir)
{
    kvt_server_conf(srv, "%s %s \"%s/%s\"", directive, url_path, kvt_server_root(srv), dir);
}

/* Write @a len bytes (NULs allowed) to ServerRoot/@a relpath, whose directory exists. */
static void write_binary(kvt_server_t *srv, const char *relpath, const char *bytes, size_t len)
{
    char *path = kvt_strf("%s/%s", kvt_server_root(srv), relpath);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(bytes, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
    free(path);
}

static void expect_body(int port, const char *path, int status, const char *body)
{
    kvt_response_t r;
    kvt_get(port, path, &r);
    ck_assert_msg(r.status == status, "GET %s: status %d, want %d", path, r.status, status);
    if (body) {
        ck_assert_msg(r.body_len == strlen(body) && memcmp(r.body, body, r.body_len) == 0,
                      "GET %s: body \"%s\", want \"%s\"", path, r.body, body);
    }
    kvt_response_free(&r);
}

static void expect_status(int port, const char *path, int status)
{
    expect_body(port, path, status, NULL);
}

KVT_CASE(alias_case, "alias");

KVC_TEST(alias_case, test_alias_serves_outside_docroot)
{
    static const char bin[] = {'a', '\0', '\xff', '\r', '\n', 'z'};
    kvt_server_t *srv = new_server();
    kvt_write_root_file(srv, "outside/file.txt", "outside file\n");
    kvt_write_root_file(srv, "outside/sub/deep.txt", "deep");
    kvt_write_root_file(srv, "outside/index.html", "alias index");
    write_binary(srv, "outside/bin.dat", bin, sizeof(bin));
    alias_to_root(srv, "Alias", "/alias", "outside");
    kvt_server_start(srv);
    int port = kvt_server_port(srv);

    expect_body(port, "/alias/file.txt", 200, "outside file\n");
    expect_body(port, "/alias/sub/deep.txt", 200, "deep");
    expect_body(port, "/alias//sub/./deep.txt", 200, "deep");
    expect_body(port, "/alias/", 200, "alias index");
    expect_status(port, "/alias/missing.txt", 404);

    kvt_response_t r;
    kvt_get(port, "/alias/bin.dat", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(r.body_len, sizeof(bin));
    ck_assert(memcmp(r.body, bin, sizeof(bin)) == 0);
    kvt_response_free(&r);

    /* A directory without its slash is sent to the slash form under the alias's URL. */
    kvt_get(port, "/alias", &r);
    ck_assert_int_eq(r.status, 301);
    ck_assert_msg(kvt_contains(kvt_header(&r, "Location"), "/alias/"), "Location %s",
                  kvt_header(&r, "Location"));
    kvt_response_free(&r);
}
END_TEST

/* "/icons" matches /icons and /icons/..., never /iconsx. */
KVC_TEST(alias_case, test_alias_matches_whole_segments)
{
    kvt_server_t *srv = new_server();
    kvt_write_root_file(srv, "icons/a.txt", "icon a");
    kvt_write_file(srv, "iconsx", "docroot iconsx", 14);
    kvt_write_file(srv, "iconsy/a.txt", "docroot iconsy", 14);
    alias_to_root(srv, "Alias", "/icons", "icons");
    kvt_server_start(srv);
    int port = kvt_server_port(srv);

    expect_body(port, "/icons/a.txt", 200, "icon a");
    expect_body(port, "/iconsx", 200, "docroot iconsx");
    expect_body(port, "/iconsy/a.txt", 200, "docroot iconsy");
}
END_TEST

/* A URL-path with a trailing slash needs it in the request. */
KVC_TEST(alias_case, test_alias_trailing_slash_rule)
{
    kvt_server_t *srv = new_server();
    kvt_write_root_file(srv, "pics/index.html", "pics index");
    kvt_write_root_file(srv, "pics/p.txt", "pic");
    kvt_write_file(srv, "pics", "docroot pics", 12);
    alias_to_root(srv, "Alias", "/pics/", "pics/");
    kvt_server_start(srv);
    int port = kvt_server_port(srv);

    expect_body(port, "/pics/p.txt", 200, "pic");
    expect_body(port, "/pics/", 200, "pics index");
    expect_body(port, "/pics", 200, "docroot pics");
}
END_TEST

/* Requests that try to climb out of an alias target reach neither the file above it nor
 * anything outside DocumentRoot. */
static const char *const climbs[] = {
    "/alias/../" SECRET ".txt",     "/alias/%2e%2e/" SECRET ".txt",
    "/alias/%2E%2E/" SECRET ".txt", "/alias/sub/../../" SECRET ".txt",
    "/alias/.%2e/" SECRET ".txt",   "/alias/..%2f" SECRET ".txt",
    "/cat/._./" SECRET ".txt",
};

KVC_LOOP_TEST(alias_case, test_traversal_never_leaves_target, 0, KVT_COUNT(climbs))
{
    kvt_server_t *srv = new_server();
    kvt_write_root_file(srv, SECRET ".txt", SECRET);
    kvt_write_root_file(srv, "outside/sub/f.txt", "f");
    alias_to_root(srv, "Alias", "/alias", "outside");
    /* $1 and $2 joined could spell "..": the result must still stay in outside/. */
    kvt_server_conf(srv, "AliasMatch ^/cat/([^/]*)_(.*)$ \"%s/outside/$1$2\"",
                    kvt_server_root(srv));
    kvt_server_start(srv);
    int port = kvt_server_port(srv);

    kvt_response_t r;
    kvt_get(port, climbs[_i], &r);
    ck_assert_msg(r.status == 404 || r.status == 403 || r.status == 400, "GET %s: status %d",
                  climbs[_i], r.status);
    ck_assert_msg(strcmp(r.body, SECRET) != 0, "GET %s served the file above the alias",
                  climbs[_i]);
    kvt_response_free(&r);
}
END_TEST

/* The AliasMatch row above in detail: refused as a climb, and logged. */
KVC_TEST(alias_case, test_alias_match_climb_refused)
{
    kvt_server_t *srv = new_server();
    kvt_write_root_file(srv, SECRET ".txt", SECRET);
    kvt_write_root_file(srv, "outside/f.txt", "f");
    kvt_server_conf(srv, "AliasMatch ^/cat/([^/]*)_(.*)$ \"%s/outside/$1$2\"",
                    kvt_server_root(srv));
    kvt_server_start(srv);
    int port = kvt_server_port(srv);

    expect_body(port, "/cat/f_.txt", 200, "f");
    expect_status(port, "/cat/._./" SECRET ".txt", 403);
    char *diag = kvt_server_diagnostics(srv);
    ck_assert_msg(kvt_contains(diag, "KV00601"), "no KV00601 in the error log:\n%s", diag);
    free(diag);
}
END_TEST

KVC_TEST(alias_case, test_alias_match_substitutes_groups)
{
    kvt_server_t *srv = new_server();
    kvt_write_root_file(srv, "images/cat.data", "a cat");
    kvt_write_root_file(srv, "images/dog/big.data", "a big dog");
    kvt_server_conf(srv, "AliasMatch ^/img/(.+)\\.png$ \"%s/images/$1.data\"",
                    kvt_server_root(srv));
    kvt_server_start(srv);
    int port = kvt_server_port(srv);

    expect_body(port, "/img/cat.png", 200, "a cat");
    expect_body(port, "/img/dog/big.png", 200, "a big dog");
    expect_status(port, "/img/cat.gif", 404);
}
END_TEST

/* One server with every Redirect form; each row is one request and its answer. */
static const char *const redirect_lines[] = {
    "Redirect /old http://example.com/new",
    "Redirect permanent /perm http://example.com/perm2",
    "Redirect temp /temp http://example.com/temp2",
    "Redirect seeother /see http://example.com/see2",
    "Redirect 307 /n307 http://example.com/n",
    "Redirect 301 /n301 https://example.com/n",
    "Redirect gone /gone",
    "Redirect 410 /g410",
    "RedirectPermanent /rp http://example.com/rp2",
    "RedirectTemp /rt http://example.com/rt2",
    "Redirect /here /there",
    "RedirectMatch ^/m/(.*)\\.html$ http://example.com/n/$1.htm",
    "RedirectMatch 301 ^/m301/([a-z]+)/([0-9]+)$ http://example.com/$2/$1",
    "RedirectMatch gone ^/mgone/",
    "RedirectMatch ^/mq/(.*)$ http://example.com/q?from=$1",
};

static const struct {
    const char *path;
    int status;
    const char *location; /* NULL: none; a leading ':' means "http://localhost:PORT" first */
} redirects[] = {
    {"/old", 302, "http://example.com/new"},
    {"/old/a/b.html", 302, "http://example.com/new/a/b.html"},
    {"/old/a?x=1&y=2", 302, "http://example.com/new/a?x=1&y=2"},
    {"/old/a%20b", 302, "http://example.com/new/a%20b"},
    {"/perm/x", 301, "http://example.com/perm2/x"},
    {"/temp", 302, "http://example.com/temp2"},
    {"/see?q", 303, "http://example.com/see2?q"},
    {"/n307/y", 307, "http://example.com/n/y"},
    {"/n301", 301, "https://example.com/n"},
    {"/gone/x", 410, NULL},
    {"/g410", 410, NULL},
    {"/rp", 301, "http://example.com/rp2"},
    {"/rt/z", 302, "http://example.com/rt2/z"},
    {"/here/f?k=v", 302, "http://localhost/there/f?k=v"}, /* Host: localhost, no port */
    {"/m/page.html", 302, "http://example.com/n/page.htm"},
    {"/m/page.html?a=b", 302, "http://example.com/n/page.htm?a=b"},
    {"/m301/abc/42", 301, "http://example.com/42/abc"},
    {"/mgone/x", 410, NULL},
    {"/mq/p?dropped=1", 302, "http://example.com/q?from=p"},
};

KVC_LOOP_TEST(alias_case, test_redirect_forms, 0, KVT_COUNT(redirects))
{
    kvt_server_t *srv = new_server();
    for (int i = 0; i < KVT_COUNT(redirect_lines); i++) {
        kvt_server_conf(srv, "%s", redirect_lines[i]);
    }
    kvt_server_start(srv);
    int port = kvt_server_port(srv);

    kvt_response_t r;
    kvt_get(port, redirects[_i].path, &r);
    ck_assert_msg(r.status == redirects[_i].status, "GET %s: status %d, want %d",
                  redirects[_i].path, r.status, redirects[_i].status);
    const char *loc = kvt_header(&r, "Location");
    if (!redirects[_i].location) {
        ck_assert_msg(loc == NULL, "GET %s: Location %s", redirects[_i].path, loc);
    } else {
        const char *want = redirects[_i].location;
        char *full = kvt_strf("%s", want);
        ck_assert_msg(loc && strcmp(loc, full) == 0, "GET %s: Location %s, want %s",
                      redirects[_i].path, loc, full);
        ck_assert_msg(kvt_contains(r.body, "The document has moved"), "body: %s", r.body);
        free(full);
    }
    kvt_response_free(&r);
}
END_TEST

KVC_TEST(alias_case, test_redirect_not_matching_falls_through)
{
    kvt_server_t *srv = new_server();
    kvt_write_file(srv, "oldish.txt", "not redirected", 14);
    kvt_server_conf(srv, "Redirect /old http://example.com/new");
    kvt_server_start(srv);
    expect_body(kvt_server_port(srv), "/oldish.txt", 200, "not redirected");
}
END_TEST

/* Within each list the first match in config order wins; any Redirect beats any Alias. */
KVC_TEST(alias_case, test_order)
{
    kvt_server_t *srv = new_server();
    kvt_write_root_file(srv, "one/sub/f.txt", "from one");
    kvt_write_root_file(srv, "two/f.txt", "from two");
    alias_to_root(srv, "Alias", "/first", "one");
    alias_to_root(srv, "Alias", "/first/sub", "two");
    alias_to_root(srv, "Alias", "/both", "one");
    kvt_server_conf(srv, "Redirect /both http://example.com/redirected");
    kvt_server_conf(srv, "Redirect /r1 http://example.com/one");
    kvt_server_conf(srv, "Redirect /r1/deeper http://example.com/two");
    kvt_server_start(srv);
    int port = kvt_server_port(srv);

    expect_body(port, "/first/sub/f.txt", 200, "from one");

    kvt_response_t r;
    kvt_get(port, "/both/sub/f.txt", &r);
    ck_assert_int_eq(r.status, 302);
    ck_assert_str_eq(kvt_header(&r, "Location"), "http://example.com/redirected/sub/f.txt");
    kvt_response_free(&r);

    kvt_get(port, "/r1/deeper", &r);
    ck_assert_int_eq(r.status, 302);
    ck_assert_str_eq(kvt_header(&r, "Location"), "http://example.com/one/deeper");
    kvt_response_free(&r);
}
END_TEST

/* Without a cgi-script handler a ScriptAlias target is refused, never sent as a file. */
KVC_TEST(alias_case, test_script_alias_without_cgi)
{
    kvt_server_t *srv = new_server();
    kvt_write_root_file(srv, "cgi/run.sh", "#!/bin/sh\necho script-source\n");
    alias_to_root(srv, "ScriptAlias", "/cgi-bin/", "cgi/");
    kvt_server_conf(srv, "ScriptAliasMatch ^/scripts/(.*) \"%s/cgi/$1\"", kvt_server_root(srv));
    kvt_server_start(srv);
    int port = kvt_server_port(srv);
    const char *const paths[] = {"/cgi-bin/run.sh", "/scripts/run.sh"};

    for (int i = 0; i < 2; i++) {
        kvt_response_t r;
        kvt_get(port, paths[i], &r);
        ck_assert_msg(r.status == 403, "GET %s: status %d", paths[i], r.status);
        ck_assert_msg(!kvt_contains(r.body, "script-source"), "GET %s sent the script", paths[i]);
        kvt_response_free(&r);
    }
    char *diag = kvt_server_diagnostics(srv);
    ck_assert_msg(kvt_contains(diag, "KV00602"), "no KV00602 in the error log:\n%s", diag);
    free(diag);
}
END_TEST

/* Lines that alone make the config bad, and what the reason must mention. */
#define REFUSALS_FILE "tests/integration/alias_refusals.vectors"
#define REFUSALS 17 /* the vectors in REFUSALS_FILE */

KVC_LOOP_TEST(alias_case, test_bad_config_refused, 0, REFUSALS)
{
    kvt_server_t *srv = new_server();
    kvt_assert_refused_vector(srv, "-DFOREGROUND", kvc_vector(REFUSALS_FILE, REFUSALS, 2, _i));
}
END_TEST

/* Each directive's good forms pass -t, so the refusals above are about the bad part. */
KVC_TEST(alias_case, test_good_config_accepted)
{
    kvt_server_t *srv = new_server();
    for (int i = 0; i < KVT_COUNT(redirect_lines); i++) {
        kvt_server_conf(srv, "%s", redirect_lines[i]);
    }
    kvt_server_conf(srv, "Alias /a /tmp");
    kvt_server_conf(srv, "AliasMatch ^/b(.*) /tmp$1");
    kvt_server_conf(srv, "ScriptAlias /cgi-bin/ /tmp/");
    kvt_server_conf(srv, "ScriptAliasMatch ^/c(.*) /tmp/$1");
    kvt_server_conf(srv, "Redirect 404 /nf");
    kvt_server_conf(srv, "Redirect 308 /p8 http://example.com/");
    int status;
    char *err = NULL;

    ck_assert_int_eq(kvt_run_kiva(&status, NULL, &err, "-t", "-f", kvt_server_write_conf(srv),
                                  (const char *)NULL),
                     0);
    ck_assert_msg(status == 0, "-t refused a good config:\n%s", err);
    free(err);
}
END_TEST

KVC_TEST(alias_case, test_redirect_inside_location)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_response_t r;

    kvt_write_file(srv, "old/page.html", "old", 3);
    kvt_write_file(srv, "kept.html", "kept", 4);
    kvt_server_conf(srv, LOAD_ALIAS, KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "<Location /old>");
    kvt_server_conf(srv, "    Redirect permanent /old http://example.com/new");
    kvt_server_conf(srv, "</Location>");
    kvt_server_start(srv);
    kvt_get(kvt_server_port(srv), "/old/page.html", &r);
    ck_assert_int_eq(r.status, 301);
    ck_assert_str_eq(kvt_header(&r, "Location"), "http://example.com/new/page.html");
    kvt_response_free(&r);
    kvt_get(kvt_server_port(srv), "/kept.html", &r);
    ck_assert_int_eq(r.status, 200);
    kvt_response_free(&r);
}
END_TEST

int main(void)
{
    return kvc_run("alias");
}
