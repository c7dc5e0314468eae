/* mod_expires: Expires and Cache-Control max-age on responses, as httpd's mod_expires.
 * ExpiresActive turns it on for a directory; ExpiresByType gives the expiry of a media type
 * (or of all of a major type: image/ and a star), ExpiresDefault that of any other. The
 * fields are set as the response starts down the output chain, when its status and type
 * are final: not on errors (4xx, 5xx), not when the response has an Expires already, and a
 * Cache-Control already there gets max-age appended, as httpd does. */
#include <string.h>

#include <apr_date.h>
#include <apr_hash.h>
#include <apr_strings.h>

#include "expires_code.h"
#include "kiva.h"

#define KV_LOG_MODULE "expires"

extern kv_module_t expires_module;

typedef struct {
    int active;                /* ExpiresActive, KV_UNSET_INT if not given here */
    const ex_code_t *fallback; /* ExpiresDefault, NULL if unset */
    apr_hash_t *by_type;       /* ExpiresByType: ex_type_key -> ex_code_t * */
} expires_conf_t;

static void *create_dir_conf(apr_pool_t *p, const char *dir)
{
    expires_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    (void)dir;
    conf->active = KV_UNSET_INT;
    conf->by_type = apr_hash_make(p);
    return conf;
}

static void *merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    const expires_conf_t *base = basev, *add = addv;
    expires_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    conf->active = KV_MERGE_INT(add->active, base->active, KV_UNSET_INT);
    conf->fallback = KV_MERGE_PTR(add->fallback, base->fallback, NULL);
    /* A type given here replaces the same type's inherited code; the others stay. */
    conf->by_type = apr_hash_overlay(p, add->by_type, base->by_type);
    return conf;
}

/* Parse @a text for the directive @a what, in httpd's words ("'ExpiresDefault X': ..."). */
static const char *parse_code(kv_cmd_parms_t *cmd, const char *what, const char *text,
                              ex_code_t **out)
{
    ex_code_t *code = apr_pcalloc(cmd->pool, sizeof(*code));
    const char *err = ex_parse_code(cmd->temp_pool, text, code);

    if (err) {
        return apr_psprintf(cmd->pool, "'%s %s': %s", what, text, err);
    }
    *out = code;
    return NULL;
}

static const char *set_default(kv_cmd_parms_t *cmd, void *mconfig, int argc,
                               const char *const *argv)
{
    expires_conf_t *conf = mconfig;
    ex_code_t *code;
    const char *err = parse_code(cmd, "ExpiresDefault", argv[0], &code);

    (void)argc;
    if (!err) {
        conf->fallback = code;
    }
    return err;
}

static const char *set_by_type(kv_cmd_parms_t *cmd, void *mconfig, int argc,
                               const char *const *argv)
{
    expires_conf_t *conf = mconfig;
    const char *key = ex_type_key(cmd->pool, argv[0]), *err;
    ex_code_t *code;

    (void)argc;
    if (!key) {
        return apr_psprintf(cmd->pool, "ExpiresByType %s: Invalid mimetype: should contain a "
                                       "slash", argv[0]);
    }
    err = parse_code(cmd, apr_pstrcat(cmd->temp_pool, "ExpiresByType ", argv[0], NULL),
                     argv[1], &code);
    if (!err) {
        apr_hash_set(conf->by_type, key, APR_HASH_KEY_STRING, code);
    }
    return err;
}

/* Set Expires and Cache-Control max-age on @a t (the table the response's fields are in). */
static void set_expiry(kv_request_t *r, apr_table_t *t, const ex_code_t *code)
{
    apr_time_t at = ex_expires_at(code, r->request_time, r->finfo.filetype != APR_NOFILE,
                                  r->finfo.mtime);
    char *date;

    if (!at) {
        return; /* by modification time, but there is no file: nothing, as in httpd */
    }
    apr_table_mergen(t, "Cache-Control",
                     apr_psprintf(r->pool, "max-age=%" APR_TIME_T_FMT,
                                  apr_time_sec(at - r->request_time)));
    date = apr_palloc(r->pool, APR_RFC822_DATE_LEN);
    apr_rfc822_date(date, at);
    apr_table_setn(t, "Expires", date);
}

/* httpd's rule: no expiry on an error; a status not set yet is the protocol's 200. */
static int is_error(const kv_request_t *r)
{
    return r->status >= 400;
}

static void apply(kv_request_t *r)
{
    const expires_conf_t *conf = kv_get_module_config(r->per_dir_config, &expires_module);
    const ex_code_t *code;

    if (conf->active != 1 || is_error(r)) {
        return;
    }
    /* An Expires set already (a CGI script's is in err_headers_out) is left alone. */
    if (apr_table_get(r->err_headers_out, "Expires") || apr_table_get(r->headers_out, "Expires")) {
        return;
    }
    code = ex_code_for_type(r->pool, conf->by_type, r->content_type, conf->fallback);
    if (code) {
        set_expiry(r, r->headers_out, code);
    }
}

static apr_status_t expires_filter(kv_filter_t *f, apr_bucket_brigade *bb)
{
    static int done;

    if (f->ctx != &done) {
        f->ctx = &done;
        apply(f->r);
    }
    return kv_pass_brigade(f->next, bb);
}

static int expires_post_read_request(kv_request_t *r)
{
    /* Before mod_headers' filter (of type CONTENT_SET), so that Header can edit the fields,
     * as httpd places its filter at CONTENT_SET - 2. From post_read_request, so that a
     * redirect answered before the handler (mod_alias, mod_dir) gets the fields too, as
     * httpd's insert_error_filter gives them. */
    kv_add_output_filter(r, "expires", expires_filter,
                         (kv_filter_type_t)(KV_FTYPE_CONTENT_SET - 2), NULL);
    return KV_DECLINED;
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    kv_hook_post_read_request(expires_post_read_request, NULL, NULL, KV_HOOK_FIRST);
}

static const kv_command_t expires_commands[] = {
    {"ExpiresActive", kv_set_flag_slot, KV_OFFSET(expires_conf_t, active), 1, 1, KV_CTX_ALL, 0,
     "On|Off: set Expires and Cache-Control max-age on responses here"},
    {"ExpiresByType", set_by_type, NULL, 2, 2, KV_CTX_ALL, 0,
     "type/subtype|type/* code: expiry of responses of a media type (\"access plus 1 month\", "
     "\"A2592000\", \"modification plus 1 day\")"},
    {"ExpiresDefault", set_default, NULL, 1, 1, KV_CTX_ALL, 0,
     "code: expiry of responses no ExpiresByType applies to"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t expires_module = {
    KV_MODULE_HEADER("expires"),
    .create_dir_config = create_dir_conf,
    .merge_dir_config = merge_dir_conf,
    .commands = expires_commands,
    .register_hooks = register_hooks,
};
