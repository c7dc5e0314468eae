/* mod_status: `SetHandler server-status` shows the scoreboard as an HTML page, as httpd's
 * `?auto` lines, or as Prometheus metrics (`?prometheus`). */
#include <string.h>

#include <apr_file_io.h>
#include <apr_strings.h>
#include <openssl/evp.h>

#include "kiva.h"
#include "kv_log.h"
#include "kv_mpm.h"
#include "kv_scoreboard.h"
#include "status_format.h"

#define KV_LOG_MODULE "status"

#ifndef KV_VERSION
#define KV_VERSION "unknown"
#endif

#define STATUS_HANDLER "server-status"

extern kv_module_t status_module;

/* Per-server: ExtendedStatus. */
typedef struct {
    int extended;
} status_server_conf_t;

/* The running generation's configuration fingerprint; children inherit it at fork. */
static char config_sha256[65];

static void *create_server_conf(apr_pool_t *p, kv_server_t *s)
{
    status_server_conf_t *conf = apr_palloc(p, sizeof(*conf));

    (void)s;
    conf->extended = KV_UNSET_INT;
    return conf;
}

static void *merge_server_conf(apr_pool_t *p, void *basev, void *addv)
{
    const status_server_conf_t *base = basev, *add = addv;
    status_server_conf_t *conf = apr_palloc(p, sizeof(*conf));

    conf->extended = add->extended != KV_UNSET_INT ? add->extended : base->extended;
    return conf;
}

/* ---- The configuration's fingerprint --------------------------------------------------- */

static apr_status_t hash_file(EVP_MD_CTX *md, const char *path, apr_pool_t *p)
{
    apr_file_t *f;
    char buf[8192];
    apr_status_t rv = apr_file_open(&f, path, APR_FOPEN_READ, APR_FPROT_OS_DEFAULT, p);

    if (rv != APR_SUCCESS) {
        return rv;
    }
    do {
        apr_size_t n = sizeof(buf);

        rv = apr_file_read(f, buf, &n);
        EVP_DigestUpdate(md, buf, n);
    } while (rv == APR_SUCCESS);
    apr_file_close(f);
    return APR_STATUS_IS_EOF(rv) ? APR_SUCCESS : rv;
}

/* Every file the generation read, in order, into one SHA-256 (libcrypto's EVP, as mod_ssl
 * uses). The files are read again here: an edit between reading and hashing gives a
 * fingerprint of the newer text. */
static int fingerprint_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                              kv_server_t *s)
{
    const apr_array_header_t *files = kv_config_files_read();
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    (void)pconf;
    (void)plog;
    config_sha256[0] = '\0';
    if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
        kv_log_error(KV_LOG_MARK, KV_LOG_WARNING, 0, s,
                     "KV01470: libcrypto has no SHA-256: the configuration has no fingerprint");
        EVP_MD_CTX_free(md);
        return KV_OK;
    }
    for (int i = 0; files && i < files->nelts; i++) {
        const char *path = APR_ARRAY_IDX(files, i, const char *);
        apr_status_t rv = hash_file(md, path, ptemp);

        if (rv != APR_SUCCESS) {
            kv_log_error(KV_LOG_MARK, KV_LOG_WARNING, rv, s,
                         "KV00940: could not read %s again for the configuration's SHA-256", path);
        }
    }
    EVP_DigestFinal_ex(md, digest, &len);
    EVP_MD_CTX_free(md);
    for (unsigned int i = 0; i < len; i++) {
        apr_snprintf(config_sha256 + 2 * i, 3, "%02x", digest[i]);
    }
    return KV_OK;
}

/* ---- The handler ------------------------------------------------------------------------ */

/* The pages by name, and their types; the first is the default. */
static const struct {
    const char *arg;
    const char *content_type;
    status_formatter_t format;
} pages[] = {
    {NULL, "text/html; charset=ISO-8859-1", status_format_html},
    {"auto", "text/plain; charset=ISO-8859-1", status_format_auto},
    {"prometheus", "text/plain; version=0.0.4", status_format_prometheus},
};

/* Which page the query asks for: a word such as httpd's `auto` among `&`- or `;`-separated
 * words; the last one named wins. */
static int requested_page(apr_pool_t *p, const char *args)
{
    char *copy, *last, *word;
    int page = 0;

    if (!args) {
        return 0;
    }
    copy = apr_pstrdup(p, args);
    for (word = apr_strtok(copy, "&;", &last); word; word = apr_strtok(NULL, "&;", &last)) {
        for (int i = 1; i < (int)(sizeof(pages) / sizeof(pages[0])); i++) {
            if (strcmp(word, pages[i].arg) == 0) {
                page = i;
            }
        }
    }
    return page;
}

