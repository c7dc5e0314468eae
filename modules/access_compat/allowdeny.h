/* mod_access_compat's pure parts: one `Allow from`/`Deny from` argument, and what Order
 * makes of whether an Allow and a Deny line matched. Tested on their own. */
#ifndef ALLOWDENY_H
#define ALLOWDENY_H

#include <apr_network_io.h>
#include <apr_pools.h>

/* Order's three evaluations; 0 is the default. */
typedef enum { ORDER_DENY_ALLOW = 0, ORDER_ALLOW_DENY, ORDER_MUTUAL_FAILURE } access_order_t;

typedef enum { FROM_ALL, FROM_ENV, FROM_IP, FROM_HOST } from_kind_t;

/* One argument of Allow from / Deny from. */
typedef struct {
    from_kind_t kind;
    const char *name;   /* env: the variable; host: the domain */
    apr_ipsubnet_t *ip; /* ip: the network */
} from_t;

/* Parse Order's argument (allow,deny, deny,allow or mutual-failure, any case); NULL or why
 * not. */
const char *access_parse_order(apr_pool_t *p, const char *arg, access_order_t *out);

/* Parse one argument after `from`: all, env=VAR, an address, partial address, addr/prefix
 * or addr/netmask, else a host name or domain, as httpd; NULL or why not. */
const char *access_parse_from(apr_pool_t *p, const char *arg, from_t *out);

/* Is the client let in, under @a order, when an Allow line matched (@a allowed) and a Deny
 * line matched (@a denied)? httpd's rules: deny,allow lets in unless only Deny matched;
 * allow,deny lets in only when Allow matched and Deny did not; mutual-failure as
 * allow,deny. */
int access_order_lets_in(access_order_t order, int allowed, int denied);

#endif
