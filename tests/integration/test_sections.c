/* <Directory>, <Files>, <Location> and their Match forms on a running server, Options
 * and symbolic links, and a per-directory LimitRequestBody. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static kvt_server_t *site(void)
{
    kvt_server_t *srv = kvt_server_new("prefork");

    kvt_write_file(srv, "index.html", "top", 3);
    kvt_write_file(srv, "sub/index.html", "sub index", 9);
    kvt_write_file(srv, "sub/other.html", "sub other", 9);
    kvt_write_file(srv, "x/a.txt", "xa", 2);
    kvt_write_file(srv, "xy/a.txt", "xya", 3);
    kvt_write_file(srv, "d/f.dat", "dat", 3);
    return srv;
}

/* Status, and the named header (or "" when absent) of GET @a path. */
static int get(kvt_server_t *srv, const char *path, const char *header, char **value,
               char **body)
{
    kvt_response_t r;
    const char *v;
    int status;

    kvt_get(kvt_server_port(srv), path, &r);
    status = r.status;
    v = header ? kvt_header(&r, header) : NULL;
    if (value) {
        *value = kvt_strf("%s", v ? v : "");
    }
    if (body) {
        *body = kvt_strf("%s", r.body ? r.body : "");
    }
    kvt_response_free(&r);
    return status;
}

KVT_CASE(sections_case, "sections");

KVC_TEST(sections_case, test_directory_section_applies_below_its_path)
{
    kvt_server_t *srv = site();
    char *body;

    kvt_server_conf(srv, "<Directory \"%s/sub\">", kvt_server_docroot(srv));
    kvt_server_conf(srv, "    DirectoryIndex other.html");
    kvt_server_conf(srv, "</Directory>");
    kvt_server_start(srv);
    ck_assert_int_eq(get(srv, "/sub/", NULL, NULL, &body), 200);
    ck_assert_str_eq(body, "sub other");
    ck_assert_int_eq(get(srv, "/", NULL, NULL, &body), 200);
    ck_assert_str_eq(body, "top");
}
END_TEST

/* Two sections that each give .txt files their own type; a GET of each path shows which
 * section applied. */
static const struct {
    const char *conf[6];
    const char *path[2];
    const char *type[2];
} typed_sections[] = {
    /* <Location> matches whole path segments: /xy is not below /x. */
    {{"<Location /x>", "    AddType text/x-located .txt", "</Location>",
      "<LocationMatch \"^/xy/\">", "    AddType text/x-matched .txt", "</LocationMatch>"},
     {"/x/a.txt", "/xy/a.txt"},
     {"text/x-located", "text/x-matched"}},
    /* <Files> and <FilesMatch> match the file name in any directory. */
    {{"<Files \"*.dat\">", "    AddType application/x-data .dat", "</Files>",
      "<FilesMatch \"^a\\.txt$\">", "    AddType text/x-a .txt", "</FilesMatch>"},
     {"/d/f.dat", "/x/a.txt"},
     {"application/x-data", "text/x-a"}},
};

KVC_LOOP_TEST(sections_case, test_sections_select_by_path, 0, KVT_COUNT(typed_sections))
{
    kvt_server_t *srv = site();
    char *type;

    for (int i = 0; i < 6; i++) {
        kvt_server_conf(srv, "%s", typed_sections[_i].conf[i]);
    }
    kvt_server_start(srv);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(get(srv, typed_sections[_i].path[i], "Content-Type", &type, NULL), 200);
        ck_assert_str_eq(type, typed_sections[_i].type[i]);
    }
}
END_TEST

KVC_TEST(sections_case, test_location_overrides_directory)
{
    kvt_server_t *srv = site();
    char *type;

    kvt_server_conf(srv, "<Location /x>");
    kvt_server_conf(srv, "    AddType text/x-from-location .txt");
    kvt_server_conf(srv, "</Location>");
    kvt_server_conf(srv, "<Directory \"%s/x\">", kvt_server_docroot(srv));
    kvt_server_conf(srv, "    AddType text/x-from-directory .txt");
    kvt_server_conf(srv, "</Directory>");
    kvt_server_start(srv);
    ck_assert_int_eq(get(srv, "/x/a.txt", "Content-Type", &type, NULL), 200);
    ck_assert_str_eq(type, "text/x-from-location");
}
END_TEST

/* A docroot symlink to a file, served or refused as Options allow. */
static kvt_server_t *site_with_link(const char *options, int chown_target)
{
    kvt_server_t *srv = site();
    char *target = kvt_strf("%s/x/a.txt", kvt_server_docroot(srv));
    char *link = kvt_strf("%s/link.txt", kvt_server_docroot(srv));

    ck_assert_int_eq(symlink(target, link), 0);
    if (chown_target) {
        ck_assert_int_eq(chown(target, 1, 1), 0);
    }
    kvt_server_conf(srv, "<Directory \"%s\">", kvt_server_docroot(srv));
    kvt_server_conf(srv, "    Options %s", options);
    kvt_server_conf(srv, "</Directory>");
    kvt_server_start(srv);
    free(target);
    free(link);
    return srv;
}

KVC_TEST(sections_case, test_symlinks_follow_options)
{
    char *body;
    kvt_server_t *srv = site_with_link("FollowSymLinks", 0);

    ck_assert_int_eq(get(srv, "/link.txt", NULL, NULL, &body), 200);
    ck_assert_str_eq(body, "xa");
    kvt_server_stop(srv);
    srv = site_with_link("None", 0);
    ck_assert_int_eq(get(srv, "/link.txt", NULL, NULL, NULL), 403);
    ck_assert_int_eq(get(srv, "/x/a.txt", NULL, NULL, NULL), 200);
}
END_TEST

KVC_TEST(sections_case, test_symlinks_if_owner_match)
{
    kvt_server_t *srv;

    if (geteuid() != 0) {
        /* Making a file of another owner needs root; the owner-match case still runs. */
        srv = site_with_link("SymLinksIfOwnerMatch", 0);
        ck_assert_int_eq(get(srv, "/link.txt", NULL, NULL, NULL), 200);
        return;
    }
    srv = site_with_link("SymLinksIfOwnerMatch", 0);
    ck_assert_int_eq(get(srv, "/link.txt", NULL, NULL, NULL), 200);
    kvt_server_stop(srv);
    srv = site_with_link("SymLinksIfOwnerMatch", 1);
    ck_assert_int_eq(get(srv, "/link.txt", NULL, NULL, NULL), 403);
}
END_TEST

KVC_TEST(sections_case, test_limit_request_body_per_location)
{
    kvt_server_t *srv = site();
    kvt_response_t r;
    const char *big = "POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n"
                      "Connection: close\r\n\r\n0123456789";
    char *req;

    kvt_server_conf(srv, "<Location /x>");
    kvt_server_conf(srv, "    LimitRequestBody 5");
    kvt_server_conf(srv, "</Location>");
    kvt_server_start(srv);
    req = kvt_strf(big, "/x/a.txt");
    ck_assert_int_eq(kvt_request(kvt_server_port(srv), req, &r), 0);
    ck_assert_int_eq(r.status, 413);
    kvt_response_free(&r);
    free(req);
    req = kvt_strf(big, "/xy/a.txt");
    ck_assert_int_eq(kvt_request(kvt_server_port(srv), req, &r), 0);
    ck_assert_int_eq(r.status, 200);
    kvt_response_free(&r);
    free(req);
}
END_TEST

int main(void)
{
    return kvc_run("sections");
}
