/* Tests of server/config/vhost.c: <VirtualHost> settings merged over the main server's, and the
 * choice of host by address and name. Configurations are read from real files. */
/* Moved from tests/unit/server/test_vhost.c (server/ split into layer folders). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "config_read.h"
#include "config_walk.h"
#include "core.h"
#include "module.h"
#include "vhost.h"
#include "../../check_run.h"

static apr_pool_t *pool;
static kv_server_t *server;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
    apr_hook_global_pool = pool;
    kv_modules_reset();
    kv_config_defines_reset(pool, apr_array_make(pool, 1, sizeof(const char *)));
    server = kv_server_create(pool);
    kv_module_add(pool, &core_module, NULL, server);
}

static void teardown(void)
{
    apr_hook_deregister_all();
    apr_pool_destroy(pool);
}

/* Read and run @a text as a config file; NULL or the error. */
static const char *configure(const char *text)
{
    char path[] = "/tmp/kiva-vhost-XXXXXX";
    int fd = mkstemp(path);
    kv_config_reader_t rd;
    kv_directive_t *tree = NULL;
    apr_pool_t *ptemp;
    const char *err;

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    apr_pool_create(&ptemp, pool);
    memset(&rd, 0, sizeof(rd));
    rd.pool = pool;
    rd.temp_pool = ptemp;
    rd.warnings = apr_array_make(pool, 1, sizeof(const char *));
    err = kv_config_read_file(&rd, path, &tree);
    if (!err) {
        err = kv_config_run(pool, ptemp, server, tree);
    }
    if (!err) {
        err = kv_core_finish_config(pool, server);
    }
    unlink(path);
    return err;
}

static const char *const site =
    "Listen 80\n"
    "ServerName main.example\n"
    "DocumentRoot /srv/main\n"
    "Timeout 7\n"
    "<VirtualHost *:80>\n"
    "    ServerName a.example\n"
    "    ServerAlias *.a.example alias.example\n"
    "    DocumentRoot /srv/a\n"
    "</VirtualHost>\n"
    "<VirtualHost *:80>\n"
    "    ServerName b.example\n"
    "    KeepAliveTimeout 9\n"
    "</VirtualHost>\n"
    "<VirtualHost 127.0.0.2:80>\n"
    "    ServerName ip.example\n"
    "</VirtualHost>\n";

/* The ServerName of the host kv_vhost_select chooses for a connection to @a ip port @a port
 * asking for @a host (NULL: no Host). */
static const char *selected(const char *ip, apr_port_t port, const char *host)
{
    return kv_vhost_select(server, ip, port, host)->server_hostname;
}

KVU_CASE(vhost_case, "vhost", setup, teardown);

KVC_TEST(vhost_case, chooses_by_name_then_first_of_the_address)
{
    ck_assert_ptr_null(configure(site));
    ck_assert_str_eq(selected("127.0.0.1", 80, "b.example"), "b.example");
    ck_assert_str_eq(selected("127.0.0.1", 80, "B.EXAMPLE"), "b.example");
    ck_assert_str_eq(selected("127.0.0.1", 80, "x.a.example"), "a.example");
    ck_assert_str_eq(selected("127.0.0.1", 80, "alias.example"), "a.example");
    ck_assert_str_eq(selected("127.0.0.1", 80, "nobody.example"), "a.example");
    ck_assert_str_eq(selected("127.0.0.1", 80, NULL), "a.example");
}
END_TEST

KVC_TEST(vhost_case, exact_address_before_wildcards_and_main_for_other_ports)
{
    ck_assert_ptr_null(configure(site));
    ck_assert_str_eq(selected("127.0.0.2", 80, "b.example"), "ip.example");
    ck_assert_str_eq(selected("::ffff:127.0.0.2", 80, NULL), "ip.example");
    ck_assert_ptr_eq(kv_vhost_select(server, "127.0.0.1", 8080, "a.example"), server);
}
END_TEST

