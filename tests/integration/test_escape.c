/* Nothing from a request or the file system reaches a generated page unescaped: the
 * payload "><script>' sent in a path, a query, a method, a Host field and a Basic-auth user
 * name, and put in file and directory names and a HeaderName file, never shows raw in the
 * bytes of an error page, a redirect body of mod_dir or mod_alias, an ErrorDocument text,
 * a listing of mod_autoindex (each format) or mod_status's page; where a page shows the
 * value, it shows it escaped. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#include <apr_base64.h>
#include <apr_sha1.h>

#define LOAD_MODULES                                                                               \
    "LoadModule alias_module %1$s/modules/.libs/mod_alias.so\n"                                    \
    "LoadModule autoindex_module %1$s/modules/.libs/mod_autoindex.so\n"                            \
    "LoadModule status_module %1$s/modules/.libs/mod_status.so\n"                                  \
    "LoadModule authz_core_module %1$s/modules/.libs/mod_authz_core.so\n"                          \
    "LoadModule authz_user_module %1$s/modules/.libs/mod_authz_user.so\n"                          \
    "LoadModule authn_core_module %1$s/modules/.libs/mod_authn_core.so\n"                          \
    "LoadModule authn_file_module %1$s/modules/.libs/mod_authn_file.so\n"                          \
    "LoadModule auth_basic_module %1$s/modules/.libs/mod_auth_basic.so"

/* The payload as the server sees it, and the same percent-encoded for a request path. */
#define PAYLOAD "x\"><script>'y"
#define PAYLOAD_URL "x%22%3E%3Cscript%3E%27y"
/* Shown as text or in an attribute. */
#define PAYLOAD_HTML "x&quot;&gt;&lt;script&gt;&#39;y"
/* In an href the server built from a path: URL-escaped (APR leaves ' as it is), then
 * HTML-escaped. */
#define PAYLOAD_HREF "x%22%3e%3cscript%3e&#39;y"
#define PASSWORD "pw"
#define REQUEST_TAIL " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"

/* Each character of the payload raw, with a neighbour that static markup never has. */
static const char *const raw_pieces[] = {"x\"", "&quot;>", "<script", "script>", "'y"};

static void assert_shows(const kvt_response_t *r, const char *what, const char *text)
{
    ck_assert_msg(kvt_contains(r->body, text), "%s: no %s in the body:\n%s", what, text, r->body);
}

static void write_doc(kvt_server_t *srv, const char *relpath, const char *content)
{
    kvt_write_file(srv, relpath, content, strlen(content));
}

/* The payload in names: DocumentRoot/@a top/PAYLOAD/PAYLOAD/ holds the file PAYLOAD.txt,
 * the directory PAYLOAD.d/ and HEADER.txt and README.txt whose text is the payload. */
static void payload_tree(kvt_server_t *srv, const char *top)
{
    char *dir = kvt_strf("%s/" PAYLOAD "/" PAYLOAD, top);
    char *path;

    write_doc(srv, path = kvt_strf("%s/" PAYLOAD ".txt", dir), "file");
    free(path);
    write_doc(srv, path = kvt_strf("%s/" PAYLOAD ".d/x", dir), "x");
    free(path);
    write_doc(srv, path = kvt_strf("%s/HEADER.txt", dir), PAYLOAD "\n");
    free(path);
    write_doc(srv, path = kvt_strf("%s/README.txt", dir), PAYLOAD "\n");
    free(path);
    free(dir);
}

/* One server for every page: a listing per autoindex format, a directory whose name is the
 * payload (mod_dir), Redirect and Redirect gone (mod_alias), an ErrorDocument text, a denied
 * place, server-status, and a place only the user "nobody" may see, with the payload a known
 * user. */
