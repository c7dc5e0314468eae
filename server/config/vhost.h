/* Virtual hosts: <VirtualHost> and ServerAlias, the merge of each host's settings over
 * the main server's, and the choice of host for a request. Internal to the core. */
#ifndef KV_VHOST_H
#define KV_VHOST_H

#include <stdio.h>

#include "kv_config.h"
#include "kv_http.h"

/** One address of a <VirtualHost>: an IP (NULL for * and _default_) and a port (0: any). */
typedef struct {
    const char *ip;
    apr_port_t port;
} kv_vhost_addr_t;

/** <VirtualHost addr[:port] ...>'s handler. */
const char *kv_cmd_virtualhost(kv_cmd_parms_t *cmd, void *conf, int argc,
                               const char *const *argv);

/** ServerAlias's handler. */
const char *kv_cmd_server_alias(kv_cmd_parms_t *cmd, void *conf, int argc,
                                const char *const *argv);

/** Give every virtual host of @a main what it did not set itself, from @a main. */
void kv_vhosts_finish(apr_pool_t *p, kv_server_t *main);

/** The server a request is for, as httpd chooses: the virtual hosts of the most specific
 * address that has any (IP and port, IP and any port, any IP and the port, any IP and any
 * port) are the candidates; the one whose ServerName or ServerAlias is its Host, else the
 * first of them; the main server when no virtual host has the address. */
kv_server_t *kv_vhost_select(kv_server_t *main, const char *local_ip, apr_port_t local_port,
                             const char *hostname);

/** Is @a hostname @a vs's ServerName, or does one of its ServerAlias patterns match it? As
 * kv_vhost_select matches a Host. */
int kv_vhost_answers_to(const kv_server_t *vs, const char *hostname);

/** httpd -S's "VirtualHost configuration:": each address, its default server and its
 * name-based hosts with the file:line that defines them. */
void kv_vhosts_print(FILE *out, apr_pool_t *p, const kv_server_t *main);

#endif
