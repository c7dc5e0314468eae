/* Connections: the record an MPM builds for an accepted socket, the connection hooks,
 * and the lingering close that lets the client read the last response. */
#include <apr_strings.h>

#include "kv_connection.h"
#include "kv_log.h"
#include "kv_scoreboard.h"
#include "module.h"
#include "request.h"

#define KV_LOG_MODULE "core"

/* How long and how much a closing connection drains from the client. */
#define LINGER_TOTAL apr_time_from_sec(2)
#define LINGER_READ_TIMEOUT apr_time_from_msec(500)
#define LINGER_MAX_BYTES (512 * 1024)

APR_HOOK_STRUCT(APR_HOOK_LINK(pre_connection) APR_HOOK_LINK(process_connection))

KV_IMPLEMENT_HOOK_RUN_ALL(int, pre_connection, (kv_conn_t * c, void *csd), (c, csd), KV_OK,
                          KV_DECLINED)
KV_IMPLEMENT_HOOK_RUN_FIRST(int, process_connection, (kv_conn_t * c), (c), KV_DECLINED)

KV_DECLARE(kv_conn_t *) kv_create_connection(apr_pool_t *ptrans, kv_server_t *s,
                                             apr_socket_t *csd, long id, int sb_slot)
{
    kv_conn_t *c = apr_pcalloc(ptrans, sizeof(*c));
    kv_filter_t *net = apr_pcalloc(ptrans, sizeof(*net));
    char *ip;

    c->pool = ptrans;
    c->base_server = s;
    c->sock = csd;
    c->id = id;
    c->sb_slot = sb_slot;
    if (apr_socket_addr_get(&c->local_addr, APR_LOCAL, csd) != APR_SUCCESS ||
        apr_socket_addr_get(&c->client_addr, APR_REMOTE, csd) != APR_SUCCESS) {
        return NULL;
    }
    apr_sockaddr_ip_get(&ip, c->client_addr);
    c->client_ip = ip;
    apr_sockaddr_ip_get(&ip, c->local_addr);
    c->local_ip = ip;
    c->bucket_alloc = apr_bucket_alloc_create(ptrans);
    c->conn_config = kv_config_vector_make(ptrans);
    net->name = "core";
    net->func = kv_core_output_filter;
    net->type = KV_FTYPE_NETWORK;
    net->c = c;
    c->output_filters = net;
    apr_socket_opt_set(csd, APR_TCP_NODELAY, 1);
    apr_socket_timeout_set(csd, s->timeout);
    return c;
}

KV_DECLARE(void) kv_process_connection(kv_conn_t *c, apr_socket_t *csd)
{
    int rv = kv_run_pre_connection(c, csd);

    if (rv == KV_OK || rv == KV_DECLINED) {
        kv_run_process_connection(c);
    }
    kv_lingering_close(c);
}

KV_DECLARE(void) kv_lingering_close(kv_conn_t *c)
{
    char buf[4096];
    apr_size_t total = 0;
    apr_time_t deadline = apr_time_now() + LINGER_TOTAL;

    if (!c->sock) {
        return;
    }
    kv_scoreboard_update(c->sb_slot, KV_SB_CLOSING, NULL);
    if (c->aborted || apr_socket_shutdown(c->sock, APR_SHUTDOWN_WRITE) != APR_SUCCESS) {
        apr_socket_close(c->sock);
        c->sock = NULL;
        return;
    }
    apr_socket_timeout_set(c->sock, LINGER_READ_TIMEOUT);
    while (total < LINGER_MAX_BYTES && apr_time_now() < deadline) {
        apr_size_t len = sizeof(buf);
        if (apr_socket_recv(c->sock, buf, &len) != APR_SUCCESS || len == 0) {
            break;
        }
        total += len;
    }
    apr_socket_close(c->sock);
    c->sock = NULL;
}