static kvt_server_t *start_server(void)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    static const char *const formats[][2] = {
        {"plain", "None"}, {"fancy", "FancyIndexing"}, {"table", "FancyIndexing HTMLTable"}};
    char sha[64];
    char *users;

    kvt_server_conf(srv, LOAD_MODULES, KV_TEST_BUILDDIR);
    write_doc(srv, "index.html", "home");
    write_doc(srv, PAYLOAD "/index.html", "payload dir");
    for (int i = 0; i < KVT_COUNT(formats); i++) {
        payload_tree(srv, formats[i][0]);
        kvt_server_conf(srv, "<Directory \"%s/%s\">", kvt_server_docroot(srv), formats[i][0]);
        kvt_server_conf(srv, "    Options Indexes");
        kvt_server_conf(srv, "    IndexOptions %s", formats[i][1]);
        kvt_server_conf(srv, "    HeaderName HEADER.txt");
        kvt_server_conf(srv, "    ReadmeName README.txt");
        kvt_server_conf(srv, "</Directory>");
    }
    apr_sha1_base64(PASSWORD, (int)strlen(PASSWORD), sha);
    users = kvt_strf(PAYLOAD ":%s\n", sha);
    kvt_write_root_file(srv, "htpasswd", users);
    free(users);
    kvt_server_conf(srv, "LimitRequestLine 512");
    kvt_server_conf(srv, "Redirect /red http://example.com/there");
    kvt_server_conf(srv, "Redirect gone /gone");
    kvt_server_conf(srv,
                    "<Location /missing>\n    ErrorDocument 404 \"Not here: %%{REQUEST_URI}\"\n"
                    "</Location>");
    kvt_server_conf(srv, "<Location /denied>\n    Require all denied\n</Location>");
    kvt_server_conf(srv, "<Location /server-status>\n    SetHandler server-status\n</Location>");
    kvt_server_conf(srv, "<Location /private>");
    kvt_server_conf(srv, "    AuthType Basic\n    AuthName \"private\"\n"
                         "    AuthUserFile htpasswd");
    kvt_server_conf(srv, "    Require user nobody");
    kvt_server_conf(srv, "</Location>");
    kvt_server_conf(srv, "<Location /private/status>\n    SetHandler server-status\n"
                         "    Require valid-user\n</Location>");
    kvt_server_start(srv);
    return srv;
}

/* Send @a request: the answer, into *r, must have @a status (0: any), hold no piece of the
 * payload raw, and show @a shown unless it is NULL. The caller frees *r. */
static void check_page(kvt_server_t *srv, const char *request, int status, const char *shown,
                       kvt_response_t *r)
{
    ck_assert_msg(kvt_request(kvt_server_port(srv), request, r) == 0, "no response to %s", request);
    ck_assert_msg(!status || r->status == status, "%s: status %d, want %d:\n%s", request, r->status,
                  status, r->body);
    for (size_t i = 0; i < sizeof(raw_pieces) / sizeof(raw_pieces[0]); i++) {
        ck_assert_msg(!kvt_contains(r->body, raw_pieces[i]), "%s: raw %s in the body:\n%s", request,
                      raw_pieces[i], r->body);
    }
    if (shown) {
        assert_shows(r, request, shown);
    }
}

/* The built-in error pages: those that show the URI or the method show them escaped. */
static const struct {
    const char *request;
    int status;
    const char *shown; /* escaped text the page must show, NULL if it shows nothing sent */
} error_pages[] = {
    {"GET /nope/" PAYLOAD_URL "?" PAYLOAD REQUEST_TAIL, 404, NULL},
    {"GET /denied/" PAYLOAD_URL "?" PAYLOAD REQUEST_TAIL, 403, NULL},
    {"PUT /index.html?" PAYLOAD REQUEST_TAIL, 405, "The requested method PUT is not allowed"},
    /* A method is a token, and a token may hold ' and &. */
    {"Q'&Q /index.html?" PAYLOAD REQUEST_TAIL, 501, "<p>Q&#39;&amp;Q not supported"},
    {"GET /" PAYLOAD_URL "?" PAYLOAD " HTTP/1.1\r\nConnection: close\r\n\r\n", 400, NULL},
    {"GET /gone/" PAYLOAD_URL "?" PAYLOAD REQUEST_TAIL, 410,
     "the request for /gone/" PAYLOAD_HTML ".</p>"},
};

