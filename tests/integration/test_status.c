/* mod_status in a running prefork server: `SetHandler server-status` in a <Location> serves
 * the HTML page (escaped), httpd's ?auto lines and Prometheus metrics whose counters grow;
 * a graceful restart raises the generation and the graceful restart count; the config's
 * SHA-256 is sha256sum's and follows an edited, reloaded file; SetHandler None turns the
 * handler off below; mod_authz_core's Require limits who may look. */
#include "harness.h"

#include <ctype.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define LOAD_STATUS "LoadModule status_module %s/modules/.libs/mod_status.so"
#define LOAD_AUTHZ                                                                                 \
    "LoadModule authz_core_module %s/modules/.libs/mod_authz_core.so\n"                            \
    "LoadModule authz_host_module %s/modules/.libs/mod_authz_host.so"

static kvt_server_t *status_server(void)
{
    kvt_server_t *srv = kvt_server_new("prefork");

    kvt_server_processes(srv, 1, 1, 1);
    kvt_server_conf(srv, LOAD_STATUS, KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "<Location /server-status>\nSetHandler server-status\n</Location>");
    kvt_write_file(srv, "index.html", "hello", 5);
    return srv;
}

/* The body of GET @a path, which must answer 200; malloc'd. */
static char *get_ok(kvt_server_t *srv, const char *path, char **content_type)
{
    kvt_response_t resp;
    char *body;

    kvt_get(kvt_server_port(srv), path, &resp);
    ck_assert_msg(resp.status == 200, "GET %s: %d\n%s", path, resp.status, resp.body);
    body = kvt_strf("%s", resp.body);
    if (content_type) {
        *content_type = kvt_strf("%s", kvt_header(&resp, "Content-Type"));
    }
    kvt_response_free(&resp);
    return body;
}

static int get_status(kvt_server_t *srv, const char *path)
{
    kvt_response_t resp;
    int status;

    kvt_get(kvt_server_port(srv), path, &resp);
    status = resp.status;
    kvt_response_free(&resp);
    return status;
}

/* GET @a path answers 200 with @a needle in the body. */
static void assert_page_has(kvt_server_t *srv, const char *path, const char *needle)
{
    char *body = get_ok(srv, path, NULL);

    ck_assert_msg(kvt_contains(body, needle), "GET %s lacks %s:\n%s", path, needle, body);
    free(body);
}

/* ---- ?auto ------------------------------------------------------------------------- */

/* The value of "key: value" in @a text, malloc'd, or NULL. Checks every line but the first
 * (the host name) has that shape. */
static char *auto_value(const char *text, const char *key)
{
    const char *line = strchr(text, '\n');
    size_t klen = strlen(key);

    ck_assert_ptr_nonnull(line);
    for (line++; *line; line = strchr(line, '\n') + 1) {
        const char *end = strchr(line, '\n');

        ck_assert_msg(end, "?auto line without a newline: %s", line);
        ck_assert_msg(memchr(line, ':', (size_t)(end - line)), "not key: value: %.*s",
                      (int)(end - line), line);
        if (strncmp(line, key, klen) == 0 && line[klen] == ':' && line[klen + 1] == ' ') {
            return kvt_strf("%.*s", (int)(end - line - klen - 2), line + klen + 2);
        }
    }
    return NULL;
}

static long auto_number(const char *text, const char *key)
{
    char *v = auto_value(text, key);
    long n;

    ck_assert_msg(v, "no %s: line in\n%s", key, text);
    n = strtol(v, NULL, 10);
    free(v);
    return n;
}

/* ---- Prometheus text format 0.0.4 ---------------------------------------------------- */

static int is_name_char(char c, int first)
{
    return isalpha((unsigned char)c) || c == '_' || c == ':' ||
           (!first && isdigit((unsigned char)c));
}