static int is_extended(const kv_request_t *r)
{
    const status_server_conf_t *conf =
        kv_get_module_config(r->server->module_config, &status_module);

    /* Loading mod_status turns ExtendedStatus on unless configured, as in httpd 2.4. */
    return !conf || conf->extended != 0;
}

/* Copy the scoreboard so every figure on the page comes from one moment. */
static void take_snapshot(kv_request_t *r, status_snapshot_t *snap)
{
    int procs = kv_scoreboard_server_limit(), threads = kv_scoreboard_thread_limit();
    status_worker_t *workers = apr_pcalloc(r->pool, sizeof(*workers) * (procs * threads + 1));
    const char *mpm = kv_run_mpm_get_name();

    memset(snap, 0, sizeof(*snap));
    for (int i = 0; i < procs; i++) {
        const kv_sb_process_t *proc = kv_scoreboard_process(i);

        if (proc->pid != 0) {
            snap->conns_total += proc->conns_total;
            snap->conns_keepalive += proc->conns_keepalive;
            snap->conns_writing += proc->conns_writing;
            snap->conns_closing += proc->conns_closing;
        }
        for (int t = 0; t < threads; t++) {
            const kv_sb_worker_t *w = kv_scoreboard_worker(i, t);
            status_worker_t *out = &workers[i * threads + t];

            out->pid = proc->pid;
            out->generation = proc->generation;
            out->status = w->status;
            out->access_count = w->access_count;
            out->bytes_served = w->bytes_served;
            out->client = apr_pstrndup(r->pool, w->client, sizeof(w->client));
            out->request = apr_pstrndup(r->pool, w->request, sizeof(w->request));
        }
    }
    snap->async = kv_mpm_query(KV_MPMQ_IS_ASYNC) == 1;
    snap->host = r->server->server_hostname ? r->server->server_hostname : "";
    snap->version = "kiva/" KV_VERSION " (Unix)";
    snap->mpm = mpm ? mpm : "unknown";
    snap->built = __DATE__ " " __TIME__;
    snap->now = apr_time_now();
    snap->restart_time = kv_scoreboard_restart_time();
    snap->start_time = kv_scoreboard_start_time();
    snap->generation = kv_my_generation + 1;
    for (int k = 0; k < KV_SB_RESTART_KINDS; k++) {
        snap->restarts[k] = kv_scoreboard_restarts((kv_sb_restart_kind_t)k);
    }
    kv_scoreboard_retired(&snap->retired_accesses, &snap->retired_bytes);
    snap->config_sha256 = config_sha256;
    snap->extended = is_extended(r);
    snap->nworkers = procs * threads;
    snap->workers = workers;
}

static int is_status_request(const kv_request_t *r)
{
    return r->handler && strcmp(r->handler, STATUS_HANDLER) == 0;
}

static int status_handler(kv_request_t *r)
{
    status_snapshot_t snap;
    apr_bucket_brigade *bb;
    int status, page;

    if (!is_status_request(r)) {
        return KV_DECLINED;
    }
    if ((status = kv_check_methods(r, KV_METHOD_BIT(KV_M_GET))) != KV_OK) {
        return status;
    }
    if ((status = kv_discard_body(r)) != KV_OK) {
        return status;
    }
    take_snapshot(r, &snap);
    page = requested_page(r->pool, r->args);
    bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    r->content_type = pages[page].content_type;
    pages[page].format(&snap, r->pool, bb);
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(bb->bucket_alloc));
    kv_pass_brigade(r->output_filters, bb);
    return KV_DONE;
}

static void register_hooks(apr_pool_t *p)
{
    kv_hook_post_config(fingerprint_config, NULL, NULL, KV_HOOK_MIDDLE);
    kv_register_handler_name(p, STATUS_HANDLER);
    kv_hook_handler(status_handler, NULL, NULL, KV_HOOK_MIDDLE);
}

static const kv_command_t status_commands[] = {
    {"ExtendedStatus", kv_set_flag_slot, KV_OFFSET(status_server_conf_t, extended), 1, 1,
     KV_CTX_MAIN, KV_CMD_SERVER_CONF,
     "On|Off: show totals and the per-worker table in server-status (On with mod_status)"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t status_module = {
    KV_MODULE_HEADER("status"),
    .create_server_config = create_server_conf,
    .merge_server_config = merge_server_conf,
    .commands = status_commands,
    .register_hooks = register_hooks,
};
