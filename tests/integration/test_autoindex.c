/* mod_autoindex in a running server: a directory without an index file is listed where
 * Options Indexes allows it (403 elsewhere); the listing holds exactly the entries not
 * ignored, escaped; every column sorts both ways; FoldersFirst, HeaderName, ReadmeName;
 * an index file still wins; HEAD has no body; bad IndexOptions are refused. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <utime.h>

#define LOAD_AUTOINDEX "LoadModule autoindex_module %s/modules/.libs/mod_autoindex.so"
#define ODD_NAME "<b>&\"x\".txt"

static kvt_server_t *new_server(void)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_server_conf(srv, LOAD_AUTOINDEX, KV_TEST_BUILDDIR);
    return srv;
}

/* A <Directory> section for DocumentRoot/@a dir with Options Indexes and one more line. */
static void indexed_dir(kvt_server_t *srv, const char *dir, const char *line)
{
    kvt_server_conf(srv, "<Directory \"%s/%s\">", kvt_server_docroot(srv), dir);
    kvt_server_conf(srv, "    Options Indexes");
    if (line) {
        kvt_server_conf(srv, "    %s", line);
    }
    kvt_server_conf(srv, "</Directory>");
}

static void write_doc(kvt_server_t *srv, const char *relpath, const char *content)
{
    kvt_write_file(srv, relpath, content, strlen(content));
}

/* Set the modification time of DocumentRoot/@a relpath to @a ago seconds before now. */
static void age_doc(kvt_server_t *srv, const char *relpath, int ago)
{
    char *path = kvt_strf("%s/%s", kvt_server_docroot(srv), relpath);
    time_t t = time(NULL) - ago;
    struct utimbuf times = {t, t};

    ck_assert_int_eq(utime(path, &times), 0);
    free(path);
}

/* GET @a path, expecting 200 and an HTML listing; the caller frees the response. */
static void get_listing(int port, const char *path, kvt_response_t *r)
{
    kvt_get(port, path, r);
    ck_assert_msg(r->status == 200, "GET %s: status %d", path, r->status);
    ck_assert_str_eq(kvt_header(r, "Content-Type"), "text/html;charset=UTF-8");
}

/* The href values of the body's links, each followed by '|', in page order. */
static char *hrefs(const char *body)
{
    size_t cap = strlen(body) + 1, len = 0;
    char *out = calloc(1, cap);
    const char *p = body;

    ck_assert_ptr_nonnull(out);
    while ((p = strstr(p, "href=\"")) != NULL) {
        const char *end = strchr(p += 6, '"');
        ck_assert_ptr_nonnull(end);
        len += (size_t)snprintf(out + len, cap - len, "%.*s|", (int)(end - p), p);
        p = end;
    }
    return out;
}

/* The entry links only (no parent, no sorting links), in page order. */
static char *entry_hrefs(const char *body)
{
    char *all = hrefs(body), *out = calloc(1, strlen(all) + 1);
    char *save = NULL;

    ck_assert_ptr_nonnull(out);
    for (char *h = strtok_r(all, "|", &save); h; h = strtok_r(NULL, "|", &save)) {
        if (h[0] != '?' && h[0] != '/') {
            strcat(strcat(out, h), "|");
        }
    }
    free(all);
    return out;
}

START_TEST(test_listing_holds_exactly_the_entries)
{
    kvt_server_t *srv = new_server();
    write_doc(srv, "dir/a.txt", "a");
    write_doc(srv, "dir/b.html", "b");
    write_doc(srv, "dir/sub/inner.txt", "inner");
    write_doc(srv, "dir/.hidden", "h");
    write_doc(srv, "dir/old.bak", "old");
    write_doc(srv, "dir/notes~", "n");
    write_doc(srv, "dir/" ODD_NAME, "odd");
    write_doc(srv, "dir/a:b", "colon");
    indexed_dir(srv, "dir", "IndexIgnore *.bak");
    kvt_server_conf(srv, "IndexIgnore *~");
    kvt_server_start(srv);
    kvt_response_t r;

    get_listing(kvt_server_port(srv), "/dir/", &r);
    ck_assert_msg(kvt_contains(r.body, "<title>Index of /dir/</title>"), "%s", r.body);
    ck_assert(kvt_contains(r.body, "<h1>Index of /dir/</h1>"));
    char *links = hrefs(r.body);
    /* Sorted by name (byte order); ignored entries absent; the parent first. */
    ck_assert_str_eq(links, "/|.hidden|%3cb%3e&amp;%22x%22.txt|a.txt|./a:b|b.html|sub/|");
    ck_assert(kvt_contains(r.body, "> Parent Directory</a>"));
    ck_assert(kvt_contains(r.body, "> &lt;b&gt;&amp;&quot;x&quot;.txt</a>"));
    ck_assert(!kvt_contains(r.body, "<b>&"));
    ck_assert(kvt_contains(r.body, "> sub/</a>"));
    free(links);
    kvt_response_free(&r);
}
END_TEST

