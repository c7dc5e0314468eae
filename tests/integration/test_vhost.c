/* Name-based virtual hosts on a running server: each Host gets its own DocumentRoot and
 * error log; an unknown Host gets the first host of the address. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static kvt_server_t *two_hosts(void)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    const char *a = kvt_write_root_file(srv, "a/index.html", "site a");
    const char *b = kvt_write_root_file(srv, "b/index.html", "site b");
    char *adir = kvt_strf("%.*s", (int)(strlen(a) - strlen("/index.html")), a);
    char *bdir = kvt_strf("%.*s", (int)(strlen(b) - strlen("/index.html")), b);

    kvt_server_conf(srv, "<VirtualHost *:%d>", kvt_server_port(srv));
    kvt_server_conf(srv, "    ServerName a.test");
    kvt_server_conf(srv, "    DocumentRoot \"%s\"", adir);
    kvt_server_conf(srv, "</VirtualHost>");
    kvt_server_conf(srv, "<VirtualHost *:%d>", kvt_server_port(srv));
    kvt_server_conf(srv, "    ServerName b.test");
    kvt_server_conf(srv, "    ServerAlias *.b.test");
    kvt_server_conf(srv, "    DocumentRoot \"%s\"", bdir);
    kvt_server_conf(srv, "    ErrorLog logs/b_error_log");
    kvt_server_conf(srv, "</VirtualHost>");
    kvt_server_start(srv);
    free(adir);
    free(bdir);
    return srv;
}

static char *body_for_host(kvt_server_t *srv, const char *host, const char *path, int *status)
{
    kvt_response_t r;
    char *req = kvt_strf("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, host);
    char *body;

    ck_assert_int_eq(kvt_request(kvt_server_port(srv), req, &r), 0);
    *status = r.status;
    body = kvt_strf("%s", r.body ? r.body : "");
    kvt_response_free(&r);
    free(req);
    return body;
}

KVT_CASE(vhost, "vhost");

KVC_TEST(vhost, test_host_selects_document_root)
{
    kvt_server_t *srv = two_hosts();
    int status;

    ck_assert_str_eq(body_for_host(srv, "b.test", "/", &status), "site b");
    ck_assert_int_eq(status, 200);
    ck_assert_str_eq(body_for_host(srv, "www.b.test:80", "/", &status), "site b");
    ck_assert_str_eq(body_for_host(srv, "A.TEST", "/", &status), "site a");
    ck_assert_str_eq(body_for_host(srv, "unknown.test", "/", &status), "site a");
}
END_TEST

static int b_log_has_missing(void *arg)
{
    char *path = kvt_strf("%s/logs/b_error_log", kvt_server_root(arg));
    FILE *f = fopen(path, "r");
    char line[2048];
    int found = 0;

    while (f && !found && fgets(line, sizeof(line), f)) {
        found = kvt_contains(line, "missing-in-b");
    }
    if (f) {
        fclose(f);
    }
    free(path);
    return found;
}

KVC_TEST(vhost, test_host_has_its_own_error_log)
{
    kvt_server_t *srv = two_hosts();
    int status;

    kvt_server_conf(srv, "LogLevel info");
    body_for_host(srv, "b.test", "/missing-in-b", &status);
    ck_assert_int_eq(status, 404);
    ck_assert_msg(kvt_wait_for(b_log_has_missing, srv, 5000),
                  "the 404 of host b is not in its ErrorLog");
}
END_TEST

/* GET / from @a ip:port with Host @a host; the body. */
static char *body_from_ip(const char *ip, int port, const char *host)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    kvt_response_t r;
    struct timeval tv = {5, 0};
    char *req = kvt_strf("GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", host);
    char *body;

    ck_assert_int_ge(fd, 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    ck_assert_int_eq(inet_pton(AF_INET, ip, &sa.sin_addr), 1);
    ck_assert_msg(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "connect %s", ip);
    kvt_send(fd, req);
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    body = kvt_strf("%s", r.body ? r.body : "");
    kvt_response_free(&r);
    close(fd);
    free(req);
    return body;
}

