/* Header and RequestHeader actions: the argument parser, the value formats and what each
 * action does to a table, with httpd 2.4's meaning. */
#define KV_LOG_MODULE "headers"

#include <string.h>

#include <apr_strings.h>

#include "header_action.h"

/* One piece of a value: literal text, or a format specifier to fill in per request. */
typedef struct {
    char spec;        /* 0 for literal text, else 't', 'D' or 'e' */
    const char *text; /* the literal, or the NAME of %{NAME}e */
} hdr_piece_t;

static const struct {
    const char *name;
    hdr_kind_t kind;
} action_names[] = {
    {"add", HDR_ADD},   {"append", HDR_APPEND},         {"echo", HDR_ECHO},
    {"edit", HDR_EDIT}, {"edit*", HDR_EDIT_ALL},        {"merge", HDR_MERGE},
    {"set", HDR_SET},   {"setifempty", HDR_SETIFEMPTY}, {"unset", HDR_UNSET},
    {"note", HDR_NOTE},
};

#define ACTION_LIST "add, append, echo, edit, edit*, merge, set, setifempty, unset or note"
#define REQUEST_ACTION_LIST "add, append, edit, edit*, merge, set, setifempty or unset"

static int kind_of(const char *name, hdr_kind_t *kind)
{
    for (size_t i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++) {
        if (strcasecmp(name, action_names[i].name) == 0) {
            *kind = action_names[i].kind;
            return 1;
        }
    }
    return 0;
}

/* echo and note read response fields, so RequestHeader has no use for them (as httpd). */
static int is_response_only(hdr_kind_t kind)
{
    return kind == HDR_ECHO || kind == HDR_NOTE;
}

static int is_edit(hdr_kind_t kind)
{
    return kind == HDR_EDIT || kind == HDR_EDIT_ALL;
}

/* unset and echo take no value: a third argument is their condition. */
static int takes_no_value(hdr_kind_t kind)
{
    return kind == HDR_UNSET || kind == HDR_ECHO;
}

static void add_piece(apr_array_header_t *pieces, char spec, const char *text)
{
    hdr_piece_t *piece = apr_array_push(pieces);

    piece->spec = spec;
    piece->text = text;
}

/* The specifier at @a pct ('%'): adds its piece and sets *next past it, or says why not. */
static const char *parse_specifier(apr_pool_t *p, const char *value, const char *pct,
                                   apr_array_header_t *pieces, const char **next)
{
    const char *close;

    switch (pct[1]) {
    case '%':
        add_piece(pieces, 0, "%");
        *next = pct + 2;
        return NULL;
    case 't':
    case 'D':
        add_piece(pieces, pct[1], NULL);
        *next = pct + 2;
        return NULL;
    case '{':
        close = strchr(pct + 2, '}');
        if (!close) {
            return apr_psprintf(p, "unterminated %%{ in '%s'", value);
        }
        if (close == pct + 2) {
            return apr_psprintf(p, "empty %%{} in '%s'", value);
        }
        if (close[1] != 'e') {
            return apr_psprintf(p,
                                "format %%{%.*s}%c in '%s' is not supported (kiva knows %%t, "
                                "%%D, %%{NAME}e and %%%%)",
                                (int)(close - pct - 2), pct + 2, close[1] ? close[1] : ' ', value);
        }
        add_piece(pieces, 'e', apr_pstrndup(p, pct + 2, (apr_size_t)(close - pct - 2)));
        *next = close + 2;
        return NULL;
    default:
        return apr_psprintf(p,
                            "format %%%c in '%s' is not supported (kiva knows %%t, %%D, "
                            "%%{NAME}e and %%%%)",
                            pct[1] ? pct[1] : ' ', value);
    }
}

const char *hdr_format_parse(apr_pool_t *p, const char *value, apr_array_header_t **out)
{
    apr_array_header_t *pieces = apr_array_make(p, 2, sizeof(hdr_piece_t));
    const char *s = value;

    while (*s) {
        const char *pct = strchr(s, '%');
        const char *err;
        if (!pct) {
            add_piece(pieces, 0, apr_pstrdup(p, s));
            break;
        }
        if (pct > s) {
            add_piece(pieces, 0, apr_pstrndup(p, s, (apr_size_t)(pct - s)));
        }
        if ((err = parse_specifier(p, value, pct, pieces, &s)) != NULL) {
            return err;
        }
    }
    *out = pieces;
    return NULL;
}

