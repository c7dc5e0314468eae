/* <Limit method...> and <LimitExcept method...>: the access directives inside (Require,
 * Order, Allow, Deny, Satisfy) apply only to those methods, or to all others, as httpd's core
 * sections. Methods are bits of a mask: httpd's own methods first, then each other method a
 * configuration names, in the order first named (HEAD is GET, as httpd numbers it); a method
 * no configuration named has the last bit, which only "every method" and <LimitExcept>
 * hold. */
#include <string.h>

#include <apr_strings.h>

#include "core.h"

/* httpd's built-in methods (ap_method_number_of), HEAD aside. */
static const char *const builtin[] = {
    "GET",
    "PUT",
    "POST",
    "DELETE",
    "CONNECT",
    "OPTIONS",
    "TRACE",
    "PATCH",
    "PROPFIND",
    "PROPPATCH",
    "MKCOL",
    "COPY",
    "MOVE",
    "LOCK",
    "UNLOCK",
    "VERSION-CONTROL",
    "CHECKOUT",
    "UNCHECKOUT",
    "CHECKIN",
    "UPDATE",
    "LABEL",
    "REPORT",
    "MKWORKSPACE",
    "MKACTIVITY",
    "BASELINE-CONTROL",
    "MERGE",
};

#define NBUILTIN (sizeof(builtin) / sizeof(builtin[0]))
#define UNNAMED_BIT 63 /* every method no configuration named */
#define MAX_EXTRA (UNNAMED_BIT - NBUILTIN)
#define MAX_NAME 32

/* Methods beyond httpd's that configurations named; only added while a configuration is
 * read (single-threaded), so request threads only read it. Kept across generations, so a
 * method keeps its bit. */
static char extra[MAX_EXTRA][MAX_NAME];
static size_t nextra;

/* The bit number of @a name, or -1 if no configuration named it. */
static int bit_of(const char *name)
{
    if (strcmp(name, "HEAD") == 0) {
        name = "GET";
    }
    for (size_t i = 0; i < NBUILTIN; i++) {
        if (strcmp(builtin[i], name) == 0) {
            return (int)i;
        }
    }
    for (size_t i = 0; i < nextra; i++) {
        if (strcmp(extra[i], name) == 0) {
            return (int)(NBUILTIN + i);
        }
    }
    return -1;
}

KV_DECLARE(kv_method_mask_t) kv_method_bit(const char *name)
{
    int bit = bit_of(name);

    if (bit < 0) {
        if (nextra == MAX_EXTRA || strlen(name) >= MAX_NAME) {
            return 0;
        }
        strcpy(extra[nextra], name);
        bit = (int)(NBUILTIN + nextra++);
    }
    return (kv_method_mask_t)1 << bit;
}

KV_DECLARE(kv_method_mask_t) kv_method_known_bit(const char *name)
{
    int bit = bit_of(name);

    return bit < 0 ? 0 : (kv_method_mask_t)1 << bit;
}

KV_DECLARE(kv_method_mask_t) kv_request_method_bit(const kv_request_t *r)
{
    int bit = r->method ? bit_of(r->method) : -1;

    return (kv_method_mask_t)1 << (bit < 0 ? UNNAMED_BIT : bit);
}

const char *kv_cmd_limit(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    int except = cmd->info != NULL;
    kv_method_mask_t mask = 0, outer = cmd->limited;
    const char *err;

    (void)conf;
    for (int i = 0; i < argc; i++) {
        kv_method_mask_t bit = kv_method_bit(argv[i]);
        if (!except && strcmp(argv[i], "TRACE") == 0) {
            return "TRACE cannot be controlled by <Limit>, see TraceEnable";
        }
        if (!bit) {
            return apr_psprintf(cmd->pool,
                                "%s>: method '%s' is too long, or too many methods "
                                "are named",
                                cmd->cmd->name, argv[i]);
        }
        mask |= bit;
    }
    mask = except ? ~mask : mask;
    if (!(outer & mask)) {
        return apr_psprintf(cmd->pool, "%s> directive excludes all methods", cmd->cmd->name);
    }
    if ((outer & mask) == outer) {
        return apr_psprintf(cmd->pool, "%s> directive specifies methods already excluded",
                            cmd->cmd->name);
    }
    cmd->limited = outer & mask;
    err = kv_walk_config(cmd, cmd->directive->first_child, cmd->dir_config);
    cmd->limited = outer;
    return err;
}
