/* mod_userdir's pure part: the UserDir lines, and mapping /~user URLs to a user's directory
 * or to a redirect as httpd's translate_userdir does. */
#include <string.h>

#include <apr_strings.h>

#include "userdir_map.h"

const char *userdir_configure(apr_pool_t *p, userdir_conf_t *conf, int argc,
                              const char *const *argv)
{
    int disable = strcasecmp(argv[0], "disabled") == 0 || strcasecmp(argv[0], "disable") == 0;
    int enable = strcasecmp(argv[0], "enabled") == 0 || strcasecmp(argv[0], "enable") == 0;

    if (!disable && !enable) {
        conf->dirs = apr_array_make(p, argc, sizeof(const char *));
        for (int i = 0; i < argc; i++) {
            APR_ARRAY_PUSH(conf->dirs, const char *) = apr_pstrdup(p, argv[i]);
        }
        return NULL;
    }
    if (argc == 1) {
        conf->globally = disable ? USERDIR_DISABLED : USERDIR_ENABLED;
        return NULL;
    }
    for (int i = 1; i < argc; i++) {
        apr_table_setn(disable ? conf->disabled : conf->enabled, apr_pstrdup(p, argv[i]), "1");
    }
    return NULL;
}

/* One UserDir entry for @a user: the directory (with *redirect 0) or the URL prefix (with
 * *redirect 1) that the rest of the URL is appended to; NULL if the user has no home. */
static const char *entry_target(apr_pool_t *p, const char *entry, const char *user,
                                userdir_home_fn home, int *redirect)
{
    const char *star = strchr(entry, '*');
    const char *prefix = star ? apr_pstrndup(p, entry, (apr_size_t)(star - entry)) : NULL;
    const char *after = star ? star + 1 : entry;
    int absolute = entry[0] == '/';
    const char *h;

    *redirect = 0;
    if (prefix && strchr(prefix, ':') && !absolute) {
        /* A URL: what follows the star is dropped, as httpd's code does (its manual shows
         * it kept). */
        *redirect = 1;
        return apr_pstrcat(p, prefix, user, NULL);
    }
    if (prefix && (after[0] == '\0' || absolute)) {
        return apr_pstrcat(p, prefix, user, after, NULL);
    }
    if (absolute) {
        return apr_pstrcat(p, entry, "/", user, NULL);
    }
    h = home(p, user);
    return h ? apr_pstrcat(p, h, "/", after, NULL) : NULL;
}

userdir_result_t userdir_map(apr_pool_t *p, const userdir_conf_t *conf, const char *uri,
                             userdir_home_fn home, userdir_exists_fn exists, const char **out,
                             const char **user)
{
    const char *rest;
    const char *name;

    if (uri[0] != '/' || uri[1] != '~' || !conf->dirs) {
        return USERDIR_DECLINED;
    }
    rest = uri + 2 + strcspn(uri + 2, "/");
    name = apr_pstrndup(p, uri + 2, (apr_size_t)(rest - uri - 2));
    if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
        apr_table_get(conf->disabled, name) ||
        (conf->globally == USERDIR_DISABLED && !apr_table_get(conf->enabled, name))) {
        return USERDIR_DECLINED;
    }
    for (int i = 0; i < conf->dirs->nelts; i++) {
        int redirect, last = i == conf->dirs->nelts - 1;
        const char *target =
            entry_target(p, APR_ARRAY_IDX(conf->dirs, i, const char *), name, home, &redirect);
        if (target && redirect) {
            *out = apr_pstrcat(p, target, rest, NULL);
            *user = name;
            return USERDIR_REDIRECT;
        }
        if (target && (last || exists(p, apr_pstrcat(p, target, rest, NULL)))) {
            *out = apr_pstrcat(p, target, rest, NULL);
            *user = name;
            return USERDIR_FILE;
        }
    }
    return USERDIR_DECLINED;
}
