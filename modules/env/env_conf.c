/* mod_env's per-directory config and its merge, apart from the module so that a unit test
 * can link them. */
#include "env_conf.h"

void *env_conf_create(apr_pool_t *p, const char *dir)
{
    env_conf_t *conf = apr_palloc(p, sizeof(*conf));

    (void)dir;
    conf->vars = apr_table_make(p, 4);
    conf->unset = apr_table_make(p, 2);
    return conf;
}

static int unset_in(void *table, const char *key, const char *value)
{
    (void)value;
    apr_table_unset(table, key);
    return 1;
}

static int set_in(void *table, const char *key, const char *value)
{
    apr_table_setn(table, key, value);
    return 1;
}

/* The enclosing values without the names @a add unsets, then @a add's values. What the
 * result unsets (when it is merged over yet another config, as merged <If> sections are) is
 * both sides' unsets but for the names @a add sets again. */
void *env_conf_merge(apr_pool_t *p, void *basev, void *addv)
{
    const env_conf_t *base = basev, *add = addv;
    env_conf_t *conf = apr_palloc(p, sizeof(*conf));

    conf->vars = apr_table_copy(p, base->vars);
    apr_table_do(unset_in, conf->vars, add->unset, NULL);
    apr_table_do(set_in, conf->vars, add->vars, NULL);
    conf->unset = apr_table_overlay(p, add->unset, base->unset);
    apr_table_do(unset_in, conf->unset, add->vars, NULL);
    return conf;
}
