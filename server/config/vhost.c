/* Virtual hosts, name-based and IP-based, chosen for each request as httpd chooses. */
#include <string.h>

#include <apr_fnmatch.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "config_walk.h"
#include "core.h"
#include "kv_log.h"
#include "module.h"
#include "sections.h"
#include "vhost.h"

static const char *parse_address(apr_pool_t *p, const char *arg, kv_vhost_addr_t *out)
{
    char *host, *scope;
    apr_port_t port;
    apr_sockaddr_t *sa;
    char *addr = apr_pstrdup(p, arg);
    size_t n = strlen(addr);
    int any_port = n >= 2 && strcmp(addr + n - 2, ":*") == 0;

    /* httpd's "*" port ("*:*", "_default_:*", "10.0.0.1:*"), which APR does not parse, is
     * any port, as a missing one is. */
    if (any_port) {
        addr[n - 2] = '\0';
    }
    if (apr_parse_addr_port(&host, &scope, &port, addr, p) != APR_SUCCESS || scope) {
        return apr_psprintf(p, "<VirtualHost>: '%s' is not an address[:port]", arg);
    }
    out->port = any_port ? 0 : port;
    if (!host || strcmp(host, "*") == 0 || strcasecmp(host, "_default_") == 0) {
        out->ip = NULL;
        return NULL;
    }
    if (apr_sockaddr_info_get(&sa, host, APR_UNSPEC, port, 0, p) != APR_SUCCESS) {
        return apr_psprintf(p, "<VirtualHost>: cannot resolve '%s'", host);
    }
    apr_sockaddr_ip_get((char **)&out->ip, sa);
    return NULL;
}

/* The server fields a virtual host inherits when it does not set them. */
static void mark_unset(kv_server_t *vs)
{
    vs->timeout = KV_UNSET_TIME;
    vs->keep_alive_timeout = KV_UNSET_TIME;
    vs->keep_alive = KV_UNSET_INT;
    vs->keep_alive_max = KV_UNSET_INT;
    vs->limit_req_line = KV_UNSET_INT;
    vs->limit_req_fieldsize = KV_UNSET_INT;
    vs->limit_req_fields = KV_UNSET_INT;
    vs->log_level = KV_UNSET_INT;
}

const char *kv_cmd_virtualhost(kv_cmd_parms_t *cmd, void *conf, int argc,
                               const char *const *argv)
{
    kv_server_t *main = cmd->server;
    kv_server_t *vs = kv_server_create(cmd->pool);
    kv_core_server_conf_t *vconf;
    kv_server_t **tail = &main->next;
    int n;
    kv_module_t *const *mods = kv_loaded_modules(&n);
    const char *err;

    (void)conf;
    mark_unset(vs);
    vs->is_virtual = 1;
    vs->defn_name = cmd->directive->file;
    vs->defn_line = cmd->directive->line;
    for (int i = 0; i < n; i++) {
        if (mods[i]->create_server_config) {
            vs->module_config[mods[i]->index] = mods[i]->create_server_config(cmd->pool, vs);
        }
        if (mods[i]->create_dir_config) {
            vs->lookup_defaults[mods[i]->index] = mods[i]->create_dir_config(cmd->pool, NULL);
        }
    }
    vconf = kv_core_sconf(vs);
    vconf->vhost_addrs = apr_array_make(cmd->pool, argc, sizeof(kv_vhost_addr_t));
    for (int i = 0; i < argc; i++) {
        if ((err = parse_address(cmd->pool, argv[i], apr_array_push(vconf->vhost_addrs))) != NULL) {
            return err;
        }
    }
    while (*tail) {
        tail = &(*tail)->next;
    }
    *tail = vs;
    cmd->server = vs;
    cmd->context = KV_CTX_VHOST;
    return kv_walk_config(cmd, cmd->directive->first_child, vs->lookup_defaults);
}

const char *kv_cmd_server_alias(kv_cmd_parms_t *cmd, void *conf, int argc,
                                const char *const *argv)
{
    kv_core_server_conf_t *sconf = conf;

    if (!sconf->aliases) {
        sconf->aliases = apr_array_make(cmd->pool, argc, sizeof(const char *));
    }
    for (int i = 0; i < argc; i++) {
        char *name = apr_pstrdup(cmd->pool, argv[i]);
        for (char *c = name; *c; c++) {
            *c = (char)apr_tolower(*c);
        }
        APR_ARRAY_PUSH(sconf->aliases, const char *) = name;
    }
    return NULL;
}

