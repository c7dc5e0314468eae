/* Tests of modules/authz_core/authz_eval.c: Require lines parsed by the providers of
 * authz_core, authz_host and authz_user, containers checked, and trees evaluated for a
 * request with httpd 2.4's results. A tree is written as "item; item; ...", where an
 * item is a Require line's arguments, "<RequireAll", "<RequireAny", "<RequireNone" opening a
 * container, or ">" closing one; the items stand in a section's implicit <RequireAny>. */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_hooks.h>
#include <apr_strings.h>
#include <check.h>

#include "authz_eval.h"
#include "host_require.h"
#include "user_require.h"
#include "../check_run.h"

static apr_pool_t *pool;

static void setup(void)
{
    kvu_apr_pool_setup(&pool);
    apr_hook_global_pool = pool;
    authz_register_core_providers(pool);
    host_register_providers(pool);
    user_register_providers(pool);
}

/* A GET from @a ip (to 127.0.0.1:80) as @a user. */
static kv_request_t *request_from(const char *ip, const char *user)
{
    kv_request_t *r = apr_pcalloc(pool, sizeof(*r));
    kv_conn_t *c = apr_pcalloc(pool, sizeof(*c));

    ck_assert_int_eq(apr_sockaddr_info_get(&c->client_addr, ip, APR_UNSPEC, 80, 0, pool),
                     APR_SUCCESS);
    ck_assert_int_eq(apr_sockaddr_info_get(&c->local_addr, "127.0.0.1", APR_INET, 80, 0, pool),
                     APR_SUCCESS);
    c->pool = pool;
    c->client_ip = ip;
    r->pool = pool;
    r->connection = c;
    r->useragent_addr = c->client_addr;
    r->useragent_ip = ip;
    r->user = user;
    r->method = "GET";
    r->method_number = KV_M_GET;
    r->uri = "/";
    r->subprocess_env = apr_table_make(pool, 2);
    apr_table_set(r->subprocess_env, "IS_SET", "1");
    return r;
}

static void teardown(void)
{
    kvu_apr_pool_teardown(pool);
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
        err = authz_parse_require(pool, item, argc, (const char *const *)argv, &node);
        if (!err) {
            err = authz_add(pool, stack[depth], node);
        }
    }
    return err;
}

static const char *const NO_USER = NULL;

