/* The frame of an MPM module (see frame.h). */
#include "frame.h"
#include "kv_hooks.h"
#include "kv_mpm.h"

/* The loaded MPM and its module record. */
static const kv_mpm_t *mpm;
static kv_module_t *mpm_module;

/* The main server's config in the running generation, for the query hook. */
static kv_mpm_conf_t *cur_conf;

static void use_mpm(const kv_mpm_t *m, kv_module_t *module)
{
    mpm = m;
    mpm_module = module;
}

const kv_mpm_t *kv_mpm_current(void)
{
    return mpm;
}

const char *kv_mpm_log_name(void)
{
    return mpm_module->name;
}

void *kv_mpm_current_conf(void)
{
    return cur_conf;
}

static apr_status_t forget_conf(void *conf)
{
    if (cur_conf == conf) {
        cur_conf = NULL;
    }
    return APR_SUCCESS;
}

static kv_mpm_conf_t *new_conf(apr_pool_t *p)
{
    kv_mpm_conf_t *conf = apr_pcalloc(p, mpm->conf_size);

    if (mpm->init_conf) {
        mpm->init_conf(conf);
    }
    return conf;
}

void *kv_mpm_frame_create_conf(const kv_mpm_t *m, kv_module_t *module, apr_pool_t *p,
                               kv_server_t *s)
{
    kv_mpm_conf_t *conf;

    use_mpm(m, module);
    conf = new_conf(p);
    if (!s->is_virtual) {
        cur_conf = conf;
        apr_pool_cleanup_register(p, conf, forget_conf, apr_pool_cleanup_null);
    }
    return conf;
}

/* Compute the limits in force once per generation, warning about what was changed. */
static void *conf_ready(kv_mpm_conf_t *conf, kv_server_t *s)
{
    if (!conf->ready) {
        if (mpm->apply_defaults) {
            mpm->apply_defaults(conf);
        }
        if (mpm->fix_limits) {
            mpm->fix_limits(conf, s);
        }
        conf->ready = 1;
    }
    return conf;
}

static void *conf_of(kv_server_t *s)
{
    return conf_ready(kv_get_module_config(s->module_config, mpm_module), s);
}

/* The int at @a offset in @a conf, or @a one when the MPM has none there. */
static int *limit_at(void *conf, apr_size_t offset, int *one)
{
    return offset ? (int *)((char *)conf + offset) : one;
}

/* The scoreboard keeps the first generation's limits (see kv_mpm_setup_scoreboard). */
static apr_status_t setup_scoreboard(void *conf, kv_server_t *s)
{
    int one_server = 1, one_thread = 1, kept;
    int *servers = limit_at(conf, mpm->server_limit_at, &one_server);
    int *threads = limit_at(conf, mpm->thread_limit_at, &one_thread);
    apr_status_t rv = kv_mpm_setup_scoreboard(s, mpm->name, servers, threads, &kept);

    if (kept && mpm->fix_limits) {
        mpm->fix_limits(conf, s);
    }
    return rv;
}

static int frame_run(apr_pool_t *pconf, apr_pool_t *plog, kv_server_t *s)
{
    void *conf = conf_of(s);

    (void)plog;
    if (kv_mpm_parent_prepare(s) != APR_SUCCESS || setup_scoreboard(conf, s) != APR_SUCCESS) {
        return KV_MPM_FAILED;
    }
    if (kv_mpm_one_process) {
        return mpm->one_process(pconf, s, conf);
    }
    return mpm->parent(pconf, s, conf);
}

static int frame_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, kv_server_t *s)
{
    (void)pconf;
    (void)plog;
    (void)ptemp;
    conf_of(s);
    return KV_OK;
}

static int frame_query(int query, int *result)
{
    kv_mpm_caps_t caps = {0};
    apr_pool_t *p = NULL;

    /* Asked before post_config (kiva -t): bring the limits into range now, with the same
     * warnings, so that the effective values and the directive to change are shown. With no
     * configuration read, the defaults answer. */
    if (cur_conf) {
        mpm->caps(conf_ready(cur_conf, NULL), &caps);
    } else if (apr_pool_create(&p, NULL) == APR_SUCCESS) {
        mpm->caps(conf_ready(new_conf(p), NULL), &caps);
        apr_pool_destroy(p);
    }
    return kv_mpm_answer_query(&caps, query, result);
}

static const char *frame_get_name(void)
{
    return mpm->name;
}

void kv_mpm_frame_register(const kv_mpm_t *m, kv_module_t *module)
{
    use_mpm(m, module);
    kv_hook_mpm(frame_run, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_mpm_query(frame_query, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_mpm_get_name(frame_get_name, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_post_config(frame_post_config, NULL, NULL, KV_HOOK_MIDDLE);
}
