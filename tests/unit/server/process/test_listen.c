/* Tests of server/listen.c: the listeners a generation asks for (given as a kv_listen_conf_t,
 * not read from the core config) are opened with their options, kept across generations,
 * and closed once no generation names them. */
#include <check.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <apr_general.h>
#include <apr_portable.h>
#include <apr_strings.h>

#include "config_walk.h"
#include "kv_listen.h"
#include "kv_mpm.h"
#include "../../check_run.h"

static apr_pool_t *pool;
static kv_server_t *server;

static void setup(void)
{
    kvu_apr_pool_setup(&pool);
    kv_pglobal = pool;
    /* No module at all: listen.c needs nothing of the core's config. */
    server = kv_server_create(pool);
}

static void teardown(void)
{
    kv_close_listeners();
    kvu_apr_pool_teardown(pool);
}

/* Listen 127.0.0.1 on a port the kernel picks; @a text tells the lines apart. */
static kv_listen_spec_t spec(const char *text, const char *protocol)
{
    kv_listen_spec_t s = {.addr = "127.0.0.1", .port = 0, .text = text, .protocol = protocol};

    return s;
}

static kv_listen_conf_t conf_of(const kv_listen_spec_t *specs, int n)
{
    apr_array_header_t *a = apr_array_make(pool, n, sizeof(kv_listen_spec_t));
    apr_table_t *filters = apr_table_make(pool, 1);
    kv_listen_conf_t conf = {
        .specs = a, .backlog = 7, .receive_buffer_size = 65536, .accept_filters = filters};

    for (int i = 0; i < n; i++) {
        APR_ARRAY_PUSH(a, kv_listen_spec_t) = specs[i];
    }
    apr_table_set(filters, "http", "none");
    return conf;
}

static int sock_opt(apr_socket_t *sd, int level, int name)
{
    apr_os_sock_t fd;
    int v = -1;
    socklen_t len = sizeof(v);

    ck_assert_int_eq(apr_os_sock_get(&fd, sd), APR_SUCCESS);
    ck_assert_int_eq(getsockopt(fd, level, name, &v, &len), 0);
    return v;
}

static apr_port_t port_of(const kv_listen_rec_t *l)
{
    apr_sockaddr_t *local;

    ck_assert_int_eq(apr_socket_addr_get(&local, APR_LOCAL, l->sd), APR_SUCCESS);
    return local->port;
}

/* Connect to 127.0.0.1:@a port, within 5 s. */
static apr_status_t connect_to(apr_port_t port)
{
    apr_sockaddr_t *to;
    apr_socket_t *client;
    apr_status_t rv;

    ck_assert_int_eq(apr_sockaddr_info_get(&to, "127.0.0.1", APR_INET, port, 0, pool), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_create(&client, APR_INET, SOCK_STREAM, APR_PROTO_TCP, pool),
                     APR_SUCCESS);
    ck_assert_int_eq(apr_socket_timeout_set(client, apr_time_from_sec(5)), APR_SUCCESS);
    rv = apr_socket_connect(client, to);
    apr_socket_close(client);
    return rv;
}

static void accepts_connections(const kv_listen_rec_t *l)
{
    ck_assert_int_eq(connect_to(port_of(l)), APR_SUCCESS);
}

KVC_CASE(listen_case, .name = "listen", .setup = setup, .teardown = teardown, .timeout = 30);

KVC_TEST(listen_case, opens_what_the_conf_names_with_its_options)
{
    kv_listen_spec_t specs[] = {spec("127.0.0.1:0", "http"), spec("127.0.0.1:0 https", "https")};
    kv_listen_conf_t conf = conf_of(specs, 2);

    ck_assert_int_eq(kv_setup_listeners(server, &conf), 0);
    ck_assert_int_eq(kv_listeners_count(), 2);
    ck_assert_str_eq(kv_listeners->text, "127.0.0.1:0");
    ck_assert_str_eq(kv_listeners->next->text, "127.0.0.1:0 https");
    ck_assert_str_eq(kv_listeners->protocol, "http"); /* kept on the listener */
    ck_assert_str_eq(kv_listeners->next->protocol, "https");
    /* AcceptFilter http none: handed over at once; https keeps the default (data). */
    ck_assert_int_eq(sock_opt(kv_listeners->sd, IPPROTO_TCP, TCP_DEFER_ACCEPT), 0);
    ck_assert_int_gt(sock_opt(kv_listeners->next->sd, IPPROTO_TCP, TCP_DEFER_ACCEPT), 0);
    /* ReceiveBufferSize (Linux reports twice what was set). */
    ck_assert_int_ge(sock_opt(kv_listeners->sd, SOL_SOCKET, SO_RCVBUF), 65536);
    accepts_connections(kv_listeners);
    accepts_connections(kv_listeners->next);
}
END_TEST

KVC_TEST(listen_case, keeps_sockets_across_generations_and_closes_the_dropped)
{
    kv_listen_spec_t specs[] = {spec("127.0.0.1:0", "http"), spec("127.0.0.1:0 https", "https")};
    kv_listen_conf_t both = conf_of(specs, 2), first = conf_of(specs, 1);
    apr_socket_t *kept;
    apr_port_t dropped;

    ck_assert_int_eq(kv_setup_listeners(server, &both), 0);
    kept = kv_listeners->sd;
    dropped = port_of(kv_listeners->next);
    ck_assert_int_eq(kv_setup_listeners(server, &first), 0);
    ck_assert_int_eq(kv_listeners_count(), 1);
    ck_assert_ptr_eq(kv_listeners->sd, kept);
    accepts_connections(kv_listeners);
    ck_assert_int_ne(connect_to(dropped), APR_SUCCESS);
}
END_TEST

int main(void)
{
    return kvc_run("listen");
}
