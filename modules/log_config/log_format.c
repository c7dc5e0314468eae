/* The access log format compiler and renderer, after httpd's mod_log_config: literal text
 * with \n \r \t \\ escapes, and %-directives with optional status conditions
 * (%400,501{User-agent}i, %!200{Referer}i) and a {argument}. Values from the request are
 * escaped as httpd escapes them (apr_pescape_echo: \xhh, \" and \\), "-" stands for a
 * missing value. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apr_escape.h>
#include <apr_lib.h>
#include <apr_portable.h>
#include <apr_strings.h>

#include "kv_log_items.h"
#include "log_format.h"

#define TIME_BUF 256

typedef struct log_item log_item_t;

/** A directive's value for the request, or NULL for "-". */
typedef const char *(*item_fn)(const log_item_t *it, kv_request_t *r, apr_time_t now);

/* How a %-directive reads its {argument}, set at compile time. */
typedef enum {
    MODE_DEFAULT,
    MODE_SEC,
    MODE_MSEC,
    MODE_USEC,
    MODE_MSEC_FRAC,
    MODE_USEC_FRAC,
    MODE_STRFTIME,
    MODE_CANONICAL,
    MODE_LOCAL,
    MODE_REMOTE,
    MODE_PID,
    MODE_TID,
    MODE_HEXTID
} item_mode_t;

struct log_item {
    item_fn fn;                   /* NULL for literal text */
    kv_log_item_fn added;         /* a code another module registered (item_added) */
    const char *arg;              /* the literal, or the {argument} (NULL if none) */
    item_mode_t mode;             /* the argument, parsed */
    int at_end;                   /* %{end:...}t: the time of logging, not of the request */
    int escape;                   /* escape the value as httpd's ap_escape_logitem */
    int negate;                   /* %!...: log unless the status is listed */
    apr_array_header_t *statuses; /* int; NULL: log whatever the status */
};

/* ---- Values ---- */

static const char *format_off(kv_request_t *r, apr_off_t n)
{
    return apr_off_t_toa(r->pool, n);
}

/* %a and %h: the client (behind trusted proxies, with mod_remoteip); %{c}a and %{c}h: the
 * connection's peer. */
static const char *item_client_ip(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    (void)now;
    return it->arg ? r->connection->client_ip : r->useragent_ip;
}

/* %h: the client's name when HostnameLookups looked it up (or Require host did), else its
 * address; %{c}h: the same of the connection's peer. */
static const char *item_remote_host(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    (void)now;
    return it->arg ? kv_get_peer_host(r, KV_REMOTE_NAME, NULL)
                   : kv_get_remote_host(r, KV_REMOTE_NAME, NULL);
}

static const char *item_local_ip(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    (void)it;
    (void)now;
    return r->connection->local_ip;
}

static const char *item_bytes_clf(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    (void)it;
    (void)now;
    return r->bytes_sent > 0 ? format_off(r, r->bytes_sent) : NULL;
}

static const char *item_bytes(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    (void)it;
    (void)now;
    return format_off(r, r->bytes_sent > 0 ? r->bytes_sent : 0);
}

/* The value of cookie it->arg in the request's Cookie field(s). */
static const char *item_cookie(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    const char *cookies = apr_table_get(r->headers_in, "Cookie");
    size_t n = strlen(it->arg);
    char *copy, *last;

    (void)now;
    if (!cookies) {
        return NULL;
    }
    copy = apr_pstrdup(r->pool, cookies);
    for (char *c = apr_strtok(copy, ";", &last); c; c = apr_strtok(NULL, ";", &last)) {
        while (*c == ' ' || *c == '\t') {
            c++;
        }
        if (strncmp(c, it->arg, n) == 0 && c[n] == '=') {
            return c + n + 1;
        }
    }
    return NULL;
}

static apr_interval_time_t elapsed(kv_request_t *r, apr_time_t now)
{
    return now > r->request_time ? now - r->request_time : 0;
}

static const char *item_duration(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    apr_interval_time_t t = elapsed(r, now);

    switch (it->mode) {
    case MODE_MSEC:
        t = apr_time_as_msec(t);
        break;
    case MODE_USEC:
        break;
    default:
        t = apr_time_sec(t);
        break;
    }
    return apr_psprintf(r->pool, "%" APR_INT64_T_FMT, (apr_int64_t)t);
}

