/* Basic credentials from an Authorization field. */
#include <string.h>

#include <apr_base64.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "basic_creds.h"

#define BASE64_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

/* The token: base64 characters, then at most two '=', then only blanks. */
static int is_base64_token(const char *s, size_t *len)
{
    size_t n = strspn(s, BASE64_CHARS);
    size_t pad = strspn(s + n, "=");

    *len = n + pad;
    s += *len;
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    return n > 0 && pad <= 2 && *s == '\0';
}

int basic_creds_parse(apr_pool_t *p, const char *field, const char **user, const char **password)
{
    const char *token;
    size_t len;
    char *decoded;
    int n;
    char *colon;

    if (strncasecmp(field, "Basic", 5) != 0 || (field[5] != ' ' && field[5] != '\t')) {
        return 0;
    }
    token = field + 5;
    while (*token == ' ' || *token == '\t') {
        token++;
    }
    if (!is_base64_token(token, &len)) {
        return 0;
    }
    token = apr_pstrmemdup(p, token, len);
    decoded = apr_palloc(p, (apr_size_t)apr_base64_decode_len(token) + 1);
    n = apr_base64_decode(decoded, token);
    decoded[n] = '\0';
    if ((int)strlen(decoded) != n || (colon = strchr(decoded, ':')) == NULL) {
        return 0;
    }
    *colon = '\0';
    *user = decoded;
    *password = colon + 1;
    return 1;
}
