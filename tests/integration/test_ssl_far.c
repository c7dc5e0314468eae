/* Under event, how a child waits for a TLS client's next handshake flight follows how far its
 * clients are. Clients that answer the server's flight later than the worker's hot set waits
 * for it (20 ms) make the child leave their handshakes in the listener's pollset at once
 * (KV01630 at LogLevel mpm_event:debug), instead of a worker waking up for nothing each time;
 * near clients bring the wait in the worker back (KV01631). Every handshake succeeds either
 * way. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <poll.h>
#include <stdlib.h>

#include "held_tls_client.h"

/* The far client's round trip, longer than the event MPM's HOT_IDLE_HANDSHAKE (20 ms). */
#define FAR_MS 45
/* Handshakes that may pass before the child has changed its mind, at most. */
#define FAR_ROUNDS 20
#define NEAR_ROUNDS 400

KVT_MPM_CASE(per_mpm);

static const char request[] = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

/* A whole exchange over TLS: the client answers the server's handshake flight @a hold_ms
 * after it came, as a client that far away would. */
static void exchange(kvt_server_t *srv, int hold_ms)
{
    held_tls_client_t cl;
    char buf[4096];

    held_tls_open(&cl, srv);
    if (hold_ms > 0) {
        poll(NULL, 0, hold_ms); /* the way back to the server */
    }
    held_tls_write(&cl, request);
    held_tls_flush(&cl);
    held_tls_read_until(&cl, buf, sizeof(buf), "hello over tls");
    ck_assert_msg(kvt_contains(buf, " 200 OK"), "%s", buf);
    held_tls_close(&cl);
}

/* Handshakes one after another until the error log has @a needle; fails after @a rounds. */
static void exchange_until(kvt_server_t *srv, int hold_ms, int rounds, const char *needle)
{
    for (int i = 0; i < rounds; i++) {
        char *log;
        int seen;

        exchange(srv, hold_ms);
        log = kvt_server_error_log(srv);
        seen = kvt_contains(log, needle);
        free(log);
        if (seen) {
            return;
        }
    }
    ck_abort_msg("no %s after %d handshakes answered %d ms late", needle, rounds, hold_ms);
}

KVC_TEST(per_mpm, test_far_clients_handshakes_wait_in_pollset)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);

    kvt_server_conf(srv, "ServerLimit 1");
    kvt_server_conf(srv, "StartServers 1");
    kvt_server_conf(srv, "LogLevel warn mpm_event:debug");
    kvt_server_start(srv);
    exchange(srv, 0);
    exchange_until(srv, FAR_MS, FAR_ROUNDS, "KV01630");
    exchange_until(srv, 0, NEAR_ROUNDS, "KV01631");
    exchange(srv, FAR_MS);
}
END_TEST

int main(void)
{
    return kvt_run_mpms("ssl_far", KVT_MPM_ASYNC);
}
