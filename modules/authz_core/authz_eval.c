/* The Require expression: parsing one line, building containers, evaluating the tree. */
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
    return n->kind == AUTHZ_SEC_ALL || n->kind == AUTHZ_SEC_ANY || n->kind == AUTHZ_SEC_NONE;
}

/* A line or container that can only deny or stay neutral. */
static int is_negative(const authz_node_t *n)
{
    return n->negate || n->kind == AUTHZ_SEC_NONE;
}

static const char *parse_all(apr_pool_t *p, authz_node_t *n, int argc, const char *const *argv)
{
    if (argc == 1 && strcasecmp(argv[0], "granted") == 0) {
        n->granted = 1;
        return NULL;
    }
    if (argc == 1 && strcasecmp(argv[0], "denied") == 0) {
        return NULL;
    }
    return apr_pstrdup(p, "Argument for 'Require all' must be 'granted' or 'denied'");
}

/* One "addr", "addr/prefix", "addr/netmask" or partial IPv4 address. */
static const char *parse_subnet(apr_pool_t *p, const char *arg, apr_ipsubnet_t **out)
{
    char *addr = apr_pstrdup(p, arg);
    char *mask = strchr(addr, '/');

    if (mask) {
        *mask++ = '\0';
    }
    if (*addr == '\0' || apr_ipsubnet_create(out, addr, mask, p) != APR_SUCCESS) {
        return apr_psprintf(p,
                            "Require ip: '%s' is not an IP address, a partial IPv4 address, "
                            "addr/prefix or addr/netmask",
                            arg);
    }
    return NULL;
}

static const char *parse_ip(apr_pool_t *p, authz_node_t *n, int argc, const char *const *argv)
{
    const char *err;

    if (argc == 0) {
        return apr_pstrdup(p, "Require ip needs at least one address");
    }
    n->items = apr_array_make(p, argc, sizeof(apr_ipsubnet_t *));
    for (int i = 0; i < argc; i++) {
        if ((err = parse_subnet(p, argv[i], apr_array_push(n->items))) != NULL) {
            return err;
        }
    }
    return NULL;
}

static const char *parse_user(apr_pool_t *p, authz_node_t *n, int argc, const char *const *argv)
{
    if (argc == 0) {
        return apr_pstrdup(p, "Require user needs at least one user name");
    }
    n->items = apr_array_make(p, argc, sizeof(const char *));
    for (int i = 0; i < argc; i++) {
        APR_ARRAY_PUSH(n->items, const char *) = apr_pstrdup(p, argv[i]);
    }
    return NULL;
}

const char *authz_parse_require(apr_pool_t *p, int argc, const char *const *argv,
                                authz_node_t **out)
{
    authz_node_t *n = apr_pcalloc(p, sizeof(*n));
    const char *name;

    if (argc > 0 && strcasecmp(argv[0], "not") == 0) {
        n->negate = 1;
        argc--;
        argv++;
    }
    if (argc == 0) {
        return apr_pstrdup(p, "Require needs an authorization provider (all, ip, user, "
                              "valid-user)");
    }
    name = argv[0];
    *out = n;
    if (strcasecmp(name, "all") == 0) {
        n->kind = AUTHZ_ALL;
        return parse_all(p, n, argc - 1, argv + 1);
    }
    if (strcasecmp(name, "ip") == 0) {
        n->kind = AUTHZ_IP;
        return parse_ip(p, n, argc - 1, argv + 1);
    }
    if (strcasecmp(name, "user") == 0) {
        n->kind = AUTHZ_USER;
        return parse_user(p, n, argc - 1, argv + 1);
    }
    if (strcasecmp(name, "valid-user") == 0) {
        n->kind = AUTHZ_VALID;
        return argc == 1 ? NULL : apr_pstrdup(p, "Require valid-user takes no arguments");
    }
    return apr_psprintf(p, "Unknown Authz provider: %s", name);
}

authz_node_t *authz_container(apr_pool_t *p, const char *name)
{
    for (authz_kind_t k = AUTHZ_SEC_ALL; k <= AUTHZ_SEC_NONE; k++) {
        size_t n = strlen(container_names[k]) - 1; /* without the '>' */
        if (strncasecmp(name, container_names[k], n) == 0 && name[n] == '\0') {
            authz_node_t *sec = apr_pcalloc(p, sizeof(*sec));
            sec->kind = k;
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

static authz_status_t check_ip(const authz_node_t *n, const authz_facts_t *facts)
{
    for (int i = 0; facts->client && i < n->items->nelts; i++) {
        if (apr_ipsubnet_test(APR_ARRAY_IDX(n->items, i, apr_ipsubnet_t *), facts->client)) {
            return AUTHZ_GRANTED;
        }
    }
    return AUTHZ_DENIED;
}

static authz_status_t check_user(const authz_node_t *n, const authz_facts_t *facts)
{
    if (!facts->user) {
        return AUTHZ_DENIED_NO_USER;
    }
    for (int i = 0; i < n->items->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(n->items, i, const char *), facts->user) == 0) {
            return AUTHZ_GRANTED;
        }
    }
    return AUTHZ_DENIED;
}

static authz_status_t check_line(const authz_node_t *n, const authz_facts_t *facts)
{
    switch (n->kind) {
    case AUTHZ_ALL:
        return n->granted ? AUTHZ_GRANTED : AUTHZ_DENIED;
    case AUTHZ_IP:
        return check_ip(n, facts);
    case AUTHZ_VALID:
        return facts->user ? AUTHZ_GRANTED : AUTHZ_DENIED_NO_USER;
    default:
        return check_user(n, facts);
    }
}

/* Fold a child's result into its container's: @a decisive (a denial in <RequireAll>, a grant
 * in <RequireAny> and <RequireNone>) settles it; otherwise a missing user outweighs the other
 * result, since a user could still change it; no opinion counts for nothing. */
static authz_status_t combine(authz_status_t acc, authz_status_t child, authz_status_t decisive)
{
    if (child == AUTHZ_NEUTRAL || acc == decisive) {
        return acc;
    }
    if (acc == AUTHZ_NEUTRAL || child == decisive || child == AUTHZ_DENIED_NO_USER) {
        return child;
    }
    return acc;
}

static authz_status_t evaluate_container(const authz_node_t *sec, const authz_facts_t *facts)
{
    authz_status_t decisive = sec->kind == AUTHZ_SEC_ALL ? AUTHZ_DENIED : AUTHZ_GRANTED;
    authz_status_t acc = AUTHZ_NEUTRAL;

    for (const authz_node_t *c = sec->first; c && acc != decisive; c = c->next) {
        acc = combine(acc, authz_evaluate(c, facts), decisive);
    }
    return acc;
}

/* A negated result never grants: a grant becomes a denial, a denial becomes no opinion. */
static authz_status_t negated(authz_status_t s)
{
    return s == AUTHZ_GRANTED ? AUTHZ_DENIED : AUTHZ_NEUTRAL;
}

authz_status_t authz_evaluate(const authz_node_t *node, const authz_facts_t *facts)
{
    authz_status_t s =
        is_container(node) ? evaluate_container(node, facts) : check_line(node, facts);

    return is_negative(node) ? negated(s) : s;
}
