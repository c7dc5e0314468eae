/* TLS session resumption across children: SSLSessionCache (shmcb and memcache, with
 * SSLSessionTickets off so that the cache is what resumes) and SSLSessionCacheTimeout, and
 * session tickets' keys. Under every MPM the server has MaxConnectionsPerChild 1, so every
 * connection is served by a child that served none before: a session made on one connection
 * resumes on the next only if it went through the shared cache (or a ticket key all children
 * share). s_client -sess_out saves the session, -sess_in offers it, and its "Reused" or "New"
 * line says what the server did. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Reconnects that each resume on a new child. */
#define RECONNECTS 4
#define EXPIRY_WAIT_MS 20000

KVT_MPM_CASE(per_mpm);

static const char *const versions[] = {"-tls1_2", "-tls1_3"};

/* A TLS server whose every connection is a new child's, with @a vhost in the virtual
 * host and @a lines after it (the cache's LoadModule and SSLSessionCache). */
static kvt_server_t *tls_children_server(const char *vhost, const char *lines)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), vhost);

    kvt_server_processes(srv, 3, 3, 6);
    kvt_server_drop_base(srv, "MaxConnectionsPerChild");
    kvt_server_conf(srv, "MaxConnectionsPerChild 1");
    kvt_server_conf(srv, "LoadModule socache_shmcb_module %s/modules/.libs/mod_socache_shmcb.so",
                    KV_TEST_BUILDDIR);
    kvt_server_conf(srv,
                    "LoadModule socache_memcache_module %s/modules/.libs/mod_socache_memcache.so",
                    KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "%s", lines);
    return srv;
}

/* tls_children_server with SSLSessionTickets off: only the cache can resume. */
static kvt_server_t *session_server(const char *lines)
{
    return tls_children_server("SSLSessionTickets off", lines);
}

/* One connection with s_client in @a version, a GET on it (so that a TLS 1.3 client reads the
 * session the server sends after the handshake), and @a sess options; its output. */
static char *connect_once(kvt_server_t *srv, const char *version, const char *sess)
{
    char *out;

    ck_assert_msg(kvt_s_client(srv, kvt_strf("%s %s", version, sess), "GET / HTTP/1.0\\r\\n\\r\\n",
                               &out) == 0,
                  "%s", kvt_tail(out));
    ck_assert_msg(kvt_contains(out, "hello over tls"), "%s", kvt_tail(out));
    return out;
}

/* A new session saved in @a file. */
static void new_session(kvt_server_t *srv, const char *version, const char *file)
{
    char *out = connect_once(srv, version, kvt_strf("-sess_out %s", file));

    ck_assert_msg(kvt_contains(out, "New, TLSv1."), "%s", kvt_tail(out));
    free(out);
}

/* Does offering the session in @a file resume it? */
static int resumes(kvt_server_t *srv, const char *version, const char *file)
{
    char *out = connect_once(srv, version, kvt_strf("-sess_in %s", file));
    int reused = kvt_contains(out, "Reused, TLSv1.");

    ck_assert_msg(reused || kvt_contains(out, "New, TLSv1."), "%s", kvt_tail(out));
    free(out);
    return reused;
}

/* Each of RECONNECTS connections, each on a child that has served nothing before, resumes. */
static void assert_resumes_on_every_child(kvt_server_t *srv, const char *version)
{
    const char *file = kvt_write_root_file(srv, "session.pem", "");

    new_session(srv, version, file);
    for (int i = 0; i < RECONNECTS; i++) {
        ck_assert_msg(resumes(srv, version, file), "%s: connection %d did not resume", version,
                      i + 1);
    }
}

KVC_LOOP_TEST(per_mpm, test_shmcb_resumes_across_children, 0, 2)
{
    kvt_server_t *srv = session_server("SSLSessionCache shmcb:logs/ssl_scache(512000)");

    kvt_server_start(srv);
    assert_resumes_on_every_child(srv, versions[_i]);
}
END_TEST

/* The control: with SSLSessionCache nonenotnull the server gives sessions ids but keeps none,
 * so nothing resumes on a new child. */
KVC_LOOP_TEST(per_mpm, test_nonenotnull_resumes_nothing, 0, 2)
{
    kvt_server_t *srv = session_server("SSLSessionCache nonenotnull");
    const char *file = kvt_write_root_file(srv, "session.pem", "");

    kvt_server_start(srv);
    new_session(srv, versions[_i], file);
    ck_assert(!resumes(srv, versions[_i], file));
}
END_TEST

typedef struct {
    kvt_server_t *srv;
    const char *file;
    const char *version;
} offer_t;

static int no_longer_resumes(void *arg)
{
    offer_t *o = arg;

    return !resumes(o->srv, o->version, o->file);
}

/* SSLSessionCacheTimeout 2: the session resumes at once, and no more once 2 s have passed,
 * but not before 1 s (a session's time is in whole seconds, so it may start up to 1 s before
 * the handshake). */