static const char *item_env(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    (void)now;
    return r->subprocess_env ? apr_table_get(r->subprocess_env, it->arg) : NULL;
}

static const char *item_filename(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    (void)it;
    (void)now;
    return r->filename;
}

static const char *item_protocol(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    (void)it;
    (void)now;
    return r->protocol;
}

static const char *item_header_in(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    (void)now;
    return apr_table_get(r->headers_in, it->arg);
}

static const char *item_keepalives(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    (void)it;
    (void)now;
    return apr_itoa(r->pool, r->connection->keepalives);
}

static const char *item_dash(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    (void)it;
    (void)r;
    (void)now;
    return NULL;
}

static const char *item_method(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    (void)it;
    (void)now;
    return r->method;
}

static const char *item_note(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    (void)now;
    return r->notes ? apr_table_get(r->notes, it->arg) : NULL;
}

/* As httpd: Content-Type is the response's type; a field missing from headers_out may
 * still be among the fields sent on errors too. */
static const char *item_header_out(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    const char *v;

    (void)now;
    if (strcasecmp(it->arg, "Content-Type") == 0 && r->content_type) {
        return r->content_type;
    }
    v = apr_table_get(r->headers_out, it->arg);
    return v ? v : apr_table_get(r->err_headers_out, it->arg);
}

static const char *item_port(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    const kv_conn_t *c = r->connection;
    apr_port_t port;

    (void)now;
    switch (it->mode) {
    case MODE_CANONICAL:
        port = r->server->port ? r->server->port : c->local_addr->port;
        break;
    case MODE_REMOTE:
        port = c->client_addr->port;
        break;
    default:
        port = c->local_addr->port;
        break;
    }
    return apr_itoa(r->pool, port);
}

static const char *item_pid(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    unsigned long tid = (unsigned long)apr_os_thread_current();

    (void)now;
    switch (it->mode) {
    case MODE_TID:
        return apr_psprintf(r->pool, "%lu", tid);
    case MODE_HEXTID:
        return apr_psprintf(r->pool, "%lx", tid);
    default:
        return apr_ltoa(r->pool, (long)getpid());
    }
}

static const char *item_query(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    (void)it;
    (void)now;
    return r->args ? apr_pstrcat(r->pool, "?", r->args, NULL) : "";
}

static const char *item_request_line(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    (void)it;
    (void)now;
    return r->the_request;
}

static const char *item_handler(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    (void)it;
    (void)now;
    return r->handler;
}

static const char *item_status(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    (void)it;
    (void)now;
    return r->status ? apr_itoa(r->pool, r->status) : NULL;
}

/* [10/Oct/2000:13:55:36 -0700], in local time: the Common Log Format's timestamp. */
static const char *clf_time(apr_pool_t *p, const apr_time_exp_t *xt)
{
    long off = xt->tm_gmtoff / 60;
    char sign = off < 0 ? '-' : '+';

    off = labs(off);
    return apr_psprintf(p, "[%02d/%s/%d:%02d:%02d:%02d %c%02ld%02ld]", xt->tm_mday,
                        apr_month_snames[xt->tm_mon], xt->tm_year + 1900, xt->tm_hour, xt->tm_min,
                        xt->tm_sec, sign, off / 60, off % 60);
}

static const char *item_time(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    apr_time_t t = it->at_end ? now : r->request_time;
    apr_time_exp_t xt;
    apr_size_t n;
    char *buf;

    switch (it->mode) {
    case MODE_SEC:
        return apr_psprintf(r->pool, "%" APR_TIME_T_FMT, apr_time_sec(t));
    case MODE_MSEC:
        return apr_psprintf(r->pool, "%" APR_TIME_T_FMT, apr_time_as_msec(t));
    case MODE_USEC:
        return apr_psprintf(r->pool, "%" APR_TIME_T_FMT, t);
    case MODE_MSEC_FRAC:
        return apr_psprintf(r->pool, "%03" APR_TIME_T_FMT, apr_time_msec(t));
    case MODE_USEC_FRAC:
        return apr_psprintf(r->pool, "%06" APR_TIME_T_FMT, apr_time_usec(t));
    default:
        break;
    }
    apr_time_exp_lt(&xt, t);
    if (it->mode != MODE_STRFTIME) {
        return clf_time(r->pool, &xt);
    }
    buf = apr_palloc(r->pool, TIME_BUF);
    /* A time that does not fit gives n == 0 and leaves the buffer without its NUL. */
    if (apr_strftime(buf, &n, TIME_BUF, it->arg, &xt) != APR_SUCCESS || n == 0) {
        return NULL;
    }
    return buf;
}

