/* Require valid-user (any authenticated user) and Require user NAME... (one of them). Before
 * authentication both ask for a user. */
#include <string.h>

#include <apr_strings.h>

#include "user_require.h"

static const char *parse_valid_user(apr_pool_t *p, const char *line, int argc,
                                    const char *const *argv, const void **parsed)
{
    (void)line;
    (void)argv;
    (void)parsed;
    return argc == 0 ? NULL : apr_pstrdup(p, "Require valid-user takes no arguments");
}

static kv_authz_status_t check_valid_user(kv_request_t *r, const void *parsed)
{
    (void)parsed;
    return r->user ? KV_AUTHZ_GRANTED : KV_AUTHZ_DENIED_NO_USER;
}

static const char *parse_user(apr_pool_t *p, const char *line, int argc, const char *const *argv,
                              const void **parsed)
{
    (void)line;
    return kv_authz_parse_words(p, "user", argc, argv, parsed);
}

static kv_authz_status_t check_user(kv_request_t *r, const void *parsed)
{
    const apr_array_header_t *users = parsed;

    if (!r->user) {
        return KV_AUTHZ_DENIED_NO_USER;
    }
    for (int i = 0; i < users->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(users, i, const char *), r->user) == 0) {
            return KV_AUTHZ_GRANTED;
        }
    }
    return KV_AUTHZ_DENIED;
}

static const kv_authz_provider_t valid_user_provider = {parse_valid_user, check_valid_user};
static const kv_authz_provider_t user_provider = {parse_user, check_user};

static const kv_authz_provider_t *valid_user(void)
{
    return &valid_user_provider;
}

static const kv_authz_provider_t *user(void)
{
    return &user_provider;
}

void user_register_providers(apr_pool_t *p)
{
    kv_authz_provider_register(p, "valid-user", valid_user);
    kv_authz_provider_register(p, "user", user);
}
