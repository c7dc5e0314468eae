/* mod_deflate, mod_brotli, mod_filter and the named filters of the core and mod_mime in a
 * running server: compressed bodies decompressed here with zlib and libbrotli and compared
 * with the files, the
 * fields httpd sends with them (Content-Encoding, Vary, ETag, Content-Length), HEAD and
 * ranges, the rules that leave a response alone, and that a large response streams. */
#include "harness.h"

#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>
#include <zlib.h>

#include <brotli/decode.h>
#include <brotli/encode.h>

#define MODULES KV_TEST_BUILDDIR "/modules/.libs"

/* Debian's mods-available/deflate.conf, as it is. */
static const char *const debian_deflate_conf[] = {
    "<IfModule mod_filter.c>",
    "AddOutputFilterByType DEFLATE text/html text/plain text/xml text/css text/javascript",
    "AddOutputFilterByType DEFLATE application/x-javascript application/javascript "
    "application/ecmascript",
    "AddOutputFilterByType DEFLATE application/rss+xml",
    "AddOutputFilterByType DEFLATE application/wasm",
    "AddOutputFilterByType DEFLATE application/xml",
    "</IfModule>",
    NULL};

/* A text of @a n bytes that compresses well but not to nothing. */
static char *text_of(size_t n)
{
    char *t = malloc(n + 1);

    for (size_t i = 0; i < n; i++) {
        t[i] = (char)(i % 61 == 60 ? '\n' : 'a' + (i * 7 + i / 97) % 26);
    }
    t[n] = '\0';
    return t;
}

#define PAGE_LEN 20000

/* A server with mod_deflate, mod_filter and mod_setenvif, pages /p.html, /p.css, /p.txt,
 * /img.png, /dir/p.html (PAGE_LEN bytes) and /tiny.html, and the NULL-terminated @a lines. */
static kvt_server_t *serve_lines(const char *const *lines)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    static const char *const pages[] = {"p.html", "p.css", "p.txt", "img.png", "dir/p.html"};
    char *page = text_of(PAGE_LEN);

    for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
        kvt_write_file(srv, pages[i], page, PAGE_LEN);
    }
    kvt_write_file(srv, "tiny.html", "hi\n", 3);
    free(page);
    kvt_server_conf(srv, "LoadModule deflate_module %s/mod_deflate.so", MODULES);
    kvt_server_conf(srv, "LoadModule filter_module %s/mod_filter.so", MODULES);
    kvt_server_conf(srv, "LoadModule setenvif_module %s/mod_setenvif.so", MODULES);
    kvt_server_conf(srv, "LoadModule brotli_module %s/mod_brotli.so", MODULES);
    for (int i = 0; lines[i]; i++) {
        kvt_server_conf(srv, "%s", lines[i]);
    }
    kvt_server_start(srv);
    return srv;
}

#define MAX_LINES 16

/* serve_lines with the lines given as arguments, NULL-terminated. */
static kvt_server_t *serve(const char *line, ...)
{
    const char *lines[MAX_LINES + 1];
    int n = 0;
    va_list ap;

    va_start(ap, line);
    for (const char *l = line; l && n < MAX_LINES; l = va_arg(ap, const char *)) {
        lines[n++] = l;
    }
    va_end(ap);
    lines[n] = NULL;
    return serve_lines(lines);
}

static kvt_server_t *serve_debian(void)
{
    return serve_lines(debian_deflate_conf);
}

/* @a method @a path with the extra request fields (each ending in CRLF). */
static void request(kvt_server_t *srv, const char *method, const char *path, const char *fields,
                    kvt_response_t *resp)
{
    char *req = kvt_strf("%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n%s\r\n", method,
                         path, fields);
    int fd = kvt_connect(kvt_server_port(srv));

    kvt_send(fd, req);
    ck_assert_msg(kvt_read_response(fd, resp, strcmp(method, "HEAD") == 0) == 0,
                  "no response to %s %s", method, path);
    close(fd);
    free(req);
}

static void get(kvt_server_t *srv, const char *path, const char *fields, kvt_response_t *resp)
{
    request(srv, "GET", path, fields, resp);
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

/* The gzip stream @a in decompressed (malloc'd, length in *out_len); fails the test if it is
 * not one whole gzip member. */
static char *gunzip(const char *in, size_t len, size_t *out_len)
{
    z_stream zs;
    size_t cap = len * 8 + 1024;
    char *out = malloc(cap);
    int zrc;

    memset(&zs, 0, sizeof(zs));
    ck_assert_int_eq(inflateInit2(&zs, 15 + 16), Z_OK);
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)len;
    do {
        if (zs.total_out == cap) {
            cap *= 2;
            out = realloc(out, cap);
        }
        zs.next_out = (Bytef *)out + zs.total_out;
        zs.avail_out = (uInt)(cap - zs.total_out);
        zrc = inflate(&zs, Z_NO_FLUSH);
    } while (zrc == Z_OK && zs.avail_in > 0);
    ck_assert_msg(zrc == Z_STREAM_END, "not a whole gzip stream: inflate says %d", zrc);
    ck_assert_msg(zs.avail_in == 0, "%u bytes after the gzip stream", zs.avail_in);
    *out_len = zs.total_out;
    inflateEnd(&zs);
    return out;
}

