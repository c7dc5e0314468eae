/* The protocol seam, through tests/modules/mod_test_protocol.c: a connection that starts
 * with "KVTP/1\n" is taken by that module's process_connection (kv_conn_peek), its requests
 * are built from a parsed head and a body source (kv_request.h) and run every phase,
 * handler, output filter and the access log as HTTP/1's do, their answers framed by the
 * module ("STATUS LENGTH\n" and the body); any other connection is served by HTTP/1. Under
 * $KVT_MPM (prefork by default). */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOAD(name) "LoadModule " name "_module %s/modules/.libs/mod_" name ".so"
#define LOAD_PROTOCOL "LoadModule test_protocol_module %s/tests/modules/.libs/mod_test_protocol.so"
#define LOG_DEADLINE_MS 10000
#define HELLO "hello over kvtp\n"
#define ECHO_SCRIPT                                                                                \
    "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\n"                                         \
    "printf 'method=%s length=%s body=' \"$REQUEST_METHOD\" \"$CONTENT_LENGTH\"\ncat\n"

/* A server with the toy protocol, a static file, an Alias, a CGI script, a URL behind Basic
 * authentication, a local ErrorDocument, TRACE with a body and an access log of
 * "%r %>s %b". */
static kvt_server_t *protocol_server(void)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    const char *root = kvt_server_root(srv);
    const char *script;

    kvt_server_conf(srv, LOAD_PROTOCOL, KV_TEST_BUILDDIR);
    kvt_server_conf(srv, LOAD("log_config"), KV_TEST_BUILDDIR);
    kvt_server_conf(srv, LOAD("alias"), KV_TEST_BUILDDIR);
    kvt_server_conf(srv, LOAD("cgi"), KV_TEST_BUILDDIR);
    kvt_server_conf(srv, LOAD("authz_core"), KV_TEST_BUILDDIR);
    kvt_server_conf(srv, LOAD("authz_user"), KV_TEST_BUILDDIR);
    kvt_server_conf(srv, LOAD("authn_core"), KV_TEST_BUILDDIR);
    kvt_server_conf(srv, LOAD("authn_file"), KV_TEST_BUILDDIR);
    kvt_server_conf(srv, LOAD("auth_basic"), KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "CustomLog logs/access_log \"%%r %%>s %%b\"");
    kvt_server_conf(srv, "Alias /elsewhere/ \"%s/elsewhere/\"", root);
    kvt_server_conf(srv, "ScriptAlias /cgi-bin/ \"%s/cgi-bin/\"", root);
    kvt_server_conf(srv, "<Location /secret>");
    kvt_server_conf(srv, "AuthType Basic");
    kvt_server_conf(srv, "AuthName \"kvtp\"");
    kvt_server_conf(srv, "AuthBasicProvider file");
    kvt_server_conf(srv, "AuthUserFile users/htpasswd");
    kvt_server_conf(srv, "Require valid-user");
    kvt_server_conf(srv, "</Location>");
    kvt_server_conf(srv, "TraceEnable extended");
    kvt_server_conf(srv, "<Location /gone>");
    kvt_server_conf(srv, "ErrorDocument 404 /hello.txt");
    kvt_server_conf(srv, "</Location>");
    kvt_write_file(srv, "hello.txt", HELLO, strlen(HELLO));
    kvt_write_file(srv, "secret/page.txt", "secret", 6);
    kvt_write_root_file(srv, "elsewhere/far.txt", "far away");
    kvt_write_root_file(srv, "users/htpasswd", "# nobody\n");
    script = kvt_write_root_file(srv, "cgi-bin/echo.cgi", ECHO_SCRIPT);
    ck_assert_int_eq(chmod(script, 0755), 0);
    kvt_server_start(srv);
    return srv;
}

/* A connection that has said it speaks the toy protocol. */
static int kvtp_connect(kvt_server_t *srv)
{
    int fd = kvt_connect(kvt_server_port(srv));

    kvt_send(fd, "KVTP/1\n");
    return fd;
}

/* One toy request: "METHOD TARGET LENGTH\n", Host and @a fields lines, "\n", @a body. */
static void kvtp_send(int fd, const char *method, const char *target, const char *fields,
                      const char *body)
{
    char *req =
        kvt_strf("%s %s %zu\nHost: localhost\n%s\n%s", method, target, strlen(body), fields, body);

    kvt_send(fd, req);
    free(req);
}