static const struct {
    const char *spec, *ip, *user;
    kv_authz_status_t want;
} cases[] = {
    {"all granted", "10.0.0.1", NO_USER, KV_AUTHZ_GRANTED},
    {"all denied", "10.0.0.1", NO_USER, KV_AUTHZ_DENIED},
    {"ip 127.0.0.1", "127.0.0.1", NO_USER, KV_AUTHZ_GRANTED},
    {"ip 127.0.0.1", "10.0.0.1", NO_USER, KV_AUTHZ_DENIED},
    {"ip 10", "10.9.8.7", NO_USER, KV_AUTHZ_GRANTED},
    {"ip 10.1", "10.2.0.1", NO_USER, KV_AUTHZ_DENIED},
    {"ip 192.168.0.0/16", "192.168.44.1", NO_USER, KV_AUTHZ_GRANTED},
    {"ip 192.168.0.0/255.255.0.0", "192.169.0.1", NO_USER, KV_AUTHZ_DENIED},
    {"ip 10.0.0.5 127.0.0.1", "127.0.0.1", NO_USER, KV_AUTHZ_GRANTED},
    {"ip ::1", "::1", NO_USER, KV_AUTHZ_GRANTED},
    {"ip 2001:db8::/32", "2001:db8:1::5", NO_USER, KV_AUTHZ_GRANTED},
    {"ip 2001:db8::/32", "2001:db9::5", NO_USER, KV_AUTHZ_DENIED},
    {"valid-user", "10.0.0.1", NO_USER, KV_AUTHZ_DENIED_NO_USER},
    {"valid-user", "10.0.0.1", "alice", KV_AUTHZ_GRANTED},
    {"user alice carol", "10.0.0.1", "carol", KV_AUTHZ_GRANTED},
    {"user alice", "10.0.0.1", "bob", KV_AUTHZ_DENIED},
    {"user alice", "10.0.0.1", NO_USER, KV_AUTHZ_DENIED_NO_USER},
    /* Implicit RequireAny: one grant is enough; a missing user outweighs a denial. */
    {"ip 10.0.0.1; valid-user", "10.0.0.1", NO_USER, KV_AUTHZ_GRANTED},
    {"ip 10.0.0.1; valid-user", "127.0.0.1", NO_USER, KV_AUTHZ_DENIED_NO_USER},
    {"all denied; user alice", "127.0.0.1", "alice", KV_AUTHZ_GRANTED},
    /* RequireAll: a denial decides; a missing user outweighs a grant. */
    {"<RequireAll; ip 127.0.0.1; valid-user; >", "127.0.0.1", NO_USER, KV_AUTHZ_DENIED_NO_USER},
    {"<RequireAll; ip 127.0.0.1; valid-user; >", "10.0.0.1", NO_USER, KV_AUTHZ_DENIED},
    {"<RequireAll; ip 127.0.0.1; valid-user; >", "127.0.0.1", "bob", KV_AUTHZ_GRANTED},
    {"<RequireAll; all granted; not ip 10.0.0.1; >", "127.0.0.1", NO_USER, KV_AUTHZ_GRANTED},
    {"<RequireAll; all granted; not ip 10.0.0.1; >", "10.0.0.1", NO_USER, KV_AUTHZ_DENIED},
    {"<RequireAll; valid-user; not user bob; >", "10.0.0.1", "bob", KV_AUTHZ_DENIED},
    {"<RequireAll; valid-user; not user bob; >", "10.0.0.1", "alice", KV_AUTHZ_GRANTED},
    /* RequireNone inside RequireAll: a grant inside denies, else no opinion. */
    {"<RequireAll; all granted; <RequireNone; ip 10; user eve; >; >", "10.1.1.1", NO_USER,
     KV_AUTHZ_DENIED},
    {"<RequireAll; all granted; <RequireNone; ip 10; user eve; >; >", "127.0.0.1", "eve",
     KV_AUTHZ_DENIED},
    {"<RequireAll; all granted; <RequireNone; ip 10; user eve; >; >", "127.0.0.1", "al",
     KV_AUTHZ_GRANTED},
    /* A negated line that is all a RequireAll has left gives no opinion: never a grant. */
    {"<RequireAll; ip 10.0.0.1; not ip 127.0.0.1; >", "192.0.2.1", NO_USER, KV_AUTHZ_DENIED},
    /* Nesting: superuser, or (an internal address and a valid user). */
    {"<RequireAny; user root; <RequireAll; ip 10; valid-user; >; >", "10.0.0.3", "joe",
     KV_AUTHZ_GRANTED},
    {"<RequireAny; user root; <RequireAll; ip 10; valid-user; >; >", "11.0.0.3", "joe",
     KV_AUTHZ_DENIED},
    {"<RequireAny; user root; <RequireAll; ip 10; valid-user; >; >", "11.0.0.3", "root",
     KV_AUTHZ_GRANTED},
    /* local: all of 127.0.0.0/8 and ::1, as httpd; the server's own address too. */
    {"local", "127.0.0.1", NO_USER, KV_AUTHZ_GRANTED},
    {"local", "127.0.0.2", NO_USER, KV_AUTHZ_GRANTED},
    {"local", "::1", NO_USER, KV_AUTHZ_GRANTED},
    {"local", "10.0.0.1", NO_USER, KV_AUTHZ_DENIED},
    {"local", "128.0.0.1", NO_USER, KV_AUTHZ_DENIED},
    {"<RequireAll; all granted; not local; >", "127.0.0.9", NO_USER, KV_AUTHZ_DENIED},
    /* host: the name of 127.0.0.1 in /etc/hosts is localhost, and it resolves back. */
    {"host localhost", "127.0.0.1", NO_USER, KV_AUTHZ_GRANTED},
    {"host example.org LOCALHOST", "127.0.0.1", NO_USER, KV_AUTHZ_GRANTED},
    {"host calhost", "127.0.0.1", NO_USER, KV_AUTHZ_DENIED},
    {"host localhost", "192.0.2.77", NO_USER, KV_AUTHZ_DENIED},
    {"forward-dns localhost", "127.0.0.1", NO_USER, KV_AUTHZ_GRANTED},
    {"forward-dns localhost", "10.0.0.1", NO_USER, KV_AUTHZ_DENIED},
    {"forward-dns no-such-name.invalid localhost", "127.0.0.1", NO_USER, KV_AUTHZ_GRANTED},
    /* method (HEAD counts as GET), env, expr. */
    {"method GET", "10.0.0.1", NO_USER, KV_AUTHZ_GRANTED},
    {"method POST PUT", "10.0.0.1", NO_USER, KV_AUTHZ_DENIED},
    {"method HEAD", "10.0.0.1", NO_USER, KV_AUTHZ_GRANTED},
    {"env NOT_SET", "10.0.0.1", NO_USER, KV_AUTHZ_DENIED},
    {"env NOT_SET IS_SET", "10.0.0.1", NO_USER, KV_AUTHZ_GRANTED},
    {"expr %{REMOTE_ADDR} == '10.0.0.1'", "10.0.0.1", NO_USER, KV_AUTHZ_GRANTED},
    {"expr %{REMOTE_ADDR} == '10.0.0.1'", "10.0.0.2", NO_USER, KV_AUTHZ_DENIED},
    {"expr %{REMOTE_USER} == 'bob'", "10.0.0.2", NO_USER, KV_AUTHZ_DENIED_NO_USER},
    {"expr %{REMOTE_USER} == 'bob'", "10.0.0.2", "bob", KV_AUTHZ_GRANTED},
    {"expr %{REMOTE_USER} == 'bob'", "10.0.0.2", "eve", KV_AUTHZ_DENIED},
    {"expr \"%{REQUEST_METHOD} == 'GET'\"", "10.0.0.2", NO_USER, KV_AUTHZ_GRANTED},
    {"<RequireAll; all granted; not expr 1 -eq 1; >", "10.0.0.2", NO_USER, KV_AUTHZ_DENIED},
    {"<RequireAll; all granted; not expr 1 -eq 2; >", "10.0.0.2", NO_USER, KV_AUTHZ_GRANTED},
};

