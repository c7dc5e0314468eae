/* Tests of modules/auth_basic/basic_creds.c: the Basic Authorization field decoded. */
#include <stdlib.h>

#include <apr_general.h>
#include <check.h>

#include "basic_creds.h"
#include "../check_run.h"

static apr_pool_t *pool;

/* "alice:secret" = YWxpY2U6c2VjcmV0; "a:b:c" = YTpiOmM=; "bob:" = Ym9iOg==;
 * "nocolon" = bm9jb2xvbg==; "a\0:b" = YQA6Yg== */
static const struct {
    const char *field;
    int ok;
    const char *user, *password;
} fields[] = {
    {"Basic YWxpY2U6c2VjcmV0", 1, "alice", "secret"},
    {"basic   YWxpY2U6c2VjcmV0  ", 1, "alice", "secret"},
    {"BASIC\tYTpiOmM=", 1, "a", "b:c"},
    {"Basic Ym9iOg==", 1, "bob", ""},
    {"Basic bm9jb2xvbg==", 0, NULL, NULL},
    {"Basic YQA6Yg==", 0, NULL, NULL},
    {"Basic", 0, NULL, NULL},
    {"Basic ", 0, NULL, NULL},
    {"BasicYWxpY2U6c2VjcmV0", 0, NULL, NULL},
    {"Bearer YWxpY2U6c2VjcmV0", 0, NULL, NULL},
    {"Digest username=\"alice\"", 0, NULL, NULL},
    {"Basic YWxp!2U6c2VjcmV0", 0, NULL, NULL},
    {"Basic YWxpY2U6c2VjcmV0 extra", 0, NULL, NULL},
    {"Basic Ym9iOg===", 0, NULL, NULL},
};

KVU_POOL_CASE(basic_creds_case, "basic_creds", pool);

KVC_LOOP_TEST(basic_creds_case, parse_field, 0, sizeof(fields) / sizeof(fields[0]))
{
    const char *user = NULL, *password = NULL;

    ck_assert_int_eq(basic_creds_parse(pool, fields[_i].field, &user, &password), fields[_i].ok);
    if (fields[_i].ok) {
        ck_assert_str_eq(user, fields[_i].user);
        ck_assert_str_eq(password, fields[_i].password);
    }
}
END_TEST

int main(void)
{
    return kvc_run("basic_creds");
}