KVC_TEST(vhost_case, hosts_inherit_what_they_do_not_set)
{
    kv_server_t *a, *b;

    ck_assert_ptr_null(configure(site));
    a = server->next;
    b = a->next;
    ck_assert_str_eq(kv_core_sconf(a)->document_root, "/srv/a");
    ck_assert_str_eq(kv_core_sconf(b)->document_root, "/srv/main");
    ck_assert_int_eq(b->timeout, apr_time_from_sec(7));
    ck_assert_int_eq(b->keep_alive_timeout, apr_time_from_sec(9));
    ck_assert_int_eq(a->keep_alive_timeout, apr_time_from_sec(5));
    ck_assert_int_eq(a->keep_alive_max, 100);
    ck_assert_ptr_eq(kv_core_sconf(a)->listen_specs, kv_core_sconf(server)->listen_specs);
}
END_TEST

/* As httpd, a directive given again in a host takes the last value. */
KVC_TEST(vhost_case, repeat_in_a_host_takes_the_last_value)
{
    ck_assert_ptr_null(configure("Listen 80\n<VirtualHost *:80>\n  DocumentRoot /a\n"
                                 "  DocumentRoot /b\n  ServerName one.example\n"
                                 "  ServerName two.example\n</VirtualHost>\n"));
    ck_assert_str_eq(kv_core_sconf(server->next)->document_root, "/b");
    ck_assert_str_eq(server->next->server_hostname, "two.example");
}
END_TEST

/* httpd's "*" port: *:*, _default_:* and an IP with :* take any port. */
KVC_TEST(vhost_case, any_port_forms)
{
    ck_assert_ptr_null(configure("Listen 80\n"
                                 "<VirtualHost 127.0.0.3:*>\n  ServerName ip.example\n"
                                 "</VirtualHost>\n"
                                 "<VirtualHost *:*>\n  ServerName star.example\n"
                                 "</VirtualHost>\n"
                                 "<VirtualHost _default_:*>\n  ServerName default.example\n"
                                 "</VirtualHost>\n"
                                 "<VirtualHost *:81>\n  ServerName port81.example\n"
                                 "</VirtualHost>\n"));
    /* Any address and port: the first wildcard host is the default of every one. */
    ck_assert_str_eq(selected("127.0.0.1", 8080, NULL), "star.example");
    ck_assert_str_eq(selected("::1", 1, "nobody.example"), "star.example");
    /* Name-based among them, whatever the port. */
    ck_assert_str_eq(selected("127.0.0.1", 9999, "default.example"), "default.example");
    ck_assert_str_eq(selected("127.0.0.1", 81, "port81.example"), "port81.example");
    /* An exact address with :* wins on every port of that address. */
    ck_assert_str_eq(selected("127.0.0.3", 4242, "star.example"), "ip.example");
}
END_TEST

/* As httpd: a host of *:80 takes port 80 whole; the *:* hosts answer on the other ports. */
KVC_TEST(vhost_case, specific_port_shadows_any_port)
{
    ck_assert_ptr_null(configure("Listen 80\n"
                                 "<VirtualHost *:*>\n  ServerName star.example\n"
                                 "</VirtualHost>\n"
                                 "<VirtualHost *:80>\n  ServerName eighty.example\n"
                                 "</VirtualHost>\n"
                                 "<VirtualHost 127.0.0.5:*>\n  ServerName ip.example\n"
                                 "</VirtualHost>\n"
                                 "<VirtualHost 127.0.0.5:80>\n  ServerName ip80.example\n"
                                 "</VirtualHost>\n"));
    ck_assert_str_eq(selected("127.0.0.1", 80, "star.example"), "eighty.example");
    ck_assert_str_eq(selected("127.0.0.1", 81, "eighty.example"), "star.example");
    ck_assert_str_eq(selected("127.0.0.5", 80, "ip.example"), "ip80.example");
    ck_assert_str_eq(selected("127.0.0.5", 81, "star.example"), "ip.example");
}
END_TEST

KVC_TEST(vhost_case, errors)
{
    const char *err = configure("Listen 80\nServerAlias x.example\n");
    ck_assert_ptr_nonnull(strstr(err, "ServerAlias is not allowed in the main server"));
    teardown();
    setup();
    err = configure("Listen 80\n<VirtualHost *:80>\n  Listen 81\n</VirtualHost>\n");
    ck_assert_ptr_nonnull(strstr(err, "Listen is not allowed in <VirtualHost>"));
    teardown();
    setup();
    err = configure("Listen 80\n<VirtualHost [::1>\n</VirtualHost>\n");
    ck_assert_ptr_nonnull(strstr(err, "is not an address[:port]"));
}
END_TEST

int main(void)
{
    return kvu_run_apr("vhost");
}
