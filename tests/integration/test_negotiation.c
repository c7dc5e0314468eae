/* mod_negotiation in a running server, as Debian's apache2 answers the same requests
 * (compared by hand: the headers are the same): MultiViews chooses among index.html.en and
 * index.html.fr by Accept-Language and LanguagePriority, also for DirectoryIndex; Vary,
 * TCN and Content-Location say so; nothing acceptable is 406 with the list of variants,
 * a transparent-negotiation client gets 300; a type map lists its variants; a file that
 * is no variant is left out; Debian's negotiation.conf and mime.conf load whole. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOAD_NEG "LoadModule negotiation_module %s/modules/.libs/mod_negotiation.so"
#define LOAD_CGI "LoadModule cgi_module %s/modules/.libs/mod_cgi.so"
#define PHP_SOURCE "<?php $password = 'kvt-secret'; ?>"

static kvt_server_t *neg_server(const char *options)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());

    kvt_server_conf(srv, LOAD_NEG, KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "AddLanguage en .en\nAddLanguage fr .fr\nAddCharset UTF-8 .fr");
    kvt_server_conf(srv, "AddHandler type-map .var\nAddEncoding x-gzip .gz");
    kvt_server_conf(srv, "<Directory \"%s\">\nOptions %s\n</Directory>", kvt_server_docroot(srv),
                    options);
    kvt_write_file(srv, "index.html.en", "english", 7);
    kvt_write_file(srv, "index.html.fr", "francais", 8);
    return srv;
}

/* GET @a path with the extra header lines @a fields ("" for none). */
static void get(kvt_server_t *srv, const char *path, const char *fields, kvt_response_t *r)
{
    char *req = kvt_strf("GET %s HTTP/1.1\r\nHost: localhost\r\n%sConnection: close\r\n\r\n",
                         path, fields);

    ck_assert_int_eq(kvt_request(kvt_server_port(srv), req, r), 0);
    free(req);
}

static void expect(const kvt_response_t *r, const char *name, const char *value)
{
    const char *got = kvt_header(r, name);

    if (value) {
        ck_assert_msg(got && strcmp(got, value) == 0, "%s is %s, want %s", name, got, value);
    } else {
        ck_assert_msg(!got, "%s is %s, want none", name, got);
    }
}

KVT_CASE(negotiation_case, "negotiation");

KVC_TEST(negotiation_case, test_multiviews_chooses_by_language)
{
    kvt_server_t *srv = neg_server("MultiViews");
    kvt_response_t r;

    kvt_server_conf(srv, "LanguagePriority fr en");
    kvt_server_start(srv);
    get(srv, "/index.html", "Accept-Language: en;q=0.8, fr;q=0.5\r\n", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "english");
    expect(&r, "Content-Language", "en");
    expect(&r, "Content-Type", "text/html");
    expect(&r, "Content-Location", "index.html.en");
    expect(&r, "TCN", "choice");
    expect(&r, "Vary", "negotiate,accept-language,accept-charset");
    kvt_response_free(&r);
    /* A POST is negotiated too, but not transparently (as httpd: GET and HEAD only). */
    kvt_response_t post;
    ck_assert_int_eq(kvt_request(kvt_server_port(srv),
                                 "POST /index.html HTTP/1.1\r\nHost: localhost\r\n"
                                 "Accept-Language: en\r\nContent-Length: 0\r\n"
                                 "Connection: close\r\n\r\n",
                                 &post),
                     0);
    ck_assert_int_eq(post.status, 200);
    ck_assert_str_eq(post.body, "english");
    expect(&post, "Vary", "accept-language,accept-charset");
    expect(&post, "TCN", NULL);
    kvt_response_free(&post);
    /* No Accept-Language: LanguagePriority's first. */
    get(srv, "/index", "", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "francais");
    expect(&r, "Content-Type", "text/html; charset=utf-8");
    kvt_response_free(&r);
    /* The directory's index too (DirectoryIndex index.html), its list to a TCN client. */
    get(srv, "/", "Accept-Language: en\r\n", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "english");
    kvt_response_free(&r);
    get(srv, "/", "Negotiate: trans\r\n", &r);
    ck_assert_int_eq(r.status, 300);
    expect(&r, "TCN", "list");
    kvt_response_free(&r);
}
END_TEST

/* Without FollowSymLinks a symbolic link is no variant: the core checked the requested
 * name, which does not exist, not the files negotiation finds. */
