/* OCSP stapling, continued (issue 15), with `openssl s_client -status`: SSLStaplingCache
 * keeps the stapled responses in its socache provider (shmcb under every MPM; memcache in a
 * real memcached), not in DefaultRuntimeDir, and is refused without its provider's module;
 * SSLStaplingResponseMaxAge keeps a response that is too old from being stapled; a
 * certificate renewed on disk gets its own response stapled without a restart. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

/* How long the fetcher may take to publish a response on a slow machine. */
#define STAPLE_TIMEOUT_MS 30000

KVT_MPM_CASE(per_mpm);

/* A server with SSLUseStapling on for @a leaf (its key @a key, the test CA as its chain),
 * @a extra in the host, the socache modules loaded and SSLStaplingCache @a cache (NULL:
 * none). */
static kvt_server_t *stapling_server(const char *leaf, const char *key, const char *extra,
                                     const char *cache)
{
    kvt_server_t *srv =
        kvt_tls_server_pair(kvt_mpm(), leaf, key,
                            kvt_strf("SSLCertificateChainFile %s\n    SSLUseStapling on\n    %s",
                                     kvt_certs()->ca, extra));

    kvt_server_conf(srv, "LoadModule socache_shmcb_module %s/modules/.libs/mod_socache_shmcb.so",
                    KV_TEST_BUILDDIR);
    kvt_server_conf(srv,
                    "LoadModule socache_memcache_module %s/modules/.libs/mod_socache_memcache.so",
                    KV_TEST_BUILDDIR);
    if (cache) {
        kvt_server_conf(srv, "SSLStaplingCache %s", cache);
    }
    return srv;
}

/* Does the server's DefaultRuntimeDir (its ServerRoot's logs) hold the file store? */
static int runtime_store_exists(kvt_server_t *srv)
{
    struct stat st;

    return stat(kvt_strf("%s/logs/ocsp-stapling", kvt_server_root(srv)), &st) == 0;
}

/* With SSLStaplingCache shmcb, the children staple what the fetcher put in the shared
 * memory, under every MPM, and the DefaultRuntimeDir store is not made; without it, the
 * store is there (which shows that the test looks in the right place). */
KVC_TEST(per_mpm, test_shmcb_cache_holds_the_responses)
{
    kvt_ocsp_t *ocsp = kvt_ocsp_new();
    const char *key, *leaf = kvt_ocsp_leaf(ocsp, "shmcb", 0, &key);
    kvt_server_t *srv = stapling_server(leaf, key, "", NULL);

    kvt_ocsp_start(ocsp, NULL, NULL);
    kvt_server_start(srv);
    kvt_assert_stapled(srv, "Cert Status: good", STAPLE_TIMEOUT_MS);
    ck_assert_msg(runtime_store_exists(srv), "no store in %s/logs", kvt_server_root(srv));
    kvt_server_stop(srv);

    srv = stapling_server(leaf, key, "", "shmcb:logs/ssl_stapling(131072)");
    kvt_server_start(srv);
    kvt_assert_stapled(srv, "Cert Status: good", STAPLE_TIMEOUT_MS);
    kvt_assert_stapled(srv, "OCSP Response Status: successful", STAPLE_TIMEOUT_MS);
    ck_assert_msg(!runtime_store_exists(srv), "SSLStaplingCache shmcb, and yet %s/logs has it",
                  kvt_server_root(srv));
    kvt_ocsp_stop(ocsp);
}
END_TEST

/* @a cert's SHA-256, in lower-case hex: its id in SSLStaplingCache. */
static char *cert_id(const char *cert)
{
    const char *argv[] = {"openssl", "x509",         "-in",     cert,
                          "-noout",  "-fingerprint", "-sha256", NULL};
    char *out = NULL, *err = NULL, *id, *at;
    size_t n = 0;

    ck_assert_msg(kvt_run_tool(argv, &out, &err) == 0, "openssl x509: %s", err);
    at = strchr(out, '=');
    ck_assert_msg(at != NULL, "%s", out);
    id = calloc(1, strlen(at));
    for (at++; *at && *at != '\n'; at++) {
        if (*at != ':') {
            id[n++] = (char)tolower((unsigned char)*at);
        }
    }
    free(out);
    free(err);
    return id;
}

