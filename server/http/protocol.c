/*
 * The HTTP/1.1 request-head parser: bytes in, struct out (RFC 9112 section 2-5).
 *
 * A call makes two passes over the buffer. The first validates every line as far as the bytes
 * go, without allocating, so an incomplete or bad head costs the pool nothing and a limit is
 * reported as soon as it is crossed. The second, only once the whole head is valid, copies the
 * pieces into the pool; it can no longer fail.
 */
#include <limits.h>
#include <string.h>

#include <apr_cstr.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_uri.h>

#include "http_host.h"
#include "kv_request.h"
#include "protocol.h"

/* A run of bytes in the buffer, not NUL-terminated. */
typedef struct {
    const char *s;
    apr_size_t len;
} span_t;

/* One line of the head: its content, and where the next line starts. */
typedef struct {
    span_t text;
    apr_size_t next;
} line_t;

typedef enum { LINE_OK, LINE_AGAIN, LINE_TOO_LONG, LINE_BARE_CR } line_result_t;

/* The three parts of a request line. */
typedef struct {
    span_t method, target, version;
} request_line_t;

/* A field line split at its colon; the value is trimmed of SP and HTAB. */
typedef struct {
    span_t name, value;
} field_t;

/* Where the first pass found things, for the second. */
typedef struct {
    span_t request_line;
    apr_size_t fields_start;
    apr_size_t end;
    int nfields;
} head_layout_t;

static int fail(kv_request_head_t *out, int status, const char *reason)
{
    out->status = status;
    out->reason = reason;
    return KV_PARSE_ERROR;
}

