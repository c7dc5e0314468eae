/* mod_negotiation's parsers: see neg_parse.h. */
#include "neg_parse.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <apr_lib.h>
#include <apr_strings.h>

static char *lower(char *s)
{
    for (char *c = s; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    return s;
}

static char *trim(char *s)
{
    char *end;

    while (apr_isspace(*s)) {
        s++;
    }
    end = s + strlen(s);
    while (end > s && apr_isspace(end[-1])) {
        *--end = '\0';
    }
    return s;
}

float neg_atoq(const char *s)
{
    int thousandths = 0, scale = 100;

    if (!s || !*s) {
        return 1.0f;
    }
    while (apr_isspace(*s)) {
        s++;
    }
    if (*s != '.' && *s++ != '0') {
        return 1.0f;
    }
    if (*s != '.') {
        return 0.0f;
    }
    for (s++; scale > 0 && apr_isdigit(*s); s++, scale /= 10) {
        thousandths += (*s - '0') * scale;
    }
    return (float)thousandths / 1000.0f;
}

/* One parameter "name=value" (value maybe quoted) into @a e or @a v. */
static void apply_param(char *param, neg_accept_t *e)
{
    char *eq = strchr(param, '=');
    char *name, *value;

    if (!eq) {
        return;
    }
    *eq = '\0';
    name = lower(trim(param));
    value = lower(trim(eq + 1));
    if (*value == '"') {
        value++;
        value[strcspn(value, "\"")] = '\0';
    }
    if (strcmp(name, "q") == 0 || strcmp(name, "qs") == 0) {
        e->q = neg_atoq(value);
    } else if (strcmp(name, "level") == 0) {
        e->level = (float)atoi(value);
    } else if (strcmp(name, "charset") == 0) {
        e->charset = value;
    }
}

/* One comma-separated element "name;param;param" into @a e. */
static void parse_element(char *elem, neg_accept_t *e)
{
    char *last;
    char *name = apr_strtok(elem, ";", &last);

    e->q = 1.0f;
    e->level = 0.0f;
    e->charset = "";
    /* Nothing but ';': no name, and apr_strtok left last unset, so no parameters either. */
    if (!name) {
        e->name = "";
        return;
    }
    e->name = lower(trim(name));
    for (char *prm = apr_strtok(NULL, ";", &last); prm; prm = apr_strtok(NULL, ";", &last)) {
        apply_param(prm, e);
    }
    if (strcmp(e->name, "text/html") == 0 && e->level == 0.0f) {
        e->level = 2.0f;
    }
}

apr_array_header_t *neg_parse_accept(apr_pool_t *p, const char *line)
{
    apr_array_header_t *out;
    char *copy, *last;

    if (!line) {
        return NULL;
    }
    out = apr_array_make(p, 4, sizeof(neg_accept_t));
    copy = apr_pstrdup(p, line);
    for (char *elem = apr_strtok(copy, ",", &last); elem; elem = apr_strtok(NULL, ",", &last)) {
        neg_accept_t e;

        parse_element(elem, &e);
        if (*e.name) {
            APR_ARRAY_PUSH(out, neg_accept_t) = e;
        }
    }
    return out;
}

neg_variant_t *neg_variant_new(apr_pool_t *p, const char *uri)
{
    neg_variant_t *v = apr_pcalloc(p, sizeof(*v));

    v->uri = uri;
    v->type = "";
    v->charset = "";
    v->qs = 1.0f;
    v->length = -1;
    v->lang_index = -1;
    v->languages = apr_array_make(p, 1, sizeof(const char *));
    return v;
}

void neg_variant_set_type(apr_pool_t *p, neg_variant_t *v, const char *content_type)
{
    neg_accept_t e;

    parse_element(apr_pstrdup(p, content_type), &e);
    v->type = e.name;
    v->qs = e.q;
    v->charset = e.charset;
    v->level = e.level;
}

/* A header value without its parenthesised comments. */
static char *strip_comments(char *value)
{
    char *out = value;
    int depth = 0;

    for (char *c = value; *c; c++) {
        if (*c == '(') {
            depth++;
        } else if (*c == ')' && depth > 0) {
            depth--;
        } else if (depth == 0) {
            *out++ = *c;
        }
    }
    *out = '\0';
    return trim(value);
}

/* One "Name: value" line of a record into @a v; 1 if it tells content. */
static int apply_map_line(apr_pool_t *p, neg_variant_t *v, const char *name, char *value)
{
    char *last;

    if (strcasecmp(name, "uri") == 0) {
        v->uri = apr_strtok(value, " \t", &last);
        return 0;
    }
    if (strcasecmp(name, "content-type") == 0) {
        neg_variant_set_type(p, v, value);
    } else if (strcasecmp(name, "content-language") == 0) {
        for (char *l = apr_strtok(value, ", \t", &last); l; l = apr_strtok(NULL, ", \t", &last)) {
            APR_ARRAY_PUSH(v->languages, const char *) = lower(l);
        }
    } else if (strcasecmp(name, "content-encoding") == 0) {
        v->encoding = lower(value);
    } else if (strcasecmp(name, "content-length") == 0) {
        char *end;
        v->length = (apr_off_t)apr_strtoi64(value, &end, 10);
        if (*end || v->length < 0) {
            v->length = -1;
        }
    } else {
        return 0;
    }
    return 1;
}

apr_array_header_t *neg_parse_type_map(apr_pool_t *p, const char *text, const char **err)
{
    apr_array_header_t *out = apr_array_make(p, 4, sizeof(neg_variant_t));
    char *copy = apr_pstrdup(p, text);
    neg_variant_t *v = neg_variant_new(p, NULL);
    int has_content = 0;
    unsigned lineno = 0;

    for (char *line = copy, *next; line; line = next) {
        char *colon;

        next = strchr(line, '\n');
        if (next) {
            *next++ = '\0';
        }
        lineno++;
        if (line[0] == '#') {
            continue;
        }
        if (*trim(line) == '\0') {
            if (v->uri && has_content) {
                APR_ARRAY_PUSH(out, neg_variant_t) = *v;
            }
            v = neg_variant_new(p, NULL);
            has_content = 0;
            continue;
        }
        colon = strchr(line, ':');
        if (!colon) {
            *err = apr_psprintf(p, "line %u is not 'Name: value'", lineno);
            return NULL;
        }
        *colon = '\0';
        if (strcasecmp(trim(line), "body") == 0) {
            *err = apr_psprintf(p, "line %u: Body: (inline variants) is not supported", lineno);
            return NULL;
        }
        has_content |= apply_map_line(p, v, trim(line), strip_comments(colon + 1));
    }
    if (v->uri && has_content) {
        APR_ARRAY_PUSH(out, neg_variant_t) = *v;
    }
    return out;
}