static const char *item_user(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    (void)it;
    (void)now;
    if (!r->user) {
        return NULL;
    }
    return r->user[0] ? apr_pescape_echo(r->pool, r->user, 1) : "\"\"";
}

static const char *item_uri(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    (void)it;
    (void)now;
    return r->uri ? apr_pescape_path(r->pool, r->uri, 1) : NULL;
}

static const char *item_server_name(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    (void)it;
    (void)now;
    return r->server->server_hostname;
}

static const char *item_host_name(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    (void)it;
    (void)now;
    return r->hostname ? r->hostname : r->server->server_hostname;
}

/* X: aborted; +: may be kept alive after the response; -: closed after it. */
static const char *item_conn_status(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    (void)it;
    (void)now;
    if (r->connection->aborted) {
        return "X";
    }
    return r->close_connection ? "-" : "+";
}

/* A code another module added (kv_log_register_item): the value is as it gives it. */
static const char *item_added(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    (void)now;
    return it->added(r, it->arg);
}

/* ---- Arguments, parsed at compile time ---- */

static const char *prep_named(apr_pool_t *p, log_item_t *it, char letter)
{
    if (!it->arg || !*it->arg) {
        return apr_psprintf(p, "%%%c needs an argument: %%{name}%c", letter, letter);
    }
    return NULL;
}

/* %{c}a and %{c}h: the peer of the connection, which kiva always logs. */
static const char *prep_peer(apr_pool_t *p, log_item_t *it, char letter)
{
    if (it->arg && strcmp(it->arg, "c") != 0) {
        return apr_psprintf(p, "%%{%s}%c: the only argument is c", it->arg, letter);
    }
    return NULL;
}

static const char *prep_duration(apr_pool_t *p, log_item_t *it, char letter)
{
    (void)letter;
    if (!it->arg || strcmp(it->arg, "s") == 0) {
        it->mode = MODE_SEC;
    } else if (strcmp(it->arg, "ms") == 0) {
        it->mode = MODE_MSEC;
    } else if (strcmp(it->arg, "us") == 0) {
        it->mode = MODE_USEC;
    } else {
        return apr_psprintf(p, "%%{%s}T: the unit is s, ms or us", it->arg);
    }
    return NULL;
}

static const char *prep_usec(apr_pool_t *p, log_item_t *it, char letter)
{
    (void)p;
    (void)letter;
    it->mode = MODE_USEC;
    return NULL;
}

static const char *prep_port(apr_pool_t *p, log_item_t *it, char letter)
{
    (void)letter;
    if (!it->arg || strcmp(it->arg, "local") == 0) {
        it->mode = MODE_LOCAL;
    } else if (strcmp(it->arg, "canonical") == 0) {
        it->mode = MODE_CANONICAL;
    } else if (strcmp(it->arg, "remote") == 0) {
        it->mode = MODE_REMOTE;
    } else {
        return apr_psprintf(p, "%%{%s}p: the argument is canonical, local or remote", it->arg);
    }
    return NULL;
}

static const char *prep_pid(apr_pool_t *p, log_item_t *it, char letter)
{
    (void)letter;
    if (!it->arg || strcmp(it->arg, "pid") == 0) {
        it->mode = MODE_PID;
    } else if (strcmp(it->arg, "tid") == 0) {
        it->mode = MODE_TID;
    } else if (strcmp(it->arg, "hextid") == 0) {
        it->mode = MODE_HEXTID;
    } else {
        return apr_psprintf(p, "%%{%s}P: the argument is pid, tid or hextid", it->arg);
    }
    return NULL;
}

/* %{[begin:|end:]format}t, format being a strftime format or sec, msec, usec, msec_frac,
 * usec_frac; no format is the Common Log Format's timestamp. */
