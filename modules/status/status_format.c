/* The three status pages (HTML, ?auto, ?prometheus) from one snapshot of the scoreboard. */
#include <string.h>

#include <apr_strings.h>

#include "kv_http.h"
#include "status_format.h"

#define STATUS_TIME_FORMAT "%A, %d-%b-%Y %H:%M:%S %Z"

/* One entry per state: its key character and its Prometheus label. */
static const struct {
    char key;
    const char *label;
} states[] = {
    [KV_SB_DEAD] = {'.', "open"},         [KV_SB_STARTING] = {'S', "starting"},
    [KV_SB_READY] = {'_', "waiting"},     [KV_SB_READ] = {'R', "reading"},
    [KV_SB_WRITE] = {'W', "sending"},     [KV_SB_KEEPALIVE] = {'K', "keepalive"},
    [KV_SB_LOGGING] = {'L', "logging"},   [KV_SB_CLOSING] = {'C', "closing"},
    [KV_SB_GRACEFUL] = {'G', "graceful"},
};

static int known_status(kv_sb_status_t status)
{
    return (int)status >= 0 && (int)status <= KV_SB_GRACEFUL;
}

/* The worker's own state decides, not the pid: a new child may serve before the parent
 * has written its pid, and a reaped one is marked dead. */
static kv_sb_status_t shown_status(const status_worker_t *w)
{
    return known_status(w->status) ? w->status : KV_SB_DEAD;
}

/* A busy worker holds a connection or is finishing; starting and open slots are neither. */
static int is_busy(kv_sb_status_t status)
{
    return status != KV_SB_DEAD && status != KV_SB_STARTING && status != KV_SB_READY;
}

/* States in which a worker holds a client connection. */
static int holds_connection(kv_sb_status_t status)
{
    return status == KV_SB_READ || status == KV_SB_WRITE || status == KV_SB_KEEPALIVE ||
           status == KV_SB_LOGGING || status == KV_SB_CLOSING;
}

char status_key_char(kv_sb_status_t status)
{
    return known_status(status) ? states[status].key : '?';
}

void status_totals(const status_snapshot_t *snap, status_totals_t *t)
{
    memset(t, 0, sizeof(*t));
    t->accesses = snap->retired_accesses;
    t->bytes = snap->retired_bytes;
    for (int i = 0; i < snap->nworkers; i++) {
        const status_worker_t *w = &snap->workers[i];
        kv_sb_status_t st = shown_status(w);

        t->accesses += w->access_count;
        t->bytes += w->bytes_served;
        t->by_status[st]++;
        t->busy += is_busy(st);
        t->idle += st == KV_SB_READY;
    }
}

long status_uptime(const status_snapshot_t *snap)
{
    apr_time_t up = snap->now - snap->restart_time;

    return up > 0 ? (long)apr_time_sec(up) : 0;
}

static const char *format_time(apr_pool_t *p, apr_time_t t)
{
    apr_time_exp_t tm;
    apr_size_t len;
    char buf[128];

    apr_time_exp_lt(&tm, t);
    apr_strftime(buf, &len, sizeof(buf), STATUS_TIME_FORMAT, &tm);
    return apr_pstrndup(p, buf, len);
}

/* "1 day 2 hours 3 minutes 4 seconds", leaving out leading zero parts, as httpd. */
static const char *format_uptime(apr_pool_t *p, long secs)
{
    static const struct {
        long size;
        const char *unit;
    } parts[] = {{86400, "day"}, {3600, "hour"}, {60, "minute"}, {1, "second"}};
    const char *text = "";

    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        long n = secs / parts[i].size;

        secs %= parts[i].size;
        if (n > 0 || (parts[i].size == 1 && *text == '\0')) {
            text = apr_psprintf(p, "%s%s%ld %s%s", text, *text ? " " : "", n, parts[i].unit,
                                n == 1 ? "" : "s");
        }
    }
    return text;
}

static void put_scoreboard_keys(const status_snapshot_t *snap, apr_bucket_brigade *bb)
{
    for (int i = 0; i < snap->nworkers; i++) {
        apr_brigade_putc(bb, NULL, NULL, status_key_char(shown_status(&snap->workers[i])));
    }
}

static double per_second(double amount, long uptime)
{
    return uptime > 0 ? amount / (double)uptime : 0.0;
}

/* ---- ?auto -------------------------------------------------------------------------- */

