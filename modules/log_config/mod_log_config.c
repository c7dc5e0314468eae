/* mod_log_config: httpd's access logging. LogFormat names formats, CustomLog and
 * TransferLog send one line per request to a file or a piped program. Formats are
 * compiled once at config time (log_format.c); logs are opened in post_config in the
 * generation's log pool, so a restart reopens them. Each line is rendered into one buffer
 * and written with one write(2), so lines of concurrent children do not interleave (on a
 * pipe only lines up to PIPE_BUF bytes are atomic).
 *
 * Beyond httpd: the nicknames "common" and "combined" are built in, and a format that is a
 * bare word must be a nickname defined above it (httpd would log the word literally); in a
 * <VirtualHost> it may also be one of the main server's, looked up in post_config. */
#include <string.h>

#include <apr_file_io.h>
#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "kiva.h"
#include "log_format.h"
#include "piped_log.h"

#define KV_LOG_MODULE "log_config"

extern kv_module_t log_config_module;

/* One CustomLog or TransferLog. */
typedef struct {
    const char *target;          /* file name as configured, or "|command" */
    const char *cond_var;        /* env=[!]var: the variable; NULL to log every request */
    int cond_negate;             /* env=!var */
    log_format_t *format;        /* NULL for TransferLog: the server's default format */
    const char *nickname;        /* in a <VirtualHost>: a nickname looked up once merged */
    const kv_directive_t *where; /* the directive, for messages */
    apr_file_t *file;            /* the file or the pipe's write end, from post_config */
} log_target_t;

typedef struct {
    apr_hash_t *formats;          /* nickname -> log_format_t */
    log_format_t *default_format; /* LogFormat without a nickname (TransferLog's) */
    int default_set;              /* default_format came from this server's LogFormat */
    apr_array_header_t *logs;     /* log_target_t *, in config order */
} log_conf_t;

static log_format_t *builtin_format(apr_pool_t *p, const char *text)
{
    log_format_t *f = NULL;

    log_format_compile(p, text, &f); /* the built-in formats are known to compile */
    return f;
}

static void *create_server_conf(apr_pool_t *p, kv_server_t *s)
{
    log_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    (void)s;
    conf->formats = apr_hash_make(p);
    conf->default_format = builtin_format(p, LOG_FORMAT_COMMON);
    apr_hash_set(conf->formats, "common", APR_HASH_KEY_STRING, conf->default_format);
    apr_hash_set(conf->formats, "combined", APR_HASH_KEY_STRING,
                 builtin_format(p, LOG_FORMAT_COMBINED));
    conf->logs = apr_array_make(p, 2, sizeof(log_target_t *));
    return conf;
}

/* A virtual host with logs of its own logs only there; without, it logs where the main
 * server does. Nicknames of the main server are known to the host. */
static void *merge_server_conf(apr_pool_t *p, void *basev, void *addv)
{
    const log_conf_t *base = basev, *add = addv;
    log_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    conf->formats = apr_hash_overlay(p, add->formats, base->formats);
    conf->default_set = add->default_set || base->default_set;
    conf->default_format = add->default_set ? add->default_format : base->default_format;
    conf->logs = add->logs->nelts > 0 ? add->logs : base->logs;
    return conf;
}

/* ---- Directives ---- */

/* A word that can only be meant as a nickname: no %-directive, no blanks, no quotes. */
static int is_bare_word(const char *s)
{
    for (; *s; s++) {
        if (!apr_isalnum(*s) && *s != '_' && *s != '-' && *s != '.') {
            return 0;
        }
    }
    return 1;
}

/* @a text as a nickname defined so far, or else compiled as a format. */
static const char *resolve_format(kv_cmd_parms_t *cmd, const log_conf_t *conf, const char *text,
                                  log_format_t **out)
{
    const char *err;

    *out = apr_hash_get(conf->formats, text, APR_HASH_KEY_STRING);
    if (*out) {
        return NULL;
    }
    if (*text && is_bare_word(text)) {
        return apr_psprintf(cmd->pool,
                            "%s: '%s' is no LogFormat nickname defined above (a format has "
                            "%%-directives, such as \"%%h %%r\")",
                            cmd->cmd->name, text);
    }
    err = log_format_compile(cmd->pool, text, out);
    if (err) {
        return apr_psprintf(cmd->pool, "%s: %s in \"%s\"", cmd->cmd->name, err, text);
    }
    return NULL;
}