/* The body of @a resp is @a want once decompressed. */
static void expect_gzip_of(const kvt_response_t *resp, const char *want, size_t want_len)
{
    size_t n;
    char *plain = gunzip(resp->body, resp->body_len, &n);

    ck_assert_msg(n == want_len, "decompressed %zu bytes, want %zu", n, want_len);
    ck_assert_msg(memcmp(plain, want, n) == 0, "decompressed bytes differ from the file");
    free(plain);
}

/* The body of @a resp is @a want once libbrotli decodes it. */
static void expect_br_of(const kvt_response_t *resp, const char *want, size_t want_len)
{
    BrotliDecoderState *st = BrotliDecoderCreateInstance(NULL, NULL, NULL);
    const uint8_t *in = (const uint8_t *)resp->body;
    size_t avail_in = resp->body_len, avail_out = want_len + 1, total = 0;
    uint8_t *out = malloc(avail_out), *next_out = out;
    BrotliDecoderResult res;

    res = BrotliDecoderDecompressStream(st, &avail_in, &in, &avail_out, &next_out, &total);
    ck_assert_msg(res == BROTLI_DECODER_RESULT_SUCCESS, "not a whole br stream: %d", (int)res);
    ck_assert_int_eq(avail_in, 0);
    ck_assert_msg(total == want_len, "decoded %zu bytes, want %zu", total, want_len);
    ck_assert_msg(memcmp(out, want, want_len) == 0, "decoded bytes differ from the file");
    BrotliDecoderDestroyInstance(st);
    free(out);
}

/* GET @a path accepting gzip: it comes compressed, and is @a page decompressed. */
static void expect_gzipped(kvt_server_t *srv, const char *path, const char *page)
{
    kvt_response_t r;

    get(srv, path, "Accept-Encoding: gzip\r\n", &r);
    ck_assert_int_eq(r.status, 200);
    expect_field(&r, "Content-Encoding", "gzip");
    expect_gzip_of(&r, page, PAGE_LEN);
    kvt_response_free(&r);
}

/* GET @a path accepting gzip: it comes as it is, PAGE_LEN bytes. */
static void expect_plain(kvt_server_t *srv, const char *path)
{
    kvt_response_t r;

    get(srv, path, "Accept-Encoding: gzip\r\n", &r);
    ck_assert_int_eq(r.status, 200);
    expect_field(&r, "Content-Encoding", NULL);
    ck_assert_int_eq(r.body_len, PAGE_LEN);
    kvt_response_free(&r);
}

/* The ETag of @a path as sent without compression. */
static char *plain_etag(kvt_server_t *srv, const char *path)
{
    kvt_response_t r;
    char *etag;

    get(srv, path, "", &r);
    ck_assert_ptr_nonnull(kvt_header(&r, "ETag"));
    etag = strdup(kvt_header(&r, "ETag"));
    kvt_response_free(&r);
    return etag;
}

KVT_CASE(deflate_case, "deflate");
KVT_CASE(errors_case, "errors");

/* Debian's deflate.conf: html and css compressed (as Apache 2.4 sends them), a png not. */
KVC_TEST(deflate_case, test_debian_deflate_conf)
{
    kvt_server_t *srv = serve_debian();
    char *page = text_of(PAGE_LEN);
    char *etag = plain_etag(srv, "/p.html");
    char *want_etag = kvt_strf("%.*s-gzip\"", (int)strlen(etag) - 1, etag);
    kvt_response_t r;

    get(srv, "/p.html", "Accept-Encoding: gzip, deflate, br\r\n", &r);
    ck_assert_int_eq(r.status, 200);
    expect_field(&r, "Content-Encoding", "gzip");
    expect_field(&r, "Vary", "Accept-Encoding");
    expect_field(&r, "Content-Type", "text/html");
    expect_field(&r, "ETag", want_etag);
    ck_assert_ptr_nonnull(kvt_header(&r, "Content-Length"));
    ck_assert_int_eq(atol(kvt_header(&r, "Content-Length")), (long)r.body_len);
    ck_assert_msg(r.body_len < PAGE_LEN / 2, "%zu bytes: not compressed", r.body_len);
    expect_gzip_of(&r, page, PAGE_LEN);
    kvt_response_free(&r);

    expect_gzipped(srv, "/p.css", page);
    get(srv, "/img.png", "Accept-Encoding: gzip\r\n", &r);
    expect_field(&r, "Content-Encoding", NULL);
    expect_field(&r, "Vary", NULL);
    ck_assert_int_eq(r.body_len, PAGE_LEN);
    kvt_response_free(&r);
    free(page);
    free(etag);
    free(want_etag);
}
END_TEST

/* Without Accept-Encoding: gzip the file goes as it is, but Vary says the answer depends on
 * the field; q=0 refuses gzip; a body under 68 bytes is never compressed (no Vary either). */
