/* The CGI environment builder of mod_cgi: every CGI/1.1 meta-variable from a request,
 * header fields as HTTP_*, credentials and httpoxy withheld, subprocess_env passed on. */
#include <check.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "cgi_env.h"
#include "config_walk.h"
#include "module.h"
#include "../check_run.h"

static apr_pool_t *pool;
static kv_server_t server;
static kv_conn_t conn;
static kv_request_t req;

static void setup(void)
{
    kv_server_t *configured;

    kvu_apr_pool_setup(&pool);
    /* The core's per-directory defaults (UseCanonicalName unset). */
    apr_hook_global_pool = pool;
    kv_modules_reset();
    configured = kv_server_create(pool);
    kv_module_add(pool, &core_module, NULL, configured);
    memset(&server, 0, sizeof(server));
    memset(&conn, 0, sizeof(conn));
    memset(&req, 0, sizeof(req));
    server.server_hostname = "main.example";
    apr_sockaddr_info_get(&conn.local_addr, "127.0.0.1", APR_INET, 8080, 0, pool);
    apr_sockaddr_info_get(&conn.client_addr, "127.0.0.2", APR_INET, 40000, 0, pool);
    conn.local_ip = "127.0.0.1";
    conn.client_ip = "127.0.0.2";
    req.pool = pool;
    req.connection = &conn;
    /* The client mod_remoteip found behind the peer 127.0.0.2; its header carries no port. */
    req.useragent_ip = "192.0.2.7";
    apr_sockaddr_info_get(&req.useragent_addr, "192.0.2.7", APR_INET, 0, 0, pool);
    req.server = &server;
    req.per_dir_config = configured->lookup_defaults;
    server.module_config = configured->module_config;
    req.method = "POST";
    req.protocol = "HTTP/1.1";
    req.unparsed_uri = "/cgi-bin/s.cgi/more/path?x=1";
    req.uri = "/cgi-bin/s.cgi/more/path";
    req.path_info = "/more/path";
    req.args = "x=1";
    req.filename = "/srv/cgi-bin/s.cgi";
    req.headers_in = apr_table_make(pool, 8);
    req.subprocess_env = apr_table_make(pool, 8);
    apr_table_set(req.headers_in, "User-Agent", "tester/1");
    apr_table_set(req.headers_in, "Content-Type", "text/plain");
    apr_table_set(req.headers_in, "Content-Length", "12");
    apr_table_set(req.headers_in, "Authorization", "Basic dTpw");
    apr_table_set(req.headers_in, "Proxy", "http://evil/");
    apr_table_set(req.headers_in, "X_Under", "dropped");
}

static void teardown(void)
{
    apr_hook_deregister_all();
    kvu_apr_pool_teardown(pool);
}

static void expect(const apr_table_t *env, const char *name, const char *value)
{
    const char *got = apr_table_get(env, name);

    ck_assert_msg(got != NULL, "%s missing", name);
    ck_assert_msg(strcmp(got, value) == 0, "%s=%s, want %s", name, got, value);
}

KVU_CASE(cgi_env_case, "cgi_env", setup, teardown);

/* A name found for the connection (HostnameLookups, Require host) is REMOTE_HOST, when the
 * request's client is the connection's peer (no mod_remoteip). */
KVC_TEST(cgi_env_case, test_remote_host_is_a_name)
{
    apr_table_t *env;

    req.useragent_ip = conn.client_ip;
    req.useragent_addr = conn.client_addr;
    conn.remote_host = "client.example";
    env = cgi_env_table(&req, "/srv/htdocs");
    expect(env, "REMOTE_HOST", "client.example");
    expect(env, "REMOTE_ADDR", "127.0.0.2");
}
END_TEST

