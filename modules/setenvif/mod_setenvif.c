/* mod_setenvif: SetEnvIf, SetEnvIfNoCase, BrowserMatch and BrowserMatchNoCase, as httpd 2.4.
 * Each directive tests one attribute of the request against a regex and, on a match, sets
 * or unsets variables of r->subprocess_env; a value may use $0..$9 of the match. Runs in
 * post_read_request with the server's settings (there are no per-directory sections yet). */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "kiva.h"

extern kv_module_t setenvif_module;

/* What a directive tests. */
typedef enum {
    ATTR_HEADER,       /* a request field, else a variable set by an earlier SetEnvIf */
    ATTR_HEADER_REGEX, /* the last request field whose name matches a regex */
    ATTR_REMOTE_HOST,  /* no DNS lookups: the client's address, as httpd without them */
    ATTR_REMOTE_ADDR,
    ATTR_SERVER_ADDR,
    ATTR_REQUEST_METHOD,
    ATTR_REQUEST_PROTOCOL,
    ATTR_REQUEST_URI
} attr_kind_t;

static const struct {
    const char *name;
    attr_kind_t kind;
} special_attrs[] = {
    {"Remote_Host", ATTR_REMOTE_HOST},           {"Remote_Addr", ATTR_REMOTE_ADDR},
    {"Server_Addr", ATTR_SERVER_ADDR},           {"Request_Method", ATTR_REQUEST_METHOD},
    {"Request_Protocol", ATTR_REQUEST_PROTOCOL}, {"Request_URI", ATTR_REQUEST_URI},
};

/* One variable to set (value) or unset (value NULL) on a match. */
typedef struct {
    const char *name;
    const char *value;
} env_change_t;

typedef struct {
    attr_kind_t kind;
    const char *name;            /* ATTR_HEADER: the field or variable name */
    kv_regex_t *name_regex;      /* ATTR_HEADER_REGEX */
    kv_regex_t *regex;           /* what the attribute's value must match */
    apr_array_header_t *changes; /* env_change_t */
} setenvif_rule_t;

typedef struct {
    apr_array_header_t *rules; /* setenvif_rule_t, in configuration order */
} setenvif_conf_t;

static void *create_dir_conf(apr_pool_t *p, const char *dir)
{
    setenvif_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    (void)dir;
    conf->rules = apr_array_make(p, 2, sizeof(setenvif_rule_t));
    return conf;
}

static void *merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    setenvif_conf_t *base = basev, *add = addv;
    setenvif_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    conf->rules = apr_array_append(p, base->rules, add->rules);
    return conf;
}

/* httpd's test: a name of anything but letters, digits, '-' and '_' is a regex. */
static int is_name_regex(const char *name)
{
    for (const char *c = name; *c; c++) {
        if (!apr_isalnum(*c) && *c != '-' && *c != '_') {
            return 1;
        }
    }
    return 0;
}

static const char *parse_attribute(kv_cmd_parms_t *cmd, const char *attr, setenvif_rule_t *rule)
{
    const char *err = NULL;

    for (size_t i = 0; i < sizeof(special_attrs) / sizeof(special_attrs[0]); i++) {
        if (strcasecmp(attr, special_attrs[i].name) == 0) {
            rule->kind = special_attrs[i].kind;
            return NULL;
        }
    }
    rule->name = apr_pstrdup(cmd->pool, attr);
    if (!is_name_regex(attr)) {
        rule->kind = ATTR_HEADER;
        return NULL;
    }
    /* Field names are case-insensitive, so their regex is too. */
    rule->kind = ATTR_HEADER_REGEX;
    rule->name_regex = kv_regex_compile(cmd->pool, attr, KV_REGEX_ICASE, &err);
    return rule->name_regex ? NULL : apr_psprintf(cmd->pool, "%s: %s", cmd->cmd->name, err);
}

/* "[!]NAME[=value]": unset NAME, or set it to value (default "1"). */
static const char *parse_change(kv_cmd_parms_t *cmd, const char *word, env_change_t *change)
{
    const char *eq = strchr(word, '=');
    int unset = word[0] == '!';
    const char *name = word + unset;

    if (unset && eq) {
        return apr_psprintf(cmd->pool, "%s: '%s' unsets a variable, it takes no value",
                            cmd->cmd->name, word);
    }
    change->name =
        eq ? apr_pstrndup(cmd->pool, name, (apr_size_t)(eq - name)) : apr_pstrdup(cmd->pool, name);
    if (!*change->name) {
        return apr_psprintf(cmd->pool, "%s: '%s' names no variable", cmd->cmd->name, word);
    }
    change->value = unset ? NULL : eq ? apr_pstrdup(cmd->pool, eq + 1) : "1";
    return NULL;
}

/* A rule from: attribute, regex, then the variables to change. */
static const char *add_rule(kv_cmd_parms_t *cmd, setenvif_conf_t *conf, const char *attr,
                            const char *pattern, int nchanges, const char *const *changes)
{
    setenvif_rule_t rule = {0};
    int flags = cmd->info ? KV_REGEX_ICASE : 0;
    const char *err = NULL;

    if ((err = parse_attribute(cmd, attr, &rule)) != NULL) {
        return err;
    }
    rule.regex = kv_regex_compile(cmd->pool, pattern, flags, &err);
    if (!rule.regex) {
        return apr_psprintf(cmd->pool, "%s: %s", cmd->cmd->name, err);
    }
    rule.changes = apr_array_make(cmd->pool, nchanges, sizeof(env_change_t));
    for (int i = 0; i < nchanges; i++) {
        if ((err = parse_change(cmd, changes[i], apr_array_push(rule.changes))) != NULL) {
            return err;
        }
    }
    *(setenvif_rule_t *)apr_array_push(conf->rules) = rule;
    return NULL;
}