KVT_CASE(escape_case, "escape");

KVC_LOOP_TEST(escape_case, test_error_pages, 0, KVT_COUNT(error_pages))
{
    kvt_server_t *srv = start_server();
    kvt_response_t r;

    check_page(srv, error_pages[_i].request, error_pages[_i].status, error_pages[_i].shown, &r);
    ck_assert_msg(!kvt_contains(r.body, "'&"), "raw method in %s", r.body);
    kvt_response_free(&r);
}
END_TEST

/* A request line over LimitRequestLine: 414, and nothing of it in the page. */
KVC_TEST(escape_case, test_uri_too_long)
{
    kvt_server_t *srv = start_server();
    char *long_path = calloc(1, 601);
    kvt_response_t r;

    ck_assert_ptr_nonnull(long_path);
    memset(long_path, 'a', 600);
    char *req = kvt_strf("GET /%s/%s?" PAYLOAD REQUEST_TAIL, long_path, PAYLOAD_URL);
    check_page(srv, req, 414, NULL, &r);
    ck_assert(!kvt_contains(r.body, "aaaa"));
    kvt_response_free(&r);
    free(req);
    free(long_path);
}
END_TEST

/* ErrorDocument text is sent as written: nothing of the request goes into it. */
KVC_TEST(escape_case, test_error_document_text)
{
    kvt_server_t *srv = start_server();
    kvt_response_t r;

    check_page(srv, "GET /missing/" PAYLOAD_URL "?" PAYLOAD REQUEST_TAIL, 404, NULL, &r);
    ck_assert_str_eq(r.body, "Not here: %{REQUEST_URI}");
    kvt_response_free(&r);
}
END_TEST

/* mod_dir's 301 for a directory without its slash: the payload in the path (the directory's
 * name) and in the query is escaped in the body's link. */
KVC_TEST(escape_case, test_dir_redirect)
{
    kvt_server_t *srv = start_server();
    char *location = kvt_strf("http://localhost/%s/?" PAYLOAD, "x%22%3e%3cscript%3e'y");
    char *link = kvt_strf("<a href=\"http://localhost/%s/?" PAYLOAD_HTML "\">here</a>",
                          PAYLOAD_HREF);
    kvt_response_t r;

    check_page(srv, "GET /" PAYLOAD_URL "?" PAYLOAD REQUEST_TAIL, 301, link, &r);
    ck_assert_str_eq(kvt_header(&r, "Location"), location);
    kvt_response_free(&r);
    free(link);
    free(location);
}
END_TEST

/* mod_alias's Redirect: the rest of the path and the query, escaped in the body's link. */
KVC_TEST(escape_case, test_alias_redirect)
{
    kvt_server_t *srv = start_server();
    kvt_response_t r;

    check_page(srv, "GET /red/" PAYLOAD_URL "?" PAYLOAD REQUEST_TAIL, 302,
               "<a href=\"http://example.com/there/" PAYLOAD_HREF "?" PAYLOAD_HTML "\">here</a>",
               &r);
    kvt_response_free(&r);
}
END_TEST

/* The Host reaches a page only through a redirect's URL. A valid one shows there as it was
 * validated (lower-cased); one with the payload is refused (400) by a page that does not
 * echo it. */
KVC_TEST(escape_case, test_host_in_redirect)
{
    kvt_server_t *srv = start_server();
    char *link = kvt_strf("<a href=\"http://escape.example/%s/\">", PAYLOAD_HREF);
    kvt_response_t r;

    check_page(srv,
               "GET /" PAYLOAD_URL " HTTP/1.1\r\nHost: Escape.Example\r\nConnection: close\r\n\r\n",
               301, link, &r);
    kvt_response_free(&r);

    check_page(srv,
               "GET /" PAYLOAD_URL " HTTP/1.1\r\nHost: " PAYLOAD "\r\nConnection: close\r\n\r\n",
               400, NULL, &r);
    kvt_response_free(&r);
    free(link);
}
END_TEST

