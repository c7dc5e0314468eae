/* Tests of modules/access_compat/allowdeny.c: Order and Allow/Deny arguments, and Order's
 * decision, as httpd's mod_access_compat. */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <check.h>

#include "allowdeny.h"
#include "../check_run.h"

static apr_pool_t *pool;

KVU_POOL_CASE(allowdeny_case, "allowdeny", pool);

KVC_TEST(allowdeny_case, order)
{
    access_order_t o = ORDER_MUTUAL_FAILURE;

    ck_assert_ptr_null(access_parse_order(pool, "Deny,Allow", &o));
    ck_assert_int_eq(o, ORDER_DENY_ALLOW);
    ck_assert_ptr_null(access_parse_order(pool, "allow,deny", &o));
    ck_assert_int_eq(o, ORDER_ALLOW_DENY);
    ck_assert_ptr_null(access_parse_order(pool, "Mutual-failure", &o));
    ck_assert_int_eq(o, ORDER_MUTUAL_FAILURE);
    ck_assert_ptr_nonnull(strstr(access_parse_order(pool, "allow, deny", &o), "unknown order"));
}
END_TEST

/* Under each order, with (Allow matched, Deny matched): is the client let in? */
KVC_TEST(allowdeny_case, decision)
{
    /* deny,allow: Allow wins; nothing matched lets in. */
    ck_assert(access_order_lets_in(ORDER_DENY_ALLOW, 0, 0));
    ck_assert(access_order_lets_in(ORDER_DENY_ALLOW, 1, 1));
    ck_assert(!access_order_lets_in(ORDER_DENY_ALLOW, 0, 1));
    /* allow,deny: Deny wins; nothing matched keeps out. */
    ck_assert(!access_order_lets_in(ORDER_ALLOW_DENY, 0, 0));
    ck_assert(!access_order_lets_in(ORDER_ALLOW_DENY, 1, 1));
    ck_assert(access_order_lets_in(ORDER_ALLOW_DENY, 1, 0));
    ck_assert(!access_order_lets_in(ORDER_MUTUAL_FAILURE, 0, 0));
    ck_assert(access_order_lets_in(ORDER_MUTUAL_FAILURE, 1, 0));
    ck_assert(!access_order_lets_in(ORDER_MUTUAL_FAILURE, 1, 1));
}
END_TEST

static int ip_matches(const from_t *f, const char *ip)
{
    apr_sockaddr_t *sa;

    ck_assert_int_eq(apr_sockaddr_info_get(&sa, ip, APR_UNSPEC, 80, 0, pool), APR_SUCCESS);
    return apr_ipsubnet_test(f->ip, sa);
}

KVC_TEST(allowdeny_case, from)
{
    from_t f;

    ck_assert_ptr_null(access_parse_from(pool, "All", &f));
    ck_assert_int_eq(f.kind, FROM_ALL);
    ck_assert_ptr_null(access_parse_from(pool, "env=let_in", &f));
    ck_assert_int_eq(f.kind, FROM_ENV);
    ck_assert_str_eq(f.name, "let_in");
    ck_assert_ptr_null(access_parse_from(pool, "10.1", &f));
    ck_assert_int_eq(f.kind, FROM_IP);
    ck_assert(ip_matches(&f, "10.1.200.3"));
    ck_assert(!ip_matches(&f, "10.2.0.1"));
    ck_assert_ptr_null(access_parse_from(pool, "192.168.0.0/255.255.0.0", &f));
    ck_assert(ip_matches(&f, "192.168.9.9"));
    ck_assert_ptr_null(access_parse_from(pool, "2001:db8::/32", &f));
    ck_assert(ip_matches(&f, "2001:db8::1"));
    ck_assert_ptr_null(access_parse_from(pool, ".example.org", &f));
    ck_assert_int_eq(f.kind, FROM_HOST);
    ck_assert_str_eq(f.name, ".example.org");
    ck_assert_ptr_nonnull(access_parse_from(pool, "10.0.0.0/33", &f));
    ck_assert_ptr_nonnull(access_parse_from(pool, "example.org/8", &f));
    ck_assert_ptr_nonnull(access_parse_from(pool, "env=", &f));
}
END_TEST

int main(void)
{
    return kvc_run("allowdeny");
}