KVC_TEST(deflate_case, test_not_accepted)
{
    kvt_server_t *srv = serve_debian();
    static const char *const refusing[] = {"", "Accept-Encoding: br, deflate\r\n",
                                           "Accept-Encoding: gzip;q=0, br\r\n",
                                           "Accept-Encoding: x-gzip\r\n"};
    kvt_response_t r;

    for (size_t i = 0; i < sizeof(refusing) / sizeof(refusing[0]); i++) {
        get(srv, "/p.html", refusing[i], &r);
        ck_assert_int_eq(r.status, 200);
        expect_field(&r, "Content-Encoding", NULL);
        expect_field(&r, "Vary", "Accept-Encoding");
        expect_field(&r, "Content-Length", "20000");
        ck_assert_int_eq(r.body_len, PAGE_LEN);
        kvt_response_free(&r);
    }
    get(srv, "/tiny.html", "Accept-Encoding: gzip\r\n", &r);
    expect_field(&r, "Content-Encoding", NULL);
    expect_field(&r, "Vary", NULL);
    ck_assert_str_eq(r.body, "hi\n");
    kvt_response_free(&r);
}
END_TEST

/* HEAD says what GET gets, without a length it cannot know. A 304 carries no body, which
 * httpd's mod_deflate treats as too short to compress: its ETag is the file's, no Vary. */
KVC_TEST(deflate_case, test_head_and_not_modified)
{
    kvt_server_t *srv = serve_debian();
    char *etag = plain_etag(srv, "/p.html");
    char *cond = kvt_strf("If-None-Match: %s\r\nAccept-Encoding: gzip\r\n", etag);
    kvt_response_t r;

    request(srv, "HEAD", "/p.html", "Accept-Encoding: gzip\r\n", &r);
    ck_assert_int_eq(r.status, 200);
    expect_field(&r, "Content-Encoding", "gzip");
    expect_field(&r, "Vary", "Accept-Encoding");
    expect_field(&r, "Content-Length", NULL);
    ck_assert_int_eq(r.body_len, 0);
    kvt_response_free(&r);

    get(srv, "/p.html", cond, &r);
    ck_assert_int_eq(r.status, 304);
    expect_field(&r, "Content-Encoding", NULL);
    expect_field(&r, "Vary", NULL);
    expect_field(&r, "ETag", etag);
    kvt_response_free(&r);
    free(etag);
    free(cond);
}
END_TEST

/* As httpd: a range of a body compressed in one piece is cut from the compressed bytes; a
 * body compressed in several pieces (larger than DeflateBufferSize) goes whole, streaming. */
KVC_TEST(deflate_case, test_ranges)
{
    kvt_server_t *srv = serve_debian();
    kvt_response_t whole, part;
    char *want;

    get(srv, "/p.html", "Accept-Encoding: gzip\r\n", &whole);
    get(srv, "/p.html", "Accept-Encoding: gzip\r\nRange: bytes=0-9\r\n", &part);
    ck_assert_int_eq(part.status, 206);
    expect_field(&part, "Content-Encoding", "gzip");
    want = kvt_strf("bytes 0-9/%zu", whole.body_len);
    expect_field(&part, "Content-Range", want);
    ck_assert_int_eq(part.body_len, 10);
    ck_assert_int_eq(memcmp(part.body, whole.body, 10), 0);
    kvt_response_free(&whole);
    kvt_response_free(&part);
    free(want);
    kvt_server_stop(srv);

    srv = serve("AddOutputFilterByType DEFLATE text/html", "DeflateBufferSize 100", NULL);
    get(srv, "/p.html", "Accept-Encoding: gzip\r\nRange: bytes=0-9\r\n", &part);
    ck_assert_int_eq(part.status, 200);
    expect_field(&part, "Content-Range", NULL);
    ck_assert(part.chunked);
    want = text_of(PAGE_LEN);
    expect_gzip_of(&part, want, PAGE_LEN);
    kvt_response_free(&part);
    free(want);
}
END_TEST

/* The environment variables of httpd's mod_deflate: no-gzip, gzip-only-text/html, force-gzip. */
KVC_TEST(deflate_case, test_env_rules)
{
    kvt_server_t *srv = serve("SetOutputFilter DEFLATE", "BrowserMatch ^nogzip no-gzip",
                              "BrowserMatch ^htmlonly gzip-only-text/html=1",
                              "BrowserMatch ^force force-gzip", NULL);
    kvt_response_t r;

    get(srv, "/p.html", "Accept-Encoding: gzip\r\nUser-Agent: nogzip\r\n", &r);
    expect_field(&r, "Content-Encoding", NULL);
    ck_assert_int_eq(r.body_len, PAGE_LEN);
    kvt_response_free(&r);
    get(srv, "/p.css", "Accept-Encoding: gzip\r\nUser-Agent: htmlonly\r\n", &r);
    expect_field(&r, "Content-Encoding", NULL);
    kvt_response_free(&r);
    get(srv, "/p.html", "Accept-Encoding: gzip\r\nUser-Agent: htmlonly\r\n", &r);
    expect_field(&r, "Content-Encoding", "gzip");
    kvt_response_free(&r);
    get(srv, "/p.css", "User-Agent: force\r\n", &r);
    expect_field(&r, "Content-Encoding", "gzip");
    kvt_response_free(&r);
}
END_TEST

/* DeflateAlterETag NoChange and Remove; the level, window and memory settings still make a
 * stream zlib reads back. */
