/* Per-directory settings of the static file path, each set in its own <Directory>:
 * FileETag, AddDefaultCharset, DirectorySlash, EnableSendfile and EnableMMAP, AccessFileName;
 * the expected values are what Debian's apache2 2.4.71 sends for the same settings. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BIG 300000

/* The bytes of big.bin (not one repeated pattern, so that a misplaced block shows). */
static char *big_content(void)
{
    char *big = malloc(BIG);

    for (int i = 0; i < BIG; i++) {
        big[i] = (char)('a' + (i * 7 + i / 1000) % 26);
    }
    return big;
}

static kvt_server_t *start(void)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    static const char *const dirs[] = {"plain", "all",     "none",     "minus",
                                       "utf",   "noslash", "sendfile", "nommap"};
    char *big = big_content();

    for (int i = 0; i < KVT_COUNT(dirs); i++) {
        char *f = kvt_strf("%s/f.txt", dirs[i]), *c = kvt_strf("%s/s.css", dirs[i]);
        char *b = kvt_strf("%s/big.bin", dirs[i]), *idx = kvt_strf("%s/d/index.html", dirs[i]);
        kvt_write_file(srv, f, "hello\n", 6);
        kvt_write_file(srv, c, "p{}\n", 4);
        kvt_write_file(srv, b, big, BIG);
        kvt_write_file(srv, idx, "i", 1);
        free(idx);
        free(b);
        free(c);
        free(f);
    }
    free(big);
    kvt_server_conf(srv, "AddType text/css .css");
    kvt_server_conf(srv, "AccessFileName .htaccess .acl");
    kvt_server_conf(srv, "FileETag All");
    kvt_server_conf(srv, "<Directory \"%s/plain\">\nFileETag MTime Size\n</Directory>",
                    kvt_server_docroot(srv));
    kvt_server_conf(srv, "<Directory \"%s/none\">\nFileETag None\n</Directory>",
                    kvt_server_docroot(srv));
    kvt_server_conf(srv, "<Directory \"%s/minus\">\nFileETag -INode -Size\n</Directory>",
                    kvt_server_docroot(srv));
    kvt_server_conf(srv, "<Directory \"%s/utf\">\nAddDefaultCharset utf-8\n</Directory>",
                    kvt_server_docroot(srv));
    kvt_server_conf(srv, "<Directory \"%s/noslash\">\nDirectorySlash Off\n</Directory>",
                    kvt_server_docroot(srv));
    kvt_server_conf(srv, "<Directory \"%s/sendfile\">\nEnableSendfile On\n</Directory>",
                    kvt_server_docroot(srv));
    kvt_server_conf(srv, "<Directory \"%s/nommap\">\nEnableMMAP Off\n</Directory>",
                    kvt_server_docroot(srv));
    kvt_server_start(srv);
    return srv;
}

static void get(kvt_server_t *srv, const char *path, const char *extra, kvt_response_t *r)
{
    char *req = kvt_strf("GET %s HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n", path,
                         extra ? extra : "");

    ck_assert_int_eq(kvt_request(kvt_server_port(srv), req, r), 0);
    free(req);
}

/* The ETag httpd makes of @a rel's inode, size and mtime, for the parts in @a parts
 * ("ism": inode, size, mtime). */
static char *etag_of(kvt_server_t *srv, const char *rel, const char *parts)
{
    char *path = kvt_strf("%s/%s", kvt_server_docroot(srv), rel);
    struct stat st;
    char buf[128] = "\"";

    ck_assert_int_eq(stat(path, &st), 0);
    free(path);
    for (const char *p = parts; *p; p++) {
        unsigned long long v = *p == 'i'   ? (unsigned long long)st.st_ino
                               : *p == 's' ? (unsigned long long)st.st_size
                                           : (unsigned long long)st.st_mtim.tv_sec * 1000000ULL +
                                                 (unsigned long long)st.st_mtim.tv_nsec / 1000ULL;
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%llx", p == parts ? "" : "-", v);
    }
    strcat(buf, "\"");
    return kvt_strf("%s", buf);
}