/* Names given so that each column orders them differently. */
static const char *const sorted[][2] = {
    {"", "a|b|c|"},           {"?C=N;O=A", "a|b|c|"}, {"?C=N;O=D", "c|b|a|"},
    {"?C=M;O=A", "b|c|a|"},   {"?C=M;O=D", "a|c|b|"}, {"?C=S;O=A", "a|c|b|"},
    {"?C=S;O=D", "b|c|a|"},   {"?C=D;O=A", "a|b|c|"}, {"?C=D;O=D", "c|b|a|"},
    {"?C=X;O=D", "a|b|c|"},   {"?O=D", "c|b|a|"},     {"?C=S&O=D", "b|c|a|"},
};

START_TEST(test_sort_orders)
{
    kvt_server_t *srv = new_server();
    write_doc(srv, "dir/a", "1");
    write_doc(srv, "dir/b", "333");
    write_doc(srv, "dir/c", "22");
    age_doc(srv, "dir/a", 100);
    age_doc(srv, "dir/b", 3000);
    age_doc(srv, "dir/c", 2000);
    indexed_dir(srv, "dir", "IndexOptions FancyIndexing");
    kvt_server_start(srv);
    char *path = kvt_strf("/dir/%s", sorted[_i][0]);
    kvt_response_t r;

    get_listing(kvt_server_port(srv), path, &r);
    char *links = entry_hrefs(r.body);
    ck_assert_msg(strcmp(links, sorted[_i][1]) == 0, "GET %s: order %s, want %s", path, links,
                  sorted[_i][1]);
    free(links);
    free(path);
    kvt_response_free(&r);
}
END_TEST

START_TEST(test_column_links)
{
    kvt_server_t *srv = new_server();
    write_doc(srv, "fancy/a", "1");
    write_doc(srv, "table/a", "1");
    write_doc(srv, "plain/a", "1");
    indexed_dir(srv, "fancy", "IndexOptions FancyIndexing");
    indexed_dir(srv, "table", "IndexOptions FancyIndexing HTMLTable SuppressColumnSorting");
    indexed_dir(srv, "plain", NULL);
    kvt_server_start(srv);
    int port = kvt_server_port(srv);
    kvt_response_t r;

    get_listing(port, "/fancy/", &r);
    char *links = hrefs(r.body);
    ck_assert_str_eq(links, "?C=N;O=D|?C=M;O=A|?C=S;O=A|?C=D;O=A|/|a|");
    ck_assert(kvt_contains(r.body, "<pre>"));
    free(links);
    kvt_response_free(&r);

    get_listing(port, "/fancy/?C=N;O=D", &r);
    ck_assert(kvt_contains(r.body, "href=\"?C=N;O=A\""));
    kvt_response_free(&r);
    get_listing(port, "/fancy/?C=S;O=A", &r);
    links = hrefs(r.body);
    ck_assert_str_eq(links, "?C=N;O=A|?C=M;O=A|?C=S;O=D|?C=D;O=A|/|a|");
    free(links);
    kvt_response_free(&r);

    get_listing(port, "/table/", &r);
    ck_assert(kvt_contains(r.body, "<table>"));
    ck_assert(kvt_contains(r.body, "<th>Name</th>"));
    ck_assert(!kvt_contains(r.body, "?C="));
    kvt_response_free(&r);

    get_listing(port, "/plain/", &r);
    ck_assert(kvt_contains(r.body, "<ul>"));
    ck_assert(!kvt_contains(r.body, "?C="));
    kvt_response_free(&r);
}
END_TEST

