/* Under event, how a child waits for a TLS client's next handshake flight follows how far its
 * clients are. Clients that answer the server's flight later than the worker's hot set waits
 * for it (20 ms) make the child park their handshakes in the worker until the flight comes
 * or Timeout passes (KV01630 at LogLevel mpm_event:debug), instead of the worker waking up
 * for nothing each time, and the flight then wakes that worker, not the listener; near
 * clients bring the short hot wait back (KV01631). Every handshake succeeds either way, and a
 * parked handshake holds no worker. */
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
#define WAIT_MS 10000

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

/* One child, whose handshakes have learnt that its clients are far (KV01630). */
static kvt_server_t *far_server(const char *extra)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);

    kvt_server_conf(srv, "ServerLimit 1");
    kvt_server_conf(srv, "StartServers 1");
    kvt_server_conf(srv, "LogLevel warn mpm_event:debug");
    if (extra) {
        kvt_server_conf(srv, "%s", extra);
    }
    kvt_server_start(srv);
    exchange(srv, 0);
    exchange_until(srv, FAR_MS, FAR_ROUNDS, "KV01630");
    return srv;
}

KVC_TEST(per_mpm, test_far_clients_handshakes_are_parked)
{
    kvt_server_t *srv = far_server(NULL);

    exchange_until(srv, 0, NEAR_ROUNDS, "KV01631");
    exchange(srv, FAR_MS);
}
END_TEST

#define FAR_EXCHANGES 10

/* How often the listener thread of child @a pid (its main thread) has gone to sleep. */
static long listener_sleeps(pid_t pid)
{
    long n = kvt_main_thread_sleeps(pid);

    ck_assert_msg(n >= 0, "cannot read the status of %d", (int)pid);
    return n;
}

/* A far client's last flight wakes the worker its handshake is parked in, not the listener:
 * the listener wakes once a connection, to accept it (twice if the flight went through its
 * pollset). */
KVC_TEST(per_mpm, test_far_client_flight_skips_the_listener)
{
    kvt_server_t *srv = far_server(NULL);
    pid_t child = kvt_server_only_child(srv, WAIT_MS);
    long before = listener_sleeps(child), slept;

    for (int i = 0; i < FAR_EXCHANGES; i++) {
        exchange(srv, FAR_MS);
    }
    slept = listener_sleeps(child) - before;
    ck_assert_msg(slept < FAR_EXCHANGES * 3 / 2,
                  "the listener slept and woke %ld times for %d far handshakes", slept,
                  FAR_EXCHANGES);
}
END_TEST

/* Handshakes stalled after their ClientHello, more than the child has workers. */
#define STALLED 6
/* Their Timeout, and how long after it each must be closed at the latest. */
#define STALL_TIMEOUT_S 2
#define STALL_SLACK_MS 6000

/* Far clients' handshakes parked in their workers hold none: with two workers and six
 * clients stalled in mid-handshake, a far client is still served, and Timeout closes the
 * stalled ones (a parked handshake's timeout is kept by its worker). */
KVC_TEST(per_mpm, test_stalled_parked_handshakes_hold_no_worker)
{
    char *extra = kvt_strf("ThreadsPerChild 2\nMaxRequestWorkers 2\nTimeout %d", STALL_TIMEOUT_S);
    kvt_server_t *srv = far_server(extra);
    held_tls_client_t stalled[STALLED];

    free(extra);
    for (int i = 0; i < STALLED; i++) {
        held_tls_hello(&stalled[i], srv);
    }
    exchange(srv, FAR_MS);
    for (int i = 0; i < STALLED; i++) {
        ck_assert_msg(kvt_is_closed(stalled[i].fd, STALL_TIMEOUT_S * 1000 + STALL_SLACK_MS),
                      "stalled handshake %d still open %d ms after its Timeout", i, STALL_SLACK_MS);
        held_tls_close(&stalled[i]);
    }
}
END_TEST

int main(void)
{
    return kvt_run_mpms("ssl_far", KVT_MPM_ASYNC);
}
