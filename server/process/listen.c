/* Listening sockets: opened once in the global pool and kept across restarts, so no
 * connection is refused while a new generation starts; their options are applied again
 * on every generation, so a changed ListenBacklog or buffer size takes effect. */
#include <string.h>
#include <sys/socket.h>

#include <apr_portable.h>
#include <apr_strings.h>

#include "kv_listen.h"
#include "kv_log.h"
#include "kv_mpm.h"

#define KV_LOG_MODULE "core"

KV_DECLARE_DATA kv_listen_rec_t *kv_listeners;

/* Every listener ever opened and not yet closed, active or not. */
static kv_listen_rec_t *all_listeners;

KV_DECLARE(int) kv_listeners_count(void)
{
    int n = 0;

    for (kv_listen_rec_t *l = kv_listeners; l; l = l->next) {
        n++;
    }
    return n;
}

static kv_listen_rec_t *find_open(const kv_listen_spec_t *spec)
{
    for (kv_listen_rec_t *l = all_listeners; l; l = l->next) {
        if (l->bind_addr->port == spec->port && strcmp(l->text, spec->text) == 0) {
            return l;
        }
    }
    return NULL;
}

static apr_status_t open_socket(kv_listen_rec_t *l, const kv_listen_spec_t *spec, int backlog,
                                const kv_server_t *s)
{
    apr_status_t rv;
    apr_int32_t family = spec->addr ? APR_UNSPEC : APR_INET6;

    rv = apr_sockaddr_info_get(&l->bind_addr, spec->addr, family, spec->port, 0, kv_pglobal);
    if (rv != APR_SUCCESS && !spec->addr) {
        rv = apr_sockaddr_info_get(&l->bind_addr, NULL, APR_INET, spec->port, 0, kv_pglobal);
    }
    if (rv != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_CRIT, rv, s, "KV00010: cannot resolve Listen %s",
                     spec->text);
        return rv;
    }
    rv = apr_socket_create(&l->sd, l->bind_addr->family, SOCK_STREAM, APR_PROTO_TCP, kv_pglobal);
    if (rv != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_CRIT, rv, s, "KV00011: cannot create socket for %s",
                     spec->text);
        return rv;
    }
    apr_socket_opt_set(l->sd, APR_SO_REUSEADDR, 1);
    /* Accepted sockets inherit it on Linux (and APR knows): no setsockopt per connection. */
    apr_socket_opt_set(l->sd, APR_TCP_NODELAY, 1);
    if (l->bind_addr->family == APR_INET6 && !spec->addr) {
        /* Listen with a bare port takes IPv4 too, as httpd does. */
        apr_socket_opt_set(l->sd, APR_IPV6_V6ONLY, 0);
    }
    rv = apr_socket_bind(l->sd, l->bind_addr);
    if (rv == APR_SUCCESS) {
        rv = apr_socket_listen(l->sd, backlog);
    }
    if (rv != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_CRIT, rv, s,
                     "KV00012: could not bind to address %s (Listen %s)", spec->text, spec->text);
        apr_socket_close(l->sd);
        return rv;
    }
    return APR_SUCCESS;
}

/* Does AcceptFilter ask the kernel to hand over @a protocol's connections only once the
 * client has sent something? httpd's default on Linux ("data") unless it says "none". */
static int accept_filter_defers(const kv_listen_conf_t *conf, const char *protocol)
{
    const char *filter = apr_table_get(conf->accept_filters, protocol);

    return !filter || strcmp(filter, "none") != 0;
}

/* AcceptFilter: a connection is handed over once its first bytes have come (at most 30 s
 * after it was opened, as httpd), so the process that accepts it reads its request at once
 * instead of waiting for it. Set or cleared on every generation. */
static void apply_accept_filter(kv_listen_rec_t *l, const kv_listen_spec_t *spec,
                                const kv_listen_conf_t *conf, const kv_server_t *s)
{
    int defers = accept_filter_defers(conf, spec->protocol);
    apr_status_t rv = apr_socket_opt_set(l->sd, APR_TCP_DEFER_ACCEPT, defers ? 30 : 0);

    if (rv != APR_SUCCESS && defers) {
        kv_log_error(KV_LOG_MARK, KV_LOG_WARNING, rv, s,
                     "KV01090: could not set the accept filter (TCP_DEFER_ACCEPT) on %s; its "
                     "connections are handed over at once", l->text);
    }
}

