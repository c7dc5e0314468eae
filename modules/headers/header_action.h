/* The actions of Header and RequestHeader (mod_headers): parsed once from a directive's
 * arguments, then run against a header table per request. Kept apart from the module
 * record so that unit tests can drive them without a server. */
#ifndef HEADER_ACTION_H
#define HEADER_ACTION_H

#include <apr_tables.h>

#include "kiva.h"

/** What an action does to its table. */
typedef enum {
    HDR_ADD,        /* another field, even if one exists */
    HDR_APPEND,     /* ", value" onto the existing field, or a new one */
    HDR_ECHO,       /* copy request fields whose names match a regex */
    HDR_EDIT,       /* replace the first match in every value */
    HDR_EDIT_ALL,   /* edit*: replace every match */
    HDR_MERGE,      /* append unless the value is already one of the tokens */
    HDR_SET,        /* replace */
    HDR_SETIFEMPTY, /* set only if absent */
    HDR_UNSET,      /* remove */
    HDR_NOTE        /* copy the field's value into r->notes under the value's name */
} hdr_kind_t;

/** Which table an action works on. */
typedef enum {
    HDR_TABLE_IN,    /* RequestHeader: r->headers_in */
    HDR_TABLE_OUT,   /* Header onsuccess: r->headers_out, 2xx responses only */
    HDR_TABLE_ALWAYS /* Header always: r->err_headers_out, every response */
} hdr_table_t;

/** One Header or RequestHeader directive. */
typedef struct {
    hdr_kind_t kind;
    hdr_table_t table;
    const char *header;          /* field name (echo: the pattern's text) */
    kv_regex_t *regex;           /* edit: what to replace; echo: which names */
    apr_array_header_t *value;   /* hdr_piece_t: the value (edit: the replacement) */
    int early;                   /* runs in post_read_request, not late */
    const char *env;             /* env=[!]NAME: the variable, NULL if none */
    int env_negated;             /* env=!NAME */
    const kv_expr_t *cond;       /* expr=...: the condition, NULL if none */
    const kv_expr_t *value_expr; /* a value "expr=...": a string expression replacing value */
} hdr_action_t;

/** Parse a directive's arguments: @a request is 1 for RequestHeader, 0 for Header.
 * Returns NULL and sets *out, or the reason the arguments are refused. */
const char *hdr_action_parse(apr_pool_t *p, int request, int argc, const char *const *argv,
                             hdr_action_t **out);

/** Parse a value with format specifiers (%t, %D, %{NAME}e, %%) into pieces. NULL and
 * *out, or the reason. */
const char *hdr_format_parse(apr_pool_t *p, const char *value, apr_array_header_t **out);

/** The value of @a pieces for request @a r. */
const char *hdr_format_expand(kv_request_t *r, const apr_array_header_t *pieces);

/** The action's value (edit: its replacement) for @a r: the format pieces expanded, or the
 * expr= string expression evaluated ("" and a logged error if that fails, as httpd). */
const char *hdr_action_value(kv_request_t *r, const hdr_action_t *a);

/** Does the action's env= or expr= condition allow it for @a r? An expression that fails
 * to evaluate is logged and the action skipped. */
int hdr_action_applies(kv_request_t *r, const hdr_action_t *a);

/** Run one action on @a t (its condition already checked). */
void hdr_action_run(kv_request_t *r, apr_table_t *t, const hdr_action_t *a);

/** Run, in order, the actions of @a actions that work on @a table, whose early flag is
 * @a early and whose condition holds, on @a t. */
void hdr_actions_run(kv_request_t *r, apr_table_t *t, const apr_array_header_t *actions,
                     hdr_table_t table, int early);

/** Is @a value already one of the comma-separated tokens of @a field (quoted strings
 * kept whole, blanks around tokens ignored)? */
int hdr_has_token(const char *field, const char *value);

#endif