/* One toy response: its status, and its body (malloc'd, NUL-terminated) in *body. Fails the
 * test unless a well-framed one comes. */
static int kvtp_read(int fd, char **body)
{
    char head[64];
    size_t n = 0;
    int status;
    long length;

    while (n < sizeof(head) - 1 && recv(fd, head + n, 1, 0) == 1 && head[n] != '\n') {
        n++;
    }
    head[n] = '\0';
    ck_assert_msg(sscanf(head, "%d %ld", &status, &length) == 2, "no toy head: \"%s\"", head);
    if (length < 0) {
        size_t got;
        *body = kvt_read_until_close(fd, &got);
        return status;
    }
    *body = calloc(1, (size_t)length + 1);
    for (long got = 0; got < length;) {
        ssize_t r = recv(fd, *body + got, (size_t)(length - got), 0);
        ck_assert_msg(r > 0, "toy body cut after %ld of %ld bytes", got, length);
        got += r;
    }
    return status;
}

/* A toy request on @a fd (as kvtp_send): the answer's status; its body must be @a want if
 * not NULL. */
static int kvtp_request(int fd, const char *method, const char *target, const char *fields,
                        const char *body, const char *want)
{
    char *got;
    int status;

    kvtp_send(fd, method, target, fields, body);
    status = kvtp_read(fd, &got);
    if (want) {
        ck_assert_msg(strcmp(got, want) == 0, "%s %s: body \"%s\", want \"%s\"", method, target,
                      got, want);
    }
    free(got);
    return status;
}

/* A GET over the toy protocol on @a fd, as kvtp_request. */
static int kvtp_get(int fd, const char *target, const char *want)
{
    return kvtp_request(fd, "GET", target, "", "", want);
}

struct log_wait {
    kvt_server_t *srv;
    const char *needle;
};

static int log_has(void *arg)
{
    struct log_wait *w = arg;
    char *path = kvt_strf("%s/logs/access_log", kvt_server_root(w->srv));
    FILE *f = fopen(path, "r");
    char line[512];
    int found = 0;

    while (f && !found && fgets(line, sizeof(line), f)) {
        found = strncmp(line, w->needle, strlen(w->needle)) == 0;
    }
    if (f) {
        fclose(f);
    }
    free(path);
    return found;
}

/* The access log gets a line that starts with @a needle (bounded wait). */
static void assert_logged(kvt_server_t *srv, const char *needle)
{
    struct log_wait w = {srv, needle};

    ck_assert_msg(kvt_wait_for(log_has, &w, LOG_DEADLINE_MS), "no access log line \"%s\"", needle);
}

KVT_CASE(protocol_hook, "protocol_hook");

KVC_TEST(protocol_hook, test_static_file_and_not_found)
{
    kvt_server_t *srv = protocol_server();
    int fd = kvtp_connect(srv);

    ck_assert_int_eq(kvtp_get(fd, "/hello.txt", HELLO), 200);
    ck_assert_int_eq(kvtp_get(fd, "/no-such-file", NULL), 404);
    ck_assert_int_eq(kvtp_get(fd, "/hello.txt?again", HELLO), 200); /* the same connection */
    close(fd);
    assert_logged(srv, "GET /hello.txt KVTP/1 200 16");
    assert_logged(srv, "GET /no-such-file KVTP/1 404 ");
}
END_TEST

KVC_TEST(protocol_hook, test_alias)
{
    kvt_server_t *srv = protocol_server();
    int fd = kvtp_connect(srv);

    ck_assert_int_eq(kvtp_get(fd, "/elsewhere/far.txt", "far away"), 200);
    close(fd);
    assert_logged(srv, "GET /elsewhere/far.txt KVTP/1 200 8");
}
END_TEST

/* A local ErrorDocument is an internal redirect: the new request keeps the toy framing. */
KVC_TEST(protocol_hook, test_error_document_keeps_framing)
{
    kvt_server_t *srv = protocol_server();
    int fd = kvtp_connect(srv);

    ck_assert_int_eq(kvtp_get(fd, "/gone/page.txt", HELLO), 404);
    ck_assert_int_eq(kvtp_get(fd, "/hello.txt", HELLO), 200);
    close(fd);
    assert_logged(srv, "GET /gone/page.txt KVTP/1 404 16");
}
END_TEST

/* The body reaches the CGI script through the module's body source. The script's answer
 * comes in pieces, so the toy framing does not know its length: the connection closes
 * after it. */