/* Skip a metric or label name; NULL if there is none. */
static const char *skip_name(const char *s)
{
    if (!is_name_char(*s, 1)) {
        return NULL;
    }
    while (is_name_char(*s, 0)) {
        s++;
    }
    return s;
}

/* Skip {name="value",...}; NULL if malformed. */
static const char *skip_labels(const char *s)
{
    s++;
    while (*s != '}') {
        if (!(s = skip_name(s)) || *s++ != '=' || *s++ != '"') {
            return NULL;
        }
        while (*s != '"') {
            if (*s == '\0' || *s == '\n' || (*s == '\\' && !strchr("\\\"n", *++s))) {
                return NULL;
            }
            s++;
        }
        s++;
        if (*s == ',') {
            s++;
        } else if (*s != '}') {
            return NULL;
        }
    }
    return s + 1;
}

static int is_valid_sample(const char *line)
{
    const char *s = skip_name(line);
    char *end;

    if (s && *s == '{') {
        s = skip_labels(s);
    }
    if (!s || *s++ != ' ') {
        return 0;
    }
    strtod(s, &end);
    return end != s &&
           (*end == '\0' || (*end == ' ' && strtoll(end + 1, &end, 10) >= 0 && *end == '\0'));
}

static int is_valid_comment(const char *line)
{
    static const char *const types[] = {"counter", "gauge", "histogram", "summary", "untyped"};
    const char *s;

    if (strncmp(line, "# HELP ", 7) == 0) {
        s = skip_name(line + 7);
        return s && (*s == '\0' || *s == ' ');
    }
    if (strncmp(line, "# TYPE ", 7) == 0) {
        s = skip_name(line + 7);
        if (!s || *s++ != ' ') {
            return 0;
        }
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
            if (strcmp(s, types[i]) == 0) {
                return 1;
            }
        }
        return 0;
    }
    return 1;
}

/* Every line of @a text is exposition syntax; the text ends with a newline. */
static void assert_exposition(const char *text)
{
    char *copy = kvt_strf("%s", text), *last = NULL;
    size_t len = strlen(text);

    ck_assert_msg(len > 0 && text[len - 1] == '\n', "no final newline");
    for (char *line = strtok_r(copy, "\n", &last); line; line = strtok_r(NULL, "\n", &last)) {
        ck_assert_msg(line[0] == '#' ? is_valid_comment(line) : is_valid_sample(line),
                      "not exposition syntax: %s", line);
    }
    free(copy);
}

/* The value of the sample whose name and labels are @a series, or -1. */
static double sample(const char *text, const char *series)
{
    char *needle = kvt_strf("\n%s ", series);
    const char *at = strstr(text, needle);
    double v = at ? strtod(at + strlen(needle), NULL) : -1;

    free(needle);
    return v;
}

/* The sha256 label of kiva_config_info, malloc'd. */
static char *config_sha(const char *text)
{
    const char *at = strstr(text, "kiva_config_info{sha256=\"");

    ck_assert_msg(at, "no kiva_config_info in\n%s", text);
    at += strlen("kiva_config_info{sha256=\"");
    return kvt_strf("%.64s", at);
}

/* What sha256sum says of the server's config file, malloc'd. */
static char *sha256sum(kvt_server_t *srv)
{
    const char *argv[] = {"sha256sum", kvt_server_conf_path(srv), NULL};
    char *out = NULL;
    int status;

    ck_assert_int_eq(kvt_run(argv, 5000, &status, &out, NULL), 0);
    ck_assert_int_eq(status, 0);
    ck_assert_uint_ge(strlen(out), 64);
    out[64] = '\0';
    return out;
}

/* kiva_config_info's sha256 is what sha256sum says of the one config file. */
static void assert_config_sha_is_sha256sum(kvt_server_t *srv)
{
    char *text = get_ok(srv, "/server-status?prometheus", NULL);
    char *sha = config_sha(text), *expected = sha256sum(srv);

    ck_assert_str_eq(sha, expected);
    free(text);
    free(sha);
    free(expected);
}