static const char *set_log_format(kv_cmd_parms_t *cmd, void *mconfig, int argc,
                                  const char *const *argv)
{
    log_conf_t *conf = mconfig;
    log_format_t *f;
    const char *err = resolve_format(cmd, conf, argv[0], &f);

    if (err) {
        return err;
    }
    if (argc == 2) {
        apr_hash_set(conf->formats, apr_pstrdup(cmd->pool, argv[1]), APR_HASH_KEY_STRING, f);
    } else {
        conf->default_format = f;
        conf->default_set = 1;
    }
    return NULL;
}

static const char *parse_condition(kv_cmd_parms_t *cmd, const char *arg, log_target_t *t)
{
    const char *var;

    if (strncmp(arg, "env=", 4) != 0) {
        return apr_psprintf(cmd->pool, "%s: the condition '%s' is not env=[!]variable",
                            cmd->cmd->name, arg);
    }
    var = arg + 4;
    t->cond_negate = *var == '!';
    var += t->cond_negate;
    if (*var == '\0') {
        return apr_psprintf(cmd->pool, "%s: env= names no variable", cmd->cmd->name);
    }
    t->cond_var = apr_pstrdup(cmd->pool, var);
    return NULL;
}

static const char *check_target(kv_cmd_parms_t *cmd, const char *target)
{
    const char *rest = target[0] == '|' ? target + 1 : target;

    while (apr_isspace(*rest)) {
        rest++;
    }
    if (*rest == '\0') {
        return apr_psprintf(cmd->pool, "%s: no %s given", cmd->cmd->name,
                            target[0] == '|' ? "program after '|'" : "file name");
    }
    return NULL;
}

/* In a <VirtualHost>, a bare word unknown here may be a nickname of the main server, which
 * the host's config learns only when it is merged. */
static int is_main_server_nickname(const kv_cmd_parms_t *cmd, const log_conf_t *conf,
                                   const char *text)
{
    return (cmd->context & KV_CTX_VHOST) && *text && is_bare_word(text) &&
           !apr_hash_get(conf->formats, text, APR_HASH_KEY_STRING);
}

static log_target_t *new_target(kv_cmd_parms_t *cmd, const char *target)
{
    log_target_t *t = apr_pcalloc(cmd->pool, sizeof(*t));

    t->target = apr_pstrdup(cmd->pool, target);
    t->where = cmd->directive;
    return t;
}

static const char *set_custom_log(kv_cmd_parms_t *cmd, void *mconfig, int argc,
                                  const char *const *argv)
{
    log_conf_t *conf = mconfig;
    log_target_t *t = new_target(cmd, argv[0]);
    const char *err = check_target(cmd, argv[0]);

    if (!err && is_main_server_nickname(cmd, conf, argv[1])) {
        t->nickname = apr_pstrdup(cmd->pool, argv[1]);
    } else if (!err) {
        err = resolve_format(cmd, conf, argv[1], &t->format);
    }
    if (!err && argc == 3) {
        err = parse_condition(cmd, argv[2], t);
    }
    if (!err) {
        APR_ARRAY_PUSH(conf->logs, log_target_t *) = t;
    }
    return err;
}

static const char *set_transfer_log(kv_cmd_parms_t *cmd, void *mconfig, int argc,
                                    const char *const *argv)
{
    log_conf_t *conf = mconfig;
    const char *err = check_target(cmd, argv[0]);

    (void)argc;
    if (!err) {
        APR_ARRAY_PUSH(conf->logs, log_target_t *) = new_target(cmd, argv[0]);
    }
    return err;
}

/* ---- Opening the logs ---- */

static apr_status_t open_file(apr_pool_t *plog, log_target_t *t, kv_server_t *s)
{
    const char *path = kv_server_root_relative(plog, t->target);
    apr_status_t rv = apr_file_open(
        &t->file, path, APR_FOPEN_WRITE | APR_FOPEN_CREATE | APR_FOPEN_APPEND | APR_FOPEN_LARGEFILE,
        APR_FPROT_OS_DEFAULT, plog);

    if (rv != APR_SUCCESS) {
        t->file = NULL;
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, rv, s, "KV00500: could not open access log %s", path);
    }
    return rv;
}

