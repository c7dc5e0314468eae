/* Conditional requests (RFC 9110 section 13): the preconditions of a request against the
 * validators of the selected representation. Internal to the core. */
#ifndef KV_HTTP_CONDITIONAL_H
#define KV_HTTP_CONDITIONAL_H

#include <apr_tables.h>
#include <apr_time.h>

#include "kv_http.h"

/** What the preconditions are evaluated against. */
typedef struct {
    kv_method_t method; /**< the request's method */
    const char *etag;   /**< current entity tag as sent ("\"x\"" or "W/\"x\""), NULL if none */
    apr_time_t mtime;   /**< last modification, 0 if unknown */
    apr_time_t now;     /**< time of the request: a later If-Modified-Since date is ignored */
} kv_cond_state_t;

/** Does the entity-tag list @a list ("*" or a comma-separated list) match @a etag?
 * @a strong selects strong comparison (weak tags never match), else weak comparison.
 * "*" matches the current representation, which the caller has. */
int kv_etag_list_matches(const char *list, const char *etag, int strong);

/** Evaluate If-Match, If-Unmodified-Since, If-None-Match and If-Modified-Since of
 * @a headers_in in the order of RFC 9110 section 13.2.2.
 * @return KV_OK to go on, KV_HTTP_NOT_MODIFIED or KV_HTTP_PRECONDITION_FAILED. */
int kv_cond_evaluate(apr_table_t *headers_in, const kv_cond_state_t *state);

/** Does the If-Range value @a if_range match (a strong entity tag equal to @a etag, or an
 * HTTP-date equal to @a mtime)? Ranges apply only when it does. */
int kv_if_range_matches(const char *if_range, const char *etag, apr_time_t mtime);

/** kv_cond_evaluate for @a r with the ETag of r->headers_out and r->mtime. */
int kv_meets_conditions(kv_request_t *r);

#endif