static const char *prep_time(apr_pool_t *p, log_item_t *it, char letter)
{
    static const struct {
        const char *name;
        item_mode_t mode;
    } numeric[] = {{"sec", MODE_SEC},
                   {"msec", MODE_MSEC},
                   {"usec", MODE_USEC},
                   {"msec_frac", MODE_MSEC_FRAC},
                   {"usec_frac", MODE_USEC_FRAC}};
    const char *a = it->arg;

    (void)p;
    (void)letter;
    if (!a) {
        return NULL;
    }
    if (strncmp(a, "begin:", 6) == 0) {
        a += 6;
    } else if (strncmp(a, "end:", 4) == 0) {
        a += 4;
        it->at_end = 1;
    }
    it->arg = a;
    if (*a == '\0') {
        return NULL;
    }
    it->mode = MODE_STRFTIME;
    for (size_t i = 0; i < sizeof(numeric) / sizeof(numeric[0]); i++) {
        if (strcmp(a, numeric[i].name) == 0) {
            it->mode = numeric[i].mode;
        }
    }
    return NULL;
}

/* ---- The directive table ---- */

typedef struct {
    char letter;
    item_fn fn;
    const char *(*prepare)(apr_pool_t *p, log_item_t *it, char letter);
    int escape;
} directive_t;

static const directive_t directives[] = {
    {'a', item_client_ip, prep_peer, 1},
    {'A', item_local_ip, NULL, 1},
    {'b', item_bytes_clf, NULL, 0},
    {'B', item_bytes, NULL, 0},
    {'C', item_cookie, prep_named, 1},
    {'D', item_duration, prep_usec, 0},
    {'e', item_env, prep_named, 1},
    {'f', item_filename, NULL, 1},
    {'h', item_remote_host, prep_peer, 1},
    {'H', item_protocol, NULL, 1},
    {'i', item_header_in, prep_named, 1},
    {'k', item_keepalives, NULL, 0},
    {'l', item_dash, NULL, 0},
    {'m', item_method, NULL, 1},
    {'n', item_note, prep_named, 1},
    {'o', item_header_out, prep_named, 1},
    {'p', item_port, prep_port, 0},
    {'P', item_pid, prep_pid, 0},
    {'q', item_query, NULL, 1},
    {'r', item_request_line, NULL, 1},
    {'R', item_handler, NULL, 1},
    {'s', item_status, NULL, 0},
    {'t', item_time, prep_time, 0},
    {'T', item_duration, prep_duration, 0},
    {'u', item_user, NULL, 0}, /* escapes itself: "" for an empty user */
    {'U', item_uri, NULL, 0},
    {'v', item_server_name, NULL, 1},
    {'V', item_host_name, NULL, 1},
    {'X', item_conn_status, NULL, 0},
};

static const directive_t *find_directive(char letter)
{
    for (size_t i = 0; i < sizeof(directives) / sizeof(directives[0]); i++) {
        if (directives[i].letter == letter) {
            return &directives[i];
        }
    }
    return NULL;
}

/* ---- The compiler ---- */

static log_item_t *new_item(apr_array_header_t *items)
{
    log_item_t *it = apr_array_push(items);

    memset(it, 0, sizeof(*it));
    return it;
}

/* Literal text up to the next '%', with httpd's escapes \n \r \t \\ (any other backslash
 * stays as written). */
static const char *parse_literal(apr_pool_t *p, const char *s, log_item_t *it)
{
    char *out = apr_palloc(p, strlen(s) + 1), *d = out;

    while (*s && *s != '%') {
        if (*s == '\\' && s[1] && strchr("nrt\\", s[1])) {
            s++;
            *d++ = *s == 'n' ? '\n' : *s == 'r' ? '\r' : *s == 't' ? '\t' : '\\';
            s++;
        } else {
            *d++ = *s++;
        }
    }
    *d = '\0';
    it->arg = out;
    return s;
}

/* A status code of a condition (%400,501...); *s is on its first digit. */
static const char *parse_status(apr_pool_t *p, const char **s, log_item_t *it)
{
    char *end;
    long code = strtol(*s, &end, 10);

    if (code < 100 || code > 999) {
        return apr_psprintf(p, "bad status code %.*s in a condition", (int)(end - *s), *s);
    }
    if (!it->statuses) {
        it->statuses = apr_array_make(p, 2, sizeof(int));
    }
    APR_ARRAY_PUSH(it->statuses, int) = (int)code;
    *s = end;
    return NULL;
}

/* A code of ^ and two characters (%^FB): only modules add those. */
static const char *parse_added(apr_pool_t *p, const char **s, log_item_t *it)
{
    const char *c = *s;
    const char *code;

    if (!c[1] || !c[2]) {
        return "the format ends inside a %-directive";
    }
    code = apr_pstrmemdup(p, c, 3);
    if ((it->added = kv_log_find_item(code)) == NULL) {
        return apr_psprintf(p, "unrecognized directive %%%s", code);
    }
    *s += 3;
    it->fn = item_added;
    return NULL;
}

