/* The Host field and the absolute-form authority under prefork (RFC 9112 section 3.2): an
 * invalid one is answered 400 and the connection closed; a valid one selects the virtual
 * host by its lower-cased name, which is what SERVER_NAME, %V and redirects show. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOAD "LoadModule %s_module %s/modules/.libs/mod_%s.so"
#define NEXT "GET /which.txt HTTP/1.1\r\nHost: first.test\r\n\r\n"
#define LOG_DEADLINE_MS 5000

/* Two name-based hosts on the port: first.test (the default) and two.test with its own
 * DocumentRoot and a Redirect; both run ServerRoot/cgi-bin/ and log "%v %V %>s %U". */
static kvt_server_t *hosts(void)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    const char *two = kvt_write_root_file(srv, "two/which.txt", "two");
    const char *env = kvt_write_root_file(srv, "cgi-bin/env.cgi",
                                          "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\n"
                                          "echo \"SERVER_NAME=$SERVER_NAME\"\n"
                                          "echo \"HTTP_HOST=$HTTP_HOST\"\n");

    ck_assert_int_eq(chmod(env, 0755), 0);
    kvt_write_file(srv, "which.txt", "main", 4);
    kvt_write_file(srv, "d/index.html", "index", 5);
    kvt_write_root_file(srv, "two/d/index.html", "index");
    kvt_server_conf(srv, LOAD, "alias", KV_TEST_BUILDDIR, "alias");
    kvt_server_conf(srv, LOAD, "cgi", KV_TEST_BUILDDIR, "cgi");
    kvt_server_conf(srv, LOAD, "log_config", KV_TEST_BUILDDIR, "log_config");
    kvt_server_conf(srv, "ScriptAlias /cgi-bin/ \"%s/cgi-bin/\"", kvt_server_root(srv));
    kvt_server_conf(srv, "CustomLog logs/host_log \"%%v %%V %%>s %%U\"");
    kvt_server_conf(srv, "<VirtualHost *:%d>", kvt_server_port(srv));
    kvt_server_conf(srv, "    ServerName first.test");
    kvt_server_conf(srv, "</VirtualHost>");
    kvt_server_conf(srv, "<VirtualHost *:%d>", kvt_server_port(srv));
    kvt_server_conf(srv, "    ServerName two.test");
    kvt_server_conf(srv, "    DocumentRoot \"%.*s\"", (int)(strlen(two) - strlen("/which.txt")),
                    two);
    kvt_server_conf(srv, "    Redirect /r /dest");
    kvt_server_conf(srv, "</VirtualHost>");
    kvt_server_start(srv);
    return srv;
}

/* @a request on a new connection with a valid request pipelined behind it: answered 400
 * with Connection: close, and the request behind it never. */
static void expect_refused(kvt_server_t *srv, const char *request, const char *what)
{
    int fd = kvt_connect(kvt_server_port(srv));
    kvt_response_t r;
    char *all = kvt_strf("%s" NEXT, request);
    char *rest;
    size_t len = 0;

    kvt_send(fd, all);
    ck_assert_msg(kvt_read_response(fd, &r, 0) == 0, "%s: no response", what);
    ck_assert_msg(r.status == 400, "%s: status %d, want 400", what, r.status);
    ck_assert_msg(kvt_contains_nocase(kvt_header(&r, "Connection"), "close"),
                  "%s: does not say close", what);
    rest = kvt_read_until_close(fd, &len);
    ck_assert_msg(len == 0, "%s: answered after the refusal: %.80s", what, rest);
    free(rest);
    free(all);
    kvt_response_free(&r);
    close(fd);
}

/* Host values the issue and httpd's strict check refuse, as the field's bytes. */
static const char *const bad_hosts[] = {
    "a b",
    "a\tb",
    "a/b",
    "a\\b",
    "a..b",
    ".a.test",
    "a<b",
    "a>b",
    "a\"b",
    "a%41",
    "a,b",
    ":80",
    "x:65536",
    "x:+80",
    "x:8a",
    "x:80:90",
    "1.2.3",
    "256.1.1.1",
    "a.1test",
    "[v1.x]",
    "[::1",
    "::1",
    "[1.2.3.4]",
    "[fe80::1%25eth0]",
    "caf\xc3\xa9.test",
};

KVT_CASE(host_case, "host");