KVC_TEST(negotiation_case, test_symlink_variant_needs_follow_symlinks)
{
    kvt_server_t *srv = neg_server("MultiViews");
    char *target = kvt_strf("%s/secret.txt", kvt_server_root(srv));
    char *link = kvt_strf("%s/leak.txt.en", kvt_server_docroot(srv));
    kvt_response_t r;

    kvt_write_root_file(srv, "secret.txt", "outside the document root");
    ck_assert_int_eq(symlink(target, link), 0);
    kvt_server_conf(srv, "<Directory \"%s/open\">\nOptions MultiViews FollowSymLinks\n"
                         "</Directory>", kvt_server_docroot(srv));
    kvt_write_file(srv, "open/x", "", 0);
    free(link);
    link = kvt_strf("%s/open/leak.txt.en", kvt_server_docroot(srv));
    ck_assert_int_eq(symlink(target, link), 0);
    kvt_server_start(srv);
    get(srv, "/leak.txt", "", &r);
    ck_assert_int_eq(r.status, 404);
    ck_assert_msg(!kvt_contains(r.body, "outside"), "%s", r.body);
    kvt_response_free(&r);
    get(srv, "/open/leak.txt", "", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "outside the document root");
    kvt_response_free(&r);
    free(target);
    free(link);
}
END_TEST

/* The chosen file gets its own sections: a <FilesMatch> SetHandler for .php applies to
 * contact.php chosen for /contact (httpd's subrequest), so its source is never sent. */
KVC_TEST(negotiation_case, test_variant_gets_its_own_sections)
{
    kvt_server_t *srv = neg_server("MultiViews");
    kvt_response_t r;

    kvt_server_conf(srv, "AddType application/x-httpd-php .php");
    kvt_server_conf(srv, "<FilesMatch \"\\.php$\">\nSetHandler \"proxy:fcgi://127.0.0.1:9/\"\n"
                         "</FilesMatch>");
    kvt_write_file(srv, "contact.php", PHP_SOURCE, strlen(PHP_SOURCE));
    kvt_server_start(srv);
    get(srv, "/contact", "", &r);
    ck_assert_int_eq(r.status, 500);
    ck_assert_msg(!kvt_contains(r.body, "kvt-secret"), "the source was sent: %s", r.body);
    kvt_response_free(&r);
}
END_TEST

/* A POST keeps its method and body when a script is the chosen variant. */
KVC_TEST(negotiation_case, test_post_reaches_the_chosen_script)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    char *path = kvt_strf("%s/form.cgi", kvt_server_docroot(srv));
    static const char script[] = "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\n"
                                 "printf '%s:' \"$REQUEST_METHOD\"\ncat\n";
    kvt_response_t r;

    kvt_server_conf(srv, LOAD_NEG, KV_TEST_BUILDDIR);
    kvt_server_conf(srv, LOAD_CGI, KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "AddHandler cgi-script .cgi");
    kvt_server_conf(srv, "<Directory \"%s\">\nOptions MultiViews ExecCGI\n"
                         "MultiviewsMatch Handlers\n</Directory>", kvt_server_docroot(srv));
    kvt_write_file(srv, "form.cgi", script, strlen(script));
    ck_assert_int_eq(chmod(path, 0755), 0);
    kvt_server_start(srv);
    ck_assert_int_eq(kvt_request(kvt_server_port(srv),
                                 "POST /form HTTP/1.1\r\nHost: localhost\r\nContent-Length: 7\r\n"
                                 "Connection: close\r\n\r\nname=kv",
                                 &r),
                     0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "POST:name=kv");
    kvt_response_free(&r);
    /* A script's size is not its answer's: no {length} in Alternates, as httpd. */
    get(srv, "/form", "Negotiate: trans\r\n", &r);
    ck_assert_int_eq(r.status, 300);
    expect(&r, "Alternates", "{\"form.cgi\" 1 {type application/x-httpd-cgi}}");
    kvt_response_free(&r);
    free(path);
}
END_TEST

/* Without Options MultiViews there is no index.html: 404 (and 404 for the directory, which no
 * module lists: httpd's default handler serves no directory). */
KVC_TEST(negotiation_case, test_without_multiviews_nothing_is_negotiated)
{
    kvt_server_t *srv = neg_server("FollowSymLinks");
    kvt_response_t r;

    kvt_server_start(srv);
    get(srv, "/index.html", "", &r);
    ck_assert_int_eq(r.status, 404);
    expect(&r, "Vary", NULL);
    kvt_response_free(&r);
    get(srv, "/", "", &r);
    ck_assert_int_eq(r.status, 404);
    kvt_response_free(&r);
}
END_TEST

