/* <If>, <ElseIf> and <Else>: sections whose directives apply to a request when an
 * expression holds, merged after every other section of their context (httpd 2.4).
 * Internal to the core. */
#ifndef KV_IF_SECTIONS_H
#define KV_IF_SECTIONS_H

#include "kv_config.h"
#include "kv_expr.h"
#include "kv_http.h"

/** Bits of kv_if_section_t's kind: <If> is IF, <Else> is ELSE, <ElseIf> is both. */
enum { KV_IF_COND = 1, KV_IF_ELSE = 2 };

/** One <If>, <ElseIf> or <Else> as configured. */
typedef struct {
    int kind;              /**< KV_IF_* bits */
    const kv_expr_t *expr; /**< the condition; NULL for <Else> */
    void **dir_config;     /**< what the section's directives set */
    const char *file;      /**< where it stands, for the log */
    unsigned line;
} kv_if_section_t;

/** The handler of <If>, <ElseIf> and <Else> (info: the KV_IF_* bits). */
const char *kv_cmd_if_section(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv);

/** Does the directive being run stand inside an <If>, <ElseIf> or <Else>? */
int kv_in_if_section(const kv_cmd_parms_t *cmd);

/** The if-sections of @a base followed by those of @a add (either may be NULL), as the core's
 * per-directory merge keeps them. */
apr_array_header_t *kv_if_sections_merge(apr_pool_t *p, apr_array_header_t *base,
                                         apr_array_header_t *add);

/** Does the running generation's configuration have an <If>, <ElseIf> or <Else> anywhere?
 * Set when one is read, until the pool it was read into (pconf) is destroyed. */
int kv_if_sections_configured(void);

/** Merge into r->per_dir_config the if-sections it holds whose condition holds for @a r,
 * then those nested in them, as httpd's ap_if_walk. Nothing to do, and no look-up made,
 * when the configuration has no if-section. */
void kv_if_walk(kv_request_t *r);

#endif
