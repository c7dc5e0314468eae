/* mod_authz_core: who may have a resource. Require lines (all, ip, valid-user, user, and
 * "not") and the <RequireAll>, <RequireAny>, <RequireNone> containers, per directory; the
 * Require lines of a section form an implicit <RequireAny> and replace the inherited ones
 * (httpd's AuthMerging Off). AuthType and AuthName, core directives in httpd, live here.
 *
 * httpd's order, without Satisfy: the access check decides with what it knows before
 * authentication (client address); only when the answer needs a user does authentication
 * run (check_user_id, e.g. mod_auth_basic), then the decision is made again with the user. */
#include <string.h>

#include <apr_strings.h>

#include "authz_eval.h"
#include "kiva.h"
#include "kv_auth.h"
#include "kv_log.h"

#define KV_LOG_MODULE "authz_core"

extern kv_module_t authz_core_module;

typedef struct {
    authz_node_t *root;    /* this section's Require lines (an implicit <RequireAny>) */
    const char *auth_type; /* AuthType as written ("None" included); NULL if unset */
    const char *auth_name; /* AuthName; NULL if unset */
} authz_dir_conf_t;

/* The container whose lines are being read (config reading is single-threaded). */
static authz_node_t *reading;

/* request_config marker: the access check needs an authenticated user. */
static const char need_user_marker;

static void *create_dir_conf(apr_pool_t *p, const char *dir)
{
    (void)dir;
    return apr_pcalloc(p, sizeof(authz_dir_conf_t));
}

/* A section with Require lines replaces the enclosing section's (AuthMerging Off). */
static void *merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    authz_dir_conf_t *base = basev, *add = addv;
    authz_dir_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    conf->root = KV_MERGE_PTR(add->root, base->root, NULL);
    conf->auth_type = KV_MERGE_PTR(add->auth_type, base->auth_type, NULL);
    conf->auth_name = KV_MERGE_PTR(add->auth_name, base->auth_name, NULL);
    return conf;
}

static authz_dir_conf_t *dir_conf(const kv_request_t *r)
{
    return kv_get_module_config(r->per_dir_config, &authz_core_module);
}

static int is_none(const char *auth_type)
{
    return strcasecmp(auth_type, "None") == 0;
}

/* The optional functions of kv_auth.h: they keep the names their typedefs give them. */
static const char *kv_auth_type(const kv_request_t *r)
{
    const char *type = dir_conf(r)->auth_type;

    return type && !is_none(type) ? type : NULL;
}

static const char *kv_auth_name(const kv_request_t *r)
{
    return dir_conf(r)->auth_name;
}

/* Where a Require line or container goes: the open container, else the section's list. */
static authz_node_t *current_parent(apr_pool_t *p, authz_dir_conf_t *conf)
{
    if (reading) {
        return reading;
    }
    if (!conf->root) {
        conf->root = authz_container(p, "<RequireAny");
    }
    return conf->root;
}

static const char *add_require(kv_cmd_parms_t *cmd, void *mconfig, int argc,
                               const char *const *argv)
{
    authz_node_t *node = NULL;
    const char *err = authz_parse_require(cmd->pool, argc, argv, &node);

    return err ? err : authz_add(cmd->pool, current_parent(cmd->pool, mconfig), node);
}

/* A container holds Require lines and containers only, so its lines can be read into a
 * config vector that has this module's slot alone. */
static const char *check_container_lines(kv_cmd_parms_t *cmd)
{
    for (const kv_directive_t *d = cmd->directive->first_child; d; d = d->next) {
        if (strcasecmp(d->name, "Require") != 0 && !authz_container(cmd->temp_pool, d->name)) {
            return apr_psprintf(cmd->pool,
                                "%s (line %u) is not allowed in %s>: only Require "
                                "and <Require...> may be",
                                d->name, d->line, cmd->cmd->name);
        }
    }
    return NULL;
}

static const char *add_container(kv_cmd_parms_t *cmd, void *mconfig, int argc,
                                 const char *const *argv)
{
    authz_node_t *sec = authz_container(cmd->pool, cmd->cmd->name);
    authz_node_t *outer = reading;
    void **vector;
    const char *err;

    (void)argc;
    (void)argv;
    if ((err = authz_add(cmd->pool, current_parent(cmd->pool, mconfig), sec)) != NULL ||
        (err = check_container_lines(cmd)) != NULL) {
        return err;
    }
    vector = apr_pcalloc(cmd->temp_pool, sizeof(void *) * (apr_size_t)kv_module_count());
    kv_set_module_config(vector, &authz_core_module, mconfig);
    reading = sec;
    err = kv_walk_config(cmd, cmd->directive->first_child, vector);
    reading = outer;
    return err ? err : authz_check_container(cmd->pool, sec);
}