KVU_CASE(authz_eval_case, "authz_eval", setup, teardown);

KVC_LOOP_TEST(authz_eval_case, evaluate, 0, sizeof(cases) / sizeof(cases[0]))
{
    authz_node_t *root;
    const char *err = build(cases[_i].spec, &root);
    kv_request_t *r = request_from(cases[_i].ip, cases[_i].user);

    ck_assert_msg(err == NULL, "%s: %s", cases[_i].spec, err);
    ck_assert_msg(authz_evaluate(root, r) == cases[_i].want, "%s from %s as %s: %d, want %d",
                  cases[_i].spec, cases[_i].ip, cases[_i].user ? cases[_i].user : "(none)",
                  authz_evaluate(root, r), cases[_i].want);
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
    {"user", "Require user needs at least one argument"},
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
    {"local 127.0.0.1", "Require local does not take arguments"},
    {"host", "Require host needs at least one argument"},
    {"forward-dns", "Require forward-dns needs at least one argument"},
    {"method", "'Require method' needs a list of HTTP methods"},
    {"method GET FOO", "Invalid Method 'FOO'"},
    {"method get", "Invalid Method 'get'"},
    {"env", "Require env needs at least one argument"},
    {"expr", "'Require expr' needs an expression"},
    {"expr %{NO_SUCH_VAR} == 1", "Cannot parse expression in require line"},
    {"group admins", "Unknown Authz provider: group (it is provided by mod_authz_groupfile"},
};

KVC_LOOP_TEST(authz_eval_case, refuse, 0, sizeof(refusals) / sizeof(refusals[0]))
{
    authz_node_t *root;
    const char *err = build(refusals[_i].spec, &root);

    ck_assert_msg(err && strstr(err, refusals[_i].error), "%s: got \"%s\", want \"%s\"",
                  refusals[_i].spec, err ? err : "(accepted)", refusals[_i].error);
}
END_TEST

