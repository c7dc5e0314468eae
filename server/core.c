/* The core module: its directives and its place in the request hooks. */
#include <string.h>

#include <apr_hash.h>
#include <apr_network_io.h>
#include <apr_strings.h>

#include "config_if.h"
#include "config_mutex.h"
#include "config_walk.h"
#include "core.h"
#include "remote_host.h"
#include "if_sections.h"
#include "kv_log.h"
#include "module.h"
#include "httpd_directives.h"
#include "sections.h"
#include "vhost.h"

static void *create_core_server_config(apr_pool_t *p, kv_server_t *s)
{
    kv_core_server_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    (void)s;
    conf->listen_specs = apr_array_make(p, 2, sizeof(kv_listen_spec_t));
    conf->accept_filters = apr_table_make(p, 2);
    conf->sections.all = apr_array_make(p, 4, sizeof(kv_section_t *));
    conf->listen_backlog = KV_UNSET_INT;
    conf->server_tokens = KV_UNSET_INT;
    return conf;
}

/* A virtual host's core settings over the main server's: its sections are merged after
 * the main server's, as httpd does. */
static void *merge_core_server_config(apr_pool_t *p, void *basev, void *addv)
{
    const kv_core_server_conf_t *base = basev, *add = addv;
    kv_core_server_conf_t *conf = apr_pmemdup(p, add, sizeof(*conf));

    conf->document_root = add->document_root ? add->document_root : base->document_root;
    conf->error_log = add->error_log ? add->error_log : base->error_log;
    conf->server_admin = add->server_admin ? add->server_admin : base->server_admin;
    conf->server_tokens = base->server_tokens;
    conf->access_file_names =
        add->access_file_names ? add->access_file_names : base->access_file_names;
    conf->banner = base->banner;
    conf->listen_specs = base->listen_specs;
    conf->listen_backlog = base->listen_backlog;
    conf->accept_filters = base->accept_filters;
    conf->send_buffer_size = base->send_buffer_size;
    conf->receive_buffer_size = base->receive_buffer_size;
    conf->sections.all = apr_array_append(p, base->sections.all, add->sections.all);
    kv_sections_finish(p, &conf->sections);
    return conf;
}

static void *create_core_dir_config(apr_pool_t *p, const char *dir)
{
    kv_core_dir_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    (void)dir;
    conf->limit_req_body = -1;
    conf->opts = KV_UNSET_INT;
    conf->hostname_lookups = KV_UNSET_INT;
    conf->error_docs = apr_hash_make(p);
    conf->use_canonical_name = KV_UNSET_INT;
    conf->use_canonical_phys_port = KV_UNSET_INT;
    conf->server_signature = KV_UNSET_INT;
    conf->etag.bits = KV_UNSET_INT;
    conf->enable_sendfile = KV_UNSET_INT;
    conf->enable_mmap = KV_UNSET_INT;
    conf->override = KV_UNSET_INT;
    conf->override_opts = KV_UNSET_INT;
    return conf;
}

/* The Options a merged per-directory config stands for. */
static int options_of(const kv_core_dir_conf_t *d)
{
    if (d->opts != KV_UNSET_INT) {
        return d->opts;
    }
    return (KV_DEFAULT_OPTIONS & ~d->opts_remove) | d->opts_add;
}

static void *merge_core_dir_config(apr_pool_t *p, void *basev, void *addv)
{
    kv_core_dir_conf_t *base = basev, *add = addv;
    kv_core_dir_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    conf->limit_req_body = add->limit_req_body >= 0 ? add->limit_req_body : base->limit_req_body;
    conf->error_docs = apr_hash_overlay(p, add->error_docs, base->error_docs);
    conf->handler = add->handler ? add->handler : base->handler;
    conf->forced_type = add->forced_type ? add->forced_type : base->forced_type;
    conf->hostname_lookups = KV_MERGE_INT(add->hostname_lookups, base->hostname_lookups,
                                          KV_UNSET_INT);
    conf->use_canonical_name =
        KV_MERGE_INT(add->use_canonical_name, base->use_canonical_name, KV_UNSET_INT);
    conf->use_canonical_phys_port =
        KV_MERGE_INT(add->use_canonical_phys_port, base->use_canonical_phys_port, KV_UNSET_INT);
    conf->server_signature =
        KV_MERGE_INT(add->server_signature, base->server_signature, KV_UNSET_INT);
    kv_etag_merge(&conf->etag, &base->etag, &add->etag);
    conf->default_charset = add->default_charset ? add->default_charset : base->default_charset;
    conf->enable_sendfile = KV_MERGE_INT(add->enable_sendfile, base->enable_sendfile, KV_UNSET_INT);
    conf->enable_mmap = KV_MERGE_INT(add->enable_mmap, base->enable_mmap, KV_UNSET_INT);
    conf->if_sections = kv_if_sections_merge(p, base->if_sections, add->if_sections);
    conf->output_filters = add->output_filters ? add->output_filters : base->output_filters;
    conf->override = KV_MERGE_INT(add->override, base->override, KV_UNSET_INT);
    conf->override_opts = KV_MERGE_INT(add->override_opts, base->override_opts, KV_UNSET_INT);
    conf->override_list = add->override_list ? add->override_list : base->override_list;
    if (add->opts != KV_UNSET_INT) {
        conf->opts = add->opts;
    } else if (add->opts_add || add->opts_remove) {
        /* +X/-X apply to what the enclosing sections allow (httpd's merge). */
        conf->opts = (options_of(base) & ~add->opts_remove) | add->opts_add;
        /* +IncludesNOEXEC under Includes takes exec away, as in httpd. */
        if ((add->opts_add & (KV_OPT_INCLUDES | KV_OPT_INC_WITH_EXEC)) == KV_OPT_INCLUDES) {
            conf->opts &= ~KV_OPT_INC_WITH_EXEC;
        }
    } else {
        conf->opts = base->opts;
        conf->opts_add = base->opts_add;
        conf->opts_remove = base->opts_remove;
    }
    return conf;
}

