/* The expression language (httpd's ap_expr subset): a recursive-descent parser that
 * builds a tree once in the configuration pool, and an evaluator that walks it per
 * request. Regular expressions and IP subnets are compiled at parse time. */
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <string.h>

#include <apr_escape.h>
#include <apr_fnmatch.h>
#include <apr_lib.h>
#include <apr_md5.h>
#include <apr_network_io.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "kv_expr.h"
#include "kv_regex.h"

/* ---- the tree ---- */

/* The evaluation state: the request, and the last regex match for $0..$9. */
typedef struct {
    kv_request_t *r;
    const char *subject;
    kv_regmatch_t match;
    int matched;
    const char *err;
} eval_t;

typedef const char *(*var_fn)(eval_t *ev);
typedef struct variable variable_t;
typedef const char *(*func_fn)(eval_t *ev, const char *arg);

typedef struct word word_t;

typedef enum { P_TEXT, P_VAR, P_MODULE_VAR, P_FUNC, P_BACKREF } piece_kind_t;

/* One piece of a word; a word's value is its pieces' values run together. */
typedef struct {
    piece_kind_t kind;
    const char *text;      /* P_TEXT; P_MODULE_VAR: the name */
    const variable_t *var; /* P_VAR */
    kv_expr_var_fn module_var; /* P_MODULE_VAR */
    func_fn func;          /* P_FUNC */
    word_t *arg;           /* P_FUNC */
    int n;                 /* P_BACKREF */
} piece_t;

struct word {
    apr_array_header_t *pieces; /* piece_t */
};

typedef enum {
    N_TRUE,
    N_FALSE,
    N_NOT,
    N_AND,
    N_OR,
    N_STR_CMP,
    N_NUM_CMP,
    N_MATCH,
    N_NOMATCH,
    N_NONEMPTY,
    N_EMPTY,
    N_IN,
    N_IPMATCH,
    N_STRMATCH
} node_kind_t;

/* Comparison outcomes wanted: a bit per sign of the difference. */
enum { CMP_LT = 1, CMP_EQ = 2, CMP_GT = 4 };

typedef struct node node_t;
struct node {
    node_kind_t kind;
    node_t *left, *right;     /* N_NOT (left), N_AND, N_OR */
    word_t *a, *b;            /* operands */
    int want;                 /* N_*_CMP: CMP_* bits that make it true; N_STRMATCH: the
                                 apr_fnmatch flags */
    kv_regex_t *re;           /* N_MATCH, N_NOMATCH */
    apr_array_header_t *list; /* N_IN: word_t * */
    apr_ipsubnet_t *subnet;   /* N_IPMATCH, when b is a constant */
};

struct kv_expr {
    node_t *cond;   /* the boolean form */
    word_t *string; /* the string form */
};

/* ---- variables and functions ---- */

APR_HOOK_STRUCT(APR_HOOK_LINK(expr_lookup))

KV_IMPLEMENT_HOOK_RUN_FIRST(kv_expr_var_fn, expr_lookup, (const char *name), (name), NULL)

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static const char *v_scheme(eval_t *ev)
{
    return kv_http_scheme(ev->r);
}

static const char *v_remote_addr(eval_t *ev)
{
    return or_empty(ev->r->useragent_ip);
}

static const char *v_server_name(eval_t *ev)
{
    if (ev->r->hostname) {
        return ev->r->hostname;
    }
    return ev->r->server ? or_empty(ev->r->server->server_hostname) : "";
}

static const char *v_server_port(eval_t *ev)
{
    const kv_conn_t *c = ev->r->connection;

    if (c && c->local_addr) {
        return apr_itoa(ev->r->pool, c->local_addr->port);
    }
    return apr_itoa(ev->r->pool, ev->r->server ? ev->r->server->port : 0);
}

static const char *v_ipv6(eval_t *ev)
{
    const char *ip = v_remote_addr(ev);

    return strchr(ip, ':') && strncmp(ip, "::ffff:", 7) != 0 ? "on" : "off";
}

static const char *v_document_root(eval_t *ev)
{
    return or_empty(kv_document_root(ev->r));
}

static const char *v_https(eval_t *ev)
{
    (void)ev;
    return "off";
}

/* A variable is computed (fn), a string field of the request (field), a request header
 * field (header: %{HTTP_USER_AGENT} ...), or a strftime format of the current local time
 * (time_fmt, of at most time_len characters). */
struct variable {
    const char *name;
    var_fn fn;
    size_t field;
    const char *time_fmt;
    apr_size_t time_len;
    const char *header;
};

