/* Tests of server/http/util_url.c: the server name and port of a request and its absolute URLs
 * under every UseCanonicalName and UseCanonicalPhysicalPort setting (what httpd 2.4 answers
 * to the same Host fields), and the two directives' parsers. */
/* Moved from tests/unit/server/test_util_url.c (server/ split into layer folders). */
#include <check.h>
#include <stdarg.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "config_walk.h"
#include "core.h"
#include "module.h"
#include "../../check_run.h"

static apr_pool_t *pool;
static kv_server_t *server;
static kv_directive_t *tree, *tail;
static kv_conn_t conn;
static kv_request_t req;

static void setup(void)
{
    kvu_apr_pool_setup(&pool);
    apr_hook_global_pool = pool;
    kv_modules_reset();
    server = kv_server_create(pool);
    kv_module_add(pool, &core_module, NULL, server);
    server->server_hostname = "www.example.com";
    tree = tail = NULL;
    memset(&conn, 0, sizeof(conn));
    memset(&req, 0, sizeof(req));
    apr_sockaddr_info_get(&conn.local_addr, "127.0.0.1", APR_INET, 18431, 0, pool);
    req.pool = pool;
    req.connection = &conn;
    req.server = server;
    req.headers_in = apr_table_make(pool, 4);
    req.notes = apr_table_make(pool, 4);
}

static void teardown(void)
{
    apr_hook_deregister_all();
    kvu_apr_pool_teardown(pool);
}

/* Add the line "name arg" to the configuration. */
static void line(const char *name, const char *arg)
{
    kv_directive_t *d = apr_pcalloc(pool, sizeof(*d));
    const char **argv = apr_pcalloc(pool, 2 * sizeof(*argv));

    argv[0] = arg;
    d->name = name;
    d->argc = 1;
    d->argv = argv;
    d->args = arg;
    d->file = "/etc/t.conf";
    d->line = 1;
    if (tail) {
        tail->next = d;
    } else {
        tree = d;
    }
    tail = d;
}

/* Run the configuration; the request gets the main server's per-directory config. */
static const char *run(void)
{
    apr_pool_t *ptemp;
    const char *err;

    apr_pool_create(&ptemp, pool);
    err = kv_config_run(pool, ptemp, server, tree);
    req.per_dir_config = server->lookup_defaults;
    return err;
}

/* The request came with Host @a host (NULL: none, as HTTP/1.0 may). */
static void host(const char *host)
{
    if (host) {
        char *colon;
        apr_table_set(req.headers_in, "Host", host);
        req.hostname = apr_pstrdup(pool, host);
        colon = strrchr(req.hostname, ':');
        if (colon && req.hostname[0] != '[') {
            *colon = '\0';
        }
    }
}

static void expect_url(const char *want)
{
    ck_assert_str_eq(kv_construct_url(pool, "/dir/", &req), want);
}

KVU_CASE(canonical, "canonical", setup, teardown);

/* httpd 2.4 with ServerName www.example.com on 127.0.0.1:18431, no directive: the client's
 * Host and its port, or none (80); never the listening port. */
KVC_TEST(canonical, off_by_default_uses_the_clients_host_and_port)
{
    ck_assert_ptr_null(run());
    host("x");
    ck_assert_str_eq(kv_get_server_name(&req), "x");
    ck_assert_int_eq(kv_get_server_port(&req), 80);
    expect_url("http://x/dir/");
}
END_TEST

KVC_TEST(canonical, off_keeps_the_port_the_client_sent)
{
    ck_assert_ptr_null(run());
    host("x:8080");
    ck_assert_int_eq(kv_get_server_port(&req), 8080);
    expect_url("http://x:8080/dir/");
}
END_TEST

KVC_TEST(canonical, off_leaves_out_port_80)
{
    ck_assert_ptr_null(run());
    host("x:80");
    expect_url("http://x/dir/");
}
END_TEST

/* No Host (HTTP/1.0): ServerName, and its port if it has one. */
KVC_TEST(canonical, off_without_host_uses_server_name)
{
    ck_assert_ptr_null(run());
    expect_url("http://www.example.com/dir/");
    server->port = 81;
    expect_url("http://www.example.com:81/dir/");
}
END_TEST

/* ServerName's port stands when the client gave none (httpd: Host x -> http://x:81/). */
KVC_TEST(canonical, off_falls_back_to_server_name_port)
{
    ck_assert_ptr_null(run());
    server->port = 81;
    host("x");
    expect_url("http://x:81/dir/");
    host("x:8080");
    expect_url("http://x:8080/dir/");
}
END_TEST

KVC_TEST(canonical, on_uses_server_name_and_its_port)
{
    line("UseCanonicalName", "On");
    ck_assert_ptr_null(run());
    host("x:8080");
    ck_assert_str_eq(kv_get_server_name(&req), "www.example.com");
    expect_url("http://www.example.com/dir/");
    server->port = 81;
    expect_url("http://www.example.com:81/dir/");
}
END_TEST

KVC_TEST(canonical, on_with_physical_port_uses_the_listening_port)
{
    line("UseCanonicalName", "on");
    line("UseCanonicalPhysicalPort", "ON");
    ck_assert_ptr_null(run());
    host("x:8080");
    expect_url("http://www.example.com:18431/dir/");
    server->port = 81;
    expect_url("http://www.example.com:81/dir/");
}
END_TEST

KVC_TEST(canonical, off_with_physical_port)
{
    line("UseCanonicalName", "Off");
    line("UseCanonicalPhysicalPort", "On");
    ck_assert_ptr_null(run());
    expect_url("http://www.example.com:18431/dir/");
    host("x");
    expect_url("http://x:18431/dir/");
    host("x:8080");
    expect_url("http://x:8080/dir/");
}
END_TEST

/* DNS: the name of the local address (127.0.0.1 is localhost), the port as Off. */
KVC_TEST(canonical, dns_uses_the_local_address_name)
{
    line("UseCanonicalName", "DNS");
    ck_assert_ptr_null(run());
    host("x:8080");
    ck_assert_str_eq(kv_get_server_name(&req), "localhost");
    expect_url("http://localhost:8080/dir/");
}
END_TEST

KVC_TEST(canonical, ipv6_host_in_brackets)
{
    ck_assert_ptr_null(run());
    apr_table_set(req.headers_in, "Host", "[::1]:8080");
    req.hostname = "::1";
    ck_assert_str_eq(kv_server_name_for_url(&req), "[::1]");
    expect_url("http://[::1]:8080/dir/");
}
END_TEST

KVC_TEST(canonical, bad_values_refused)
{
    line("UseCanonicalName", "Maybe");
    ck_assert_ptr_nonnull(strstr(run(), "UseCanonicalName must be On, Off or DNS, not 'Maybe'"));
}
END_TEST

KVC_TEST(canonical, bad_flag_refused)
{
    line("UseCanonicalPhysicalPort", "yes");
    ck_assert_ptr_nonnull(strstr(run(), "UseCanonicalPhysicalPort must be On or Off"));
}
END_TEST

int main(void)
{
    return kvc_run("util_url");
}
