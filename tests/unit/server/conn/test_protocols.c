/* Tests of the registry of the protocols TLS's ALPN may agree on (server/conn/protocols.c):
 * names in the order registered, each once, and a list per generation (configuration pool)
 * that is gone with its pool. */
#include <check.h>
#include <string.h>

#include <apr_general.h>

#include "kv_connection.h"
#include "../../check_run.h"

static apr_pool_t *pool;

KVU_POOL_CASE(protocols_case, "protocols", pool);

static const char *name_at(int i)
{
    return APR_ARRAY_IDX(kv_protocols(), i, const char *);
}

KVC_TEST(protocols_case, names_in_order_each_once)
{
    kv_protocol_register(pool, "http/1.1");
    kv_protocol_register(pool, "h2");
    kv_protocol_register(pool, "http/1.1");
    ck_assert_int_eq(kv_protocols()->nelts, 2);
    ck_assert_str_eq(name_at(0), "http/1.1");
    ck_assert_str_eq(name_at(1), "h2");
}
END_TEST

/* The next generation's pool starts its own list while the last one's still lives; the
 * last pool's end then leaves the new list alone; the new pool's end empties it. */
KVC_TEST(protocols_case, one_list_per_generation)
{
    apr_pool_t *gen1, *gen2;

    apr_pool_create(&gen1, pool);
    apr_pool_create(&gen2, pool);
    kv_protocol_register(gen1, "h2");
    kv_protocol_register(gen2, "http/1.1");
    ck_assert_int_eq(kv_protocols()->nelts, 1);
    ck_assert_str_eq(name_at(0), "http/1.1");
    apr_pool_destroy(gen1);
    ck_assert_ptr_nonnull(kv_protocols());
    ck_assert_str_eq(name_at(0), "http/1.1");
    apr_pool_destroy(gen2);
    ck_assert_ptr_null(kv_protocols());
}
END_TEST

int main(void)
{
    return kvc_run("protocols");
}
