/* modules/status/status_format.c: totals, the key characters and the three pages from a
 * made-up snapshot, without a server. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "status_format.h"
#include "../check_run.h"

static apr_pool_t *pool;
static apr_bucket_alloc_t *ba;

static void setup(void)
{
    kvu_apr_pool_setup(&pool);
    ba = apr_bucket_alloc_create(pool);
}

static void teardown(void)
{
    kvu_apr_pool_teardown(pool);
}

/* Four slots: one writing, one idle, one in keep-alive, one dead. */
static const status_worker_t workers[] = {
    {100, 0, KV_SB_WRITE, 5, 4096, "127.0.0.1", "GET /<script>'x\" HTTP/1.1"},
    {101, 0, KV_SB_READY, 2, 1024, "10.0.0.1", "GET / HTTP/1.1"},
    {102, 1, KV_SB_KEEPALIVE, 3, 2048, "::1", "GET /a&b HTTP/1.1"},
    {0, 0, KV_SB_DEAD, 0, 0, "", ""},
};

static status_snapshot_t snapshot(int extended)
{
    status_snapshot_t snap = {
        .host = "h<ost>'s",
        .version = "kiva/9.9 (Unix)",
        .mpm = "prefork",
        .built = "Jan  1 2026 00:00:00",
        .now = apr_time_from_sec(1000100),
        .restart_time = apr_time_from_sec(1000000),
        .start_time = apr_time_from_sec(999000),
        .generation = 3,
        .restarts = {[KV_SB_RESTART_GRACEFUL] = 2, [KV_SB_RESTART_HARD] = 1},
        .retired_accesses = 90,
        .retired_bytes = 3072,
        .config_sha256 = "00ff",
        .extended = extended,
        .nworkers = 4,
        .workers = workers,
    };
    return snap;
}

static char *flatten(apr_bucket_brigade *bb)
{
    char *text;
    apr_size_t len;

    ck_assert_int_eq(apr_brigade_pflatten(bb, &text, &len, pool), APR_SUCCESS);
    return apr_pstrndup(pool, text, len);
}

static char *render(status_formatter_t format, int extended)
{
    status_snapshot_t snap = snapshot(extended);
    apr_bucket_brigade *bb = apr_brigade_create(pool, ba);

    format(&snap, pool, bb);
    return flatten(bb);
}

static int has(const char *text, const char *needle)
{
    return strstr(text, needle) != NULL;
}

/* As event reports it: connections waiting in the poller besides the workers' own. */
static char *render_async(status_formatter_t format)
{
    status_snapshot_t snap = snapshot(1);
    apr_bucket_brigade *bb = apr_brigade_create(pool, ba);

    snap.async = 1;
    snap.conns_total = 12;
    snap.conns_keepalive = 7;
    snap.conns_writing = 2;
    snap.conns_closing = 1;
    format(&snap, pool, bb);
    return flatten(bb);
}

KVU_CASE(format_case, "format", setup, teardown);

KVC_TEST(format_case, async_connections_are_shown)
{
    char *text = render_async(status_format_auto);

    ck_assert(has(text, "ConnsTotal: 12\nConnsAsyncWriting: 2\nConnsAsyncKeepAlive: 7\n"
                        "ConnsAsyncClosing: 1\nScoreboard: "));
    ck_assert(!has(render(status_format_auto, 1), "ConnsTotal"));
    text = render_async(status_format_prometheus);
    /* the worker in keep-alive plus the 7 in the poller; the writing worker plus 2 */
    ck_assert(has(text, "kiva_connections{state=\"keepalive\"} 8\n"));
    ck_assert(has(text, "kiva_connections{state=\"sending\"} 3\n"));
    ck_assert(has(text, "kiva_workers{state=\"keepalive\"} 1\n"));
    text = render_async(status_format_html);
    ck_assert(has(text, "12 connections open: 2 waiting to write, 7 kept alive, 1 closing"));
}
END_TEST

KVC_TEST(format_case, totals_add_up_live_workers)
{
    status_snapshot_t snap = snapshot(1);
    status_totals_t t;

    status_totals(&snap, &t);
    ck_assert_uint_eq(t.accesses, 100);
    ck_assert_int_eq(t.bytes, 10240);
    ck_assert_int_eq(t.busy, 2);
    ck_assert_int_eq(t.idle, 1);
    ck_assert_int_eq(t.by_status[KV_SB_DEAD], 1);
    ck_assert_int_eq(t.by_status[KV_SB_WRITE], 1);
    ck_assert_int_eq(status_uptime(&snap), 100);
    snap.now = snap.restart_time - 5;
    ck_assert_int_eq(status_uptime(&snap), 0);
}
END_TEST

