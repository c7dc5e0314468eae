/* mod_filter's pure parts: FilterChain's edits and merge, FilterProtocol's flags and
 * AddOutputFilterByType's match of a media type. */
#ifndef FILTER_UTIL_H
#define FILTER_UTIL_H

#include <apr_pools.h>
#include <apr_tables.h>

/** FilterProtocol's flags, as httpd's. */
enum {
    FILTER_PROTO_CHANGE = 1 << 0,        /**< change=1:1 (and change=yes) */
    FILTER_PROTO_CHANGE_LENGTH = 1 << 1, /**< change=yes */
    FILTER_PROTO_NO_BYTERANGE = 1 << 2,  /**< byteranges=no */
    FILTER_PROTO_NO_PROXY = 1 << 3,      /**< proxy=no */
    FILTER_PROTO_TRANSFORM = 1 << 4,     /**< proxy=transform */
    FILTER_PROTO_NO_CACHE = 1 << 5       /**< cache=no */
};

/** The flags of FilterProtocol's argument ("change=yes;byteranges=no"); unknown words are
 * passed over, as httpd does. */
unsigned filter_proto_flags(apr_pool_t *p, const char *arg);

/** A FilterChain as configured: names in order (const char *); a NULL element resets what
 * the enclosing contexts' chains hold ('!' and '='). */
typedef apr_array_header_t filter_chain_t;

/** Apply one FilterChain word (+name, @name, -name, =name, !, or name) to @a chain. */
void filter_chain_edit(apr_pool_t *p, filter_chain_t *chain, const char *word);

/** The chain of a context whose own chain is @a add, inside one whose chain is @a base. */
filter_chain_t *filter_chain_merge(apr_pool_t *p, const filter_chain_t *base,
                                   const filter_chain_t *add);

/** The names of @a chain in force, resets applied. */
apr_array_header_t *filter_chain_names(apr_pool_t *p, const filter_chain_t *chain);

/** Does the response type @a content_type ("text/html; charset=utf-8") name the media
 * type @a type ("text/html")? Parameters are ignored, case is not (as httpd). */
int filter_type_matches(const char *type, const char *content_type);

#endif
