/* The core module's config constructors and directive handlers, one file per area, that
 * its record and table (core.c) name. Internal to the core. */
#ifndef KV_CORE_DIRECTIVES_H
#define KV_CORE_DIRECTIVES_H

#include "kv_config.h"

/* core_config.c: the core's records, as httpd creates and merges them. */
void *kv_core_create_server_config(apr_pool_t *p, kv_server_t *s);
void *kv_core_merge_server_config(apr_pool_t *p, void *basev, void *addv);
void *kv_core_create_dir_config(apr_pool_t *p, const char *dir);
void *kv_core_merge_dir_config(apr_pool_t *p, void *basev, void *addv);

/* Every handler below is a kv_cmd_func. */
#define KV_CORE_CMD(name)                                                                          \
    const char *name(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)

/* core_set_server.c: the server's names. */
KV_CORE_CMD(kv_cmd_server_name);
KV_CORE_CMD(kv_cmd_document_root);
KV_CORE_CMD(kv_cmd_server_admin);
KV_CORE_CMD(kv_cmd_server_tokens);
KV_CORE_CMD(kv_cmd_access_file_name);

/* core_set_log.c: logging. */
KV_CORE_CMD(kv_cmd_error_log);
KV_CORE_CMD(kv_cmd_log_level);

/* core_set_dir.c: per-directory settings of requests and responses. */
KV_CORE_CMD(kv_cmd_limit_req_body);
KV_CORE_CMD(kv_cmd_hostname_lookups);
KV_CORE_CMD(kv_cmd_use_canonical_name);
KV_CORE_CMD(kv_cmd_server_signature);
KV_CORE_CMD(kv_cmd_file_etag);
KV_CORE_CMD(kv_cmd_default_charset);

/* core_options.c: Options and overrides. */
KV_CORE_CMD(kv_cmd_options);
KV_CORE_CMD(kv_cmd_allow_override);
KV_CORE_CMD(kv_cmd_allow_override_list);

/* core_listen.c: listeners. */
KV_CORE_CMD(kv_cmd_listen);
KV_CORE_CMD(kv_cmd_accept_filter);

#endif