KVC_TEST(deflate_case, test_settings)
{
    kvt_server_t *srv =
        serve("SetOutputFilter DEFLATE", "DeflateAlterETag NoChange", "DeflateCompressionLevel 1",
              "DeflateWindowSize 9", "DeflateMemLevel 1", "DeflateBufferSize 512", NULL);
    char *etag = plain_etag(srv, "/p.txt");
    char *page = text_of(PAGE_LEN);
    kvt_response_t r;

    get(srv, "/p.txt", "Accept-Encoding: gzip\r\n", &r);
    expect_field(&r, "Content-Encoding", "gzip");
    expect_field(&r, "ETag", etag);
    expect_gzip_of(&r, page, PAGE_LEN);
    kvt_response_free(&r);
    kvt_server_stop(srv);

    srv = serve("SetOutputFilter DEFLATE", "DeflateAlterETag Remove", NULL);
    get(srv, "/p.txt", "Accept-Encoding: gzip\r\n", &r);
    expect_field(&r, "Content-Encoding", "gzip");
    expect_field(&r, "ETag", NULL);
    kvt_response_free(&r);
    free(etag);
    free(page);
}
END_TEST

/* SetOutputFilter per location; AddOutputFilter by extension, RemoveOutputFilter below; a
 * filter no module registered is logged and the response goes as it is. */
KVC_TEST(deflate_case, test_named_filters)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    char *page = text_of(PAGE_LEN);
    char *log;
    kvt_response_t r;

    kvt_write_file(srv, "a/p.txt", page, PAGE_LEN);
    kvt_write_file(srv, "b/p.txt", page, PAGE_LEN);
    kvt_write_file(srv, "b/sub/p.txt", page, PAGE_LEN);
    kvt_write_file(srv, "c/p.txt", page, PAGE_LEN);
    kvt_server_conf(srv, "LoadModule deflate_module %s/mod_deflate.so", MODULES);
    kvt_server_conf(srv, "<Location /a/>");
    kvt_server_conf(srv, "SetOutputFilter deflate");
    kvt_server_conf(srv, "</Location>");
    kvt_server_conf(srv, "<Directory %s/b>", kvt_server_docroot(srv));
    kvt_server_conf(srv, "AddOutputFilter DEFLATE .TXT");
    kvt_server_conf(srv, "</Directory>");
    kvt_server_conf(srv, "<Directory %s/b/sub>", kvt_server_docroot(srv));
    kvt_server_conf(srv, "RemoveOutputFilter txt");
    kvt_server_conf(srv, "</Directory>");
    kvt_server_conf(srv, "<Location /c/>");
    kvt_server_conf(srv, "SetOutputFilter NOSUCH;DEFLATE");
    kvt_server_conf(srv, "</Location>");
    kvt_server_start(srv);

    expect_gzipped(srv, "/a/p.txt", page);
    /* As Apache 2.4: an error page does not go through the content filters. */
    get(srv, "/a/missing.txt", "Accept-Encoding: gzip\r\n", &r);
    ck_assert_int_eq(r.status, 404);
    expect_field(&r, "Content-Encoding", NULL);
    ck_assert_ptr_nonnull(strstr(r.body, "Not Found"));
    kvt_response_free(&r);
    expect_gzipped(srv, "/b/p.txt", page);
    expect_plain(srv, "/b/sub/p.txt");
    expect_gzipped(srv, "/c/p.txt", page);
    log = kvt_server_wait_log(srv, "KV01260", 5000);
    ck_assert_msg(strstr(log, "KV01260: no output filter named 'NOSUCH'"), "log: %s", log);
    free(log);
    free(page);
}
END_TEST

/* FilterDeclare, FilterProvider with an expression, FilterChain and FilterProtocol. */
KVC_TEST(deflate_case, test_smart_filters)
{
    kvt_server_t *srv =
        serve("LogLevel debug", "FilterDeclare COMPRESS CONTENT_SET",
              "FilterProvider COMPRESS DEFLATE \"%{REQUEST_URI} =~ m#^/dir/#\"",
              "FilterProtocol COMPRESS DEFLATE cache=no", "FilterChain COMPRESS",
              "FilterTrace COMPRESS 1", "FilterProvider PICK DEFLATE \"%{REQUEST_URI} =~ m#pick#\"",
              "FilterProvider PICK BROTLI_COMPRESS \"%{REQUEST_URI} =~ m#pick#\"",
              "FilterChain +PICK", "<Location /dir/off/>", "FilterChain !", "</Location>", NULL);
    char *page = text_of(PAGE_LEN);
    char *log;
    kvt_response_t r;

    get(srv, "/dir/p.html", "Accept-Encoding: gzip\r\n", &r);
    expect_field(&r, "Content-Encoding", "gzip");
    expect_field(&r, "Cache-Control", "no-cache");
    expect_field(&r, "Last-Modified", NULL);
    kvt_response_free(&r);
    get(srv, "/p.html", "Accept-Encoding: gzip\r\n", &r);
    expect_field(&r, "Content-Encoding", NULL);
    expect_field(&r, "Cache-Control", NULL);
    kvt_response_free(&r);
    expect_plain(srv, "/img.png");
    /* Two providers match: the one configured last is tried first (httpd). */
    kvt_write_file(srv, "dir/pick.html", page, PAGE_LEN);
    get(srv, "/dir/pick.html", "Accept-Encoding: gzip, br\r\n", &r);
    expect_field(&r, "Content-Encoding", "br");
    expect_br_of(&r, page, PAGE_LEN);
    kvt_response_free(&r);
    kvt_write_file(srv, "dir/off/p.html",
                   "0123456789012345678901234567890123456789"
                   "0123456789012345678901234567890123456789",
                   80);
    get(srv, "/dir/off/p.html", "Accept-Encoding: gzip\r\n", &r);
    expect_field(&r, "Content-Encoding", NULL);
    ck_assert_int_eq(r.body_len, 80);
    kvt_response_free(&r);
    /* FilterTrace 1 logs the brigades that enter COMPRESS (the file, then its end). */
    log = kvt_server_wait_log(srv, "KV01269: COMPRESS: type: EOS", 5000);
    ck_assert_msg(strstr(log, "KV01268: COMPRESS"), "log: %s", log);
    ck_assert_msg(strstr(log, "KV01269: COMPRESS: type: EOS, length: 0"), "log: %s", log);
    free(log);
    free(page);
}
END_TEST

