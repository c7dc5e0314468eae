/* mod_authn_file: the "file" authentication provider. AuthUserFile names an htpasswd file
 * (relative paths under ServerRoot), read again for every check as httpd does, so an edit
 * takes effect at once; hashes are checked with apr_password_validate (bcrypt $2y$, $apr1$,
 * {SHA}, crypt). */
#include <string.h>

#include <apr_file_io.h>
#include <apr_md5.h>
#include <apr_strings.h>

#include "htpasswd.h"
#include "kiva.h"
#include "kv_auth.h"
#include "kv_log.h"

#define KV_LOG_MODULE "authn_file"
#define MAX_LINE 8192

extern kv_module_t authn_file_module;

typedef struct {
    const char *user_file; /* AuthUserFile, absolute; NULL if unset */
} authn_file_conf_t;

static void *create_dir_conf(apr_pool_t *p, const char *dir)
{
    (void)dir;
    return apr_pcalloc(p, sizeof(authn_file_conf_t));
}

static void *merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    authn_file_conf_t *base = basev, *add = addv;
    authn_file_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    conf->user_file = KV_MERGE_PTR(add->user_file, base->user_file, NULL);
    return conf;
}

/* The hash stored for @a user in @a f (the file @a path), or NULL if it has no such user. A
 * line longer than one read takes is skipped whole: read on, its tail would be taken for a
 * line of its own, and an entry of it (a comment's text, say) would let someone in. */
static const char *find_hash(kv_request_t *r, apr_file_t *f, const char *path, const char *user)
{
    char *line = apr_palloc(r->pool, MAX_LINE);
    const char *name, *hash;
    int lineno = 0, in_long_line = 0;

    while (apr_file_gets(line, MAX_LINE, f) == APR_SUCCESS) {
        int ended = strchr(line, '\n') != NULL;

        if (in_long_line) {
            in_long_line = !ended;
            continue;
        }
        lineno++;
        if (!ended && strlen(line) == MAX_LINE - 1) {
            kv_log_rerror(KV_LOG_MARK, KV_LOG_WARNING, 0, r,
                          "KV01091: %s line %d is longer than %d bytes; it is ignored", path,
                          lineno, MAX_LINE - 1);
            in_long_line = 1;
            continue;
        }
        if (htpasswd_parse_line(line, &name, &hash) && strcmp(name, user) == 0) {
            return apr_pstrdup(r->pool, hash);
        }
    }
    return NULL;
}

static kv_authn_status_t check_password(kv_request_t *r, const char *user, const char *password)
{
    const authn_file_conf_t *conf = kv_get_module_config(r->per_dir_config, &authn_file_module);
    apr_file_t *f;
    apr_status_t rv;
    const char *hash;

    if (!conf->user_file) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV00830: AuthUserFile not specified in the configuration for %s", r->uri);
        return KV_AUTHN_GENERAL_ERROR;
    }
    rv = apr_file_open(&f, conf->user_file, APR_FOPEN_READ | APR_FOPEN_BUFFERED,
                       APR_FPROT_OS_DEFAULT, r->pool);
    if (rv != APR_SUCCESS) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, rv, r, "KV00831: could not open password file: %s",
                      conf->user_file);
        return KV_AUTHN_GENERAL_ERROR;
    }
    hash = find_hash(r, f, conf->user_file, user);
    apr_file_close(f);
    if (!hash) {
        return KV_AUTHN_USER_NOT_FOUND;
    }
    return apr_password_validate(password, hash) == APR_SUCCESS ? KV_AUTHN_GRANTED
                                                                : KV_AUTHN_DENIED;
}

static void register_hooks(apr_pool_t *p)
{
    kv_authn_provider_register(p, "file", check_password);
}

static const kv_command_t authn_file_commands[] = {
    {"AuthUserFile", kv_set_path_slot, KV_OFFSET(authn_file_conf_t, user_file), 1, 1, KV_CTX_DIR, 0,
     "file-path: the htpasswd file of users and password hashes"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t authn_file_module = {
    KV_MODULE_HEADER("authn_file"),     .create_dir_config = create_dir_conf,
    .merge_dir_config = merge_dir_conf, .commands = authn_file_commands,
    .register_hooks = register_hooks,
};
