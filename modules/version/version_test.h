/* mod_version's pure part: the test an <IfVersion> line makes, with httpd 2.4's operators and
 * version syntax. No server state, so a unit test can call it directly. */
#ifndef KV_VERSION_TEST_H
#define KV_VERSION_TEST_H

#include <apr_pools.h>

/* A version as <IfVersion> compares it; parts not given are 0. */
typedef struct {
    int major;
    int minor;
    int patch;
} vt_version_t;

/* Parse "major[.minor[.patch]]" as httpd does: it starts with a digit, a part left empty
 * ("2." or "2..4") is 0, one trailing '.' after the patch level is allowed, a number too
 * large for an int is taken as INT_MAX. NULL, or httpd's reason. */
const char *vt_parse(const char *text, vt_version_t *out);

/* Negative, 0 or positive as @a a is older than, the same as, or newer than @a b. */
int vt_compare(const vt_version_t *a, const vt_version_t *b);

/* Does `<IfVersion op arg>` hold for @a version ("2.4.71")? @a op is one of = == < <= > >= ~,
 * optionally after a '!' that negates it ("=" when the line gave only a version); with = or
 * ==, an @a arg in slashes is a regular expression, and with ~ @a arg is one. A regular
 * expression matches anywhere in @a version. Sets *holds and returns NULL, or returns the
 * reason the line is refused (in @a p). */
const char *vt_condition(apr_pool_t *p, const char *op, const char *arg, const char *version,
                         int *holds);

#endif