/* A HEAD to a handler that sends its body (a directory listing): the body is compressed
 * before it is dropped, so the Content-Length said is the compressed one (as httpd), never
 * the listing's own. */
KVC_TEST(deflate_case, test_head_listing)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    kvt_response_t get_r, head_r;
    char *want;

    for (int i = 0; i < 40; i++) {
        char *name = kvt_strf("list/file-number-%02d.txt", i);
        kvt_write_file(srv, name, "x", 1);
        free(name);
    }
    kvt_server_conf(srv, "LoadModule autoindex_module %s/mod_autoindex.so", MODULES);
    kvt_server_conf(srv, "LoadModule deflate_module %s/mod_deflate.so", MODULES);
    kvt_server_conf(srv, "Options +Indexes");
    kvt_server_conf(srv, "SetOutputFilter DEFLATE");
    kvt_server_start(srv);
    get(srv, "/list/", "Accept-Encoding: gzip\r\n", &get_r);
    ck_assert_int_eq(get_r.status, 200);
    expect_field(&get_r, "Content-Encoding", "gzip");
    ck_assert_ptr_nonnull(kvt_header(&get_r, "Content-Length"));
    request(srv, "HEAD", "/list/", "Accept-Encoding: gzip\r\n", &head_r);
    expect_field(&head_r, "Content-Encoding", "gzip");
    want = kvt_strf("%zu", get_r.body_len);
    expect_field(&head_r, "Content-Length", want);
    kvt_response_free(&get_r);
    kvt_response_free(&head_r);
    free(want);
}
END_TEST

/* mod_brotli with both filters, BROTLI_COMPRESS by SetOutputFilter and DEFLATE by type, as
 * in Apache 2.4 (the smart filter BYTYPE:DEFLATE stands where DEFLATE would, after it): a client
 * that accepts br gets br whatever its order or weights of gzip, one that refuses br (q=0,
 * no-brotli) gets gzip; the ETag gets -br; a body larger than libbrotli's blocks streams and
 * decodes whole. */
KVC_TEST(deflate_case, test_brotli)
{
    kvt_server_t *srv =
        serve("SetOutputFilter BROTLI_COMPRESS", "AddOutputFilterByType DEFLATE text/plain",
              "BrowserMatch ^nobr no-brotli", "BrotliCompressionQuality 4",
              "BrotliCompressionWindow 16", "BrotliCompressionMaxInputBlock 16", NULL);
    static const char *const br[] = {"br", "gzip, br", "br;q=0.1, gzip;q=1", "BR"};
    static const char *const gz[] = {"gzip", "br;q=0, gzip", "gzip\r\nUser-Agent: nobr"};
    char *page = text_of(PAGE_LEN);
    char *etag = plain_etag(srv, "/p.txt");
    char *want_etag = kvt_strf("%.*s-br\"", (int)strlen(etag) - 1, etag);
    kvt_response_t r;

    for (size_t i = 0; i < sizeof(br) / sizeof(br[0]); i++) {
        char *field = kvt_strf("Accept-Encoding: %s\r\n", br[i]);
        get(srv, "/p.txt", field, &r);
        ck_assert_msg(kvt_header(&r, "Content-Encoding") &&
                          strcmp(kvt_header(&r, "Content-Encoding"), "br") == 0,
                      "Accept-Encoding: %s: not br", br[i]);
        expect_field(&r, "Vary", "Accept-Encoding");
        expect_field(&r, "ETag", want_etag);
        expect_br_of(&r, page, PAGE_LEN);
        kvt_response_free(&r);
        free(field);
    }
    for (size_t i = 0; i < sizeof(gz) / sizeof(gz[0]); i++) {
        char *field = kvt_strf("Accept-Encoding: %s\r\n", gz[i]);
        get(srv, "/p.txt", field, &r);
        ck_assert_msg(kvt_header(&r, "Content-Encoding") &&
                          strcmp(kvt_header(&r, "Content-Encoding"), "gzip") == 0,
                      "Accept-Encoding: %s: not gzip", gz[i]);
        expect_field(&r, "Vary", "Accept-Encoding");
        expect_gzip_of(&r, page, PAGE_LEN);
        kvt_response_free(&r);
        free(field);
    }
    free(page);
    free(etag);
    free(want_etag);
}
END_TEST

/* A large file streams through libbrotli (more than one pass down the chain: chunked) and
 * decodes to the file; BrotliAlterETag Remove drops the ETag. */