static void inherit_fields(kv_server_t *vs, const kv_server_t *main)
{
    vs->server_hostname = vs->server_hostname ? vs->server_hostname : main->server_hostname;
    vs->timeout = KV_MERGE_TIME(vs->timeout, main->timeout, main->timeout);
    vs->keep_alive_timeout =
        KV_MERGE_TIME(vs->keep_alive_timeout, main->keep_alive_timeout, main->keep_alive_timeout);
    vs->keep_alive = KV_MERGE_INT(vs->keep_alive, main->keep_alive, main->keep_alive);
    vs->keep_alive_max = KV_MERGE_INT(vs->keep_alive_max, main->keep_alive_max, 0);
    vs->limit_req_line = KV_MERGE_INT(vs->limit_req_line, main->limit_req_line, 0);
    vs->limit_req_fieldsize = KV_MERGE_INT(vs->limit_req_fieldsize, main->limit_req_fieldsize, 0);
    vs->limit_req_fields = KV_MERGE_INT(vs->limit_req_fields, main->limit_req_fields, 0);
    vs->log_level = KV_MERGE_INT(vs->log_level, main->log_level, 0);
    if (apr_hash_count(vs->module_log_levels) == 0) {
        vs->module_log_levels = main->module_log_levels;
    }
}

/* Each module's configs of @a vs merged over the main server's. */
static void merge_module_configs(apr_pool_t *p, kv_server_t *vs, const kv_server_t *main)
{
    int n;
    kv_module_t *const *mods = kv_loaded_modules(&n);

    for (int i = 0; i < n; i++) {
        const kv_module_t *m = mods[i];
        int idx = m->index;
        if (!vs->module_config[idx]) {
            vs->module_config[idx] = main->module_config[idx];
        } else if (m->merge_server_config && main->module_config[idx]) {
            vs->module_config[idx] =
                m->merge_server_config(p, main->module_config[idx], vs->module_config[idx]);
        }
        if (!vs->lookup_defaults[idx]) {
            vs->lookup_defaults[idx] = main->lookup_defaults[idx];
        } else if (m->merge_dir_config && main->lookup_defaults[idx]) {
            vs->lookup_defaults[idx] =
                m->merge_dir_config(p, main->lookup_defaults[idx], vs->lookup_defaults[idx]);
        }
    }
}

void kv_vhosts_finish(apr_pool_t *p, kv_server_t *main)
{
    for (kv_server_t *vs = main->next; vs; vs = vs->next) {
        inherit_fields(vs, main);
        merge_module_configs(p, vs, main);
    }
}

/* "::ffff:127.0.0.1" (an IPv4 client of a dual-stack listener) is 127.0.0.1. */
static const char *plain_ip(const char *ip)
{
    return strncmp(ip, "::ffff:", 7) == 0 && strchr(ip + 7, '.') ? ip + 7 : ip;
}

/* How closely address @a a takes a connection to @a ip : @a port, as httpd ranks them: 3 the
 * IP and port, 2 the IP and any port, 1 any IP and the port, 0 any IP and port; -1 not. */
static int address_rank(const kv_vhost_addr_t *a, const char *ip, apr_port_t port)
{
    int exact_ip = a->ip != NULL;

    if ((a->port != 0 && a->port != port) || (exact_ip && strcmp(plain_ip(a->ip), ip) != 0)) {
        return -1;
    }
    return exact_ip * 2 + (a->port != 0);
}

/* The best rank among @a vs's addresses for the connection, -1 if none takes it. */
static int host_rank(const kv_server_t *vs, const char *ip, apr_port_t port)
{
    const apr_array_header_t *addrs = kv_core_sconf(vs)->vhost_addrs;
    int best = -1;

    for (int i = 0; i < addrs->nelts; i++) {
        int r = address_rank(&APR_ARRAY_IDX(addrs, i, kv_vhost_addr_t), ip, port);
        best = r > best ? r : best;
    }
    return best;
}

int kv_vhost_answers_to(const kv_server_t *vs, const char *hostname)
{
    const apr_array_header_t *aliases = kv_core_sconf(vs)->aliases;

    if (vs->server_hostname && strcasecmp(vs->server_hostname, hostname) == 0) {
        return 1;
    }
    for (int i = 0; aliases && i < aliases->nelts; i++) {
        if (apr_fnmatch(APR_ARRAY_IDX(aliases, i, const char *), hostname, APR_FNM_CASE_BLIND) ==
            APR_SUCCESS) {
            return 1;
        }
    }
    return 0;
}

