/* Tests of mpm/frame.c, the part every MPM module has alike (issue 14; each MPM file had
 * its own copy): the main server's config kept for the query hook and forgotten with its
 * pool, the limits in force computed once, the query and name hooks. A fake MPM stands in. */
#include <check.h>
#include <stdlib.h>

#include <apr_general.h>
#include <apr_hooks.h>

#include "frame.h"
#include "kv_mpm.h"
#include "../check_run.h"

typedef struct {
    kv_mpm_conf_t head;
    int set; /* as configured: KV_UNSET_INT where not given */
    int run; /* in force */
} fake_conf_t;

static int defaults_applied, fixes;
static kv_server_t *fixed_for;

static void fake_init(void *conf)
{
    ((fake_conf_t *)conf)->set = KV_UNSET_INT;
}

static void fake_defaults(void *conf)
{
    fake_conf_t *c = conf;

    defaults_applied++;
    c->run = KV_MERGE_INT(c->set, KV_UNSET_INT, 7);
}

/* At most 100, as a real MPM's limit. */
static void fake_fix(void *conf, kv_server_t *s)
{
    fake_conf_t *c = conf;

    fixes++;
    fixed_for = s;
    c->run = c->run > 100 ? 100 : c->run;
}

static void fake_caps(const void *conf, kv_mpm_caps_t *caps)
{
    caps->forked = 1;
    caps->max_workers = ((const fake_conf_t *)conf)->run;
}

static int fake_serve(apr_pool_t *pconf, kv_server_t *s, void *conf)
{
    (void)pconf;
    (void)s;
    (void)conf;
    return KV_MPM_STOP;
}

static const kv_mpm_t fake_mpm = {
    .name = "fake",
    .conf_size = sizeof(fake_conf_t),
    .init_conf = fake_init,
    .apply_defaults = fake_defaults,
    .fix_limits = fake_fix,
    .caps = fake_caps,
    .parent = fake_serve,
    .one_process = fake_serve,
};

KV_MPM_MODULE(fake, NULL, fake_mpm);

static apr_pool_t *pool;
static void *configs[1];
static kv_server_t main_server = {.module_config = configs};

/* The core's part: the module's config for the main server, then its hooks. */
static fake_conf_t *load(apr_pool_t *pconf)
{
    mpm_fake_module.index = 0;
    configs[0] = mpm_fake_module.create_server_config(pconf, &main_server);
    mpm_fake_module.register_hooks(pconf);
    return configs[0];
}

static void setup(void)
{
    kvu_apr_pool_setup(&pool);
    apr_hook_global_pool = pool;
    defaults_applied = fixes = 0;
    fixed_for = NULL;
}

static void teardown(void)
{
    kvu_apr_pool_teardown(pool);
}

KVU_CASE(frame_case, "frame", setup, teardown);

KVC_TEST(frame_case, main_server_config_is_current_until_its_pool_goes)
{
    apr_pool_t *pconf;
    fake_conf_t *conf;
    kv_server_t vhost = {.is_virtual = 1};

    apr_pool_create(&pconf, pool);
    conf = load(pconf);
    ck_assert_ptr_eq(kv_mpm_current_conf(), conf);
    ck_assert_int_eq(conf->set, KV_UNSET_INT);
    ck_assert_ptr_ne(mpm_fake_module.create_server_config(pconf, &vhost), conf);
    ck_assert_ptr_eq(kv_mpm_current_conf(), conf); /* a virtual host's does not count */
    apr_pool_destroy(pconf);
    ck_assert_ptr_null(kv_mpm_current_conf());
}
END_TEST

KVC_TEST(frame_case, query_before_post_config_computes_the_limits_once)
{
    fake_conf_t *conf = load(pool);

    conf->set = 500;
    ck_assert_int_eq(kv_mpm_query(KV_MPMQ_MAX_WORKERS), 100);
    ck_assert_int_eq(kv_mpm_query(KV_MPMQ_IS_FORKED), 1);
    ck_assert_int_eq(kv_mpm_query(KV_MPMQ_IS_THREADED), 0);
    ck_assert_int_eq(defaults_applied, 1);
    ck_assert_int_eq(fixes, 1);
    ck_assert_ptr_null(fixed_for); /* kiva -t: no server to log for yet */
}
END_TEST

KVC_TEST(frame_case, post_config_computes_the_limits_for_the_server)
{
    fake_conf_t *conf = load(pool);

    conf->set = 42;
    ck_assert_int_eq(kv_run_post_config(pool, pool, pool, &main_server), KV_OK);
    ck_assert_int_eq(conf->run, 42);
    ck_assert_ptr_eq(fixed_for, &main_server);
    ck_assert_int_eq(kv_mpm_query(KV_MPMQ_MAX_WORKERS), 42);
    ck_assert_int_eq(fixes, 1);
}
END_TEST

KVC_TEST(frame_case, query_without_a_config_answers_the_defaults)
{
    apr_pool_t *pconf;

    apr_pool_create(&pconf, pool);
    load(pconf);
    apr_pool_destroy(pconf);
    ck_assert_int_eq(kv_mpm_query(KV_MPMQ_MAX_WORKERS), 7);
    ck_assert_ptr_null(kv_mpm_current_conf());
}
END_TEST

KVC_TEST(frame_case, names_come_from_the_descriptor_and_the_module)
{
    load(pool);
    ck_assert_str_eq(kv_run_mpm_get_name(), "fake");
    ck_assert_str_eq(kv_mpm_log_name(), "mpm_fake");
    ck_assert_ptr_eq(kv_mpm_current(), &fake_mpm);
    ck_assert_str_eq(mpm_fake_module.name, "mpm_fake");
}
END_TEST

int main(void)
{
    return kvc_run("mpm_frame");
}
