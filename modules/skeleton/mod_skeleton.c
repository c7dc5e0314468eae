/* mod_skeleton: the template a module author copies. It adds one directive,
 * `SkeletonHeader name value`, and a fixup that sets that response header field; and a
 * handler, skeleton-hello, that answers with a line of text.
 *
 * Build it out of tree against an installed kiva:
 *   cc -shared -fPIC $(apr-1-config --cppflags --includes) -I PREFIX/include \
 *      -o mod_skeleton.so mod_skeleton.c
 * and load it with:
 *   LoadModule skeleton_module modules/mod_skeleton.so
 */
#include <string.h>

#include <apr_strings.h>

#include "kiva.h"

#define SKELETON_HANDLER "skeleton-hello"

/* The record must be named NAME_module for `LoadModule NAME_module ...`. */
extern kv_module_t skeleton_module;

/* Per-directory settings: every field starts unset so that merging can tell. */
typedef struct {
    const char *name;
    const char *value;
} skeleton_conf_t;

static void *create_dir_conf(apr_pool_t *p, const char *dir)
{
    (void)dir;
    return apr_pcalloc(p, sizeof(skeleton_conf_t));
}

/* A more specific section's setting wins over the enclosing one's. */
static void *merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    skeleton_conf_t *base = basev, *add = addv;
    skeleton_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    conf->name = KV_MERGE_PTR(add->name, base->name, NULL);
    conf->value = KV_MERGE_PTR(add->value, base->value, NULL);
    return conf;
}

/* A directive handler: return NULL, or the reason the line is refused. The core adds
 * "Syntax error on line N of FILE: " in front. */
static const char *set_header(kv_cmd_parms_t *cmd, void *mconfig, int argc,
                              const char *const *argv)
{
    skeleton_conf_t *conf = mconfig;

    (void)argc;
    conf->name = apr_pstrdup(cmd->pool, argv[0]);
    conf->value = apr_pstrdup(cmd->pool, argv[1]);
    return NULL;
}

static int skeleton_fixups(kv_request_t *r)
{
    const skeleton_conf_t *conf = kv_get_module_config(r->per_dir_config, &skeleton_module);

    if (!conf->name) {
        return KV_DECLINED;
    }
    apr_table_set(r->headers_out, conf->name, conf->value);
    return KV_OK;
}

/* A handler answers the requests whose r->handler is its name (`SetHandler skeleton-hello`
 * or `AddHandler skeleton-hello .hello`), and declines the others. */
static int skeleton_handler(kv_request_t *r)
{
    apr_bucket_brigade *bb;

    if (!r->handler || strcmp(r->handler, SKELETON_HANDLER) != 0) {
        return KV_DECLINED;
    }
    bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    r->content_type = "text/plain";
    apr_brigade_puts(bb, NULL, NULL, "hello from mod_skeleton\n");
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(bb->bucket_alloc));
    kv_pass_brigade(r->output_filters, bb);
    return KV_DONE;
}

static void register_hooks(apr_pool_t *p)
{
    kv_hook_fixups(skeleton_fixups, NULL, NULL, KV_HOOK_MIDDLE);
    /* Claim the handler name, so that `kiva -t` knows a module provides it. */
    kv_register_handler_name(p, SKELETON_HANDLER);
    kv_hook_handler(skeleton_handler, NULL, NULL, KV_HOOK_MIDDLE);
}

static const kv_command_t skeleton_commands[] = {
    {"SkeletonHeader", set_header, NULL, 2, 2, KV_CTX_ALL, 0,
     "name value: a response header field to add"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t skeleton_module = {
    KV_MODULE_HEADER("skeleton"),
    .create_dir_config = create_dir_conf,
    .merge_dir_config = merge_dir_conf,
    .commands = skeleton_commands,
    .register_hooks = register_hooks,
};
