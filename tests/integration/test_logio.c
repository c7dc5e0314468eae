/* mod_logio: %I, %O and %S count the bytes of each request and response as they crossed the
 * wire, as Debian's apache2 logs them for the same requests (heads, bodies with their
 * chunked framing, pipelined requests each with its own share); %O needs the module, as
 * in httpd. Under every MPM (one run each; KVT_MPM=name runs one). */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINE_DEADLINE_MS 5000

static kvt_server_t *new_server(void)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());

    kvt_server_conf(srv, "LoadModule log_config_module %s/modules/.libs/mod_log_config.so",
                    KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "LoadModule logio_module %s/modules/.libs/mod_logio.so", KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "LogFormat \"%%I %%O %%S %%>s\" io");
    kvt_server_conf(srv, "CustomLog logs/io_log io");
    kvt_write_file(srv, "f.txt", "hello", 5);
    return srv;
}

struct lines {
    const char *path;
    int want;
    char buf[4096];
};

static int has_lines(void *arg)
{
    struct lines *l = arg;
    FILE *f = fopen(l->path, "r");
    size_t n = 0;
    int count = 0;

    if (f) {
        n = fread(l->buf, 1, sizeof(l->buf) - 1, f);
        fclose(f);
    }
    l->buf[n] = '\0';
    for (size_t i = 0; i < n; i++) {
        count += l->buf[i] == '\n';
    }
    return count >= l->want;
}

/* The numbers of the first @a n lines of the io log: in, out, sum, status per line. */
static void read_log(kvt_server_t *srv, int n, long (*v)[4])
{
    struct lines l = {0};
    const char *s = l.buf;

    l.path = kvt_strf("%s/logs/io_log", kvt_server_root(srv));
    ck_assert_msg(kvt_wait_for(has_lines, &l, LINE_DEADLINE_MS), "io_log has not %d lines: %s", n,
                  l.buf);
    for (int i = 0; i < n; i++) {
        ck_assert_msg(sscanf(s, "%ld %ld %ld %ld", &v[i][0], &v[i][1], &v[i][2], &v[i][3]) == 4,
                      "line %d of: %s", i, l.buf);
        s = strchr(s, '\n') + 1;
    }
}

/* Send @a req on a new connection and read every byte until the server closes. */
static char *exchange(kvt_server_t *srv, const char *req, size_t *got)
{
    int fd = kvt_connect(kvt_server_port(srv));
    char *resp;

    kvt_send(fd, req);
    resp = kvt_read_until_close(fd, got);
    close(fd);
    return resp;
}

/* The LogFormat lines of the file at @a path (malloc'd). */
static char *debian_log_formats(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    char *out = strdup("");

    while (f && fgets(line, sizeof(line), f)) {
        if (strncmp(line, "LogFormat ", 10) == 0) {
            char *more = kvt_strf("%s%s", out, line);

            free(out);
            out = more;
        }
    }
    if (f) {
        fclose(f);
    }
    return out;
}

static const char *const single[] = {
    "GET /f.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    "POST /f.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\nConnection: close\r\n\r\n"
    "0123456789",
    "POST /f.txt HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
    "Connection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    "GET /missing HTTP/1.0\r\n\r\n",
};

KVT_CASE(logio, "logio");

/* One request per connection: %I is the whole request (apache2: 59, 90, 103 for the first
 * three), %O every byte the client received, %S their sum. */
KVC_LOOP_TEST(logio, test_one_request, 0, KVT_COUNT(single))
{
    kvt_server_t *srv = new_server();
    long v[1][4];
    size_t got;

    kvt_server_start(srv);
    free(exchange(srv, single[_i], &got));
    read_log(srv, 1, v);
    ck_assert_int_eq(v[0][0], (long)strlen(single[_i]));
    ck_assert_int_eq(v[0][1], (long)got);
    ck_assert_int_eq(v[0][2], v[0][0] + v[0][1]);
}
END_TEST

/* Pipelined requests on one connection: each line has its own request's and response's
 * bytes, not the connection's so far (apache2: 40 231 then 60 416 for these). */