KVC_TEST(deflate_case, test_brotli_large)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    size_t n = 3 * 1024 * 1024;
    char *big = text_of(n);
    kvt_response_t r;

    for (size_t i = 0; i < n; i += 4093) {
        big[i] = (char)(i * 2654435761u >> 24); /* enough noise to keep the output large */
    }
    kvt_write_file(srv, "big.txt", big, n);
    kvt_server_conf(srv, "LoadModule brotli_module %s/mod_brotli.so", MODULES);
    kvt_server_conf(srv, "SetOutputFilter BROTLI_COMPRESS");
    kvt_server_conf(srv, "BrotliAlterETag Remove");
    kvt_server_start(srv);
    get(srv, "/big.txt", "Accept-Encoding: br\r\n", &r);
    ck_assert_int_eq(r.status, 200);
    expect_field(&r, "Content-Encoding", "br");
    expect_field(&r, "ETag", NULL);
    ck_assert(r.chunked);
    expect_br_of(&r, big, n);
    kvt_response_free(&r);
    free(big);
}
END_TEST

/* @a len bytes at @a in as a gzip member (malloc'd, length in *out_len). */
static char *gzip_of(const char *in, size_t len, size_t *out_len)
{
    z_stream zs;
    size_t cap = deflateBound(NULL, len) + 64;
    char *out = malloc(cap);

    memset(&zs, 0, sizeof(zs));
    ck_assert_int_eq(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)len;
    zs.next_out = (Bytef *)out;
    zs.avail_out = (uInt)cap;
    ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *out_len = zs.total_out;
    deflateEnd(&zs);
    return out;
}

/* A file of the docroot dated @a age seconds ago. */
static void age_file(kvt_server_t *srv, const char *relpath, int age)
{
    char *path = kvt_strf("%s/%s", kvt_server_docroot(srv), relpath);
    struct utimbuf t;

    t.actime = t.modtime = time(NULL) - age;
    ck_assert_int_eq(utime(path, &t), 0);
    free(path);
}

/* DeflatePrecompressed and BrotliPrecompressed (kiva's own, as nginx's gzip_static): a client
 * that accepts the coding gets the sibling's bytes with its own length and ETag, the file's
 * type, Content-Encoding and Vary; br before gzip; a sibling older than the file is not used;
 * ranges are of the sibling's bytes. */
KVC_TEST(deflate_case, test_precompressed)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    char *page = text_of(PAGE_LEN);
    size_t gz_len, br_len = PAGE_LEN;
    char *gz = gzip_of(page, PAGE_LEN, &gz_len);
    uint8_t *br = malloc(br_len);
    char *len_text, *range_text, *plain_etag_css;
    kvt_response_t r, plain;

    ck_assert(BrotliEncoderCompress(5, 18, BROTLI_MODE_TEXT, PAGE_LEN, (const uint8_t *)page,
                                    &br_len, br));
    kvt_write_file(srv, "s/f.css", page, PAGE_LEN);
    kvt_write_file(srv, "s/f.css.gz", gz, gz_len);
    kvt_write_file(srv, "s/f.css.br", (const char *)br, br_len);
    kvt_write_file(srv, "s/old.css", page, PAGE_LEN);
    kvt_write_file(srv, "s/old.css.gz", gz, gz_len);
    age_file(srv, "s/old.css.gz", 100);
    kvt_write_file(srv, "off/f.css", page, PAGE_LEN);
    kvt_write_file(srv, "off/f.css.gz", gz, gz_len);
    kvt_server_conf(srv, "LoadModule deflate_module %s/mod_deflate.so", MODULES);
    kvt_server_conf(srv, "LoadModule brotli_module %s/mod_brotli.so", MODULES);
    kvt_server_conf(srv, "<Directory %s/s>", kvt_server_docroot(srv));
    kvt_server_conf(srv, "DeflatePrecompressed On");
    kvt_server_conf(srv, "BrotliPrecompressed On");
    kvt_server_conf(srv, "</Directory>");
    kvt_server_start(srv);

    get(srv, "/s/f.css", "", &plain);
    ck_assert_int_eq(plain.body_len, PAGE_LEN);
    expect_field(&plain, "Content-Encoding", NULL);
    expect_field(&plain, "Vary", "Accept-Encoding");
    plain_etag_css = strdup(kvt_header(&plain, "ETag"));
    kvt_response_free(&plain);

    get(srv, "/s/f.css", "Accept-Encoding: gzip\r\n", &r);
    ck_assert_int_eq(r.status, 200);
    expect_field(&r, "Content-Encoding", "gzip");
    expect_field(&r, "Content-Type", "text/css");
    expect_field(&r, "Vary", "Accept-Encoding");
    len_text = kvt_strf("%zu", gz_len);
    expect_field(&r, "Content-Length", len_text);
    ck_assert_int_eq(r.body_len, gz_len);
    ck_assert_int_eq(memcmp(r.body, gz, gz_len), 0);
    ck_assert_str_ne(kvt_header(&r, "ETag"), plain_etag_css);
    kvt_response_free(&r);

    get(srv, "/s/f.css", "Accept-Encoding: gzip, br\r\n", &r);
    expect_field(&r, "Content-Encoding", "br");
    ck_assert_int_eq(r.body_len, br_len);
    ck_assert_int_eq(memcmp(r.body, br, br_len), 0);
    expect_br_of(&r, page, PAGE_LEN);
    kvt_response_free(&r);

    get(srv, "/s/f.css", "Accept-Encoding: gzip\r\nRange: bytes=10-19\r\n", &r);
    ck_assert_int_eq(r.status, 206);
    range_text = kvt_strf("bytes 10-19/%zu", gz_len);
    expect_field(&r, "Content-Range", range_text);
    ck_assert_int_eq(r.body_len, 10);
    ck_assert_int_eq(memcmp(r.body, gz + 10, 10), 0);
    kvt_response_free(&r);

    request(srv, "HEAD", "/s/f.css", "Accept-Encoding: gzip\r\n", &r);
    expect_field(&r, "Content-Encoding", "gzip");
    expect_field(&r, "Content-Length", len_text);
    kvt_response_free(&r);

    get(srv, "/s/old.css", "Accept-Encoding: gzip\r\n", &r);
    expect_field(&r, "Content-Encoding", NULL);
    expect_field(&r, "Vary", NULL);
    ck_assert_int_eq(r.body_len, PAGE_LEN);
    kvt_response_free(&r);
    expect_plain(srv, "/off/f.css");
    free(page);
    free(gz);
    free(br);
    free(len_text);
    free(range_text);
    free(plain_etag_css);
}
END_TEST