static const char *const listing_tops[] = {"plain", "fancy", "table"};

/* A listing in each format: the directory path in the title, the parent's href, each name
 * in its href and its link text, the text of HeaderName and ReadmeName; the query's payload
 * goes into no sorting link. */
KVC_LOOP_TEST(escape_case, test_autoindex, 0, KVT_COUNT(listing_tops))
{
    kvt_server_t *srv = start_server();
    const char *top = listing_tops[_i];
    char *req =
        kvt_strf("GET /%s/%s/%s/?C=S;O=D;" PAYLOAD REQUEST_TAIL, top, PAYLOAD_URL, PAYLOAD_URL);
    /* The title drops the trailing slash, as httpd's. */
    char *title = kvt_strf("<title>Index of /%s/" PAYLOAD_HTML "/" PAYLOAD_HTML "</title>", top);
    char *parent = kvt_strf("href=\"/%s/%s/\"", top, PAYLOAD_HREF);
    kvt_response_t r;

    check_page(srv, req, 200, title, &r);
    assert_shows(&r, top, parent);
    assert_shows(&r, top, "href=\"" PAYLOAD_HREF ".txt\"");
    assert_shows(&r, top, PAYLOAD_HTML ".txt</a>");
    assert_shows(&r, top, "href=\"" PAYLOAD_HREF ".d/\"");
    assert_shows(&r, top, PAYLOAD_HTML ".d/</a>");
    /* HeaderName in place of the <h1>, ReadmeName after the listing. */
    ck_assert_msg(!kvt_contains(r.body, "<h1>"), "%s", r.body);
    assert_shows(&r, top, "</title>\n </head>\n <body>\n<pre>\n" PAYLOAD_HTML "\n</pre>\n");
    assert_shows(&r, top, "<pre>\n" PAYLOAD_HTML "\n</pre>\n</body></html>\n");
    if (strcmp(top, "plain") != 0) {
        assert_shows(&r, top, "<a href=\"?C=S;O=A\">Size</a>");
    }
    kvt_response_free(&r);
    free(parent);
    free(title);
    free(req);
}
END_TEST

/* mod_status's worker table shows each worker's request line, this one's included. */
KVC_TEST(escape_case, test_status_page)
{
    kvt_server_t *srv = start_server();
    kvt_response_t r;

    check_page(srv, "GET /server-status?" PAYLOAD REQUEST_TAIL, 200,
               "<td nowrap>GET /server-status?" PAYLOAD_HTML " HTTP/1.1</td>", &r);
    assert_shows(&r, "server-status", "<td>127.0.0.1</td>");
    kvt_response_free(&r);
}
END_TEST

static char *basic_request(const char *path, const char *user)
{
    char *plain = kvt_strf("%s:%s", user, PASSWORD);
    char *b64 = malloc((size_t)apr_base64_encode_len((int)strlen(plain)));
    char *req;

    ck_assert_ptr_nonnull(b64);
    apr_base64_encode(b64, plain, (int)strlen(plain));
    req = kvt_strf("GET %s HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic %s\r\n"
                   "Connection: close\r\n\r\n",
                   path, b64);
    free(b64);
    free(plain);
    return req;
}

/* A Basic-auth user name is never shown: not in the 401 that refuses it, nor in the status
 * page it may see. */
KVC_TEST(escape_case, test_auth_user)
{
    kvt_server_t *srv = start_server();
    char *denied = basic_request("/private/", PAYLOAD);
    char *status = basic_request("/private/status", PAYLOAD);
    kvt_response_t r;

    check_page(srv, denied, 401, NULL, &r);
    ck_assert_msg(!kvt_contains(r.body, PAYLOAD_HTML), "%s", r.body);
    kvt_response_free(&r);

    check_page(srv, status, 200, "GET /private/status HTTP/1.1", &r);
    ck_assert_msg(!kvt_contains(r.body, PAYLOAD_HTML), "%s", r.body);
    kvt_response_free(&r);
    free(status);
    free(denied);
}
END_TEST

int main(void)
{
    return kvc_run("escape");
}
