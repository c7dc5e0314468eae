/* mod_cgi in a running prefork server: scripts under ScriptAlias and under AddHandler with
 * Options ExecCGI get the CGI/1.1 environment, the request body (Content-Length or chunked)
 * on stdin, and have their status, fields and body (or raw nph output) sent; stderr reaches
 * the error log; silent scripts are killed after Timeout; unrunnable scripts and malformed
 * output are refused with the right status. */
#include "harness.h"

#include <signal.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOAD_ALIAS "LoadModule alias_module %s/modules/.libs/mod_alias.so"
#define LOAD_CGI "LoadModule cgi_module %s/modules/.libs/mod_cgi.so"

/* A server with mod_alias and mod_cgi and /cgi-bin/ mapped to ServerRoot/cgi-bin/. */
static kvt_server_t *cgi_server(void)
{
    kvt_server_t *srv = kvt_server_new("prefork");

    kvt_server_conf(srv, LOAD_ALIAS, KV_TEST_BUILDDIR);
    kvt_server_conf(srv, LOAD_CGI, KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "ScriptAlias /cgi-bin/ \"%s/cgi-bin/\"", kvt_server_root(srv));
    return srv;
}

/* A /bin/sh script under ServerRoot with @a mode (the children run as daemon). */
static const char *write_script(kvt_server_t *srv, const char *relpath, const char *body,
                                mode_t mode)
{
    char *text = kvt_strf("#!/bin/sh\n%s", body);
    const char *path = kvt_write_root_file(srv, relpath, text);

    ck_assert_int_eq(chmod(path, mode), 0);
    free(text);
    return path;
}

/* A directory under ServerRoot that scripts (running as daemon) may write to. */
static char *writable_dir(kvt_server_t *srv)
{
    char *dir = kvt_strf("%s/state", kvt_server_root(srv));

    kvt_write_root_file(srv, "state/.keep", "");
    ck_assert_int_eq(chmod(dir, 0777), 0);
    return dir;
}

/* The pid a script wrote to @a pidfile. */
static pid_t pid_in(const char *pidfile)
{
    pid_t pid = 0;
    FILE *f = fopen(pidfile, "r");

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fscanf(f, "%d", &pid), 1);
    fclose(f);
    ck_assert_int_gt(pid, 1);
    return pid;
}

static void expect_line(const kvt_response_t *r, const char *line)
{
    char *want = kvt_strf("\n%s\n", line);
    char *body = kvt_strf("\n%s", r->body);

    ck_assert_msg(kvt_contains(body, want), "no line \"%s\" in:\n%s", line, r->body);
    free(want);
    free(body);
}