kv_core_server_conf_t *kv_core_sconf(const kv_server_t *s)
{
    return kv_get_module_config(s->module_config, &core_module);
}

apr_off_t kv_limit_req_body(const kv_request_t *r)
{
    const kv_core_dir_conf_t *d = kv_get_module_config(r->per_dir_config, &core_module);

    return d->limit_req_body >= 0 ? d->limit_req_body : KV_DEFAULT_LIMIT_REQ_BODY;
}

int kv_hostname_lookups(const kv_request_t *r)
{
    /* A request whose sections are not merged yet (httpd: no dir_config) looks nothing up. */
    const kv_core_dir_conf_t *d =
        r->per_dir_config ? kv_get_module_config(r->per_dir_config, &core_module) : NULL;

    return !d || d->hostname_lookups == KV_UNSET_INT ? KV_LOOKUPS_OFF : d->hostname_lookups;
}

static const char *set_hostname_lookups(kv_cmd_parms_t *cmd, void *conf, int argc,
                                        const char *const *argv)
{
    kv_core_dir_conf_t *d = conf;

    (void)argc;
    return kv_parse_hostname_lookups(cmd->pool, argv[0], &d->hostname_lookups);
}

KV_DECLARE(int) kv_allow_options(const kv_request_t *r)
{
    return options_of(kv_get_module_config(r->per_dir_config, &core_module));
}

KV_DECLARE(const char *) kv_document_root(const kv_request_t *r)
{
    return kv_core_sconf(r->server)->document_root;
}

/* Server fields of kv_server_t are set through these offsets. */
#define SERVER_FIELD(f) KV_OFFSET(kv_server_t, f)
/* Per-directory fields of the core's config, for the slot setters. */
#define DIR_FIELD(f) KV_OFFSET(kv_core_dir_conf_t, f)

static const char *set_server_int(kv_cmd_parms_t *cmd, long min, long max, const char *arg,
                                  int *out)
{
    long v;
    const char *err = kv_parse_int(cmd->temp_pool, arg, min, max, &v);

    if (err) {
        return apr_psprintf(cmd->pool, "%s: %s", cmd->cmd->name, err);
    }
    *out = (int)v;
    return NULL;
}

static const char *set_limit(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    kv_server_t *s = cmd->server;
    const char *name = cmd->cmd->name;

    (void)conf;
    (void)argc;
    if (strcasecmp(name, "LimitRequestLine") == 0) {
        return set_server_int(cmd, 1, 1 << 20, argv[0], &s->limit_req_line);
    }
    if (strcasecmp(name, "LimitRequestFieldSize") == 0) {
        return set_server_int(cmd, 1, 1 << 20, argv[0], &s->limit_req_fieldsize);
    }
    return set_server_int(cmd, 0, 32767, argv[0], &s->limit_req_fields);
}

static const char *set_server_time(kv_cmd_parms_t *cmd, void *conf, int argc,
                                   const char *const *argv)
{
    (void)conf;
    return kv_set_timeout_slot(cmd, cmd->server, argc, argv);
}

static const char *set_server_flag(kv_cmd_parms_t *cmd, void *conf, int argc,
                                   const char *const *argv)
{
    (void)conf;
    return kv_set_flag_slot(cmd, cmd->server, argc, argv);
}

static const char *set_max_keepalive(kv_cmd_parms_t *cmd, void *conf, int argc,
                                     const char *const *argv)
{
    (void)conf;
    (void)argc;
    return set_server_int(cmd, 0, 1 << 30, argv[0], &cmd->server->keep_alive_max);
}

static const char *set_server_name(kv_cmd_parms_t *cmd, void *conf, int argc,
                                   const char *const *argv)
{
    const char *name = argv[0];
    const char *scheme_end = strstr(name, "://");
    char *host, *scope;
    apr_port_t port;

    (void)conf;
    (void)argc;
    if (scheme_end) {
        name = scheme_end + 3;
    }
    if (apr_parse_addr_port(&host, &scope, &port, name, cmd->pool) != APR_SUCCESS || !host ||
        scope) {
        return apr_psprintf(cmd->pool, "ServerName: '%s' is not a host name with an optional "
                            "port", argv[0]);
    }
    cmd->server->server_hostname = host;
    cmd->server->port = port;
    return NULL;
}

static const char *set_document_root(kv_cmd_parms_t *cmd, void *conf, int argc,
                                     const char *const *argv)
{
    kv_core_server_conf_t *sconf = conf;
    char *root = apr_pstrdup(cmd->pool, kv_server_root_relative(cmd->pool, argv[0]));
    size_t n = strlen(root);
    apr_finfo_t fi;

    (void)argc;
    while (n > 1 && root[n - 1] == '/') {
        root[--n] = '\0';
    }
    if (apr_stat(&fi, root, APR_FINFO_TYPE, cmd->temp_pool) != APR_SUCCESS ||
        fi.filetype != APR_DIR) {
        /* As httpd: a warning, so a site can be deployed after the server starts. */
        kv_log_error("core", __FILE__, __LINE__, KV_LOG_WARNING, 0, NULL,
                     "KV00002: DocumentRoot [%s] does not exist (line %u of %s)", root,
                     cmd->directive->line, cmd->directive->file);
    }
    sconf->document_root = root;
    return NULL;
}

