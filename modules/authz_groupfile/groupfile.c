/* Parsing an AuthGroupFile line. */
#include <string.h>

#include <apr_strings.h>

#include "groupfile.h"

#define BLANKS " \t\r\n"

const char *groupfile_group_of(apr_pool_t *p, const char *line, const char *user)
{
    const char *colon, *c;
    size_t ulen = strlen(user);

    line += strspn(line, BLANKS);
    colon = strchr(line, ':');
    if (line[0] == '#' || !colon || ulen == 0) {
        return NULL;
    }
    for (c = colon + 1; *(c += strspn(c, BLANKS)) != '\0';) {
        size_t n = strcspn(c, BLANKS);
        if (n == ulen && strncmp(c, user, n) == 0) {
            return apr_pstrndup(p, line, (apr_size_t)(colon - line));
        }
        c += n;
    }
    return NULL;
}