static const char *set_env_if(kv_cmd_parms_t *cmd, void *mconfig, int argc, const char *const *argv)
{
    return add_rule(cmd, mconfig, argv[0], argv[1], argc - 2, argv + 2);
}

static const char *browser_match(kv_cmd_parms_t *cmd, void *mconfig, int argc,
                                 const char *const *argv)
{
    return add_rule(cmd, mconfig, "User-Agent", argv[0], argc - 1, argv + 1);
}

typedef struct {
    kv_request_t *r;
    const kv_regex_t *names;
    const char *value;
} name_match_t;

static int remember_if_named(void *data, const char *key, const char *value)
{
    name_match_t *nm = data;

    if (kv_regex_match(nm->r->pool, nm->names, key, NULL)) {
        nm->value = value;
    }
    return 1;
}

static const char *header_value(kv_request_t *r, const setenvif_rule_t *rule)
{
    const char *v = apr_table_get(r->headers_in, rule->name);

    return v ? v : apr_table_get(r->subprocess_env, rule->name);
}

/* The attribute's value; an absent one is "" so that "^$" can test for it (as httpd). */
static const char *attribute_value(kv_request_t *r, const setenvif_rule_t *rule)
{
    name_match_t nm = {r, rule->name_regex, NULL};
    const char *v = NULL;

    switch (rule->kind) {
    case ATTR_HEADER:
        v = header_value(r, rule);
        break;
    case ATTR_HEADER_REGEX:
        apr_table_do(remember_if_named, &nm, r->headers_in, NULL);
        v = nm.value;
        break;
    case ATTR_REMOTE_HOST:
    case ATTR_REMOTE_ADDR:
        v = r->useragent_ip;
        break;
    case ATTR_SERVER_ADDR:
        v = r->connection->local_ip;
        break;
    case ATTR_REQUEST_METHOD:
        v = r->method;
        break;
    case ATTR_REQUEST_PROTOCOL:
        v = r->protocol;
        break;
    case ATTR_REQUEST_URI:
        v = r->uri;
        break;
    }
    return v ? v : "";
}

static void apply_changes(kv_request_t *r, const setenvif_rule_t *rule, const char *subject,
                          const kv_regmatch_t *m)
{
    const env_change_t *c = (const env_change_t *)rule->changes->elts;

    for (int i = 0; i < rule->changes->nelts; i++) {
        if (!c[i].value) {
            apr_table_unset(r->subprocess_env, c[i].name);
        } else if (strchr(c[i].value, '$')) {
            apr_table_set(r->subprocess_env, c[i].name,
                          kv_regex_substitute(r->pool, c[i].value, subject, m));
        } else {
            apr_table_set(r->subprocess_env, c[i].name, c[i].value);
        }
    }
}

/* Apply the rules of @a conf from the @a from'th on. */
static void run_rules(kv_request_t *r, const setenvif_conf_t *conf, int from)
{
    const setenvif_rule_t *rule = (const setenvif_rule_t *)conf->rules->elts;

    for (int i = from; i < conf->rules->nelts; i++) {
        const char *subject = attribute_value(r, &rule[i]);
        kv_regmatch_t m;
        if (kv_regex_match(r->pool, rule[i].regex, subject, &m)) {
            apply_changes(r, &rule[i], subject, &m);
        }
    }
}

static const setenvif_conf_t *server_rules(const kv_request_t *r)
{
    return kv_get_module_config(r->server->lookup_defaults, &setenvif_module);
}

/* Rules outside any section run as soon as the request is read. */
static int setenvif_post_read_request(kv_request_t *r)
{
    run_rules(r, server_rules(r), 0);
    return KV_DECLINED;
}

/* Rules of the sections that apply run once the request is mapped (httpd's
 * header_parser); the merged list starts with the server's rules, which already ran. */
static int setenvif_fixups(kv_request_t *r)
{
    run_rules(r, kv_get_module_config(r->per_dir_config, &setenvif_module),
              server_rules(r)->rules->nelts);
    return KV_DECLINED;
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    kv_hook_post_read_request(setenvif_post_read_request, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_fixups(setenvif_fixups, NULL, NULL, KV_HOOK_FIRST);
}

/* A non-NULL info makes the value regex case-insensitive. */
static const char nocase = 1;

static const kv_command_t setenvif_commands[] = {
    {"SetEnvIf", set_env_if, NULL, 3, -1, KV_CTX_ALL, 0,
     "attribute regex [!]env[=value] ...: set variables when a request attribute matches"},
    {"SetEnvIfNoCase", set_env_if, &nocase, 3, -1, KV_CTX_ALL, 0,
     "attribute regex [!]env[=value] ...: as SetEnvIf, the regex ignoring case"},
    {"BrowserMatch", browser_match, NULL, 2, -1, KV_CTX_ALL, 0,
     "regex [!]env[=value] ...: set variables when the User-Agent matches"},
    {"BrowserMatchNoCase", browser_match, &nocase, 2, -1, KV_CTX_ALL, 0,
     "regex [!]env[=value] ...: as BrowserMatch, the regex ignoring case"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t setenvif_module = {
    KV_MODULE_HEADER("setenvif"),
    .create_dir_config = create_dir_conf,
    .merge_dir_config = merge_dir_conf,
    .commands = setenvif_commands,
    .register_hooks = register_hooks,
};
