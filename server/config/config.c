/* The config walker: finds each directive's command among the loaded modules, checks
 * where it stands and how many arguments it has, and runs its handler. */
#include <string.h>

#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "config_read.h"
#include "config_walk.h"
#include "httpd_directives.h"
#include "kv_http.h"
#include "kv_log.h"
#include "module.h"

APR_HOOK_STRUCT(APR_HOOK_LINK(post_config) APR_HOOK_LINK(child_init) APR_HOOK_LINK(check_config))

KV_IMPLEMENT_HOOK_RUN_ALL(int, post_config,
                          (apr_pool_t * pconf, apr_pool_t *plog, apr_pool_t *ptemp, kv_server_t *s),
                          (pconf, plog, ptemp, s), KV_OK, KV_DECLINED)
KV_IMPLEMENT_HOOK_VOID(child_init, (apr_pool_t * pchild, kv_server_t *s), (pchild, s))
KV_IMPLEMENT_HOOK_RUN_ALL(int, check_config, (apr_pool_t * pconf, apr_pool_t *ptemp, kv_server_t *s),
                          (pconf, ptemp, s), KV_OK, KV_DECLINED)

/* A walk's state, which the kv_cmd_parms_t of its directives point to. */
struct kv_config_walk {
    const char *errors; /* "Syntax error on line N of FILE: reason" lines, or NULL */
    apr_hash_t *seen_once;
};

/* What a walk hands up when its errors are recorded already: the section around it fails
 * too, without reporting them a second time. */
static const char errors_recorded[] = "the errors of this section are reported on their lines";

kv_server_t *kv_server_create(apr_pool_t *pconf)
{
    kv_server_t *s = apr_pcalloc(pconf, sizeof(*s));

    s->pool = pconf;
    s->module_config = kv_config_vector_make(pconf);
    s->lookup_defaults = kv_config_vector_make(pconf);
    s->timeout = apr_time_from_sec(KV_DEFAULT_TIMEOUT_SEC);
    s->keep_alive_timeout = apr_time_from_sec(KV_DEFAULT_KEEPALIVE_TIMEOUT_SEC);
    s->keep_alive = 1;
    s->keep_alive_max = KV_DEFAULT_MAX_KEEPALIVE_REQUESTS;
    s->limit_req_line = KV_DEFAULT_LIMIT_REQUEST_LINE;
    s->limit_req_fieldsize = KV_DEFAULT_LIMIT_REQUEST_FIELDSIZE;
    s->limit_req_fields = KV_DEFAULT_LIMIT_REQUEST_FIELDS;
    s->log_level = KV_LOG_DEFAULT;
    s->module_log_levels = apr_hash_make(pconf);
    return s;
}

int kv_name_distance(const char *a, const char *b, int cap)
{
    size_t la = strlen(a), lb = strlen(b);
    /* Three rows of the edit matrix: the one before last, the last, the current one. */
    int rows[3][128];
    int *prev2 = rows[0], *prev = rows[1], *row = rows[2];

    if (la >= sizeof(rows[0]) / sizeof(rows[0][0]) || lb >= sizeof(rows[0]) / sizeof(rows[0][0])) {
        return cap + 1;
    }
    for (size_t j = 0; j <= lb; j++) {
        prev[j] = (int)j;
    }
    for (size_t i = 1; i <= la; i++) {
        int best = row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int ca = apr_tolower(a[i - 1]), cb = apr_tolower(b[j - 1]);
            int v = prev[j - 1] + (ca != cb);
            if (prev[j] + 1 < v) {
                v = prev[j] + 1;
            }
            if (row[j - 1] + 1 < v) {
                v = row[j - 1] + 1;
            }
            /* Two neighbours swapped ("Listne") are one typo. */
            if (i > 1 && j > 1 && ca == apr_tolower(b[j - 2]) && apr_tolower(a[i - 2]) == cb &&
                prev2[j - 2] + 1 < v) {
                v = prev2[j - 2] + 1;
            }
            row[j] = v;
            best = v < best ? v : best;
        }
        if (best > cap) {
            return cap + 1;
        }
        int *t = prev2;
        prev2 = prev;
        prev = row;
        row = t;
    }
    return prev[lb];
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

int kv_is_near_miss(size_t len, int distance)
{
    return distance <= 2 && (size_t)distance * 3 < len;
}

int kv_directive_exists(const char *name)
{
    kv_module_t *owner;

    return find_command(name, &owner) != NULL;
}

/* The loaded directive closest to @a name, if it is close enough to be a misspelling. */
static const char *closest_command(const char *name)
{
    int n, best = 2;
    const char *found = NULL;
    kv_module_t *const *mods = kv_loaded_modules(&n);

    for (int i = 0; i < n; i++) {
        for (const kv_command_t *c = mods[i]->commands; c && c->name; c++) {
            int d = kv_name_distance(name, c->name, best);
            if (kv_is_near_miss(strlen(name), d) && (!found || d < best)) {
                found = c->name;
                best = d;
            }
        }
    }
    return found;
}