static int is_line_end(char c)
{
    return c == '\r' || c == '\n';
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

int kv_is_tchar(char c)
{
    return apr_isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* CTLs and DEL: never allowed raw in a request-target. */
static int is_ctl(char c)
{
    unsigned char u = (unsigned char)c;
    return u < 0x20 || u == 0x7f;
}

static int is_token(span_t t)
{
    apr_size_t i;

    if (t.len == 0) {
        return 0;
    }
    for (i = 0; i < t.len; i++) {
        if (!kv_is_tchar(t.s[i])) {
            return 0;
        }
    }
    return 1;
}

static int has_ctl(span_t t)
{
    apr_size_t i;

    for (i = 0; i < t.len; i++) {
        if (is_ctl(t.s[i])) {
            return 1;
        }
    }
    return 0;
}

/* field-value of RFC 9110 section 5.5: VCHAR, obs-text, SP and HTAB. */
static int is_field_value(span_t v)
{
    apr_size_t i;

    for (i = 0; i < v.len; i++) {
        if (is_ctl(v.s[i]) && v.s[i] != '\t') {
            return 0;
        }
    }
    return 1;
}

static int span_is_nocase(span_t t, const char *s)
{
    return t.len == strlen(s) && apr_cstr_casecmpn(t.s, s, t.len) == 0;
}

/*
 * Find the line starting at pos. Its content may hold at most max bytes: with more, and no
 * line end among them, the line is already too long whatever comes next. A bare LF ends a
 * line too; a CR must be followed by LF.
 */
static line_result_t next_line(const char *buf, apr_size_t len, apr_size_t pos, apr_size_t max,
                               line_t *l)
{
    apr_size_t end = len - pos > max ? pos + max + 1 : len;
    apr_size_t i = pos;

    while (i < end && !is_line_end(buf[i])) {
        i++;
    }
    if (i - pos > max) {
        return LINE_TOO_LONG;
    }
    if (i == len || (buf[i] == '\r' && i + 1 == len)) {
        return LINE_AGAIN;
    }
    if (buf[i] == '\r' && buf[i + 1] != '\n') {
        return LINE_BARE_CR;
    }
    l->text.s = buf + pos;
    l->text.len = i - pos;
    l->next = i + (buf[i] == '\r' ? 2 : 1);
    return LINE_OK;
}

static int line_failure(line_result_t rc, kv_request_head_t *out, int too_long_status,
                        const char *too_long_reason)
{
    if (rc == LINE_AGAIN) {
        return KV_PARSE_AGAIN;
    }
    if (rc == LINE_TOO_LONG) {
        return fail(out, too_long_status, too_long_reason);
    }
    return fail(out, KV_HTTP_BAD_REQUEST, "bare CR in request head");
}

/* Split at the first two spaces. 0, or the reason the line has fewer than three parts. */
static const char *split_request_line(span_t line, request_line_t *rl)
{
    const char *sp1 = memchr(line.s, ' ', line.len);
    const char *end = line.s + line.len;
    const char *sp2;

    if (sp1 == NULL) {
        return "request line without target";
    }
    sp2 = memchr(sp1 + 1, ' ', (apr_size_t)(end - sp1 - 1));
    if (sp2 == NULL) {
        return "request line without HTTP version";
    }
    rl->method = (span_t){line.s, (apr_size_t)(sp1 - line.s)};
    rl->target = (span_t){sp1 + 1, (apr_size_t)(sp2 - sp1 - 1)};
    rl->version = (span_t){sp2 + 1, (apr_size_t)(end - sp2 - 1)};
    return NULL;
}

/* Exactly "HTTP/" DIGIT "." DIGIT, case-sensitive. */
static int is_http_version(span_t v)
{
    return v.len == 8 && memcmp(v.s, "HTTP/", 5) == 0 && apr_isdigit(v.s[5]) && v.s[6] == '.' &&
           apr_isdigit(v.s[7]);
}

static int version_number(span_t v)
{
    return KV_HTTP_VERSION(v.s[5] - '0', v.s[7] - '0');
}

static int validate_request_line(span_t line, kv_request_head_t *out)
{
    request_line_t rl;
    const char *why;

    if (memchr(line.s, '\0', line.len) != NULL) {
        return fail(out, KV_HTTP_BAD_REQUEST, "NUL in request line");
    }
    why = split_request_line(line, &rl);
    if (why != NULL) {
        return fail(out, KV_HTTP_BAD_REQUEST, why);
    }
    if (!is_token(rl.method)) {
        return fail(out, KV_HTTP_BAD_REQUEST, "invalid method");
    }
    if (rl.target.len == 0 || has_ctl(rl.target)) {
        return fail(out, KV_HTTP_BAD_REQUEST, "invalid request target");
    }
    if (!is_http_version(rl.version)) {
        return fail(out, KV_HTTP_BAD_REQUEST, "invalid HTTP version");
    }
    if (rl.version.s[5] != '1') {
        return fail(out, KV_HTTP_VERSION_NOT_SUPPORTED, "unsupported HTTP version");
    }
    return 0;
}

/* Split at the colon and trim the value. 0, or -1 if there is no colon. */
static int split_field(span_t line, field_t *f)
{
    const char *colon = memchr(line.s, ':', line.len);
    const char *v, *end = line.s + line.len;

    if (colon == NULL) {
        return -1;
    }
    for (v = colon + 1; v < end && is_ows(*v); v++) {
    }
    while (end > v && is_ows(end[-1])) {
        end--;
    }
    f->name = (span_t){line.s, (apr_size_t)(colon - line.s)};
    f->value = (span_t){v, (apr_size_t)(end - v)};
    return 0;
}

static int has_ows(span_t t)
{
    return memchr(t.s, ' ', t.len) != NULL || memchr(t.s, '\t', t.len) != NULL;
}

kv_field_fault_t kv_check_field_line(const char *line, apr_size_t len, kv_field_line_t *out)
{
    span_t l = {line, len};
    field_t f;

    if (len > 0 && is_ows(line[0])) {
        return KV_FIELD_FOLDED;
    }
    if (split_field(l, &f) != 0) {
        return KV_FIELD_NO_COLON;
    }
    if (has_ows(f.name)) {
        return KV_FIELD_SPACE_IN_NAME;
    }
    if (!is_token(f.name)) {
        return KV_FIELD_BAD_NAME;
    }
    if (!is_field_value(f.value)) {
        return KV_FIELD_BAD_VALUE;
    }
    *out = (kv_field_line_t){f.name.s, f.name.len, f.value.s, f.value.len};
    return KV_FIELD_OK;
}

static int validate_field_line(span_t line, int *hosts, kv_request_head_t *out)
{
    static const char *const reasons[] = {
        [KV_FIELD_FOLDED] = "folded or indented header field",
        [KV_FIELD_NO_COLON] = "header field without colon",
        [KV_FIELD_SPACE_IN_NAME] = "whitespace in header field name",
        [KV_FIELD_BAD_NAME] = "invalid header field name",
        [KV_FIELD_BAD_VALUE] = "control character in header field value",
    };
    kv_field_line_t f;
    kv_field_fault_t fault = kv_check_field_line(line.s, line.len, &f);

    if (fault != KV_FIELD_OK) {
        return fail(out, KV_HTTP_BAD_REQUEST, reasons[fault]);
    }
    if (span_is_nocase((span_t){f.name, f.name_len}, "Host") && ++*hosts > 1) {
        return fail(out, KV_HTTP_BAD_REQUEST, "more than one Host field");
    }
    return 0;
}

static int too_many_fields(const kv_parse_limits_t *lim, int nfields)
{
    return lim->fields_max > 0 && nfields >= lim->fields_max;
}

/* Skip the empty lines before the request line, then find and validate it. */
static int scan_request_line(const char *buf, apr_size_t len, const kv_parse_limits_t *lim,
                             line_t *l, kv_request_head_t *out)
{
    apr_size_t pos = 0;
    line_result_t rc;
    int blank = 0;

    for (;;) {
        rc = next_line(buf, len, pos, lim->line_max, l);
        if (rc != LINE_OK) {
            return line_failure(rc, out, KV_HTTP_REQUEST_URI_TOO_LARGE, "request line too long");
        }
        if (l->text.len > 0) {
            return validate_request_line(l->text, out);
        }
        if (++blank > KV_PARSE_MAX_BLANK_LINES) {
            return fail(out, KV_HTTP_BAD_REQUEST, "too many empty lines before request line");
        }
        pos = l->next;
    }
}

/* First pass: validate as far as the bytes go. 0 once the whole head is valid. */
static int scan_head(const char *buf, apr_size_t len, const kv_parse_limits_t *lim,
                     head_layout_t *layout, kv_request_head_t *out)
{
    line_t l;
    line_result_t rc;
    int hosts = 0;
    int rv = scan_request_line(buf, len, lim, &l, out);

    if (rv != 0) {
        return rv;
    }
    layout->request_line = l.text;
    layout->fields_start = l.next;
    layout->nfields = 0;
    for (;;) {
        /* The first byte of one field too many is already an error. */
        if (too_many_fields(lim, layout->nfields) && l.next < len && !is_line_end(buf[l.next])) {
            return fail(out, KV_HTTP_BAD_REQUEST, "too many header fields");
        }
        rc = next_line(buf, len, l.next, lim->field_size_max, &l);
        if (rc != LINE_OK) {
            return line_failure(rc, out, KV_HTTP_BAD_REQUEST, "header field too long");
        }
        if (l.text.len == 0) {
            break;
        }
        rv = validate_field_line(l.text, &hosts, out);
        if (rv != 0) {
            return rv;
        }
        layout->nfields++;
    }
    if (l.next > INT_MAX) {
        return fail(out, KV_HTTP_BAD_REQUEST, "request head too large");
    }
    layout->end = l.next;
    return 0;
}

static const char *span_dup(apr_pool_t *p, span_t t)
{
    return apr_pstrmemdup(p, t.s, t.len);
}

/* Second pass: the head is valid; copy it into the pool. */
static void copy_head(apr_pool_t *p, const char *buf, const head_layout_t *layout,
                      kv_request_head_t *out)
{
    request_line_t rl;
    line_t l = {.next = layout->fields_start};
    field_t f;

    split_request_line(layout->request_line, &rl);
    out->request_line = span_dup(p, layout->request_line);
    out->method = span_dup(p, rl.method);
    out->method_number = kv_method_number(out->method);
    out->target = span_dup(p, rl.target);
    out->protocol = span_dup(p, rl.version);
    out->proto_num = version_number(rl.version);
    out->headers = apr_table_make(p, layout->nfields);
    while (next_line(buf, layout->end, l.next, layout->end, &l) == LINE_OK && l.text.len > 0) {
        split_field(l.text, &f);
        apr_table_addn(out->headers, span_dup(p, f.name), span_dup(p, f.value));
    }
}

int kv_parse_request_head(apr_pool_t *p, const char *buf, apr_size_t len,
                          const kv_parse_limits_t *lim, kv_request_head_t *out)
{
    head_layout_t layout;
    int rv;

    memset(out, 0, sizeof(*out));
    rv = scan_head(buf, len, lim, &layout, out);
    if (rv != 0) {
        return rv;
    }
    copy_head(p, buf, &layout, out);
    return (int)layout.end;
}

int kv_request_line_received(apr_pool_t *p, const char *buf, apr_size_t len,
                             const kv_parse_limits_t *lim, const char **line)
{
    kv_request_head_t ignored;
    line_t l;

    if (scan_request_line(buf, len, lim, &l, &ignored) != 0) {
        return 0;
    }
    *line = span_dup(p, l.text);
    return 1;
}

int kv_parse_content_length(const char *s, apr_off_t *out)
{
    const apr_off_t max = (apr_off_t)((APR_UINT64_C(1) << (sizeof(apr_off_t) * CHAR_BIT - 1)) - 1);
    apr_off_t v = 0;

    if (!apr_isdigit(*s)) {
        return -1;
    }
    for (; apr_isdigit(*s); s++) {
        int d = *s - '0';
        if (v > (max - d) / 10) {
            return -1;
        }
        v = v * 10 + d;
    }
    if (*s != '\0') {
        return -1;
    }
    *out = v;
    return 0;
}

static void split_query(apr_pool_t *p, const char *target, const char **path, const char **args)
{
    const char *q = strchr(target, '?');

    *path = q ? apr_pstrmemdup(p, target, (apr_size_t)(q - target)) : apr_pstrdup(p, target);
    *args = q ? apr_pstrdup(p, q + 1) : NULL;
}

/* absolute-form: only "http", with a valid non-empty authority, without userinfo. */
static int split_absolute(apr_pool_t *p, const char *target, const char **path, const char **args,
                          const char **host)
{
    apr_uri_t u;
    kv_host_t authority;
    const char *why;

    if (apr_uri_parse(p, target, &u) != APR_SUCCESS || u.scheme == NULL ||
        apr_cstr_casecmp(u.scheme, "http") != 0 || u.hostinfo == NULL || u.user != NULL ||
        u.password != NULL || kv_parse_host(p, u.hostinfo, &authority, &why) != 0 ||
        authority.name[0] == '\0') {
        return KV_HTTP_BAD_REQUEST;
    }
    *path = u.path != NULL && u.path[0] != '\0' ? u.path : "/";
    *args = u.query;
    *host = u.hostinfo;
    return 0;
}

int kv_split_target(apr_pool_t *p, const char *target, const char **path, const char **args,
                    const char **host)
{
    /* A fragment is never sent (RFC 9112 section 3.2); its '#' would hide part of the path. */
    if (strchr(target, '#') != NULL) {
        return KV_HTTP_BAD_REQUEST;
    }
    if (target[0] == '/') {
        split_query(p, target, path, args);
        *host = NULL;
        return 0;
    }
    if (strcmp(target, "*") == 0) {
        *path = "*";
        *args = NULL;
        *host = NULL;
        return 0;
    }
    return split_absolute(p, target, path, args, host);
}

KV_DECLARE(kv_method_t) kv_method_number(const char *method)
{
    static const struct {
        const char *name;
        kv_method_t number;
    } methods[] = {
        {"GET", KV_M_GET},     {"HEAD", KV_M_HEAD},       {"POST", KV_M_POST},
        {"PUT", KV_M_PUT},     {"DELETE", KV_M_DELETE},   {"OPTIONS", KV_M_OPTIONS},
        {"TRACE", KV_M_TRACE}, {"CONNECT", KV_M_CONNECT}, {"PATCH", KV_M_PATCH},
    };
    apr_size_t i;

    for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        if (strcmp(method, methods[i].name) == 0) {
            return methods[i].number;
        }
    }
    return KV_M_OTHER;
}