void status_format_auto(const status_snapshot_t *snap, apr_pool_t *p, apr_bucket_brigade *bb)
{
    status_totals_t t;
    long up = status_uptime(snap);

    status_totals(snap, &t);
    apr_brigade_printf(bb, NULL, NULL,
                       "%s\nServerVersion: %s\nServerMPM: %s\nServer Built: %s\n"
                       "CurrentTime: %s\nRestartTime: %s\nParentServerConfigGeneration: %d\n"
                       "ParentServerMPMGeneration: %d\nServerUptimeSeconds: %ld\n"
                       "ServerUptime: %s\n",
                       snap->host, snap->version, snap->mpm, snap->built, format_time(p, snap->now),
                       format_time(p, snap->restart_time), snap->generation, snap->generation - 1,
                       up, format_uptime(p, up));
    if (snap->extended) {
        apr_brigade_printf(bb, NULL, NULL,
                           "Total Accesses: %lu\nTotal kBytes: %" APR_OFF_T_FMT "\n"
                           "Uptime: %ld\nReqPerSec: %g\nBytesPerSec: %g\nBytesPerReq: %g\n",
                           t.accesses, t.bytes / 1024, up, per_second((double)t.accesses, up),
                           per_second((double)t.bytes, up),
                           t.accesses ? (double)t.bytes / (double)t.accesses : 0.0);
    }
    apr_brigade_printf(bb, NULL, NULL, "BusyWorkers: %d\nIdleWorkers: %d\n", t.busy, t.idle);
    if (snap->async) {
        apr_brigade_printf(bb, NULL, NULL,
                           "ConnsTotal: %d\nConnsAsyncWriting: %d\nConnsAsyncKeepAlive: %d\n"
                           "ConnsAsyncClosing: %d\n",
                           snap->conns_total, snap->conns_writing, snap->conns_keepalive,
                           snap->conns_closing);
    }
    apr_brigade_puts(bb, NULL, NULL, "Scoreboard: ");
    put_scoreboard_keys(snap, bb);
    apr_brigade_puts(bb, NULL, NULL, "\n");
}

/* ---- ?prometheus ---------------------------------------------------------------------- */

