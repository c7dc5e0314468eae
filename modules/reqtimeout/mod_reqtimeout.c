/* mod_reqtimeout: RequestReadTimeout, httpd's bounds on how long reading a request head and
 * a request body may take in all, besides Timeout's bound on each read, against clients
 * that trickle bytes to hold connections (slowloris). On a TLS connection the handshake
 * stage comes first (handshake=, off by default, as httpd's). The header stage begins with a
 * head (on a kept-alive connection, with its first byte: the wait before it is KeepAliveTimeout's)
 * and takes the main server's setting, as the virtual host is not known yet; the body stage
 * begins once the head is read and takes the request's server's. The core enforces the
 * deadline each stage sets (c->read_deadline) in every read, and, under the event MPM, in
 * the wait for the rest of a head; a head that runs out is answered 408 as httpd answers
 * it, a body that runs out fails its reader with 408. */
#include <apr_strings.h>

#include "kiva.h"
#include "reqtimeout_conf.h"

extern kv_module_t reqtimeout_module;

static void *create_server_conf(apr_pool_t *p, kv_server_t *s)
{
    reqtimeout_conf_t *conf = apr_palloc(p, sizeof(*conf));

    (void)s;
    reqtimeout_conf_init(conf);
    return conf;
}

static void *merge_server_conf(apr_pool_t *p, void *basev, void *addv)
{
    reqtimeout_conf_t *conf = apr_palloc(p, sizeof(*conf));

    reqtimeout_conf_merge(basev, addv, conf);
    return conf;
}

static const char *set_request_read_timeout(kv_cmd_parms_t *cmd, void *mconfig, int argc,
                                            const char *const *argv)
{
    for (int i = 0; i < argc; i++) {
        const char *err = reqtimeout_parse_arg(cmd->pool, argv[i], mconfig);

        if (err) {
            return err;
        }
    }
    return NULL;
}

static const reqtimeout_conf_t *conf_of(const kv_server_t *s)
{
    return kv_get_module_config(s->module_config, &reqtimeout_module);
}

/* The header stage begins with the head, or once a TLS handshake the head waits for has
 * ended. */
static void header_stage(kv_conn_t *c)
{
    const reqtimeout_conf_t *conf = conf_of(c->base_server);

    reqtimeout_deadline(reqtimeout_stage(&conf->header, &reqtimeout_defaults.header), "header",
                        apr_time_now(), &c->read_deadline);
}

/* A connection's first head waits for the TLS handshake: that is the handshake stage, as
 * httpd 2.4.39's, off by default (then only Timeout bounds each read of the handshake). */
static void head_begins(kv_conn_t *c)
{
    const reqtimeout_conf_t *conf = conf_of(c->base_server);

    if (!c->handshaking) {
        header_stage(c);
        return;
    }
    reqtimeout_deadline(reqtimeout_stage(&conf->handshake, &reqtimeout_defaults.handshake),
                        "handshake", apr_time_now(), &c->read_deadline);
}

/* A TLS connection whose handshake runs before any head (mod_ssl drives it so that ALPN
 * can choose the protocol) gets the handshake stage from the start. */
static int handshake_stage(kv_conn_t *c, void *csd)
{
    (void)csd;
    if (c->handshaking) {
        head_begins(c);
    }
    return KV_OK;
}

/* As httpd, a CONNECT request's body (a tunnel) has no deadline. */
static int body_stage(kv_request_t *r)
{
    const reqtimeout_conf_t *conf = conf_of(r->server);
    static const reqtimeout_stage_t none = {0, 0, 0};
    const reqtimeout_stage_t *st = r->method_number == KV_M_CONNECT
                                       ? &none
                                       : reqtimeout_stage(&conf->body, &reqtimeout_defaults.body);

    reqtimeout_deadline(st, "body", apr_time_now(), &r->connection->read_deadline);
    return KV_DECLINED;
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    kv_hook_pre_connection(handshake_stage, NULL, NULL, KV_HOOK_LAST); /* after mod_ssl's */
    kv_hook_pre_read_request(head_begins, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_handshake_done(header_stage, NULL, NULL, KV_HOOK_MIDDLE);
    kv_hook_post_read_request(body_stage, NULL, NULL, KV_HOOK_FIRST);
}

static const kv_command_t reqtimeout_commands[] = {
    {"RequestReadTimeout", set_request_read_timeout, NULL, 1, -1, KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "[handshake=]... [header=]... [body=]...: timeout[-maxtimeout][,MinRate=bytes/s] in "
     "seconds for reading a request head and body (0 disables a stage)"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t reqtimeout_module = {
    KV_MODULE_HEADER("reqtimeout"),
    .create_server_config = create_server_conf,
    .merge_server_config = merge_server_conf,
    .commands = reqtimeout_commands,
    .register_hooks = register_hooks,
};
