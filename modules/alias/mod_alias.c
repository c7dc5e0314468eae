/* mod_alias: maps URL-paths to places outside DocumentRoot (Alias, AliasMatch, ScriptAlias,
 * ScriptAliasMatch) and answers with redirects (Redirect, RedirectMatch, RedirectPermanent,
 * RedirectTemp), with httpd 2.4's rules: every Redirect is tried before any Alias, and within
 * each list the first match in config order wins. A URL-path matches whole segments. */
#include <string.h>

#include <apr_escape.h>
#include <apr_strings.h>

#include "alias_util.h"
#include "kiva.h"

#define KV_LOG_MODULE "alias"
#define CGI_HANDLER "cgi-script"

extern kv_module_t alias_module;

/* One Alias or Redirect, as configured. */
typedef struct {
    const char *fake;      /* URL-path, or the regex's text */
    kv_regex_t *regex;     /* the Match forms, else NULL */
    const char *real;      /* file path, URL or template; NULL for a status without URL */
    apr_size_t anchor_len; /* AliasMatch: the template's literal leading directory */
    int status;            /* Redirect: the status; 0 for an Alias */
    const char *handler;   /* ScriptAlias: the handler that must run the file */
} alias_entry_t;

typedef struct {
    apr_array_header_t *aliases;   /* alias_entry_t, config order */
    apr_array_header_t *redirects; /* alias_entry_t, config order */
} alias_server_conf_t;

/* Redirects written inside <Directory>, <Location> or <Files>, checked in fixups. */
typedef struct {
    apr_array_header_t *redirects; /* alias_entry_t, config order */
} alias_dir_conf_t;

/* What a directive adds: its info in the command table. */
typedef struct {
    int regex;           /* the Match form */
    const char *handler; /* ScriptAlias */
    int status;          /* fixed status (RedirectPermanent, RedirectTemp); 0 = from args */
} alias_kind_t;

static const alias_kind_t kind_alias = {0, NULL, 0};
static const alias_kind_t kind_alias_match = {1, NULL, 0};
static const alias_kind_t kind_script = {0, CGI_HANDLER, 0};
static const alias_kind_t kind_script_match = {1, CGI_HANDLER, 0};
static const alias_kind_t kind_redirect = {0, NULL, 0};
static const alias_kind_t kind_redirect_match = {1, NULL, 0};
static const alias_kind_t kind_permanent = {0, NULL, 301};
static const alias_kind_t kind_temp = {0, NULL, 302};

static void *create_server_conf(apr_pool_t *p, kv_server_t *s)
{
    alias_server_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    (void)s;
    conf->aliases = apr_array_make(p, 4, sizeof(alias_entry_t));
    conf->redirects = apr_array_make(p, 4, sizeof(alias_entry_t));
    return conf;
}

/* A virtual host's own entries come first, then the main server's. */
static void *merge_server_conf(apr_pool_t *p, void *basev, void *addv)
{
    alias_server_conf_t *base = basev, *add = addv;
    alias_server_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    conf->aliases = apr_array_append(p, add->aliases, base->aliases);
    conf->redirects = apr_array_append(p, add->redirects, base->redirects);
    return conf;
}

static void *create_dir_conf(apr_pool_t *p, const char *dir)
{
    alias_dir_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    (void)dir;
    conf->redirects = apr_array_make(p, 2, sizeof(alias_entry_t));
    return conf;
}

/* The more specific section's redirects are tried first, as httpd does. */
static void *merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    alias_dir_conf_t *base = basev, *add = addv;
    alias_dir_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    conf->redirects = apr_array_append(p, add->redirects, base->redirects);
    return conf;
}

static alias_server_conf_t *server_conf(kv_server_t *s)
{
    return kv_get_module_config(s->module_config, &alias_module);
}

/* The one-argument forms name their URL-path by the enclosing <Location>. */
static const char *location_form_refused(kv_cmd_parms_t *cmd)
{
    return apr_psprintf(cmd->pool,
                        "%s with one argument (the URL-path taken from <Location>) is not "
                        "supported yet; give the URL-path too",
                        cmd->cmd->name);
}

