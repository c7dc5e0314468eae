/* mod_remoteip in a running server, the test client (127.0.0.1) acting as the proxy that sends
 * X-Forwarded-For: the client found is what `%a` (and `%{c}a` the peer) logs, what CGI's
 * REMOTE_ADDR, SetEnvIf Remote_Addr, `Require ip` and `-R` in an expression see; a peer that
 * is not a trusted proxy is the client; internal proxies from a list file may present private
 * addresses; RemoteIPProxiesHeader; a bad proxy address is a -t error with its line. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MODULES KV_TEST_BUILDDIR "/modules/.libs"

/* A server with the modules and the line @a proxies (a printf format of one %s: the
 * ServerRoot), /f.txt, /adm/f.txt for 203.0.113.0/24 only, and the client (SetEnvIf
 * Remote_Addr), the header's rest and the proxies header shown in X-Client. */
static kvt_server_t *site(const char *proxies)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    static const char *const mods[] = {"remoteip",   "setenvif", "headers", "authz_core",
                                       "authz_host", "log_config", "alias", "cgi"};

    kvt_write_file(srv, "f.txt", "f", 1);
    kvt_write_file(srv, "adm/f.txt", "a", 1);
    for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
        kvt_server_conf(srv, "LoadModule %s_module %s/mod_%s.so", mods[i], MODULES, mods[i]);
    }
    kvt_server_conf(srv, "RemoteIPHeader X-Forwarded-For");
    kvt_server_conf(srv, "RemoteIPProxiesHeader X-Forwarded-By");
    kvt_server_conf(srv, proxies, kvt_server_root(srv));
    kvt_server_conf(srv, "SetEnvIf Remote_Addr (.*) CLIENT=$1");
    kvt_server_conf(srv, "SetEnvIf X-Forwarded-For (.*) REST=$1");
    kvt_server_conf(srv, "SetEnvIf X-Forwarded-By (.*) BY=$1");
    kvt_server_conf(srv, "Header always set X-Client \"%%{CLIENT}e|%%{REST}e|%%{BY}e\"");
    kvt_server_conf(srv, "<If \"-R '203.0.113.0/24'\">");
    kvt_server_conf(srv, "    Header always set X-Expr documentation-net");
    kvt_server_conf(srv, "</If>");
    kvt_server_conf(srv, "<Location /adm>");
    kvt_server_conf(srv, "    Require ip 203.0.113.0/24");
    kvt_server_conf(srv, "</Location>");
    /* Into the error log, which the harness waits on. */
    kvt_server_conf(srv, "CustomLog logs/error_log \"remoteip %%a %%{c}a %%h %%U\"");
    kvt_server_conf(srv, "ScriptAlias /cgi-bin/ \"%s/cgi-bin/\"", kvt_server_root(srv));
    const char *script = kvt_write_root_file(
        srv, "cgi-bin/env.cgi", "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\nenv\n");
    ck_assert_int_eq(chmod(script, 0755), 0);
    return srv;
}

/* GET @a path with X-Forwarded-For @a xff (none if NULL) into @a r. */
static void get_via(kvt_server_t *srv, const char *path, const char *xff, kvt_response_t *r)
{
    char *field = xff ? kvt_strf("X-Forwarded-For: %s\r\n", xff) : kvt_strf("%s", "");
    char *req =
        kvt_strf("GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n%s\r\n", path, field);

    ck_assert_msg(kvt_request(kvt_server_port(srv), req, r) == 0, "no response to GET %s", path);
    free(req);
    free(field);
}

/* Status of GET @a path via @a xff, and X-Client and X-Expr ("" when absent) as
 * "status client|rest|by expr". */
static void expect(kvt_server_t *srv, const char *path, const char *xff, const char *want)
{
    kvt_response_t r;

    get_via(srv, path, xff, &r);
    const char *client = kvt_header(&r, "X-Client");
    const char *expr = kvt_header(&r, "X-Expr");
    char *got = kvt_strf("%d %s %s", r.status, client ? client : "", expr ? expr : "");
    ck_assert_msg(strcmp(got, want) == 0, "GET %s via [%s]: '%s', want '%s'", path, xff ? xff : "",
                  got, want);
    free(got);
    kvt_response_free(&r);
}