#define REQ_FIELD(f) NULL, offsetof(kv_request_t, f), NULL, 0, NULL
#define TIME_FMT(fmt, len) NULL, 0, fmt, len, NULL
#define COMPUTED(fn) fn, 0, NULL, 0, NULL
#define HEADER(name) NULL, 0, NULL, 0, name

static const variable_t variables[] = {
    {"REQUEST_METHOD", REQ_FIELD(method)},
    {"REQUEST_SCHEME", COMPUTED(v_scheme)},
    {"REQUEST_URI", REQ_FIELD(uri)},
    {"QUERY_STRING", REQ_FIELD(args)},
    {"REMOTE_ADDR", COMPUTED(v_remote_addr)},
    {"SERVER_NAME", COMPUTED(v_server_name)},
    {"SERVER_PORT", COMPUTED(v_server_port)},
    {"SERVER_PROTOCOL", REQ_FIELD(protocol)},
    {"HTTP_HOST", HEADER("Host")},
    {"HTTP_USER_AGENT", HEADER("User-Agent")},
    {"HTTP_REFERER", HEADER("Referer")},
    {"HTTP_COOKIE", HEADER("Cookie")},
    {"HTTP_ACCEPT", HEADER("Accept")},
    {"HTTP_FORWARDED", HEADER("Forwarded")},
    {"HTTP_PROXY_CONNECTION", HEADER("Proxy-Connection")},
    {"IPV6", COMPUTED(v_ipv6)},
    {"PATH_INFO", REQ_FIELD(path_info)},
    {"SCRIPT_FILENAME", REQ_FIELD(filename)},
    {"DOCUMENT_ROOT", COMPUTED(v_document_root)},
    {"REMOTE_USER", REQ_FIELD(user)},
    {"THE_REQUEST", REQ_FIELD(the_request)},
    {"REQUEST_FILENAME", REQ_FIELD(filename)},
    {"HTTPS", COMPUTED(v_https)},
    {"CONTENT_TYPE", REQ_FIELD(content_type)},
    {"HANDLER", REQ_FIELD(handler)},
    {"TIME", TIME_FMT("%Y%m%d%H%M%S", 14)},
    {"TIME_YEAR", TIME_FMT("%Y", 4)},
    {"TIME_MON", TIME_FMT("%m", 2)},
    {"TIME_DAY", TIME_FMT("%d", 2)},
    {"TIME_HOUR", TIME_FMT("%H", 2)},
    {"TIME_MIN", TIME_FMT("%M", 2)},
    {"TIME_SEC", TIME_FMT("%S", 2)},
    {"TIME_WDAY", TIME_FMT("%w", 1)},
};

static const variable_t *find_variable(const char *name)
{
    for (size_t i = 0; i < sizeof(variables) / sizeof(variables[0]); i++) {
        if (strcasecmp(name, variables[i].name) == 0) {
            return &variables[i];
        }
    }
    return NULL;
}

static const char *time_field(eval_t *ev, const variable_t *v)
{
    apr_time_exp_t t;
    apr_size_t len;
    char *buf = apr_palloc(ev->r->pool, v->time_len + 1);

    apr_time_exp_lt(&t, apr_time_now());
    apr_strftime(buf, &len, v->time_len + 1, v->time_fmt, &t);
    return buf;
}

static const char *variable_value(eval_t *ev, const variable_t *v)
{
    if (v->fn) {
        return v->fn(ev);
    }
    if (v->time_fmt) {
        return time_field(ev, v);
    }
    if (v->header) {
        return or_empty(apr_table_get(ev->r->headers_in, v->header));
    }
    return or_empty(*(const char *const *)((const char *)ev->r + v->field));
}

static const char *f_req(eval_t *ev, const char *arg)
{
    return or_empty(apr_table_get(ev->r->headers_in, arg));
}

static const char *f_resp(eval_t *ev, const char *arg)
{
    const char *v = apr_table_get(ev->r->headers_out, arg);

    return or_empty(v ? v : apr_table_get(ev->r->err_headers_out, arg));
}

static const char *f_env(eval_t *ev, const char *arg)
{
    return or_empty(apr_table_get(ev->r->subprocess_env, arg));
}

static const char *f_note(eval_t *ev, const char *arg)
{
    return or_empty(apr_table_get(ev->r->notes, arg));
}

