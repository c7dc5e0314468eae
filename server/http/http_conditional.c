/* Conditional requests (RFC 9110 section 13): entity-tag lists, HTTP-date validators and
 * the order in which the four preconditions are evaluated. Pure but for the request
 * wrapper at the end, so every rule can be tested without a socket. */
#include <string.h>

#include <apr_date.h>

#include "http_conditional.h"

/* One entity-tag, pointing into the field value it was parsed from. */
typedef struct {
    const char *opaque; /* between the quotes */
    size_t len;
    int weak;
} etag_t;

static const char *skip_ows(const char *s)
{
    return s + strspn(s, " \t");
}

/* Parse the entity-tag at *s and move *s past it; 0, or -1 if it is malformed. */
static int parse_etag(const char **s, etag_t *tag)
{
    const char *p = *s;
    const char *close;

    tag->weak = p[0] == 'W' && p[1] == '/';
    if (tag->weak) {
        p += 2;
    }
    if (*p != '"' || !(close = strchr(p + 1, '"'))) {
        return -1;
    }
    tag->opaque = p + 1;
    tag->len = (size_t)(close - tag->opaque);
    *s = close + 1;
    return 0;
}

/* The whole of @a value is one entity-tag (with optional blanks around it). */
static int parse_single_etag(const char *value, etag_t *tag)
{
    const char *p = skip_ows(value);

    return parse_etag(&p, tag) == 0 && *skip_ows(p) == '\0' ? 0 : -1;
}

/* RFC 9110 section 8.8.3.2: strong comparison needs both tags strong. */
static int etags_equal(const etag_t *a, const etag_t *b, int strong)
{
    if (strong && (a->weak || b->weak)) {
        return 0;
    }
    return a->len == b->len && memcmp(a->opaque, b->opaque, a->len) == 0;
}

static int is_star(const char *list)
{
    const char *p = skip_ows(list);

    return *p == '*' && *skip_ows(p + 1) == '\0';
}

int kv_etag_list_matches(const char *list, const char *etag, int strong)
{
    etag_t current;
    const char *p;

    if (!list) {
        return 0;
    }
    if (is_star(list)) {
        return 1;
    }
    if (!etag || parse_single_etag(etag, &current) != 0) {
        return 0;
    }
    for (p = list;;) {
        etag_t tag;
        p += strspn(p, " \t,");
        if (*p == '\0' || parse_etag(&p, &tag) != 0) {
            return 0;
        }
        if (etags_equal(&tag, &current, strong)) {
            return 1;
        }
        p = skip_ows(p);
        if (*p != ',' && *p != '\0') {
            return 0;
        }
    }
}

/* An HTTP-date field in whole seconds, or -1 if absent or invalid (then it is ignored). */
static apr_int64_t date_field(apr_table_t *headers_in, const char *name)
{
    const char *value = apr_table_get(headers_in, name);
    apr_time_t t;

    if (!value || (t = apr_date_parse_http(value)) == APR_DATE_BAD) {
        return -1;
    }
    return (apr_int64_t)apr_time_sec(t);
}

static int is_get_or_head(kv_method_t method)
{
    return method == KV_M_GET || method == KV_M_HEAD;
}

/* If-Unmodified-Since is false: the representation changed after the given date. */
static int modified_since_unmodified_date(apr_table_t *headers_in, const kv_cond_state_t *st)
{
    apr_int64_t date = date_field(headers_in, "If-Unmodified-Since");

    return date >= 0 && st->mtime != 0 && (apr_int64_t)apr_time_sec(st->mtime) > date;
}

/* If-Modified-Since is false: not changed since a date that is not in the future. */
static int not_modified_since(apr_table_t *headers_in, const kv_cond_state_t *st)
{
    apr_int64_t date = date_field(headers_in, "If-Modified-Since");

    return date >= 0 && date <= (apr_int64_t)apr_time_sec(st->now) && st->mtime != 0 &&
           (apr_int64_t)apr_time_sec(st->mtime) <= date;
}

int kv_cond_evaluate(apr_table_t *headers_in, const kv_cond_state_t *st)
{
    const char *if_match = apr_table_get(headers_in, "If-Match");
    const char *if_none_match = apr_table_get(headers_in, "If-None-Match");

    if (if_match) {
        if (!kv_etag_list_matches(if_match, st->etag, 1)) {
            return KV_HTTP_PRECONDITION_FAILED;
        }
    } else if (modified_since_unmodified_date(headers_in, st)) {
        return KV_HTTP_PRECONDITION_FAILED;
    }
    if (if_none_match) {
        if (kv_etag_list_matches(if_none_match, st->etag, 0)) {
            return is_get_or_head(st->method) ? KV_HTTP_NOT_MODIFIED : KV_HTTP_PRECONDITION_FAILED;
        }
    } else if (is_get_or_head(st->method) && not_modified_since(headers_in, st)) {
        return KV_HTTP_NOT_MODIFIED;
    }
    return KV_OK;
}

static int is_etag_form(const char *value)
{
    return value[0] == '"' || (value[0] == 'W' && value[1] == '/');
}

int kv_if_range_matches(const char *if_range, const char *etag, apr_time_t mtime)
{
    const char *value = skip_ows(if_range);
    apr_time_t date;

    if (is_etag_form(value)) {
        etag_t given, current;
        return etag && parse_single_etag(value, &given) == 0 &&
               parse_single_etag(etag, &current) == 0 && etags_equal(&given, &current, 1);
    }
    date = apr_date_parse_http(value);
    return date != APR_DATE_BAD && mtime != 0 && apr_time_sec(date) == apr_time_sec(mtime);
}

int kv_meets_conditions(kv_request_t *r)
{
    kv_cond_state_t st = {
        .method = r->method_number,
        .etag = apr_table_get(r->headers_out, "ETag"),
        .mtime = r->mtime,
        .now = r->request_time,
    };

    return kv_cond_evaluate(r->headers_in, &st);
}