static void expect_etag(kvt_server_t *srv, const char *rel, const char *parts)
{
    char *path = kvt_strf("/%s", rel);
    char *want = parts ? etag_of(srv, rel, parts) : NULL;
    kvt_response_t r;

    get(srv, path, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    if (want) {
        ck_assert_msg(kvt_header(&r, "ETag") && strcmp(kvt_header(&r, "ETag"), want) == 0,
                      "%s: ETag %s, want %s", rel, kvt_header(&r, "ETag"), want);
    } else {
        ck_assert_msg(!kvt_header(&r, "ETag"), "%s: ETag %s under None", rel,
                      kvt_header(&r, "ETag"));
    }
    kvt_response_free(&r);
    free(want);
    free(path);
}

KVC_CASE(static_config, .name = "static_config");

KVC_TEST(static_config, test_file_etag)
{
    kvt_server_t *srv = start();
    char *inm, *etag;
    kvt_response_t r;

    expect_etag(srv, "all/f.txt", "ism");
    expect_etag(srv, "plain/f.txt", "sm");
    expect_etag(srv, "none/f.txt", NULL);
    expect_etag(srv, "minus/f.txt", "m");
    /* The ETag it sends is the one If-None-Match is compared with. */
    etag = etag_of(srv, "minus/f.txt", "m");
    inm = kvt_strf("If-None-Match: %s\r\n", etag);
    get(srv, "/minus/f.txt", inm, &r);
    ck_assert_int_eq(r.status, 304);
    kvt_response_free(&r);
    free(inm);
    free(etag);
}
END_TEST

static void expect_type(kvt_server_t *srv, const char *path, const char *want)
{
    kvt_response_t r;

    get(srv, path, NULL, &r);
    ck_assert_msg(r.status == 200 && kvt_header(&r, "Content-Type") &&
                      strcmp(kvt_header(&r, "Content-Type"), want) == 0,
                  "%s: %d %s, want %s", path, r.status, kvt_header(&r, "Content-Type"), want);
    kvt_response_free(&r);
}

KVC_TEST(static_config, test_add_default_charset)
{
    kvt_server_t *srv = start();

    expect_type(srv, "/utf/f.txt", "text/plain; charset=utf-8");
    expect_type(srv, "/utf/s.css", "text/css");
    expect_type(srv, "/plain/f.txt", "text/plain");
}
END_TEST

/* DirectorySlash Off: no redirect, and no index for the slashless URL (apache2 lists the
 * directory there when mod_autoindex and Indexes allow; without mod_autoindex, 404). */
KVC_TEST(static_config, test_directory_slash)
{
    kvt_server_t *srv = start();
    kvt_response_t r;

    get(srv, "/noslash/d", NULL, &r);
    ck_assert_int_eq(r.status, 404);
    ck_assert_ptr_null(kvt_header(&r, "Location"));
    kvt_response_free(&r);
    get(srv, "/noslash/d/", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "i");
    kvt_response_free(&r);
    get(srv, "/plain/d", NULL, &r);
    ck_assert_int_eq(r.status, 301);
    ck_assert_pstr_eq(kvt_header(&r, "Location"), "http://x/plain/d/");
    kvt_response_free(&r);
}
END_TEST

/* Whether the file goes by sendfile, by a mapping or by reads, the bytes are the file's, and
 * a range of it too. */
KVC_TEST(static_config, test_sendfile_and_mmap_send_the_file)
{
    kvt_server_t *srv = start();
    static const char *const dirs[] = {"plain", "sendfile", "nommap"};
    char *big = big_content();

    for (int i = 0; i < KVT_COUNT(dirs); i++) {
        char *path = kvt_strf("/%s/big.bin", dirs[i]);
        kvt_response_t r;

        get(srv, path, NULL, &r);
        ck_assert_int_eq(r.status, 200);
        ck_assert_uint_eq(r.body_len, BIG);
        ck_assert_msg(memcmp(r.body, big, BIG) == 0, "%s: not the file's bytes", dirs[i]);
        kvt_response_free(&r);
        get(srv, path, "Range: bytes=250000-250009\r\n", &r);
        ck_assert_int_eq(r.status, 206);
        ck_assert_uint_eq(r.body_len, 10);
        ck_assert_msg(memcmp(r.body, big + 250000, 10) == 0, "%s: not the range", dirs[i]);
        kvt_response_free(&r);
        free(path);
    }
    free(big);
}
END_TEST

int main(void)
{
    return kvc_run("static_config");
}