static const char *set_error_log(kv_cmd_parms_t *cmd, void *conf, int argc,
                                 const char *const *argv)
{
    kv_core_server_conf_t *sconf = conf;

    (void)argc;
    if (argv[0][0] == '|' || strncasecmp(argv[0], "syslog", 6) == 0) {
        return "ErrorLog: piped and syslog error logs are not supported yet; give a file name";
    }
    sconf->error_log = kv_server_root_relative(cmd->pool, argv[0]);
    return NULL;
}

static const char *set_log_level(kv_cmd_parms_t *cmd, void *conf, int argc,
                                 const char *const *argv)
{
    kv_server_t *s = cmd->server;

    (void)conf;
    for (int i = 0; i < argc; i++) {
        const char *colon = strchr(argv[i], ':');
        const char *name = colon ? colon + 1 : argv[i];
        int level = kv_log_level_from_name(name);

        if (level < 0) {
            return apr_psprintf(cmd->pool,
                                "LogLevel: '%s' is not a level (emerg, alert, crit, error, "
                                "warn, notice, info, debug, trace1 to trace8)",
                                name);
        }
        if (colon) {
            int *lv = apr_palloc(cmd->pool, sizeof(*lv));
            const char *mod = apr_pstrndup(cmd->pool, argv[i], (apr_size_t)(colon - argv[i]));
            size_t n = strlen(mod);
            if (n > 7 && strcmp(mod + n - 7, "_module") == 0) {
                mod = apr_pstrndup(cmd->pool, mod, n - 7);
            }
            *lv = level;
            apr_hash_set(s->module_log_levels, mod, APR_HASH_KEY_STRING, lv);
        } else {
            s->log_level = level;
        }
    }
    return NULL;
}

static const char *set_limit_req_body(kv_cmd_parms_t *cmd, void *conf, int argc,
                                      const char *const *argv)
{
    kv_core_dir_conf_t *d = conf;
    long v;
    const char *err = kv_parse_int(cmd->temp_pool, argv[0], 0, 2147483647L, &v);

    (void)argc;
    if (err) {
        return apr_psprintf(cmd->pool, "LimitRequestBody: %s", err);
    }
    d->limit_req_body = v;
    return NULL;
}

/* On, Off or the directive's third word (DNS, EMail) as 1, 0 or 2. */
static const char *parse_on_off_or(kv_cmd_parms_t *cmd, const char *arg, const char *third,
                                   int *out)
{
    if (strcasecmp(arg, "on") == 0) {
        *out = 1;
    } else if (strcasecmp(arg, "off") == 0) {
        *out = 0;
    } else if (strcasecmp(arg, third) == 0) {
        *out = 2;
    } else {
        return apr_psprintf(cmd->pool, "%s must be On, Off or %s, not '%s'", cmd->cmd->name,
                            third, arg);
    }
    return NULL;
}

static const char *set_use_canonical_name(kv_cmd_parms_t *cmd, void *conf, int argc,
                                          const char *const *argv)
{
    kv_core_dir_conf_t *d = conf;

    (void)argc;
    return parse_on_off_or(cmd, argv[0], "DNS", &d->use_canonical_name);
}

static const char *set_server_admin(kv_cmd_parms_t *cmd, void *conf, int argc,
                                    const char *const *argv)
{
    kv_core_server_conf_t *sconf = conf;

    (void)argc;
    sconf->server_admin = apr_pstrdup(cmd->pool, argv[0]);
    return NULL;
}

static const char *set_server_tokens(kv_cmd_parms_t *cmd, void *conf, int argc,
                                     const char *const *argv)
{
    kv_core_server_conf_t *sconf = conf;

    (void)argc;
    if (kv_parse_server_tokens(argv[0], &sconf->server_tokens) != 0) {
        return apr_psprintf(cmd->pool, "ServerTokens must be Prod, Major, Minor, Min, OS or "
                            "Full, not '%s'", argv[0]);
    }
    return NULL;
}

static const char *set_server_signature(kv_cmd_parms_t *cmd, void *conf, int argc,
                                        const char *const *argv)
{
    kv_core_dir_conf_t *d = conf;

    (void)argc;
    return parse_on_off_or(cmd, argv[0], "EMail", &d->server_signature);
}

static const char *set_access_file_name(kv_cmd_parms_t *cmd, void *conf, int argc,
                                        const char *const *argv)
{
    kv_core_server_conf_t *sconf = conf;

    sconf->access_file_names = apr_array_make(cmd->pool, argc, sizeof(const char *));
    for (int i = 0; i < argc; i++) {
        APR_ARRAY_PUSH(sconf->access_file_names, const char *) = apr_pstrdup(cmd->pool, argv[i]);
    }
    return NULL;
}

static const char *set_file_etag(kv_cmd_parms_t *cmd, void *conf, int argc,
                                 const char *const *argv)
{
    kv_core_dir_conf_t *d = conf;

    return kv_parse_file_etag(cmd->pool, argc, argv, &d->etag);
}

