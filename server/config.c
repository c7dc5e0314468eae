/* The config walker: finds each directive's command among the loaded modules, checks
 * where it stands and how many arguments it has, and runs its handler. */
#include <string.h>

#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "config_walk.h"
#include "kv_http.h"
#include "kv_log.h"
#include "module.h"

APR_HOOK_STRUCT(APR_HOOK_LINK(post_config) APR_HOOK_LINK(child_init))

KV_IMPLEMENT_HOOK_RUN_ALL(int, post_config,
                          (apr_pool_t * pconf, apr_pool_t *plog, apr_pool_t *ptemp, kv_server_t *s),
                          (pconf, plog, ptemp, s), KV_OK, KV_DECLINED)
KV_IMPLEMENT_HOOK_VOID(child_init, (apr_pool_t * pchild, kv_server_t *s), (pchild, s))

/* The walk's state beyond kv_cmd_parms_t: where an error happened, what was seen once. */
typedef struct {
    kv_cmd_parms_t parms;
    const kv_directive_t *err_at;
    apr_hash_t *seen_once;
} walk_t;

kv_server_t *kv_server_create(apr_pool_t *pconf)
{
    kv_server_t *s = apr_pcalloc(pconf, sizeof(*s));

    s->pool = pconf;
    s->module_config = kv_config_vector_make(pconf);
    s->lookup_defaults = kv_config_vector_make(pconf);
    s->timeout = apr_time_from_sec(60);
    s->keep_alive_timeout = apr_time_from_sec(5);
    s->keep_alive = 1;
    s->keep_alive_max = 100;
    s->limit_req_line = 8190;
    s->limit_req_fieldsize = 8190;
    s->limit_req_fields = 100;
    s->log_level = KV_LOG_DEFAULT;
    s->module_log_levels = apr_hash_make(pconf);
    return s;
}

int kv_name_distance(const char *a, const char *b, int cap)
{
    size_t la = strlen(a), lb = strlen(b);
    int row[128];

    if (la >= sizeof(row) / sizeof(row[0]) || lb >= sizeof(row) / sizeof(row[0])) {
        return cap + 1;
    }
    for (size_t j = 0; j <= lb; j++) {
        row[j] = (int)j;
    }
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0], best;
        row[0] = (int)i;
        best = row[0];
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int cost = apr_tolower(a[i - 1]) == apr_tolower(b[j - 1]) ? 0 : 1;
            int v = diag + cost;
            if (up + 1 < v) {
                v = up + 1;
            }
            if (row[j - 1] + 1 < v) {
                v = row[j - 1] + 1;
            }
            row[j] = v;
            diag = up;
            if (v < best) {
                best = v;
            }
        }
        if (best > cap) {
            return cap + 1;
        }
    }
    return row[lb];
}

static const kv_command_t *find_command(const char *name, kv_module_t **owner)
{
    int n;
    kv_module_t *const *mods = kv_loaded_modules(&n);

    for (int i = 0; i < n; i++) {
        for (const kv_command_t *c = mods[i]->commands; c && c->name; c++) {
            if (strcasecmp(c->name, name) == 0) {
                *owner = mods[i];
                return c;
            }
        }
    }
    return NULL;
}

/* The loaded directive closest to @a name, if it is close enough to be a misspelling. */
static const char *closest_command(const char *name)
{
    int n, best = 3;
    const char *found = NULL;
    kv_module_t *const *mods = kv_loaded_modules(&n);

    if (strlen(name) < 4) {
        best = 1;
    }
    for (int i = 0; i < n; i++) {
        for (const kv_command_t *c = mods[i]->commands; c && c->name; c++) {
            int d = kv_name_distance(name, c->name, best);
            if (d <= best && (!found || d < best)) {
                found = c->name;
                best = d;
            }
        }
    }
    return found;
}

static const char *unknown_directive(walk_t *w, const char *name)
{
    apr_pool_t *p = w->parms.temp_pool;
    const char *hint = kv_module_hint_for(p, name);
    const char *near;

    if (hint) {
        return apr_psprintf(p,
                            "Invalid command '%s': it is provided by a module that is not "
                            "loaded; add: %s",
                            name, hint);
    }
    near = closest_command(name);
    if (near) {
        return apr_psprintf(p, "Invalid command '%s', perhaps you meant '%s'?", name, near);
    }
    return apr_psprintf(p,
                        "Invalid command '%s', perhaps misspelled or defined by a module "
                        "not included in the server configuration",
                        name);
}

static const char *context_name(unsigned ctx)
{
    if (ctx & KV_CTX_DIR) {
        return "a <Directory>, <Location> or <Files> section";
    }
    if (ctx & KV_CTX_VHOST) {
        return "<VirtualHost>";
    }
    return "the main server configuration";
}

