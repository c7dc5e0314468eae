/* Pipelined requests over TLS, under every MPM: requests whose records reach the server in
 * one segment, with the client's last handshake flight or after a response, are all
 * answered. mod_ssl has OpenSSL read ahead (whole socket reads, not a record header then its
 * body), so the next records may wait undecrypted in OpenSSL's buffer, where the socket
 * wakes no one: the connection must be served from there, not left to wait for readability. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdlib.h>
#include <string.h>

#include "held_tls_client.h"

KVT_MPM_CASE(per_mpm);

static int count(const char *haystack, const char *needle)
{
    int n = 0;

    for (const char *p = haystack; (p = strstr(p, needle)); p += strlen(needle)) {
        n++;
    }
    return n;
}

static const char keep[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
static const char last[] = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

/* Three requests in three records, sent with the client's Finished in one segment. */
KVC_TEST(per_mpm, test_requests_with_the_last_handshake_flight)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);
    held_tls_client_t cl;
    char *got;

    kvt_server_start(srv);
    held_tls_open(&cl, srv);
    held_tls_write(&cl, keep);
    held_tls_write(&cl, keep);
    held_tls_write(&cl, last);
    held_tls_flush(&cl);
    got = held_tls_read_to_close(&cl);
    ck_assert_msg(count(got, "HTTP/1.1 200 OK\r\n") == 3 && count(got, "hello over tls\n") == 3,
                  "%s", got);
    free(got);
    held_tls_close(&cl);
}
END_TEST

/* After a first answered request, two more in two records in one segment. */
KVC_TEST(per_mpm, test_pipelined_records_after_a_response)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);
    held_tls_client_t cl;
    char buf[4096];
    char *got;

    kvt_server_start(srv);
    held_tls_open(&cl, srv);
    held_tls_write(&cl, keep);
    held_tls_flush(&cl);
    held_tls_read_until(&cl, buf, sizeof(buf), "hello over tls\n");
    held_tls_write(&cl, keep);
    held_tls_write(&cl, last);
    held_tls_flush(&cl);
    got = held_tls_read_to_close(&cl);
    ck_assert_msg(count(got, "HTTP/1.1 200 OK\r\n") == 2 && count(got, "hello over tls\n") == 2,
                  "%s", got);
    free(got);
    held_tls_close(&cl);
}
END_TEST

int main(void)
{
    return kvt_run_mpms("ssl_pipeline", 0);
}
