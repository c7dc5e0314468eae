/* The Require expression of mod_authz_core: a tree of Require lines and <RequireAll>,
 * <RequireAny>, <RequireNone> containers, built while the configuration is read and
 * evaluated for a request with httpd 2.4's results and rules. A Require line is decided by
 * the authorization provider it names (kv_auth.h), which a module registers: all, env,
 * method and expr here; ip, local, host and forward-dns in mod_authz_host; user and
 * valid-user in mod_authz_user; group in mod_authz_groupfile. No logging, so it is tested on
 * its own. */
#ifndef AUTHZ_EVAL_H
#define AUTHZ_EVAL_H

#include <apr_pools.h>

#include "kv_auth.h"
#include "kv_config.h"

typedef enum {
    AUTHZ_LINE,     /* Require [not] provider ... */
    AUTHZ_SEC_ALL,  /* <RequireAll> */
    AUTHZ_SEC_ANY,  /* <RequireAny>, and the implicit one of a section's lines */
    AUTHZ_SEC_NONE, /* <RequireNone> */
} authz_kind_t;

typedef struct authz_node authz_node_t;
struct authz_node {
    authz_kind_t kind;
    int negate;                          /* Require not */
    const char *name;                    /* a line's provider name, as written */
    const kv_authz_provider_t *provider; /* a line's provider */
    const void *parsed;                  /* what the provider made of the line */
    kv_method_mask_t limited;            /* the methods it applies to (<Limit>) */
    authz_node_t *first;                 /* a container's children, in config order */
    authz_node_t *last;
    authz_node_t *next;
};

/* Parse one Require line into *out: @a line is its argument text as written, @a argv the
 * arguments split. NULL, or why it is refused. */
const char *authz_parse_require(apr_pool_t *p, const char *line, int argc, const char *const *argv,
                                authz_node_t **out);

/* A new container: "<RequireAll", "<RequireAny" or "<RequireNone" (case-insensitive);
 * NULL for another name. */
authz_node_t *authz_container(apr_pool_t *p, const char *name);

/* Add @a child to @a parent; NULL, or why a negated child has no effect there. */
const char *authz_add(apr_pool_t *p, authz_node_t *parent, authz_node_t *child);

/* Once a container's lines are read: NULL, or why it can never grant. */
const char *authz_check_container(apr_pool_t *p, const authz_node_t *sec);

/* Does a line or container of @a sec apply to @a r's method? When none does, the section
 * decides nothing for it (httpd: granted, as if it had no Require lines). */
int authz_section_applies(const authz_node_t *sec, const kv_request_t *r);

/* The result of @a node for @a r. A line or container limited to other methods (<Limit>)
 * grants in <RequireAll> and has no opinion elsewhere, as in httpd. */
kv_authz_status_t authz_evaluate(const authz_node_t *node, kv_request_t *r);

/* Register the providers of mod_authz_core (all, env, method, expr). */
void authz_register_core_providers(apr_pool_t *p);

#endif
