/* mod_reqtimeout: RequestReadTimeout bounds reading a request head and body in all, as
 * Debian's apache2 does with the same settings: a head whose request line came gets a 408
 * (logged with its request line, "Request header read timeout" in the error log), a head
 * cut short in its request line only a closed connection (and a log line, on a first
 * request); MinRate pushes the deadline back; a kept-alive connection's wait for its next
 * request is KeepAliveTimeout's; a body that runs out gets a 408; a virtual host has its
 * own body setting. Under every MPM (one run each; KVT_MPM=name runs one). */
#include "harness.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A stage of 1 s runs out well before this; Timeout (60 s) does not. */
#define EXPIRY_DEADLINE_MS 6000
#define LINE_DEADLINE_MS 5000
#define GET_HEAD "GET /f.txt HTTP/1.1\r\nHost: localhost\r\n"

static kvt_server_t *new_server(const char *timeouts)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());

    kvt_server_conf(srv, "LoadModule log_config_module %s/modules/.libs/mod_log_config.so",
                    KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "LoadModule logio_module %s/modules/.libs/mod_logio.so", KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "LoadModule reqtimeout_module %s/modules/.libs/mod_reqtimeout.so",
                    KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "CustomLog logs/access_log \"%%>s \\\"%%r\\\" %%I\"");
    kvt_server_conf(srv, "Timeout 60");
    if (timeouts) {
        kvt_server_conf(srv, "RequestReadTimeout %s", timeouts);
    }
    kvt_write_file(srv, "f.txt", "hello", 5);
    return srv;
}

/* Nothing (no byte, no end) arrives on @a fd for @a ms. */
static int quiet_for(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    long deadline = kvt_now_ms() + ms;
    long left;

    while ((left = deadline - kvt_now_ms()) > 0) {
        int r = poll(&p, 1, (int)left);
        if (r != 0) {
            return 0;
        }
    }
    return 1;
}

struct log_cond {
    char *path;
    const char *needle;
};

static int log_has(void *arg)
{
    struct log_cond *c = arg;
    FILE *f = fopen(c->path, "r");
    char buf[4096];
    size_t n = 0;

    if (f) {
        n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
    }
    buf[n] = '\0';
    return strstr(buf, c->needle) != NULL;
}

static void assert_access_logged(kvt_server_t *srv, const char *line)
{
    struct log_cond c = {kvt_strf("%s/logs/access_log", kvt_server_root(srv)), line};

    ck_assert_msg(kvt_wait_for(log_has, &c, LINE_DEADLINE_MS), "access_log has no line '%s'", line);
    free(c.path);
}

static void assert_error_logged(kvt_server_t *srv, const char *needle)
{
    char *log = kvt_server_wait_log(srv, needle, LINE_DEADLINE_MS);

    ck_assert_msg(kvt_contains(log, needle), "error_log has no '%s':\n%s", needle, log);
    free(log);
}

/* The next response on @a fd has @a status. */
static void expect_status(int fd, int status)
{
    kvt_response_t r;

    ck_assert_msg(kvt_read_response(fd, &r, 0) == 0, "no response");
    ck_assert_int_eq(r.status, status);
    kvt_response_free(&r);
}

/* Send @a bytes and read the answer, which must come within EXPIRY_DEADLINE_MS and not
 * before @a not_before_ms. */
static void expect_timeout_answer(kvt_server_t *srv, const char *bytes, int not_before_ms,
                                  kvt_response_t *r)
{
    int fd = kvt_connect(kvt_server_port(srv));
    long start = kvt_now_ms(), took;

    kvt_send(fd, bytes);
    ck_assert_msg(kvt_read_response(fd, r, 0) == 0, "no answer to a request that timed out");
    took = kvt_now_ms() - start;
    ck_assert_msg(took >= not_before_ms && took < EXPIRY_DEADLINE_MS, "answered after %ld ms",
                  took);
    ck_assert_msg(kvt_is_closed(fd, LINE_DEADLINE_MS), "the connection stays open after a 408");
    close(fd);
}