KVC_TEST(logio, test_pipelined_requests_each_their_share)
{
    static const char first[] = "GET /f.txt HTTP/1.1\r\nHost: localhost\r\n\r\n";
    static const char second[] =
        "GET /nope HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    kvt_server_t *srv = new_server();
    char *resp, *split;
    long v[2][4];
    size_t got;

    kvt_server_start(srv);
    resp = exchange(srv, kvt_strf("%s%s", first, second), &got);
    split = strstr(resp + 1, "HTTP/1.1 404");
    ck_assert_msg(split != NULL, "no second response in: %s", resp);
    read_log(srv, 2, v);
    ck_assert_int_eq(v[0][0], (long)strlen(first));
    ck_assert_int_eq(v[0][1], (long)(split - resp));
    ck_assert_int_eq(v[0][3], 200);
    ck_assert_int_eq(v[1][0], (long)strlen(second));
    ck_assert_int_eq(v[1][1], (long)(got - (size_t)(split - resp)));
    ck_assert_int_eq(v[1][3], 404);
    free(resp);
}
END_TEST

/* A body no handler read (the request was refused before one ran) is discarded after its
 * request is logged: it is no part of the next request's %I. */
KVC_TEST(logio, test_unread_body_is_not_the_next_requests)
{
    static const char first[] = "POST /denied/x HTTP/1.1\r\nHost: localhost\r\n"
                                "Content-Length: 10\r\n\r\n0123456789";
    static const char second[] =
        "GET /f.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    kvt_server_t *srv = new_server();
    long v[2][4];
    size_t got;

    kvt_server_conf(srv, "LoadModule authz_core_module %s/modules/.libs/mod_authz_core.so",
                    KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "<Location /denied>\nRequire all denied\n</Location>");
    kvt_server_start(srv);
    free(exchange(srv, kvt_strf("%s%s", first, second), &got));
    read_log(srv, 2, v);
    ck_assert_int_eq(v[0][3], 403);
    ck_assert_int_eq(v[1][3], 200);
    ck_assert_int_eq(v[1][0], (long)strlen(second));
}
END_TEST

/* A refused head is logged with the bytes it took and the error page it got. */
KVC_TEST(logio, test_bad_request)
{
    static const char req[] = "GARBAGE\r\n\r\n";
    kvt_server_t *srv = new_server();
    long v[1][4];
    size_t got;

    kvt_server_start(srv);
    free(exchange(srv, req, &got));
    read_log(srv, 1, v);
    ck_assert_int_eq(v[0][3], 400);
    /* Under transport_trickle.sh the bytes come one at a time: the head is refused at the end
     * of its first line, before the rest is read, as when a client's segments split there. */
    if (!kvt_trickling()) {
        ck_assert_int_eq(v[0][0], (long)strlen(req));
    }
    ck_assert_int_eq(v[0][1], (long)got);
}
END_TEST

/* LogIOTrackTTFB On (here in one <Location>): %^FB is the microseconds from the request to
 * the first byte of its response, within what the client measured; elsewhere "-", as httpd. */