static const char *set_default_charset(kv_cmd_parms_t *cmd, void *conf, int argc,
                                       const char *const *argv)
{
    kv_core_dir_conf_t *d = conf;

    (void)argc;
    if (strcasecmp(argv[0], "on") == 0) {
        d->default_charset = KV_DEFAULT_CHARSET;
    } else if (strcasecmp(argv[0], "off") == 0) {
        d->default_charset = "";
    } else if (strpbrk(argv[0], " \t;,\"")) {
        return apr_psprintf(cmd->pool, "AddDefaultCharset: '%s' is not a charset name", argv[0]);
    } else {
        d->default_charset = apr_pstrdup(cmd->pool, argv[0]);
    }
    return NULL;
}

static const struct {
    const char *name;
    int bits;
} option_names[] = {
    {"None", KV_OPT_NONE},
    {"All", KV_OPT_ALL},
    {"Indexes", KV_OPT_INDEXES},
    {"Includes", KV_OPT_INCLUDES | KV_OPT_INC_WITH_EXEC},
    {"IncludesNOEXEC", KV_OPT_INCLUDES},
    {"FollowSymLinks", KV_OPT_SYM_LINKS},
    {"SymLinksIfOwnerMatch", KV_OPT_SYM_OWNER},
    {"ExecCGI", KV_OPT_EXECCGI},
    {"MultiViews", KV_OPT_MULTIVIEWS},
    {"RunScripts", KV_OPT_MULTIVIEWS | KV_OPT_EXECCGI}, /* httpd's old synonym */
};

static const char *option_bits(apr_pool_t *p, const char *name, int *bits)
{
    for (size_t i = 0; i < sizeof(option_names) / sizeof(option_names[0]); i++) {
        if (strcasecmp(name, option_names[i].name) == 0) {
            *bits = option_names[i].bits;
            return NULL;
        }
    }
    return apr_psprintf(p, "Options: illegal option %s", name);
}

static const char *set_options(kv_cmd_parms_t *cmd, void *conf, int argc,
                               const char *const *argv)
{
    kv_core_dir_conf_t *d = conf;
    int relative = argv[0][0] == '+' || argv[0][0] == '-';
    int opts = KV_OPT_NONE, add = 0, remove = 0;

    for (int i = 0; i < argc; i++) {
        const char *name = argv[i];
        char sign = name[0] == '+' || name[0] == '-' ? name[0] : 0;
        int bits = 0;
        const char *err;

        if ((sign != 0) != relative) {
            return "Options: either all Options must start with + or -, or no Option may";
        }
        if ((err = option_bits(cmd->pool, sign ? name + 1 : name, &bits)) != NULL) {
            return err;
        }
        if (sign && (bits == KV_OPT_NONE || bits == KV_OPT_ALL)) {
            return apr_psprintf(cmd->pool, "Options: %s cannot take + or -", name + 1);
        }
        if (sign == '+') {
            add |= bits;
            remove &= ~bits;
        } else if (sign == '-') {
            remove |= bits;
            add &= ~bits;
        } else {
            opts |= bits;
        }
    }
    if (relative) {
        d->opts_add = add;
        d->opts_remove = remove;
        d->opts = KV_UNSET_INT;
    } else {
        d->opts = opts;
        d->opts_add = d->opts_remove = 0;
    }
    return NULL;
}

static const struct {
    const char *name;
    int bits;
} override_names[] = {
    {"None", 0},
    {"All", KV_OR_ALL},
    {"AuthConfig", KV_OR_AUTHCFG},
    {"FileInfo", KV_OR_FILEINFO},
    {"Indexes", KV_OR_INDEXES},
    {"Limit", KV_OR_LIMIT},
};

/* Options=opt,opt,... of AllowOverride: the Options a .htaccess file may set. */
static const char *override_options(apr_pool_t *p, const char *list, int *opts)
{
    char *copy = apr_pstrdup(p, list), *state, *w;

    *opts = KV_OPT_NONE;
    for (w = apr_strtok(copy, ",", &state); w; w = apr_strtok(NULL, ",", &state)) {
        int bits = 0;
        if (option_bits(p, w, &bits) != NULL) {
            return apr_psprintf(p, "AllowOverride: Illegal option %s", w);
        }
        *opts |= bits;
    }
    return NULL;
}

/* Nonfatal=Override|Unknown|All of AllowOverride. */
static const char *override_nonfatal(apr_pool_t *p, const char *value, int *bits)
{
    if (!value) {
        return "AllowOverride: =Override, =Unknown or =All expected after Nonfatal";
    }
    if (strcasecmp(value, "Override") == 0) {
        *bits = KV_OR_NONFATAL_OVERRIDE;
    } else if (strcasecmp(value, "Unknown") == 0) {
        *bits = KV_OR_NONFATAL_UNKNOWN;
    } else if (strcasecmp(value, "All") == 0) {
        *bits = KV_OR_NONFATAL_ALL;
    } else {
        return apr_psprintf(p,
                            "AllowOverride: Nonfatal=%s: =Override, =Unknown or =All "
                            "expected",
                            value);
    }
    return NULL;
}