/* One %-directive; *s is just past the '%'. */
static const char *parse_directive(apr_pool_t *p, const char **s, log_item_t *it)
{
    const char *err;

    for (;;) {
        const char *c = *s;
        const directive_t *d;

        switch (*c) {
        case '\0':
            return "the format ends inside a %-directive";
        case '!':
            it->negate = 1;
            (*s)++;
            continue;
        case '<':
        case '>':
        case ',':
            (*s)++; /* no internal redirects: original and final status are one */
            continue;
        case '{': {
            const char *close = strchr(c, '}');
            if (!close) {
                return "a %{ has no closing }";
            }
            it->arg = apr_pstrmemdup(p, c + 1, (apr_size_t)(close - c - 1));
            *s = close + 1;
            continue;
        }
        case '%':
            it->arg = "%";
            (*s)++;
            return NULL;
        default:
            break;
        }
        if (apr_isdigit(*c)) {
            if ((err = parse_status(p, s, it)) != NULL) {
                return err;
            }
            continue;
        }
        if (*c == '^') {
            return parse_added(p, s, it);
        }
        /* as httpd's log_register_handler, a module's code replaces a built-in one */
        if ((it->added = kv_log_find_item(apr_pstrmemdup(p, c, 1))) != NULL) {
            (*s)++;
            it->fn = item_added;
            return NULL;
        }
        d = find_directive(*c);
        if (!d) {
            return apr_psprintf(p, "unrecognized directive %%%c", *c);
        }
        (*s)++;
        it->fn = d->fn;
        it->escape = d->escape;
        return d->prepare ? d->prepare(p, it, d->letter) : NULL;
    }
}

const char *log_format_compile(apr_pool_t *p, const char *text, log_format_t **out)
{
    log_format_t *f = apr_pcalloc(p, sizeof(*f));
    const char *s = text;

    f->text = apr_pstrdup(p, text);
    f->items = apr_array_make(p, 8, sizeof(log_item_t));
    while (*s) {
        log_item_t *it = new_item(f->items);
        const char *err;

        if (*s != '%') {
            s = parse_literal(p, s, it);
            continue;
        }
        s++;
        if ((err = parse_directive(p, &s, it)) != NULL) {
            return err;
        }
    }
    *out = f;
    return NULL;
}

/* ---- The renderer ---- */

static int status_listed(const apr_array_header_t *statuses, int status)
{
    for (int i = 0; i < statuses->nelts; i++) {
        if (APR_ARRAY_IDX(statuses, i, int) == status) {
            return 1;
        }
    }
    return 0;
}

/* Does the item's status condition (if any) let it log? */
static int condition_holds(const log_item_t *it, const kv_request_t *r)
{
    if (!it->statuses) {
        return 1;
    }
    return status_listed(it->statuses, r->status) != it->negate;
}

static const char *item_value(const log_item_t *it, kv_request_t *r, apr_time_t now)
{
    const char *v;

    if (!it->fn) {
        return it->arg;
    }
    if (!condition_holds(it, r) || (v = it->fn(it, r, now)) == NULL) {
        return "-";
    }
    return it->escape ? apr_pescape_echo(r->pool, v, 1) : v;
}

char *log_format_render(const log_format_t *fmt, kv_request_t *r, apr_time_t now, apr_size_t *len)
{
    int n = fmt->items->nelts;
    const char **values = apr_palloc(r->pool, sizeof(*values) * (apr_size_t)(n > 0 ? n : 1));
    apr_size_t *lens = apr_palloc(r->pool, sizeof(*lens) * (apr_size_t)(n > 0 ? n : 1));
    apr_size_t total = 1;
    char *line, *d;

    for (int i = 0; i < n; i++) {
        values[i] = item_value(&APR_ARRAY_IDX(fmt->items, i, log_item_t), r, now);
        lens[i] = strlen(values[i]);
        total += lens[i];
    }
    line = d = apr_palloc(r->pool, total + 1);
    for (int i = 0; i < n; i++) {
        memcpy(d, values[i], lens[i]);
        d += lens[i];
    }
    *d++ = '\n';
    *d = '\0';
    *len = total;
    return line;
}
