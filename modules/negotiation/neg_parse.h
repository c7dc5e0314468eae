/* mod_negotiation's parsers, pure: Accept-style header fields and type-map files. */
#ifndef NEG_PARSE_H
#define NEG_PARSE_H

#include <apr_pools.h>
#include <apr_tables.h>

/* One entry of an Accept, Accept-Language, Accept-Charset or Accept-Encoding field. */
typedef struct {
    const char *name;    /* lower-case: "text/html", "en-gb", "utf-8", "gzip", "*" */
    float q;             /* its q (1 when absent) */
    float level;         /* its level parameter (text/html without one: 2, as httpd) */
    const char *charset; /* its charset parameter, "" when none */
} neg_accept_t;

/* One variant: a file of a MultiViews directory or a record of a type map. */
typedef struct {
    const char *uri;               /* file name, relative to the negotiated resource */
    const char *type;              /* media type without parameters, lower-case; "" if none */
    float qs;                      /* source quality (a type map's qs), 1 by default */
    float level;                   /* the type's level parameter, 0 if none */
    const char *charset;           /* the type's charset, lower-case; "" if none */
    apr_array_header_t *languages; /* const char *, lower-case; empty if none */
    const char *encoding;          /* Content-Encoding, lower-case; NULL if none */
    apr_off_t length;              /* a type map's Content-Length, -1 if not given */
    int scripted;                  /* a handler answers it: its length says nothing */
    /* What the request makes of it (neg_choose.c). */
    float type_q, lang_q, charset_q, encoding_q;
    int lang_index;      /* position of its language in LanguagePriority, -1 none */
    int mime_stars;      /* how the best Accept entry matched: 1 * / *, 2 type/ *, 3 exact */
    float level_matched; /* the level an exact match accepted */
} neg_variant_t;

/* httpd's reading of a q value: "0.5" -> 0.5, at most three decimals; junk is 1. */
float neg_atoq(const char *s);

/* The entries of an Accept-style field, in order; NULL when @a line is NULL (no field). */
apr_array_header_t *neg_parse_accept(apr_pool_t *p, const char *line);

/* A variant with no metadata yet: qs 1, no languages, length unknown. */
neg_variant_t *neg_variant_new(apr_pool_t *p, const char *uri);

/* Set the type, charset, level and qs of @a v from a Content-Type value
 * ("text/html; charset=UTF-8; qs=0.5"). */
void neg_variant_set_type(apr_pool_t *p, neg_variant_t *v, const char *content_type);

/* The records of a type-map file (blank-line separated "Name: value" lines; URI,
 * Content-Type, Content-Language, Content-Encoding, Content-Length; '#' lines and
 * parenthesised comments ignored) as neg_variant_t, in order. A record without a URI or
 * without Content-Type/-Language/-Encoding/-Length is left out. NULL on a malformed line
 * (*err says which), or for a Body: record (inline variants are not supported). */
apr_array_header_t *neg_parse_type_map(apr_pool_t *p, const char *text, const char **err);

#endif
