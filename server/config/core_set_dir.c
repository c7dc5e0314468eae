/* The core's per-directory settings of requests and responses: LimitRequestBody,
 * HostnameLookups, UseCanonicalName, ServerSignature, FileETag, AddDefaultCharset. */
#include <string.h>

#include <apr_strings.h>

#include "core.h"
#include "core_directives.h"
#include "remote_host.h"

const char *kv_cmd_limit_req_body(kv_cmd_parms_t *cmd, void *conf, int argc,
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

const char *kv_cmd_hostname_lookups(kv_cmd_parms_t *cmd, void *conf, int argc,
                                    const char *const *argv)
{
    kv_core_dir_conf_t *d = conf;

    (void)argc;
    return kv_parse_hostname_lookups(cmd->pool, argv[0], &d->hostname_lookups);
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
        return apr_psprintf(cmd->pool, "%s must be On, Off or %s, not '%s'", cmd->cmd->name, third,
                            arg);
    }
    return NULL;
}

const char *kv_cmd_use_canonical_name(kv_cmd_parms_t *cmd, void *conf, int argc,
                                      const char *const *argv)
{
    kv_core_dir_conf_t *d = conf;

    (void)argc;
    return parse_on_off_or(cmd, argv[0], "DNS", &d->use_canonical_name);
}

const char *kv_cmd_server_signature(kv_cmd_parms_t *cmd, void *conf, int argc,
                                    const char *const *argv)
{
    kv_core_dir_conf_t *d = conf;

    (void)argc;
    return parse_on_off_or(cmd, argv[0], "EMail", &d->server_signature);
}

const char *kv_cmd_file_etag(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    kv_core_dir_conf_t *d = conf;

    return kv_parse_file_etag(cmd->pool, argc, argv, &d->etag);
}

const char *kv_cmd_default_charset(kv_cmd_parms_t *cmd, void *conf, int argc,
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
