/* mod_userdir's configuration and its pure part: mapping /~user URLs, as httpd's. */
#ifndef KV_USERDIR_MAP_H
#define KV_USERDIR_MAP_H

#include <apr_pools.h>
#include <apr_tables.h>

/** UserDir enabled/disabled without names. */
enum { USERDIR_UNSET = 0, USERDIR_ENABLED, USERDIR_DISABLED };

/** One server's UserDir lines. */
typedef struct {
    int globally;             /**< USERDIR_*: `UserDir disabled` (all), `enabled` */
    apr_array_header_t *dirs; /**< const char *, the last path line's; NULL if none */
    apr_table_t *enabled;     /**< users of `UserDir enabled name...` */
    apr_table_t *disabled;    /**< users of `UserDir disabled name...` */
} userdir_conf_t;

/** Apply one UserDir line's arguments to @a conf (in @a p). NULL, or the reason. */
const char *userdir_configure(apr_pool_t *p, userdir_conf_t *conf, int argc,
                              const char *const *argv);

/** How the request maps. */
typedef enum { USERDIR_DECLINED, USERDIR_FILE, USERDIR_REDIRECT } userdir_result_t;

/** The user's home directory, NULL if there is no such user. */
typedef const char *(*userdir_home_fn)(apr_pool_t *p, const char *user);
/** Does @a path exist? */
typedef int (*userdir_exists_fn)(apr_pool_t *p, const char *path);

/** Map @a uri (/~user[/rest]) by @a conf: each UserDir entry in turn, the first whose path
 * exists (the last one whether it exists or not): `dir` (relative: in the user's home),
 * `/path` (/path/user), `/path/x` with `*` (the user in its place), or a URL with `*` (a
 * redirect, *out the Location). *out is the file or the Location. */
userdir_result_t userdir_map(apr_pool_t *p, const userdir_conf_t *conf, const char *uri,
                             userdir_home_fn home, userdir_exists_fn exists, const char **out,
                             const char **user);

#endif
