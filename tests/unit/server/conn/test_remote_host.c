/* Tests of server/conn/remote_host.c: HostnameLookups' argument, and the client's name as
 * kv_get_remote_host gives it for each type and setting, through the resolver (127.0.0.1 is
 * localhost in /etc/hosts; 127.0.0.2 has no name), cached on the connection. */
/* Moved from tests/unit/server/test_remote_host.c (server/ split into layer folders). */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <check.h>

#include "remote_host.h"
#include "../../check_run.h"

static apr_pool_t *pool;

static kv_conn_t *conn_from(const char *ip)
{
    kv_conn_t *c = apr_pcalloc(pool, sizeof(*c));

    ck_assert_int_eq(apr_sockaddr_info_get(&c->client_addr, ip, APR_INET, 40000, 0, pool),
                     APR_SUCCESS);
    c->client_ip = ip;
    c->pool = pool;
    return c;
}

KVU_POOL_CASE(remote_host_case, "remote_host", pool);

KVC_TEST(remote_host_case, parse)
{
    int v = -1;

    ck_assert_ptr_null(kv_parse_hostname_lookups(pool, "off", &v));
    ck_assert_int_eq(v, KV_LOOKUPS_OFF);
    ck_assert_ptr_null(kv_parse_hostname_lookups(pool, "On", &v));
    ck_assert_int_eq(v, KV_LOOKUPS_ON);
    ck_assert_ptr_null(kv_parse_hostname_lookups(pool, "DOUBLE", &v));
    ck_assert_int_eq(v, KV_LOOKUPS_DOUBLE);
    ck_assert_ptr_nonnull(strstr(kv_parse_hostname_lookups(pool, "yes", &v), "On, Off or Double"));
}
END_TEST

/* Off: no lookup for a name or the address (the address is the answer). */
KVC_TEST(remote_host_case, off_looks_nothing_up)
{
    kv_conn_t *c = conn_from("127.0.0.1");
    int is_ip = 0;

    ck_assert_str_eq(kv_remote_host_of(c, KV_LOOKUPS_OFF, KV_REMOTE_NAME, &is_ip), "127.0.0.1");
    ck_assert_int_eq(is_ip, 1);
    ck_assert_ptr_null(kv_remote_host_of(c, KV_LOOKUPS_OFF, KV_REMOTE_HOST, NULL));
    ck_assert_ptr_null(c->remote_host);
}
END_TEST

/* On: the name, looked up once; later calls use the connection's. */
KVC_TEST(remote_host_case, on_looks_up_once)
{
    kv_conn_t *c = conn_from("127.0.0.1");
    int is_ip = 1;

    ck_assert_str_eq(kv_remote_host_of(c, KV_LOOKUPS_ON, KV_REMOTE_NAME, &is_ip), "localhost");
    ck_assert_int_eq(is_ip, 0);
    c->remote_host = "cached.example";
    ck_assert_str_eq(kv_remote_host_of(c, KV_LOOKUPS_ON, KV_REMOTE_HOST, NULL), "cached.example");
    /* A name found once is given even where lookups are Off, as httpd. */
    ck_assert_str_eq(kv_remote_host_of(c, KV_LOOKUPS_OFF, KV_REMOTE_NAME, NULL), "cached.example");
}
END_TEST

/* An address without a name: the address for %h, nothing for REMOTE_HOST. */
KVC_TEST(remote_host_case, no_name)
{
    kv_conn_t *c = conn_from("127.0.0.2");
    int is_ip = 0;

    ck_assert_str_eq(kv_remote_host_of(c, KV_LOOKUPS_ON, KV_REMOTE_NAME, &is_ip), "127.0.0.2");
    ck_assert_int_eq(is_ip, 1);
    ck_assert_str_eq(c->remote_host, "");
    ck_assert_ptr_null(kv_remote_host_of(c, KV_LOOKUPS_ON, KV_REMOTE_HOST, NULL));
    ck_assert_ptr_null(kv_remote_host_of(c, KV_LOOKUPS_OFF, KV_REMOTE_DOUBLE_REV, NULL));
}
END_TEST

/* Double and the double-reverse type keep a name only when it resolves back. */
KVC_TEST(remote_host_case, double_reverse)
{
    kv_conn_t *c = conn_from("127.0.0.1");
    kv_conn_t *liar = conn_from("127.0.0.1");

    ck_assert_str_eq(kv_remote_host_of(c, KV_LOOKUPS_DOUBLE, KV_REMOTE_HOST, NULL), "localhost");
    ck_assert_int_eq(c->double_reverse, 1);
    c = conn_from("127.0.0.1");
    ck_assert_str_eq(kv_remote_host_of(c, KV_LOOKUPS_OFF, KV_REMOTE_DOUBLE_REV, NULL), "localhost");
    /* A name (from a lying PTR record) that does not resolve to the address. */
    liar->remote_host = "no-such-host.invalid";
    ck_assert_ptr_null(kv_remote_host_of(liar, KV_LOOKUPS_OFF, KV_REMOTE_DOUBLE_REV, NULL));
    ck_assert_int_eq(liar->double_reverse, -1);
}
END_TEST

/* NOLOOKUP never looks up. */
KVC_TEST(remote_host_case, nolookup)
{
    kv_conn_t *c = conn_from("127.0.0.1");

    ck_assert_str_eq(kv_remote_host_of(c, KV_LOOKUPS_ON, KV_REMOTE_NOLOOKUP, NULL), "127.0.0.1");
    ck_assert_ptr_null(c->remote_host);
}
END_TEST

int main(void)
{
    return kvc_run("remote_host");
}