KVT_CASE(reqtimeout_case, "reqtimeout");

/* The request line came, a header field did not end: 408 after the header stage, with
 * Connection: close, logged with the request line (apache2: the same). */
KVC_TEST(reqtimeout_case, test_header_timeout_answers_408)
{
    kvt_server_t *srv = new_server("header=1 body=0");
    kvt_response_t r;

    kvt_server_start(srv);
    expect_timeout_answer(srv, GET_HEAD "X-Slow: ab", 800, &r);
    ck_assert_int_eq(r.status, 408);
    ck_assert_msg(kvt_contains_nocase(kvt_header(&r, "Connection"), "close"), "no close");
    ck_assert_msg(kvt_contains(r.body, "Server timeout waiting for the HTTP request"), "%s",
                  r.body);
    kvt_response_free(&r);
    assert_access_logged(srv, "408 \"GET /f.txt HTTP/1.1\" 48");
    assert_error_logged(srv, "KV01300: Request header read timeout");
}
END_TEST

/* The request line did not end: no answer, the connection closes after the header stage,
 * and a first request is logged as 408 without a request line (apache2: `408 "-"`). */
KVC_TEST(reqtimeout_case, test_cut_request_line_closes)
{
    kvt_server_t *srv = new_server("header=1");
    int fd;
    long start, took;
    size_t n;
    char *got;

    kvt_server_start(srv);
    fd = kvt_connect(kvt_server_port(srv));
    start = kvt_now_ms();
    kvt_send(fd, "GET /f.txt HT");
    got = kvt_read_until_close(fd, &n);
    took = kvt_now_ms() - start;
    ck_assert_msg(n == 0, "answered: %s", got);
    ck_assert_msg(took >= 800 && took < EXPIRY_DEADLINE_MS, "closed after %ld ms", took);
    free(got);
    close(fd);
    assert_access_logged(srv, "408 \"-\" 13");
}
END_TEST

/* MinRate: each byte received pushes the deadline back (here 100 ms a byte), so a head that
 * keeps coming outlives the first second; the range's maximum still ends it. */
KVC_TEST(reqtimeout_case, test_min_rate_extends_up_to_the_maximum)
{
    kvt_server_t *srv = new_server("header=1-3,MinRate=10");
    int fd;

    kvt_server_start(srv);
    fd = kvt_connect(kvt_server_port(srv));
    kvt_send(fd, GET_HEAD); /* 38 bytes: 3.8 s more, capped at 3 s in all */
    ck_assert_msg(quiet_for(fd, 1500), "ended before the rate's extension");
    kvt_send(fd, "Connection: close\r\n\r\n");
    expect_status(fd, 200);
    close(fd);
    /* the maximum: bytes that keep coming do not hold the head open past 3 s */
    fd = kvt_connect(kvt_server_port(srv));
    kvt_send(fd, GET_HEAD);
    {
        long start = kvt_now_ms(), took;
        int i = 0;

        while (quiet_for(fd, 200) && i++ < 40) {
            kvt_send_raw(fd, "X-A: b\r\n", 8);
        }
        took = kvt_now_ms() - start;
        ck_assert_msg(took >= 2500 && took < 3000 + EXPIRY_DEADLINE_MS,
                      "the head ended after %ld ms", took);
    }
    expect_status(fd, 408);
    close(fd);
}
END_TEST

/* On a kept-alive connection the header stage begins with the next request's first byte:
 * the idle wait before it is KeepAliveTimeout's. */
