/* mod_headers in a running server: every Header and RequestHeader action, onsuccess and
 * always on success and on a 404, env= conditions with SetEnvIf, early and late request
 * edits, and the configuration errors of mod_headers and mod_setenvif. */
#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MODULES KV_TEST_BUILDDIR "/modules/.libs"

/* A server with /f.txt, mod_headers and mod_setenvif, and the NULL-terminated lines. */
static kvt_server_t *serve(const char *line, ...)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    va_list ap;

    kvt_write_file(srv, "f.txt", "f", 1);
    kvt_write_file(srv, "g.html", "<p>g</p>", 8);
    kvt_server_conf(srv, "LoadModule headers_module %s/mod_headers.so", MODULES);
    kvt_server_conf(srv, "LoadModule setenvif_module %s/mod_setenvif.so", MODULES);
    va_start(ap, line);
    for (const char *l = line; l; l = va_arg(ap, const char *)) {
        kvt_server_conf(srv, "%s", l);
    }
    va_end(ap);
    kvt_server_start(srv);
    return srv;
}

/* GET @a path with the extra request fields (each ending in CRLF). */
static void get_with(kvt_server_t *srv, const char *path, const char *fields, kvt_response_t *resp)
{
    char *req =
        kvt_strf("GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n%s\r\n", path, fields);
    ck_assert_msg(kvt_request(kvt_server_port(srv), req, resp) == 0, "no response to GET %s", path);
    free(req);
}

static int count_fields(const kvt_response_t *resp, const char *name)
{
    int n = 0;

    for (int i = 0; i < resp->nheaders; i++) {
        n += strcasecmp(resp->headers[i].name, name) == 0;
    }
    return n;
}

/* Assert the first field @a name has @a want (NULL: no such field). */
static void expect_field(const kvt_response_t *resp, const char *name, const char *want)
{
    const char *got = kvt_header(resp, name);

    if (!want) {
        ck_assert_msg(got == NULL, "%s: %s, want none", name, got);
        return;
    }
    ck_assert_msg(got != NULL, "no %s field", name);
    ck_assert_msg(strcmp(got, want) == 0, "%s: '%s', want '%s'", name, got, want);
}

KVT_CASE(actions, "actions");
KVT_CASE(errors_case, "errors");

KVC_TEST(actions, test_header_actions)
{
    kvt_server_t *srv =
        serve("Header set X-Set one", "Header add X-Add a", "Header add X-Add b",
              "Header append X-App 1", "Header append X-App 2", "Header merge X-Merge a",
              "Header merge X-Merge a", "Header merge X-Merge b", "Header setifempty X-Set ignored",
              "Header setifempty X-Empty filled", "Header set X-Gone x", "Header unset X-Gone",
              "Header set X-Edit \"hello world\"", "Header edit X-Edit o 0",
              "Header set X-EditAll \"hello world\"", "Header edit* X-EditAll (o) <$1>",
              "Header echo ^X-Echo-", "Header set X-Colon: colon", NULL);
    kvt_response_t r;
    get_with(srv, "/f.txt", "X-Echo-A: 1\r\nX-Echo-B: 2\r\nX-Other: 3\r\n", &r);
    ck_assert_int_eq(r.status, 200);
    expect_field(&r, "X-Set", "one");
    ck_assert_int_eq(count_fields(&r, "X-Add"), 2);
    expect_field(&r, "X-App", "1, 2");
    expect_field(&r, "X-Merge", "a, b");
    expect_field(&r, "X-Empty", "filled");
    expect_field(&r, "X-Gone", NULL);
    expect_field(&r, "X-Edit", "hell0 world");
    expect_field(&r, "X-EditAll", "hell<o> w<o>rld");
    expect_field(&r, "X-Echo-A", "1");
    expect_field(&r, "X-Echo-B", "2");
    expect_field(&r, "X-Other", NULL);
    expect_field(&r, "X-Colon", "colon");
    ck_assert_str_eq(r.body, "f");
    kvt_response_free(&r);
}
END_TEST

KVC_TEST(actions, test_header_formats)
{
    kvt_server_t *srv = serve("SetEnvIf Request_URI ^/(\\w+) FIRST=$1",
                              "Header set X-Fmt \"100%% %{FIRST}e %{NOPE}e\"",
                              "Header set X-Times \"%t %D\"", NULL);
    kvt_response_t r;
    kvt_get(kvt_server_port(srv), "/f.txt", &r);
    expect_field(&r, "X-Fmt", "100% f (null)");
    const char *times = kvt_header(&r, "X-Times");
    ck_assert_ptr_nonnull(times);
    long long t = 0, d = -1;
    ck_assert_msg(sscanf(times, "t=%lld D=%lld", &t, &d) == 2, "X-Times: %s", times);
    ck_assert_msg(t > 1600000000000000LL && d >= 0 && d < 60000000, "X-Times: %s", times);
    kvt_response_free(&r);
}
END_TEST

