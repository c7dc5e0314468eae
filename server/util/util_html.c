/* HTML escaping of text that came from a request or the file system, for every page the
 * server generates (error pages, listings, the status page). */
#include <string.h>

#include <apr_strings.h>

#include "kv_http.h"

/* What may end a text run, start markup or an entity, or close a quoted attribute value. */
#define HTML_SPECIALS "<>&\"'"

static const char *entity_of(char c)
{
    switch (c) {
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '&':
        return "&amp;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

KV_DECLARE(const char *) kv_escape_html(apr_pool_t *p, const char *s)
{
    apr_size_t len = 0;
    char *out, *o;

    if (s[strcspn(s, HTML_SPECIALS)] == '\0') {
        return s;
    }
    for (const char *c = s; *c; c++) {
        const char *e = entity_of(*c);
        len += e ? strlen(e) : 1;
    }
    out = o = apr_palloc(p, len + 1);
    for (const char *c = s; *c; c++) {
        const char *e = entity_of(*c);
        if (e) {
            o = apr_cpystrn(o, e, strlen(e) + 1);
        } else {
            *o++ = *c;
        }
    }
    *o = '\0';
    return out;
}
