/* The Require expression of mod_authz_core: a tree of Require lines and <RequireAll>,
 * <RequireAny>, <RequireNone> containers, built while the configuration is read and
 * evaluated for a client address and user, with httpd 2.4's results and rules. Pure: no
 * request, no logging, so it is tested on its own. */
#ifndef AUTHZ_EVAL_H
#define AUTHZ_EVAL_H

#include <apr_network_io.h>
#include <apr_pools.h>
#include <apr_tables.h>

/* What a Require line or a container yields. */
typedef enum {
    AUTHZ_DENIED,
    AUTHZ_GRANTED,
    AUTHZ_NEUTRAL,        /* no opinion: a negated line that did not match */
    AUTHZ_DENIED_NO_USER, /* a user is needed to decide */
} authz_status_t;

typedef enum {
    AUTHZ_ALL,      /* Require all granted|denied */
    AUTHZ_IP,       /* Require ip ... */
    AUTHZ_VALID,    /* Require valid-user */
    AUTHZ_USER,     /* Require user ... */
    AUTHZ_SEC_ALL,  /* <RequireAll> */
    AUTHZ_SEC_ANY,  /* <RequireAny>, and the implicit one of a section's lines */
    AUTHZ_SEC_NONE, /* <RequireNone> */
} authz_kind_t;

typedef struct authz_node authz_node_t;
struct authz_node {
    authz_kind_t kind;
    int negate;                /* Require not */
    int granted;               /* Require all: granted (1) or denied (0) */
    apr_array_header_t *items; /* ip: apr_ipsubnet_t *; user: const char * */
    authz_node_t *first;       /* a container's children, in config order */
    authz_node_t *last;
    authz_node_t *next;
};

/* What a decision is made from. */
typedef struct {
    apr_sockaddr_t *client; /* the client's address */
    const char *user;       /* the authenticated user, NULL before authentication */
} authz_facts_t;

/* Parse the arguments of one Require line into *out. NULL, or why it is refused. */
const char *authz_parse_require(apr_pool_t *p, int argc, const char *const *argv,
                                authz_node_t **out);

/* A new container: "<RequireAll", "<RequireAny" or "<RequireNone" (case-insensitive);
 * NULL for another name. */
authz_node_t *authz_container(apr_pool_t *p, const char *name);

/* Add @a child to @a parent; NULL, or why a negated child has no effect there. */
const char *authz_add(apr_pool_t *p, authz_node_t *parent, authz_node_t *child);

/* Once a container's lines are read: NULL, or why it can never grant. */
const char *authz_check_container(apr_pool_t *p, const authz_node_t *sec);

/* The result of @a node for @a facts. */
authz_status_t authz_evaluate(const authz_node_t *node, const authz_facts_t *facts);

#endif
