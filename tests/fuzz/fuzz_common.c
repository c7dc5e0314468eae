/* What the fuzz targets share (see fuzz_common.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sanitizer/common_interface_defs.h>

#include <apr_general.h>
#include <apr_hooks.h>
#include <apr_strings.h>

#include "config_walk.h"
#include "core.h"
#include "fuzz_common.h"
#include "module.h"

void fuzz_broken(const char *what, const char *file, int line)
{
    char msg[512];

    /* Through the sanitizers' report channel: it stays open when libFuzzer runs with
     * -close_fd_mask=2, which silences what the code under test logs to stderr. */
    snprintf(msg, sizeof(msg), "kiva-fuzz: promise broken at %s:%d: %s", file, line, what);
    __sanitizer_report_error_summary(msg);
    abort();
}

apr_pool_t *fuzz_process_pool(void)
{
    static apr_pool_t *root;

    if (root == NULL) {
        apr_initialize();
        apr_pool_create(&root, NULL);
    }
    return root;
}

apr_pool_t *fuzz_input_pool(void)
{
    apr_pool_t *p;

    apr_pool_create(&p, fuzz_process_pool());
    return p;
}

void fuzz_split(apr_pool_t *p, const uint8_t *data, size_t size, const char **first,
                const char **second)
{
    const uint8_t *nul = memchr(data, '\0', size);
    size_t n = nul ? (size_t)(nul - data) : size;

    *first = apr_pstrmemdup(p, (const char *)data, n);
    *second = nul ? apr_pstrmemdup(p, (const char *)nul + 1, size - n - 1) : "";
}

/* The server requests belong to, with the core's configuration (for DOCUMENT_ROOT and the
 * like); made once, in the process pool. */
static kv_server_t *fuzz_server(void)
{
    static kv_server_t *s;
    apr_pool_t *pp = fuzz_process_pool();

    if (s == NULL) {
        apr_hook_global_pool = pp;
        kv_modules_reset();
        s = kv_server_create(pp);
        s->server_hostname = "www.example.com";
        s->port = 8080;
        kv_module_add(pp, &core_module, NULL, s);
        kv_core_sconf(s)->document_root = "/srv/www";
    }
    return s;
}

static apr_sockaddr_t *address(apr_pool_t *p, const char *ip, apr_port_t port)
{
    apr_sockaddr_t *sa = NULL;

    if (apr_sockaddr_info_get(&sa, ip, APR_INET, port, 0, p) != APR_SUCCESS) {
        abort();
    }
    return sa;
}

kv_request_t *fuzz_make_request(apr_pool_t *p, const char *value)
{
    static const char *const fields[] = {"Host",   "Referer",      "User-Agent", "Cookie",
                                         "Accept", "Content-Type", "X-Fuzz"};
    kv_conn_t *c = apr_pcalloc(p, sizeof(*c));
    kv_request_t *r = apr_pcalloc(p, sizeof(*r));

    c->pool = p;
    c->base_server = fuzz_server();
    c->client_ip = "192.0.2.7";
    c->local_ip = "127.0.0.1";
    c->client_addr = address(p, c->client_ip, 52000);
    c->local_addr = address(p, c->local_ip, 8080);
    c->keepalives = 2;
    c->bucket_alloc = apr_bucket_alloc_create(p);
    r->pool = p;
    r->connection = c;
    r->server = c->base_server;
    r->request_time = apr_time_from_sec(1700000000) + 123456;
    r->method = "GET";
    r->method_number = KV_M_GET;
    r->protocol = "HTTP/1.1";
    r->proto_num = KV_HTTP_VERSION(1, 1);
    r->the_request = apr_pstrcat(p, "GET /", value, " HTTP/1.1", NULL);
    r->unparsed_uri = apr_pstrcat(p, "/", value, NULL);
    r->uri = r->unparsed_uri;
    r->args = value;
    r->hostname = value;
    r->user = value;
    r->filename = apr_pstrcat(p, "/srv/www/", value, NULL);
    r->handler = value;
    r->content_type = "text/html";
    r->status = 200;
    r->bytes_sent = 1234;
    r->clength = 1234;
    r->headers_in = apr_table_make(p, 8);
    r->headers_out = apr_table_make(p, 4);
    r->err_headers_out = apr_table_make(p, 4);
    r->subprocess_env = apr_table_make(p, 4);
    r->notes = apr_table_make(p, 4);
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        apr_table_setn(r->headers_in, fields[i], value);
    }
    apr_table_setn(r->headers_out, "X-Fuzz", value);
    apr_table_setn(r->err_headers_out, "X-Fuzz-Error", value);
    apr_table_setn(r->subprocess_env, "FUZZ", value);
    apr_table_setn(r->notes, "fuzz", value);
    return r;
}