/* As expect_line, for a line made with printf. */
static void expect_linef(const kvt_response_t *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void expect_linef(const kvt_response_t *r, const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    expect_line(r, line);
}

static void expect_no_line_starting(const kvt_response_t *r, const char *prefix)
{
    char *want = kvt_strf("\n%s", prefix);
    char *body = kvt_strf("\n%s", r->body);

    ck_assert_msg(!kvt_contains(body, want), "unexpected \"%s\" in:\n%s", prefix, r->body);
    free(want);
    free(body);
}

struct log_wait {
    kvt_server_t *srv;
    const char *needle;
};

static int log_has(void *arg)
{
    struct log_wait *w = arg;
    char *d = kvt_server_diagnostics(w->srv);
    int found = kvt_contains(d, w->needle);

    free(d);
    return found;
}

/* The error log says @a needle within 5 s. */
static void expect_log(kvt_server_t *srv, const char *needle)
{
    struct log_wait w = {srv, needle};

    if (!kvt_wait_for(log_has, &w, 5000)) {
        ck_abort_msg("error log lacks \"%s\":\n%s", needle, kvt_server_diagnostics(srv));
    }
}

/* GET @a path answers @a status and, unless NULL, exactly @a body. */
static void expect_get(kvt_server_t *srv, const char *path, int status, const char *body)
{
    kvt_response_t r;

    kvt_get(kvt_server_port(srv), path, &r);
    ck_assert_msg(r.status == status, "GET %s: %d, want %d", path, r.status, status);
    if (body) {
        ck_assert_msg(strcmp(r.body, body) == 0, "GET %s: body \"%s\"", path, r.body);
    }
    kvt_response_free(&r);
}

static void request(kvt_server_t *srv, const char *req, kvt_response_t *r)
{
    ck_assert_msg(kvt_request(kvt_server_port(srv), req, r) == 0, "no response to %s", req);
}

KVT_CASE(cgi_case, "cgi");

KVC_TEST(cgi_case, test_env_variables)
{
    kvt_server_t *srv = cgi_server();
    const char *root, *doc;
    kvt_response_t r;

    write_script(srv, "cgi-bin/env.cgi",
                 "printf 'Content-Type: text/plain\\n\\n'\nenv\necho \"CWD=$(pwd)\"\n", 0755);
    kvt_server_start(srv);
    root = kvt_server_root(srv);
    doc = kvt_server_docroot(srv);
    request(srv,
            "GET /cgi-bin/env.cgi/extra/path?a=1&b=two HTTP/1.1\r\nHost: localhost\r\n"
            "X-Test-Field: hello\r\nAuthorization: Basic Zm9vOmJhcg==\r\nProxy: http://evil/\r\n"
            "Connection: close\r\n\r\n",
            &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(kvt_header(&r, "Content-Type"), "text/plain");
    expect_line(&r, "GATEWAY_INTERFACE=CGI/1.1");
    expect_line(&r, "REQUEST_METHOD=GET");
    expect_line(&r, "QUERY_STRING=a=1&b=two");
    expect_line(&r, "PATH_INFO=/extra/path");
    expect_line(&r, "SCRIPT_NAME=/cgi-bin/env.cgi");
    expect_line(&r, "REQUEST_URI=/cgi-bin/env.cgi/extra/path?a=1&b=two");
    expect_line(&r, "SERVER_PROTOCOL=HTTP/1.1");
    expect_line(&r, "SERVER_NAME=localhost");
    expect_line(&r, "SERVER_ADDR=127.0.0.1");
    expect_line(&r, "REMOTE_ADDR=127.0.0.1");
    /* No HostnameLookups, no name: httpd sets REMOTE_HOST only to a name. */
    ck_assert_msg(!kvt_contains(r.body, "REMOTE_HOST="), "REMOTE_HOST without a name:\n%s",
                  r.body);
    expect_line(&r, "REQUEST_SCHEME=http");
    expect_line(&r, "HTTP_X_TEST_FIELD=hello");
    expect_line(&r, "HTTP_HOST=localhost");
    expect_line(&r, "CONTEXT_PREFIX=");
    expect_line(&r, "PATH=/usr/local/bin:/usr/bin:/bin");
    /* Host without a port: 80 (as httpd), not the port the server listens on. */
    expect_line(&r, "SERVER_PORT=80");
    expect_linef(&r, "SCRIPT_FILENAME=%s/cgi-bin/env.cgi", root);
    expect_linef(&r, "CWD=%s/cgi-bin", root);
    expect_linef(&r, "DOCUMENT_ROOT=%s", doc);
    expect_linef(&r, "CONTEXT_DOCUMENT_ROOT=%s", doc);
    expect_linef(&r, "PATH_TRANSLATED=%s/extra/path", doc);
    ck_assert(kvt_contains(r.body, "\nREMOTE_PORT="));
    ck_assert(kvt_contains(r.body, "\nSERVER_SOFTWARE=kiva/"));
    expect_no_line_starting(&r, "HTTP_AUTHORIZATION=");
    expect_no_line_starting(&r, "HTTP_PROXY=");
    expect_no_line_starting(&r, "REMOTE_USER=");
    expect_no_line_starting(&r, "CONTENT_LENGTH=");
    kvt_response_free(&r);
}
END_TEST

/* A body larger than a pipe holds, so the script echoes while it is still being fed. */
static char *test_body(size_t len)
{
    char *b = malloc(len);

    for (size_t i = 0; i < len; i++) {
        b[i] = (char)((i * 7 + i / 251) & 0xff);
    }
    return b;
}

#define ECHO_SCRIPT                                                                                \
    "printf 'Content-Type: application/octet-stream\\nX-Length: %s\\nX-Type: %s\\n\\n' "         \
    "\"${CONTENT_LENGTH-none}\" \"$CONTENT_TYPE\"\ncat\n"

KVC_TEST(cgi_case, test_post_content_length_echoed)
{
    kvt_server_t *srv = cgi_server();
    size_t len = 256 * 1024;
    char *body = test_body(len), *head;
    kvt_response_t r;
    int fd;

    write_script(srv, "cgi-bin/echo.cgi", ECHO_SCRIPT, 0755);
    kvt_server_start(srv);
    fd = kvt_connect(kvt_server_port(srv));
    head = kvt_strf("POST /cgi-bin/echo.cgi HTTP/1.1\r\nHost: localhost\r\nContent-Type: x/y\r\n"
                    "Content-Length: %zu\r\n\r\n",
                    len);
    kvt_send(fd, head);
    ck_assert_int_eq(kvt_send_raw(fd, body, len), 0);
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(kvt_header(&r, "X-Length"), "262144");
    ck_assert_str_eq(kvt_header(&r, "X-Type"), "x/y");
    ck_assert_uint_eq(r.body_len, len);
    ck_assert(memcmp(r.body, body, len) == 0);
    ck_assert(r.chunked);
    kvt_response_free(&r);

    /* The connection stays usable: the response was framed. */
    kvt_send(fd, "GET /cgi-bin/echo.cgi HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(r.body_len, 0);
    ck_assert_str_eq(kvt_header(&r, "X-Length"), "none");
    kvt_response_free(&r);
    close(fd);
    free(head);
    free(body);
}
END_TEST

KVC_TEST(cgi_case, test_post_chunked_echoed)
{
    kvt_server_t *srv = cgi_server();
    size_t len = 100000, off = 0, piece = 7000;
    char *body = test_body(len);
    kvt_response_t r;
    int fd;

    write_script(srv, "cgi-bin/echo.cgi", ECHO_SCRIPT, 0755);
    kvt_server_start(srv);
    fd = kvt_connect(kvt_server_port(srv));
    kvt_send(fd, "POST /cgi-bin/echo.cgi HTTP/1.1\r\nHost: localhost\r\n"
                 "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    while (off < len) {
        size_t n = len - off < piece ? len - off : piece;
        char *size = kvt_strf("%zx\r\n", n);
        kvt_send(fd, size);
        ck_assert_int_eq(kvt_send_raw(fd, body + off, n), 0);
        kvt_send(fd, "\r\n");
        off += n;
        free(size);
    }
    kvt_send(fd, "0\r\n\r\n");
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(kvt_header(&r, "X-Length"), "none");
    ck_assert_uint_eq(r.body_len, len);
    ck_assert(memcmp(r.body, body, len) == 0);
    kvt_response_free(&r);
    close(fd);
    free(body);
}
END_TEST

/* A client that waits for 100 Continue gets it when the script's body is read. */
KVC_TEST(cgi_case, test_post_expect_continue)
{
    kvt_server_t *srv = cgi_server();
    char interim[256] = "";
    size_t n = 0;
    kvt_response_t r;
    int fd;

    write_script(srv, "cgi-bin/echo.cgi", ECHO_SCRIPT, 0755);
    kvt_server_start(srv);
    fd = kvt_connect(kvt_server_port(srv));
    kvt_send(fd, "POST /cgi-bin/echo.cgi HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
                 "Expect: 100-continue\r\nConnection: close\r\n\r\n");
    while (n < sizeof(interim) - 1 && !kvt_contains(interim, "\r\n\r\n")) {
        ck_assert_int_eq(read(fd, interim + n, 1), 1);
        interim[++n] = '\0';
    }
    ck_assert_str_eq(interim, "HTTP/1.1 100 Continue\r\n\r\n");
    kvt_send(fd, "hello");
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "hello");
    kvt_response_free(&r);
    close(fd);
}
END_TEST

KVC_TEST(cgi_case, test_status_location_and_fields)
{
    kvt_server_t *srv = cgi_server();
    kvt_response_t r;
    int cookies = 0;

    write_script(srv, "cgi-bin/status.cgi",
                 "printf 'Status: 404 Not Found\\nContent-Type: text/plain\\n\\nnope\\n'\n", 0755);
    write_script(srv, "cgi-bin/away.cgi", "printf 'Location: http://example.com/there\\n\\n'\n",
                 0755);
    write_script(srv, "cgi-bin/local.cgi",
                 "printf 'Location: /elsewhere.txt?x=1\\n\\nthis body is dropped'\n", 0755);
    kvt_write_file(srv, "elsewhere.txt", "served from elsewhere", 21);
    write_script(srv, "cgi-bin/fields.cgi",
                 "printf 'Content-Type: text/x-mine\\r\\nX-One: 1\\r\\nSet-Cookie: a=1\\r\\n"
                 "Set-Cookie: b=2\\r\\nContent-Length: 999\\r\\n\\r\\nbody'\n",
                 0755);
    kvt_server_start(srv);

    expect_get(srv, "/cgi-bin/status.cgi", 404, "nope\n");

    kvt_get(kvt_server_port(srv), "/cgi-bin/away.cgi", &r);
    ck_assert_int_eq(r.status, 302);
    ck_assert_str_eq(kvt_header(&r, "Location"), "http://example.com/there");
    kvt_response_free(&r);

    /* A local Location without Status is fetched inside the server (CGI/1.1 6.2.2). */
    kvt_get(kvt_server_port(srv), "/cgi-bin/local.cgi", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_null(kvt_header(&r, "Location"));
    ck_assert_str_eq(r.body, "served from elsewhere");
    kvt_response_free(&r);

    kvt_get(kvt_server_port(srv), "/cgi-bin/fields.cgi", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(kvt_header(&r, "Content-Type"), "text/x-mine");
    ck_assert_str_eq(kvt_header(&r, "X-One"), "1");
    ck_assert_str_eq(r.body, "body");
    for (int i = 0; i < r.nheaders; i++) {
        cookies += strcasecmp(r.headers[i].name, "Set-Cookie") == 0;
    }
    ck_assert_int_eq(cookies, 2);
    kvt_response_free(&r);
}
END_TEST

/* HTTP/1.0 gets the body framed by the close, HEAD gets the fields without the body. */
KVC_TEST(cgi_case, test_http10_and_head)
{
    kvt_server_t *srv = cgi_server();
    kvt_response_t r;
    int fd;

    write_script(srv, "cgi-bin/hello.cgi", "printf 'Content-Type: text/x-hi\\n\\nhello'\n", 0755);
    kvt_server_start(srv);
    request(srv, "GET /cgi-bin/hello.cgi HTTP/1.0\r\n\r\n", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert(r.until_close);
    ck_assert_str_eq(r.body, "hello");
    kvt_response_free(&r);

    fd = kvt_connect(kvt_server_port(srv));
    kvt_send(fd, "HEAD /cgi-bin/hello.cgi HTTP/1.1\r\nHost: localhost\r\n"
                 "Connection: close\r\n\r\n");
    ck_assert_int_eq(kvt_read_response(fd, &r, 1), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(kvt_header(&r, "Content-Type"), "text/x-hi");
    ck_assert_uint_eq(r.body_len, 0);
    kvt_response_free(&r);
    ck_assert(kvt_is_closed(fd, 2000));
    close(fd);
}
END_TEST

KVC_TEST(cgi_case, test_nph_output_is_raw)
{
    static const char raw[] = "HTTP/1.0 299 Odd\r\nX-Nph: yes\r\n\r\nraw body";
    kvt_server_t *srv = cgi_server();
    size_t len;
    char *got;
    int fd;

    write_script(srv, "cgi-bin/nph-raw.cgi",
                 "printf 'HTTP/1.0 299 Odd\\r\\nX-Nph: yes\\r\\n\\r\\nraw body'\n", 0755);
    kvt_server_start(srv);
    fd = kvt_connect(kvt_server_port(srv));
    kvt_send(fd, "GET /cgi-bin/nph-raw.cgi HTTP/1.1\r\nHost: localhost\r\n\r\n");
    got = kvt_read_until_close(fd, &len);
    ck_assert_uint_eq(len, strlen(raw));
    ck_assert_str_eq(got, raw);
    free(got);
    close(fd);
}
END_TEST

KVC_TEST(cgi_case, test_large_output_exact)
{
    kvt_server_t *srv = cgi_server();
    size_t want_len = 1024 * 1024, off = 0;
    char *want = malloc(want_len + 16);
    kvt_response_t r;

    for (int i = 1; off < want_len; i++) {
        off += (size_t)snprintf(want + off, 16, "%d\n", i);
    }
    write_script(srv, "cgi-bin/big.cgi",
                 "printf 'Content-Type: text/plain\\n\\n'\nseq 1 300000 | head -c 1048576\n", 0755);
    kvt_server_start(srv);
    kvt_get(kvt_server_port(srv), "/cgi-bin/big.cgi", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(r.body_len, want_len);
    ck_assert(memcmp(r.body, want, want_len) == 0);
    kvt_response_free(&r);
    free(want);
}
END_TEST

KVC_TEST(cgi_case, test_stderr_logged)
{
    kvt_server_t *srv = cgi_server();

    write_script(srv, "cgi-bin/noisy.cgi",
                 "echo 'first complaint' >&2\nprintf 'Content-Type: text/plain\\n\\nok'\n"
                 "printf 'last words without newline' >&2\n",
                 0755);
    kvt_server_start(srv);
    expect_get(srv, "/cgi-bin/noisy.cgi", 200, "ok");
    expect_log(srv, "first complaint: ");
    expect_log(srv, "noisy.cgi");
    expect_log(srv, "last words without newline");
}
END_TEST

KVC_TEST(cgi_case, test_hanging_script_killed)
{
    kvt_server_t *srv = cgi_server();
    char *dir = writable_dir(srv);
    char *script = kvt_strf("sleep 30 &\necho $! > '%s/sleeper.pid'\nwait\n", dir);
    char *pidfile = kvt_strf("%s/sleeper.pid", dir);
    kvt_response_t r;
    long start;
    pid_t sleeper;

    write_script(srv, "cgi-bin/hang.cgi", script, 0755);
    kvt_server_conf(srv, "Timeout 1");
    kvt_server_start(srv);
    start = kvt_now_ms();
    kvt_get(kvt_server_port(srv), "/cgi-bin/hang.cgi", &r);
    ck_assert_int_eq(r.status, 504);
    ck_assert_int_lt(kvt_now_ms() - start, 8000);
    kvt_response_free(&r);
    expect_log(srv, "Timeout waiting for output from CGI script");
    /* What the script started dies with it: it was in the script's process group. */
    sleeper = pid_in(pidfile);
    ck_assert_msg(kvt_wait_for(kvt_pid_gone, &sleeper, 5000), "sleep %d outlived its script",
                  (int)sleeper);
    free(script);
    free(pidfile);
    free(dir);
}
END_TEST

/* A client that leaves while a script is still talking takes the script down with it. */
KVC_TEST(cgi_case, test_client_abort_stops_script)
{
    kvt_server_t *srv = cgi_server();
    char *dir = writable_dir(srv);
    char *script = kvt_strf("echo $$ > '%s/talker.pid'\nprintf 'Content-Type: text/plain\\n\\n'\n"
                            "exec yes\n",
                            dir);
    char *pidfile = kvt_strf("%s/talker.pid", dir);
    char buf[4096];
    pid_t talker;
    int fd;

    write_script(srv, "cgi-bin/talk.cgi", script, 0755);
    kvt_server_start(srv);
    fd = kvt_connect(kvt_server_port(srv));
    kvt_send(fd, "GET /cgi-bin/talk.cgi HTTP/1.1\r\nHost: localhost\r\n\r\n");
    ck_assert_int_gt(read(fd, buf, sizeof(buf)), 0);
    close(fd);
    talker = pid_in(pidfile);
    ck_assert_msg(kvt_wait_for(kvt_pid_gone, &talker, 5000), "script %d outlived its client",
                  (int)talker);
    free(script);
    free(pidfile);
    free(dir);
}
END_TEST

KVC_TEST(cgi_case, test_not_executable_refused)
{
    kvt_server_t *srv = cgi_server();
    kvt_response_t r;

    write_script(srv, "cgi-bin/plain.cgi", "printf 'Content-Type: text/plain\\n\\nran'\n", 0644);
    kvt_server_start(srv);
    kvt_get(kvt_server_port(srv), "/cgi-bin/plain.cgi", &r);
    ck_assert_int_eq(r.status, 403);
    ck_assert(!kvt_contains(r.body, "printf"));
    kvt_response_free(&r);
    expect_log(srv, "file permissions deny server execution");
    expect_get(srv, "/cgi-bin/missing.cgi", 404, NULL);
}
END_TEST

/* Executable, but exec fails (its interpreter is missing): 500, and the log says why. */
KVC_TEST(cgi_case, test_exec_failure_500)
{
    kvt_server_t *srv = cgi_server();
    const char *path = kvt_write_root_file(srv, "cgi-bin/broken.cgi", "#!/no/such/interp\n");

    ck_assert_int_eq(chmod(path, 0755), 0);
    kvt_server_start(srv);
    expect_get(srv, "/cgi-bin/broken.cgi", 500, NULL);
    expect_log(srv, "exec of '");
    expect_log(srv, "broken.cgi' failed: No such file or directory");
}
END_TEST

#define RAN_SCRIPT "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\nran'\n"

KVC_TEST(cgi_case, test_add_handler_needs_exec_cgi)
{
    kvt_server_t *srv = cgi_server();
    const char *doc = kvt_server_docroot(srv);
    char *path;
    kvt_response_t r;

    kvt_write_file(srv, "page.html", "static", 6);
    path = kvt_strf("%s/run/ok.cgi", doc);
    kvt_write_file(srv, "run/ok.cgi", RAN_SCRIPT, strlen(RAN_SCRIPT));
    ck_assert_int_eq(chmod(path, 0755), 0);
    free(path);
    path = kvt_strf("%s/norun/ok.cgi", doc);
    kvt_write_file(srv, "norun/ok.cgi", RAN_SCRIPT, strlen(RAN_SCRIPT));
    ck_assert_int_eq(chmod(path, 0755), 0);
    free(path);
    kvt_server_conf(srv, "AddHandler cgi-script .cgi .pl");
    kvt_server_conf(srv, "<Directory \"%s/run\">", doc);
    kvt_server_conf(srv, "    Options +ExecCGI");
    kvt_server_conf(srv, "</Directory>");
    kvt_server_start(srv);

    expect_get(srv, "/run/ok.cgi", 200, "ran");
    kvt_get(kvt_server_port(srv), "/norun/ok.cgi", &r);
    ck_assert_int_eq(r.status, 403);
    ck_assert(!kvt_contains(r.body, "printf"));
    kvt_response_free(&r);
    expect_log(srv, "Options ExecCGI is off in this directory");
    expect_get(srv, "/page.html", 200, "static");
}
END_TEST

KVC_TEST(cgi_case, test_malformed_output_500)
{
    kvt_server_t *srv = cgi_server();
    char *dir = writable_dir(srv);
    char *log = kvt_strf("%s/cgi_log", dir);
    FILE *f;
    char text[4096];
    size_t n;

    write_script(srv, "cgi-bin/bad.cgi",
                 "echo 'bad script speaking' >&2\nprintf 'this is no header\\n\\nbody'\n", 0755);
    write_script(srv, "cgi-bin/short.cgi", "printf 'Content-Type: text/plain\\n'\n", 0755);
    write_script(srv, "cgi-bin/badstatus.cgi", "printf 'Status: abc\\n\\n'\n", 0755);
    kvt_server_conf(srv, "ScriptLog \"%s\"", log);
    kvt_server_start(srv);

    expect_get(srv, "/cgi-bin/bad.cgi", 500, NULL);
    expect_log(srv, "malformed header from script");
    expect_get(srv, "/cgi-bin/short.cgi", 500, NULL);
    expect_log(srv, "End of script output before headers");
    expect_get(srv, "/cgi-bin/badstatus.cgi", 500, NULL);

    f = fopen(log, "r");
    ck_assert_ptr_nonnull(f);
    n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    ck_assert_msg(kvt_contains(text, "GET /cgi-bin/bad.cgi HTTP/1.1"), "ScriptLog:\n%s", text);
    ck_assert_msg(kvt_contains(text, "%stderr\nbad script speaking"), "ScriptLog:\n%s", text);
    ck_assert_msg(kvt_contains(text, "Bad header: this is no header"), "ScriptLog:\n%s", text);
    free(log);
    free(dir);
}
END_TEST

/* A graceful restart while a keep-alive request is being answered: the old child ends the
 * connection after that response (Connection: close), so it can exit. */
KVC_TEST(cgi_case, test_graceful_restart_ends_keep_alive_after_the_response)
{
    kvt_server_t *srv = cgi_server();
    kvt_response_t r;
    int fd;

    write_script(srv, "cgi-bin/slow.cgi",
                 "read line < /dev/null; sleep 1\nprintf 'Content-Type: text/plain\\n\\nslow'\n",
                 0755);
    kvt_server_processes(srv, 1, 1, 2);
    kvt_server_start(srv);
    fd = kvt_connect(kvt_server_port(srv));
    kvt_send(fd, "GET /cgi-bin/slow.cgi HTTP/1.1\r\nHost: localhost\r\n\r\n");
    ck_assert(!kvt_is_closed(fd, 300)); /* the script is running */
    ck_assert_int_eq(kill(kvt_server_pid(srv), SIGUSR1), 0);
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "slow");
    ck_assert_str_eq(kvt_header(&r, "Connection"), "close");
    kvt_response_free(&r);
    ck_assert(kvt_is_closed(fd, 5000));
    close(fd);
}
END_TEST

int main(void)
{
    return kvc_run("cgi");
}
