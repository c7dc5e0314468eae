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

/* The kv_authz_status_t that a vector's field @a k names, without its KV_AUTHZ_. */
static kv_authz_status_t status_named(const struct kvc_vector *v, int k)
{
    static const char *const names[] = {
        [KV_AUTHZ_DENIED] = "DENIED",
        [KV_AUTHZ_GRANTED] = "GRANTED",
        [KV_AUTHZ_NEUTRAL] = "NEUTRAL",
        [KV_AUTHZ_DENIED_NO_USER] = "DENIED_NO_USER",
        [KV_AUTHZ_GENERAL_ERROR] = "GENERAL_ERROR",
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(v->field[k], names[i]) == 0) {
            return (kv_authz_status_t)i;
        }
    }
    ck_abort_msg("%s:%d: '%s' names no kv_authz_status_t", v->file, v->line, v->field[k]);
    return KV_AUTHZ_GENERAL_ERROR;
}

#define CASES_FILE "tests/unit/modules/authz_eval_evaluate.vectors"
#define CASES 60 /* the vectors in CASES_FILE */

KVU_CASE(authz_eval_case, "authz_eval", setup, teardown);

KVC_LOOP_TEST(authz_eval_case, evaluate, 0, CASES)
{
    const struct kvc_vector *v = kvc_vector(CASES_FILE, CASES, 4, _i);
    const char *spec = v->field[0], *ip = v->field[1], *user = v->field[2];
    kv_authz_status_t want = status_named(v, 3);
    authz_node_t *root;
    const char *err = build(spec, &root);
    kv_request_t *r = request_from(ip, user);

    ck_assert_msg(err == NULL, "%s:%d: %s: %s", v->file, v->line, spec, err);
    ck_assert_msg(authz_evaluate(root, r) == want, "%s:%d: %s from %s as %s: %d, want %d", v->file,
                  v->line, spec, ip, user ? user : "(none)", authz_evaluate(root, r), want);
}
END_TEST

#define REFUSALS_FILE "tests/unit/modules/authz_eval_refuse.vectors"
#define REFUSALS 26 /* the vectors in REFUSALS_FILE */

KVC_LOOP_TEST(authz_eval_case, refuse, 0, REFUSALS)
{
    const struct kvc_vector *v = kvc_vector(REFUSALS_FILE, REFUSALS, 2, _i);
    authz_node_t *root;
    const char *err = build(v->field[0], &root);

    ck_assert_msg(err && strstr(err, v->field[1]), "%s:%d: %s: got \"%s\", want \"%s\"", v->file,
                  v->line, v->field[0], err ? err : "(accepted)", v->field[1]);
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