/* What memcached on @a port answers to `get KEY`. */
static char *memcached_get(int port, const char *key)
{
    int fd = kvt_connect(port);
    size_t len;
    char *answer;

    kvt_send(fd, kvt_strf("get %s\r\nquit\r\n", key));
    answer = kvt_read_until_close(fd, &len);
    close(fd);
    return answer;
}

/* With SSLStaplingCache memcache, the response is in memcached, under "ssl-stapling:" and
 * the certificate's SHA-256, and stapled from there; DefaultRuntimeDir's store is not made. */
KVT_TEST_ONCE(per_mpm, test_memcache_cache_holds_the_responses)
{
    kvt_ocsp_t *ocsp = kvt_ocsp_new();
    const char *key, *leaf = kvt_ocsp_leaf(ocsp, "memcache", 0, &key);
    int port;
    pid_t memcached = kvt_memcached_start(&port);
    kvt_server_t *srv = stapling_server(leaf, key, "", kvt_strf("memcache:127.0.0.1:%d", port));
    char *mc_key = kvt_strf("ssl-stapling:%s", cert_id(leaf)), *answer;

    kvt_ocsp_start(ocsp, NULL, NULL);
    kvt_server_start(srv);
    kvt_assert_stapled(srv, "Cert Status: good", STAPLE_TIMEOUT_MS);
    answer = memcached_get(port, mc_key);
    ck_assert_msg(kvt_contains(answer, kvt_strf("VALUE %s ", mc_key)), "get %s: %s", mc_key,
                  answer);
    ck_assert_msg(!runtime_store_exists(srv), "SSLStaplingCache memcache, and yet %s/logs has it",
                  kvt_server_root(srv));
    free(answer);
    kvt_server_stop(srv);
    kvt_ocsp_stop(ocsp);
    kvt_memcached_stop(memcached);
}
END_TEST

/* SSLStaplingCache with a provider whose module is not loaded is refused, naming the
 * LoadModule line, as SSLSessionCache; and the new directives' bad values (httpd refuses
 * them too, but takes "soon" as 0). */
static const char *const refused[][2] = {
    {"SSLStaplingCache shmcb:logs/ssl_stapling(131072)",
     "SSLStaplingCache: 'shmcb' stapling cache not supported: load its module first (LoadModule "
     "socache_shmcb_module modules/mod_socache_shmcb.so)"},
    {"SSLStaplingCache memcache:127.0.0.1:11211", "LoadModule socache_memcache_module"},
    {"SSLStaplingResponseMaxAge -2", "SSLStaplingResponseMaxAge: '-2' is not a number"},
    {"SSLStaplingResponseMaxAge soon", "SSLStaplingResponseMaxAge: 'soon' is not a number"},
    {"SSLStaplingResponseTimeSkew -1", "SSLStaplingResponseTimeSkew: '-1' is not a time"},
};

KVT_LOOP_TEST_ONCE(per_mpm, test_directives_refused, 0, KVT_COUNT(refused))
{
    kvt_assert_refused(kvt_tls_server(kvt_mpm(), NULL), "-t", refused[_i][0], refused[_i][1]);
}
END_TEST

/* Wait until @a made_ms (kvt_now_ms) is more than this many milliseconds ago. */
static int older_than_3s(void *made_ms)
{
    return kvt_now_ms() - *(long *)made_ms > 3000;
}

/* A responder whose response is older than SSLStaplingResponseMaxAge (a fixed response made
 * 3 s before, MaxAge 1): it is logged and not stapled. The same response is stapled with a
 * larger MaxAge, and with the default, which is no limit. */