static const char *f_tolower(eval_t *ev, const char *arg)
{
    char *s = apr_pstrdup(ev->r->pool, arg);

    for (char *c = s; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    return s;
}

static const char *f_toupper(eval_t *ev, const char *arg)
{
    char *s = apr_pstrdup(ev->r->pool, arg);

    for (char *c = s; *c; c++) {
        *c = (char)apr_toupper(*c);
    }
    return s;
}

static const char *f_escape(eval_t *ev, const char *arg)
{
    return apr_pescape_path(ev->r->pool, arg, 1);
}

static const char *f_unescape(eval_t *ev, const char *arg)
{
    const char *s = apr_punescape_url(ev->r->pool, arg, NULL, NULL, 0);

    /* A bad %-escape leaves the text as it was, as httpd's unescape() does. */
    return s ? s : arg;
}

static const char *f_md5(eval_t *ev, const char *arg)
{
    unsigned char digest[APR_MD5_DIGESTSIZE];

    apr_md5(digest, arg, strlen(arg));
    return apr_pescape_hex(ev->r->pool, digest, sizeof(digest), 0);
}

static const struct {
    const char *name;
    func_fn fn;
} functions[] = {
    {"req", f_req},       {"http", f_req},          {"resp", f_resp},       {"env", f_env},
    {"reqenv", f_env},    {"note", f_note},         {"tolower", f_tolower}, {"toupper", f_toupper},
    {"escape", f_escape}, {"unescape", f_unescape}, {"md5", f_md5},
};

static func_fn find_function(const char *name)
{
    for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++) {
        if (strcasecmp(name, functions[i].name) == 0) {
            return functions[i].fn;
        }
    }
    return NULL;
}

/* ---- the parser ---- */

/* Deepest nesting of '!', '(' and function calls: parsing and evaluation recurse once per
 * level, and must fit in a worker thread's stack. */
#define MAX_DEPTH 1000

typedef struct {
    apr_pool_t *p;
    const char *text;
    const char *s;   /* the next character */
    const char *err; /* the first error */
    int depth;       /* levels of nesting open at s */
} parser_t;

