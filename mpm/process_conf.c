/* The configuration of the one-connection-a-process MPMs (see process_conf.h). */
#include "process_conf.h"
#include "policy/warnings.h"

void process_init_conf(void *conf)
{
    process_conf_t *c = conf;

    c->set.start_servers = KV_UNSET_INT;
    c->set.min_spare = KV_UNSET_INT;
    c->set.max_spare = KV_UNSET_INT;
    c->set.max_workers = KV_UNSET_INT;
    c->set.server_limit = KV_UNSET_INT;
}

void process_apply_defaults(process_conf_t *conf, const prefork_limits_t *d)
{
    const prefork_limits_t *set = &conf->set;
    prefork_limits_t *l = &conf->run;

    l->start_servers = KV_MERGE_INT(set->start_servers, KV_UNSET_INT, d->start_servers);
    l->min_spare = KV_MERGE_INT(set->min_spare, KV_UNSET_INT, d->min_spare);
    l->max_spare = KV_MERGE_INT(set->max_spare, KV_UNSET_INT, d->max_spare);
    l->server_limit = KV_MERGE_INT(set->server_limit, KV_UNSET_INT, d->server_limit);
    l->max_workers = KV_MERGE_INT(set->max_workers, KV_UNSET_INT, d->max_workers);
}

void process_fix_limits(void *conf, kv_server_t *s)
{
    process_conf_t *c = conf;
    prefork_limits_t was = c->run;

    prefork_warn_fixes(kv_mpm_log_name(), s, &was, &c->run, prefork_limits_fix(&c->run));
}

void process_caps(const void *conf, kv_mpm_caps_t *caps)
{
    const process_conf_t *c = conf;

    caps->forked = 1;
    caps->max_daemons = c->run.server_limit;
    caps->max_threads = 1;
    caps->max_workers = c->run.max_workers;
}