START_TEST(test_folders_first)
{
    kvt_server_t *srv = new_server();
    write_doc(srv, "dir/a.txt", "a");
    write_doc(srv, "dir/zdir/x", "x");
    write_doc(srv, "dir/Mdir/x", "x");
    write_doc(srv, "dir/B.txt", "b");
    indexed_dir(srv, "dir", "IndexOptions FancyIndexing FoldersFirst IgnoreCase");
    kvt_server_start(srv);
    int port = kvt_server_port(srv);
    kvt_response_t r;

    get_listing(port, "/dir/", &r);
    char *links = entry_hrefs(r.body);
    ck_assert_str_eq(links, "Mdir/|zdir/|a.txt|B.txt|");
    free(links);
    kvt_response_free(&r);

    get_listing(port, "/dir/?C=N;O=D", &r);
    links = entry_hrefs(r.body);
    ck_assert_str_eq(links, "zdir/|Mdir/|B.txt|a.txt|");
    free(links);
    kvt_response_free(&r);
}
END_TEST

START_TEST(test_where_listings_answer)
{
    kvt_server_t *srv = new_server();
    write_doc(srv, "top.txt", "t");
    write_doc(srv, "noidx/a.txt", "a");
    write_doc(srv, "withindex/index.html", "the index page");
    write_doc(srv, "withindex/other.txt", "o");
    kvt_server_conf(srv, "<Directory \"%s\">", kvt_server_docroot(srv));
    kvt_server_conf(srv, "    Options Indexes");
    kvt_server_conf(srv, "</Directory>");
    kvt_server_conf(srv, "<Directory \"%s/noidx\">", kvt_server_docroot(srv));
    kvt_server_conf(srv, "    Options None");
    kvt_server_conf(srv, "</Directory>");
    kvt_server_start(srv);
    int port = kvt_server_port(srv);
    kvt_response_t r;

    get_listing(port, "/", &r);
    ck_assert(kvt_contains(r.body, "href=\"top.txt\""));
    ck_assert(!kvt_contains(r.body, "Parent Directory"));
    kvt_response_free(&r);

    kvt_get(port, "/noidx/", &r);
    ck_assert_int_eq(r.status, 403);
    ck_assert(!kvt_contains(r.body, "a.txt"));
    kvt_response_free(&r);

    kvt_get(port, "/withindex/", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "the index page");
    kvt_response_free(&r);

    kvt_get(port, "/missing/", &r);
    ck_assert_int_eq(r.status, 404);
    kvt_response_free(&r);

    kvt_get(port, "/noidx", &r);
    ck_assert_int_eq(r.status, 301);
    kvt_response_free(&r);

    /* HEAD: the GET's length, no body. */
    get_listing(port, "/", &r);
    size_t get_len = r.body_len;
    kvt_response_free(&r);
    char *req = kvt_strf("HEAD / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    int fd = kvt_connect(port);
    kvt_send(fd, req);
    ck_assert_int_eq(kvt_read_response(fd, &r, 1), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(r.body_len, 0);
    char *want = kvt_strf("%zu", get_len);
    ck_assert_pstr_eq(kvt_header(&r, "Content-Length"), want);
    ck_assert_int_eq(kvt_is_closed(fd, 2000), 1);
    free(want);
    free(req);
    kvt_response_free(&r);

    /* Other methods are not listings: POST reaches the default handler, which serves no
     * directory (httpd's says 404 there, kiva's 403 as for any file that is not regular);
     * PUT is not allowed. */
    ck_assert_int_eq(kvt_request(port, "POST / HTTP/1.1\r\nHost: localhost\r\n"
                                       "Content-Length: 0\r\nConnection: close\r\n\r\n", &r), 0);
    ck_assert_int_eq(r.status, 403);
    kvt_response_free(&r);
    ck_assert_int_eq(kvt_request(port, "PUT / HTTP/1.1\r\nHost: localhost\r\n"
                                       "Content-Length: 0\r\nConnection: close\r\n\r\n", &r), 0);
    ck_assert_int_eq(r.status, 405);
    kvt_response_free(&r);
}
END_TEST

START_TEST(test_header_and_readme)
{
    kvt_server_t *srv = new_server();
    write_doc(srv, "dir/HEADER.html", "<p id=\"hdr\">Top of the list</p>\n");
    write_doc(srv, "dir/README.txt", "a <b> & c\n");
    write_doc(srv, "dir/file.txt", "f");
    write_doc(srv, "text/HEADER.txt", "plain <header>\n");
    write_doc(srv, "text/file.txt", "f");
    indexed_dir(srv, "dir", "HeaderName HEADER.html");
    kvt_server_conf(srv, "ReadmeName README.txt");
    indexed_dir(srv, "text", "HeaderName HEADER.txt");
    kvt_server_start(srv);
    int port = kvt_server_port(srv);
    kvt_response_t r;

    get_listing(port, "/dir/", &r);
    const char *hdr = strstr(r.body, "<p id=\"hdr\">Top of the list</p>");
    const char *entry = strstr(r.body, "href=\"file.txt\"");
    const char *readme = strstr(r.body, "<pre>\na &lt;b&gt; &amp; c\n</pre>");
    ck_assert_msg(hdr && entry && readme, "%s", r.body);
    ck_assert(hdr < entry && entry < readme);
    ck_assert(!kvt_contains(r.body, "<h1>"));
    kvt_response_free(&r);

    /* A non-HTML header is escaped; the directory has no README, so none is added. */
    get_listing(port, "/text/", &r);
    ck_assert_msg(kvt_contains(r.body, "<pre>\nplain &lt;header&gt;\n</pre>"), "%s", r.body);
    ck_assert(!kvt_contains(r.body, "<header>"));
    kvt_response_free(&r);
}
END_TEST

static const char *const refusals[][2] = {
    {"IndexOptions FancyIndexing Bogus", "unknown or malformed option Bogus"},
    {"IndexOptions +Charset", "unknown or malformed option +Charset"},
    {"IndexOptions FoldersFirst=1", "unknown or malformed option FoldersFirst=1"},
    {"HeaderName ../secret.html", "only a file name relative to the listed directory"},
    {"ReadmeName /README", "only a file name relative to the listed directory"},
    {"IndexIgnore", "IndexIgnore"},
};

START_TEST(test_bad_config_refused)
{
    kvt_server_t *srv = new_server();
    kvt_server_conf(srv, "%s", refusals[_i][0]);
    const char *conf = kvt_server_write_conf(srv);
    int status;
    char *err = NULL;

    ck_assert_int_eq(kvt_run_kiva(&status, NULL, &err, "-t", "-f", conf, (const char *)NULL), 0);
    ck_assert_msg(status == 1, "%s: exit status %d, want 1; stderr:\n%s", refusals[_i][0], status,
                  err);
    char *want = kvt_strf("Syntax error on line %u of %s: ",
                          kvt_conf_line_of(srv, refusals[_i][0]), conf);
    ck_assert_msg(kvt_contains(err, want), "stderr lacks \"%s\":\n%s", want, err);
    ck_assert_msg(kvt_contains(err, refusals[_i][1]), "stderr lacks \"%s\":\n%s", refusals[_i][1],
                  err);
    free(want);
    free(err);
}
END_TEST

START_TEST(test_good_config_accepted)
{
    kvt_server_t *srv = new_server();
    kvt_server_conf(srv, "IndexOptions FancyIndexing +FoldersFirst -IgnoreCase Charset=UTF-8 "
                         "NameWidth=* IconHeight IconWidth=16 XHTML VersionSort None");
    kvt_server_conf(srv, "IndexIgnore .??* *~ *# HEADER* README* RCS CVS *,v *,t");
    kvt_server_conf(srv, "HeaderName HEADER.html");
    kvt_server_conf(srv, "ReadmeName sub/README.txt");
    int status;
    char *err = NULL;

    ck_assert_int_eq(kvt_run_kiva(&status, NULL, &err, "-t", "-f", kvt_server_write_conf(srv),
                                  (const char *)NULL),
                     0);
    ck_assert_msg(status == 0, "exit status %d; stderr:\n%s", status, err);
    free(err);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("autoindex");
    TCase *tc = kvt_tcase("autoindex");

    kvt_add_test(tc, test_listing_holds_exactly_the_entries);
    kvt_add_loop_test(tc, test_sort_orders, KVT_COUNT(sorted));
    kvt_add_test(tc, test_column_links);
    kvt_add_test(tc, test_folders_first);
    kvt_add_test(tc, test_where_listings_answer);
    kvt_add_test(tc, test_header_and_readme);
    kvt_add_loop_test(tc, test_bad_config_refused, KVT_COUNT(refusals));
    kvt_add_test(tc, test_good_config_accepted);
    suite_add_tcase(s, tc);
    return kvt_run_suite(s);
}
