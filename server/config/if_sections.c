/* <If>, <ElseIf> and <Else>, as httpd 2.4 has them: each holds a per-directory config that
 * is kept, in config order, in the core's per-directory config of the context it stands in
 * (the server, a virtual host, a <Directory> ...), so merging sections concatenates their
 * if-sections; once the other sections are merged, kv_if_walk merges those whose condition
 * holds, and then the ones nested in those. */
#include <string.h>

#include <apr_strings.h>

#include "core.h"
#include "if_sections.h"
#include "kv_log.h"
#include "module.h"
#include "sections.h"

#define KV_LOG_MODULE "core"

/* Whether the generation's configuration has an if-section: kv_if_walk runs twice a request,
 * and most configurations have none. Configuration is read by one thread, and a generation's
 * pconf is destroyed before the next one is read. */
static int if_sections_configured;

static apr_status_t forget_if_sections(void *unused)
{
    (void)unused;
    if_sections_configured = 0;
    return APR_SUCCESS;
}

int kv_if_sections_configured(void)
{
    return if_sections_configured;
}

static int is_if_name(const char *name)
{
    return strcasecmp(name, "<If") == 0 || strcasecmp(name, "<ElseIf") == 0 ||
           strcasecmp(name, "<Else") == 0;
}

int kv_in_if_section(const kv_cmd_parms_t *cmd)
{
    for (const kv_directive_t *d = cmd->directive ? cmd->directive->parent : NULL; d;
         d = d->parent) {
        if (is_if_name(d->name)) {
            return 1;
        }
    }
    return 0;
}

apr_array_header_t *kv_if_sections_merge(apr_pool_t *p, apr_array_header_t *base,
                                         apr_array_header_t *add)
{
    if (!base || !add) {
        return base ? base : add;
    }
    return apr_array_append(p, base, add);
}

/* Appends @a sec to the if-sections of @a conf. An else-form must follow an <If> or an
 * <ElseIf> of the same scope (httpd's rule: other directives may stand between). */
static const char *add_if_section(apr_pool_t *p, kv_core_dir_conf_t *conf, kv_if_section_t *sec)
{
    if (sec->kind & KV_IF_ELSE) {
        const kv_if_section_t *last =
            conf->if_sections && conf->if_sections->nelts > 0
                ? APR_ARRAY_IDX(conf->if_sections, conf->if_sections->nelts - 1, kv_if_section_t *)
                : NULL;
        if (!last || !(last->kind & KV_IF_COND)) {
            return "<Else> or <ElseIf> section without previous <If> or <ElseIf> section in "
                   "same scope";
        }
    }
    if (!conf->if_sections) {
        conf->if_sections = apr_array_make(p, 2, sizeof(kv_if_section_t *));
    }
    APR_ARRAY_PUSH(conf->if_sections, kv_if_section_t *) = sec;
    return NULL;
}

const char *kv_cmd_if_section(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    kv_if_section_t *sec = apr_pcalloc(cmd->pool, sizeof(*sec));
    const char *name = cmd->cmd->name;
    const char *err;

    sec->kind = (int)(long)cmd->info;
    if (sec->kind == KV_IF_ELSE && argc > 0) {
        return "<Else> does not take an argument";
    }
    if (sec->kind != KV_IF_ELSE) {
        if (argc == 0) {
            return apr_psprintf(cmd->pool, "%s> directive requires additional arguments", name);
        }
        if (argc > 1) {
            return apr_psprintf(
                cmd->pool, "Multiple %s> arguments not supported (quote the expression)", name);
        }
        if ((sec->expr = kv_expr_parse(cmd->pool, argv[0], &err)) == NULL) {
            return apr_psprintf(cmd->pool, "Cannot parse condition clause: %s", err);
        }
    }
    sec->file = cmd->directive->file;
    sec->line = cmd->directive->line;
    sec->dir_config = kv_create_per_dir_config(cmd->pool, NULL);
    /* The directives of a directory context; a path of its own, so that a directive allowed
     * once per section may appear once in each if-section. */
    cmd->context = KV_CTX_DIR;
    cmd->path = apr_psprintf(cmd->pool, "%s>", name);
    if ((err = kv_walk_config(cmd, cmd->directive->first_child, sec->dir_config)) != NULL) {
        return err;
    }
    if ((err = add_if_section(cmd->pool, conf, sec)) != NULL) {
        return err;
    }
    if (!if_sections_configured) {
        if_sections_configured = 1;
        apr_pool_cleanup_register(cmd->pool, NULL, forget_if_sections, apr_pool_cleanup_null);
    }
    return NULL;
}

static const apr_array_header_t *if_sections_of(void **dir_config)
{
    const kv_core_dir_conf_t *d = kv_get_module_config(dir_config, &core_module);

    return d ? d->if_sections : NULL;
}

/* Does @a sec apply, given whether the <If>/<ElseIf> before it applied (*prev: 1 yes, 0 no,
 * -1 after an <Else>)? Updates *prev. A condition that cannot be evaluated is false. */
static int if_applies(kv_request_t *r, const kv_if_section_t *sec, int *prev)
{
    const char *err = NULL;
    int rc;

    if ((sec->kind & KV_IF_ELSE) && *prev == 1) {
        return 0;
    }
    if (!(sec->kind & KV_IF_COND)) {
        *prev = -1;
        return 1;
    }
    rc = kv_expr_eval(r, sec->expr, &err);
    if (rc < 0) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV01340: Failed to evaluate the <If> condition of line %u of %s: %s",
                      sec->line, sec->file, err);
    }
    *prev = rc > 0;
    return rc > 0;
}

void kv_if_walk(kv_request_t *r)
{
    const apr_array_header_t *ifs;

    if (!if_sections_configured) {
        return;
    }
    ifs = if_sections_of(r->per_dir_config);
    /* Each round merges the sections that apply, then looks at the ones nested in them;
     * the configuration is finite, so the rounds end. */
    while (ifs && ifs->nelts > 0) {
        void **merged = NULL;
        int prev = -1;

        for (int i = 0; i < ifs->nelts; i++) {
            const kv_if_section_t *sec = APR_ARRAY_IDX(ifs, i, const kv_if_section_t *);
            if (if_applies(r, sec, &prev)) {
                merged = merged ? kv_merge_per_dir_configs(r->pool, merged, sec->dir_config)
                                : sec->dir_config;
            }
        }
        if (!merged) {
            return;
        }
        r->per_dir_config = kv_merge_per_dir_configs(r->pool, r->per_dir_config, merged);
        ifs = if_sections_of(merged);
    }
}