static const char *set_auth_type(kv_cmd_parms_t *cmd, void *mconfig, int argc,
                                 const char *const *argv)
{
    authz_dir_conf_t *conf = mconfig;

    (void)argc;
    if (!is_none(argv[0]) && !kv_auth_type_get(cmd->temp_pool, argv[0])) {
        return apr_psprintf(cmd->pool,
                            "AuthType %s: no loaded module provides it (LoadModule "
                            "auth_basic_module provides Basic)",
                            argv[0]);
    }
    conf->auth_type = apr_pstrdup(cmd->pool, argv[0]);
    return NULL;
}

static authz_status_t decide(kv_request_t *r)
{
    authz_facts_t facts = {r->useragent_addr, r->user};

    return authz_evaluate(dir_conf(r)->root, &facts);
}

static int forbidden(kv_request_t *r)
{
    kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                  "KV00820: client denied by server configuration: %s",
                  r->filename ? r->filename : r->uri);
    return KV_HTTP_FORBIDDEN;
}

/* Before authentication: grant or deny now, or note that a user is needed. */
static int authz_access_checker(kv_request_t *r)
{
    const authz_dir_conf_t *conf = dir_conf(r);
    authz_status_t s;

    if (!conf->root) {
        if (kv_auth_type(r)) {
            kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                          "KV00821: AuthType configured with "
                          "no corresponding authorization directives for %s",
                          r->uri);
            return KV_HTTP_INTERNAL_SERVER_ERROR;
        }
        return KV_OK;
    }
    s = decide(r);
    if (s == AUTHZ_GRANTED) {
        return KV_OK;
    }
    if (s == AUTHZ_DENIED_NO_USER) {
        kv_set_module_config(r->request_config, &authz_core_module, (void *)&need_user_marker);
        return KV_OK;
    }
    return forbidden(r);
}

static int needs_user(const kv_request_t *r)
{
    return kv_get_module_config(r->request_config, &authz_core_module) == &need_user_marker;
}

/* Runs before every authentication module: when no user is needed, none is asked for. */
static int authz_skip_authentication(kv_request_t *r)
{
    return needs_user(r) ? KV_DECLINED : KV_OK;
}

/* A 401 tells the client how to authenticate, through the AuthType's module. */
static int unauthorized(kv_request_t *r)
{
    kv_auth_note_failure_fn note = kv_auth_type_get(r->pool, kv_auth_type(r));

    if (note) {
        note(r);
    }
    return KV_HTTP_UNAUTHORIZED;
}

/* After authentication: the decision again, now with the user. */
static int authz_auth_checker(kv_request_t *r)
{
    authz_status_t s;

    if (!needs_user(r)) {
        return KV_OK;
    }
    if (!r->user) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV00822: no module authenticated a user "
                      "for %s: check AuthType and that its module is loaded",
                      r->uri);
        return KV_HTTP_INTERNAL_SERVER_ERROR;
    }
    s = decide(r);
    if (s == AUTHZ_GRANTED) {
        return KV_OK;
    }
    if (s == AUTHZ_DENIED_NO_USER || kv_auth_type(r)) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV00823: user %s: authorization failure for \"%s\"", r->user, r->uri);
        return unauthorized(r);
    }
    return forbidden(r);
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    APR_REGISTER_OPTIONAL_FN(kv_auth_type);
    APR_REGISTER_OPTIONAL_FN(kv_auth_name);
    kv_hook_access_checker(authz_access_checker, NULL, NULL, KV_HOOK_LAST);
    kv_hook_check_user_id(authz_skip_authentication, NULL, NULL, KV_HOOK_REALLY_FIRST);
    kv_hook_auth_checker(authz_auth_checker, NULL, NULL, KV_HOOK_MIDDLE);
}

static const kv_command_t authz_core_commands[] = {
    {"Require", add_require, NULL, 1, -1, KV_CTX_DIR, 0,
     "[not] all granted|denied, ip addr[/prefix]..., valid-user, or user name...: who may "
     "have the resource"},
    {"<RequireAll", add_container, NULL, 0, 0, KV_CTX_DIR, 0,
     "<RequireAll>: granted when every line inside grants and none denies"},
    {"<RequireAny", add_container, NULL, 0, 0, KV_CTX_DIR, 0,
     "<RequireAny>: granted when one line inside grants"},
    {"<RequireNone", add_container, NULL, 0, 0, KV_CTX_DIR, 0,
     "<RequireNone>: denied when a line inside grants; never grants by itself"},
    {"AuthType", set_auth_type, NULL, 1, 1, KV_CTX_DIR, 0,
     "Basic or None: how users are authenticated"},
    {"AuthName", kv_set_string_slot, KV_OFFSET(authz_dir_conf_t, auth_name), 1, 1, KV_CTX_DIR, 0,
     "realm: the name of the protected area, shown by browsers"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t authz_core_module = {
    KV_MODULE_HEADER("authz_core"),     .create_dir_config = create_dir_conf,
    .merge_dir_config = merge_dir_conf, .commands = authz_core_commands,
    .register_hooks = register_hooks,
};
