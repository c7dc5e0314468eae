/* ServerTokens: its keywords, and the banner of the Server field each one makes. */
#include <string.h>

#include <apr_strings.h>

#include "core.h"

#ifndef KV_VERSION
#define KV_VERSION "unknown"
#endif

static const struct {
    const char *name;
    int tokens;
} token_names[] = {
    {"Prod", KV_TOKENS_PROD},   {"ProductOnly", KV_TOKENS_PROD}, {"Major", KV_TOKENS_MAJOR},
    {"Minor", KV_TOKENS_MINOR}, {"Min", KV_TOKENS_MIN},          {"Minimal", KV_TOKENS_MIN},
    {"OS", KV_TOKENS_OS},       {"Full", KV_TOKENS_FULL},
};

int kv_parse_server_tokens(const char *arg, int *tokens)
{
    for (size_t i = 0; i < sizeof(token_names) / sizeof(token_names[0]); i++) {
        if (strcasecmp(arg, token_names[i].name) == 0) {
            *tokens = token_names[i].tokens;
            return 0;
        }
    }
    return -1;
}

/* The first @a parts dot-separated parts of @a version. */
static const char *version_prefix(apr_pool_t *p, const char *version, int parts)
{
    const char *end = version;

    for (int i = 0; i < parts && end; i++) {
        end = strchr(end + (i > 0), '.');
    }
    return end ? apr_pstrmemdup(p, version, (apr_size_t)(end - version)) : version;
}

const char *kv_format_banner(apr_pool_t *p, int tokens, const char *version)
{
    switch (tokens) {
    case KV_TOKENS_PROD:
        return "kiva";
    case KV_TOKENS_MAJOR:
        return apr_pstrcat(p, "kiva/", version_prefix(p, version, 1), NULL);
    case KV_TOKENS_MINOR:
        return apr_pstrcat(p, "kiva/", version_prefix(p, version, 2), NULL);
    case KV_TOKENS_MIN:
        return apr_pstrcat(p, "kiva/", version, NULL);
    default:
        /* OS, and Full: no module adds a product token to kiva's banner. */
        return apr_pstrcat(p, "kiva/", version, " (Unix)", NULL);
    }
}

const char *kv_build_banner(apr_pool_t *p, int tokens)
{
    return kv_format_banner(p, tokens == KV_UNSET_INT ? KV_TOKENS_FULL : tokens, KV_VERSION);
}
