/* The core module's configuration. Internal to the core. */
#ifndef KV_CORE_H
#define KV_CORE_H

#include "kv_config.h"
#include "kv_http.h"
#include "sections.h"

/** Per-server settings of the core that are not in kv_server_t itself. */
typedef struct {
    const char *document_root;        /**< DocumentRoot, absolute, no trailing slash */
    const char *error_log;            /**< ErrorLog, absolute */
    apr_array_header_t *listen_specs; /**< Listen arguments, as kv_listen_spec_t */
    int listen_backlog;               /**< ListenBacklog, KV_UNSET_INT if not set */
    int send_buffer_size;             /**< SendBufferSize, 0 = system default */
    int receive_buffer_size;          /**< ReceiveBufferSize, 0 = system default */
    apr_table_t *accept_filters;      /**< AcceptFilter: protocol -> filter, lower-case */
    kv_sections_t sections;           /**< <Directory>, <Files>, <Location> and Match forms */
    apr_array_header_t *vhost_addrs;  /**< a virtual host's addresses (kv_vhost_addr_t) */
    apr_array_header_t *aliases;      /**< ServerAlias names and patterns, lower-case */
} kv_core_server_conf_t;


/** Per-directory settings of the core. */
typedef struct {
    apr_off_t limit_req_body; /**< LimitRequestBody; -1 unset, 0 unlimited */
    int opts;                 /**< Options in force, KV_UNSET_INT if never set */
    int opts_add;             /**< +Option of a relative Options line */
    int opts_remove;          /**< -Option of a relative Options line */
    apr_hash_t *error_docs;   /**< ErrorDocument: status (int) -> text, local URL or URL */
    const char *output_filters; /**< SetOutputFilter: "NAME;NAME", NULL if not set */
} kv_core_dir_conf_t;

/** ErrorDocument's handler. */
const char *kv_cmd_error_document(kv_cmd_parms_t *cmd, void *conf, int argc,
                                  const char *const *argv);

/** The ErrorDocument configured for @a status in @a r's sections, or NULL. */
const char *kv_error_document(const kv_request_t *r, int status);

/** httpd 2.4's default Options. */
#define KV_DEFAULT_OPTIONS KV_OPT_SYM_LINKS


/** One Listen directive. */
typedef struct {
    const char *addr; /**< host part, NULL for every address */
    apr_port_t port;  /**< port */
    const char *text; /**< as written */
    const char *protocol; /**< named on the line, else https for port 443, else http */
} kv_listen_spec_t;

/** Does AcceptFilter ask the kernel to hand over @a protocol's connections only once the
 * client has sent something? httpd's default on Linux ("data") unless it says "none". */
int kv_accept_filter_defers(const kv_core_server_conf_t *sconf, const char *protocol);

/** Default ListenBacklog, as httpd's. */
#define KV_DEFAULT_LISTEN_BACKLOG 511
/** Default LimitRequestBody, as httpd 2.4.54 and later: 1 GiB. */
#define KV_DEFAULT_LIMIT_REQ_BODY ((apr_off_t)1 << 30)

/** The core's per-server config of @a s. */
kv_core_server_conf_t *kv_core_sconf(const kv_server_t *s);

/** LimitRequestBody in force for @a r (0 = unlimited). */
apr_off_t kv_limit_req_body(const kv_request_t *r);


/** The core's translate_name: the URI below DocumentRoot. */
int kv_core_translate(kv_request_t *r);

/** The core's map_to_storage: stat the file, split off path info. */
int kv_core_map_to_storage(kv_request_t *r);

/** The core's fixup that adds SetOutputFilter's filters to @a r's chain (filters.c). */
int kv_core_insert_filters(kv_request_t *r);

/** The default handler: serves a file to GET, HEAD and POST (whose body it drops). */
int kv_default_handler(kv_request_t *r);

/** Does TraceEnable let @a r's server answer TRACE (http_core.c)? */
int kv_trace_enabled(const kv_request_t *r);

/** The HTTP protocol handler: reads requests from @a c and serves them while keep-alive
 * allows (the core's process_connection hook). */
int kv_http_process_connection(kv_conn_t *c);

/** Fill in the generation's defaults after the config has been read. */
const char *kv_core_finish_config(apr_pool_t *pconf, kv_server_t *s);

#endif
