/* Tests of modules/authz_core/authz_eval.c: Require lines parsed, containers checked, and
 * trees evaluated with httpd 2.4's results. A tree is written as "item; item; ...", where an
 * item is a Require line's arguments, "<RequireAll", "<RequireAny", "<RequireNone" opening a
 * container, or ">" closing one; the items stand in a section's implicit <RequireAny>. */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <check.h>

#include "authz_eval.h"

static apr_pool_t *pool;

static void setup(void)
{
    ck_assert_int_eq(apr_initialize(), APR_SUCCESS);
    ck_assert_int_eq(apr_pool_create(&pool, NULL), APR_SUCCESS);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
    apr_terminate();
}

/* Build @a spec into *root; NULL or the first error. */
static const char *build(const char *spec, authz_node_t **root)
{
    authz_node_t *stack[8];
    int depth = 0;
    char *state;
    const char *err = NULL;

    stack[0] = *root = authz_container(pool, "<RequireAny");
    for (char *item = apr_strtok(apr_pstrdup(pool, spec), ";", &state); item && !err;
         item = apr_strtok(NULL, ";", &state)) {
        authz_node_t *node = NULL;
        char **argv;
        int argc = 0;

        while (*item == ' ') {
            item++;
        }
        if (strcmp(item, ">") == 0) {
            err = authz_check_container(pool, stack[depth--]);
            continue;
        }
        if (item[0] == '<') {
            node = authz_container(pool, item);
            ck_assert_ptr_nonnull(node);
            if (!(err = authz_add(pool, stack[depth], node))) {
                stack[++depth] = node;
            }
            continue;
        }
        ck_assert_int_eq(apr_tokenize_to_argv(item, &argv, pool), APR_SUCCESS);
        while (argv[argc]) {
            argc++;
        }
        err = authz_parse_require(pool, argc, (const char *const *)argv, &node);
        if (!err) {
            err = authz_add(pool, stack[depth], node);
        }
    }
    return err;
}

static const char *const NO_USER = NULL;

