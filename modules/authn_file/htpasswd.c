/* One htpasswd line into user and hash. */
#include <string.h>

#include "htpasswd.h"

int htpasswd_parse_line(char *line, const char **user, const char **hash)
{
    char *colon;
    char *end;

    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] == '#' || line[0] == '\0' || (colon = strchr(line, ':')) == NULL) {
        return 0;
    }
    *colon = '\0';
    end = strchr(colon + 1, ':');
    if (end) {
        *end = '\0';
    }
    *user = line;
    *hash = colon + 1;
    return 1;
}