static const char *piece_value(kv_request_t *r, const hdr_piece_t *piece)
{
    const char *v;

    switch (piece->spec) {
    case 't':
        return apr_psprintf(r->pool, "t=%" APR_TIME_T_FMT, r->request_time);
    case 'D':
        return apr_psprintf(r->pool, "D=%" APR_TIME_T_FMT, apr_time_now() - r->request_time);
    case 'e':
        /* httpd writes an unset variable as "(null)". */
        v = apr_table_get(r->subprocess_env, piece->text);
        return v ? v : "(null)";
    default:
        return piece->text;
    }
}

const char *hdr_format_expand(kv_request_t *r, const apr_array_header_t *pieces)
{
    const hdr_piece_t *piece = (const hdr_piece_t *)pieces->elts;
    apr_array_header_t *parts;

    if (pieces->nelts == 1 && piece->spec == 0) {
        return piece->text;
    }
    parts = apr_array_make(r->pool, pieces->nelts, sizeof(const char *));
    for (int i = 0; i < pieces->nelts; i++) {
        *(const char **)apr_array_push(parts) = piece_value(r, &piece[i]);
    }
    return apr_array_pstrcat(r->pool, parts, 0);
}

/* expr=EXPR: the condition parsed now, so that a bad one is a configuration error. */
static const char *parse_expr_clause(apr_pool_t *p, const char *directive, const char *text,
                                     hdr_action_t *a)
{
    const char *err = NULL;

    if ((a->cond = kv_expr_parse(p, text, &err)) == NULL) {
        return apr_psprintf(p, "%s: bad expr= condition: %s", directive, err);
    }
    return NULL;
}

/* A value "expr=STRING": a string expression instead of a format. */
static const char *parse_value_expr(apr_pool_t *p, const char *directive, const char *text,
                                    hdr_action_t *a)
{
    const char *err = NULL;

    if ((a->value_expr = kv_expr_parse_string(p, text, &err)) == NULL) {
        return apr_psprintf(p, "%s: bad expr= value: %s", directive, err);
    }
    return NULL;
}

static int has_expr_prefix(const char *s)
{
    return strncasecmp(s, "expr=", 5) == 0;
}

/* env=[!]NAME, expr=EXPR, early, or the refusal of anything else. */
static const char *parse_clause(apr_pool_t *p, const char *directive, const char *clause,
                                hdr_action_t *a)
{
    if (strcasecmp(clause, "early") == 0) {
        a->early = 1;
        return NULL;
    }
    if (strncasecmp(clause, "env=", 4) == 0) {
        const char *name = clause + 4;
        a->env_negated = *name == '!';
        name += a->env_negated;
        if (!*name) {
            return apr_psprintf(p, "%s: env= needs a variable name (env=NAME or env=!NAME)",
                                directive);
        }
        a->env = apr_pstrdup(p, name);
        return NULL;
    }
    if (has_expr_prefix(clause)) {
        return parse_expr_clause(p, directive, clause + 5, a);
    }
    return apr_psprintf(p, "%s: unknown condition '%s' (early, env=[!]NAME, expr=EXPR)", directive,
                        clause);
}

/* The field name without a trailing colon (httpd accepts "Header set X-Foo: bar"). */
static const char *field_name(apr_pool_t *p, const char *name)
{
    const char *colon = strchr(name, ':');

    return colon ? apr_pstrndup(p, name, (apr_size_t)(colon - name)) : apr_pstrdup(p, name);
}

static const char *compile(apr_pool_t *p, const char *directive, const char *what,
                           const char *pattern, kv_regex_t **re)
{
    const char *err = NULL;

    *re = kv_regex_compile(p, pattern, 0, &err);
    return *re ? NULL : apr_psprintf(p, "%s %s: %s", directive, what, err);
}

