/* mod_headers: Header and RequestHeader, as httpd 2.4.
 *
 * RequestHeader edits r->headers_in in the fixups phase (late) or in post_read_request
 * (early). Header edits the response's fields in an output filter that acts once, on the
 * first brigade, before the protocol filter writes the head: onsuccess actions work on
 * r->headers_out of 2xx responses, always actions on r->err_headers_out of every response.
 * The filter is inserted in post_read_request so that error responses of the later
 * phases pass through it too. */
#include <apr_strings.h>

#include "header_action.h"
#include "kiva.h"

extern kv_module_t headers_module;

/* Per-directory: every Header and RequestHeader in configuration order. */
typedef struct {
    apr_array_header_t *actions; /* hdr_action_t * */
} headers_conf_t;

static void *create_dir_conf(apr_pool_t *p, const char *dir)
{
    headers_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    (void)dir;
    conf->actions = apr_array_make(p, 2, sizeof(hdr_action_t *));
    return conf;
}

/* The more specific section's actions run after the enclosing one's. */
static void *merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    headers_conf_t *base = basev, *add = addv;
    headers_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    conf->actions = apr_array_append(p, base->actions, add->actions);
    return conf;
}

static const char *add_action(kv_cmd_parms_t *cmd, void *mconfig, int argc, const char *const *argv)
{
    headers_conf_t *conf = mconfig;
    int request = cmd->info != NULL;
    hdr_action_t *a;
    const char *err = hdr_action_parse(cmd->pool, request, argc, argv, &a);

    if (err) {
        return err;
    }
    if (a->early && (cmd->context & KV_CTX_DIR)) {
        return apr_psprintf(cmd->pool,
                            "%s: early is only allowed in server config and "
                            "virtual host context",
                            request ? "RequestHeader" : "Header");
    }
    *(hdr_action_t **)apr_array_push(conf->actions) = a;
    return NULL;
}

static const headers_conf_t *conf_of(const kv_request_t *r)
{
    return kv_get_module_config(r->per_dir_config, &headers_module);
}

/* Fields the protocol filter writes itself from the request's state: a copy in a table
 * would go out a second time, and a second Content-Length or Transfer-Encoding breaks the
 * framing. httpd overwrites them the same way. */
static const char *const protocol_fields[] = {
    "Date", "Server", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive"};

/* After the actions: a Content-Type in @a t becomes the response's (so it is sent once),
 * and the protocol's own fields are left to the protocol filter. */
static void settle_fields(kv_request_t *r, apr_table_t *t)
{
    const char *type = apr_table_get(t, "Content-Type");

    if (type) {
        r->content_type = apr_pstrdup(r->pool, type);
        apr_table_unset(t, "Content-Type");
    }
    for (size_t i = 0; i < sizeof(protocol_fields) / sizeof(protocol_fields[0]); i++) {
        apr_table_unset(t, protocol_fields[i]);
    }
}

static int is_success(const kv_request_t *r)
{
    /* A status not yet set is the protocol filter's default, 200. */
    return r->status == 0 || (r->status >= 200 && r->status < 300);
}

static void fix_response_fields(kv_request_t *r)
{
    const apr_array_header_t *actions = conf_of(r)->actions;

    hdr_actions_run(r, r->err_headers_out, actions, HDR_TABLE_ALWAYS, 0);
    settle_fields(r, r->err_headers_out);
    if (is_success(r)) {
        hdr_actions_run(r, r->headers_out, actions, HDR_TABLE_OUT, 0);
        settle_fields(r, r->headers_out);
    }
}

static apr_status_t headers_out_filter(kv_filter_t *f, apr_bucket_brigade *bb)
{
    static int done;

    if (f->ctx != &done) {
        f->ctx = &done;
        fix_response_fields(f->r);
    }
    return kv_pass_brigade(f->next, bb);
}

static int headers_post_read_request(kv_request_t *r)
{
    const apr_array_header_t *actions = conf_of(r)->actions;

    kv_add_output_filter(r, "headers", headers_out_filter, KV_FTYPE_CONTENT_SET, NULL);
    hdr_actions_run(r, r->headers_in, actions, HDR_TABLE_IN, 1);
    hdr_actions_run(r, r->err_headers_out, actions, HDR_TABLE_ALWAYS, 1);
    hdr_actions_run(r, r->headers_out, actions, HDR_TABLE_OUT, 1);
    return KV_DECLINED;
}

static int headers_fixups(kv_request_t *r)
{
    hdr_actions_run(r, r->headers_in, conf_of(r)->actions, HDR_TABLE_IN, 0);
    return KV_DECLINED;
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    /* Early, so that an error answered by a later post_read_request still has the filter;
     * late fixups, so that other modules' fixups are seen (as httpd). */
    kv_hook_post_read_request(headers_post_read_request, NULL, NULL, KV_HOOK_FIRST);
    kv_hook_fixups(headers_fixups, NULL, NULL, KV_HOOK_LAST);
}

/* Any non-NULL info marks RequestHeader. */
static const char request_marker = 1;

static const kv_command_t headers_commands[] = {
    {"Header", add_action, NULL, 2, 6, KV_CTX_ALL, 0,
     "[always|onsuccess] add|append|echo|edit|edit*|merge|set|setifempty|unset|note header "
     "[value|expr=STRING] [replacement] [early|env=[!]NAME|expr=EXPR]: edit a response header "
     "field"},
    {"RequestHeader", add_action, &request_marker, 2, 5, KV_CTX_ALL, 0,
     "add|append|edit|edit*|merge|set|setifempty|unset header [value] [replacement] "
     "[early|env=[!]NAME|expr=EXPR]: edit a request header field"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t headers_module = {
    KV_MODULE_HEADER("headers"),
    .create_dir_config = create_dir_conf,
    .merge_dir_config = merge_dir_conf,
    .commands = headers_commands,
    .register_hooks = register_hooks,
};
