/* Options, AllowOverride and AllowOverrideList: what a directory allows, and what its
 * .htaccess files may change. */
#include <string.h>

#include <apr_strings.h>

#include "core.h"
#include "core_directives.h"
#include "httpd_directives.h"
#include "if_sections.h"
#include "sections.h"

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

const char *kv_cmd_options(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
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
    const kv_section_t *sec = cmd->section;

    if (!sec || sec->kind != KV_SEC_DIRECTORY || sec->re || kv_in_if_section(cmd)) {
        return apr_psprintf(cmd->pool,
                            "%s is only valid in a <Directory> section without "
                            "a regular expression (httpd ignores it elsewhere)",
                            cmd->cmd->name);
    }
    return NULL;
}

const char *kv_cmd_allow_override(kv_cmd_parms_t *cmd, void *conf, int argc,
                                  const char *const *argv)
{
    kv_core_dir_conf_t *d = conf;
    const char *err = check_override_context(cmd);

    return err ? err
               : kv_parse_allow_override(cmd->pool, argc, argv, &d->override, &d->override_opts);
}

const char *kv_cmd_allow_override_list(kv_cmd_parms_t *cmd, void *conf, int argc,
                                       const char *const *argv)
{
    kv_core_dir_conf_t *d = conf;
    const char *err = check_override_context(cmd);

    return err ? err : kv_parse_allow_override_list(cmd->pool, argc, argv, &d->override_list);
}