typedef struct {
    kvt_server_t *srv;
    const char *series;
    double want;
} sample_wait_t;

static int sample_reached(void *arg)
{
    sample_wait_t *w = arg;
    kvt_response_t resp;
    int reached;

    if (kvt_request(
            kvt_server_port(w->srv),
            "GET /server-status?prometheus HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
            &resp) != 0) {
        return 0;
    }
    reached = resp.status == 200 && sample(resp.body, w->series) == w->want;
    kvt_response_free(&resp);
    return reached;
}

/* ---- Tests ---------------------------------------------------------------------------- */

/* The lines of the HTML page with ExtendedStatus On, as httpd's. */
static const char *const html_parts[] = {
    "Server Version: kiva/" KV_TEST_VERSION,
    "Server MPM: prefork",
    "Server Built: ",
    "Current Time: ",
    "Restart Time: ",
    "Parent Server Config. Generation: 1",
    "Server uptime: ",
    "Total accesses: ",
    "requests/sec",
    "requests currently being processed, 0 idle workers",
    "Scoreboard Key",
};

KVT_CASE(status_case, "status");

KVC_TEST(status_case, test_html_page_has_the_parts_escaped)
{
    kvt_server_t *srv = status_server();
    char *type, *body;

    kvt_server_drop_base(srv, "ServerName");
    kvt_server_conf(srv, "ServerName status<&>.test");
    kvt_server_conf(srv, "ExtendedStatus On");
    kvt_server_start(srv);
    body = get_ok(srv, "/server-status?<b>x</b>", &type);
    ck_assert_msg(kvt_contains(type, "text/html"), "Content-Type %s", type);
    ck_assert_msg(kvt_contains(body, "<title>kiva Server Status for status&lt;&amp;&gt;.test"),
                  "%s", body);
    for (int i = 0; i < KVT_COUNT(html_parts); i++) {
        ck_assert_msg(kvt_contains(body, html_parts[i]), "no '%s' in:\n%s", html_parts[i], body);
    }
    ck_assert_msg(kvt_contains(body, "<pre>W."), "the serving child is not W: %s", body);
    /* Its own request is in the worker table, escaped. */
    ck_assert_msg(kvt_contains(body, "GET /server-status?&lt;b&gt;x&lt;/b&gt; HTTP/1.1"), "%s",
                  body);
    ck_assert(!kvt_contains(body, "<b>x</b>"));
    ck_assert(kvt_contains(body, "<td>127.0.0.1</td>"));
    free(body);
    free(type);
}
END_TEST

KVC_TEST(status_case, test_extended_status_off_hides_totals)
{
    kvt_server_t *srv = status_server();
    char *body;

    kvt_server_conf(srv, "ExtendedStatus Off");
    kvt_server_start(srv);
    body = get_ok(srv, "/server-status", NULL);
    ck_assert(kvt_contains(body, "Scoreboard Key"));
    ck_assert(!kvt_contains(body, "Total accesses"));
    ck_assert(!kvt_contains(body, "<th>PID</th>"));
    free(body);
    body = get_ok(srv, "/server-status?auto", NULL);
    ck_assert(!kvt_contains(body, "Total Accesses:"));
    ck_assert(kvt_contains(body, "BusyWorkers: 1\n"));
    free(body);
}
END_TEST