KVC_TEST(negotiation_case, test_nothing_acceptable_is_406_with_the_list)
{
    kvt_server_t *srv = neg_server("MultiViews");
    kvt_response_t r;
    char *log;

    kvt_write_file(srv, "index.html.<b>.fr", "x", 1);
    kvt_write_file(srv, "q\"<i>.html.en", "q", 1);
    kvt_server_conf(srv, "ForceLanguagePriority None");
    kvt_server_start(srv);
    get(srv, "/index.html", "Accept: image/png\r\n", &r);
    ck_assert_int_eq(r.status, 406);
    expect(&r, "TCN", "list");
    expect(&r, "Vary", "negotiate,accept-language,accept-charset");
    expect(&r, "Alternates", "{\"index.html.en\" 1 {type text/html} {language en} {length 7}}, "
                             "{\"index.html.fr\" 1 {type text/html} {charset utf-8} "
                             "{language fr} {length 8}}");
    ck_assert_msg(kvt_contains(r.body, "<li><a href=\"index.html.fr\">index.html.fr</a> , type "
                                       "text/html, language fr, charset utf-8</li>"),
                  "%s", r.body);
    kvt_response_free(&r);
    get(srv, "/index.html", "Accept-Language: de\r\n", &r);
    ck_assert_int_eq(r.status, 406);
    kvt_response_free(&r);
    /* What a file name holds is escaped in the field and on the page. */
    get(srv, "/q%22%3Ci%3E", "Accept: image/png\r\n", &r);
    ck_assert_int_eq(r.status, 406);
    expect(&r, "Alternates", "{\"q%22%3ci%3e.html.en\" 1 {type text/html} {language en} "
                             "{length 1}}");
    ck_assert_msg(kvt_contains(r.body, "<a href=\"q%22%3ci%3e.html.en\">q&quot;&lt;i&gt;.html.en"),
                  "%s", r.body);
    kvt_response_free(&r);
    log = kvt_server_wait_log(srv, "KV01142", 5000);
    ck_assert_msg(kvt_contains(log, "KV01142: no acceptable variant"), "%s", log);
    free(log);
}
END_TEST

/* ForceLanguagePriority Fallback: a language nobody asked for rather than 406. */
KVC_TEST(negotiation_case, test_fallback_language)
{
    kvt_server_t *srv = neg_server("MultiViews");
    kvt_response_t r;

    kvt_server_conf(srv, "LanguagePriority fr en\nForceLanguagePriority Prefer Fallback");
    kvt_server_start(srv);
    get(srv, "/index.html", "Accept-Language: de\r\n", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "francais");
    kvt_response_free(&r);
}
END_TEST

/* "Negotiate: trans": the client chooses, from the list in a 300. */
KVC_TEST(negotiation_case, test_transparent_client_gets_300)
{
    kvt_server_t *srv = neg_server("MultiViews");
    kvt_response_t r;

    kvt_server_start(srv);
    get(srv, "/index.html", "Negotiate: trans\r\n", &r);
    ck_assert_int_eq(r.status, 300);
    expect(&r, "TCN", "list");
    ck_assert_ptr_nonnull(kvt_header(&r, "Alternates"));
    ck_assert_msg(kvt_contains(r.body, "href=\"index.html.en\""), "%s", r.body);
    kvt_response_free(&r);
    /* Lynx sends "trans" without meaning it, as httpd knows. */
    get(srv, "/index.html", "Negotiate: trans\r\nUser-Agent: Lynx/2.8.9\r\n", &r);
    ck_assert_int_eq(r.status, 200);
    kvt_response_free(&r);
    /* "*": the server may choose, and sends Alternates with its choice. */
    get(srv, "/index.html", "Negotiate: *\r\nAccept-Language: fr\r\n", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "francais");
    ck_assert_ptr_nonnull(kvt_header(&r, "Alternates"));
    expect(&r, "TCN", "choice");
    kvt_response_free(&r);
}
END_TEST