/* What to say about @a name, a directive of httpd's module @a httpd_module. */
static const char *httpd_directive(apr_pool_t *p, const char *name, const char *httpd_module)
{
    const char *kiva_name = kv_httpd_module_kiva_name(p, httpd_module);
    const char *shown = name[0] == '<' ? apr_pstrcat(p, name, ">", NULL) : name;

    if (kv_module_available(p, kiva_name)) {
        return apr_psprintf(p,
                            "Invalid command '%s': %s is provided by httpd's %s; kiva's %s%s "
                            "does not implement it yet",
                            name, shown, httpd_module, strcmp(kiva_name, "core") ? "mod_" : "",
                            kiva_name);
    }
    return apr_psprintf(p,
                        "Invalid command '%s': %s is provided by httpd's %s, which kiva does "
                        "not have yet",
                        name, shown, httpd_module);
}

static const char *unknown_directive(apr_pool_t *p, const char *name)
{
    const char *hint = kv_module_hint_for(p, name);
    const char *httpd_module;
    const char *near;

    if (hint) {
        return apr_psprintf(p,
                            "Invalid command '%s': it is provided by a module that is not "
                            "loaded; add: %s",
                            name, hint);
    }
    if ((httpd_module = kv_httpd_directive_module(name)) != NULL) {
        return httpd_directive(p, name, httpd_module);
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

static const char *check_once(const kv_cmd_parms_t *cmd, const kv_command_t *c,
                              const kv_directive_t *d)
{
    const kv_directive_t *first;
    /* Once per server and section: a virtual host may set what the main server set. */
    const void *key[3] = {c, cmd->server, cmd->path};
    void *k;

    if (!(c->flags & KV_CMD_ONCE)) {
        return NULL;
    }
    first = apr_hash_get(cmd->walk->seen_once, key, sizeof(key));
    if (first) {
        return apr_psprintf(cmd->temp_pool,
                            "%s may appear only once here; it was already set on line %u of %s",
                            c->name, first->line, first->file);
    }
    k = apr_pmemdup(cmd->temp_pool, key, sizeof(key));
    apr_hash_set(cmd->walk->seen_once, k, sizeof(key), d);
    return NULL;
}

static const char *run_directive(kv_cmd_parms_t *cmd, const kv_directive_t *d,
                                 void **dir_config)
{
    kv_module_t *owner = NULL;
    const kv_command_t *c = find_command(d->name, &owner);
    const char *err;
    void *mconfig;

    if (!c) {
        return unknown_directive(cmd->temp_pool, d->name);
    }
    if (!(c->context & cmd->context)) {
        return apr_psprintf(cmd->temp_pool, "%s%s is not allowed in %s", c->name,
                            c->name[0] == '<' ? ">" : "", context_name(cmd->context));
    }
    if ((err = check_args(cmd->temp_pool, c, d->argc)) != NULL) {
        return err;
    }
    if ((err = check_once(cmd, c, d)) != NULL) {
        return err;
    }
    mconfig = (c->flags & KV_CMD_SERVER_CONF)
                  ? kv_get_module_config(cmd->server->module_config, owner)
                  : dir_config[owner->index];
    cmd->info = c->info;
    cmd->dir_config = dir_config;
    cmd->cmd = c;
    cmd->module = owner;
    cmd->directive = d;
    return c->func(cmd, mconfig, d->argc, d->argv);
}

/* The walk of the directives from @a first on, recording their errors in @a cmd->walk. */
static const char *walk(kv_cmd_parms_t *cmd, const kv_directive_t *first, void **dir_config)
{
    const kv_cmd_parms_t saved = *cmd;
    int failed = 0;

    /* A failing directive is recorded and the walk goes on, so that one run reports every
     * error; a failing section has skipped or recorded its contents itself. */
    for (const kv_directive_t *d = first; d; d = d->next) {
        const char *err = run_directive(cmd, d, dir_config);
        *cmd = saved;
        if (err) {
            failed = 1;
            if (err != errors_recorded) {
                kv_config_add_errors(cmd->temp_pool, &cmd->walk->errors,
                                     apr_psprintf(cmd->temp_pool,
                                                  "Syntax error on line %u of %s: %s", d->line,
                                                  d->file, err));
            }
        }
    }
    return failed ? errors_recorded : NULL;
}

KV_DECLARE(const char *) kv_walk_config(kv_cmd_parms_t *cmd, const kv_directive_t *first,
                                        void **dir_config)
{
    struct kv_config_walk own;
    const char *err;

    if (cmd->walk) {
        return walk(cmd, first, dir_config);
    }
    /* Parms made outside a walk (a test, a module's own tree): this walk is the outermost,
     * so its errors are returned, not left for an enclosing walk to report. */
    memset(&own, 0, sizeof(own));
    own.seen_once = apr_hash_make(cmd->temp_pool);
    cmd->walk = &own;
    err = walk(cmd, first, dir_config);
    cmd->walk = NULL;
    return err ? own.errors : NULL;
}

const char *kv_walk_section_contents(kv_cmd_parms_t *cmd)
{
    return kv_walk_config(cmd, cmd->directive->first_child, cmd->dir_config);
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
    kv_cmd_parms_t parms;
    const char *err;

    config_tree = tree;
    apr_pool_cleanup_register(pconf, NULL, forget_config_tree, apr_pool_cleanup_null);
    memset(&parms, 0, sizeof(parms));
    parms.pool = pconf;
    parms.temp_pool = ptemp;
    parms.server = s;
    parms.context = KV_CTX_MAIN;
    parms.limited = KV_METHODS_ALL;
    err = kv_walk_config(&parms, tree, s->lookup_defaults);
    return err ? apr_pstrdup(pconf, err) : NULL;
}