/* The notes log of test_filter_notes as it is (malloc'd; "" if there is none). */
static char *read_log(const char *path)
{
    char *text = calloc(1, 4096);
    FILE *f = fopen(path, "r");

    if (f) {
        size_t n = fread(text, 1, 4095, f);
        text[n] = '\0';
        fclose(f);
    }
    return text;
}

/* Both requests of test_filter_notes are logged. */
static int log_has_both(void *path)
{
    char *text = read_log(path);
    int done = strstr(text, "/dir/") && strstr(text, "/p.txt");

    free(text);
    return done;
}

/* DeflateFilterNote and BrotliFilterNote: the counts of a compressed response in its notes,
 * as %{name}n logs them (httpd's documented LogFormat for them). */
KVC_TEST(deflate_case, test_filter_notes)
{
    kvt_server_t *srv =
        serve("DeflateFilterNote Input instream", "DeflateFilterNote Output outstream",
              "DeflateFilterNote Ratio ratio", "BrotliFilterNote brratio", "<Location /dir/>",
              "SetOutputFilter BROTLI_COMPRESS", "</Location>", "<Location /p.txt>",
              "SetOutputFilter DEFLATE", "</Location>",
              "LoadModule log_config_module " MODULES "/mod_log_config.so",
              "LogFormat \"%U %{instream}n %{outstream}n %{ratio}n %{brratio}n\" notes",
              "CustomLog logs/notes_log notes", NULL);
    char *path = kvt_strf("%s/logs/notes_log", kvt_server_root(srv));
    char *want, *line;
    size_t gz_len, br_len;
    kvt_response_t r;

    get(srv, "/p.txt", "Accept-Encoding: gzip\r\n", &r);
    expect_field(&r, "Content-Encoding", "gzip");
    gz_len = r.body_len;
    kvt_response_free(&r);
    get(srv, "/dir/p.html", "Accept-Encoding: br\r\n", &r);
    expect_field(&r, "Content-Encoding", "br");
    br_len = r.body_len;
    kvt_response_free(&r);
    ck_assert_msg(kvt_wait_for(log_has_both, path, 10000), "not logged");
    line = read_log(path);
    /* The two lines in either order: two children may log them. */
    want = kvt_strf("/p.txt 20000 %zu %d -\n", gz_len, (int)(gz_len * 100 / PAGE_LEN));
    ck_assert_msg(strstr(line, want), "log: %s, want %s", line, want);
    free(want);
    want = kvt_strf("/dir/p.html - - - %d\n", (int)(br_len * 100 / PAGE_LEN));
    ck_assert_msg(strstr(line, want), "log: %s, want %s", line, want);
    free(want);
    free(line);
    free(path);
}
END_TEST

/* The filter registry is rebuilt with each generation (modules are loaded again): after a
 * graceful and a hard restart the named filters still compress. */
KVC_TEST(deflate_case, test_restart)
{
    kvt_server_t *srv = serve("SetOutputFilter DEFLATE", NULL);
    char *page = text_of(PAGE_LEN);

    expect_gzipped(srv, "/p.txt", page);
    ck_assert_int_eq(kill(kvt_server_pid(srv), SIGUSR1), 0);
    kvt_wait_generation(srv, 1);
    expect_gzipped(srv, "/p.txt", page);
    ck_assert_int_eq(kill(kvt_server_pid(srv), SIGHUP), 0);
    kvt_wait_generation(srv, 2);
    expect_gzipped(srv, "/p.txt", page);
    free(page);
}
END_TEST

/* What kiva -t says of mod_filter's and mod_deflate's errors. */
#define REFUSALS_FILE "tests/integration/deflate_refusals.vectors"
#define REFUSALS 15 /* the vectors in REFUSALS_FILE */

KVC_LOOP_TEST(errors_case, test_refused_line, 0, REFUSALS)
{
    kvt_server_t *srv = kvt_server_new("prefork");

    kvt_server_conf(srv, "LoadModule deflate_module %s/mod_deflate.so", MODULES);
    kvt_server_conf(srv, "LoadModule filter_module %s/mod_filter.so", MODULES);
    kvt_server_conf(srv, "LoadModule brotli_module %s/mod_brotli.so", MODULES);
    kvt_assert_refused_vector(srv, "-t", kvc_vector(REFUSALS_FILE, REFUSALS, 2, _i));
}
END_TEST