/* The URL-path or regex an entry matches. */
static const char *set_match(kv_cmd_parms_t *cmd, alias_entry_t *e, int regex, const char *arg)
{
    const char *err;

    e->fake = apr_pstrdup(cmd->pool, arg);
    if (!regex) {
        return arg[0] == '/' ? NULL
                             : apr_psprintf(cmd->pool, "%s: URL-path '%s' must start with '/'",
                                            cmd->cmd->name, arg);
    }
    e->regex = kv_regex_compile(cmd->pool, arg, 0, &err);
    return e->regex ? NULL
                    : apr_psprintf(cmd->pool, "%s: bad regular expression '%s': %s", cmd->cmd->name,
                                   arg, err);
}

static const char *add_alias(kv_cmd_parms_t *cmd, void *dconf, int argc, const char *const *argv)
{
    const alias_kind_t *kind = cmd->info;
    alias_entry_t e = {0};
    const char *err;

    (void)dconf;
    if (argc == 1) {
        return location_form_refused(cmd);
    }
    if ((err = set_match(cmd, &e, kind->regex, argv[0])) != NULL) {
        return err;
    }
    /* A template that starts with a group names its whole path from the request. */
    e.real = kind->regex && argv[1][0] == '$' ? apr_pstrdup(cmd->pool, argv[1])
                                              : kv_server_root_relative(cmd->pool, argv[1]);
    e.anchor_len = alias_literal_dir_len(e.real);
    e.handler = kind->handler;
    APR_ARRAY_PUSH(server_conf(cmd->server)->aliases, alias_entry_t) = e;
    return NULL;
}

/* Can a Redirect's URL be sent as given (absolute, or a path on this server)? A RedirectMatch
 * template starting with a group is checked once substituted. */
static int is_redirect_target(const char *url, int regex)
{
    return alias_is_url(url) || url[0] == '/' || (regex && url[0] == '$');
}

/* The status and, after it, the URL-path and URL: [status] URL-path [URL]. */
static const char *parse_redirect_args(kv_cmd_parms_t *cmd, int argc, const char *const *argv,
                                       int *status, const char *const **rest, int *nrest)
{
    const alias_kind_t *kind = cmd->info;
    int word = kind->status ? 0 : alias_redirect_status(argv[0]);

    if (word < 0) {
        return apr_psprintf(cmd->pool,
                            "%s: invalid status '%s': use permanent, temp, seeother, gone, a "
                            "number from 300 to 399, or an error status",
                            cmd->cmd->name, argv[0]);
    }
    if (word == 0 && argc == 3) {
        return apr_psprintf(cmd->pool,
                            "%s: '%s' is not a status (permanent, temp, seeother, gone or a "
                            "number)",
                            cmd->cmd->name, argv[0]);
    }
    *status = word ? word : kind->status ? kind->status : KV_HTTP_MOVED_TEMPORARILY;
    *rest = argv + (word ? 1 : 0);
    *nrest = argc - (word ? 1 : 0);
    return NULL;
}

static const char *check_redirect_url(kv_cmd_parms_t *cmd, int status, const char *url)
{
    const alias_kind_t *kind = cmd->info;

    if (alias_status_is_redirect(status) && !url) {
        return apr_psprintf(cmd->pool, "%s: URL to redirect to is missing", cmd->cmd->name);
    }
    if (!alias_status_is_redirect(status) && url) {
        return apr_psprintf(cmd->pool, "%s: a URL is not valid with status %d", cmd->cmd->name,
                            status);
    }
    if (url && !is_redirect_target(url, kind->regex)) {
        return apr_psprintf(cmd->pool,
                            "%s: '%s' is not a URL: give an absolute URL or a path starting "
                            "with '/'",
                            cmd->cmd->name, url);
    }
    return NULL;
}

