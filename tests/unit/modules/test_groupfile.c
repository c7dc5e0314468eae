/* Tests of modules/authz_groupfile/groupfile.c: one AuthGroupFile line, as httpd reads it. */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <check.h>

#include "groupfile.h"
#include "../check_run.h"

static const struct {
    const char *line, *user, *group; /* group NULL: the user is not a member by this line */
} cases[] = {
    {"admins: alice bob\n", "alice", "admins"},
    {"admins: alice bob\n", "bob", "admins"},
    {"admins: alice bob", "carol", NULL},
    {"admins:alice\tbob  \r\n", "bob", "admins"},
    {"  staff: carol\n", "carol", "staff"},
    {"admins: alicex bob\n", "alice", NULL},
    {"admins: xalice\n", "alice", NULL},
    {"# admins: alice\n", "alice", NULL},
    {"\n", "alice", NULL},
    {"admins alice\n", "alice", NULL},
    {"admins:\n", "admins", NULL},
    {"a b: alice\n", "alice", "a b"},
    {"admins: alice\n", "", NULL},
    {"web:dev: dev\n", "dev", "web"},
};

KVU_CASE(groupfile_case, "groupfile", NULL, NULL);

KVC_LOOP_TEST(groupfile_case, group_of, 0, sizeof(cases) / sizeof(cases[0]))
{
    apr_pool_t *p;
    const char *got;

    ck_assert_int_eq(apr_initialize(), APR_SUCCESS);
    ck_assert_int_eq(apr_pool_create(&p, NULL), APR_SUCCESS);
    got = groupfile_group_of(p, cases[_i].line, cases[_i].user);
    if (cases[_i].group) {
        ck_assert_msg(got && strcmp(got, cases[_i].group) == 0, "'%s' for %s: %s, want %s",
                      cases[_i].line, cases[_i].user, got ? got : "NULL", cases[_i].group);
    } else {
        ck_assert_msg(!got, "'%s' for %s: %s, want none", cases[_i].line, cases[_i].user, got);
    }
    apr_pool_destroy(p);
    apr_terminate();
}
END_TEST

int main(void)
{
    return kvc_run("groupfile");
}