static const struct {
    const char *spec, *ip, *user;
    authz_status_t want;
} cases[] = {
    {"all granted", "10.0.0.1", NO_USER, AUTHZ_GRANTED},
    {"all denied", "10.0.0.1", NO_USER, AUTHZ_DENIED},
    {"ip 127.0.0.1", "127.0.0.1", NO_USER, AUTHZ_GRANTED},
    {"ip 127.0.0.1", "10.0.0.1", NO_USER, AUTHZ_DENIED},
    {"ip 10", "10.9.8.7", NO_USER, AUTHZ_GRANTED},
    {"ip 10.1", "10.2.0.1", NO_USER, AUTHZ_DENIED},
    {"ip 192.168.0.0/16", "192.168.44.1", NO_USER, AUTHZ_GRANTED},
    {"ip 192.168.0.0/255.255.0.0", "192.169.0.1", NO_USER, AUTHZ_DENIED},
    {"ip 10.0.0.5 127.0.0.1", "127.0.0.1", NO_USER, AUTHZ_GRANTED},
    {"ip ::1", "::1", NO_USER, AUTHZ_GRANTED},
    {"ip 2001:db8::/32", "2001:db8:1::5", NO_USER, AUTHZ_GRANTED},
    {"ip 2001:db8::/32", "2001:db9::5", NO_USER, AUTHZ_DENIED},
    {"valid-user", "10.0.0.1", NO_USER, AUTHZ_DENIED_NO_USER},
    {"valid-user", "10.0.0.1", "alice", AUTHZ_GRANTED},
    {"user alice carol", "10.0.0.1", "carol", AUTHZ_GRANTED},
    {"user alice", "10.0.0.1", "bob", AUTHZ_DENIED},
    {"user alice", "10.0.0.1", NO_USER, AUTHZ_DENIED_NO_USER},
    /* Implicit RequireAny: one grant is enough; a missing user outweighs a denial. */
    {"ip 10.0.0.1; valid-user", "10.0.0.1", NO_USER, AUTHZ_GRANTED},
    {"ip 10.0.0.1; valid-user", "127.0.0.1", NO_USER, AUTHZ_DENIED_NO_USER},
    {"all denied; user alice", "127.0.0.1", "alice", AUTHZ_GRANTED},
    /* RequireAll: a denial decides; a missing user outweighs a grant. */
    {"<RequireAll; ip 127.0.0.1; valid-user; >", "127.0.0.1", NO_USER, AUTHZ_DENIED_NO_USER},
    {"<RequireAll; ip 127.0.0.1; valid-user; >", "10.0.0.1", NO_USER, AUTHZ_DENIED},
    {"<RequireAll; ip 127.0.0.1; valid-user; >", "127.0.0.1", "bob", AUTHZ_GRANTED},
    {"<RequireAll; all granted; not ip 10.0.0.1; >", "127.0.0.1", NO_USER, AUTHZ_GRANTED},
    {"<RequireAll; all granted; not ip 10.0.0.1; >", "10.0.0.1", NO_USER, AUTHZ_DENIED},
    {"<RequireAll; valid-user; not user bob; >", "10.0.0.1", "bob", AUTHZ_DENIED},
    {"<RequireAll; valid-user; not user bob; >", "10.0.0.1", "alice", AUTHZ_GRANTED},
    /* RequireNone inside RequireAll: a grant inside denies, else no opinion. */
    {"<RequireAll; all granted; <RequireNone; ip 10; user eve; >; >", "10.1.1.1", NO_USER,
     AUTHZ_DENIED},
    {"<RequireAll; all granted; <RequireNone; ip 10; user eve; >; >", "127.0.0.1", "eve",
     AUTHZ_DENIED},
    {"<RequireAll; all granted; <RequireNone; ip 10; user eve; >; >", "127.0.0.1", "al",
     AUTHZ_GRANTED},
    /* A negated line that is all a RequireAll has left gives no opinion: never a grant. */
    {"<RequireAll; ip 10.0.0.1; not ip 127.0.0.1; >", "192.0.2.1", NO_USER, AUTHZ_DENIED},
    /* Nesting: superuser, or (an internal address and a valid user). */
    {"<RequireAny; user root; <RequireAll; ip 10; valid-user; >; >", "10.0.0.3", "joe",
     AUTHZ_GRANTED},
    {"<RequireAny; user root; <RequireAll; ip 10; valid-user; >; >", "11.0.0.3", "joe",
     AUTHZ_DENIED},
    {"<RequireAny; user root; <RequireAll; ip 10; valid-user; >; >", "11.0.0.3", "root",
     AUTHZ_GRANTED},
};

START_TEST(evaluate)
{
    authz_node_t *root;
    apr_sockaddr_t *sa;
    const char *err = build(cases[_i].spec, &root);
    authz_facts_t facts;

    ck_assert_msg(err == NULL, "%s: %s", cases[_i].spec, err);
    ck_assert_int_eq(apr_sockaddr_info_get(&sa, cases[_i].ip, APR_UNSPEC, 80, 0, pool),
                     APR_SUCCESS);
    facts.client = sa;
    facts.user = cases[_i].user;
    ck_assert_msg(authz_evaluate(root, &facts) == cases[_i].want, "%s from %s as %s: %d, want %d",
                  cases[_i].spec, cases[_i].ip, cases[_i].user ? cases[_i].user : "(none)",
                  authz_evaluate(root, &facts), cases[_i].want);
}
END_TEST