static const char *add_redirect(kv_cmd_parms_t *cmd, void *dconf, int argc, const char *const *argv)
{
    const alias_kind_t *kind = cmd->info;
    alias_entry_t e = {0};
    const char *const *rest = argv;
    int nrest = argc;
    const char *err;

    if ((err = parse_redirect_args(cmd, argc, argv, &e.status, &rest, &nrest)) != NULL) {
        return err;
    }
    if (nrest == 0 || (nrest == 1 && !kind->regex && rest == argv)) {
        return location_form_refused(cmd);
    }
    if ((err = check_redirect_url(cmd, e.status, nrest > 1 ? rest[1] : NULL)) != NULL) {
        return err;
    }
    if ((err = set_match(cmd, &e, kind->regex, rest[0])) != NULL) {
        return err;
    }
    e.real = nrest > 1 ? apr_pstrdup(cmd->pool, rest[1]) : NULL;
    if (cmd->path) {
        APR_ARRAY_PUSH(((alias_dir_conf_t *)dconf)->redirects, alias_entry_t) = e;
    } else {
        APR_ARRAY_PUSH(server_conf(cmd->server)->redirects, alias_entry_t) = e;
    }
    return NULL;
}

/* Does the entry match r->uri? Sets *len (prefix forms) or *m (regex forms). */
static int entry_matches(kv_request_t *r, const alias_entry_t *e, apr_size_t *len, kv_regmatch_t *m)
{
    if (e->regex) {
        return kv_regex_match(r->pool, e->regex, r->uri, m);
    }
    *len = alias_match_len(r->uri, e->fake);
    return *len > 0;
}

/* A substituted URL with its path escaped; the query and fragment stay as written. */
static const char *escape_url_path(apr_pool_t *p, const char *url)
{
    apr_size_t path_len = strcspn(url, "?#");

    return apr_pstrcat(p, apr_pescape_path(p, apr_pstrmemdup(p, url, path_len), 1), url + path_len,
                       NULL);
}

/* The Location for a matched redirect: the URL, the rest of the path escaped after a prefix
 * match, the request's query unless the URL has its own, made absolute. NULL if a
 * RedirectMatch substitution is no URL. */
static const char *redirect_location(kv_request_t *r, const alias_entry_t *e, apr_size_t len,
                                     const kv_regmatch_t *m)
{
    const char *url;

    if (e->regex) {
        url = escape_url_path(r->pool, kv_regex_substitute(r->pool, e->real, r->uri, m));
    } else {
        url = apr_pstrcat(r->pool, e->real, apr_pescape_path(r->pool, r->uri + len, 1), NULL);
    }
    if (!alias_is_url(url) && url[0] != '/') {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV00600: RedirectMatch %s made '%s' of %s, which is not a URL", e->fake, url,
                      r->uri);
        return NULL;
    }
    if (r->args && !strchr(url, '?')) {
        url = apr_pstrcat(r->pool, url, "?", r->args, NULL);
    }
    return url[0] == '/' ? kv_construct_url(r->pool, url, r) : url;
}

/* The first redirect that matches answers the request. */
static int try_redirects(kv_request_t *r, const apr_array_header_t *list)
{
    for (int i = 0; i < list->nelts; i++) {
        const alias_entry_t *e = &APR_ARRAY_IDX(list, i, alias_entry_t);
        kv_regmatch_t m;
        apr_size_t len = 0;
        const char *location;

        if (!entry_matches(r, e, &len, &m)) {
            continue;
        }
        if (!e->real) {
            return e->status;
        }
        if ((location = redirect_location(r, e, len, &m)) == NULL) {
            return KV_HTTP_INTERNAL_SERVER_ERROR;
        }
        apr_table_setn(r->err_headers_out, "Location", location);
        return e->status;
    }
    return KV_DECLINED;
}

/* The file an alias maps r->uri to, never above the alias's target directory; NULL if the
 * request would climb out of it. */
static const char *alias_filename(kv_request_t *r, const alias_entry_t *e, apr_size_t len,
                                  const kv_regmatch_t *m)
{
    const char *path;

    if (!e->regex) {
        return alias_join(r->pool, e->real, r->uri + len);
    }
    path = kv_regex_substitute(r->pool, e->real, r->uri, m);
    if (e->anchor_len == 0) {
        return path[0] == '/' ? alias_join(r->pool, "/", path) : NULL;
    }
    return alias_join(r->pool, apr_pstrmemdup(r->pool, e->real, e->anchor_len),
                      path + e->anchor_len);
}