KVC_TEST(reqtimeout_case, test_keepalive_wait_is_not_the_header_stage)
{
    kvt_server_t *srv = new_server("header=1");
    int fd;

    kvt_server_conf(srv, "KeepAliveTimeout 10");
    kvt_server_start(srv);
    fd = kvt_connect(kvt_server_port(srv));
    kvt_send(fd, GET_HEAD "\r\n");
    expect_status(fd, 200);
    ck_assert_msg(quiet_for(fd, 1600), "the idle connection ended within the header stage");
    kvt_send(fd, GET_HEAD "Connection: close\r\n\r\n");
    expect_status(fd, 200);
    close(fd);
}
END_TEST

/* A body that stops coming: 408 once the body stage is over (apache2: the same, logged with
 * "Request body read timeout"). */
KVC_TEST(reqtimeout_case, test_body_timeout_answers_408)
{
    kvt_server_t *srv = new_server("header=5 body=1");
    kvt_response_t r;

    kvt_server_start(srv);
    expect_timeout_answer(srv,
                          "POST /f.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\n"
                          "01234",
                          800, &r);
    ck_assert_int_eq(r.status, 408);
    kvt_response_free(&r);
    assert_error_logged(srv, "KV01300: Request body read timeout");
}
END_TEST

/* A virtual host's body stage is its own; the main server's header stage holds for all. */
KVC_TEST(reqtimeout_case, test_vhost_body_setting)
{
    kvt_server_t *srv = new_server("header=5 body=0");
    kvt_response_t r;

    kvt_server_conf(srv,
                    "<VirtualHost *>\nServerName slow.example\nDocumentRoot \"%s\"\n"
                    "RequestReadTimeout body=1\n</VirtualHost>",
                    kvt_server_docroot(srv));
    kvt_server_conf(srv,
                    "<VirtualHost *>\nServerName localhost\nDocumentRoot \"%s\"\n"
                    "</VirtualHost>",
                    kvt_server_docroot(srv));
    kvt_server_start(srv);
    expect_timeout_answer(srv,
                          "POST /f.txt HTTP/1.1\r\nHost: slow.example\r\nContent-Length: 10\r\n"
                          "\r\n01234",
                          800, &r);
    ck_assert_int_eq(r.status, 408);
    kvt_response_free(&r);
    {
        int fd = kvt_connect(kvt_server_port(srv));

        kvt_send(fd, "POST /f.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n"
                     "Connection: close\r\n\r\n01234");
        ck_assert_msg(quiet_for(fd, 1600), "the other host's body has no stage, but ended");
        kvt_send(fd, "56789");
        expect_status(fd, 200);
        close(fd);
    }
}
END_TEST

/* Loaded without a RequestReadTimeout line, httpd 2.4's defaults hold: header=20-40,
 * MinRate=500 (here: a head cut short is answered long before Timeout 60 would). Too slow
 * to wait out in full: the test checks that a head is not answered within 1.5 s, as the
 * stage is 20 s, and that Debian's reqtimeout.conf is taken. */
KVC_TEST(reqtimeout_case, test_debian_conf_and_defaults)
{
    kvt_server_t *srv = new_server(NULL);
    const char *conf = kvt_write_root_file(
        srv, "reqtimeout.conf",
        "<IfModule reqtimeout_module>\n"
        "\t# Wait max 20 seconds for the first byte of the request line+headers\n"
        "\tRequestReadTimeout header=20-40,minrate=500\n"
        "\tRequestReadTimeout body=10,minrate=500\n"
        "</IfModule>\n");
    int fd;

    kvt_server_conf(srv, "Include %s", conf);
    if (access("/etc/apache2/mods-available/reqtimeout.conf", R_OK) == 0) {
        kvt_server_conf(srv, "Include /etc/apache2/mods-available/reqtimeout.conf");
    }
    kvt_server_start(srv);
    fd = kvt_connect(kvt_server_port(srv));
    kvt_send(fd, GET_HEAD);
    ck_assert_msg(quiet_for(fd, 1500), "a 20 s header stage ended early");
    close(fd);
}
END_TEST

int main(void)
{
    return kvt_run_mpms("reqtimeout", 0);
}
