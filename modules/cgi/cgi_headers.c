/* Reads and interprets the header block of a CGI script's output (RFC 3875 section 6). */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "cgi_headers.h"

void cgi_head_init(cgi_head_t *h, apr_pool_t *p)
{
    memset(h, 0, sizeof(*h));
    h->pool = p;
    h->line = apr_palloc(p, CGI_HEAD_MAX_LINE + 1);
    h->fields = apr_table_make(p, 8);
    h->state = CGI_HEAD_MORE;
}

static cgi_head_state_t refuse(cgi_head_t *h, const char *why)
{
    h->error = why;
    return h->state = CGI_HEAD_BAD;
}

/* A field name: a token (RFC 9110 section 5.6.2). */
static int is_field_name(const char *s, apr_size_t n)
{
    static const char specials[] = "!#$%&'*+-.^_`|~";

    if (n == 0) {
        return 0;
    }
    for (apr_size_t i = 0; i < n; i++) {
        if (!apr_isalnum(s[i]) && !strchr(specials, s[i])) {
            return 0;
        }
    }
    return 1;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Add the folded continuation @a text to the last field (obsolete, but scripts write it). */
static cgi_head_state_t fold_line(cgi_head_t *h, const char *text)
{
    const apr_array_header_t *arr = apr_table_elts(h->fields);
    apr_table_entry_t *last;

    if (arr->nelts == 0) {
        return refuse(h, apr_psprintf(h->pool, "continuation line before any field: %s", text));
    }
    last = &APR_ARRAY_IDX(arr, arr->nelts - 1, apr_table_entry_t);
    last->val = apr_pstrcat(h->pool, last->val, " ", text, NULL);
    return CGI_HEAD_MORE;
}

/* One complete line (no CR LF) of the head. */
static cgi_head_state_t take_line(cgi_head_t *h, char *line)
{
    char *colon, *value, *end;

    if (*line == '\0') {
        return h->state = CGI_HEAD_DONE;
    }
    if (is_blank(*line)) {
        while (is_blank(*line)) {
            line++;
        }
        return fold_line(h, line);
    }
    colon = strchr(line, ':');
    if (!colon || !is_field_name(line, (apr_size_t)(colon - line))) {
        return refuse(h, apr_psprintf(h->pool, "Bad header: %.64s", line));
    }
    if (apr_table_elts(h->fields)->nelts >= CGI_HEAD_MAX_FIELDS) {
        return refuse(h, apr_psprintf(h->pool, "more than %d header fields",
                                      CGI_HEAD_MAX_FIELDS));
    }
    *colon = '\0';
    for (value = colon + 1; is_blank(*value); value++) {
    }
    for (end = value + strlen(value); end > value && is_blank(end[-1]); end--) {
    }
    *end = '\0';
    apr_table_add(h->fields, line, value);
    return CGI_HEAD_MORE;
}

cgi_head_state_t cgi_head_feed(cgi_head_t *h, const char *buf, apr_size_t len,
                               apr_size_t *used)
{
    apr_size_t i = 0;

    while (i < len && h->state == CGI_HEAD_MORE) {
        char c = buf[i++];

        if (c != '\n') {
            if (h->len == CGI_HEAD_MAX_LINE) {
                *used = i;
                return refuse(h, apr_psprintf(h->pool, "header line longer than %d bytes",
                                              CGI_HEAD_MAX_LINE));
            }
            h->line[h->len++] = c;
            continue;
        }
        if (h->len > 0 && h->line[h->len - 1] == '\r') {
            h->len--;
        }
        h->line[h->len] = '\0';
        h->len = 0;
        take_line(h, apr_pstrdup(h->pool, h->line));
    }
    *used = i;
    return h->state;
}

/* "404 Not Found" or "404": a three-digit code, then an optional reason. */
static const char *parse_status(apr_pool_t *p, const char *value, cgi_response_t *out)
{
    if (!apr_isdigit(value[0]) || !apr_isdigit(value[1]) || !apr_isdigit(value[2]) ||
        (value[3] != '\0' && !is_blank(value[3])) || value[0] == '0') {
        return apr_psprintf(p, "invalid Status: %.64s", value);
    }
    out->status = (value[0] - '0') * 100 + (value[1] - '0') * 10 + (value[2] - '0');
    for (value += 3; is_blank(*value); value++) {
    }
    out->reason = *value ? apr_pstrdup(p, value) : NULL;
    return NULL;
}

/* Fields that describe the script's end of the pipe, not the response kiva frames. */
static int is_framing_field(const char *name)
{
    return strcasecmp(name, "Content-Length") == 0 ||
           strcasecmp(name, "Transfer-Encoding") == 0 || strcasecmp(name, "Connection") == 0 ||
           strcasecmp(name, "Keep-Alive") == 0;
}

const char *cgi_head_interpret(apr_pool_t *p, const apr_table_t *fields, cgi_response_t *out)
{
    const apr_array_header_t *arr = apr_table_elts(fields);

    memset(out, 0, sizeof(*out));
    out->headers = apr_table_make(p, arr->nelts + 1);
    for (int i = 0; i < arr->nelts; i++) {
        const apr_table_entry_t *e = &APR_ARRAY_IDX(arr, i, apr_table_entry_t);
        const char *err;

        if (strcasecmp(e->key, "Status") == 0) {
            if ((err = parse_status(p, e->val, out)) != NULL) {
                return err;
            }
        } else if (strcasecmp(e->key, "Location") == 0) {
            out->location = e->val;
        } else if (strcasecmp(e->key, "Content-Type") == 0) {
            out->content_type = e->val;
        } else if (!is_framing_field(e->key)) {
            apr_table_add(out->headers, e->key, e->val);
        }
    }
    if (out->location && out->status == 0) {
        /* CGI/1.1 6.2.2: a local path without Status is fetched by the server itself. */
        if (out->location[0] == '/') {
            out->local_redirect = 1;
        } else {
            out->status = 302;
        }
    }
    return NULL;
}
