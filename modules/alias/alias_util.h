/* mod_alias's pure helpers: URL-path matching, redirect status words, joining a mapped path
 * under its target. No request or config state, so a unit test can call them directly. */
#ifndef KV_ALIAS_UTIL_H
#define KV_ALIAS_UTIL_H

#include <apr_pools.h>

/* Length of the part of @a uri that the URL-path @a prefix matches, 0 for no match. Runs of
 * '/' compare equal to one; the match must end at a segment boundary (the end of @a uri or
 * a '/') unless @a prefix itself ends with '/', as httpd's Alias and Redirect do. */
apr_size_t alias_match_len(const char *uri, const char *prefix);

/* The status a Redirect's first word names: permanent 301, temp 302, seeother 303, gone 410,
 * or a number (300-399, or an error status kiva knows). 0 if @a word is not a status word at
 * all (then it is the URL-path); -1 if it is a number that cannot be used. */
int alias_redirect_status(const char *word);

/* Is @a status a redirect (3xx), which needs a URL? */
int alias_status_is_redirect(int status);

/* Does @a s start with a URL scheme ("http:", "mailto:")? */
int alias_is_url(const char *s);

/* @a rest (from the request) placed under the directory @a root: NULL if a ".." in it would
 * climb above @a root. Leading slashes of @a rest are ignored; a trailing one is kept. */
const char *alias_join(apr_pool_t *p, const char *root, const char *rest);

/* Length of the literal leading directory of a substitution template: up to and including
 * the last '/' before the first '$' or '\\'; the whole length if it has neither. */
apr_size_t alias_literal_dir_len(const char *tmpl);

#endif
