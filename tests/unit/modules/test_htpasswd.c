/* Tests of modules/authn_file/htpasswd.c: htpasswd lines into user and hash. */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "htpasswd.h"
#include "../check_run.h"

static const struct {
    const char *line;
    int entry;
    const char *user, *hash;
} lines[] = {
    {"alice:$apr1$salt$hash\n", 1, "alice", "$apr1$salt$hash"},
    {"bob:{SHA}abc=\r\n", 1, "bob", "{SHA}abc="},
    {"carol:$2y$05$xyz:extra:fields", 1, "carol", "$2y$05$xyz"},
    {"dave:", 1, "dave", ""},
    {":hash", 1, "", "hash"},
    {"# alice:comment", 0, NULL, NULL},
    {"", 0, NULL, NULL},
    {"\n", 0, NULL, NULL},
    {"no colon here", 0, NULL, NULL},
};

KVU_CASE(htpasswd_case, "htpasswd", NULL, NULL);

KVC_LOOP_TEST(htpasswd_case, parse_line, 0, sizeof(lines) / sizeof(lines[0]))
{
    char buf[128];
    const char *user = NULL, *hash = NULL;

    strcpy(buf, lines[_i].line);
    ck_assert_int_eq(htpasswd_parse_line(buf, &user, &hash), lines[_i].entry);
    if (lines[_i].entry) {
        ck_assert_str_eq(user, lines[_i].user);
        ck_assert_str_eq(hash, lines[_i].hash);
    }
}
END_TEST

int main(void)
{
    return kvc_run("htpasswd");
}
