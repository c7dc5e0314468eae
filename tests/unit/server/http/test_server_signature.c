/* Tests of server/http/server_signature.c: ServerTokens' words and the banners they make
 * (httpd's for 2.4.71: Apache, Apache/2, Apache/2.4, Apache/2.4.71, Apache/2.4.71 (Debian)),
 * and the core directives' refusals of bad values. */
/* Moved from tests/unit/server/test_server_signature.c (server/ split into layer folders). */
#include <check.h>
#include <string.h>

#include <apr_general.h>

#include "config_walk.h"
#include "core.h"
#include "module.h"
#include "../../check_run.h"

static apr_pool_t *pool;

KVU_POOL_CASE(tokens_case, "tokens", pool);

KVC_TEST(tokens_case, tokens_words)
{
    static const struct {
        const char *word;
        int tokens;
    } words[] = {
        {"Prod", KV_TOKENS_PROD},   {"productonly", KV_TOKENS_PROD}, {"MAJOR", KV_TOKENS_MAJOR},
        {"Minor", KV_TOKENS_MINOR}, {"min", KV_TOKENS_MIN},          {"Minimal", KV_TOKENS_MIN},
        {"os", KV_TOKENS_OS},       {"Full", KV_TOKENS_FULL},
    };

    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        int tokens = -1;
        ck_assert_int_eq(kv_parse_server_tokens(words[i].word, &tokens), 0);
        ck_assert_int_eq(tokens, words[i].tokens);
    }
}
END_TEST

KVC_TEST(tokens_case, tokens_unknown_word)
{
    int tokens = KV_TOKENS_OS;

    ck_assert_int_eq(kv_parse_server_tokens("Product", &tokens), -1);
    ck_assert_int_eq(kv_parse_server_tokens("", &tokens), -1);
    ck_assert_int_eq(tokens, KV_TOKENS_OS);
}
END_TEST

KVC_TEST(tokens_case, banners)
{
    ck_assert_str_eq(kv_format_banner(pool, KV_TOKENS_PROD, "2.4.71"), "kiva");
    ck_assert_str_eq(kv_format_banner(pool, KV_TOKENS_MAJOR, "2.4.71"), "kiva/2");
    ck_assert_str_eq(kv_format_banner(pool, KV_TOKENS_MINOR, "2.4.71"), "kiva/2.4");
    ck_assert_str_eq(kv_format_banner(pool, KV_TOKENS_MIN, "2.4.71"), "kiva/2.4.71");
    ck_assert_str_eq(kv_format_banner(pool, KV_TOKENS_OS, "2.4.71"), "kiva/2.4.71 (Unix)");
    ck_assert_str_eq(kv_format_banner(pool, KV_TOKENS_FULL, "2.4.71"), "kiva/2.4.71 (Unix)");
}
END_TEST

/* A version with fewer parts than asked for is given whole. */
KVC_TEST(tokens_case, banner_of_a_short_version)
{
    ck_assert_str_eq(kv_format_banner(pool, KV_TOKENS_MINOR, "3"), "kiva/3");
    ck_assert_str_eq(kv_format_banner(pool, KV_TOKENS_MINOR, "3.1"), "kiva/3.1");
    ck_assert_str_eq(kv_format_banner(pool, KV_TOKENS_MAJOR, "3.1"), "kiva/3");
}
END_TEST

/* The error the configuration gives for "name arg". */
static const char *config_error(const char *name, const char *arg)
{
    kv_server_t *server;
    kv_directive_t d = {0};
    const char *argv[] = {arg, NULL};
    apr_pool_t *ptemp;
    const char *err;

    apr_hook_global_pool = pool;
    kv_modules_reset();
    server = kv_server_create(pool);
    kv_module_add(pool, &core_module, NULL, server);
    d.name = name;
    d.argc = 1;
    d.argv = argv;
    d.args = arg;
    d.file = "/etc/t.conf";
    d.line = 3;
    apr_pool_create(&ptemp, pool);
    err = kv_config_run(pool, ptemp, server, &d);
    apr_hook_deregister_all();
    return err;
}

KVC_TEST(tokens_case, bad_values_refused)
{
    ck_assert_ptr_nonnull(strstr(config_error("ServerTokens", "Product"),
                                 "ServerTokens must be Prod, Major, Minor, Min, OS or Full, "
                                 "not 'Product'"));
    ck_assert_ptr_nonnull(strstr(config_error("ServerSignature", "Mail"),
                                 "ServerSignature must be On, Off or EMail, not 'Mail'"));
    ck_assert_ptr_null(config_error("ServerSignature", "email"));
    ck_assert_ptr_null(config_error("ServerAdmin", "webmaster@localhost"));
}
END_TEST

int main(void)
{
    return kvc_run("server_signature");
}
