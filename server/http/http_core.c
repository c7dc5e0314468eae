/* http_core: the HTTP/1 module. It takes every connection no other protocol took (its
 * process_connection runs last), and answers what HTTP/1.1 itself asks of the server before
 * any resource is looked at: OPTIONS * (the server's own options), TRACE (TraceEnable) and
 * a "*" target with any other method, in post_read_request. The HTTP module's own hooks are
 * registered here, as in httpd's modules/http/http_core.c: the default handler too; the
 * Allow field (http_allow.c) is told here how to ask TraceEnable. */
#include <string.h>

#include <apr_strings.h>

#include "core.h"
#include "http_allow.h"
#include "kv_connection.h"
#include "kv_log.h"

#define KV_LOG_MODULE "http_core"

/** TraceEnable values. */
enum { TRACE_OFF = 0, TRACE_ON = 1, TRACE_EXTENDED = 2 };

/* A TRACE body echoed under TraceEnable extended may be at most this long (as httpd). */
#define TRACE_MAX_BODY 65536

typedef struct {
    int trace_enable; /* KV_UNSET_INT until set */
} http_core_conf_t;

static void *create_server_conf(apr_pool_t *p, kv_server_t *s)
{
    http_core_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    (void)s;
    conf->trace_enable = KV_UNSET_INT;
    return conf;
}

static void *merge_server_conf(apr_pool_t *p, void *basev, void *addv)
{
    http_core_conf_t *base = basev, *add = addv;
    http_core_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    conf->trace_enable = KV_MERGE_INT(add->trace_enable, base->trace_enable, TRACE_ON);
    return conf;
}

static int trace_enable(const kv_request_t *r)
{
    const http_core_conf_t *conf =
        kv_get_module_config(r->server->module_config, &http_core_module);

    return conf->trace_enable == KV_UNSET_INT ? TRACE_ON : conf->trace_enable;
}

static const char *set_trace_enable(kv_cmd_parms_t *cmd, void *mconfig, int argc,
                                    const char *const *argv)
{
    http_core_conf_t *conf = mconfig;

    (void)argc;
    if (strcasecmp(argv[0], "on") == 0) {
        conf->trace_enable = TRACE_ON;
    } else if (strcasecmp(argv[0], "off") == 0) {
        conf->trace_enable = TRACE_OFF;
    } else if (strcasecmp(argv[0], "extended") == 0) {
        conf->trace_enable = TRACE_EXTENDED;
    } else {
        return apr_psprintf(cmd->pool, "TraceEnable must be one of: on | off | extended, not '%s'",
                            argv[0]);
    }
    return NULL;
}

int kv_trace_enabled(const kv_request_t *r)
{
    return trace_enable(r) != TRACE_OFF;
}

/* Pass the response's brigade on; the end goes down by itself. */
static void send_brigade(kv_request_t *r, apr_bucket_brigade *bb, int with_end)
{
    if (with_end) {
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(bb->bucket_alloc));
    }
    kv_pass_brigade(r->output_filters, bb);
}

/* OPTIONS * asks about the server, not a resource: httpd 2.4 answers 200 with no Allow. */
static int answer_server_options(kv_request_t *r)
{
    return kv_send_options(r);
}

static int add_echo_field(void *bb, const char *name, const char *value)
{
    apr_brigade_printf(bb, NULL, NULL, "%s: %s\r\n", name, value);
    return 1;
}

/* The body of a TRACE under TraceEnable extended; 0 or the status that refuses it. */
static int read_trace_body(kv_request_t *r, char **body, apr_size_t *len)
{
    char *buf = apr_palloc(r->pool, TRACE_MAX_BODY + 1);
    apr_size_t got = 0;
    apr_status_t rv;

    do {
        apr_size_t n = TRACE_MAX_BODY + 1 - got;
        rv = kv_read_body(r, buf + got, &n);
        got += n;
    } while (rv == APR_SUCCESS && got <= TRACE_MAX_BODY);
    if (got > TRACE_MAX_BODY) {
        r->close_connection = 1;
        return KV_HTTP_REQUEST_ENTITY_TOO_LARGE;
    }
    if (rv != APR_EOF) {
        return kv_body_error(r);
    }
    *body = buf;
    *len = got;
    return 0;
}