const char *kv_parse_allow_override(apr_pool_t *p, int argc, const char *const *argv, int *override,
                                    int *override_opts)
{
    *override = 0;
    for (int i = 0; i < argc; i++) {
        char *name = apr_pstrdup(p, argv[i]);
        char *value = strchr(name, '=');
        const char *err;
        int bits = -1;

        if (value) {
            *value++ = '\0';
        }
        if (strcasecmp(name, "Options") == 0) {
            *override |= KV_OR_OPTIONS;
            if (!value) {
                *override_opts = KV_OPT_ALL;
            } else if ((err = override_options(p, value, override_opts)) != NULL) {
                return err;
            }
            continue;
        }
        if (strcasecmp(name, "Nonfatal") == 0) {
            if ((err = override_nonfatal(p, value, &bits)) != NULL) {
                return err;
            }
            *override |= bits;
            continue;
        }
        for (size_t k = 0; k < sizeof(override_names) / sizeof(override_names[0]); k++) {
            if (strcasecmp(name, override_names[k].name) == 0) {
                bits = override_names[k].bits;
            }
        }
        if (bits < 0) {
            return apr_psprintf(p, "AllowOverride: Illegal override option %s", argv[i]);
        }
        if (value) {
            return apr_psprintf(p,
                                "AllowOverride: %s takes no =value (only Options= and "
                                "Nonfatal= do)",
                                name);
        }
        /* None and All replace what came before them on the line, as in httpd. */
        *override = bits == 0 || bits == KV_OR_ALL ? bits : *override | bits;
    }
    return NULL;
}

const char *kv_parse_allow_override_list(apr_pool_t *p, int argc, const char *const *argv,
                                         apr_array_header_t **list)
{
    *list = apr_array_make(p, argc, sizeof(const char *));
    for (int i = 0; i < argc; i++) {
        if (strcasecmp(argv[i], "None") == 0) {
            if (argc != 1) {
                return "'None' not allowed with other directives in AllowOverrideList";
            }
            return NULL;
        }
        if (!kv_httpd_directive_module(argv[i])) {
            return apr_psprintf(p, "AllowOverrideList: %s is not a directive of httpd", argv[i]);
        }
        APR_ARRAY_PUSH(*list, const char *) = apr_pstrdup(p, argv[i]);
    }
    return NULL;
}

/* AllowOverride and AllowOverrideList count only in a plain <Directory>: that is all
 * httpd's directory walk reads them from (it warns that they are useless elsewhere). */
static const char *check_override_context(kv_cmd_parms_t *cmd)
{
    const kv_section_t *sec = kv_section_reading();

    if (!sec || sec->kind != KV_SEC_DIRECTORY || sec->re || kv_in_if_section(cmd)) {
        return apr_psprintf(cmd->pool,
                            "%s is only valid in a <Directory> section without "
                            "a regular expression (httpd ignores it elsewhere)",
                            cmd->cmd->name);
    }
    return NULL;
}

static const char *set_allow_override(kv_cmd_parms_t *cmd, void *conf, int argc,
                                      const char *const *argv)
{
    kv_core_dir_conf_t *d = conf;
    const char *err = check_override_context(cmd);

    return err ? err
               : kv_parse_allow_override(cmd->pool, argc, argv, &d->override, &d->override_opts);
}

static const char *set_allow_override_list(kv_cmd_parms_t *cmd, void *conf, int argc,
                                           const char *const *argv)
{
    kv_core_dir_conf_t *d = conf;
    const char *err = check_override_context(cmd);

    return err ? err : kv_parse_allow_override_list(cmd->pool, argc, argv, &d->override_list);
}

static const char *set_listen(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    kv_core_server_conf_t *sconf = conf;
    kv_listen_spec_t *spec;
    char *host, *scope;
    apr_port_t port;

    if (argc == 2 && strcasecmp(argv[1], "http") != 0) {
        return apr_psprintf(cmd->pool, "Listen: protocol '%s' is not supported (only http)",
                            argv[1]);
    }
    if (apr_parse_addr_port(&host, &scope, &port, argv[0], cmd->pool) != APR_SUCCESS) {
        return apr_psprintf(cmd->pool, "Listen: '%s' is not [address:]port", argv[0]);
    }
    if (host && strchr(host, ':') && argv[0][0] != '[') {
        return apr_psprintf(cmd->pool, "Listen: write the IPv6 address of '%s' in brackets, "
                            "e.g. [::1]:8080", argv[0]);
    }
    if (port == 0) {
        return apr_psprintf(cmd->pool, "Listen: '%s' has no port (1 to 65535)", argv[0]);
    }
    if (scope) {
        return apr_psprintf(cmd->pool, "Listen: scoped addresses like '%s' are not supported",
                            argv[0]);
    }
    for (int i = 0; i < sconf->listen_specs->nelts; i++) {
        const kv_listen_spec_t *o = &APR_ARRAY_IDX(sconf->listen_specs, i, kv_listen_spec_t);
        if (o->port == port && ((!o->addr && !host) || (o->addr && host && !strcmp(o->addr, host)))) {
            return apr_psprintf(cmd->pool, "Listen: %s is already configured", argv[0]);
        }
    }
    spec = apr_array_push(sconf->listen_specs);
    spec->addr = host;
    spec->port = port;
    spec->text = apr_pstrdup(cmd->pool, argv[0]);
    spec->protocol = argc == 2 ? "http" : port == 443 ? "https" : "http";
    return NULL;
}

/* httpd's filter names. On Linux every one but "none" means TCP_DEFER_ACCEPT; the FreeBSD
 * and Windows names are taken too, so that a config written there works here. */
static const char *const accept_filter_names[] = {"none", "data", "dataready", "httpready",
                                                  "connect"};