KVC_TEST(vhost, test_ip_based_host_wins_for_its_address)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    const char *ip = kvt_write_root_file(srv, "ip/index.html", "site ip");
    const char *n = kvt_write_root_file(srv, "named/index.html", "site named");
    int port = kvt_server_port(srv);

    kvt_server_conf(srv, "Listen 127.0.0.2:%d", port);
    kvt_server_conf(srv, "<VirtualHost 127.0.0.2:%d>", port);
    kvt_server_conf(srv, "    ServerName ip.test");
    kvt_server_conf(srv, "    DocumentRoot \"%.*s\"", (int)(strlen(ip) - 11), ip);
    kvt_server_conf(srv, "</VirtualHost>");
    kvt_server_conf(srv, "<VirtualHost *:%d>", port);
    kvt_server_conf(srv, "    ServerName named.test");
    kvt_server_conf(srv, "    DocumentRoot \"%.*s\"", (int)(strlen(n) - 11), n);
    kvt_server_conf(srv, "</VirtualHost>");
    kvt_server_start(srv);
    ck_assert_str_eq(body_from_ip("127.0.0.2", port, "named.test"), "site ip");
    ck_assert_str_eq(body_from_ip("127.0.0.1", port, "ip.test"), "site named");
    ck_assert_str_eq(body_from_ip("127.0.0.1", port, "named.test"), "site named");
}
END_TEST

struct log_wait {
    const char *path;
    const char *needle;
};

static int log_has(void *arg)
{
    const struct log_wait *w = arg;
    FILE *f = fopen(w->path, "r");
    char line[2048];
    int found = 0;

    while (f && !found && fgets(line, sizeof(line), f)) {
        found = kvt_contains(line, w->needle);
    }
    if (f) {
        fclose(f);
    }
    return found;
}

/* A host with its own CustomLog logs there; the others log to the main server's. */
KVC_TEST(vhost, test_host_has_its_own_access_log)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    const char *a = kvt_write_root_file(srv, "a/index.html", "site a");
    int port = kvt_server_port(srv), status;
    char *main_log = kvt_strf("%s/logs/main_access", kvt_server_root(srv));
    char *a_log = kvt_strf("%s/logs/a_access", kvt_server_root(srv));
    struct log_wait in_a = {a_log, "a.test GET /"}, in_main = {main_log, "other.test GET /"};

    kvt_server_conf(srv, "LoadModule log_config_module %s/modules/.libs/mod_log_config.so",
                    KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "LogFormat \"%%{Host}i %%m %%U\" hostlog");
    kvt_server_conf(srv, "CustomLog logs/main_access hostlog");
    kvt_server_conf(srv, "<VirtualHost *:%d>", port);
    kvt_server_conf(srv, "    ServerName other.test");
    kvt_server_conf(srv, "</VirtualHost>");
    kvt_server_conf(srv, "<VirtualHost *:%d>", port);
    kvt_server_conf(srv, "    ServerName a.test");
    kvt_server_conf(srv, "    DocumentRoot \"%.*s\"", (int)(strlen(a) - 11), a);
    kvt_server_conf(srv, "    CustomLog logs/a_access hostlog");
    kvt_server_conf(srv, "</VirtualHost>");
    kvt_server_start(srv);
    ck_assert_str_eq(body_for_host(srv, "a.test", "/", &status), "site a");
    body_for_host(srv, "other.test", "/", &status);
    ck_assert_msg(kvt_wait_for(log_has, &in_a, 5000), "a.test not in its own log");
    ck_assert_msg(kvt_wait_for(log_has, &in_main, 5000), "other.test not in the main log");
    in_a.path = main_log;
    ck_assert_msg(!log_has(&in_a), "a.test also logged in the main log");
    free(main_log);
    free(a_log);
}
END_TEST

int main(void)
{
    return kvc_run("vhost");
}