KVC_TEST(status_case, test_auto_lines_and_counts_that_grow)
{
    static const char *const keys[] = {"ServerVersion",       "ServerMPM",
                                       "Server Built",        "CurrentTime",
                                       "RestartTime",         "ParentServerConfigGeneration",
                                       "ServerUptimeSeconds", "Total Accesses",
                                       "Total kBytes",        "Uptime",
                                       "ReqPerSec",           "BytesPerSec",
                                       "BusyWorkers",         "IdleWorkers",
                                       "Scoreboard"};
    kvt_server_t *srv = status_server();
    char *first, *second, *type, *v;
    long before;

    kvt_server_start(srv);
    first = get_ok(srv, "/server-status?auto", &type);
    ck_assert_msg(kvt_contains(type, "text/plain"), "Content-Type %s", type);
    for (int i = 0; i < KVT_COUNT(keys); i++) {
        v = auto_value(first, keys[i]);
        ck_assert_msg(v, "no %s: in\n%s", keys[i], first);
        free(v);
    }
    v = auto_value(first, "ServerMPM");
    ck_assert_str_eq(v, "prefork");
    free(v);
    ck_assert_int_eq(auto_number(first, "ParentServerConfigGeneration"), 1);
    ck_assert_int_eq(auto_number(first, "BusyWorkers"), 1);
    v = auto_value(first, "Scoreboard");
    ck_assert_msg(v[0] == 'W' && strspn(v + 1, ".") == strlen(v) - 1, "Scoreboard: %s", v);
    free(v);
    before = auto_number(first, "Total Accesses");
    for (int i = 0; i < 3; i++) {
        free(get_ok(srv, "/index.html", NULL));
    }
    second = get_ok(srv, "/server-status?auto", NULL);
    ck_assert_int_eq(auto_number(second, "Total Accesses"), before + 4);
    ck_assert_int_ge(auto_number(second, "Total kBytes"), auto_number(first, "Total kBytes"));
    free(first);
    free(second);
    free(type);
}
END_TEST

KVC_TEST(status_case, test_prometheus_syntax_and_growing_counters)
{
    kvt_server_t *srv = status_server();
    char *first, *second, *type;

    kvt_server_start(srv);
    first = get_ok(srv, "/server-status?prometheus", &type);
    ck_assert_str_eq(type, "text/plain; version=0.0.4");
    assert_exposition(first);
    ck_assert_msg(sample(first, "kiva_workers{state=\"sending\"}") == 1, "%s", first);
    ck_assert(sample(first, "kiva_connections{state=\"sending\"}") == 1);
    ck_assert(sample(first, "kiva_restarts_total{kind=\"graceful\"}") == 0);
    ck_assert(sample(first, "kiva_restarts_total{kind=\"restart\"}") == 0);
    ck_assert(sample(first, "kiva_generation") == 1);
    ck_assert(sample(first, "kiva_uptime_seconds") >= 0);
    for (int i = 0; i < 2; i++) {
        free(get_ok(srv, "/index.html", NULL));
    }
    second = get_ok(srv, "/server-status?prometheus", NULL);
    assert_exposition(second);
    ck_assert(sample(second, "kiva_requests_total") == sample(first, "kiva_requests_total") + 3);
    ck_assert(sample(second, "kiva_bytes_total") > sample(first, "kiva_bytes_total"));
    free(first);
    free(second);
    free(type);
}
END_TEST

KVC_TEST(status_case, test_graceful_restart_counts_and_new_config_sha)
{
    kvt_server_t *srv = status_server();
    sample_wait_t w = {srv, "kiva_generation", 2};
    double served;
    char *text;

    kvt_server_start(srv);
    assert_config_sha_is_sha256sum(srv);

    text = get_ok(srv, "/server-status?prometheus", NULL);
    served = sample(text, "kiva_requests_total");
    free(text);
    kvt_server_conf(srv, "# an edit changes the fingerprint");
    kvt_server_write_conf(srv);
    ck_assert_int_eq(kill(kvt_server_pid(srv), SIGUSR1), 0);
    ck_assert_msg(kvt_wait_for(sample_reached, &w, 10000), "the generation did not become 2");
    text = get_ok(srv, "/server-status?prometheus", NULL);
    assert_exposition(text);
    ck_assert(sample(text, "kiva_restarts_total{kind=\"graceful\"}") == 1);
    ck_assert(sample(text, "kiva_restarts_total{kind=\"restart\"}") == 0);
    /* The old child's requests stay counted after a new one takes its slot. */
    ck_assert_msg(sample(text, "kiva_requests_total") > served, "requests_total went down");
    free(text);
    assert_config_sha_is_sha256sum(srv);

    text = get_ok(srv, "/server-status?prometheus", NULL);
    served = sample(text, "kiva_requests_total");
    free(text);
    w.want = 3;
    ck_assert_int_eq(kill(kvt_server_pid(srv), SIGHUP), 0);
    ck_assert_msg(kvt_wait_for(sample_reached, &w, 10000), "the generation did not become 3");
    text = get_ok(srv, "/server-status?prometheus", NULL);
    ck_assert(sample(text, "kiva_restarts_total{kind=\"graceful\"}") == 1);
    ck_assert(sample(text, "kiva_restarts_total{kind=\"restart\"}") == 1);
    ck_assert_msg(sample(text, "kiva_requests_total") > served, "requests_total went down");
    free(text);
}
END_TEST