static const char *set_accept_filter(kv_cmd_parms_t *cmd, void *conf, int argc,
                                     const char *const *argv)
{
    kv_core_server_conf_t *sconf = conf;

    (void)argc;
    for (size_t i = 0; i < sizeof(accept_filter_names) / sizeof(accept_filter_names[0]); i++) {
        if (strcasecmp(argv[1], accept_filter_names[i]) == 0) {
            apr_table_set(sconf->accept_filters, apr_pstrdup(cmd->pool, argv[0]),
                          accept_filter_names[i]);
            return NULL;
        }
    }
    return apr_psprintf(cmd->pool, "AcceptFilter %s: unknown filter '%s' (use data, or none "
                        "to hand connections over at once; httpready, dataready and connect "
                        "mean data on Linux)", argv[0], argv[1]);
}

int kv_accept_filter_defers(const kv_core_server_conf_t *sconf, const char *protocol)
{
    const char *filter = apr_table_get(sconf->accept_filters, protocol);

    return !filter || strcmp(filter, "none") != 0;
}

static const char *set_listen_int(kv_cmd_parms_t *cmd, void *conf, int argc,
                                  const char *const *argv)
{
    kv_core_server_conf_t *sconf = conf;
    const char *name = cmd->cmd->name;

    (void)argc;
    if (strcasecmp(name, "ListenBacklog") == 0) {
        return set_server_int(cmd, 1, 65535, argv[0], &sconf->listen_backlog);
    }
    if (strcasecmp(name, "SendBufferSize") == 0) {
        return set_server_int(cmd, 0, 1 << 26, argv[0], &sconf->send_buffer_size);
    }
    return set_server_int(cmd, 0, 1 << 26, argv[0], &sconf->receive_buffer_size);
}

static const char *set_read_time_done(kv_cmd_parms_t *cmd, void *conf, int argc,
                                      const char *const *argv)
{
    /* ServerRoot, Define and UnDefine took effect while the file was read. */
    (void)cmd;
    (void)conf;
    (void)argc;
    (void)argv;
    return NULL;
}

static const char *start_ifmodule(kv_cmd_parms_t *cmd, void *conf, int argc,
                                  const char *const *argv)
{
    const char *name = argv[0];
    int negate = name[0] == '!';
    int loaded;

    (void)conf;
    (void)argc;
    if (negate) {
        name++;
    }
    if (!*name) {
        return "<IfModule> needs a module name, e.g. <IfModule mime_module>";
    }
    loaded = kv_find_module(name) != NULL;
    if (loaded == negate) {
        return NULL;
    }
    return kv_walk_section_contents(cmd);
}