KVC_TEST(negotiation_case, test_type_map)
{
    kvt_server_t *srv = neg_server("FollowSymLinks");
    static const char map[] = "URI: page\n\n"
                              "URI: page.en.html\nContent-Type: text/html\nContent-Language: en\n\n"
                              "URI: page.fr.html\nContent-Type: text/html;charset=iso-8859-1;qs=0.9\n"
                              "Content-Language: fr\n";
    static const char loop[] = "URI: loop.var\nContent-Type: text/html\n";
    /* "cycle" is negotiated (MultiViews, handlers matching) back to cycle.var: an endless
     * chain. */
    static const char cycle[] = "URI: cycle\nContent-Type: text/html\n";
    kvt_response_t r;
    char *log;

    kvt_write_file(srv, "page.var", map, strlen(map));
    kvt_write_file(srv, "page.en.html", "page en", 7);
    kvt_write_file(srv, "page.fr.html", "page fr", 7);
    kvt_write_file(srv, "loop.var", loop, strlen(loop));
    kvt_write_file(srv, "cycle.var", cycle, strlen(cycle));
    kvt_server_conf(srv, "<Directory \"%s\">\nOptions MultiViews\nMultiviewsMatch Handlers\n"
                         "</Directory>", kvt_server_docroot(srv));
    kvt_server_start(srv);
    get(srv, "/page.var", "Accept-Language: fr\r\n", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "page fr");
    expect(&r, "Content-Location", "page.fr.html");
    expect(&r, "Vary", "negotiate,accept-language,accept-charset");
    kvt_response_free(&r);
    /* qs: 0.9 for French, so English without a preference. */
    get(srv, "/page.var", "", &r);
    ck_assert_str_eq(r.body, "page en");
    kvt_response_free(&r);
    /* A map that names a map would loop: refused. */
    get(srv, "/loop.var", "", &r);
    ck_assert_int_eq(r.status, 500);
    kvt_response_free(&r);
    get(srv, "/cycle.var", "", &r);
    ck_assert_int_eq(r.status, 500);
    kvt_response_free(&r);
    log = kvt_server_wait_log(srv, "KV01148", 5000);
    ck_assert_msg(kvt_contains(log, "KV01148: more than 10 internal redirects"), "%s", log);
    free(log);
}
END_TEST

/* A file with a part mod_mime does not know is no variant; an encoding is named as the
 * client names it. */
KVC_TEST(negotiation_case, test_variants_and_encoding_names)
{
    kvt_server_t *srv = neg_server("MultiViews");
    kvt_response_t r;

    kvt_write_file(srv, "notes.txt.bak", "old", 3);
    kvt_write_file(srv, "data.txt.gz", "gz", 2);
    kvt_write_file(srv, "data.txt", "plain", 5);
    kvt_server_start(srv);
    get(srv, "/notes", "", &r);
    ck_assert_int_eq(r.status, 404);
    kvt_response_free(&r);
    get(srv, "/data", "Accept-Encoding: gzip\r\n", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "gz");
    expect(&r, "Content-Encoding", "gzip");
    /* mime.types types .gz (application/gzip) too, so the types differ as well. */
    expect(&r, "Vary", "negotiate,accept,accept-encoding");
    kvt_response_free(&r);
    get(srv, "/data", "", &r);
    ck_assert_str_eq(r.body, "plain");
    expect(&r, "Content-Encoding", NULL);
    kvt_response_free(&r);
}
END_TEST

/* Debian's negotiation.conf and mime.conf, included whole. */
KVC_TEST(negotiation_case, test_debian_confs)
{
    static const char neg[] = "/etc/apache2/mods-available/negotiation.conf";
    static const char mime[] = "/etc/apache2/mods-available/mime.conf";
    kvt_server_t *srv;
    kvt_response_t r;

    if (access(neg, R_OK) != 0 || access(mime, R_OK) != 0 || access("/etc/mime.types", R_OK)) {
        fprintf(stderr, "test_debian_confs: Debian's apache2 is not installed; skipped\n");
        return;
    }
    srv = kvt_server_new(kvt_mpm());
    kvt_server_conf(srv, LOAD_NEG, KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "Include %s\nInclude %s", mime, neg);
    kvt_server_conf(srv, "<Directory \"%s\">\nOptions +MultiViews\n</Directory>",
                    kvt_server_docroot(srv));
    kvt_write_file(srv, "index.html.fr", "fr", 2);
    kvt_write_file(srv, "index.html.de", "de", 2);
    kvt_server_start(srv);
    /* LanguagePriority en ca cs da de ...: de before fr. */
    get(srv, "/", "", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "de");
    kvt_response_free(&r);
    /* Fallback: nothing in Japanese, LanguagePriority decides. */
    get(srv, "/index.html", "Accept-Language: ja\r\n", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "de");
    kvt_response_free(&r);
}
END_TEST

int main(void)
{
    return kvc_run("negotiation");
}
