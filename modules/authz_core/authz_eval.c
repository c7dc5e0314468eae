/* The Require expression: parsing one line through its provider, building containers,
 * evaluating the tree. */
#include <string.h>

#include <apr_strings.h>

#include "authz_eval.h"

static const char *const container_names[] = {
    [AUTHZ_SEC_ALL] = "<RequireAll>",
    [AUTHZ_SEC_ANY] = "<RequireAny>",
    [AUTHZ_SEC_NONE] = "<RequireNone>",
};

static int is_container(const authz_node_t *n)
{
    return n->kind != AUTHZ_LINE;
}

/* A line or container that can only deny or stay neutral. */
static int is_negative(const authz_node_t *n)
{
    return n->negate || n->kind == AUTHZ_SEC_NONE;
}

/* @a line past its first @a n words (a word may be quoted), leading blanks skipped. */
static const char *skip_words(const char *line, int n)
{
    const char *c = line ? line : "";

    for (int i = 0; i <= n; i++) {
        while (*c == ' ' || *c == '\t') {
            c++;
        }
        if (i == n) {
            break;
        }
        if (*c == '"' || *c == '\'') {
            const char *end = strchr(c + 1, *c);
            c = end ? end + 1 : c + strlen(c);
        } else {
            c += strcspn(c, " \t");
        }
    }
    return c;
}

/* The modules that provide httpd's other providers, for a hint when one is not loaded. */
static const struct {
    const char *provider, *module;
} provider_modules[] = {
    {"ip", "authz_host"},          {"local", "authz_host"}, {"host", "authz_host"},
    {"forward-dns", "authz_host"}, {"user", "authz_user"},  {"valid-user", "authz_user"},
    {"group", "authz_groupfile"},
};

static const char *provider_hint(apr_pool_t *p, const char *name)
{
    for (size_t i = 0; i < sizeof(provider_modules) / sizeof(provider_modules[0]); i++) {
        if (strcasecmp(name, provider_modules[i].provider) == 0) {
            return apr_psprintf(p,
                                " (it is provided by mod_%s: LoadModule %s_module "
                                "modules/mod_%s.so)",
                                provider_modules[i].module, provider_modules[i].module,
                                provider_modules[i].module);
        }
    }
    return "";
}

const char *authz_parse_require(apr_pool_t *p, const char *line, int argc, const char *const *argv,
                                authz_node_t **out)
{
    authz_node_t *n = apr_pcalloc(p, sizeof(*n));
    int skipped = 1;

    if (argc > 0 && strcasecmp(argv[0], "not") == 0) {
        n->negate = 1;
        argc--;
        argv++;
        skipped++;
    }
    if (argc == 0) {
        return apr_pstrdup(p, "Require needs an authorization provider (all, ip, local, host, "
                              "user, valid-user, group, env, method, expr ...)");
    }
    n->kind = AUTHZ_LINE;
    n->limited = KV_METHODS_ALL;
    n->name = apr_pstrdup(p, argv[0]);
    n->provider = kv_authz_provider_get(p, argv[0]);
    *out = n;
    if (!n->provider) {
        return apr_psprintf(p, "Unknown Authz provider: %s%s", argv[0], provider_hint(p, argv[0]));
    }
    return n->provider->parse(p, skip_words(line, skipped), argc - 1, argv + 1, &n->parsed);
}

authz_node_t *authz_container(apr_pool_t *p, const char *name)
{
    for (authz_kind_t k = AUTHZ_SEC_ALL; k <= AUTHZ_SEC_NONE; k++) {
        size_t n = strlen(container_names[k]) - 1; /* without the '>' */
        if (strncasecmp(name, container_names[k], n) == 0 && name[n] == '\0') {
            authz_node_t *sec = apr_pcalloc(p, sizeof(*sec));
            sec->kind = k;
            sec->limited = KV_METHODS_ALL;
            return sec;
        }
    }
    return NULL;
}

const char *authz_add(apr_pool_t *p, authz_node_t *parent, authz_node_t *child)
{
    /* Only <RequireAll> can use a result that can never grant. */
    if (is_negative(child) && parent->kind != AUTHZ_SEC_ALL) {
        return apr_psprintf(p, "negative %s directive has no effect in %s directive",
                            child->kind == AUTHZ_SEC_NONE ? "<RequireNone>" : "Require",
                            container_names[parent->kind]);
    }
    if (parent->last) {
        parent->last->next = child;
    } else {
        parent->first = child;
    }
    parent->last = child;
    return NULL;
}

const char *authz_check_container(apr_pool_t *p, const authz_node_t *sec)
{
    if (!sec->first) {
        return apr_psprintf(p, "%s directive contains no authorization directives",
                            container_names[sec->kind]);
    }
    for (const authz_node_t *c = sec->first; c; c = c->next) {
        if (!is_negative(c)) {
            return NULL;
        }
    }
    return apr_psprintf(p, "%s directive contains only negative authorization directives",
                        container_names[sec->kind]);
}

/* Fold a child's result into its container's: @a decisive (a denial in <RequireAll>, a grant
 * in <RequireAny> and <RequireNone>) settles it; otherwise a missing user outweighs the other
 * result, since a user could still change it; no opinion counts for nothing. */
static kv_authz_status_t combine(kv_authz_status_t acc, kv_authz_status_t child,
                                 kv_authz_status_t decisive)
{
    if (child == KV_AUTHZ_NEUTRAL || acc == decisive) {
        return acc;
    }
    if (acc == KV_AUTHZ_NEUTRAL || child == decisive || child == KV_AUTHZ_DENIED_NO_USER) {
        return child;
    }
    return acc;
}

static kv_authz_status_t evaluate_container(const authz_node_t *sec, kv_request_t *r)
{
    kv_authz_status_t decisive = sec->kind == AUTHZ_SEC_ALL ? KV_AUTHZ_DENIED : KV_AUTHZ_GRANTED;
    kv_authz_status_t acc = KV_AUTHZ_NEUTRAL;

    kv_authz_status_t other_method =
        sec->kind == AUTHZ_SEC_ALL ? KV_AUTHZ_GRANTED : KV_AUTHZ_NEUTRAL;

    for (const authz_node_t *c = sec->first; c && acc != decisive; c = c->next) {
        kv_authz_status_t s = kv_method_in(c->limited, r) ? authz_evaluate(c, r) : other_method;
        if (s == KV_AUTHZ_GENERAL_ERROR) {
            return s;
        }
        acc = combine(acc, s, decisive);
    }
    return acc;
}

/* A negated result never grants: a grant becomes a denial, a denial becomes no opinion; an
 * error stays an error. */
static kv_authz_status_t negated(kv_authz_status_t s)
{
    if (s == KV_AUTHZ_GENERAL_ERROR) {
        return s;
    }
    return s == KV_AUTHZ_GRANTED ? KV_AUTHZ_DENIED : KV_AUTHZ_NEUTRAL;
}

int authz_section_applies(const authz_node_t *sec, const kv_request_t *r)
{
    for (const authz_node_t *c = sec->first; c; c = c->next) {
        if (kv_method_in(c->limited, r)) {
            return 1;
        }
    }
    return 0;
}

kv_authz_status_t authz_evaluate(const authz_node_t *node, kv_request_t *r)
{
    kv_authz_status_t s =
        is_container(node) ? evaluate_container(node, r) : node->provider->check(r, node->parsed);

    return is_negative(node) ? negated(s) : s;
}