KVC_TEST(logio, test_time_to_first_byte)
{
    kvt_server_t *srv = new_server();
    struct lines l = {0};
    kvt_response_t r;
    long start, took, ttfb = -1;
    char uri[64];
    const char *timed;

    kvt_server_conf(srv, "LogFormat \"%%U %%^FB\" ttfb");
    kvt_server_conf(srv, "CustomLog logs/ttfb_log ttfb");
    kvt_server_conf(srv, "<Location /t>\nLogIOTrackTTFB On\n</Location>");
    kvt_write_file(srv, "t/f.txt", "timed", 5);
    kvt_server_start(srv);
    start = kvt_now_ms();
    kvt_get(kvt_server_port(srv), "/t/f.txt", &r);
    took = kvt_now_ms() - start;
    ck_assert_int_eq(r.status, 200);
    kvt_response_free(&r);
    kvt_get(kvt_server_port(srv), "/f.txt", &r);
    kvt_response_free(&r);
    l.path = kvt_strf("%s/logs/ttfb_log", kvt_server_root(srv));
    l.want = 2;
    ck_assert_msg(kvt_wait_for(has_lines, &l, LINE_DEADLINE_MS), "ttfb_log: %s", l.buf);
    /* A request is logged after its response is sent, so under a threaded MPM the second
     * line may come first: find each by its URI. */
    timed = strstr(l.buf, "/t/f.txt ");
    ck_assert_msg(timed && (timed == l.buf || timed[-1] == '\n'), "ttfb_log: %s", l.buf);
    ck_assert_msg(sscanf(timed, "%63s %ld", uri, &ttfb) == 2, "ttfb_log: %s", l.buf);
    ck_assert_str_eq(uri, "/t/f.txt");
    ck_assert_msg(ttfb > 0 && ttfb <= (took + 1) * 1000, "%%^FB %ld us, the client took %ld ms",
                  ttfb, took);
    ck_assert_msg(strncmp(l.buf, "/f.txt -\n", 9) == 0 || kvt_contains(l.buf, "\n/f.txt -\n"),
                  "ttfb_log: %s", l.buf);
}
END_TEST

/* Debian's apache2.conf's LogFormat lines (the file's own when it is there): with mod_logio
 * they load, and "combined" logs the response's bytes with %O. */
KVC_TEST(logio, test_debian_log_formats)
{
    static const char debian[] =
        "LogFormat \"%v:%p %h %l %u %t \\\"%r\\\" %>s %O \\\"%{Referer}i\\\" "
        "\\\"%{User-Agent}i\\\"\" vhost_combined\n"
        "LogFormat \"%h %l %u %t \\\"%r\\\" %>s %O \\\"%{Referer}i\\\" "
        "\\\"%{User-Agent}i\\\"\" combined\n"
        "LogFormat \"%h %l %u %t \\\"%r\\\" %>s %O\" common\n"
        "LogFormat \"%{Referer}i -> %U\" referer\n"
        "LogFormat \"%{User-agent}i\" agent\n";
    kvt_server_t *srv = new_server();
    struct lines l = {0};
    char *want;
    size_t got;

    kvt_server_conf(srv, "Include %s", kvt_write_root_file(srv, "formats.conf", debian));
    if (access("/etc/apache2/apache2.conf", R_OK) == 0) {
        kvt_server_conf(srv, "Include %s",
                        kvt_write_root_file(srv, "debian_formats.conf",
                                            debian_log_formats("/etc/apache2/apache2.conf")));
    }
    kvt_server_conf(srv, "CustomLog logs/combined_log combined");
    kvt_server_start(srv);
    free(exchange(srv, single[0], &got));
    l.path = kvt_strf("%s/logs/combined_log", kvt_server_root(srv));
    l.want = 1;
    ck_assert_msg(kvt_wait_for(has_lines, &l, LINE_DEADLINE_MS), "combined_log: %s", l.buf);
    want = kvt_strf("\"GET /f.txt HTTP/1.1\" 200 %zu \"-\" \"-\"\n", got);
    ck_assert_msg(kvt_contains(l.buf, want), "combined_log: %s, want %s", l.buf, want);
    free(want);
}
END_TEST

/* Without mod_logio, %O is no LogFormat code: httpd says "Unrecognized LogFormat directive". */
KVC_TEST(logio, test_codes_need_the_module)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    int status;
    char *out, *err;

    kvt_server_conf(srv, "LoadModule log_config_module %s/modules/.libs/mod_log_config.so",
                    KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "LogFormat \"%%h %%O\" io");
    ck_assert_int_eq(
        kvt_run_kiva(&status, &out, &err, "-t", "-f", kvt_server_write_conf(srv), NULL), 0);
    ck_assert_int_eq(status, 1);
    ck_assert_msg(kvt_contains(err, "unrecognized directive %O"), "stderr: %s", err);
}
END_TEST

int main(void)
{
    return kvt_run_mpms("logio", 0);
}
