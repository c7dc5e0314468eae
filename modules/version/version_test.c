/* The test of an <IfVersion> line: httpd 2.4's mod_version, operator by operator. */
#include <limits.h>
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "kv_regex.h"
#include "version_test.h"

static const char invalid_version[] = "Version appears to be invalid. It must have the format "
                                      "major[.minor[.patch]] where major, minor and patch are "
                                      "numbers.";

const char *vt_parse(const char *text, vt_version_t *out)
{
    int part[3] = {0, 0, 0};
    const char *s = text;

    if (!apr_isdigit(*s)) {
        return invalid_version;
    }
    for (int i = 0; i < 3; i++) {
        for (; apr_isdigit(*s); s++) {
            int digit = *s - '0';
            part[i] = part[i] > (INT_MAX - digit) / 10 ? INT_MAX : part[i] * 10 + digit;
        }
        if (*s == '\0') {
            break;
        }
        if (*s != '.') {
            return invalid_version;
        }
        s++;
    }
    if (*s != '\0') {
        return invalid_version; /* a fourth part */
    }
    out->major = part[0];
    out->minor = part[1];
    out->patch = part[2];
    return NULL;
}

static int sign(int a, int b)
{
    return (a > b) - (a < b);
}

int vt_compare(const vt_version_t *a, const vt_version_t *b)
{
    if (a->major != b->major) {
        return sign(a->major, b->major);
    }
    if (a->minor != b->minor) {
        return sign(a->minor, b->minor);
    }
    return sign(a->patch, b->patch);
}

static const char *match(apr_pool_t *p, const char *pattern, const char *version, int *holds)
{
    const char *err;
    kv_regex_t *re = kv_regex_compile(p, pattern, 0, &err);

    if (!re) {
        return apr_psprintf(p, "Unable to compile regular expression: %s", err);
    }
    *holds = kv_regex_match(p, re, version, NULL);
    return NULL;
}

/* How @a version compares with the version written @a text, in *cmp; NULL or the reason. */
static const char *compare_with(const char *text, const char *version, int *cmp)
{
    vt_version_t mine, theirs;
    const char *err = vt_parse(text, &theirs);

    if (err) {
        return err;
    }
    if (vt_parse(version, &mine)) {
        return "the version compared against is invalid";
    }
    *cmp = vt_compare(&mine, &theirs);
    return NULL;
}

const char *vt_condition(apr_pool_t *p, const char *op, const char *arg, const char *version,
                         int *holds)
{
    const char *o = op;
    const char *err;
    int negate = 0;
    int cmp = 0;
    char c;

    /* httpd: a leading '!' negates, and the operator is one character, or two when the
     * second is '=' (and the first is not '~'). */
    if (*o == '!' && o[1]) {
        negate = 1;
        o++;
    }
    c = *o;
    if (c == '\0' || !(o[1] == '\0' || (o[1] == '=' && o[2] == '\0' && c != '~'))) {
        c = '\0';
    }
    switch (c) {
    case '=':
        if (*arg == '/') {
            size_t len = strlen(arg);
            if (len < 2 || arg[len - 1] != '/') {
                return "Missing delimiting / of regular expression.";
            }
            err = match(p, apr_pstrmemdup(p, arg + 1, len - 2), version, holds);
        } else if (!(err = compare_with(arg, version, &cmp))) {
            *holds = cmp == 0;
        }
        break;
    case '~':
        err = match(p, arg, version, holds);
        break;
    case '<':
        if (!(err = compare_with(arg, version, &cmp))) {
            *holds = cmp < 0 || (o[1] == '=' && cmp == 0);
        }
        break;
    case '>':
        if (!(err = compare_with(arg, version, &cmp))) {
            *holds = cmp > 0 || (o[1] == '=' && cmp == 0);
        }
        break;
    default:
        return apr_psprintf(p, "unrecognized operator '%s'", op);
    }
    if (err) {
        return err;
    }
    *holds = *holds != negate;
    return NULL;
}
