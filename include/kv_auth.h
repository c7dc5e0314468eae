/**
 * @file kv_auth.h
 * @brief How the authentication and authorization modules find each other.
 *
 * mod_authz_core owns AuthType and AuthName and decides when a request needs a user;
 * an authentication module (mod_auth_basic) registers the AuthType it implements and asks
 * an authentication provider (mod_authn_file) whether a password is right. The registry is
 * APR-util's optional functions, which the core clears with the hooks on every restart, so
 * nothing points into a module of an older generation.
 */
#ifndef KV_AUTH_H
#define KV_AUTH_H

#include <apr_lib.h>
#include <apr_optional.h>
#include <apr_strings.h>

#include "kv_http.h"

/** What an authentication provider says about a user and password. */
typedef enum {
    KV_AUTHN_DENIED,         /**< the user exists and the password is wrong */
    KV_AUTHN_GRANTED,        /**< the password is right */
    KV_AUTHN_USER_NOT_FOUND, /**< the provider does not know the user */
    KV_AUTHN_GENERAL_ERROR   /**< the provider could not decide (logged) */
} kv_authn_status_t;

/** An authentication provider (AuthBasicProvider NAME): checks @a password for @a user. */
typedef kv_authn_status_t (*kv_authn_check_fn)(kv_request_t *r, const char *user,
                                               const char *password);

/** An AuthType's module: adds what a 401 needs (WWW-Authenticate) to r->err_headers_out. */
typedef void (*kv_auth_note_failure_fn)(kv_request_t *r);

/** The AuthType in force for @a r (NULL if none or None); provided by mod_authz_core. */
APR_DECLARE_OPTIONAL_FN(const char *, kv_auth_type, (const kv_request_t *r));
/** The AuthName (realm) in force for @a r, or NULL; provided by mod_authz_core. */
APR_DECLARE_OPTIONAL_FN(const char *, kv_auth_name, (const kv_request_t *r));

/** Registry key "kind:name", lower-case (AuthType and provider names ignore case). */
static inline const char *kv_auth_key(apr_pool_t *p, const char *kind, const char *name)
{
    char *key = apr_pstrcat(p, kind, ":", name, NULL);

    for (char *c = key; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    return key;
}

/** Register authentication provider @a name; call from register_hooks with its pool. */
static inline void kv_authn_provider_register(apr_pool_t *p, const char *name, kv_authn_check_fn fn)
{
    apr_dynamic_fn_register(kv_auth_key(p, "kv_authn", name), (apr_opt_fn_t *)fn);
}

/** The authentication provider called @a name, or NULL if no loaded module provides it. */
static inline kv_authn_check_fn kv_authn_provider_get(apr_pool_t *p, const char *name)
{
    return (kv_authn_check_fn)apr_dynamic_fn_retrieve(kv_auth_key(p, "kv_authn", name));
}

/** Register AuthType @a type ("Basic"); call from register_hooks with its pool. */
static inline void kv_auth_type_register(apr_pool_t *p, const char *type,
                                         kv_auth_note_failure_fn fn)
{
    apr_dynamic_fn_register(kv_auth_key(p, "kv_authtype", type), (apr_opt_fn_t *)fn);
}

/** The module function behind AuthType @a type, or NULL if no loaded module provides it. */
static inline kv_auth_note_failure_fn kv_auth_type_get(apr_pool_t *p, const char *type)
{
    return (kv_auth_note_failure_fn)apr_dynamic_fn_retrieve(kv_auth_key(p, "kv_authtype", type));
}

#endif