KVT_CASE(remoteip_case, "remoteip");

KVC_TEST(remoteip_case, test_trusted_proxy)
{
    kvt_server_t *srv = site("RemoteIPTrustedProxy 127.0.0.0/8 198.51.100.0/24");

    kvt_server_start(srv);
    expect(srv, "/f.txt", NULL, "200 127.0.0.1|| ");
    expect(srv, "/f.txt", "203.0.113.5", "200 203.0.113.5||127.0.0.1 documentation-net");
    expect(srv, "/f.txt", "1.1.1.1, 203.0.113.5, 198.51.100.7",
           "200 203.0.113.5|1.1.1.1|127.0.0.1, 198.51.100.7 documentation-net");
    /* A trusted (not internal) proxy may not present a private address. */
    expect(srv, "/f.txt", "10.0.0.1", "200 127.0.0.1|10.0.0.1| ");
    expect(srv, "/adm/f.txt", "203.0.113.5", "200 203.0.113.5||127.0.0.1 documentation-net");
    expect(srv, "/adm/f.txt", NULL, "403 127.0.0.1|| ");
    expect(srv, "/adm/f.txt", "198.51.100.9", "403 198.51.100.9||127.0.0.1 ");
}
END_TEST

KVC_TEST(remoteip_case, test_log_and_cgi_see_the_client)
{
    kvt_server_t *srv = site("RemoteIPTrustedProxy 127.0.0.1");
    kvt_response_t r;

    kvt_server_start(srv);
    get_via(srv, "/cgi-bin/env.cgi", "203.0.113.77", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(kvt_contains(r.body, "\nREMOTE_ADDR=203.0.113.77\n"), "no REMOTE_ADDR in:\n%s",
                  r.body);
    kvt_response_free(&r);
    const char *want = "remoteip 203.0.113.77 127.0.0.1 203.0.113.77 /cgi-bin/env.cgi";
    char *log = kvt_server_wait_log(srv, want, 5000);
    ck_assert_msg(kvt_contains(log, want), "'%s' not in:\n%s", want, log);
    free(log);
}
END_TEST

KVC_TEST(remoteip_case, test_untrusted_peer_is_the_client)
{
    kvt_server_t *srv = site("RemoteIPTrustedProxy 192.0.2.1");

    kvt_server_start(srv);
    expect(srv, "/f.txt", "203.0.113.5", "200 127.0.0.1|203.0.113.5| ");
    expect(srv, "/adm/f.txt", "203.0.113.5", "403 127.0.0.1|203.0.113.5| ");
}
END_TEST

KVC_TEST(remoteip_case, test_internal_proxy_list)
{
    kvt_server_t *srv = site("RemoteIPInternalProxyList %s/conf/internal.txt");

    kvt_write_root_file(srv, "conf/internal.txt",
                        "# the load balancers\n127.0.0.1 # here\n10.0.0.0/8\n");

    kvt_server_start(srv);
    expect(srv, "/f.txt", "192.168.7.7, 10.1.2.3", "200 192.168.7.7|| ");
}
END_TEST

KVC_TEST(remoteip_case, test_bad_proxy_is_a_config_error)
{
    kvt_server_t *srv = site("RemoteIPTrustedProxy 127.0.0.1 10.0.0.0/99");
    int status;
    char *err = NULL;

    const char *conf = kvt_server_write_conf(srv);
    ck_assert_int_eq(kvt_run_kiva(&status, NULL, &err, "-t", "-f", conf, (const char *)NULL), 0);
    ck_assert_int_eq(status, 1);
    char *want = kvt_strf("Syntax error on line %u of %s: RemoteIP: Error parsing IP 10.0.0.0/99",
                          kvt_conf_line_of(srv, "10.0.0.0/99"), conf);
    ck_assert_msg(kvt_contains(err, want), "'%s' not in:\n%s", want, err);
    free(want);
    free(err);
}
END_TEST

int main(void)
{
    return kvc_run("remoteip");
}