KVC_TEST(status_case, test_sethandler_none_turns_it_off_below)
{
    kvt_server_t *srv = status_server();

    kvt_server_conf(srv, "<Location /server-status/off>\nSetHandler None\n</Location>");
    kvt_server_start(srv);
    assert_page_has(srv, "/server-status/sub", "kiva Server Status for");
    ck_assert_int_eq(get_status(srv, "/server-status/off"), 404);
    ck_assert_int_eq(get_status(srv, "/elsewhere"), 404);
}
END_TEST

/* Debian 12's mods-available/status.conf, as shipped: `Require local` (mod_authz_host). */
KVC_TEST(status_case, test_debian_status_conf)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    const char *conf_file;

    kvt_server_processes(srv, 1, 1, 1);
    kvt_server_conf(srv, LOAD_STATUS, KV_TEST_BUILDDIR);
    kvt_server_conf(srv, LOAD_AUTHZ, KV_TEST_BUILDDIR, KV_TEST_BUILDDIR);
    conf_file = kvt_write_root_file(
        srv, "status.conf",
        "# Allow server status reports generated by mod_status,\n"
        "# with the URL of http://servername/server-status\n"
        "# Uncomment and change the \"192.0.2.0/24\" to allow access from other hosts.\n\n"
        "<Location /server-status>\n"
        "\tSetHandler server-status\n"
        "\tRequire local\n"
        "\t#Require ip 192.0.2.0/24\n"
        "</Location>\n\n"
        "# Keep track of extended status information for each request\n"
        "ExtendedStatus On\n\n"
        "# Determine if mod_status displays the first 63 characters of a request or\n"
        "# the last 63, assuming the request itself is greater than 63 chars.\n"
        "# Default: Off\n"
        "#SeeRequestTail On\n\n\n"
        "<IfModule mod_proxy.c>\n"
        "\t# Show Proxy LoadBalancer status in mod_status\n"
        "\tProxyStatus On\n"
        "</IfModule>\n");
    kvt_server_conf(srv, "Include %s", conf_file);
    kvt_server_start(srv);
    assert_page_has(srv, "/server-status?auto", "Scoreboard: ");
}
END_TEST

/* The status page takes GET and HEAD: OPTIONS lists them, another method is 405 with the
 * same Allow (it used to be 405 with no Allow at all, and OPTIONS was refused too). */
KVC_TEST(status_case, test_options_and_other_methods_get_allow)
{
    kvt_server_t *srv = status_server();
    static const struct {
        const char *method;
        int status;
    } asked[] = {{"OPTIONS", 200}, {"PUT", 405}, {"POST", 405}, {"FOO", 501}};

    kvt_server_start(srv);
    for (int i = 0; i < KVT_COUNT(asked); i++) {
        char *req = kvt_strf("%s /server-status HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n"
                             "Connection: close\r\n\r\n", asked[i].method);
        kvt_response_t r;

        ck_assert_int_eq(kvt_request(kvt_server_port(srv), req, &r), 0);
        ck_assert_msg(r.status == asked[i].status, "%s: %d", asked[i].method, r.status);
        ck_assert_pstr_eq(kvt_header(&r, "Allow"), "GET,OPTIONS,HEAD,TRACE");
        kvt_response_free(&r);
        free(req);
    }
}
END_TEST