static const struct {
    const char *spec, *error;
} refusals[] = {
    {"bogus thing", "Unknown Authz provider: bogus"},
    {"not", "Require needs an authorization provider"},
    {"all maybe", "Argument for 'Require all' must be 'granted' or 'denied'"},
    {"all", "Argument for 'Require all' must be 'granted' or 'denied'"},
    {"ip", "Require ip needs at least one address"},
    {"ip 10.0.0.300", "'10.0.0.300' is not an IP address"},
    {"ip 10.0.0.0/33", "'10.0.0.0/33' is not an IP address"},
    {"ip example.org", "'example.org' is not an IP address"},
    {"user", "Require user needs at least one user name"},
    {"valid-user alice", "Require valid-user takes no arguments"},
    {"not ip 10.0.0.1", "negative Require directive has no effect in <RequireAny> directive"},
    {"<RequireNone; ip 10; >", "negative <RequireNone> directive has no effect in <RequireAny>"},
    {"<RequireAll; <RequireNone; not ip 10; >; >",
     "negative Require directive has no effect in <RequireNone> directive"},
    {"<RequireAll; >", "<RequireAll> directive contains no authorization directives"},
    {"<RequireAll; not ip 10; >",
     "<RequireAll> directive contains only negative authorization directives"},
    {"<RequireAll; <RequireNone; ip 10; >; >",
     "<RequireAll> directive contains only negative authorization directives"},
};

START_TEST(refuse)
{
    authz_node_t *root;
    const char *err = build(refusals[_i].spec, &root);

    ck_assert_msg(err && strstr(err, refusals[_i].error), "%s: got \"%s\", want \"%s\"",
                  refusals[_i].spec, err ? err : "(accepted)", refusals[_i].error);
}
END_TEST

/* A negated line never grants: a match denies, anything else is no opinion. */
START_TEST(negation)
{
    static const char *const not_ip[] = {"not", "ip", "10"};
    static const char *const not_valid[] = {"not", "valid-user"};
    authz_node_t *ip_node, *valid_node, *none;
    apr_sockaddr_t *inside, *outside;
    authz_facts_t facts = {NULL, NULL};

    ck_assert_ptr_null(authz_parse_require(pool, 3, not_ip, &ip_node));
    ck_assert_ptr_null(authz_parse_require(pool, 2, not_valid, &valid_node));
    ck_assert_int_eq(apr_sockaddr_info_get(&inside, "10.1.2.3", APR_INET, 80, 0, pool),
                     APR_SUCCESS);
    ck_assert_int_eq(apr_sockaddr_info_get(&outside, "127.0.0.1", APR_INET, 80, 0, pool),
                     APR_SUCCESS);
    facts.client = inside;
    ck_assert_int_eq(authz_evaluate(ip_node, &facts), AUTHZ_DENIED);
    facts.client = outside;
    ck_assert_int_eq(authz_evaluate(ip_node, &facts), AUTHZ_NEUTRAL);
    ck_assert_int_eq(authz_evaluate(valid_node, &facts), AUTHZ_NEUTRAL);
    facts.user = "alice";
    ck_assert_int_eq(authz_evaluate(valid_node, &facts), AUTHZ_DENIED);

    /* <RequireNone> is the negation of "any of these". */
    none = authz_container(pool, "<RequireNone");
    ck_assert_ptr_null(authz_parse_require(pool, 2, not_ip + 1, &ip_node));
    ck_assert_ptr_null(authz_add(pool, none, ip_node));
    ck_assert_int_eq(authz_evaluate(none, &facts), AUTHZ_NEUTRAL);
    facts.client = inside;
    ck_assert_int_eq(authz_evaluate(none, &facts), AUTHZ_DENIED);
}
END_TEST

START_TEST(container_names)
{
    ck_assert_ptr_nonnull(authz_container(pool, "<requireall"));
    ck_assert_ptr_nonnull(authz_container(pool, "<RequireNone"));
    ck_assert_ptr_null(authz_container(pool, "<RequireAllx"));
    ck_assert_ptr_null(authz_container(pool, "<Require"));
    ck_assert_ptr_null(authz_container(pool, "Require"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("authz_eval");
    TCase *tc = tcase_create("authz_eval");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, evaluate, 0, sizeof(cases) / sizeof(cases[0]));
    tcase_add_loop_test(tc, refuse, 0, sizeof(refusals) / sizeof(refusals[0]));
    tcase_add_test(tc, negation);
    tcase_add_test(tc, container_names);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