/* The request head echoed as message/http. Its length is not worked out first, so the
 * response goes chunked to HTTP/1.1 clients (as httpd's does). */
static int answer_trace(kv_request_t *r)
{
    int mode = trace_enable(r);
    apr_bucket_brigade *bb;
    char *body = NULL;
    apr_size_t len = 0;

    if (mode == TRACE_OFF) {
        /* Refused before any resource is looked at: what the default handler allows
         * (httpd sends an empty Allow here, which says no method is allowed). */
        apr_table_setn(r->err_headers_out, "Allow",
                       kv_make_allow(r, KV_METHOD_BIT(KV_M_GET) | KV_METHOD_BIT(KV_M_POST) |
                                            KV_METHOD_BIT(KV_M_OPTIONS)));
        return KV_HTTP_METHOD_NOT_ALLOWED;
    }
    if (kv_has_body(r)) {
        int status = mode == TRACE_EXTENDED ? read_trace_body(r, &body, &len)
                                            : KV_HTTP_REQUEST_ENTITY_TOO_LARGE;
        if (status != 0) {
            kv_log_rerror(KV_LOG_MARK, KV_LOG_INFO, 0, r,
                          "KV00701: TRACE with a request body refused (TraceEnable)");
            return status;
        }
    }
    r->status = KV_HTTP_OK;
    r->content_type = "message/http";
    bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    apr_brigade_printf(bb, NULL, NULL, "%s\r\n", r->the_request);
    apr_table_do(add_echo_field, bb, r->headers_in, NULL);
    apr_brigade_puts(bb, NULL, NULL, "\r\n");
    if (len > 0) {
        apr_brigade_write(bb, NULL, NULL, body, len);
    }
    send_brigade(r, bb, 0);
    send_brigade(r, apr_brigade_create(r->pool, r->connection->bucket_alloc), 1);
    return KV_DONE;
}

static int is_asterisk_form(const kv_request_t *r)
{
    return r->uri && strcmp(r->uri, "*") == 0;
}

static int http_core_post_read_request(kv_request_t *r)
{
    if (is_asterisk_form(r)) {
        return r->method_number == KV_M_OPTIONS ? answer_server_options(r) : KV_HTTP_BAD_REQUEST;
    }
    if (r->method_number == KV_M_TRACE) {
        return answer_trace(r);
    }
    return KV_DECLINED;
}

/* The name of HTTP/1 in c->protocol, as ALPN calls it. */
static const char http1_protocol[] = "http/1.1";

/* HTTP/1 serves the connection, unless another protocol has taken it. Under an asynchronous
 * MPM this runs at each step of the connection: the check is a comparison of pointers. */
static int http1_process_connection(kv_conn_t *c)
{
    if (c->protocol && c->protocol != http1_protocol &&
        strcmp(c->protocol, http1_protocol) != 0) {
        return KV_DECLINED;
    }
    c->protocol = http1_protocol;
    return kv_http_process_connection(c);
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    kv_hook_process_connection(http1_process_connection, NULL, NULL, KV_HOOK_REALLY_LAST);
    kv_protocol_register(p, http1_protocol); /* what TLS's ALPN may agree on */
    kv_hook_post_read_request(http_core_post_read_request, NULL, NULL, KV_HOOK_REALLY_FIRST);
    kv_hook_handler(kv_default_handler, NULL, NULL, KV_HOOK_REALLY_LAST);
    kv_allow_trace_query(kv_trace_enabled);
}

static const kv_command_t http_core_commands[] = {
    {"TraceEnable", set_trace_enable, NULL, 1, 1, KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "TraceEnable on|off|extended: answer TRACE (extended: with a request body)"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t http_core_module = {
    KV_MODULE_HEADER("http_core"),
    .create_server_config = create_server_conf,
    .merge_server_config = merge_server_conf,
    .commands = http_core_commands,
    .register_hooks = register_hooks,
};
