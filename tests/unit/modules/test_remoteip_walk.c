/* Tests of modules/remoteip/remoteip_walk.c: the proxy specs and list files, and httpd's
 * right-to-left walk of the client IP header through trusted and internal proxies. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "remoteip_walk.h"
#include "../check_run.h"

static apr_pool_t *pool;
static apr_array_header_t *proxies;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
    proxies = apr_array_make(pool, 4, sizeof(remoteip_proxy_t));
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

static void trust(const char *spec, int internal)
{
    const char *err = remoteip_add_proxy(pool, proxies, spec, internal, "RemoteIPTrustedProxy");

    ck_assert_msg(err == NULL, "%s refused: %s", spec, err);
}

/* The walk from the peer @a peer over @a header, as "client|remaining|proxies" ("-" for
 * NULL), or "unchanged". */
static const char *walk(const apr_array_header_t *list, const char *peer, const char *header)
{
    apr_sockaddr_t *sa;
    remoteip_found_t f;

    ck_assert_int_eq(apr_sockaddr_info_get(&sa, peer, APR_UNSPEC, 40000, 0, pool), APR_SUCCESS);
    if (!remoteip_walk(pool, list, sa, peer, header, &f)) {
        return "unchanged";
    }
    ck_assert_int_eq(f.addr->port, 0);
    return apr_psprintf(pool, "%s|%s|%s", f.ip, f.remaining ? f.remaining : "-",
                        f.proxy_ips ? f.proxy_ips : "-");
}

KVU_CASE(walk_case, "walk", setup, teardown);

KVC_TEST(walk_case, trusted_proxies_are_walked_right_to_left)
{
    trust("127.0.0.1", 0);
    trust("198.51.100.0/24", 0);
    ck_assert_str_eq(walk(proxies, "127.0.0.1", "203.0.113.5"), "203.0.113.5|-|127.0.0.1");
    ck_assert_str_eq(walk(proxies, "127.0.0.1", "1.1.1.1, 203.0.113.5"),
                     "203.0.113.5|1.1.1.1|127.0.0.1");
    ck_assert_str_eq(walk(proxies, "127.0.0.1", "203.0.113.5, 198.51.100.7"),
                     "203.0.113.5|-|127.0.0.1, 198.51.100.7");
    ck_assert_str_eq(walk(proxies, "127.0.0.1", "1.2.3.4,198.51.100.7 "),
                     "1.2.3.4|-|127.0.0.1, 198.51.100.7");
    /* A peer that is not a listed proxy is the client. */
    ck_assert_str_eq(walk(proxies, "192.0.2.1", "203.0.113.5"), "unchanged");
}
END_TEST

KVC_TEST(walk_case, a_trusted_proxy_may_not_present_a_private_address)
{
    trust("127.0.0.1", 0);
    trust("198.51.100.0/24", 0);
    ck_assert_str_eq(walk(proxies, "127.0.0.1", "10.0.0.1"), "unchanged");
    ck_assert_str_eq(walk(proxies, "127.0.0.1", "1.2.3.4, 10.0.0.1, 198.51.100.7"),
                     "198.51.100.7|1.2.3.4, 10.0.0.1|127.0.0.1");
    ck_assert_str_eq(walk(proxies, "127.0.0.1", "172.20.0.1"), "unchanged");
    ck_assert_str_eq(walk(proxies, "127.0.0.1", "172.32.0.1"), "172.32.0.1|-|127.0.0.1");
    ck_assert_str_eq(walk(proxies, "127.0.0.1", "192.168.1.1"), "unchanged");
    ck_assert_str_eq(walk(proxies, "127.0.0.1", "169.254.1.1"), "unchanged");
    ck_assert_str_eq(walk(proxies, "127.0.0.1", "fd00::1"), "unchanged");
    ck_assert_str_eq(walk(proxies, "127.0.0.1", "2400:cb00::1"), "2400:cb00::1|-|127.0.0.1");
}
END_TEST

KVC_TEST(walk_case, internal_proxies_may_present_private_addresses)
{
    trust("127.0.0.0/8", 1);
    trust("10.0.0.0/8", 1);
    trust("192.0.2.0/24", 1);
    trust("198.51.100.7", 0);
    ck_assert_str_eq(walk(proxies, "127.0.0.1", "192.168.1.5, 10.1.1.1"), "192.168.1.5|-|-");
    /* Behind an external proxy nothing private is taken, from internal ones neither. */
    ck_assert_str_eq(walk(proxies, "127.0.0.1", "203.0.113.1, 10.1.1.1, 198.51.100.7"),
                     "198.51.100.7|203.0.113.1, 10.1.1.1|-");
    /* An external proxy may not present an internal one: 192.0.2.5 counts as external. */
    ck_assert_str_eq(walk(proxies, "127.0.0.1", "10.9.9.9, 203.0.113.1, 192.0.2.5, 198.51.100.7"),
                     "203.0.113.1|10.9.9.9|198.51.100.7, 192.0.2.5");
    ck_assert_str_eq(walk(proxies, "127.0.0.1", "10.9.9.9, 192.0.2.5"), "10.9.9.9|-|-");
}
END_TEST

