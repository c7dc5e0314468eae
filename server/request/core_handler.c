/* Handler names and the core's SetHandler and ForceType: which module answers a request,
 * and what the core does when none does. Modules claim the names they answer
 * (kv_register_handler_name); SetHandler and AddHandler note the names they use, and once
 * every module is loaded a name nobody claims is a warning with its file:line. */
#include <stddef.h>
#include <string.h>

#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "core.h"
#include "kv_handler.h"
#include "kv_log.h"

#define KV_LOG_MODULE "core"

const char kv_handler_none[] = "none";

/* The name of the core's own file handler, as in httpd. */
#define DEFAULT_HANDLER_NAME "default-handler"

/* One SetHandler or AddHandler line: the name and where it was written. */
typedef struct {
    const char *name;
    const char *directive;
    const char *file;
    unsigned line;
} handler_use_t;

/* The generation being configured (its pconf), its claimed names (lower-case) and the
 * uses seen while reading its configuration; forgotten when that pool is destroyed. */
static apr_pool_t *tables_pool;
static apr_hash_t *claimed;
static apr_array_header_t *uses;

static apr_status_t forget_generation(void *pool)
{
    if (tables_pool == pool) {
        tables_pool = NULL;
        claimed = NULL;
        uses = NULL;
    }
    return APR_SUCCESS;
}

static void generation_tables(apr_pool_t *pconf)
{
    if (tables_pool != pconf) {
        tables_pool = pconf;
        claimed = apr_hash_make(pconf);
        uses = apr_array_make(pconf, 4, sizeof(handler_use_t));
        apr_pool_cleanup_register(pconf, pconf, forget_generation, apr_pool_cleanup_null);
    }
}

static char *lower(apr_pool_t *p, const char *s)
{
    char *out = apr_pstrdup(p, s);

    for (char *c = out; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    return out;
}

KV_DECLARE(void) kv_register_handler_name(apr_pool_t *pconf, const char *name)
{
    generation_tables(pconf);
    apr_hash_set(claimed, lower(pconf, name), APR_HASH_KEY_STRING, "");
}

KV_DECLARE(int) kv_handler_name_known(const char *name)
{
    char buf[256];
    size_t n = strlen(name);

    if (strcasecmp(name, DEFAULT_HANDLER_NAME) == 0) {
        return 1;
    }
    if (!claimed || n >= sizeof(buf)) {
        return 0;
    }
    for (size_t i = 0; i <= n; i++) {
        buf[i] = (char)apr_tolower(name[i]);
    }
    return apr_hash_get(claimed, buf, APR_HASH_KEY_STRING) != NULL;
}

KV_DECLARE(void) kv_note_handler_use(const kv_cmd_parms_t *cmd, const char *name)
{
    handler_use_t *use;

    generation_tables(cmd->pool);
    use = apr_array_push(uses);
    use->name = apr_pstrdup(cmd->pool, name);
    use->directive = cmd->cmd->name;
    use->file = cmd->directive->file;
    use->line = cmd->directive->line;
}

void kv_handler_names_check(apr_pool_t *pconf, apr_array_header_t *warnings)
{
    for (int i = 0; uses && i < uses->nelts; i++) {
        const handler_use_t *u = &APR_ARRAY_IDX(uses, i, handler_use_t);

        if (!kv_handler_name_known(u->name)) {
            APR_ARRAY_PUSH(warnings, const char *) = apr_psprintf(
                pconf,
                "Warning on line %u of %s: %s names handler '%s', which no loaded module "
                "provides: its requests will be refused with 500",
                u->line, u->file, u->directive, u->name);
        }
    }
}

/* SetHandler and ForceType (info: the field of kv_core_dir_conf_t): the name lower-case,
 * as httpd keeps it; None is set, and forces nothing. */
const char *kv_cmd_set_forced(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    const char **field = (const char **)(void *)((char *)conf + (size_t)cmd->info);
    int is_type = (size_t)cmd->info == offsetof(kv_core_dir_conf_t, forced_type);

    (void)argc;
    if (strcasecmp(argv[0], "none") == 0) {
        *field = KV_HANDLER_NONE;
        return NULL;
    }
    if (is_type && !strchr(argv[0], '/')) {
        return apr_psprintf(cmd->pool, "ForceType: '%s' is not a media type (type/subtype)",
                            argv[0]);
    }
    *field = lower(cmd->pool, argv[0]);
    if (!is_type) {
        kv_note_handler_use(cmd, *field);
    }
    return NULL;
}

int kv_core_override_type(kv_request_t *r)
{
    const kv_core_dir_conf_t *d = kv_get_module_config(r->per_dir_config, &core_module);

    if (d->forced_type && d->forced_type != KV_HANDLER_NONE) {
        r->content_type = d->forced_type;
    }
    if (d->handler && d->handler != KV_HANDLER_NONE) {
        r->handler = d->handler;
    }
    return KV_DECLINED;
}

int kv_refuse_unhandled(kv_request_t *r)
{
    if (!r->handler || strcasecmp(r->handler, DEFAULT_HANDLER_NAME) == 0) {
        return KV_OK;
    }
    if (!kv_handler_name_known(r->handler)) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV01140: no loaded module provides handler '%s' (SetHandler or "
                      "AddHandler) for %s; refused rather than sending the file",
                      r->handler, r->uri);
    } else {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV01141: handler '%s' did not answer %s; refused rather than sending "
                      "the file",
                      r->handler, r->uri);
    }
    return KV_HTTP_INTERNAL_SERVER_ERROR;
}