/* What the words after the action mean for @a a: value, replacement, condition. */
static const char *parse_operands(apr_pool_t *p, const char *directive, hdr_action_t *a,
                                  const char *value, const char *repl, const char *clause)
{
    const char *err = NULL;

    if (is_edit(a->kind)) {
        if (!repl) {
            return apr_psprintf(p, "%s edit needs a header, a regex and a replacement", directive);
        }
        if ((err = compile(p, directive, "edit", value, &a->regex)) != NULL) {
            return err;
        }
        value = repl;
    } else {
        if (clause) {
            return apr_psprintf(p, "%s has too many arguments", directive);
        }
        clause = repl;
    }
    if (takes_no_value(a->kind) && value) {
        if (clause) {
            return apr_psprintf(p,
                                "%s has too many arguments: %s takes a header and an "
                                "optional condition",
                                directive, a->kind == HDR_ECHO ? "echo" : "unset");
        }
        clause = value;
        value = NULL;
    }
    if (!takes_no_value(a->kind) && !value) {
        return apr_psprintf(p, "%s needs a value after the header name", directive);
    }
    if (value && has_expr_prefix(value)) {
        err = parse_value_expr(p, directive, value + 5, a);
    } else if (value) {
        err = hdr_format_parse(p, value, &a->value);
        err = err ? apr_psprintf(p, "%s: %s", directive, err) : NULL;
    }
    if (err) {
        return err;
    }
    return clause ? parse_clause(p, directive, clause, a) : NULL;
}

const char *hdr_action_parse(apr_pool_t *p, int request, int argc, const char *const *argv,
                             hdr_action_t **out)
{
    const char *directive = request ? "RequestHeader" : "Header";
    hdr_action_t *a = apr_pcalloc(p, sizeof(*a));
    const char *err;
    int i = 0;

    a->table = request ? HDR_TABLE_IN : HDR_TABLE_OUT;
    if (!request && argc > 0 && strcasecmp(argv[0], "always") == 0) {
        a->table = HDR_TABLE_ALWAYS;
        i++;
    } else if (!request && argc > 0 && strcasecmp(argv[0], "onsuccess") == 0) {
        i++;
    }
    if (argc - i < 2) {
        return apr_psprintf(p, "%s needs an action and a header name", directive);
    }
    if (argc - i > 5) {
        return apr_psprintf(p, "%s has too many arguments", directive);
    }
    if (!kind_of(argv[i], &a->kind) || (request && is_response_only(a->kind))) {
        return apr_psprintf(p, "%s: unknown action '%s' (%s)", directive, argv[i],
                            request ? REQUEST_ACTION_LIST : ACTION_LIST);
    }
    a->header = field_name(p, argv[i + 1]);
    if (!*a->header) {
        return apr_psprintf(p, "%s: empty header name", directive);
    }
    if (a->kind == HDR_ECHO && (err = compile(p, directive, "echo", a->header, &a->regex))) {
        return err;
    }
    err = parse_operands(p, directive, a, i + 2 < argc ? argv[i + 2] : NULL,
                         i + 3 < argc ? argv[i + 3] : NULL, i + 4 < argc ? argv[i + 4] : NULL);
    if (err) {
        return err;
    }
    *out = a;
    return NULL;
}

const char *hdr_action_value(kv_request_t *r, const hdr_action_t *a)
{
    const char *err = NULL;
    const char *v;

    if (!a->value_expr) {
        return hdr_format_expand(r, a->value);
    }
    if ((v = kv_expr_eval_string(r, a->value_expr, &err)) == NULL) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV00860: cannot evaluate the expr= value of the %s field: %s", a->header,
                      err);
        return "";
    }
    return v;
}

static int expr_allows(kv_request_t *r, const hdr_action_t *a)
{
    const char *err = NULL;
    int res = kv_expr_eval(r, a->cond, &err);

    if (res < 0) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV00861: cannot evaluate the expr= condition on the %s field: %s", a->header,
                      err);
        return 0;
    }
    return res;
}

int hdr_action_applies(kv_request_t *r, const hdr_action_t *a)
{
    if (a->env) {
        int set = apr_table_get(r->subprocess_env, a->env) != NULL;
        if (set == a->env_negated) {
            return 0;
        }
    }
    return a->cond ? expr_allows(r, a) : 1;
}

