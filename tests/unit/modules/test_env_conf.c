/* Tests of modules/env/env_conf.c: how SetEnv, UnsetEnv and PassEnv values merge over
 * enclosing sections, as httpd's mod_env merges them. */
#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "env_conf.h"
#include "../check_run.h"

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

/* A config with the values "name=value" and unsets "-name" of the NULL-ended list. */
static env_conf_t *conf_of(const char *first, ...)
{
    env_conf_t *c = env_conf_create(pool, NULL);
    va_list ap;

    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *)) {
        if (*s == '-') {
            apr_table_setn(c->unset, s + 1, "");
        } else {
            const char *eq = strchr(s, '=');
            apr_table_setn(c->vars, apr_pstrndup(pool, s, (apr_size_t)(eq - s)), eq + 1);
        }
    }
    va_end(ap);
    return c;
}

static const char *var(const env_conf_t *c, const char *name)
{
    const char *v = apr_table_get(c->vars, name);

    return v ? v : "(unset)";
}

KVU_CASE(merge_case, "merge", setup, teardown);

KVC_TEST(merge_case, inner_values_win_and_unset_removes_outer_ones)
{
    env_conf_t *outer = conf_of("A=1", "B=1", "C=1", NULL);
    env_conf_t *inner = conf_of("B=2", "-A", "D=2", NULL);
    env_conf_t *m = env_conf_merge(pool, outer, inner);

    ck_assert_str_eq(var(m, "A"), "(unset)");
    ck_assert_str_eq(var(m, "B"), "2");
    ck_assert_str_eq(var(m, "C"), "1");
    ck_assert_str_eq(var(m, "D"), "2");
    /* The outer config is not changed by the merge. */
    ck_assert_str_eq(var(outer, "A"), "1");
}
END_TEST

KVC_TEST(merge_case, a_merged_config_keeps_its_unsets_for_the_next_merge)
{
    env_conf_t *first = conf_of("-A", "-B", NULL);
    env_conf_t *second = conf_of("B=again", NULL);
    env_conf_t *both = env_conf_merge(pool, first, second);
    env_conf_t *m = env_conf_merge(pool, conf_of("A=1", "B=1", "C=1", NULL), both);

    ck_assert_str_eq(var(m, "A"), "(unset)");
    ck_assert_str_eq(var(m, "B"), "again");
    ck_assert_str_eq(var(m, "C"), "1");
}
END_TEST

int main(void)
{
    return kvu_run_apr("env_conf");
}
