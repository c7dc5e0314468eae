/* mod_alias's pure helpers; see alias_util.h. */
#include <string.h>

#include <apr_file_info.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "alias_util.h"
#include "kv_http.h"

static const char *skip_slashes(const char *s)
{
    while (*s == '/') {
        s++;
    }
    return s;
}

apr_size_t alias_match_len(const char *uri, const char *prefix)
{
    const char *u = uri, *p = prefix;

    while (*p) {
        if (*p == '/') {
            if (*u != '/') {
                return 0;
            }
            p = skip_slashes(p);
            u = skip_slashes(u);
        } else if (*p++ != *u++) {
            return 0;
        }
    }
    if (p[-1] != '/' && *u != '\0' && *u != '/') {
        return 0;
    }
    return (apr_size_t)(u - uri);
}

static int is_number(const char *s)
{
    if (!*s) {
        return 0;
    }
    for (; *s; s++) {
        if (!apr_isdigit(*s)) {
            return 0;
        }
    }
    return 1;
}

int alias_status_is_redirect(int status)
{
    return status >= 300 && status <= 399;
}

/* An error status a Redirect may answer with, without a URL. */
static int is_error_status(int status)
{
    return status >= 400 && status <= 599 && kv_status_reason(status) != NULL;
}

static int numeric_status(const char *word)
{
    int status = 0;

    if (!is_number(word) || strlen(word) > 3) {
        return -1;
    }
    for (const char *c = word; *c; c++) {
        status = status * 10 + (*c - '0');
    }
    return alias_status_is_redirect(status) || is_error_status(status) ? status : -1;
}

int alias_redirect_status(const char *word)
{
    static const struct {
        const char *name;
        int status;
    } names[] = {{"permanent", 301}, {"temp", 302}, {"seeother", 303}, {"gone", 410}};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcasecmp(word, names[i].name) == 0) {
            return names[i].status;
        }
    }
    return apr_isdigit(word[0]) ? numeric_status(word) : 0;
}

static int is_scheme_char(char c)
{
    return apr_isalnum(c) || c == '+' || c == '-' || c == '.';
}

int alias_is_url(const char *s)
{
    const char *c = s;

    if (!apr_isalpha(*c)) {
        return 0;
    }
    while (is_scheme_char(*c)) {
        c++;
    }
    return *c == ':';
}

const char *alias_join(apr_pool_t *p, const char *root, const char *rest)
{
    char *out;

    rest = skip_slashes(rest);
    if (*rest == '\0') {
        return root;
    }
    if (apr_filepath_merge(&out, root, rest, APR_FILEPATH_NOTABOVEROOT, p) != APR_SUCCESS) {
        return NULL;
    }
    return out;
}

apr_size_t alias_literal_dir_len(const char *tmpl)
{
    apr_size_t special = strcspn(tmpl, "$\\");

    if (tmpl[special] == '\0') {
        return special;
    }
    while (special > 0 && tmpl[special - 1] != '/') {
        special--;
    }
    return special;
}