static void metric_head(apr_bucket_brigade *bb, const char *name, const char *type,
                        const char *help)
{
    apr_brigade_printf(bb, NULL, NULL, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Connections the MPM's poller holds (event) count with the workers' of the same state. */
static int waiting_in_poller(const status_snapshot_t *snap, kv_sb_status_t st)
{
    switch (st) {
    case KV_SB_KEEPALIVE:
        return snap->conns_keepalive;
    case KV_SB_WRITE:
        return snap->conns_writing;
    case KV_SB_CLOSING:
        return snap->conns_closing;
    default:
        return 0;
    }
}

static void state_metrics(const status_snapshot_t *snap, const status_totals_t *t,
                          apr_bucket_brigade *bb)
{
    metric_head(bb, "kiva_workers", "gauge", "Worker slots in each scoreboard state.");
    for (int st = 0; st <= KV_SB_GRACEFUL; st++) {
        apr_brigade_printf(bb, NULL, NULL, "kiva_workers{state=\"%s\"} %d\n", states[st].label,
                           t->by_status[st]);
    }
    metric_head(bb, "kiva_connections", "gauge",
                "Client connections, by what is done with them (held by a worker or "
                "waiting in the event MPM's poller).");
    for (int st = 0; st <= KV_SB_GRACEFUL; st++) {
        if (holds_connection((kv_sb_status_t)st)) {
            apr_brigade_printf(bb, NULL, NULL, "kiva_connections{state=\"%s\"} %d\n",
                               states[st].label,
                               t->by_status[st] + waiting_in_poller(snap, (kv_sb_status_t)st));
        }
    }
}

void status_format_prometheus(const status_snapshot_t *snap, apr_pool_t *p, apr_bucket_brigade *bb)
{
    (void)p;
    status_totals_t t;

    status_totals(snap, &t);
    metric_head(bb, "kiva_requests_total", "counter", "Requests served since the server started.");
    apr_brigade_printf(bb, NULL, NULL, "kiva_requests_total %lu\n", t.accesses);
    metric_head(bb, "kiva_bytes_total", "counter",
                "Response body bytes sent since the server started.");
    apr_brigade_printf(bb, NULL, NULL, "kiva_bytes_total %" APR_OFF_T_FMT "\n", t.bytes);
    state_metrics(snap, &t, bb);
    metric_head(bb, "kiva_uptime_seconds", "gauge",
                "Seconds since the running configuration generation began.");
    apr_brigade_printf(bb, NULL, NULL, "kiva_uptime_seconds %ld\n", status_uptime(snap));
    metric_head(bb, "kiva_restarts_total", "counter", "Restarts of the parent, by kind.");
    apr_brigade_printf(bb, NULL, NULL,
                       "kiva_restarts_total{kind=\"graceful\"} %lu\n"
                       "kiva_restarts_total{kind=\"restart\"} %lu\n",
                       snap->restarts[KV_SB_RESTART_GRACEFUL], snap->restarts[KV_SB_RESTART_HARD]);
    metric_head(bb, "kiva_generation", "gauge", "Configuration generation, 1 for the first.");
    apr_brigade_printf(bb, NULL, NULL, "kiva_generation %d\n", snap->generation);
    metric_head(bb, "kiva_config_info", "gauge",
                "SHA-256 of the configuration files the running generation read.");
    apr_brigade_printf(bb, NULL, NULL, "kiva_config_info{sha256=\"%s\"} 1\n", snap->config_sha256);
}

/* ---- HTML ----------------------------------------------------------------------------- */

static const char *html(apr_pool_t *p, const char *s)
{
    return kv_escape_html(p, s ? s : "");
}

static void html_summary(const status_snapshot_t *snap, const status_totals_t *t, apr_pool_t *p,
                         apr_bucket_brigade *bb)
{
    long up = status_uptime(snap);

    apr_brigade_printf(bb, NULL, NULL,
                       "<dl><dt>Server Version: %s</dt>\n<dt>Server MPM: %s</dt>\n"
                       "<dt>Server Built: %s</dt></dl><hr /><dl>\n"
                       "<dt>Current Time: %s</dt>\n<dt>Restart Time: %s</dt>\n"
                       "<dt>Parent Server Config. Generation: %d</dt>\n"
                       "<dt>Server uptime: %s</dt>\n",
                       html(p, snap->version), html(p, snap->mpm), html(p, snap->built),
                       html(p, format_time(p, snap->now)),
                       html(p, format_time(p, snap->restart_time)), snap->generation,
                       format_uptime(p, up));
    if (snap->extended) {
        apr_brigade_printf(bb, NULL, NULL,
                           "<dt>Total accesses: %lu - Total Traffic: %" APR_OFF_T_FMT
                           " kB</dt>\n<dt>%g requests/sec - %g B/second - %g B/request</dt>\n",
                           t->accesses, t->bytes / 1024, per_second((double)t->accesses, up),
                           per_second((double)t->bytes, up),
                           t->accesses ? (double)t->bytes / (double)t->accesses : 0.0);
    }
    apr_brigade_printf(bb, NULL, NULL,
                       "<dt>%d requests currently being processed, %d idle workers</dt>\n",
                       t->busy, t->idle);
    if (snap->async) {
        apr_brigade_printf(bb, NULL, NULL,
                           "<dt>%d connections open: %d waiting to write, %d kept alive, %d "
                           "closing (in the listener's poller)</dt>\n",
                           snap->conns_total, snap->conns_writing, snap->conns_keepalive,
                           snap->conns_closing);
    }
    apr_brigade_puts(bb, NULL, NULL, "</dl>");
}

static void html_scoreboard(const status_snapshot_t *snap, apr_bucket_brigade *bb)
{
    apr_brigade_puts(bb, NULL, NULL, "<pre>");
    for (int i = 0; i < snap->nworkers; i++) {
        apr_brigade_putc(bb, NULL, NULL, status_key_char(shown_status(&snap->workers[i])));
        if ((i + 1) % 64 == 0) {
            apr_brigade_putc(bb, NULL, NULL, '\n');
        }
    }
    apr_brigade_puts(bb, NULL, NULL,
                     "</pre>\n<p>Scoreboard Key:<br />\n"
                     "\"<b><code>_</code></b>\" Waiting for Connection, \n"
                     "\"<b><code>S</code></b>\" Starting up, \n"
                     "\"<b><code>R</code></b>\" Reading Request,<br />\n"
                     "\"<b><code>W</code></b>\" Sending Reply, \n"
                     "\"<b><code>K</code></b>\" Keepalive (read), \n"
                     "\"<b><code>L</code></b>\" Logging, \n"
                     "\"<b><code>G</code></b>\" Gracefully finishing,<br />\n"
                     "\"<b><code>C</code></b>\" Closing connection, \n"
                     "\"<b><code>.</code></b>\" Open slot with no current process</p>\n");
}

static void html_workers(const status_snapshot_t *snap, apr_pool_t *p, apr_bucket_brigade *bb)
{
    apr_brigade_puts(bb, NULL, NULL,
                     "<table border=\"0\"><tr><th>Srv</th><th>PID</th><th>Acc</th><th>M</th>"
                     "<th>Client</th><th>Request</th></tr>\n");
    for (int i = 0; i < snap->nworkers; i++) {
        const status_worker_t *w = &snap->workers[i];

        if (shown_status(w) == KV_SB_DEAD) {
            continue;
        }
        apr_brigade_printf(bb, NULL, NULL,
                           "<tr><td><b>%d-%d</b></td><td>%ld</td><td>%lu</td><td><b>%c</b></td>"
                           "<td>%s</td><td nowrap>%s</td></tr>\n",
                           i, w->generation, (long)w->pid, w->access_count,
                           status_key_char(shown_status(w)), html(p, w->client),
                           html(p, w->request));
    }
    apr_brigade_puts(bb, NULL, NULL, "</table>\n");
}

void status_format_html(const status_snapshot_t *snap, apr_pool_t *p, apr_bucket_brigade *bb)
{
    status_totals_t t;
    const char *host = html(p, snap->host);

    status_totals(snap, &t);
    apr_brigade_printf(bb, NULL, NULL,
                       "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<html><head>\n"
                       "<title>kiva Server Status for %s</title>\n</head><body>\n"
                       "<h1>kiva Server Status for %s</h1>\n\n",
                       host, host);
    html_summary(snap, &t, p, bb);
    html_scoreboard(snap, bb);
    if (snap->extended) {
        html_workers(snap, p, bb);
    }
    apr_brigade_puts(bb, NULL, NULL, "</body></html>\n");
}