/* Past the token that starts at @a v: to the next comma outside quotes, or the end. */
static const char *token_end(const char *v)
{
    while (*v && *v != ',') {
        if (*v++ == '"') {
            while (*v && *v++ != '"') {
            }
        }
    }
    return v;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

int hdr_has_token(const char *field, const char *value)
{
    size_t n = strlen(value);
    const char *v = field;

    while (*v) {
        const char *start, *end;
        while (is_blank(*v)) {
            v++;
        }
        start = v;
        end = v = token_end(v);
        while (end > start && is_blank(end[-1])) {
            end--;
        }
        if ((size_t)(end - start) == n && strncmp(start, value, n) == 0) {
            return 1;
        }
        if (*v == ',') {
            v++;
        }
    }
    return 0;
}

/* @a value with the regex's first match (edit) or every match (edit*) replaced. */
static const char *edit_value(apr_pool_t *p, const hdr_action_t *a, const char *repl,
                              const char *value)
{
    apr_array_header_t *parts = apr_array_make(p, 4, sizeof(const char *));
    const char *rest = value;
    kv_regmatch_t m;

    while (kv_regex_match(p, a->regex, rest, &m)) {
        *(const char **)apr_array_push(parts) = apr_pstrndup(p, rest, (apr_size_t)m.start[0]);
        *(const char **)apr_array_push(parts) = kv_regex_substitute(p, repl, rest, &m);
        rest += m.end[0];
        if (a->kind == HDR_EDIT) {
            break;
        }
        if (m.end[0] == m.start[0]) {
            /* An empty match: step over one character, or stop at the end. */
            if (!*rest) {
                break;
            }
            *(const char **)apr_array_push(parts) = apr_pstrndup(p, rest++, 1);
        }
    }
    *(const char **)apr_array_push(parts) = rest;
    return apr_array_pstrcat(p, parts, 0);
}

typedef struct {
    apr_pool_t *pool;
    apr_array_header_t *values;
} collect_t;

static int collect_value(void *data, const char *key, const char *value)
{
    collect_t *c = data;

    (void)key;
    *(const char **)apr_array_push(c->values) = apr_pstrdup(c->pool, value);
    return 1;
}

static void edit_fields(kv_request_t *r, apr_table_t *t, const hdr_action_t *a)
{
    collect_t c = {r->pool, apr_array_make(r->pool, 2, sizeof(const char *))};
    const char *repl;

    apr_table_do(collect_value, &c, t, a->header, NULL);
    if (c.values->nelts == 0) {
        return;
    }
    repl = hdr_action_value(r, a);
    apr_table_unset(t, a->header);
    for (int i = 0; i < c.values->nelts; i++) {
        const char *v = ((const char **)c.values->elts)[i];
        apr_table_add(t, a->header, edit_value(r->pool, a, repl, v));
    }
}

typedef struct {
    kv_request_t *r;
    apr_table_t *t;
    const kv_regex_t *names;
} echo_t;

static int echo_field(void *data, const char *key, const char *value)
{
    echo_t *e = data;

    if (kv_regex_match(e->r->pool, e->names, key, NULL)) {
        apr_table_add(e->t, key, value);
    }
    return 1;
}

static void merge_field(kv_request_t *r, apr_table_t *t, const hdr_action_t *a)
{
    const char *v = hdr_action_value(r, a);
    const char *old = apr_table_get(t, a->header);

    if (!old || !hdr_has_token(old, v)) {
        apr_table_merge(t, a->header, v);
    }
}

void hdr_action_run(kv_request_t *r, apr_table_t *t, const hdr_action_t *a)
{
    echo_t echo = {r, t, a->regex};
    const char *v;

    switch (a->kind) {
    case HDR_ADD:
        apr_table_add(t, a->header, hdr_action_value(r, a));
        break;
    case HDR_APPEND:
        apr_table_merge(t, a->header, hdr_action_value(r, a));
        break;
    case HDR_MERGE:
        merge_field(r, t, a);
        break;
    case HDR_SET:
        apr_table_set(t, a->header, hdr_action_value(r, a));
        break;
    case HDR_SETIFEMPTY:
        if (!apr_table_get(t, a->header)) {
            apr_table_set(t, a->header, hdr_action_value(r, a));
        }
        break;
    case HDR_UNSET:
        apr_table_unset(t, a->header);
        break;
    case HDR_ECHO:
        apr_table_do(echo_field, &echo, r->headers_in, NULL);
        break;
    case HDR_EDIT:
    case HDR_EDIT_ALL:
        edit_fields(r, t, a);
        break;
    case HDR_NOTE:
        if ((v = apr_table_get(t, a->header)) != NULL) {
            apr_table_set(r->notes, hdr_action_value(r, a), v);
        }
        break;
    }
}

void hdr_actions_run(kv_request_t *r, apr_table_t *t, const apr_array_header_t *actions,
                     hdr_table_t table, int early)
{
    hdr_action_t *const *a = (hdr_action_t *const *)actions->elts;

    for (int i = 0; i < actions->nelts; i++) {
        if (a[i]->table == table && a[i]->early == early && hdr_action_applies(r, a[i])) {
            hdr_action_run(r, t, a[i]);
        }
    }
}
