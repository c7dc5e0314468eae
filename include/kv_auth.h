/**
 * @file kv_auth.h
 * @brief How the authentication and authorization modules find each other.
 *
 * mod_authn_core owns AuthType and AuthName; mod_authz_core decides, with the authorization
 * providers that modules register (Require NAME), when a request needs a user;
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
#include <apr_tables.h>

#include "kv_http.h"

/** What an authentication provider says about a user and password. */
typedef enum {
    KV_AUTHN_DENIED,         /**< the user exists and the password is wrong */
    KV_AUTHN_GRANTED,        /**< the password is right */
    KV_AUTHN_USER_NOT_FOUND, /**< the provider does not know the user */
    KV_AUTHN_GENERAL_ERROR   /**< the provider could not decide (logged) */
} kv_authn_status_t;

/** The r->notes entry that names the provider an authentication module is calling (as
 * httpd's AUTHN_PROVIDER_NAME_NOTE): an <AuthnProviderAlias> reads it to know which it is. */
#define KV_AUTHN_PROVIDER_NAME_NOTE "authn_provider_name"

/** An authentication provider (AuthBasicProvider NAME): checks @a password for @a user. */
typedef kv_authn_status_t (*kv_authn_check_fn)(kv_request_t *r, const char *user,
                                               const char *password);

/** An AuthType's module: adds what a 401 needs (WWW-Authenticate) to r->err_headers_out. */
typedef void (*kv_auth_note_failure_fn)(kv_request_t *r);

/** The AuthType in force for @a r (NULL if none or None); provided by mod_authn_core. */
APR_DECLARE_OPTIONAL_FN(const char *, kv_auth_type, (const kv_request_t *r));
/** The AuthName (realm) in force for @a r, or NULL; provided by mod_authn_core. */
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

/** The r->notes entry mod_access_compat sets when its Allow/Deny let the client in under
 * Satisfy Any: mod_authz_core then asks for nothing more (no Require, no password). */
#define KV_ACCESS_SATISFIED_NOTE "access_satisfied"

/** Does @a r's section have Require lines (so that Satisfy Any can leave the decision to
 * them)? Provided by mod_authz_core. */
APR_DECLARE_OPTIONAL_FN(int, kv_some_auth_required, (const kv_request_t *r));

/** What an authorization provider (the NAME of a `Require NAME ...` line) says. */
typedef enum {
    KV_AUTHZ_DENIED,         /**< the request may not have the resource */
    KV_AUTHZ_GRANTED,        /**< it may */
    KV_AUTHZ_NEUTRAL,        /**< no opinion: a negated line that did not match */
    KV_AUTHZ_DENIED_NO_USER, /**< an authenticated user is needed to decide */
    KV_AUTHZ_GENERAL_ERROR   /**< the provider could not decide (logged): a 500 */
} kv_authz_status_t;

/** An authorization provider, as httpd's authz_provider: @a parse reads a Require line's
 * arguments once, at configuration time, into *parsed (in @a p); @a check decides for a
 * request. @a line is the arguments' text as written (quotes kept), for providers that take
 * an expression; @a argv the same arguments split and unquoted. */
typedef struct {
    const char *(*parse)(apr_pool_t *p, const char *line, int argc, const char *const *argv,
                         const void **parsed);
    kv_authz_status_t (*check)(kv_request_t *r, const void *parsed);
} kv_authz_provider_t;

/** What a module registers for an authorization provider: returns its record. */
typedef const kv_authz_provider_t *(*kv_authz_provider_fn)(void);

/** A provider's parse step for a list of words (names, variables): copies of @a argv in
 * @a p into *parsed (an array of const char *); an error naming `Require @a what` if empty. */
static inline const char *kv_authz_parse_words(apr_pool_t *p, const char *what, int argc,
                                               const char *const *argv, const void **parsed)
{
    apr_array_header_t *words;

    if (argc == 0) {
        return apr_psprintf(p, "Require %s needs at least one argument", what);
    }
    words = apr_array_make(p, argc, sizeof(const char *));
    for (int i = 0; i < argc; i++) {
        APR_ARRAY_PUSH(words, const char *) = apr_pstrdup(p, argv[i]);
    }
    *parsed = words;
    return NULL;
}

/** Register authorization provider @a name (`Require NAME`); call from register_hooks. */
static inline void kv_authz_provider_register(apr_pool_t *p, const char *name,
                                              kv_authz_provider_fn fn)
{
    apr_dynamic_fn_register(kv_auth_key(p, "kv_authz", name), (apr_opt_fn_t *)fn);
}

/** The authorization provider called @a name, or NULL if no loaded module provides it. */
static inline const kv_authz_provider_t *kv_authz_provider_get(apr_pool_t *p, const char *name)
{
    kv_authz_provider_fn fn =
        (kv_authz_provider_fn)apr_dynamic_fn_retrieve(kv_auth_key(p, "kv_authz", name));

    return fn ? fn() : NULL;
}

#endif