KVT_TEST_ONCE(per_mpm, test_response_older_than_max_age_not_stapled)
{
    kvt_ocsp_t *ocsp = kvt_ocsp_new();
    const char *key, *leaf = kvt_ocsp_leaf(ocsp, "maxage", 0, &key);
    const char *response = kvt_ocsp_response(ocsp, leaf);
    long made = kvt_now_ms();
    int port;
    pid_t responder;
    const char *url;
    kvt_server_t *srv;
    char *log;

    ck_assert(kvt_wait_for(older_than_3s, &made, 10000));
    responder = kvt_ocsp_serve(response, &port);
    url = kvt_strf("SSLStaplingForceURL http://127.0.0.1:%d/", port);
    srv = stapling_server(leaf, key, kvt_strf("%s\n    SSLStaplingResponseMaxAge 1", url), NULL);
    kvt_server_start(srv);
    log = kvt_server_wait_log(srv, "KV01588", STAPLE_TIMEOUT_MS);
    ck_assert_msg(kvt_contains(log, "its thisUpdate is older than SSLStaplingResponseMaxAge; it "
                                    "is not stapled"),
                  "%s", kvt_tail(log));
    free(log);
    kvt_assert_nothing_stapled(srv);
    kvt_server_stop(srv);

    srv = stapling_server(leaf, key,
                          kvt_strf("%s\n    SSLStaplingResponseMaxAge 3600\n"
                                   "    SSLStaplingResponseTimeSkew 600",
                                   url),
                          NULL);
    kvt_server_start(srv);
    kvt_assert_stapled(srv, "Cert Status: good", STAPLE_TIMEOUT_MS);
    kvt_server_stop(srv);

    srv = stapling_server(leaf, key, url, NULL);
    kvt_server_start(srv);
    kvt_assert_stapled(srv, "Cert Status: good", STAPLE_TIMEOUT_MS);
    kvt_ocsp_serve_stop(responder);
}
END_TEST

/* Install @a cert and @a key as the server's tls/site.pem and tls/site.key, as a renewal tool
 * does: each written beside and renamed over, the key first. */
static void install_pair(kvt_server_t *srv, const char *cert, const char *key)
{
    const char *from[] = {key, cert}, *to[] = {"tls/site.key", "tls/site.pem"};

    for (int i = 0; i < 2; i++) {
        char *content = kvt_read_file(from[i]);
        const char *beside;

        ck_assert_ptr_nonnull(content);
        beside = kvt_write_root_file(srv, kvt_strf("%s.new", to[i]), content);
        ck_assert_int_eq(rename(beside, kvt_strf("%s/%s", kvt_server_root(srv), to[i])), 0);
        free(content);
    }
}

/* What s_client -status prints of a response for @a cert: "Serial Number: " and its serial. */
static const char *serial_line(const char *cert)
{
    const char *argv[] = {"openssl", "x509", "-in", cert, "-noout", "-serial", NULL};
    char *out = NULL, *err = NULL, *eq;

    ck_assert_msg(kvt_run_tool(argv, &out, &err) == 0, "openssl x509: %s", err);
    eq = strchr(out, '=');
    ck_assert_msg(eq != NULL, "%s", out);
    eq[strcspn(eq, "\n")] = '\0';
    free(err);
    return kvt_strf("Serial Number: %s", eq + 1);
}

/* A certificate renewed on disk (SSLCertificateCheckInterval 1): the fetcher sees the
 * renewal too and fetches the new certificate's response, which new handshakes staple,
 * without a restart, under every MPM. (A child that renewed before the fetcher had the
 * response staples nothing until its next look at the store, a second later.) */
KVC_TEST(per_mpm, test_renewed_certificate_gets_its_response)
{
    kvt_ocsp_t *ocsp = kvt_ocsp_new();
    const char *key1, *leaf1 = kvt_ocsp_leaf(ocsp, "before", 0, &key1);
    const char *key2, *leaf2 = kvt_ocsp_leaf(ocsp, "after", 0, &key2);
    kvt_server_t *srv =
        stapling_server("tls/site.pem", "tls/site.key", "SSLCertificateCheckInterval 1", NULL);

    install_pair(srv, leaf1, key1);
    kvt_ocsp_start(ocsp, NULL, NULL);
    kvt_server_start(srv);
    kvt_assert_stapled(srv, serial_line(leaf1), STAPLE_TIMEOUT_MS);
    install_pair(srv, leaf2, key2);
    kvt_assert_stapled(srv, serial_line(leaf2), STAPLE_TIMEOUT_MS);
    kvt_ocsp_stop(ocsp);
}
END_TEST

int main(void)
{
    return kvt_run_mpms("ssl_stapling2", 0);
}