static const kv_command_t core_commands[] = {
    {"ServerRoot", set_read_time_done, NULL, 1, 1, KV_CTX_MAIN, 0,
     "directory: the base of relative paths"},
    {"Define", set_read_time_done, NULL, 1, 2, KV_CTX_ALL, 0, "NAME [value]: define a variable"},
    {"UnDefine", set_read_time_done, NULL, 1, 1, KV_CTX_ALL, 0, "NAME: undefine a variable"},
    {"LoadModule", kv_cmd_load_module, NULL, 2, 2, KV_CTX_MAIN, 0,
     "NAME_module path/to/mod_NAME.so: load a module"},
    {"DefaultRuntimeDir", kv_cmd_default_runtime_dir, NULL, 1, 1, KV_CTX_MAIN, 0,
     "directory: where runtime files such as lock files go (default: logs)"},
    {"Mutex", kv_cmd_mutex, NULL, 1, -1, KV_CTX_MAIN, 0,
     "mechanism [default|mpm-accept] ... [OmitPID]: how (and for a file, where) mutexes lock"},
    {"Listen", set_listen, NULL, 1, 2, KV_CTX_MAIN, KV_CMD_SERVER_CONF,
     "[address:]port [http]: an address to accept connections on"},
    {"AcceptFilter", set_accept_filter, NULL, 2, 2, KV_CTX_MAIN, KV_CMD_SERVER_CONF,
     "protocol filter: data (the default) hands a connection over once the client has sent "
     "something; none at once"},
    {"ListenBacklog", set_listen_int, NULL, 1, 1, KV_CTX_MAIN, KV_CMD_SERVER_CONF,
     "N: length of the pending connections queue"},
    {"SendBufferSize", set_listen_int, NULL, 1, 1, KV_CTX_MAIN, KV_CMD_SERVER_CONF,
     "bytes: TCP send buffer size (0 = system default)"},
    {"ReceiveBufferSize", set_listen_int, NULL, 1, 1, KV_CTX_MAIN, KV_CMD_SERVER_CONF,
     "bytes: TCP receive buffer size (0 = system default)"},
    {"ServerName", set_server_name, NULL, 1, 1, KV_CTX_SERVER, 0,
     "[scheme://]host[:port]: the name the server uses for itself"},
    {"DocumentRoot", set_document_root, NULL, 1, 1, KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "directory: root of the document tree"},
    {"ErrorLog", set_error_log, NULL, 1, 1, KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "file: where errors are logged"},
    {"LogLevel", set_log_level, NULL, 1, -1, KV_CTX_SERVER, 0,
     "level [module:level]...: how much the error log says"},
    {"Timeout", set_server_time, SERVER_FIELD(timeout), 1, 1, KV_CTX_SERVER, 0,
     "seconds: how long to wait for a client to read or write"},
    {"KeepAlive", set_server_flag, SERVER_FIELD(keep_alive), 1, 1, KV_CTX_SERVER, 0,
     "On|Off: allow persistent connections"},
    {"KeepAliveTimeout", set_server_time, SERVER_FIELD(keep_alive_timeout), 1, 1, KV_CTX_SERVER, 0,
     "seconds: how long an idle persistent connection waits for a request"},
    {"MaxKeepAliveRequests", set_max_keepalive, NULL, 1, 1, KV_CTX_SERVER, 0,
     "N: requests per persistent connection (0 = unlimited)"},
    {"LimitRequestLine", set_limit, NULL, 1, 1, KV_CTX_SERVER, 0, "bytes: longest request line"},
    {"LimitRequestFieldSize", set_limit, NULL, 1, 1, KV_CTX_SERVER, 0,
     "bytes: longest request header field"},
    {"LimitRequestFields", set_limit, NULL, 1, 1, KV_CTX_SERVER, 0,
     "N: most request header fields (0 = unlimited)"},
    {"LimitRequestBody", set_limit_req_body, NULL, 1, 1, KV_CTX_ALL, 0,
     "bytes: largest request body (0 = unlimited)"},
    {"<IfModule", start_ifmodule, NULL, 1, 1, KV_CTX_ALL, 0,
     "[!]module_name> ... </IfModule>: only if the module is (not) loaded"},
    {"<IfFile", kv_cmd_if_condition, KV_IF_FILE, 1, 1, KV_CTX_ALL, 0,
     "[!]path> ... </IfFile>: only if the file exists (relative to ServerRoot)"},
    {"<IfDirective", kv_cmd_if_condition, KV_IF_DIRECTIVE, 1, 1, KV_CTX_ALL, 0,
     "[!]name> ... </IfDirective>: only if a loaded module has the directive"},
    {"<IfSection", kv_cmd_if_condition, KV_IF_SECTION, 1, 1, KV_CTX_ALL, 0,
     "[!]name> ... </IfSection>: only if a loaded module has the section <name>"},
    {"<Directory", kv_cmd_section, KV_SEC_INFO(KV_SEC_DIRECTORY, 0), 1, 2, KV_CTX_SERVER, 0,
     "directory> ... </Directory>: directives for a directory and everything below it"},
    {"<DirectoryMatch", kv_cmd_section, KV_SEC_INFO(KV_SEC_DIRECTORY, 1), 1, 1, KV_CTX_SERVER, 0,
     "regex> ... </DirectoryMatch>: directives for directories matching a regex"},
    {"<Files", kv_cmd_section, KV_SEC_INFO(KV_SEC_FILES, 0), 1, 2, KV_CTX_ALL, 0,
     "pattern> ... </Files>: directives for file names matching a wildcard"},
    {"<FilesMatch", kv_cmd_section, KV_SEC_INFO(KV_SEC_FILES, 1), 1, 1, KV_CTX_ALL, 0,
     "regex> ... </FilesMatch>: directives for file names matching a regex"},
    {"<Location", kv_cmd_section, KV_SEC_INFO(KV_SEC_LOCATION, 0), 1, 2, KV_CTX_SERVER, 0,
     "URL-path> ... </Location>: directives for a URL and everything below it"},
    {"<LocationMatch", kv_cmd_section, KV_SEC_INFO(KV_SEC_LOCATION, 1), 1, 1, KV_CTX_SERVER, 0,
     "regex> ... </LocationMatch>: directives for URLs matching a regex"},
    {"<Limit", kv_cmd_limit, NULL, 1, -1, KV_CTX_ALL, 0,
     "<Limit method...>: the access directives inside apply to these methods only"},
    {"<LimitExcept", kv_cmd_limit, "except", 1, -1, KV_CTX_ALL, 0,
     "<LimitExcept method...>: the access directives inside apply to all other methods"},
    {"HostnameLookups", set_hostname_lookups, NULL, 1, 1, KV_CTX_ALL, 0,
     "On|Off|Double: look up the client's host name (for %h, REMOTE_HOST); Double also checks "
     "that the name resolves back to the address"},
    {"<If", kv_cmd_if_section, (const void *)KV_IF_COND, 0, -1, KV_CTX_ALL, 0,
     "\"expression\"> ... </If>: directives for the requests the expression holds for"},
    {"<ElseIf", kv_cmd_if_section, (const void *)(KV_IF_COND | KV_IF_ELSE), 0, -1, KV_CTX_ALL, 0,
     "\"expression\"> ... </ElseIf>: as <If>, when the <If> or <ElseIf> before did not apply"},
    {"<Else", kv_cmd_if_section, (const void *)KV_IF_ELSE, 0, -1, KV_CTX_ALL, 0,
     "> ... </Else>: directives for when the <If> or <ElseIf> before did not apply"},
    {"Options", set_options, NULL, 1, -1, KV_CTX_ALL, 0,
     "[+|-]None|All|Indexes|Includes|IncludesNOEXEC|FollowSymLinks|SymLinksIfOwnerMatch|"
     "ExecCGI|MultiViews ...: "
     "features of a directory"},
    {"ErrorDocument", kv_cmd_error_document, NULL, 2, 2, KV_CTX_ALL, 0,
     "code text|/local/URL|http://URL|default: what to answer for an error status"},
    {"UseCanonicalName", set_use_canonical_name, NULL, 1, 1, KV_CTX_ALL, 0,
     "On|Off|DNS: self-referential URLs and SERVER_NAME from ServerName (On), the Host the "
     "client sent (Off) or the local address's DNS name"},
    {"UseCanonicalPhysicalPort", kv_set_flag_slot, DIR_FIELD(use_canonical_phys_port), 1, 1,
     KV_CTX_ALL, 0,
     "On|Off: the port the connection came in on may stand in self-referential URLs"},
    {"ServerAdmin", set_server_admin, NULL, 1, 1, KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "address: e-mail address (or URL) of the administrator, shown on error pages"},
    {"ServerTokens", set_server_tokens, NULL, 1, 1, KV_CTX_MAIN, KV_CMD_SERVER_CONF,
     "Prod|Major|Minor|Min|OS|Full: how much the Server field says of kiva"},
    {"ServerSignature", set_server_signature, NULL, 1, 1, KV_CTX_ALL, 0,
     "On|Off|EMail: a footer line naming the server on generated pages"},
    {"FileETag", set_file_etag, NULL, 1, -1, KV_CTX_ALL, 0,
     "[+|-]INode|MTime|Size|All|None ...: what a file's ETag is made of"},
    {"AddDefaultCharset", set_default_charset, NULL, 1, 1, KV_CTX_ALL, 0,
     "On|Off|charset: a charset for text/plain and text/html responses that name none"},
    {"EnableSendfile", kv_set_flag_slot, DIR_FIELD(enable_sendfile), 1, 1, KV_CTX_ALL, 0,
     "On|Off: send files with sendfile(2)"},
    {"EnableMMAP", kv_set_flag_slot, DIR_FIELD(enable_mmap), 1, 1, KV_CTX_ALL, 0,
     "On|Off: read files to be sent by mapping them into memory"},
    {"AccessFileName", set_access_file_name, NULL, 1, -1, KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "filename [filename] ...: names of per-directory config files (a request that finds one "
     "where AllowOverride allows something is refused: kiva does not read them yet)"},
    {"SetOutputFilter", kv_set_string_slot, KV_OFFSET(kv_core_dir_conf_t, output_filters), 1, 1,
     KV_CTX_ALL, 0, "filter[;filter]...: output filters for every response of the context"},
    {"AllowOverride", set_allow_override, NULL, 1, -1, KV_CTX_DIR, 0,
     "All|None|AuthConfig|FileInfo|Indexes|Limit|Options[=opt,...]|Nonfatal=Override|Unknown|"
     "All ...: what .htaccess files may set (kiva refuses requests that meet one)"},
    {"AllowOverrideList", set_allow_override_list, NULL, 1, -1, KV_CTX_DIR, 0,
     "None|directive ...: directives .htaccess files may set (kiva refuses requests that "
     "meet one)"},
    {"<VirtualHost", kv_cmd_virtualhost, NULL, 1, -1, KV_CTX_MAIN, 0,
     "addr[:port] [addr[:port]] ...> ... </VirtualHost>: a virtual host"},
    {"SetHandler", kv_cmd_set_forced, KV_OFFSET(kv_core_dir_conf_t, handler), 1, 1, KV_CTX_ALL, 0,
     "handler-name|None: the handler for every request in this context"},
    {"ForceType", kv_cmd_set_forced, KV_OFFSET(kv_core_dir_conf_t, forced_type), 1, 1, KV_CTX_ALL,
     0, "media-type|None: the Content-Type of every file in this context"},
    {"ServerAlias", kv_cmd_server_alias, NULL, 1, -1, KV_CTX_VHOST, KV_CMD_SERVER_CONF,
     "name [name] ...: more names of a virtual host (wildcards allowed)"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

static void register_core_hooks(apr_pool_t *p)
{
    (void)p;
    kv_hook_translate_name(kv_core_translate, NULL, NULL, KV_HOOK_REALLY_LAST);
    kv_hook_map_to_storage(kv_core_map_to_storage, NULL, NULL, KV_HOOK_REALLY_LAST);
    kv_hook_fixups(kv_core_override_type, NULL, NULL, KV_HOOK_REALLY_FIRST);
    kv_hook_fixups(kv_core_insert_filters, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_handler(kv_default_handler, NULL, NULL, KV_HOOK_REALLY_LAST);
}

kv_module_t core_module = {
    KV_MODULE_HEADER("core"),
    .create_dir_config = create_core_dir_config,
    .merge_dir_config = merge_core_dir_config,
    .create_server_config = create_core_server_config,
    .merge_server_config = merge_core_server_config,
    .commands = core_commands,
    .register_hooks = register_core_hooks,
};

const char *kv_core_finish_config(apr_pool_t *pconf, kv_server_t *s)
{
    kv_core_server_conf_t *sconf = kv_core_sconf(s);

    if (!sconf->document_root) {
        sconf->document_root = kv_server_root_relative(pconf, "htdocs");
    }
    if (!sconf->error_log) {
        sconf->error_log = kv_server_root_relative(pconf, "logs/error_log");
    }
    if (sconf->listen_backlog == KV_UNSET_INT) {
        sconf->listen_backlog = KV_DEFAULT_LISTEN_BACKLOG;
    }
    if (!s->server_hostname) {
        char name[APRMAXHOSTLEN + 1];
        s->server_hostname = apr_gethostname(name, sizeof(name), pconf) == APR_SUCCESS
                                 ? apr_pstrdup(pconf, name)
                                 : "localhost";
    }
    sconf->banner = kv_build_banner(pconf, sconf->server_tokens);
    kv_sections_finish(pconf, &sconf->sections);
    kv_vhosts_finish(pconf, s);
    if (sconf->listen_specs->nelts == 0) {
        return "no Listen directive: kiva needs at least one address to listen on "
               "(e.g. Listen 8080)";
    }
    return NULL;
}