KVC_TEST(status_case, test_require_limits_access)
{
    kvt_server_t *srv = status_server();

    kvt_server_conf(srv, LOAD_AUTHZ, KV_TEST_BUILDDIR, KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "<Location /server-status>\nRequire ip 127.0.0.1\n</Location>");
    kvt_server_conf(srv, "<Location /closed-status>\nSetHandler server-status\n"
                         "Require all denied\n</Location>");
    kvt_server_conf(srv, "<Location /other-net-status>\nSetHandler server-status\n"
                         "Require ip 192.0.2.0/24\n</Location>");
    kvt_server_start(srv);
    assert_page_has(srv, "/server-status?auto", "Scoreboard: ");
    ck_assert_int_eq(get_status(srv, "/closed-status"), 403);
    ck_assert_int_eq(get_status(srv, "/other-net-status"), 403);
}
END_TEST

/* ---- event: connections in the listener's poller are counted ---------------------- */

struct async_wait {
    kvt_server_t *srv;
    long keepalive;
};

static int three_kept_alive(void *arg)
{
    struct async_wait *w = arg;
    char *text = get_ok(w->srv, "/server-status?auto", NULL);

    w->keepalive = auto_number(text, "ConnsAsyncKeepAlive");
    free(text);
    return w->keepalive >= 3;
}

KVC_TEST(status_case, test_event_counts_connections_in_its_poller)
{
    kvt_server_t *srv = kvt_server_new("event");
    struct async_wait w = {srv, 0};
    int fds[3];
    char *text;

    kvt_server_conf(srv, "StartServers 1");
    kvt_server_conf(srv, LOAD_STATUS, KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "<Location /server-status>\nSetHandler server-status\n</Location>");
    kvt_server_conf(srv, "KeepAliveTimeout 30");
    kvt_write_file(srv, "index.html", "hello", 5);
    kvt_server_start(srv);
    for (int i = 0; i < 3; i++) {
        kvt_response_t r;

        fds[i] = kvt_connect(kvt_server_port(srv));
        kvt_send(fds[i], "GET /index.html HTTP/1.1\r\nHost: t\r\n\r\n");
        ck_assert_int_eq(kvt_read_response(fds[i], &r, 0), 0);
        ck_assert_int_eq(r.status, 200);
        kvt_response_free(&r);
    }
    ck_assert_msg(kvt_wait_for(three_kept_alive, &w, 5000),
                  "ConnsAsyncKeepAlive stayed at %ld with 3 idle connections", w.keepalive);
    text = get_ok(srv, "/server-status?auto", NULL);
    ck_assert_int_ge(auto_number(text, "ConnsTotal"), 3);
    free(text);
    text = get_ok(srv, "/server-status?prometheus", NULL);
    ck_assert_msg(sample(text, "kiva_connections{state=\"keepalive\"}") >= 3, "%s", text);
    free(text);
    for (int i = 0; i < 3; i++) {
        close(fds[i]);
    }
}
END_TEST

KVC_TEST(status_case, test_bad_directives_are_refused)
{
    kvt_server_t *srv = status_server();
    int status;
    char *err = NULL;

    kvt_server_conf(srv, "ExtendedStatus maybe");
    kvt_server_write_conf(srv);
    ck_assert_int_eq(kvt_run_kiva(&status, NULL, &err, "-t", "-f", kvt_server_conf_path(srv),
                                  (const char *)NULL),
                     0);
    ck_assert_int_eq(status, 1);
    ck_assert_msg(kvt_contains(err, "Syntax error on line"), "%s", err);
    free(err);
}
END_TEST

int main(void)
{
    return kvc_run("status");
}