/* The first alias that matches gives the file name. */
static int try_aliases(kv_request_t *r, const apr_array_header_t *list)
{
    for (int i = 0; i < list->nelts; i++) {
        const alias_entry_t *e = &APR_ARRAY_IDX(list, i, alias_entry_t);
        kv_regmatch_t m;
        apr_size_t len = 0;

        if (!entry_matches(r, e, &len, &m)) {
            continue;
        }
        if ((r->filename = alias_filename(r, e, len, &m)) == NULL) {
            kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                          "KV00601: %s maps %s outside its target %s; refused", e->fake, r->uri,
                          e->real);
            return KV_HTTP_FORBIDDEN;
        }
        if (e->handler) {
            r->handler = e->handler;
            apr_table_setn(r->notes, "alias-forced-type", e->handler);
        }
        return KV_OK;
    }
    return KV_DECLINED;
}

static int alias_translate(kv_request_t *r)
{
    const alias_server_conf_t *conf = server_conf(r->server);
    int rv;

    if (!r->uri || r->uri[0] != '/') {
        return KV_DECLINED;
    }
    if ((rv = try_redirects(r, conf->redirects)) != KV_DECLINED) {
        return rv;
    }
    return try_aliases(r, conf->aliases);
}

/* Redirects of the sections that apply, once the request is mapped. */
static int alias_fixups(kv_request_t *r)
{
    const alias_dir_conf_t *conf = kv_get_module_config(r->per_dir_config, &alias_module);

    if (!r->uri || r->uri[0] != '/' || conf->redirects->nelts == 0) {
        return KV_DECLINED;
    }
    return try_redirects(r, conf->redirects);
}

/* A ScriptAlias target that no handler ran (mod_cgi not loaded) is refused, so a script's
 * source is never sent as a file. */
static int alias_unhandled_script(kv_request_t *r)
{
    if (!r->handler || strcmp(r->handler, CGI_HANDLER) != 0) {
        return KV_DECLINED;
    }
    kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                  "KV00602: %s is a CGI script (ScriptAlias) but no module handles "
                  "cgi-script; load mod_cgi to run it",
                  r->filename);
    return KV_HTTP_FORBIDDEN;
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    kv_hook_translate_name(alias_translate, NULL, NULL, KV_HOOK_FIRST);
    kv_hook_fixups(alias_fixups, NULL, NULL, KV_HOOK_FIRST);
    /* After every real handler, just before the core's file handler. */
    kv_hook_handler(alias_unhandled_script, NULL, NULL, KV_HOOK_REALLY_LAST - 1);
}

static const kv_command_t alias_commands[] = {
    {"Alias", add_alias, &kind_alias, 1, 2, KV_CTX_SERVER, 0,
     "URL-path file-path|directory-path: serve a URL-path from a place outside DocumentRoot"},
    {"AliasMatch", add_alias, &kind_alias_match, 2, 2, KV_CTX_SERVER, 0,
     "regex file-path: as Alias, for URLs matching a regex; $1..$9 in the path"},
    {"ScriptAlias", add_alias, &kind_script, 1, 2, KV_CTX_SERVER, 0,
     "URL-path file-path|directory-path: as Alias, the files are CGI scripts (needs mod_cgi)"},
    {"ScriptAliasMatch", add_alias, &kind_script_match, 2, 2, KV_CTX_SERVER, 0,
     "regex file-path: as AliasMatch, the files are CGI scripts (needs mod_cgi)"},
    {"Redirect", add_redirect, &kind_redirect, 1, 3, KV_CTX_ALL, 0,
     "[status] URL-path [URL]: redirect URLs under URL-path to URL (default 302)"},
    {"RedirectMatch", add_redirect, &kind_redirect_match, 2, 3, KV_CTX_ALL, 0,
     "[status] regex [URL]: redirect URLs matching a regex; $1..$9 in the URL"},
    {"RedirectPermanent", add_redirect, &kind_permanent, 1, 2, KV_CTX_ALL, 0,
     "URL-path URL: a permanent (301) Redirect"},
    {"RedirectTemp", add_redirect, &kind_temp, 1, 2, KV_CTX_ALL, 0,
     "URL-path URL: a temporary (302) Redirect"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t alias_module = {
    KV_MODULE_HEADER("alias"),
    .create_dir_config = create_dir_conf,
    .merge_dir_config = merge_dir_conf,
    .create_server_config = create_server_conf,
    .merge_server_config = merge_server_conf,
    .commands = alias_commands,
    .register_hooks = register_hooks,
};
