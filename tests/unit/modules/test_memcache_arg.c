/* Tests of modules/socache_memcache/memcache_arg.c: SSLSessionCache memcache's server list as
 * httpd's mod_socache_memcache takes and refuses it. */
#include <check.h>
#include <string.h>

#include <apr_general.h>

#include "memcache_arg.h"
#include "../check_run.h"

static apr_pool_t *pool;
KVU_POOL_CASE(arg_case, "memcache_arg", pool);

static const memcache_server_t *server(const apr_array_header_t *servers, int i)
{
    return &APR_ARRAY_IDX(servers, i, memcache_server_t);
}

KVC_TEST(arg_case, parses_one_or_several_servers)
{
    apr_array_header_t *servers;

    ck_assert_ptr_null(memcache_parse_servers(pool, "127.0.0.1:11311", &servers));
    ck_assert_int_eq(servers->nelts, 1);
    ck_assert_str_eq(server(servers, 0)->host, "127.0.0.1");
    ck_assert_uint_eq(server(servers, 0)->port, 11311);
    ck_assert_ptr_null(memcache_parse_servers(pool, "a.example:1,b.example,[::1]:3", &servers));
    ck_assert_int_eq(servers->nelts, 3);
    ck_assert_str_eq(server(servers, 1)->host, "b.example");
    ck_assert_uint_eq(server(servers, 1)->port, MEMCACHE_DEFAULT_PORT);
    ck_assert_str_eq(server(servers, 2)->host, "::1");
    ck_assert_uint_eq(server(servers, 2)->port, 3);
}
END_TEST

KVC_TEST(arg_case, refuses_an_empty_list_or_a_bad_port)
{
    apr_array_header_t *servers;

    ck_assert_ptr_nonnull(memcache_parse_servers(pool, NULL, &servers));
    ck_assert_ptr_nonnull(memcache_parse_servers(pool, ",", &servers));
    ck_assert_ptr_nonnull(
        strstr(memcache_parse_servers(pool, "host:notaport", &servers), "host:notaport"));
    ck_assert_ptr_nonnull(memcache_parse_servers(pool, "host:99999", &servers));
}
END_TEST

int main(void)
{
    return kvc_run("memcache_arg");
}
