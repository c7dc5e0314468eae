/* mod_authz_groupfile: `Require group NAME...`, granted when the authenticated user is a
 * member of one of the groups in AuthGroupFile (read again for every check, as httpd does).
 * Before authentication it asks for a user. */
#include <string.h>

#include <apr_file_io.h>
#include <apr_strings.h>

#include "groupfile.h"
#include "kiva.h"
#include "kv_auth.h"
#include "kv_log.h"

#define KV_LOG_MODULE "authz_groupfile"
#define MAX_LINE 8192

extern kv_module_t authz_groupfile_module;

typedef struct {
    const char *group_file; /* AuthGroupFile, absolute; NULL if unset */
} groupfile_conf_t;

static void *create_dir_conf(apr_pool_t *p, const char *dir)
{
    (void)dir;
    return apr_pcalloc(p, sizeof(groupfile_conf_t));
}

static void *merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    groupfile_conf_t *base = basev, *add = addv;
    groupfile_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    conf->group_file = KV_MERGE_PTR(add->group_file, base->group_file, NULL);
    return conf;
}

/* The groups (keys) @a user is in, per the file @a path; NULL if it cannot be read. A line
 * longer than one read takes is skipped whole, so its tail is never read as a line. */
static apr_table_t *groups_of(kv_request_t *r, const char *path, const char *user)
{
    apr_table_t *groups = apr_table_make(r->pool, 4);
    char *line = apr_palloc(r->pool, MAX_LINE);
    int in_long_line = 0;
    apr_file_t *f;
    apr_status_t rv =
        apr_file_open(&f, path, APR_FOPEN_READ | APR_FOPEN_BUFFERED, APR_FPROT_OS_DEFAULT, r->pool);

    if (rv != APR_SUCCESS) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, rv, r, "KV01223: Could not open group file: %s",
                      path);
        return NULL;
    }
    while (apr_file_gets(line, MAX_LINE, f) == APR_SUCCESS) {
        int ended = strchr(line, '\n') != NULL;
        const char *group;

        if (in_long_line || (!ended && strlen(line) == MAX_LINE - 1)) {
            in_long_line = !ended;
            continue;
        }
        if ((group = groupfile_group_of(r->pool, line, user)) != NULL) {
            apr_table_setn(groups, group, "in");
        }
    }
    apr_file_close(f);
    return groups;
}

static const char *parse_group(apr_pool_t *p, const char *line, int argc, const char *const *argv,
                               const void **parsed)
{
    (void)line;
    return kv_authz_parse_words(p, "group", argc, argv, parsed);
}

static kv_authz_status_t check_group(kv_request_t *r, const void *parsed)
{
    const groupfile_conf_t *conf = kv_get_module_config(r->per_dir_config, &authz_groupfile_module);
    const apr_array_header_t *wanted = parsed;
    apr_table_t *groups;

    if (!r->user) {
        return KV_AUTHZ_DENIED_NO_USER;
    }
    if (!conf->group_file) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV01224: No group file was specified in the configuration for %s", r->uri);
        return KV_AUTHZ_DENIED;
    }
    if ((groups = groups_of(r, conf->group_file, r->user)) == NULL) {
        return KV_AUTHZ_DENIED;
    }
    for (int i = 0; i < wanted->nelts; i++) {
        if (apr_table_get(groups, APR_ARRAY_IDX(wanted, i, const char *))) {
            return KV_AUTHZ_GRANTED;
        }
    }
    kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                  "KV01225: Authorization of user %s to access %s failed, reason: user is not "
                  "part of the 'require'ed group(s).",
                  r->user, r->uri);
    return KV_AUTHZ_DENIED;
}

static const kv_authz_provider_t group_provider = {parse_group, check_group};

static const kv_authz_provider_t *group(void)
{
    return &group_provider;
}

static void register_hooks(apr_pool_t *p)
{
    kv_authz_provider_register(p, "group", group);
}

static const kv_command_t groupfile_commands[] = {
    {"AuthGroupFile", kv_set_path_slot, KV_OFFSET(groupfile_conf_t, group_file), 1, 1, KV_CTX_DIR,
     0, "file-path: the file of groups and their members (group: user user ...)"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t authz_groupfile_module = {
    KV_MODULE_HEADER("authz_groupfile"), .create_dir_config = create_dir_conf,
    .merge_dir_config = merge_dir_conf,  .commands = groupfile_commands,
    .register_hooks = register_hooks,
};