KVC_TEST(cgi_env_case, test_meta_variables)
{
    apr_table_t *env = cgi_env_table(&req, "/srv/htdocs");

    expect(env, "GATEWAY_INTERFACE", "CGI/1.1");
    expect(env, "SERVER_SOFTWARE", "kiva/" KV_VERSION " (Unix)");
    expect(env, "SERVER_NAME", "main.example");
    expect(env, "SERVER_ADDR", "127.0.0.1");
    /* No port in a Host field (there is none) nor in ServerName: 80, not the port the
     * connection came in on (httpd's UseCanonicalPhysicalPort Off). */
    expect(env, "SERVER_PORT", "80");
    expect(env, "SERVER_PROTOCOL", "HTTP/1.1");
    expect(env, "REMOTE_ADDR", "192.0.2.7");
    /* No HostnameLookups: no name, so no REMOTE_HOST (httpd sets it only to a name). */
    ck_assert_ptr_null(apr_table_get(env, "REMOTE_HOST"));
    expect(env, "REMOTE_PORT", "0");
    expect(env, "REQUEST_METHOD", "POST");
    expect(env, "REQUEST_URI", "/cgi-bin/s.cgi/more/path?x=1");
    expect(env, "REQUEST_SCHEME", "http");
    expect(env, "QUERY_STRING", "x=1");
    expect(env, "SCRIPT_NAME", "/cgi-bin/s.cgi");
    expect(env, "SCRIPT_FILENAME", "/srv/cgi-bin/s.cgi");
    expect(env, "PATH_INFO", "/more/path");
    expect(env, "PATH_TRANSLATED", "/srv/htdocs/more/path");
    expect(env, "DOCUMENT_ROOT", "/srv/htdocs");
    expect(env, "CONTEXT_PREFIX", "");
    expect(env, "CONTEXT_DOCUMENT_ROOT", "/srv/htdocs");
    expect(env, "PATH", CGI_DEFAULT_PATH);
    expect(env, "CONTENT_TYPE", "text/plain");
    expect(env, "CONTENT_LENGTH", "12");
    expect(env, "HTTP_USER_AGENT", "tester/1");
    ck_assert_ptr_null(apr_table_get(env, "HTTP_AUTHORIZATION"));
    ck_assert_ptr_null(apr_table_get(env, "HTTP_PROXY"));
    ck_assert_ptr_null(apr_table_get(env, "HTTP_X_UNDER"));
    ck_assert_ptr_null(apr_table_get(env, "HTTP_CONTENT_TYPE"));
    ck_assert_ptr_null(apr_table_get(env, "REMOTE_USER"));
    ck_assert_ptr_null(apr_table_get(env, "AUTH_TYPE"));
}
END_TEST

KVC_TEST(cgi_env_case, test_user_host_and_no_path_info)
{
    apr_table_t *env;

    req.user = "alice";
    req.hostname = "vhost.example";
    apr_table_set(req.headers_in, "Host", "vhost.example:8081");
    req.path_info = NULL;
    req.uri = "/cgi-bin/s.cgi";
    req.args = NULL;
    env = cgi_env_table(&req, "/srv/htdocs");
    expect(env, "REMOTE_USER", "alice");
    expect(env, "AUTH_TYPE", "Basic");
    expect(env, "SERVER_NAME", "vhost.example");
    expect(env, "SERVER_PORT", "8081");
    expect(env, "SCRIPT_NAME", "/cgi-bin/s.cgi");
    expect(env, "QUERY_STRING", "");
    ck_assert_ptr_null(apr_table_get(env, "PATH_INFO"));
    ck_assert_ptr_null(apr_table_get(env, "PATH_TRANSLATED"));
}
END_TEST

/* An IPv6 host is written as in a URL, in brackets, as httpd's SERVER_NAME. */
KVC_TEST(cgi_env_case, test_ipv6_server_name_in_brackets)
{
    req.hostname = "::1";
    expect(cgi_env_table(&req, "/srv/htdocs"), "SERVER_NAME", "[::1]");
    req.hostname = NULL;
    server.server_hostname = "fe80::1";
    expect(cgi_env_table(&req, "/srv/htdocs"), "SERVER_NAME", "[fe80::1]");
}
END_TEST

KVC_TEST(cgi_env_case, test_subprocess_env_passed_and_overridden)
{
    apr_table_t *env;

    apr_table_set(req.subprocess_env, "MY_VAR", "mine");
    apr_table_set(req.subprocess_env, "PATH", "/opt/bin");
    apr_table_set(req.subprocess_env, "REQUEST_METHOD", "FAKE");
    apr_table_set(req.subprocess_env, "CONTEXT_PREFIX", "/cgi-bin/");
    apr_table_set(req.subprocess_env, "CONTEXT_DOCUMENT_ROOT", "/srv/cgi-bin/");
    env = cgi_env_table(&req, "/srv/htdocs");
    expect(env, "MY_VAR", "mine");
    expect(env, "PATH", "/opt/bin");
    expect(env, "REQUEST_METHOD", "POST");
    expect(env, "CONTEXT_PREFIX", "/cgi-bin/");
    expect(env, "CONTEXT_DOCUMENT_ROOT", "/srv/cgi-bin/");
}
END_TEST

KVC_TEST(cgi_env_case, test_header_names)
{
    ck_assert_str_eq(cgi_env_header_name(pool, "Accept-Language"), "HTTP_ACCEPT_LANGUAGE");
    ck_assert_str_eq(cgi_env_header_name(pool, "x-1"), "HTTP_X_1");
    ck_assert_ptr_null(cgi_env_header_name(pool, "proxy-authorization"));
    ck_assert_ptr_null(cgi_env_header_name(pool, "A.B"));
    ck_assert_ptr_null(cgi_env_header_name(pool, ""));
}
END_TEST

KVC_TEST(cgi_env_case, test_env_array)
{
    apr_table_t *t = apr_table_make(pool, 2);
    const char *const *arr;

    apr_table_set(t, "A", "1");
    apr_table_set(t, "B", "x=y");
    arr = cgi_env_array(pool, t);
    ck_assert_str_eq(arr[0], "A=1");
    ck_assert_str_eq(arr[1], "B=x=y");
    ck_assert_ptr_null(arr[2]);
}
END_TEST

int main(void)
{
    return kvc_run("cgi_env");
}