KVC_TEST(walk_case, without_a_list_every_proxy_is_trusted)
{
    ck_assert_str_eq(walk(NULL, "127.0.0.1", "203.0.113.1, 198.51.100.7"),
                     "203.0.113.1|-|127.0.0.1, 198.51.100.7");
    ck_assert_str_eq(walk(NULL, "127.0.0.1", "10.0.0.1, 198.51.100.7"),
                     "198.51.100.7|10.0.0.1|127.0.0.1");
}
END_TEST

KVC_TEST(walk_case, entries_that_are_not_addresses_stop_the_walk)
{
    trust("127.0.0.1", 0);
    ck_assert_str_eq(walk(proxies, "127.0.0.1", "bogus, 203.0.113.9"),
                     "203.0.113.9|bogus|127.0.0.1");
    ck_assert_str_eq(walk(proxies, "127.0.0.1", "example.com"), "unchanged");
    ck_assert_str_eq(walk(proxies, "127.0.0.1", "203.0.113.9, "), "unchanged");
    ck_assert_str_eq(walk(proxies, "127.0.0.1", ""), "unchanged");
    ck_assert_str_eq(walk(proxies, "127.0.0.1", "203.0.113"), "unchanged");
    ck_assert_str_eq(walk(proxies, "127.0.0.1", "203.0.113.9:80"), "unchanged");
}
END_TEST

KVC_TEST(walk_case, proxy_specs)
{
    apr_sockaddr_t *sa;

    trust("10.1", 0);
    trust("192.0.2.0/255.255.255.0", 1);
    trust("2001:db8::/32", 0);
    ck_assert_int_eq(proxies->nelts, 3);
    ck_assert_int_eq(APR_ARRAY_IDX(proxies, 1, remoteip_proxy_t).internal, 1);
    apr_sockaddr_info_get(&sa, "10.1.200.3", APR_INET, 0, 0, pool);
    ck_assert(apr_ipsubnet_test(APR_ARRAY_IDX(proxies, 0, remoteip_proxy_t).net, sa));
    ck_assert_ptr_nonnull(strstr(remoteip_add_proxy(pool, proxies, "10.0.0.0/33", 0, "D"),
                                 "RemoteIP: Error parsing IP 10.0.0.0/33"));
    ck_assert_ptr_nonnull(strstr(remoteip_add_proxy(pool, proxies, "localhost/8", 0, "D"),
                                 "the subnet /8 is invalid for D"));
    ck_assert_int_eq(proxies->nelts, 3);
}
END_TEST

/* fuzz_remoteip's finding: a host name that does not resolve took back the proxy added
 * before it, or left an empty list with -1 elements. (A name with an empty label is refused
 * by the resolver itself, and .invalid never resolves: no DNS answer is needed.) */
KVC_TEST(walk_case, an_unresolved_name_removes_no_proxy)
{
    ck_assert_ptr_nonnull(remoteip_add_proxy(pool, proxies, "a..b.invalid", 0, "D"));
    ck_assert_int_eq(proxies->nelts, 0);
    trust("192.0.2.1", 0);
    ck_assert_ptr_nonnull(remoteip_add_proxy(pool, proxies, "a..b.invalid", 0, "D"));
    ck_assert_int_eq(proxies->nelts, 1);
    ck_assert_str_eq(walk(proxies, "192.0.2.1", "203.0.113.5"), "203.0.113.5|-|192.0.2.1");
}
END_TEST

KVC_TEST(walk_case, list_files)
{
    const char *err = remoteip_add_proxy_list(
        pool, proxies, "# trusted\n127.0.0.1 198.51.100.0/24 # the balancers\n\n\t10.0.0.0/8\n", 0,
        "RemoteIPTrustedProxyList", "/etc/p.txt");

    ck_assert_ptr_null(err);
    ck_assert_int_eq(proxies->nelts, 3);
    err = remoteip_add_proxy_list(pool, proxies, "127.0.0.1\n\n1.2.3.4/99\n", 1,
                                  "RemoteIPInternalProxyList", "/etc/p.txt");
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_nonnull(strstr(err, "1.2.3.4/99"));
    ck_assert_ptr_nonnull(strstr(err, "at line 3 of /etc/p.txt"));
}
END_TEST

int main(void)
{
    return kvu_run_apr("remoteip_walk");
}
