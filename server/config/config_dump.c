/* What kiva -S and -t -D DUMP_RUN_CFG print after the vhosts, in httpd's layout:
 * ServerRoot, Main DocumentRoot, Main ErrorLog, Mutex, PidFile, Define, User, Group. */
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>

#include <apr_strings.h>

#include "config_dump.h"
#include "config_read.h"
#include "core.h"
#include "kv_mpm_common.h"
#include "kv_mutex.h"

/* A User or Group name and its id: "#N" is the id N, as in the directives. */
static long identity_id(const char *name, int group)
{
    if (name[0] == '#') {
        return strtol(name + 1, NULL, 10);
    }
    if (group) {
        const struct group *g = getgrnam(name);
        return g ? (long)g->gr_gid : -1;
    }
    const struct passwd *pw = getpwnam(name);
    return pw ? (long)pw->pw_uid : -1;
}

void kv_dump_run_config(FILE *out, apr_pool_t *p, kv_server_t *s)
{
    const kv_core_server_conf_t *sconf = kv_core_sconf(s);
    const apr_array_header_t *names = kv_config_define_names();

    fprintf(out, "ServerRoot: \"%s\"\n", kv_server_root);
    fprintf(out, "Main DocumentRoot: \"%s\"\n", sconf->document_root);
    fprintf(out, "Main ErrorLog: \"%s\"\n", sconf->error_log);
    kv_mutex_print(out, p);
    fprintf(out, "PidFile: \"%s\"\n", kv_mpm_pidfile());
    for (int i = 0; names && i < names->nelts; i++) {
        const char *name = APR_ARRAY_IDX(names, i, const char *);
        const char *value = kv_config_define_value(name);
        fprintf(out, "Define: %s%s%s\n", name, value && *value ? "=" : "",
                value && *value ? value : "");
    }
    fprintf(out, "User: name=\"%s\" id=%ld\n", kv_mpm_user(), identity_id(kv_mpm_user(), 0));
    fprintf(out, "Group: name=\"%s\" id=%ld\n", kv_mpm_group(), identity_id(kv_mpm_group(), 1));
}