/* A negated line never grants: a match denies, anything else is no opinion. */
KVC_TEST(authz_eval_case, negation)
{
    static const char *const not_ip[] = {"not", "ip", "10"};
    static const char *const not_valid[] = {"not", "valid-user"};
    authz_node_t *ip_node, *valid_node, *none;
    kv_request_t *inside = request_from("10.1.2.3", NULL);
    kv_request_t *outside = request_from("127.0.0.1", NULL);

    ck_assert_ptr_null(authz_parse_require(pool, "not ip 10", 3, not_ip, &ip_node));
    ck_assert_ptr_null(authz_parse_require(pool, "not valid-user", 2, not_valid, &valid_node));
    ck_assert_int_eq(authz_evaluate(ip_node, inside), KV_AUTHZ_DENIED);
    ck_assert_int_eq(authz_evaluate(ip_node, outside), KV_AUTHZ_NEUTRAL);
    ck_assert_int_eq(authz_evaluate(valid_node, outside), KV_AUTHZ_NEUTRAL);
    outside->user = "alice";
    ck_assert_int_eq(authz_evaluate(valid_node, outside), KV_AUTHZ_DENIED);

    /* <RequireNone> is the negation of "any of these". */
    none = authz_container(pool, "<RequireNone");
    ck_assert_ptr_null(authz_parse_require(pool, "ip 10", 2, not_ip + 1, &ip_node));
    ck_assert_ptr_null(authz_add(pool, none, ip_node));
    ck_assert_int_eq(authz_evaluate(none, outside), KV_AUTHZ_NEUTRAL);
    ck_assert_int_eq(authz_evaluate(none, inside), KV_AUTHZ_DENIED);
}
END_TEST

/* An expression that cannot be evaluated is an error, negated or not, in any container. */
KVC_TEST(authz_eval_case, expression_error)
{
    authz_node_t *root;
    kv_request_t *r = request_from("10.0.0.1", NULL);

    ck_assert_ptr_null(build("all granted; expr %{REMOTE_ADDR} -eq 1", &root));
    ck_assert_int_eq(authz_evaluate(root, r), KV_AUTHZ_GRANTED);
    ck_assert_ptr_null(build("expr %{REMOTE_ADDR} -eq 1; all granted", &root));
    ck_assert_int_eq(authz_evaluate(root, r), KV_AUTHZ_GENERAL_ERROR);
    ck_assert_ptr_null(build("<RequireAll; all granted; not expr %{REMOTE_ADDR} -eq 1; >", &root));
    ck_assert_int_eq(authz_evaluate(root, r), KV_AUTHZ_GENERAL_ERROR);
}
END_TEST

/* A line limited to other methods (<Limit>) grants in <RequireAll>, has no opinion in
 * <RequireAny>; a section of such lines applies to nothing. */
KVC_TEST(authz_eval_case, limited_lines)
{
    authz_node_t *root, *all, *deny, *grant;
    kv_request_t *get = request_from("10.0.0.1", NULL);
    kv_request_t *post = request_from("10.0.0.1", NULL);

    post->method = "POST";
    post->method_number = KV_M_POST;
    ck_assert_ptr_null(build("all denied", &root));
    root->first->limited = kv_method_bit("POST");
    ck_assert(!authz_section_applies(root, get));
    ck_assert(authz_section_applies(root, post));
    ck_assert_int_eq(authz_evaluate(root, post), KV_AUTHZ_DENIED);

    all = authz_container(pool, "<RequireAll");
    ck_assert_ptr_null(build("all denied", &root));
    deny = root->first;
    deny->limited = kv_method_bit("POST");
    ck_assert_ptr_null(build("all granted", &root));
    grant = root->first;
    grant->next = NULL;
    ck_assert_ptr_null(authz_add(pool, all, grant));
    ck_assert_ptr_null(authz_add(pool, all, deny));
    ck_assert_int_eq(authz_evaluate(all, get), KV_AUTHZ_GRANTED);
    ck_assert_int_eq(authz_evaluate(all, post), KV_AUTHZ_DENIED);
}
END_TEST

/* Whole labels only, as httpd's in_domain. */
KVC_TEST(authz_eval_case, in_domain)
{
    ck_assert(host_in_domain("example.org", "example.org"));
    ck_assert(host_in_domain("example.org", "www.Example.ORG"));
    ck_assert(host_in_domain(".example.org", "www.example.org"));
    ck_assert(!host_in_domain(".example.org", "example.org"));
    ck_assert(!host_in_domain("example.org", "badexample.org"));
    ck_assert(!host_in_domain("example.org", "org"));
    ck_assert(!host_in_domain("", "example.org"));
    ck_assert(host_in_domain("org", "example.org"));
}
END_TEST

KVC_TEST(authz_eval_case, container_names)
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
    return kvc_run("authz_eval");
}