KVC_TEST(host_case, test_invalid_host_refused_and_closed)
{
    kvt_server_t *srv = hosts();

    for (int i = 0; i < KVT_COUNT(bad_hosts); i++) {
        char *req = kvt_strf("GET /which.txt HTTP/1.1\r\nHost: %s\r\n\r\n", bad_hosts[i]);
        char *what = kvt_strf("Host '%s'", bad_hosts[i]);
        char *logged = kvt_strf("invalid Host field '%s'", bad_hosts[i]);
        char *log;

        expect_refused(srv, req, what);
        log = kvt_server_wait_log(srv, logged, LOG_DEADLINE_MS);
        ck_assert_msg(kvt_contains(log, logged), "%s: not logged as invalid", what);
        free(log);
        free(logged);
        free(what);
        free(req);
    }
}
END_TEST

/* Without a usable host: no Host in HTTP/1.1, an empty one (httpd refuses it too), two. */
KVC_TEST(host_case, test_missing_empty_or_second_host_refused)
{
    kvt_server_t *srv = hosts();
    kvt_response_t r;

    expect_refused(srv, "GET /which.txt HTTP/1.1\r\n\r\n", "no Host");
    expect_refused(srv, "GET /which.txt HTTP/1.1\r\nHost:\r\n\r\n", "empty Host");
    expect_refused(srv, "GET /which.txt HTTP/1.1\r\nHost: first.test\r\nHost: first.test\r\n\r\n",
                   "two Host fields");
    /* HTTP/1.0 may go without a host, or send an empty Host: the default host answers. */
    ck_assert_int_eq(
        kvt_request(kvt_server_port(srv), "GET /which.txt HTTP/1.0\r\nHost:\r\n\r\n", &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "main");
    kvt_response_free(&r);
}
END_TEST

/* The authority of an absolute-form target is checked as a Host field is, and the Host
 * field must be valid too (RFC 9112 section 3.2), even though the authority wins. */
KVC_TEST(host_case, test_invalid_authority_refused_and_closed)
{
    kvt_server_t *srv = hosts();
    static const char *const refused[] = {
        "GET http://a..b/which.txt HTTP/1.1\r\nHost: first.test\r\n\r\n",
        "GET http://a%41/which.txt HTTP/1.1\r\nHost: first.test\r\n\r\n",
        "GET http://:80/which.txt HTTP/1.1\r\nHost: first.test\r\n\r\n",
        "GET http://[v1.x]/which.txt HTTP/1.1\r\nHost: first.test\r\n\r\n",
        "GET http://x:+80/which.txt HTTP/1.1\r\nHost: first.test\r\n\r\n",
        "GET http://two.test/which.txt HTTP/1.1\r\nHost: a..b\r\n\r\n",
        "GET http://two.test/which.txt HTTP/1.1\r\nHost: x:99999\r\n\r\n",
        "GET http://two.test/which.txt HTTP/1.1\r\n\r\n",
    };

    for (int i = 0; i < KVT_COUNT(refused); i++) {
        expect_refused(srv, refused[i], refused[i]);
    }
}
END_TEST

/* A CGI variable's line in @a r's body ("NAME=value"). */
static void expect_var(const kvt_response_t *r, const char *name, const char *value)
{
    char *line = kvt_strf("%s=%s\n", name, value);

    ck_assert_msg(r->status == 200, "status %d for %s", r->status, name);
    ck_assert_msg(kvt_contains(r->body, line), "no %s in:\n%s", line, r->body);
    free(line);
}

static void request(kvt_server_t *srv, const char *target, const char *host, kvt_response_t *r)
{
    char *req = kvt_strf("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, host);

    ck_assert_int_eq(kvt_request(kvt_server_port(srv), req, r), 0);
    free(req);
}

struct log_wait {
    const char *path;
    const char *line;
};

static int log_has_line(void *arg)
{
    const struct log_wait *w = arg;
    FILE *f = fopen(w->path, "r");
    char buf[1024];
    int found = 0;

    while (f && !found && fgets(buf, sizeof(buf), f)) {
        found = strcmp(buf, w->line) == 0;
    }
    if (f) {
        fclose(f);
    }
    return found;
}

static void expect_logged(kvt_server_t *srv, const char *line)
{
    char *path = kvt_strf("%s/logs/host_log", kvt_server_root(srv));
    char *want = kvt_strf("%s\n", line);
    struct log_wait w = {path, want};

    ck_assert_msg(kvt_wait_for(log_has_line, &w, LOG_DEADLINE_MS), "no line '%s' in %s", line,
                  path);
    free(want);
    free(path);
}

/* "TWO.Test." (mixed case, the DNS root's dot) is two.test: its host answers, and the name
 * is lower-case and without the dot in SERVER_NAME, %V and Location. */
KVC_TEST(host_case, test_mixed_case_host_lower_cased_everywhere)
{
    kvt_server_t *srv = hosts();
    char *host = kvt_strf("TWO.Test.:%d", kvt_server_port(srv));
    char *dest = kvt_strf("http://two.test:%d/dest?q", kvt_server_port(srv));
    char *slash = kvt_strf("http://two.test:%d/d/", kvt_server_port(srv));
    kvt_response_t r;

    request(srv, "/which.txt", host, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "two");
    kvt_response_free(&r);
    request(srv, "/cgi-bin/env.cgi", host, &r);
    expect_var(&r, "SERVER_NAME", "two.test");
    expect_var(&r, "HTTP_HOST", host);
    kvt_response_free(&r);
    request(srv, "/r?q", host, &r);
    ck_assert_int_eq(r.status, 302);
    ck_assert_pstr_eq(kvt_header(&r, "Location"), dest);
    kvt_response_free(&r);
    request(srv, "/d", host, &r);
    ck_assert_int_eq(r.status, 301);
    ck_assert_pstr_eq(kvt_header(&r, "Location"), slash);
    kvt_response_free(&r);
    expect_logged(srv, "two.test two.test 200 /which.txt");
    expect_logged(srv, "two.test two.test 200 /cgi-bin/env.cgi");
    free(slash);
    free(dest);
    free(host);
}
END_TEST

/* Valid, if odd: an empty port or port 0 (RFC 3986's port = *DIGIT; httpd refuses both in
 * the Host field), leading zeros, the DNS root's dot, capitals. */
KVC_TEST(host_case, test_odd_but_valid_hosts_served)
{
    kvt_server_t *srv = hosts();
    static const char *const odd[] = {"two.test:", "two.test:0", "two.test:00080", "TWO.TEST."};

    for (int i = 0; i < KVT_COUNT(odd); i++) {
        kvt_response_t r;
        request(srv, "/which.txt", odd[i], &r);
        ck_assert_msg(r.status == 200 && strcmp(r.body, "two") == 0, "Host '%s': %d %s", odd[i],
                      r.status, r.body);
        kvt_response_free(&r);
    }
}
END_TEST

/* The absolute-form authority selects the host and becomes the Host field, as in httpd. */
KVC_TEST(host_case, test_absolute_form_authority_selects_host)
{
    kvt_server_t *srv = hosts();
    kvt_response_t r;

    request(srv, "http://Two.TEST:8080/cgi-bin/env.cgi", "first.test", &r);
    expect_var(&r, "SERVER_NAME", "two.test");
    expect_var(&r, "HTTP_HOST", "two.test:8080");
    kvt_response_free(&r);
    expect_logged(srv, "two.test two.test 200 /cgi-bin/env.cgi");
}
END_TEST

/* An IPv6 Host is kept without brackets (%V), written with them in SERVER_NAME and URLs. */
KVC_TEST(host_case, test_ipv6_host)
{
    kvt_server_t *srv = hosts();
    char *host = kvt_strf("[::1]:%d", kvt_server_port(srv));
    char *slash = kvt_strf("http://[::1]:%d/d/", kvt_server_port(srv));
    kvt_response_t r;

    request(srv, "/cgi-bin/env.cgi", "[::ABCD]", &r);
    expect_var(&r, "SERVER_NAME", "[::abcd]");
    kvt_response_free(&r);
    request(srv, "/d", host, &r);
    ck_assert_int_eq(r.status, 301);
    ck_assert_pstr_eq(kvt_header(&r, "Location"), slash);
    kvt_response_free(&r);
    expect_logged(srv, "first.test ::abcd 200 /cgi-bin/env.cgi");
    free(slash);
    free(host);
}
END_TEST

int main(void)
{
    return kvc_run("host");
}