/* The generation's options: listen(2) again changes the backlog of a listening socket. */
static apr_status_t apply_options(kv_listen_rec_t *l, const kv_listen_spec_t *spec,
                                  const kv_listen_conf_t *conf, const kv_server_t *s)
{
    apr_os_sock_t fd;
    apr_status_t rv;

    apr_os_sock_get(&fd, l->sd);
    if (listen(fd, conf->backlog) != 0) {
        rv = APR_FROM_OS_ERROR(errno);
        kv_log_error(KV_LOG_MARK, KV_LOG_CRIT, rv, s, "KV00013: listen(%s, %d) failed", l->text,
                     conf->backlog);
        return rv;
    }
    apply_accept_filter(l, spec, conf, s);
    if (conf->send_buffer_size > 0) {
        rv = apr_socket_opt_set(l->sd, APR_SO_SNDBUF, conf->send_buffer_size);
        if (rv != APR_SUCCESS) {
            kv_log_error(KV_LOG_MARK, KV_LOG_WARNING, rv, s,
                         "KV00014: failed to set SendBufferSize %d on %s",
                         conf->send_buffer_size, l->text);
        }
    }
    if (conf->receive_buffer_size > 0) {
        rv = apr_socket_opt_set(l->sd, APR_SO_RCVBUF, conf->receive_buffer_size);
        if (rv != APR_SUCCESS) {
            kv_log_error(KV_LOG_MARK, KV_LOG_WARNING, rv, s,
                         "KV00015: failed to set ReceiveBufferSize %d on %s",
                         conf->receive_buffer_size, l->text);
        }
    }
    return APR_SUCCESS;
}

static void close_inactive(void)
{
    kv_listen_rec_t **pp = &all_listeners;

    while (*pp) {
        kv_listen_rec_t *l = *pp;
        if (!l->active) {
            apr_socket_close(l->sd);
            *pp = l->next;
        } else {
            pp = &l->next;
        }
    }
}

KV_DECLARE(int) kv_setup_listeners(kv_server_t *s, const kv_listen_conf_t *conf)
{
    kv_listen_rec_t *active = NULL, **tail = &active;

    for (kv_listen_rec_t *l = all_listeners; l; l = l->next) {
        l->active = 0;
    }
    for (int i = 0; i < conf->specs->nelts; i++) {
        const kv_listen_spec_t *spec = &APR_ARRAY_IDX(conf->specs, i, kv_listen_spec_t);
        kv_listen_rec_t *l = find_open(spec);

        if (!l) {
            l = apr_pcalloc(kv_pglobal, sizeof(*l));
            l->text = apr_pstrdup(kv_pglobal, spec->text);
            if (open_socket(l, spec, conf->backlog, s) != APR_SUCCESS) {
                return 1;
            }
            l->next = all_listeners;
            all_listeners = l;
        }
        l->active = 1;
        if (apply_options(l, spec, conf, s) != APR_SUCCESS) {
            return 1;
        }
    }
    close_inactive();
    /* The active list is a copy in pconf order, so the persistent list keeps its links. */
    for (int i = 0; i < conf->specs->nelts; i++) {
        const kv_listen_spec_t *spec = &APR_ARRAY_IDX(conf->specs, i, kv_listen_spec_t);
        kv_listen_rec_t *copy = apr_pmemdup(s->pool, find_open(spec), sizeof(*copy));
        copy->next = NULL;
        copy->protocol = spec->protocol;
        *tail = copy;
        tail = &copy->next;
    }
    kv_listeners = active;
    return 0;
}

KV_DECLARE(void) kv_shutdown_listeners(void)
{
    for (kv_listen_rec_t *l = all_listeners; l; l = l->next) {
        apr_os_sock_t fd;

        /* Linux ends the listening state of the socket itself, not of this descriptor:
         * every process's copy stops taking connections at once (a child's accept then
         * fails with EINVAL), and a new connection is refused. Elsewhere this fails with
         * ENOTCONN and changes nothing; the close below and the children's still do. */
        if (apr_os_sock_get(&fd, l->sd) == APR_SUCCESS) {
            shutdown(fd, SHUT_RD);
        }
    }
    kv_close_listeners();
}

KV_DECLARE(void) kv_close_listeners(void)
{
    for (kv_listen_rec_t *l = all_listeners; l; l = l->next) {
        apr_socket_close(l->sd);
    }
    all_listeners = NULL;
    kv_listeners = NULL;
}