KVC_TEST(per_mpm, test_session_expires_after_the_timeout)
{
    kvt_server_t *srv = session_server("SSLSessionCache shmcb:logs/ssl_scache(65536)\n"
                                       "SSLSessionCacheTimeout 2");
    offer_t o = {srv, kvt_write_root_file(srv, "session.pem", ""), "-tls1_2"};
    long made;

    kvt_server_start(srv);
    made = kvt_now_ms();
    new_session(srv, "-tls1_2", o.file);
    ck_assert(resumes(srv, "-tls1_2", o.file));
    ck_assert_msg(kvt_wait_for(no_longer_resumes, &o, EXPIRY_WAIT_MS),
                  "the session still resumes after %d ms", EXPIRY_WAIT_MS);
    ck_assert_int_ge(kvt_now_ms() - made, 1000);
}
END_TEST

/* The cache in a real memcached (Debian's), started here on a free port. */
KVC_LOOP_TEST(per_mpm, test_memcache_resumes_across_children, 0, 2)
{
    int port;
    pid_t memcached = kvt_memcached_start(&port);
    kvt_server_t *srv =
        session_server(kvt_strf("SSLSessionCache memcache:127.0.0.1:%d\nMemcacheConnTTL 5", port));

    kvt_server_start(srv);
    assert_resumes_on_every_child(srv, versions[_i]);
    kvt_server_stop(srv);
    kvt_memcached_stop(memcached);
}
END_TEST

/* Tickets (SSLSessionCache none, so nothing else resumes): one child's resumes on others. */
KVC_LOOP_TEST(per_mpm, test_ticket_resumes_across_children, 0, 2)
{
    kvt_server_t *srv = tls_children_server(NULL, "SSLSessionCache none");

    kvt_server_start(srv);
    assert_resumes_on_every_child(srv, versions[_i]);
}
END_TEST

/* SSLSessionTicketKeyRotation 2: a ticket resumes through the next period, and no more once
 * its key is two periods old (more than 2 s later), on any child. */
KVC_LOOP_TEST(per_mpm, test_ticket_of_a_retired_key_does_not_resume, 0, 2)
{
    kvt_server_t *srv = tls_children_server("SSLSessionTicketKeyRotation 2\n"
                                            "    SSLSessionCacheTimeout 600",
                                            "SSLSessionCache none");
    offer_t o = {srv, kvt_write_root_file(srv, "session.pem", ""), versions[_i]};
    long made;

    kvt_server_start(srv);
    made = kvt_now_ms();
    new_session(srv, versions[_i], o.file);
    ck_assert(resumes(srv, versions[_i], o.file));
    ck_assert_msg(kvt_wait_for(no_longer_resumes, &o, EXPIRY_WAIT_MS),
                  "the ticket still resumes after %d ms", EXPIRY_WAIT_MS);
    ck_assert_int_ge(kvt_now_ms() - made, 2000);
}
END_TEST

/* Two servers (two generations, two secrets): a ticket of one is a full handshake on the
 * other, unless both have the same SSLSessionTicketKeyFile, as httpd's. */
KVC_LOOP_TEST(per_mpm, test_ticket_key_file_is_shared_by_servers, 0, 2)
{
    static const char key[49] = "0123456789abcdef0123456789abcdef0123456789abcdef";
    kvt_server_t *c = tls_children_server(NULL, "SSLSessionCache none");
    const char *line =
        kvt_strf("SSLSessionTicketKeyFile %s", kvt_write_root_file(c, "ticket.key", key));
    kvt_server_t *a = tls_children_server(line, "SSLSessionCache none");
    kvt_server_t *b = tls_children_server(line, "SSLSessionCache none");
    const char *file = kvt_write_root_file(a, "session.pem", "");

    kvt_server_start(a);
    kvt_server_start(b);
    kvt_server_start(c);
    new_session(a, versions[_i], file);
    ck_assert(resumes(b, versions[_i], file));
    ck_assert(!resumes(c, versions[_i], file));
}
END_TEST

/* What SSLSessionCache refuses, by -t, naming the line. */
KVT_TEST_ONCE(per_mpm, test_bad_caches_refused)
{
    kvt_server_t *srv = kvt_tls_server(kvt_mpm(), NULL);

    kvt_assert_refused(srv, "-t", "SSLSessionCache dbm:logs/ssl_scache",
                       "'dbm' session cache not supported");
    srv = kvt_tls_server(kvt_mpm(), NULL);
    kvt_assert_refused(srv, "-t", "SSLSessionCache shmcb:logs/ssl_scache(512000)",
                       "LoadModule socache_shmcb_module");
    srv = session_server("");
    kvt_assert_refused(srv, "-t", "SSLSessionCache shmcb:logs/ssl_scache(100)",
                       "size has to be >= 8192 bytes");
    srv = session_server("");
    kvt_assert_refused(srv, "-t", "SSLSessionCache memcache:", "List of server names required");
    srv = session_server("");
    kvt_assert_refused(srv, "-t", "SSLSessionCacheTimeout soon", "SSLSessionCacheTimeout");
    srv = session_server("");
    kvt_assert_refused(srv, "-t", "MemcacheConnTTL 7200", "MemcacheConnTTL");
    srv = session_server("");
    kvt_assert_refused(
        srv, "-t",
        kvt_strf("SSLSessionTicketKeyFile %s", kvt_write_root_file(srv, "short.key", "0123456789")),
        "must hold exactly 48 bytes");
    srv = session_server("");
    kvt_assert_refused(srv, "-t", "SSLSessionTicketKeyRotation 0", "SSLSessionTicketKeyRotation");
}
END_TEST

int main(void)
{
    return kvt_run_mpms("ssl_session", 0);
}