/* onsuccess touches 2xx responses only; always touches every response. */
KVC_TEST(actions, test_onsuccess_and_always)
{
    kvt_server_t *srv = serve("Header set X-Success yes", "Header onsuccess set X-Success2 yes",
                              "Header always set X-Always yes", NULL);
    kvt_response_t r;
    kvt_get(kvt_server_port(srv), "/f.txt", &r);
    ck_assert_int_eq(r.status, 200);
    expect_field(&r, "X-Success", "yes");
    expect_field(&r, "X-Success2", "yes");
    expect_field(&r, "X-Always", "yes");
    kvt_response_free(&r);
    kvt_get(kvt_server_port(srv), "/missing", &r);
    ck_assert_int_eq(r.status, 404);
    expect_field(&r, "X-Success", NULL);
    expect_field(&r, "X-Success2", NULL);
    expect_field(&r, "X-Always", "yes");
    kvt_response_free(&r);
}
END_TEST

/* A Content-Type set with Header replaces the type instead of making a second field; the
 * fields the protocol writes itself (framing among them) stay single and the server's. */
KVC_TEST(actions, test_header_protocol_fields)
{
    kvt_server_t *srv =
        serve("Header set Content-Type text/x-kiva", "Header set Content-Length 99",
              "Header always set Server evil", "Header add Date yesterday",
              "Header echo ^Connection$", "Header set Transfer-Encoding chunked", NULL);
    kvt_response_t r;
    kvt_get(kvt_server_port(srv), "/f.txt", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(count_fields(&r, "Content-Type"), 1);
    expect_field(&r, "Content-Type", "text/x-kiva");
    static const char *const single[] = {"Content-Length", "Server", "Date", "Connection"};
    for (size_t i = 0; i < sizeof(single) / sizeof(single[0]); i++) {
        ck_assert_msg(count_fields(&r, single[i]) == 1, "%d %s fields", count_fields(&r, single[i]),
                      single[i]);
    }
    expect_field(&r, "Content-Length", "1");
    expect_field(&r, "Transfer-Encoding", NULL);
    ck_assert_msg(strcmp(kvt_header(&r, "Server"), "evil") != 0, "Server: evil");
    ck_assert_str_eq(r.body, "f");
    kvt_response_free(&r);
}
END_TEST

/* RequestHeader edits what the request carries; Header echo shows the result. */
KVC_TEST(actions, test_request_header_actions)
{
    kvt_server_t *srv =
        serve("RequestHeader set X-Set bar", "RequestHeader add X-Add second",
              "RequestHeader append X-App two", "RequestHeader merge X-Merge a",
              "RequestHeader merge X-Merge c", "RequestHeader setifempty X-Set ignored",
              "RequestHeader setifempty X-Empty filled", "RequestHeader unset X-Drop",
              "RequestHeader edit X-Ed ^(\\w+)-(\\w+)$ $2-$1", "RequestHeader edit* X-EdAll a A",
              "Header echo ^X-", NULL);
    kvt_response_t r;
    get_with(srv, "/f.txt",
             "X-Add: first\r\nX-App: one\r\nX-Merge: a, b\r\nX-Drop: d\r\nX-Ed: left-right\r\n"
             "X-EdAll: banana\r\n",
             &r);
    ck_assert_int_eq(r.status, 200);
    expect_field(&r, "X-Set", "bar");
    ck_assert_int_eq(count_fields(&r, "X-Add"), 2);
    expect_field(&r, "X-App", "one, two");
    expect_field(&r, "X-Merge", "a, b, c");
    expect_field(&r, "X-Empty", "filled");
    expect_field(&r, "X-Drop", NULL);
    expect_field(&r, "X-Ed", "right-left");
    expect_field(&r, "X-EdAll", "bAnAnA");
    kvt_response_free(&r);
}
END_TEST

/* Early request edits run before SetEnvIf, late ones after it (in fixups). */
KVC_TEST(actions, test_request_header_early_and_late)
{
    kvt_server_t *srv = serve("RequestHeader set X-Early yes early", "RequestHeader set X-Late yes",
                              "SetEnvIf X-Early ^yes$ SAW_EARLY", "SetEnvIf X-Late ^yes$ SAW_LATE",
                              "Header set X-Saw \"%{SAW_EARLY}e %{SAW_LATE}e\"",
                              "Header echo ^X-(Early|Late)$", NULL);
    kvt_response_t r;
    kvt_get(kvt_server_port(srv), "/f.txt", &r);
    expect_field(&r, "X-Saw", "1 (null)");
    expect_field(&r, "X-Early", "yes");
    expect_field(&r, "X-Late", "yes");
    kvt_response_free(&r);
}
END_TEST

/* env= and env=! with SetEnvIf and BrowserMatch, for Header and RequestHeader. */
KVC_TEST(actions, test_env_conditions)
{
    kvt_server_t *srv =
        serve("SetEnvIf Request_URI \\.txt$ IS_TXT", "BrowserMatch ^TestAgent/ TEST_AGENT",
              "Header set X-Txt yes env=IS_TXT", "Header set X-NotTxt yes env=!IS_TXT",
              "Header always set X-Agent yes env=TEST_AGENT", "Header unset X-Txt env=TEST_AGENT",
              "RequestHeader set X-Req yes env=TEST_AGENT", "Header echo ^X-Req$", NULL);
    kvt_response_t r;
    kvt_get(kvt_server_port(srv), "/f.txt", &r);
    expect_field(&r, "X-Txt", "yes");
    expect_field(&r, "X-NotTxt", NULL);
    expect_field(&r, "X-Agent", NULL);
    expect_field(&r, "X-Req", NULL);
    kvt_response_free(&r);
    kvt_get(kvt_server_port(srv), "/g.html", &r);
    expect_field(&r, "X-Txt", NULL);
    expect_field(&r, "X-NotTxt", "yes");
    kvt_response_free(&r);
    get_with(srv, "/missing.txt", "User-Agent: TestAgent/1.0\r\n", &r);
    ck_assert_int_eq(r.status, 404);
    expect_field(&r, "X-Agent", "yes");
    kvt_response_free(&r);
    get_with(srv, "/f.txt", "User-Agent: TestAgent/1.0\r\n", &r);
    expect_field(&r, "X-Txt", NULL);
    expect_field(&r, "X-Req", "yes");
    kvt_response_free(&r);
}
END_TEST

/* expr= conditions on Header and RequestHeader, and expr= string values. */
KVC_TEST(actions, test_expr_conditions)
{
    kvt_server_t *srv = serve(
        "Header set X-A 1 \"expr=%{REQUEST_URI} =~ m#^/a/#\"",
        "Header set X-Foo yes \"expr=%{HTTP:X-Foo} == 'bar'\"",
        "Header set X-Uri \"expr=uri=%{REQUEST_URI} %{toupper:x}\"",
        "RequestHeader set X-Req on \"expr=%{REQUEST_METHOD} in {'GET'}\"", "Header echo ^X-Req$",
        "Header set X-Num big \"expr=%{HTTP:X-Num} -gt 5\"",
        "Header always set X-Gone yes \"expr=-z %{resp:X-None} && %{REQUEST_URI} =~ /missing/ && "
        "!(%{REMOTE_ADDR} -ipmatch '10.0.0.0/8')\"",
        NULL);
    kvt_response_t r;
    char *diag;

    kvt_write_file(srv, "a/f.txt", "a", 1);
    get_with(srv, "/a/f.txt", "X-Foo: bar\r\nX-Num: 9\r\n", &r);
    ck_assert_int_eq(r.status, 200);
    expect_field(&r, "X-A", "1");
    expect_field(&r, "X-Foo", "yes");
    expect_field(&r, "X-Uri", "uri=/a/f.txt X");
    expect_field(&r, "X-Req", "on");
    expect_field(&r, "X-Gone", NULL);
    expect_field(&r, "X-Num", "big");
    kvt_response_free(&r);

    /* A condition that cannot be evaluated is logged and the action skipped. */
    get_with(srv, "/f.txt", "X-Foo: baz\r\nX-Num: many\r\n", &r);
    ck_assert_int_eq(r.status, 200);
    expect_field(&r, "X-Num", NULL);
    diag = kvt_server_diagnostics(srv);
    ck_assert_msg(kvt_contains(diag, "KV00861: ") && kvt_contains(diag, "'many' is not a number"),
                  "no KV00861 in: %s", diag);
    free(diag);
    expect_field(&r, "X-A", NULL);
    expect_field(&r, "X-Foo", NULL);
    expect_field(&r, "X-Uri", "uri=/f.txt X");
    kvt_response_free(&r);

    kvt_get(kvt_server_port(srv), "/missing", &r);
    ck_assert_int_eq(r.status, 404);
    expect_field(&r, "X-Gone", "yes");
    expect_field(&r, "X-Uri", NULL);
    kvt_response_free(&r);
}
END_TEST

/* Lines that alone make the config bad, and what the reason must mention. */
#define REFUSALS_FILE "tests/integration/headers_refusals.vectors"
#define REFUSALS 27 /* the vectors in REFUSALS_FILE */

KVC_LOOP_TEST(errors_case, test_refused_line, 0, REFUSALS)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_server_conf(srv, "LoadModule headers_module %s/mod_headers.so", MODULES);
    kvt_server_conf(srv, "LoadModule setenvif_module %s/mod_setenvif.so", MODULES);
    kvt_assert_refused_vector(srv, "-t", kvc_vector(REFUSALS_FILE, REFUSALS, 2, _i));
}
END_TEST

int main(void)
{
    return kvc_run("headers");
}