/* A CGI script writes half of its output, then waits for the test's go-ahead: the compressed
 * first half must reach the client while the script still runs. A filter that held the
 * response until its end would send nothing before the go-ahead. */
#define HALF (256 * 1024)

static char *read_some(int fd, size_t want, size_t *got, int timeout_ms)
{
    char *buf = malloc(want + 65536);
    long deadline = kvt_now_ms() + timeout_ms;

    *got = 0;
    while (*got < want && kvt_now_ms() < deadline) {
        struct pollfd p = {fd, POLLIN, 0};
        ssize_t n;
        if (poll(&p, 1, 100) <= 0) {
            continue;
        }
        n = recv(fd, buf + *got, want + 65536 - *got, 0);
        if (n <= 0) {
            break;
        }
        *got += (size_t)n;
    }
    return buf;
}

/* The body of a chunked response in @a raw (after the head), de-chunked. */
static char *dechunk(const char *raw, size_t len, size_t *out_len)
{
    const char *p = strstr(raw, "\r\n\r\n"), *end = raw + len;
    char *out = malloc(len);

    ck_assert_ptr_nonnull(p);
    p += 4;
    *out_len = 0;
    while (p < end) {
        char *e;
        unsigned long n = strtoul(p, &e, 16);
        ck_assert_msg(e != p, "bad chunk size");
        p = strstr(e, "\r\n") + 2;
        if (n == 0) {
            break;
        }
        ck_assert_msg(p + n <= end, "short chunk");
        memcpy(out + *out_len, p, n);
        *out_len += n;
        p += n + 2;
    }
    return out;
}

KVC_TEST(deflate_case, test_streams)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    char *state = kvt_strf("%s/state", kvt_server_root(srv));
    char *script =
        kvt_strf("#!/bin/sh\n"
                 "printf 'Content-Type: text/plain\\r\\n\\r\\n'\n"
                 "head -c %d /dev/urandom > %s/first\n"
                 "cat %s/first\n"
                 "i=0\n"
                 "while [ ! -e %s/go ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done\n"
                 "echo the-end\n",
                 HALF, state, state, state);
    char *go = kvt_strf("%s/go", state);
    const char *path;
    char *raw, *body, *plain, *first, *fpath;
    size_t got, body_len, plain_len, first_len;
    int fd;
    FILE *f;

    kvt_write_root_file(srv, "state/.keep", "");
    ck_assert_int_eq(chmod(state, 0777), 0);
    path = kvt_write_root_file(srv, "cgi-bin/half.cgi", script);
    ck_assert_int_eq(chmod(path, 0755), 0);
    kvt_server_conf(srv, "LoadModule alias_module %s/mod_alias.so", MODULES);
    kvt_server_conf(srv, "LoadModule cgi_module %s/mod_cgi.so", MODULES);
    kvt_server_conf(srv, "LoadModule deflate_module %s/mod_deflate.so", MODULES);
    kvt_server_conf(srv, "LoadModule filter_module %s/mod_filter.so", MODULES);
    kvt_server_conf(srv, "ScriptAlias /cgi-bin/ \"%s/cgi-bin/\"", kvt_server_root(srv));
    kvt_server_conf(srv, "AddOutputFilterByType DEFLATE text/plain");
    kvt_server_start(srv);

    fd = kvt_connect(kvt_server_port(srv));
    kvt_send(fd, "GET /cgi-bin/half.cgi HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                 "Accept-Encoding: gzip\r\n\r\n");
    /* Random bytes do not compress: most of the first half is on the wire by now. */
    raw = read_some(fd, HALF / 2, &got, 15000);
    ck_assert_msg(got >= HALF / 2, "only %zu bytes before the script finished", got);
    ck_assert_msg(access(go, F_OK) != 0, "the script was let go too early");
    f = fopen(go, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    {
        size_t rest_len;
        char *rest = kvt_read_until_close(fd, &rest_len);
        raw = realloc(raw, got + rest_len + 1);
        memcpy(raw + got, rest, rest_len);
        got += rest_len;
        raw[got] = '\0';
        free(rest);
    }
    close(fd);
    ck_assert_msg(strstr(raw, "Content-Encoding: gzip\r\n"), "head: %.300s", raw);
    body = dechunk(raw, got, &body_len);
    plain = gunzip(body, body_len, &plain_len);
    fpath = kvt_strf("%s/first", state);
    f = fopen(fpath, "rb");
    ck_assert_ptr_nonnull(f);
    first = malloc(HALF);
    first_len = fread(first, 1, HALF, f);
    fclose(f);
    ck_assert_int_eq(first_len, HALF);
    ck_assert_int_eq(plain_len, HALF + strlen("the-end\n"));
    ck_assert_int_eq(memcmp(plain, first, HALF), 0);
    ck_assert_int_eq(memcmp(plain + HALF, "the-end\n", 8), 0);
    free(raw);
    free(body);
    free(plain);
    free(first);
    free(fpath);
    free(go);
    free(script);
    free(state);
}
END_TEST

int main(void)
{
    return kvc_run("deflate");
}