static apr_status_t open_pipe(apr_pool_t *plog, log_target_t *t, kv_server_t *s)
{
    piped_log_t *pl;
    apr_status_t rv = piped_log_open(plog, t->target + 1, s, &pl);

    if (rv == APR_SUCCESS) {
        t->file = piped_log_write_end(pl);
    }
    return rv;
}

/* The format of a log: its own, a virtual host's nickname, or the server's default. */
static apr_status_t resolve_nickname(const log_conf_t *conf, log_target_t *t, kv_server_t *s)
{
    if (t->nickname) {
        t->format = apr_hash_get(conf->formats, t->nickname, APR_HASH_KEY_STRING);
        if (!t->format) {
            kv_log_error(KV_LOG_MARK, KV_LOG_ERR, 0, s,
                         "KV00508: CustomLog on line %u of %s: '%s' is no LogFormat nickname "
                         "of the virtual host or the main server",
                         t->where->line, t->where->file, t->nickname);
            return APR_EINVAL;
        }
    }
    if (!t->format) {
        t->format = conf->default_format;
    }
    return APR_SUCCESS;
}

static apr_status_t open_server_logs(apr_pool_t *plog, kv_server_t *s)
{
    log_conf_t *conf = kv_get_module_config(s->module_config, &log_config_module);

    for (int i = 0; i < conf->logs->nelts; i++) {
        log_target_t *t = APR_ARRAY_IDX(conf->logs, i, log_target_t *);
        apr_status_t rv;

        if (t->file) {
            continue; /* shared with the main server */
        }
        if ((rv = resolve_nickname(conf, t, s)) != APR_SUCCESS) {
            return rv;
        }
        rv = t->target[0] == '|' ? open_pipe(plog, t, s) : open_file(plog, t, s);
        if (rv != APR_SUCCESS) {
            return rv;
        }
    }
    return APR_SUCCESS;
}

/* Runs in the parent before the MPM forks, so the children inherit the open logs. */
static int log_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, kv_server_t *s)
{
    (void)pconf;
    (void)ptemp;
    for (kv_server_t *v = s; v; v = v->next) {
        if (open_server_logs(plog, v) != APR_SUCCESS) {
            return KV_HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    return KV_OK;
}

/* ---- Logging a request ---- */

static int condition_allows(const log_target_t *t, const kv_request_t *r)
{
    int set;

    if (!t->cond_var) {
        return 1;
    }
    set = r->subprocess_env && apr_table_get(r->subprocess_env, t->cond_var) != NULL;
    return set != t->cond_negate;
}

static int log_transaction(kv_request_t *r)
{
    const log_conf_t *conf = kv_get_module_config(r->server->module_config, &log_config_module);
    apr_time_t now = apr_time_now();

    for (int i = 0; i < conf->logs->nelts; i++) {
        const log_target_t *t = APR_ARRAY_IDX(conf->logs, i, const log_target_t *);
        apr_size_t len;
        const char *line;
        apr_status_t rv;

        if (!t->file || !condition_allows(t, r)) {
            continue;
        }
        line = log_format_render(t->format, r, now, &len);
        rv = apr_file_write_full(t->file, line, len, NULL);
        if (rv != APR_SUCCESS) {
            kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, rv, r,
                          "KV00507: could not write to access log %s", t->target);
        }
    }
    return KV_OK;
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    kv_hook_post_config(log_post_config, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_log_transaction(log_transaction, NULL, NULL, KV_HOOK_MIDDLE);
}

static const kv_command_t log_config_commands[] = {
    {"LogFormat", set_log_format, NULL, 1, 2, KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "LogFormat format|nickname [nickname]: names a format, or without a nickname sets "
     "TransferLog's"},
    {"CustomLog", set_custom_log, NULL, 2, 3, KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "CustomLog file|\"|program\" format|nickname [env=[!]variable]: an access log"},
    {"TransferLog", set_transfer_log, NULL, 1, 1, KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "TransferLog file|\"|program\": an access log in the last LogFormat without a nickname"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t log_config_module = {
    KV_MODULE_HEADER("log_config"),
    .create_server_config = create_server_conf,
    .merge_server_config = merge_server_conf,
    .commands = log_config_commands,
    .register_hooks = register_hooks,
};
