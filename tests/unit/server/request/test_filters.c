/* Tests of server/request/filters.c: the registry of named output filters and adding filters to a
 * request's chain by name, in the order of their types. */
/* Moved from tests/unit/server/test_filters.c (server/ split into layer folders). */
#include <apr_general.h>
#include <apr_hooks.h>
#include <check.h>

#include "kv_http.h"
#include "../../check_run.h"

static apr_pool_t *pool;

static void setup(void)
{
    kvu_apr_pool_setup(&pool);
    apr_hook_global_pool = pool;
}

static void teardown(void)
{
    kvu_apr_pool_teardown(pool);
}

static apr_status_t one(kv_filter_t *f, apr_bucket_brigade *bb)
{
    (void)f;
    (void)bb;
    return APR_SUCCESS;
}

static apr_status_t two(kv_filter_t *f, apr_bucket_brigade *bb)
{
    (void)f;
    (void)bb;
    return APR_EGENERAL;
}

KVU_CASE(registry_case, "registry", setup, teardown);

KVC_TEST(registry_case, test_lookup_ignores_case)
{
    const kv_filter_rec_t *rec;

    ck_assert_ptr_null(kv_find_output_filter(pool, "DEFLATE"));
    kv_register_output_filter("DEFLATE", one, KV_FTYPE_CONTENT);
    rec = kv_find_output_filter(pool, "deflate");
    ck_assert_ptr_nonnull(rec);
    ck_assert_str_eq(rec->name, "DEFLATE");
    ck_assert_ptr_eq(rec->func, one);
    ck_assert_int_eq(rec->type, KV_FTYPE_CONTENT);
    ck_assert_ptr_null(kv_find_output_filter(pool, "DEFLAT"));
}
END_TEST

/* A generation's registry goes with its pool: the next one starts empty. */
KVC_TEST(registry_case, test_registry_goes_with_its_pool)
{
    apr_pool_t *gen;

    ck_assert_int_eq(apr_pool_create(&gen, pool), APR_SUCCESS);
    apr_hook_global_pool = gen;
    kv_register_output_filter("X", one, KV_FTYPE_CONTENT);
    ck_assert_ptr_nonnull(kv_find_output_filter(pool, "x"));
    apr_pool_destroy(gen);
    apr_hook_global_pool = pool;
    ck_assert_ptr_null(kv_find_output_filter(pool, "x"));
    kv_register_output_filter("Y", two, KV_FTYPE_RESOURCE);
    ck_assert_ptr_nonnull(kv_find_output_filter(pool, "y"));
}
END_TEST

/* A generation built while another is alive (a new configuration checked in a child) gets
 * a registry of its own, without the other's filters. */
KVC_TEST(registry_case, test_registry_per_generation)
{
    apr_pool_t *next;

    kv_register_output_filter("OLD", one, KV_FTYPE_CONTENT);
    ck_assert_int_eq(apr_pool_create(&next, pool), APR_SUCCESS);
    apr_hook_global_pool = next;
    kv_register_output_filter("NEW", two, KV_FTYPE_CONTENT);
    ck_assert_ptr_nonnull(kv_find_output_filter(pool, "new"));
    ck_assert_ptr_null(kv_find_output_filter(pool, "old"));
    apr_pool_destroy(next);
    apr_hook_global_pool = pool;
}
END_TEST

/* The end of an older generation's pool leaves a newer registry alone. */
KVC_TEST(registry_case, test_old_pool_leaves_new_registry)
{
    apr_pool_t *old, *next;

    ck_assert_int_eq(apr_pool_create(&old, pool), APR_SUCCESS);
    ck_assert_int_eq(apr_pool_create(&next, pool), APR_SUCCESS);
    apr_hook_global_pool = old;
    kv_register_output_filter("OLD", one, KV_FTYPE_CONTENT);
    apr_hook_global_pool = next;
    kv_register_output_filter("NEW", two, KV_FTYPE_CONTENT);
    apr_pool_destroy(old);
    ck_assert_ptr_nonnull(kv_find_output_filter(pool, "new"));
    apr_pool_destroy(next);
    ck_assert_ptr_null(kv_find_output_filter(pool, "new"));
    apr_hook_global_pool = pool;
}
END_TEST

/* The list's filters join the chain by type, those of one type in the list's order. */
KVC_TEST(registry_case, test_list_inserts_by_type)
{
    kv_request_t r = {0};
    kv_filter_t proto = {0};
    const char *want[] = {"A", "B", "C", "http"};
    int i = 0;

    r.pool = pool;
    proto.name = "http";
    proto.type = KV_FTYPE_PROTOCOL;
    r.output_filters = &proto;
    kv_register_output_filter("A", one, KV_FTYPE_RESOURCE);
    kv_register_output_filter("B", two, KV_FTYPE_CONTENT);
    kv_register_output_filter("C", one, KV_FTYPE_CONTENT);
    kv_add_output_filter_list(&r, "b; C;;a");
    for (kv_filter_t *f = r.output_filters; f; f = f->next, i++) {
        ck_assert_int_lt(i, 4);
        ck_assert_str_eq(f->name, want[i]);
        ck_assert_ptr_null(f->ctx);
    }
    ck_assert_int_eq(i, 4);
    ck_assert_ptr_eq(r.output_filters->next->func, two);
}
END_TEST

int main(void)
{
    return kvc_run("filters");
}