static const char *check_args(apr_pool_t *p, const kv_command_t *c, int argc)
{
    const char *help = c->help ? c->help : "";

    if (argc >= c->min_args && (c->max_args < 0 || argc <= c->max_args)) {
        return NULL;
    }
    if (c->min_args == c->max_args) {
        return apr_psprintf(p, "%s takes %d argument%s, %d given: %s", c->name, c->min_args,
                            c->min_args == 1 ? "" : "s", argc, help);
    }
    if (c->max_args < 0) {
        return apr_psprintf(p, "%s takes at least %d argument%s, %d given: %s", c->name,
                            c->min_args, c->min_args == 1 ? "" : "s", argc, help);
    }
    return apr_psprintf(p, "%s takes %d to %d arguments, %d given: %s", c->name, c->min_args,
                        c->max_args, argc, help);
}

static const char *check_once(walk_t *w, const kv_command_t *c, const kv_directive_t *d)
{
    const kv_directive_t *first;
    /* Once per server and section: a virtual host may set what the main server set. */
    const void *key[3] = {c, w->parms.server, w->parms.path};
    void *k;

    if (!(c->flags & KV_CMD_ONCE)) {
        return NULL;
    }
    first = apr_hash_get(w->seen_once, key, sizeof(key));
    if (first) {
        return apr_psprintf(w->parms.temp_pool,
                            "%s may appear only once here; it was already set on line %u of %s",
                            c->name, first->line, first->file);
    }
    k = apr_pmemdup(w->parms.temp_pool, key, sizeof(key));
    apr_hash_set(w->seen_once, k, sizeof(key), d);
    return NULL;
}

static const char *run_directive(walk_t *w, const kv_directive_t *d, void **dir_config)
{
    kv_module_t *owner = NULL;
    const kv_command_t *c = find_command(d->name, &owner);
    kv_cmd_parms_t *cmd = &w->parms;
    const char *err;
    void *mconfig;

    if (!c) {
        return unknown_directive(w, d->name);
    }
    if (!(c->context & cmd->context)) {
        return apr_psprintf(cmd->temp_pool, "%s%s is not allowed in %s", c->name,
                            c->name[0] == '<' ? ">" : "", context_name(cmd->context));
    }
    if ((err = check_args(cmd->temp_pool, c, d->argc)) != NULL) {
        return err;
    }
    if ((err = check_once(w, c, d)) != NULL) {
        return err;
    }
    mconfig = (c->flags & KV_CMD_SERVER_CONF)
                  ? kv_get_module_config(cmd->server->module_config, owner)
                  : dir_config[owner->index];
    cmd->info = c->info;
    cmd->cmd = c;
    cmd->module = owner;
    cmd->directive = d;
    return c->func(cmd, mconfig, d->argc, d->argv);
}

KV_DECLARE(const char *) kv_walk_config(kv_cmd_parms_t *cmd, const kv_directive_t *first,
                                        void **dir_config)
{
    walk_t *w = (walk_t *)cmd; /* every kv_cmd_parms_t the walker hands out is a walk_t */
    const kv_cmd_parms_t saved = *cmd;

    for (const kv_directive_t *d = first; d; d = d->next) {
        const char *err = run_directive(w, d, dir_config);
        if (err) {
            if (!w->err_at) {
                w->err_at = d;
            }
            *cmd = saved;
            return err;
        }
        *cmd = saved;
    }
    return NULL;
}

/* The tree the running generation was configured from (in its pconf), for kv_config_tree. */
static const kv_directive_t *config_tree;

static apr_status_t forget_config_tree(void *unused)
{
    (void)unused;
    config_tree = NULL;
    return APR_SUCCESS;
}

KV_DECLARE(const kv_directive_t *) kv_config_tree(void)
{
    return config_tree;
}

const char *kv_config_run(apr_pool_t *pconf, apr_pool_t *ptemp, kv_server_t *s,
                          const kv_directive_t *tree)
{
    walk_t w;
    const char *err;

    config_tree = tree;
    apr_pool_cleanup_register(pconf, NULL, forget_config_tree, apr_pool_cleanup_null);
    memset(&w, 0, sizeof(w));
    w.parms.pool = pconf;
    w.parms.temp_pool = ptemp;
    w.parms.server = s;
    w.parms.context = KV_CTX_MAIN;
    w.seen_once = apr_hash_make(ptemp);
    err = kv_walk_config(&w.parms, tree, s->lookup_defaults);
    if (!err) {
        return NULL;
    }
    return apr_psprintf(ptemp, "Syntax error on line %u of %s: %s", w.err_at->line,
                        w.err_at->file, err);
}
