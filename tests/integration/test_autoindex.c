/* mod_autoindex in a running server: a directory without an index file is listed where
 * Options Indexes allows it (403 elsewhere); the listing holds exactly the entries not
 * ignored, escaped; every column sorts both ways; FoldersFirst, HeaderName, ReadmeName;
 * an index file still wins; HEAD has no body; bad IndexOptions are refused. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
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

/* write_doc for each {path, content} of @a docs. */
static void write_docs(kvt_server_t *srv, const char *const (*docs)[2], int n)
{
    for (int i = 0; i < n; i++) {
        write_doc(srv, docs[i][0], docs[i][1]);
    }
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

KVT_CASE(autoindex_case, "autoindex");

KVC_TEST(autoindex_case, test_listing_holds_exactly_the_entries)
{
    kvt_server_t *srv = new_server();
    static const char *const docs[][2] = {
        {"dir/a.txt", "a"},   {"dir/b.html", "b"},    {"dir/sub/inner.txt", "inner"},
        {"dir/.hidden", "h"}, {"dir/old.bak", "old"}, {"dir/notes~", "n"},
    };
    write_docs(srv, docs, KVT_COUNT(docs));
    write_doc(srv, "dir/" ODD_NAME, "odd");
    write_doc(srv, "dir/a:b", "colon");
    indexed_dir(srv, "dir", "IndexIgnore *.bak");
    kvt_server_conf(srv, "IndexIgnore *~");
    kvt_server_start(srv);
    kvt_response_t r;

    get_listing(kvt_server_port(srv), "/dir/", &r);
    /* The title without the trailing slash, as httpd writes it. */
    ck_assert_msg(kvt_contains(r.body, "<title>Index of /dir</title>"), "%s", r.body);
    ck_assert(kvt_contains(r.body, "<h1>Index of /dir</h1>"));
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

KVC_LOOP_TEST(autoindex_case, test_sort_orders, 0, KVT_COUNT(sorted))
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

KVC_TEST(autoindex_case, test_column_links)
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

KVC_TEST(autoindex_case, test_folders_first)
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

KVC_TEST(autoindex_case, test_where_listings_answer)
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
     * directory (404, as httpd's); PUT is not allowed. */
    ck_assert_int_eq(kvt_request(port, "POST / HTTP/1.1\r\nHost: localhost\r\n"
                                       "Content-Length: 0\r\nConnection: close\r\n\r\n", &r), 0);
    ck_assert_int_eq(r.status, 404);
    kvt_response_free(&r);
    ck_assert_int_eq(kvt_request(port, "PUT / HTTP/1.1\r\nHost: localhost\r\n"
                                       "Content-Length: 0\r\nConnection: close\r\n\r\n", &r), 0);
    ck_assert_int_eq(r.status, 405);
    kvt_response_free(&r);
}
END_TEST

KVC_TEST(autoindex_case, test_header_and_readme)
{
    kvt_server_t *srv = new_server();
    static const char *const docs[][2] = {
        {"dir/HEADER.html", "<p id=\"hdr\">Top of the list</p>\n"},
        {"dir/README.txt", "a <b> & c\n"},
        {"dir/file.txt", "f"},
        {"text/HEADER.txt", "plain <header>\n"},
        {"text/file.txt", "f"},
    };
    write_docs(srv, docs, KVT_COUNT(docs));
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

#define REFUSALS_FILE "tests/integration/autoindex_refusals.vectors"
#define REFUSALS 13 /* the vectors in REFUSALS_FILE */

KVC_LOOP_TEST(autoindex_case, test_bad_config_refused, 0, REFUSALS)
{
    kvt_server_t *srv = new_server();
    kvt_assert_refused_vector(srv, "-t", kvc_vector(REFUSALS_FILE, REFUSALS, 2, _i));
}
END_TEST

KVC_TEST(autoindex_case, test_good_config_accepted)
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


/* Debian's stock mod_autoindex and mod_alias configuration, taken whole. */
#define DEBIAN_AUTOINDEX_CONF "/etc/apache2/mods-available/autoindex.conf"
#define DEBIAN_ALIAS_CONF "/etc/apache2/mods-available/alias.conf"
#define DEBIAN_ICONS "/usr/share/apache2/icons"

static kvt_server_t *debian_server(void)
{
    kvt_server_t *srv = new_server();

    kvt_server_conf(srv, "LoadModule alias_module %s/modules/.libs/mod_alias.so",
                    KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "LoadModule authz_core_module %s/modules/.libs/mod_authz_core.so",
                    KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "Include " DEBIAN_AUTOINDEX_CONF);
    kvt_server_conf(srv, "Include " DEBIAN_ALIAS_CONF);
    return srv;
}

/* The listing's row for @a href, from "<tr>" to its end of line; the caller frees it. */
static char *row_of(const char *body, const char *href)
{
    char *needle = kvt_strf("<a href=\"%s\">", href);
    const char *hit = strstr(body, needle), *start, *end;

    ck_assert_msg(hit, "no row for %s in:\n%s", href, body);
    for (start = hit; start > body && start[-1] != '\n'; start--) {
    }
    end = strchr(hit, '\n');
    free(needle);
    return kvt_strf("%.*s", (int)(end ? end - start : (long)strlen(start)), start);
}

static void assert_row(const char *body, const char *href, const char *want)
{
    char *row = row_of(body, href);

    ck_assert_msg(strncmp(row, want, strlen(want)) == 0, "row of %s:\n%s\nwant it to start:\n%s",
                  href, row, want);
    free(row);
}

/* Icons, alt texts and descriptions as Debian's apache2 2.4 lists the same directory under
 * the same autoindex.conf (the rows below are what it sent, dates aside). */
KVC_TEST(autoindex_case, test_debian_icons_and_descriptions)
{
    kvt_server_t *srv = debian_server();
    static const char *const docs[][2] = {
        {"dir/a.txt", "hi\n"},  {"dir/b.c", "x\n"},       {"dir/c.tar.gz", "gz"},
        {"dir/README", "z\n"},  {"dir/core", "q\n"},      {"dir/noext", "w\n"},
        {"dir/pic.png", "i\n"}, {"dir/sub/f.txt", "y\n"},
    };
    write_docs(srv, docs, KVT_COUNT(docs));
    indexed_dir(srv, "dir", "AddDescription \"The C file\" b.c");
    kvt_server_conf(srv, "AddDescription \"Text <b>bold</b> files\" *.txt");
    kvt_server_start(srv);
    kvt_response_t r;

    get_listing(kvt_server_port(srv), "/dir/", &r);
    ck_assert_msg(kvt_contains(r.body, "  <table>\n   <tr><th valign=\"top\"><img "
                                       "src=\"/icons/blank.gif\" alt=\"[ICO]\"></th><th><a "
                                       "href=\"?C=N;O=D\">Name</a></th>"),
                  "%s", r.body);
    ck_assert(kvt_contains(r.body, "   <tr><th colspan=\"5\"><hr></th></tr>\n"));
    assert_row(r.body, "/", "<tr><td valign=\"top\"><img src=\"/icons/back.gif\" "
                            "alt=\"[PARENTDIR]\"></td><td><a href=\"/\">Parent Directory</a>"
                            "</td><td>&nbsp;</td><td align=\"right\">  - </td><td>&nbsp;</td>"
                            "</tr>");
    assert_row(r.body, "README", "<tr><td valign=\"top\"><img src=\"/icons/hand.right.gif\" "
                                 "alt=\"[   ]\"></td>");
    assert_row(r.body, "a.txt", "<tr><td valign=\"top\"><img src=\"/icons/text.gif\" "
                                "alt=\"[TXT]\"></td>");
    ck_assert(kvt_contains(r.body, "<td align=\"right\">  3 </td><td>Text <b>bold</b> "
                                   "files</td></tr>"));
    /* text/x-c: the type's icon comes before AddIcon's .c, as in httpd. */
    assert_row(r.body, "b.c", "<tr><td valign=\"top\"><img src=\"/icons/text.gif\" "
                              "alt=\"[TXT]\"></td>");
    ck_assert(kvt_contains(r.body, "<td>The C file</td></tr>"));
    assert_row(r.body, "c.tar.gz", "<tr><td valign=\"top\"><img src=\"/icons/compressed.gif\"");
    assert_row(r.body, "core", "<tr><td valign=\"top\"><img src=\"/icons/bomb.gif\"");
    assert_row(r.body, "noext", "<tr><td valign=\"top\"><img src=\"/icons/unknown.gif\" "
                                "alt=\"[   ]\"></td>");
    assert_row(r.body, "pic.png", "<tr><td valign=\"top\"><img src=\"/icons/image2.gif\" "
                                  "alt=\"[IMG]\"></td>");
    assert_row(r.body, "sub/", "<tr><td valign=\"top\"><img src=\"/icons/folder.gif\" "
                               "alt=\"[DIR]\"></td>");
    kvt_response_free(&r);

    /* Sorted by description: none first, then byte order ("Te" before "Th"). */
    get_listing(kvt_server_port(srv), "/dir/?C=D;O=A", &r);
    char *links = entry_hrefs(r.body);
    ck_assert_str_eq(links, "README|c.tar.gz|core|noext|pic.png|sub/|a.txt|b.c|");
    free(links);
    kvt_response_free(&r);
}
END_TEST

/* The icons are the files of apache2-data, served by alias.conf's Alias. */
KVC_TEST(autoindex_case, test_debian_icons_served)
{
    kvt_server_t *srv = debian_server();
    struct stat st;
    kvt_response_t r;

    ck_assert_msg(stat(DEBIAN_ICONS "/back.gif", &st) == 0, "apache2-data is not installed");
    kvt_server_start(srv);
    kvt_get(kvt_server_port(srv), "/icons/back.gif", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(kvt_header(&r, "Content-Type"), "image/gif");
    ck_assert_uint_eq(r.body_len, (size_t)st.st_size);
    ck_assert(r.body_len > 6 && memcmp(r.body, "GIF89a", 6) == 0);
    kvt_response_free(&r);
    /* alias.conf's <Directory> has no Indexes: the icon directory is not listed. */
    kvt_get(kvt_server_port(srv), "/icons/", &r);
    ck_assert_int_eq(r.status, 403);
    kvt_response_free(&r);
}
END_TEST

/* A <pre> listing (FancyIndexing without HTMLTable): icons before the names, the
 * ^^BLANKICON^^ with alt "Icon " above them, the parent's row padded as httpd pads it. */
KVC_TEST(autoindex_case, test_pre_listing_icons)
{
    kvt_server_t *srv = debian_server();
    write_doc(srv, "dir/sub/f.txt", "y\n");
    indexed_dir(srv, "dir/sub", "IndexOptions -HTMLTable");
    kvt_server_conf(srv, "AddDescription \"parent desc\" ..");
    kvt_server_conf(srv, "AddDescription \"text\" *.txt");
    kvt_server_start(srv);
    kvt_response_t r;

    get_listing(kvt_server_port(srv), "/dir/sub/", &r);
    ck_assert_msg(kvt_contains(r.body, "<pre><img src=\"/icons/blank.gif\" alt=\"Icon \"> "
                                       "<a href=\"?C=N;O=D\">Name</a>                    "
                                       "<a href=\"?C=M;O=A\">Last modified</a>      <a "
                                       "href=\"?C=S;O=A\">Size</a>  <a href=\"?C=D;O=A\">"
                                       "Description</a><hr><img src=\"/icons/back.gif\" "
                                       "alt=\"[PARENTDIR]\"> <a href=\"/dir/\">Parent "
                                       "Directory</a>                             -   parent "
                                       "desc\n<img src=\"/icons/text.gif\" alt=\"[TXT]\"> "
                                       "<a href=\"f.txt\">f.txt</a>                   "),
                  "%s", r.body);
    ck_assert(kvt_contains(r.body, "    2   text\n<hr></pre>\n"));
    kvt_response_free(&r);
}
END_TEST

/* AddAlt*, DefaultIcon, a <Directory>'s items before the server's, IndexOrderDefault,
 * IndexStyleSheet, IndexHeadInsert, SuppressIcon. */
KVC_TEST(autoindex_case, test_alt_merge_order_style)
{
    kvt_server_t *srv = new_server();
    write_doc(srv, "d/big.txt", "0123456789");
    write_doc(srv, "d/small.html", "0");
    write_doc(srv, "d/mid.bin", "01234");
    write_doc(srv, "plain/x.txt", "x");
    kvt_server_conf(srv, "IndexOptions FancyIndexing HTMLTable");
    kvt_server_conf(srv, "AddIconByType (TXT,/i/text.gif) text/*");
    kvt_server_conf(srv, "AddIcon /i/html.gif .html");
    kvt_server_conf(srv, "DefaultIcon /i/unknown.gif");
    kvt_server_conf(srv, "AddIcon /i/folder.gif ^^DIRECTORY^^");
    /* A wildcard is matched against the full path, as in httpd. */
    indexed_dir(srv, "d", "AddIcon (BIG,/i/big.gif) */big.*");
    kvt_server_conf(srv, "<Directory \"%s/d\">", kvt_server_docroot(srv));
    kvt_server_conf(srv, "    AddAltByType \"Web page\" text/html");
    kvt_server_conf(srv, "    AddAlt \"Binary\" *.bin");
    kvt_server_conf(srv, "    IndexOrderDefault Descending Size");
    kvt_server_conf(srv, "    IndexStyleSheet /style.css");
    kvt_server_conf(srv, "    IndexHeadInsert \"<meta name=\\\"robots\\\" content=\\\"noindex\\\">\"");
    kvt_server_conf(srv, "</Directory>");
    indexed_dir(srv, "plain", "IndexOptions +SuppressIcon");
    kvt_server_start(srv);
    kvt_response_t r;

    get_listing(kvt_server_port(srv), "/d/", &r);
    ck_assert_msg(kvt_contains(r.body, "  <link rel=\"stylesheet\" href=\"/style.css\" "
                                       "type=\"text/css\">\n<meta name=\"robots\" "
                                       "content=\"noindex\"> </head>"),
                  "%s", r.body);
    ck_assert(kvt_contains(r.body, "  <table id=\"indexlist\">\n   <tr class=\"indexhead\">"
                                   "<th class=\"indexcolicon\">&nbsp;</th>"));
    /* Largest first without a query; the <Directory>'s AddIcon wins over the type's. */
    char *links = entry_hrefs(r.body);
    ck_assert_str_eq(links, "big.txt|mid.bin|small.html|");
    free(links);
    ck_assert_msg(kvt_contains(r.body, "   <tr class=\"odd\"><td class=\"indexcolicon\"><img "
                                       "src=\"/i/big.gif\" alt=\"[BIG]\"></td><td "
                                       "class=\"indexcolname\"><a href=\"big.txt\">"),
                  "%s", r.body);
    ck_assert(kvt_contains(r.body, "<img src=\"/i/unknown.gif\" alt=\"[Binary]\"></td><td "
                                   "class=\"indexcolname\"><a href=\"mid.bin\">"));
    /* The server's AddIconByType came before its AddIcon .html, so it applies. */
    ck_assert(kvt_contains(r.body, "<img src=\"/i/text.gif\" alt=\"[Web page]\"></td><td "
                                   "class=\"indexcolname\"><a href=\"small.html\">"));
    ck_assert(kvt_contains(r.body, "   <tr class=\"even\"><td class=\"indexcolicon\"><img "
                                   "src=\"/i/folder.gif\" alt=\"[PARENTDIR]\"></td><td "
                                   "class=\"indexcolname\"><a href=\"/\">Parent Directory"));
    kvt_response_free(&r);

    /* The query still wins over IndexOrderDefault. */
    get_listing(kvt_server_port(srv), "/d/?C=N;O=A", &r);
    links = entry_hrefs(r.body);
    ck_assert_str_eq(links, "big.txt|mid.bin|small.html|");
    free(links);
    kvt_response_free(&r);
    get_listing(kvt_server_port(srv), "/d/?C=S;O=A", &r);
    links = entry_hrefs(r.body);
    ck_assert_str_eq(links, "small.html|mid.bin|big.txt|");
    free(links);
    kvt_response_free(&r);

    get_listing(kvt_server_port(srv), "/plain/", &r);
    ck_assert_msg(kvt_contains(r.body, "  <table>\n   <tr><th><a href=\"?C=N;O=D\">Name</a>"),
                  "%s", r.body);
    ck_assert(!kvt_contains(r.body, "<img"));
    ck_assert(kvt_contains(r.body, "   <tr><th colspan=\"4\"><hr></th></tr>\n"));
    kvt_response_free(&r);
}
END_TEST

/* IconsAreLinks, IconWidth, IconHeight, SuppressRules, AddAltClass and the id of the <h1>
 * under IndexStyleSheet; and httpd's rule that a keyword without + or - drops the +/-
 * keywords before it at its level (Debian's apache2 lists these directories the same). */
KVC_TEST(autoindex_case, test_icon_options_and_increments)
{
    kvt_server_t *srv = debian_server();
    write_doc(srv, "links/a.txt", "x\n");
    write_doc(srv, "reset/b.png", "y\n");
    indexed_dir(srv, "links", "IndexOptions +IconsAreLinks IconWidth IconHeight=16 "
                              "+SuppressRules +AddAltClass");
    kvt_server_conf(srv, "<Directory \"%s/links\">", kvt_server_docroot(srv));
    kvt_server_conf(srv, "    IndexStyleSheet /s.css");
    kvt_server_conf(srv, "</Directory>");
    /* IconWidth=10 drops -HTMLTable and +IconsAreLinks: still a table, no links; a later
     * +IconsAreLinks in a <pre> listing links the icon. */
    indexed_dir(srv, "reset", "IndexOptions -HTMLTable +IconsAreLinks IconWidth=10");
    write_doc(srv, "pre/c.txt", "z\n");
    indexed_dir(srv, "pre", "IndexOptions IconWidth=10 -HTMLTable +IconsAreLinks");
    kvt_server_start(srv);
    kvt_response_t r;

    get_listing(kvt_server_port(srv), "/links/", &r);
    ck_assert_msg(kvt_contains(r.body, "  <h1 id=\"indextitle\">Index of /links</h1>\n"), "%s",
                  r.body);
    /* SuppressRules and AddAltClass apply; IconWidth (after it) dropped +IconsAreLinks. */
    ck_assert(!kvt_contains(r.body, "<hr>"));
    ck_assert(kvt_contains(r.body, "   <tr class=\"even-parentdir\"><td class=\"indexcolicon\">"
                                   "<img src=\"/icons/back.gif\""));
    ck_assert(kvt_contains(r.body, "   <tr class=\"odd-txt\"><td class=\"indexcolicon\"><img "
                                   "src=\"/icons/text.gif\" alt=\"[TXT]\" width=\"20\" "
                                   "height=\"16\"></td>"));
    kvt_response_free(&r);

    get_listing(kvt_server_port(srv), "/reset/", &r);
    ck_assert_msg(kvt_contains(r.body, "<tr><td valign=\"top\"><img src=\"/icons/image2.gif\" "
                                       "alt=\"[IMG]\" width=\"10\"></td><td><a "
                                       "href=\"b.png\">b.png</a>"),
                  "%s", r.body);
    kvt_response_free(&r);

    get_listing(kvt_server_port(srv), "/pre/", &r);
    ck_assert_msg(kvt_contains(r.body, "\n<a href=\"c.txt\"><img src=\"/icons/text.gif\" "
                                       "alt=\"[TXT]\" width=\"10\"></a> <a "
                                       "href=\"c.txt\">c.txt</a>"),
                  "%s", r.body);
    kvt_response_free(&r);
}
END_TEST

/* IndexIgnoreReset On drops the inherited patterns there (and below), not its own. */
KVC_TEST(autoindex_case, test_ignore_reset)
{
    kvt_server_t *srv = new_server();
    static const char *const docs[][2] = {
        {"keep/a.bak", "b"},  {"keep/a.tmp", "t"},        {"reset/a.bak", "b"},
        {"reset/a.tmp", "t"}, {"reset/below/a.bak", "b"}, {"reset/below/a.tmp", "t"},
    };
    write_docs(srv, docs, KVT_COUNT(docs));
    kvt_server_conf(srv, "IndexIgnore *.bak");
    indexed_dir(srv, "keep", "IndexIgnore *.tmp");
    indexed_dir(srv, "reset", "IndexIgnoreReset On");
    kvt_server_conf(srv, "<Directory \"%s/reset\">", kvt_server_docroot(srv));
    kvt_server_conf(srv, "    IndexIgnore *.tmp");
    kvt_server_conf(srv, "</Directory>");
    kvt_server_start(srv);
    static const char *const want[][2] = {
        {"/keep/", ""}, {"/reset/", "a.bak|below/|"}, {"/reset/below/", "a.bak|"}};
    kvt_response_t r;

    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        get_listing(kvt_server_port(srv), want[i][0], &r);
        char *links = entry_hrefs(r.body);
        ck_assert_msg(strcmp(links, want[i][1]) == 0, "%s: %s, want %s", want[i][0], links,
                      want[i][1]);
        free(links);
        kvt_response_free(&r);
    }
}
END_TEST

int main(void)
{
    return kvc_run("autoindex");
}
