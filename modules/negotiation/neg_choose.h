/* mod_negotiation's choice among variants: httpd's server-driven algorithm, pure. */
#ifndef NEG_CHOOSE_H
#define NEG_CHOOSE_H

#include "neg_parse.h"

/* httpd's media type for a variant that a handler answers (a script): it loses to every
 * document, unless the request prefers scripts (neg_request_t.prefer_scripts). */
#define NEG_SCRIPT_TYPE "application/x-httpd-cgi"

/* ForceLanguagePriority bits (0: unset, which means Prefer). */
enum { NEG_FLP_NONE = 1, NEG_FLP_PREFER = 2, NEG_FLP_FALLBACK = 4 };

/* What the request asks for and what the configuration prefers. */
typedef struct {
    apr_array_header_t *accept;            /* neg_accept_t; NULL: no Accept field */
    apr_array_header_t *accept_language;   /* NULL: no Accept-Language field */
    apr_array_header_t *accept_charset;    /* NULL: no Accept-Charset field */
    apr_array_header_t *accept_encoding;   /* NULL: no Accept-Encoding field */
    apr_array_header_t *language_priority; /* LanguagePriority, const char *; may be NULL */
    int force;                             /* ForceLanguagePriority bits */
    int no_fiddle; /* take the q values as sent: no ranking of wildcards below named types,
                    * no q for a variant without a language (a TCN client, "Negotiate: *") */
    int prefer_scripts; /* a script variant wins (httpd: not a GET, or a query string) */
} neg_request_t;

/* The fields of @a r from a request's Accept* values (each NULL when absent). */
void neg_request_init(apr_pool_t *p, neg_request_t *r, const char *accept, const char *language,
                      const char *charset, const char *encoding);

/* The variant to send, as httpd chooses it: media type quality times source quality,
 * then language quality, LanguagePriority, type level, charset, encoding, the smaller
 * length, the first in order. NULL when no variant is acceptable (406). */
neg_variant_t *neg_choose(const neg_request_t *r, apr_array_header_t *variants);

/* The Vary value for these variants: "negotiate" when @a transparent, then each of
 * accept, accept-language, accept-charset, accept-encoding in which they differ; NULL
 * for none. */
const char *neg_vary(apr_pool_t *p, const apr_array_header_t *variants, int transparent);

#endif
