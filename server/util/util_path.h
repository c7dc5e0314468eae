/**
 * @file util_path.h
 * @brief From a request path to a file name that cannot leave the document root (internal).
 *
 * The core applies them in this order: kv_split_target(), kv_unescape_path(),
 * kv_normalize_path(), kv_map_uri_to_file().
 */
#ifndef KV_UTIL_PATH_H
#define KV_UTIL_PATH_H

#include <apr_pools.h>

/**
 * Percent-decode @a path in place, once (so "%252e" becomes the literal "%2e").
 * @return 0; KV_HTTP_BAD_REQUEST if a '%' is not followed by two hex digits; or
 * KV_HTTP_NOT_FOUND if it encodes NUL ("%00") or '/' ("%2F"), as httpd does with
 * AllowEncodedSlashes Off. A malformed escape wins over an encoded NUL or slash.
 * On error the contents of @a path are unspecified.
 */
int kv_unescape_path(char *path);

/**
 * Normalise a decoded path in place: merge runs of '/', drop "." segments and resolve ".."
 * segments; a trailing slash (or a final "." or "..") leaves a trailing slash. Backslashes
 * are ordinary characters.
 * @return 0; or KV_HTTP_BAD_REQUEST if @a path does not start with '/' or a ".." would climb
 * above "/" (contents then unspecified).
 */
int kv_normalize_path(char *path);

/**
 * The file name of @a uri under @a docroot: the document root without trailing slashes
 * followed by @a uri normalised (kv_normalize_path()), so it never has a double slash and
 * never names anything outside @a docroot.
 * @return the file name in @a p, or NULL if @a uri cannot be normalised.
 */
const char *kv_map_uri_to_file(apr_pool_t *p, const char *docroot, const char *uri);

#endif