/* Records the first error, at the 1-based position of @a at; always returns NULL. */
static void *fail_at(parser_t *ps, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void *fail_at(parser_t *ps, const char *at, const char *fmt, ...)
{
    va_list ap;
    const char *msg;

    if (ps->err) {
        return NULL;
    }
    va_start(ap, fmt);
    msg = apr_pvsprintf(ps->p, fmt, ap);
    va_end(ap);
    ps->err =
        apr_psprintf(ps->p, "%s at position %d of '%s'", msg, (int)(at - ps->text) + 1, ps->text);
    return NULL;
}

/* Enter one more level of nesting; 0 (with the error recorded) if that is too deep. */
static int descend(parser_t *ps)
{
    if (++ps->depth > MAX_DEPTH) {
        fail_at(ps, ps->s, "expression nested more than %d levels deep", MAX_DEPTH);
        return 0;
    }
    return 1;
}

static void skip_blanks(parser_t *ps)
{
    while (apr_isspace(*ps->s)) {
        ps->s++;
    }
}

/* Consume @a token (after blanks) if it is next. */
static int accept_token(parser_t *ps, const char *token)
{
    size_t n = strlen(token);

    skip_blanks(ps);
    if (strncmp(ps->s, token, n) == 0) {
        ps->s += n;
        return 1;
    }
    return 0;
}

static int is_ident_char(char c)
{
    return apr_isalnum(c) || c == '_';
}

/* The identifier at ps->s (letters, digits, '_'), consumed; "" if none. */
static const char *identifier(parser_t *ps)
{
    const char *start = ps->s;

    while (is_ident_char(*ps->s)) {
        ps->s++;
    }
    return apr_pstrndup(ps->p, start, (apr_size_t)(ps->s - start));
}

/* Does the keyword @a kw come next, as a whole word? Consumes it if so. */
static int accept_keyword(parser_t *ps, const char *kw)
{
    size_t n = strlen(kw);

    skip_blanks(ps);
    if (strncmp(ps->s, kw, n) == 0 && !is_ident_char(ps->s[n])) {
        ps->s += n;
        return 1;
    }
    return 0;
}

static word_t *word_new(apr_pool_t *p)
{
    word_t *w = apr_pcalloc(p, sizeof(*w));

    w->pieces = apr_array_make(p, 2, sizeof(piece_t));
    return w;
}

static piece_t *add_piece(word_t *w, piece_kind_t kind)
{
    piece_t *pc = apr_array_push(w->pieces);

    memset(pc, 0, sizeof(*pc));
    pc->kind = kind;
    return pc;
}

static void add_text(apr_pool_t *p, word_t *w, const char *start, const char *end)
{
    if (end > start) {
        add_piece(w, P_TEXT)->text = apr_pstrndup(p, start, (apr_size_t)(end - start));
    }
}

/* %{NAME} or %{func:literal} at ps->s ('%'): adds its piece to @a w. */
static int parse_variable(parser_t *ps, word_t *w)
{
    const char *start = ps->s;
    const char *close = strchr(start + 2, '}');
    const char *colon;
    const variable_t *var;
    kv_expr_var_fn module_var;
    char *name;

    if (!close) {
        fail_at(ps, start, "unterminated %%{");
        return 0;
    }
    name = apr_pstrndup(ps->p, start + 2, (apr_size_t)(close - start - 2));
    ps->s = close + 1;
    colon = strchr(name, ':');
    if (colon) {
        piece_t *pc;
        func_fn fn;
        name[colon - name] = '\0';
        if ((fn = find_function(name)) == NULL) {
            fail_at(ps, start, "unknown function '%s'", name);
            return 0;
        }
        pc = add_piece(w, P_FUNC);
        pc->func = fn;
        pc->arg = word_new(ps->p);
        add_piece(pc->arg, P_TEXT)->text = colon + 1;
        return 1;
    }
    if (!*name) {
        fail_at(ps, start, "empty %%{}");
        return 0;
    }
    if ((module_var = kv_run_expr_lookup(name)) != NULL) {
        piece_t *pc = add_piece(w, P_MODULE_VAR);

        pc->module_var = module_var;
        pc->text = name;
        return 1;
    }
    if ((var = find_variable(name)) == NULL) {
        fail_at(ps, start, "unknown variable '%s'", name);
        return 0;
    }
    add_piece(w, P_VAR)->var = var;
    return 1;
}

/* Text up to @a stop (or the end when stop is 0), with %{...} inside, into @a w. In a
 * quoted string a backslash takes the next character literally. */
static int parse_interpolated(parser_t *ps, word_t *w, char stop)
{
    const char *run = ps->s;

    while (*ps->s && *ps->s != stop) {
        if (ps->s[0] == '%' && ps->s[1] == '{') {
            add_text(ps->p, w, run, ps->s);
            if (!parse_variable(ps, w)) {
                return 0;
            }
            run = ps->s;
        } else if (stop && ps->s[0] == '\\' && ps->s[1]) {
            add_text(ps->p, w, run, ps->s);
            add_text(ps->p, w, ps->s + 1, ps->s + 2);
            ps->s += 2;
            run = ps->s;
        } else {
            ps->s++;
        }
    }
    add_text(ps->p, w, run, ps->s);
    return 1;
}

static word_t *parse_word(parser_t *ps);

static int parse_quoted(parser_t *ps, word_t *w)
{
    const char *open = ps->s;
    char quote = *ps->s++;

    if (!parse_interpolated(ps, w, quote)) {
        return 0;
    }
    if (*ps->s != quote) {
        fail_at(ps, open, "unterminated string");
        return 0;
    }
    ps->s++;
    return 1;
}

/* name(word) at ps->s. */
static int parse_call(parser_t *ps, word_t *w)
{
    const char *start = ps->s;
    const char *name = identifier(ps);
    func_fn fn = find_function(name);
    piece_t *pc;
    word_t *arg;

    if (!fn) {
        fail_at(ps, start, "unknown function '%s'", name);
        return 0;
    }
    accept_token(ps, "(");
    if (!descend(ps) || (arg = parse_word(ps)) == NULL) {
        return 0;
    }
    ps->depth--;
    if (!accept_token(ps, ")")) {
        fail_at(ps, ps->s, "expected ')' after the argument of %s()", name);
        return 0;
    }
    pc = add_piece(w, P_FUNC);
    pc->func = fn;
    pc->arg = arg;
    return 1;
}

static int starts_call(const char *s)
{
    if (!apr_isalpha(*s)) {
        return 0;
    }
    while (is_ident_char(*s)) {
        s++;
    }
    while (apr_isspace(*s)) {
        s++;
    }
    return *s == '(';
}

/* One operand of '.': a string, a variable, a number, $N or a function call. */
static int parse_primary(parser_t *ps, word_t *w)
{
    const char *start;

    skip_blanks(ps);
    start = ps->s;
    if (*ps->s == '\'' || *ps->s == '"') {
        return parse_quoted(ps, w);
    }
    if (ps->s[0] == '%' && ps->s[1] == '{') {
        return parse_variable(ps, w);
    }
    if (ps->s[0] == '$' && apr_isdigit(ps->s[1])) {
        add_piece(w, P_BACKREF)->n = ps->s[1] - '0';
        ps->s += 2;
        return 1;
    }
    if (apr_isdigit(*ps->s) || (ps->s[0] == '-' && apr_isdigit(ps->s[1]))) {
        ps->s++;
        while (apr_isdigit(*ps->s)) {
            ps->s++;
        }
        add_text(ps->p, w, start, ps->s);
        return 1;
    }
    if (starts_call(ps->s)) {
        return parse_call(ps, w);
    }
    if (!*ps->s) {
        fail_at(ps, start, "expected a word, found the end");
        return 0;
    }
    fail_at(ps, start, "expected a word at '%s'", start);
    return 0;
}

/* primary ('.' primary)* */
static word_t *parse_word(parser_t *ps)
{
    word_t *w = word_new(ps->p);

    do {
        if (!parse_primary(ps, w)) {
            return NULL;
        }
    } while (accept_token(ps, "."));
    if (w->pieces->nelts == 0) {
        add_piece(w, P_TEXT)->text = "";
    }
    return w;
}

static node_t *node_new(parser_t *ps, node_kind_t kind)
{
    node_t *n = apr_pcalloc(ps->p, sizeof(*n));

    n->kind = kind;
    return n;
}

/* The single text of a word made only of literal text, else NULL. */
static const char *constant_of(const word_t *w)
{
    const piece_t *pc = (const piece_t *)w->pieces->elts;

    return w->pieces->nelts == 1 && pc->kind == P_TEXT ? pc->text : NULL;
}

/* The closing @a delim of a regex that starts after @a s; a backslash escapes it. */
static const char *regex_end(const char *s, char delim)
{
    for (; *s && *s != delim; s++) {
        if (*s == '\\' && s[1]) {
            s++;
        }
    }
    return *s ? s : NULL;
}

/* /re/flags or m<d>re<d>flags after =~ or !~: compiled into n->re. */
static node_t *parse_regex(parser_t *ps, node_t *n)
{
    const char *start, *body, *end;
    char delim;
    int flags = 0;
    const char *err = NULL;

    skip_blanks(ps);
    start = ps->s;
    if (*ps->s == '/') {
        delim = '/';
    } else if (*ps->s == 'm' && ps->s[1] && !apr_isalnum(ps->s[1]) && !apr_isspace(ps->s[1])) {
        delim = *++ps->s;
    } else {
        return fail_at(ps, start, "expected /regex/ or m#regex#");
    }
    end = regex_end(ps->s + 1, delim);
    if (!end) {
        return fail_at(ps, start, "unterminated regular expression");
    }
    ps->s = end + 1;
    for (; apr_isalpha(*ps->s); ps->s++) {
        if (*ps->s != 'i') {
            return fail_at(ps, ps->s, "unknown regex flag '%c'", *ps->s);
        }
        flags |= KV_REGEX_ICASE;
    }
    body = start + (delim == '/' ? 1 : 2);
    n->re =
        kv_regex_compile(ps->p, apr_pstrndup(ps->p, body, (apr_size_t)(end - body)), flags, &err);
    return n->re ? n : fail_at(ps, start, "%s", err);
}

/* { word, word, ... } after 'in'. */
static node_t *parse_list(parser_t *ps, node_t *n)
{
    if (!accept_token(ps, "{")) {
        return fail_at(ps, ps->s, "expected '{' after 'in'");
    }
    n->list = apr_array_make(ps->p, 4, sizeof(word_t *));
    do {
        word_t *w = parse_word(ps);
        if (!w) {
            return NULL;
        }
        *(word_t **)apr_array_push(n->list) = w;
    } while (accept_token(ps, ","));
    return accept_token(ps, "}") ? n : fail_at(ps, ps->s, "expected ',' or '}' in the list");
}

static node_t *parse_ipmatch(parser_t *ps, node_t *n)
{
    const char *at;
    const char *net;

    skip_blanks(ps);
    at = ps->s;
    if ((n->b = parse_word(ps)) == NULL) {
        return NULL;
    }
    if ((net = constant_of(n->b)) != NULL) {
        char *ip = apr_pstrdup(ps->p, net);
        char *mask = strchr(ip, '/');
        if (mask) {
            *mask++ = '\0';
        }
        if (apr_ipsubnet_create(&n->subnet, ip, mask, ps->p) != APR_SUCCESS) {
            return fail_at(ps, at, "bad IP address or network '%s'", net);
        }
    }
    return n;
}

/* The symbolic comparisons, longer tokens first so that "<=" wins over "<". */
static const struct {
    const char *token;
    node_kind_t kind;
    int want;
} symbolic_ops[] = {
    {"==", N_STR_CMP, CMP_EQ},
    {"!=", N_STR_CMP, CMP_LT | CMP_GT},
    {"<=", N_STR_CMP, CMP_LT | CMP_EQ},
    {">=", N_STR_CMP, CMP_GT | CMP_EQ},
    {"=~", N_MATCH, 0},
    {"!~", N_NOMATCH, 0},
    {"=", N_STR_CMP, CMP_EQ},
    {"<", N_STR_CMP, CMP_LT},
    {">", N_STR_CMP, CMP_GT},
};

static const struct {
    const char *name;
    node_kind_t kind;
    int want;
} dash_ops[] = {
    {"eq", N_NUM_CMP, CMP_EQ}, {"ne", N_NUM_CMP, CMP_LT | CMP_GT},
    {"lt", N_NUM_CMP, CMP_LT}, {"le", N_NUM_CMP, CMP_LT | CMP_EQ},
    {"gt", N_NUM_CMP, CMP_GT}, {"ge", N_NUM_CMP, CMP_GT | CMP_EQ},
    {"ipmatch", N_IPMATCH, 0},
    {"strmatch", N_STRMATCH, 0},
    {"strcmatch", N_STRMATCH, APR_FNM_CASE_BLIND},
    {"fnmatch", N_STRMATCH, APR_FNM_PATHNAME},
};

/* The binary operator after a word: sets *kind and *want, or fails. */
static int parse_operator(parser_t *ps, node_kind_t *kind, int *want)
{
    const char *start;

    skip_blanks(ps);
    start = ps->s;
    if (*ps->s == '-' && apr_isalpha(ps->s[1])) {
        const char *name;
        ps->s++;
        name = identifier(ps);
        for (size_t i = 0; i < sizeof(dash_ops) / sizeof(dash_ops[0]); i++) {
            if (strcmp(name, dash_ops[i].name) == 0) {
                *kind = dash_ops[i].kind;
                *want = dash_ops[i].want;
                return 1;
            }
        }
        fail_at(ps, start, "unknown operator '-%s'", name);
        return 0;
    }
    if (accept_keyword(ps, "in")) {
        *kind = N_IN;
        return 1;
    }
    for (size_t i = 0; i < sizeof(symbolic_ops) / sizeof(symbolic_ops[0]); i++) {
        if (accept_token(ps, symbolic_ops[i].token)) {
            *kind = symbolic_ops[i].kind;
            *want = symbolic_ops[i].want;
            return 1;
        }
    }
    if (!*ps->s) {
        fail_at(ps, start, "expected an operator, found the end");
        return 0;
    }
    fail_at(ps, start, "expected an operator at '%s'", start);
    return 0;
}

/* word op operand */
static node_t *parse_comparison(parser_t *ps)
{
    node_t *n = node_new(ps, N_TRUE);

    if ((n->a = parse_word(ps)) == NULL || !parse_operator(ps, &n->kind, &n->want)) {
        return NULL;
    }
    switch (n->kind) {
    case N_MATCH:
    case N_NOMATCH:
        return parse_regex(ps, n);
    case N_IN:
        return parse_list(ps, n);
    case N_IPMATCH:
        return parse_ipmatch(ps, n);
    default:
        return (n->b = parse_word(ps)) != NULL ? n : NULL;
    }
}

static node_t *parse_or(parser_t *ps);

/* -n word, -z word, -R 'net' (%{REMOTE_ADDR} -ipmatch 'net'); any other unary -x is
 * unknown. */
static node_t *parse_unary_test(parser_t *ps)
{
    const char *start = ps->s;
    const char *name;
    node_t *n;

    ps->s++;
    name = identifier(ps);
    if (strcmp(name, "R") == 0) {
        n = node_new(ps, N_IPMATCH);
        n->a = word_new(ps->p);
        add_piece(n->a, P_VAR)->var = find_variable("REMOTE_ADDR");
        return parse_ipmatch(ps, n);
    }
    if (strcmp(name, "n") != 0 && strcmp(name, "z") != 0) {
        return fail_at(ps, start, "unknown operator '-%s'", name);
    }
    n = node_new(ps, *name == 'n' ? N_NONEMPTY : N_EMPTY);
    return (n->a = parse_word(ps)) != NULL ? n : NULL;
}

/* ! term | ( expr ) | true | false | -n/-z word | comparison */
static node_t *parse_term(parser_t *ps)
{
    node_t *n;

    if (accept_token(ps, "!")) {
        if (!descend(ps)) {
            return NULL;
        }
        n = node_new(ps, N_NOT);
        if ((n->left = parse_term(ps)) == NULL) {
            return NULL;
        }
        ps->depth--;
        return n;
    }
    if (accept_token(ps, "(")) {
        if (!descend(ps) || (n = parse_or(ps)) == NULL) {
            return NULL;
        }
        ps->depth--;
        return accept_token(ps, ")") ? n : fail_at(ps, ps->s, "expected ')'");
    }
    if (accept_keyword(ps, "true")) {
        return node_new(ps, N_TRUE);
    }
    if (accept_keyword(ps, "false")) {
        return node_new(ps, N_FALSE);
    }
    if (ps->s[0] == '-' && apr_isalpha(ps->s[1])) {
        return parse_unary_test(ps);
    }
    return parse_comparison(ps);
}

static node_t *binary(parser_t *ps, node_kind_t kind, node_t *left, node_t *right)
{
    node_t *n;

    if (!left || !right) {
        return NULL;
    }
    n = node_new(ps, kind);
    n->left = left;
    n->right = right;
    return n;
}

static node_t *parse_and(parser_t *ps)
{
    node_t *n = parse_term(ps);

    while (n && accept_token(ps, "&&")) {
        n = binary(ps, N_AND, n, parse_term(ps));
    }
    return n;
}

static node_t *parse_or(parser_t *ps)
{
    node_t *n = parse_and(ps);

    while (n && accept_token(ps, "||")) {
        n = binary(ps, N_OR, n, parse_and(ps));
    }
    return n;
}

KV_DECLARE(kv_expr_t *) kv_expr_parse(apr_pool_t *p, const char *text, const char **err)
{
    parser_t ps = {p, text, text, NULL, 0};
    node_t *n = parse_or(&ps);
    kv_expr_t *e;

    if (n) {
        skip_blanks(&ps);
        if (*ps.s) {
            fail_at(&ps, ps.s, "unexpected '%s'", ps.s);
        }
    }
    if (ps.err) {
        *err = ps.err;
        return NULL;
    }
    e = apr_pcalloc(p, sizeof(*e));
    e->cond = n;
    return e;
}

KV_DECLARE(kv_expr_t *) kv_expr_parse_string(apr_pool_t *p, const char *text, const char **err)
{
    parser_t ps = {p, text, text, NULL, 0};
    word_t *w = word_new(p);
    kv_expr_t *e;

    if (!parse_interpolated(&ps, w, 0)) {
        *err = ps.err;
        return NULL;
    }
    e = apr_pcalloc(p, sizeof(*e));
    e->string = w;
    return e;
}

/* ---- evaluation ---- */

static const char *eval_word(eval_t *ev, const word_t *w);

static const char *backref(eval_t *ev, int n)
{
    if (!ev->matched || ev->match.start[n] < 0) {
        return "";
    }
    return apr_pstrndup(ev->r->pool, ev->subject + ev->match.start[n],
                        (apr_size_t)(ev->match.end[n] - ev->match.start[n]));
}

static const char *eval_piece(eval_t *ev, const piece_t *pc)
{
    const char *arg;

    switch (pc->kind) {
    case P_TEXT:
        return pc->text;
    case P_VAR:
        return variable_value(ev, pc->var);
    case P_MODULE_VAR:
        return or_empty(pc->module_var(ev->r, pc->text));
    case P_BACKREF:
        return backref(ev, pc->n);
    case P_FUNC:
        arg = eval_word(ev, pc->arg);
        return arg ? pc->func(ev, arg) : NULL;
    }
    return NULL;
}

static const char *eval_word(eval_t *ev, const word_t *w)
{
    const piece_t *pc = (const piece_t *)w->pieces->elts;
    apr_array_header_t *parts;

    if (w->pieces->nelts == 1) {
        return eval_piece(ev, pc);
    }
    parts = apr_array_make(ev->r->pool, w->pieces->nelts, sizeof(const char *));
    for (int i = 0; i < w->pieces->nelts; i++) {
        const char *v = eval_piece(ev, &pc[i]);
        if (!v) {
            return NULL;
        }
        *(const char **)apr_array_push(parts) = v;
    }
    return apr_array_pstrcat(ev->r->pool, parts, 0);
}

static int sign_bit(long long d)
{
    return d < 0 ? CMP_LT : d > 0 ? CMP_GT : CMP_EQ;
}

static int to_number(eval_t *ev, const char *s, apr_int64_t *out)
{
    char *end;

    errno = 0;
    *out = apr_strtoi64(s, &end, 10);
    if (!*s || *end || errno) {
        ev->err = apr_psprintf(ev->r->pool, "'%s' is not a number", s);
        return 0;
    }
    return 1;
}

static int eval_compare(eval_t *ev, const node_t *n, const char *a, const char *b)
{
    apr_int64_t x, y;

    if (n->kind == N_STR_CMP) {
        return (sign_bit(strcmp(a, b)) & n->want) != 0;
    }
    if (!to_number(ev, a, &x) || !to_number(ev, b, &y)) {
        return -1;
    }
    return (sign_bit(x < y ? -1 : x > y) & n->want) != 0;
}

static int eval_match(eval_t *ev, const node_t *n, const char *a)
{
    kv_regmatch_t m;
    int hit = kv_regex_match(ev->r->pool, n->re, a, &m);

    if (hit) {
        ev->subject = a;
        ev->match = m;
        ev->matched = 1;
    }
    return n->kind == N_MATCH ? hit : !hit;
}

static int eval_in(eval_t *ev, const node_t *n, const char *a)
{
    word_t *const *w = (word_t *const *)n->list->elts;

    for (int i = 0; i < n->list->nelts; i++) {
        const char *v = eval_word(ev, w[i]);
        if (!v) {
            return -1;
        }
        if (strcmp(a, v) == 0) {
            return 1;
        }
    }
    return 0;
}

/* A numeric address? apr_ipsubnet_create parses without name lookups. */
static int is_ip_address(apr_pool_t *p, const char *s)
{
    apr_ipsubnet_t *ignored;

    return apr_ipsubnet_create(&ignored, s, NULL, p) == APR_SUCCESS;
}

static int eval_ipmatch(eval_t *ev, const node_t *n, const char *addr)
{
    apr_ipsubnet_t *subnet = n->subnet;
    apr_sockaddr_t *sa;

    if (!subnet) {
        char *ip = apr_pstrdup(ev->r->pool, eval_word(ev, n->b));
        char *mask = ip ? strchr(ip, '/') : NULL;
        if (mask) {
            *mask++ = '\0';
        }
        if (!ip || apr_ipsubnet_create(&subnet, ip, mask, ev->r->pool) != APR_SUCCESS) {
            ev->err = ev->err ? ev->err : "bad IP address or network for -ipmatch";
            return -1;
        }
    }
    /* Only numeric addresses: no name lookups on the request path. */
    if (!is_ip_address(ev->r->pool, addr) ||
        apr_sockaddr_info_get(&sa, addr, APR_UNSPEC, 0, 0, ev->r->pool) != APR_SUCCESS) {
        return 0;
    }
    return apr_ipsubnet_test(subnet, sa);
}

static int eval_node(eval_t *ev, const node_t *n);

static int eval_logic(eval_t *ev, const node_t *n)
{
    int l = eval_node(ev, n->left);

    if (l < 0) {
        return -1;
    }
    if (n->kind == N_NOT) {
        return !l;
    }
    /* Short-circuit, as httpd: the right side is not evaluated when the left decides. */
    if ((n->kind == N_AND && !l) || (n->kind == N_OR && l)) {
        return l;
    }
    return eval_node(ev, n->right);
}

static int eval_node(eval_t *ev, const node_t *n)
{
    const char *a;

    switch (n->kind) {
    case N_TRUE:
        return 1;
    case N_FALSE:
        return 0;
    case N_NOT:
    case N_AND:
    case N_OR:
        return eval_logic(ev, n);
    default:
        break;
    }
    if ((a = eval_word(ev, n->a)) == NULL) {
        return -1;
    }
    switch (n->kind) {
    case N_NONEMPTY:
        return *a != '\0';
    case N_EMPTY:
        return *a == '\0';
    case N_MATCH:
    case N_NOMATCH:
        return eval_match(ev, n, a);
    case N_IN:
        return eval_in(ev, n, a);
    case N_IPMATCH:
        return eval_ipmatch(ev, n, a);
    default: {
        const char *b = eval_word(ev, n->b);
        if (b && n->kind == N_STRMATCH) {
            return apr_fnmatch(b, a, n->want) == APR_SUCCESS;
        }
        return b ? eval_compare(ev, n, a, b) : -1;
    }
    }
}

KV_DECLARE(int) kv_expr_eval(kv_request_t *r, const kv_expr_t *e, const char **err)
{
    eval_t ev;
    int res;

    if (!e->cond) {
        *err = "a string expression has no truth value";
        return -1;
    }
    memset(&ev, 0, sizeof(ev));
    ev.r = r;
    res = eval_node(&ev, e->cond);
    if (res < 0) {
        *err = ev.err ? ev.err : "expression evaluation failed";
    }
    return res;
}

KV_DECLARE(const char *) kv_expr_eval_string(kv_request_t *r, const kv_expr_t *e, const char **err)
{
    eval_t ev;
    const char *s;

    if (!e->string) {
        *err = "a boolean expression has no string value";
        return NULL;
    }
    memset(&ev, 0, sizeof(ev));
    ev.r = r;
    if ((s = eval_word(&ev, e->string)) == NULL) {
        *err = ev.err ? ev.err : "expression evaluation failed";
    }
    return s;
}