KVC_TEST(format_case, key_characters_are_httpds)
{
    static const char keys[] = ".S_RWKLCG";

    for (int st = KV_SB_DEAD; st <= KV_SB_GRACEFUL; st++) {
        ck_assert_int_eq(status_key_char((kv_sb_status_t)st), keys[st]);
    }
    ck_assert_int_eq(status_key_char((kv_sb_status_t)99), '?');
}
END_TEST

KVC_TEST(format_case, auto_page_lines)
{
    char *text = render(status_format_auto, 1);

    ck_assert_msg(strncmp(text,
                          "h<ost>'s\nServerVersion: kiva/9.9 (Unix)\nServerMPM: prefork\n"
                          "Server Built: Jan  1 2026 00:00:00\nCurrentTime: ",
                          107) == 0,
                  "%s", text);
    ck_assert(has(text, "\nParentServerConfigGeneration: 3\n"));
    ck_assert(has(text, "\nServerUptimeSeconds: 100\n"));
    ck_assert(has(text, "\nServerUptime: 1 minute 40 seconds\n"));
    ck_assert(has(text, "\nTotal Accesses: 100\nTotal kBytes: 10\nUptime: 100\n"));
    ck_assert(has(text, "\nReqPerSec: 1\nBytesPerSec: 102.4\nBytesPerReq: 102.4\n"));
    ck_assert(has(text, "\nBusyWorkers: 2\nIdleWorkers: 1\nScoreboard: W_K.\n"));

    ck_assert(!has(render(status_format_auto, 0), "Total Accesses"));
}
END_TEST

KVC_TEST(format_case, prometheus_metrics)
{
    char *text = render(status_format_prometheus, 1);

    ck_assert(has(text, "# TYPE kiva_requests_total counter\nkiva_requests_total 100\n"));
    ck_assert(has(text, "# TYPE kiva_bytes_total counter\nkiva_bytes_total 10240\n"));
    ck_assert(has(text, "kiva_workers{state=\"sending\"} 1\n"));
    ck_assert(has(text, "kiva_workers{state=\"open\"} 1\n"));
    ck_assert(has(text, "kiva_connections{state=\"keepalive\"} 1\n"));
    ck_assert(!has(text, "kiva_connections{state=\"waiting\"}"));
    ck_assert(has(text, "kiva_uptime_seconds 100\n"));
    ck_assert(has(text, "kiva_restarts_total{kind=\"graceful\"} 2\n"));
    ck_assert(has(text, "kiva_restarts_total{kind=\"restart\"} 1\n"));
    ck_assert(has(text, "kiva_generation 3\n"));
    ck_assert(has(text, "kiva_config_info{sha256=\"00ff\"} 1\n"));
}
END_TEST

KVC_TEST(format_case, html_page_is_escaped)
{
    char *text = render(status_format_html, 1);

    ck_assert(has(text, "<title>kiva Server Status for h&lt;ost&gt;&#39;s</title>"));
    ck_assert(has(text, "<h1>kiva Server Status for h&lt;ost&gt;&#39;s</h1>"));
    ck_assert(has(text, "Server Version: kiva/9.9 (Unix)"));
    ck_assert(has(text, "Parent Server Config. Generation: 3"));
    ck_assert(has(text, "Server uptime: 1 minute 40 seconds"));
    ck_assert(has(text, "Total accesses: 100 - Total Traffic: 10 kB"));
    ck_assert(has(text, "2 requests currently being processed, 1 idle workers"));
    ck_assert(has(text, "<pre>W_K.</pre>"));
    ck_assert(has(text, "GET /&lt;script&gt;&#39;x&quot; HTTP/1.1"));
    ck_assert(has(text, "GET /a&amp;b HTTP/1.1"));
    ck_assert(!has(text, "<script>"));
    ck_assert(!has(text, "'"));
    ck_assert(has(text, "<td><b>2-1</b></td><td>102</td><td>3</td><td><b>K</b></td>"));

    text = render(status_format_html, 0);
    ck_assert(!has(text, "Total accesses"));
    ck_assert(!has(text, "<td>102</td>"));
}
END_TEST

int main(void)
{
    return kvc_run("status_format");
}
