/*
 * libFuzzer target for the htpasswd line parser of mod_authn_file
 * (modules/authn_file/htpasswd.c). The input is a password file; each line, with its line
 * end, goes through the parser as the module reads it. Besides crashes it aborts when a
 * result breaks a promise: an entry's user and hash are the line's first two ':'-separated
 * fields, without a ':' or a line end, and writing them back as "user:hash" reads the same.
 */
#include <string.h>

#include <apr_strings.h>

#include "authn_file/htpasswd.h"
#include "fuzz_common.h"

static void check_line(apr_pool_t *p, const char *line)
{
    char *copy = apr_pstrdup(p, line);
    const char *user = NULL, *hash = NULL;
    size_t content = strcspn(line, "\r\n");
    char *again;
    const char *user2, *hash2;

    if (!htpasswd_parse_line(copy, &user, &hash)) {
        /* A comment, a blank line or a line without ':'. */
        FUZZ_REQUIRE(line[0] == '#' || content == 0 || memchr(line, ':', content) == NULL);
        return;
    }
    FUZZ_REQUIRE(user != NULL && hash != NULL);
    FUZZ_REQUIRE(line[0] != '#' && strcspn(user, ":\r\n") == strlen(user));
    FUZZ_REQUIRE(strcspn(hash, ":\r\n") == strlen(hash));
    FUZZ_REQUIRE(strncmp(line, user, strlen(user)) == 0 && line[strlen(user)] == ':');
    FUZZ_REQUIRE(strncmp(line + strlen(user) + 1, hash, strlen(hash)) == 0);
    again = apr_pstrcat(p, user, ":", hash, "\n", NULL);
    FUZZ_REQUIRE(htpasswd_parse_line(again, &user2, &hash2) == 1);
    FUZZ_REQUIRE(strcmp(user, user2) == 0 && strcmp(hash, hash2) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_input_pool();
    const char *text = apr_pstrmemdup(p, (const char *)data, size);
    const char *end = text + strlen(text);

    /* Lines as apr_file_gets gives them: each with its '\n'; a NUL ends the file here. */
    for (const char *s = text; s < end;) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) + 1 : strlen(s);
        check_line(p, apr_pstrmemdup(p, s, n));
        s += n;
    }
    apr_pool_destroy(p);
    return 0;
}