KVC_TEST(protocol_hook, test_cgi_post_body)
{
    kvt_server_t *srv = protocol_server();
    int fd = kvtp_connect(srv);

    ck_assert_int_eq(kvtp_request(fd, "POST", "/cgi-bin/echo.cgi", "Content-Length: 20\n",
                                  "ping through kvtp\n\n!",
                                  "method=POST length=20 body=ping through kvtp\n\n!"),
                     200);
    close(fd);
    assert_logged(srv, "POST /cgi-bin/echo.cgi KVTP/1 200 47");
}
END_TEST

/* TRACE (http_core) echoes the head it was given and reads the body through the source. */
KVC_TEST(protocol_hook, test_trace_reads_the_source)
{
    kvt_server_t *srv = protocol_server();
    int fd = kvtp_connect(srv);

    ck_assert_int_eq(kvtp_request(fd, "TRACE", "/t", "", "body!",
                                  "TRACE /t KVTP/1\r\nHost: localhost\r\n\r\nbody!"),
                     200);
    close(fd);
}
END_TEST

/* A body the handler does not read (a POST to a file, served as a GET is, as httpd does) is
 * skipped through the source: the next request follows it on the connection. */
KVC_TEST(protocol_hook, test_unread_body_skipped)
{
    kvt_server_t *srv = protocol_server();
    int fd = kvtp_connect(srv);

    ck_assert_int_eq(kvtp_request(fd, "POST", "/hello.txt", "", "GET /hello.txt 0\n\n", HELLO),
                     200);
    ck_assert_int_eq(kvtp_get(fd, "/elsewhere/far.txt", "far away"), 200);
    close(fd);
}
END_TEST

KVC_TEST(protocol_hook, test_auth_required)
{
    kvt_server_t *srv = protocol_server();
    int fd = kvtp_connect(srv);

    ck_assert_int_eq(kvtp_get(fd, "/secret/page.txt", NULL), 401);
    close(fd);
    assert_logged(srv, "GET /secret/page.txt KVTP/1 401 ");
}
END_TEST

/* The first bytes arriving in pieces are still recognised. */
KVC_TEST(protocol_hook, test_magic_in_pieces)
{
    kvt_server_t *srv = protocol_server();
    int fd = kvt_connect(kvt_server_port(srv));

    kvt_send(fd, "KV");
    usleep(100 * 1000);
    kvt_send(fd, "TP/");
    usleep(100 * 1000);
    kvt_send(fd, "1\n");
    ck_assert_int_eq(kvtp_get(fd, "/hello.txt", HELLO), 200);
    close(fd);
}
END_TEST

/* Another connection to the same server speaks HTTP/1.1: the module declined it, HTTP/1
 * serves it, keep-alive and all, and logs it with its own request line. */
KVC_TEST(protocol_hook, test_http1_still_served)
{
    kvt_server_t *srv = protocol_server();
    int kvtp = kvtp_connect(srv);
    int fd = kvt_connect(kvt_server_port(srv));
    kvt_response_t r;

    ck_assert_int_eq(kvtp_get(kvtp, "/hello.txt", HELLO), 200);
    kvt_send(fd, "GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    ck_assert_str_eq(r.version, "HTTP/1.1");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, HELLO);
    kvt_response_free(&r);
    kvt_send(fd, "GET /secret/page.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    ck_assert_int_eq(r.status, 401);
    ck_assert_ptr_nonnull(kvt_header(&r, "WWW-Authenticate"));
    kvt_response_free(&r);
    close(fd);
    close(kvtp);
    assert_logged(srv, "GET /hello.txt HTTP/1.1 200 16");
    assert_logged(srv, "GET /secret/page.txt HTTP/1.1 401 ");
}
END_TEST

/* A client whose first bytes start like the magic and then differ is HTTP/1's, which
 * refuses the line as it would any malformed request line. */
KVC_TEST(protocol_hook, test_near_magic_is_http1)
{
    kvt_server_t *srv = protocol_server();
    kvt_response_t r;

    ck_assert_int_eq(kvt_request(kvt_server_port(srv), "KVTX / HTTP/1.1\r\nHost: x\r\n\r\n", &r),
                     0);
    ck_assert_str_eq(r.version, "HTTP/1.1");
    ck_assert_int_eq(r.status, 501);
    kvt_response_free(&r);
}
END_TEST

int main(void)
{
    return kvc_run("protocol_hook");
}