kv_server_t *kv_vhost_select(kv_server_t *main, const char *local_ip, apr_port_t local_port,
                             const char *hostname)
{
    const char *ip = plain_ip(local_ip);
    kv_server_t *first = NULL;
    int best = -1;

    /* As httpd: only the hosts of the most specific address that has any are candidates
     * (a *:80 host shadows the *:* ones on port 80); by name among them, else the first. */
    for (kv_server_t *vs = main->next; vs; vs = vs->next) {
        int rank = host_rank(vs, ip, local_port);
        if (rank > best) {
            best = rank;
            first = vs;
        }
    }
    if (!first) {
        return main;
    }
    for (kv_server_t *vs = first; hostname && vs; vs = vs->next) {
        if (host_rank(vs, ip, local_port) == best && kv_vhost_answers_to(vs, hostname)) {
            return vs;
        }
    }
    return first;
}

/* ---- httpd -S's "VirtualHost configuration" ---- */

static int same_address(const kv_vhost_addr_t *a, const kv_vhost_addr_t *b)
{
    return a->port == b->port && (a->ip && b->ip ? strcmp(a->ip, b->ip) == 0 : a->ip == b->ip);
}

/* The distinct addresses of every host, IPs before wildcards, each in config order. */
static apr_array_header_t *distinct_addresses(apr_pool_t *p, const kv_server_t *main)
{
    apr_array_header_t *out = apr_array_make(p, 4, sizeof(const kv_vhost_addr_t *));

    for (int wildcard = 0; wildcard <= 1; wildcard++) {
        for (const kv_server_t *vs = main->next; vs; vs = vs->next) {
            const apr_array_header_t *addrs = kv_core_sconf(vs)->vhost_addrs;
            for (int i = 0; i < addrs->nelts; i++) {
                const kv_vhost_addr_t *a = &APR_ARRAY_IDX(addrs, i, kv_vhost_addr_t);
                int seen = (a->ip == NULL) != wildcard;
                for (int k = 0; !seen && k < out->nelts; k++) {
                    seen = same_address(a, APR_ARRAY_IDX(out, k, const kv_vhost_addr_t *));
                }
                if (!seen) {
                    APR_ARRAY_PUSH(out, const kv_vhost_addr_t *) = a;
                }
            }
        }
    }
    return out;
}

static int has_address(const kv_server_t *vs, const kv_vhost_addr_t *a)
{
    const apr_array_header_t *addrs = kv_core_sconf(vs)->vhost_addrs;

    for (int i = 0; i < addrs->nelts; i++) {
        if (same_address(&APR_ARRAY_IDX(addrs, i, kv_vhost_addr_t), a)) {
            return 1;
        }
    }
    return 0;
}

static const char *address_text(apr_pool_t *p, const kv_vhost_addr_t *a)
{
    const char *port = a->port ? apr_psprintf(p, "%u", a->port) : "*";

    if (!a->ip) {
        return apr_pstrcat(p, "*:", port, NULL);
    }
    return apr_pstrcat(p, strchr(a->ip, ':') ? "[" : "", a->ip, strchr(a->ip, ':') ? "]" : "",
                       ":", port, NULL);
}

static void print_names(FILE *out, const kv_server_t *vs, const kv_vhost_addr_t *a)
{
    const apr_array_header_t *aliases = kv_core_sconf(vs)->aliases;

    if (a->port) {
        fprintf(out, "%8s port %u ", "", a->port);
    } else {
        fprintf(out, "%8s port * ", "");
    }
    fprintf(out, "namevhost %s (%s:%u)\n", vs->server_hostname, vs->defn_name, vs->defn_line);
    for (int i = 0; aliases && i < aliases->nelts; i++) {
        const char *name = APR_ARRAY_IDX(aliases, i, const char *);
        fprintf(out, "%16s %salias %s\n", "", strpbrk(name, "*?") ? "wild " : "", name);
    }
}

void kv_vhosts_print(FILE *out, apr_pool_t *p, const kv_server_t *main)
{
    const apr_array_header_t *addrs = distinct_addresses(p, main);

    fprintf(out, "VirtualHost configuration:\n");
    for (int i = 0; i < addrs->nelts; i++) {
        const kv_vhost_addr_t *a = APR_ARRAY_IDX(addrs, i, const kv_vhost_addr_t *);
        const kv_server_t *first = NULL;
        int count = 0;

        for (const kv_server_t *vs = main->next; vs; vs = vs->next) {
            if (has_address(vs, a)) {
                first = first ? first : vs;
                count++;
            }
        }
        if (count == 1) {
            fprintf(out, "%-22s %s (%s:%u)\n", address_text(p, a), first->server_hostname,
                    first->defn_name, first->defn_line);
            continue;
        }
        fprintf(out, "%-22s is a NameVirtualHost\n%8s default server %s (%s:%u)\n",
                address_text(p, a), "", first->server_hostname, first->defn_name,
                first->defn_line);
        for (const kv_server_t *vs = first; vs; vs = vs->next) {
            if (has_address(vs, a)) {
                print_names(out, vs, a);
            }
        }
    }
}
