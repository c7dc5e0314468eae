/*
 * URL path to file name. Decoding happens once, before normalisation, so an encoded ".."
 * ("%2e%2e") is resolved like a plain one and cannot slip past it; an encoded '/' is refused
 * outright because after decoding it could not be told from a real separator.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "kv_http.h"
#include "util_path.h"

static int hex_value(char c)
{
    if (apr_isdigit(c)) {
        return c - '0';
    }
    return apr_tolower(c) - 'a' + 10;
}

static int is_escape(const char *s)
{
    return s[0] == '%' && apr_isxdigit(s[1]) && apr_isxdigit(s[2]);
}

/* Bytes that must not appear decoded in a path: the string end and the separator. */
static int is_forbidden_decoded(int c)
{
    return c == '\0' || c == '/';
}

int kv_unescape_path(char *path)
{
    char *in = path, *out = path;
    int bad_escape = 0, bad_byte = 0;

    while (*in != '\0') {
        if (*in != '%') {
            *out++ = *in++;
        } else if (!is_escape(in)) {
            bad_escape = 1;
            *out++ = *in++;
        } else {
            int c = hex_value(in[1]) * 16 + hex_value(in[2]);
            if (is_forbidden_decoded(c)) {
                bad_byte = 1;
            } else {
                *out++ = (char)c;
            }
            in += 3;
        }
    }
    *out = '\0';
    if (bad_escape) {
        return KV_HTTP_BAD_REQUEST;
    }
    return bad_byte ? KV_HTTP_NOT_FOUND : 0;
}

static apr_size_t segment_length(const char *s)
{
    return strcspn(s, "/");
}

static int is_dot_segment(const char *s, apr_size_t len)
{
    return len == 1 && s[0] == '.';
}

static int is_dotdot_segment(const char *s, apr_size_t len)
{
    return len == 2 && s[0] == '.' && s[1] == '.';
}

/*
 * Walk the segments, writing the result over the input (it never grows). Empty segments
 * (from "//") and "." write nothing. The output always ends with '/' before a segment is
 * read, so ".." drops back to the previous '/'.
 */
int kv_normalize_path(char *path)
{
    apr_size_t in = 1, out = 1;

    if (path[0] != '/') {
        return KV_HTTP_BAD_REQUEST;
    }
    while (path[in] != '\0') {
        apr_size_t len = segment_length(path + in);
        int slash = path[in + len] == '/';

        if (is_dotdot_segment(path + in, len)) {
            if (out == 1) {
                return KV_HTTP_BAD_REQUEST;
            }
            for (out--; path[out - 1] != '/'; out--) {
            }
        } else if (len > 0 && !is_dot_segment(path + in, len)) {
            memmove(path + out, path + in, len);
            out += len;
            if (slash) {
                path[out++] = '/';
            }
        }
        in += len + (apr_size_t)slash;
    }
    path[out] = '\0';
    return 0;
}

const char *kv_map_uri_to_file(apr_pool_t *p, const char *docroot, const char *uri)
{
    char *path = apr_pstrdup(p, uri);
    apr_size_t rootlen = strlen(docroot);

    if (kv_normalize_path(path) != 0) {
        return NULL;
    }
    while (rootlen > 0 && docroot[rootlen - 1] == '/') {
        rootlen--;
    }
    return apr_pstrcat(p, apr_pstrmemdup(p, docroot, rootlen), path, NULL);
}
