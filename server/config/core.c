/* The core module: its record, its directive table (the handlers live in core_*.c, one
 * file per area) and its place in the request hooks. */
#include "config_if.h"
#include "config_mutex.h"
#include "config_walk.h"
#include "core.h"
#include "core_directives.h"
#include "if_sections.h"
#include "module.h"
#include "sections.h"
#include "vhost.h"

/* Fields of the server record (kv_server_t), which virtual hosts inherit. */
#define SERVER_NUMBER(f, min, max) KV_SERVER_SLOT(f, KV_UNIT_NUMBER, min, max)
/* A time of the server record, up to kv_parse_timeout's year. */
#define SERVER_TIME(f) KV_SERVER_SLOT(f, KV_UNIT_SECONDS, 0, 365 * 24 * 3600)
/* The Listen options, of the core's server config. */
#define LISTEN_SLOT(f, min, max) KV_SLOT(kv_core_server_conf_t, f, KV_UNIT_NUMBER, min, max)
/* Per-directory fields of the core's config, for the slot setters. */
#define DIR_FIELD(f) KV_OFFSET(kv_core_dir_conf_t, f)

static const char *set_read_time_done(kv_cmd_parms_t *cmd, void *conf, int argc,
                                      const char *const *argv)
{
    /* ServerRoot, Define and UnDefine took effect while the file was read. */
    (void)cmd;
    (void)conf;
    (void)argc;
    (void)argv;
    return NULL;
}

static const kv_command_t core_commands[] = {
    {"ServerRoot", set_read_time_done, NULL, 1, 1, KV_CTX_MAIN, 0,
     "directory: the base of relative paths"},
    {"Define", set_read_time_done, NULL, 1, 2, KV_CTX_ALL, 0, "NAME [value]: define a variable"},
    {"UnDefine", set_read_time_done, NULL, 1, 1, KV_CTX_ALL, 0, "NAME: undefine a variable"},
    {"LoadModule", kv_cmd_load_module, NULL, 2, 2, KV_CTX_MAIN, 0,
     "NAME_module path/to/mod_NAME.so: load a module"},
    {"DefaultRuntimeDir", kv_cmd_default_runtime_dir, NULL, 1, 1, KV_CTX_MAIN, 0,
     "directory: where runtime files such as lock files go (default: logs)"},
    {"Mutex", kv_cmd_mutex, NULL, 1, -1, KV_CTX_MAIN, 0,
     "mechanism [default|mpm-accept] ... [OmitPID]: how (and for a file, where) mutexes lock"},
    {"Listen", kv_cmd_listen, NULL, 1, 2, KV_CTX_MAIN, KV_CMD_SERVER_CONF,
     "[address:]port [http]: an address to accept connections on"},
    {"AcceptFilter", kv_cmd_accept_filter, NULL, 2, 2, KV_CTX_MAIN, KV_CMD_SERVER_CONF,
     "protocol filter: data (the default) hands a connection over once the client has sent "
     "something; none at once"},
    {"ListenBacklog", kv_set_bounded_slot, LISTEN_SLOT(listen_backlog, 1, 65535), 1, 1, KV_CTX_MAIN,
     KV_CMD_SERVER_CONF, "N: length of the pending connections queue"},
    {"SendBufferSize", kv_set_bounded_slot, LISTEN_SLOT(send_buffer_size, 0, 1 << 26), 1, 1,
     KV_CTX_MAIN, KV_CMD_SERVER_CONF, "bytes: TCP send buffer size (0 = system default)"},
    {"ReceiveBufferSize", kv_set_bounded_slot, LISTEN_SLOT(receive_buffer_size, 0, 1 << 26), 1, 1,
     KV_CTX_MAIN, KV_CMD_SERVER_CONF, "bytes: TCP receive buffer size (0 = system default)"},
    {"ServerName", kv_cmd_server_name, NULL, 1, 1, KV_CTX_SERVER, 0,
     "[scheme://]host[:port]: the name the server uses for itself"},
    {"DocumentRoot", kv_cmd_document_root, NULL, 1, 1, KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "directory: root of the document tree"},
    {"ErrorLog", kv_cmd_error_log, NULL, 1, 1, KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "file: where errors are logged"},
    {"LogLevel", kv_cmd_log_level, NULL, 1, -1, KV_CTX_SERVER, 0,
     "level [module:level]...: how much the error log says"},
    {"Timeout", kv_set_bounded_slot, SERVER_TIME(timeout), 1, 1, KV_CTX_SERVER, 0,
     "seconds: how long to wait for a client to read or write"},
    {"KeepAlive", kv_set_bounded_slot, KV_SERVER_SLOT(keep_alive, KV_UNIT_FLAG, 0, 1), 1, 1,
     KV_CTX_SERVER, 0, "On|Off: allow persistent connections"},
    {"KeepAliveTimeout", kv_set_bounded_slot, SERVER_TIME(keep_alive_timeout), 1, 1, KV_CTX_SERVER,
     0, "seconds: how long an idle persistent connection waits for a request"},
    {"MaxKeepAliveRequests", kv_set_bounded_slot, SERVER_NUMBER(keep_alive_max, 0, 1 << 30), 1, 1,
     KV_CTX_SERVER, 0, "N: requests per persistent connection (0 = unlimited)"},
    {"LimitRequestLine", kv_set_bounded_slot, SERVER_NUMBER(limit_req_line, 1, 1 << 20), 1, 1,
     KV_CTX_SERVER, 0, "bytes: longest request line"},
    {"LimitRequestFieldSize", kv_set_bounded_slot, SERVER_NUMBER(limit_req_fieldsize, 1, 1 << 20),
     1, 1, KV_CTX_SERVER, 0, "bytes: longest request header field"},
    {"LimitRequestFields", kv_set_bounded_slot, SERVER_NUMBER(limit_req_fields, 0, 32767), 1, 1,
     KV_CTX_SERVER, 0, "N: most request header fields (0 = unlimited)"},
    {"LimitRequestBody", kv_cmd_limit_req_body, NULL, 1, 1, KV_CTX_ALL, 0,
     "bytes: largest request body (0 = unlimited)"},
    {"<IfModule", kv_cmd_ifmodule, NULL, 1, 1, KV_CTX_ALL, 0,
     "[!]module_name> ... </IfModule>: only if the module is (not) loaded"},
    {"<IfFile", kv_cmd_if_condition, KV_IF_FILE, 1, 1, KV_CTX_ALL, 0,
     "[!]path> ... </IfFile>: only if the file exists (relative to ServerRoot)"},
    {"<IfDirective", kv_cmd_if_condition, KV_IF_DIRECTIVE, 1, 1, KV_CTX_ALL, 0,
     "[!]name> ... </IfDirective>: only if a loaded module has the directive"},
    {"<IfSection", kv_cmd_if_condition, KV_IF_SECTION, 1, 1, KV_CTX_ALL, 0,
     "[!]name> ... </IfSection>: only if a loaded module has the section <name>"},
    {"<Directory", kv_cmd_section, KV_SEC_INFO(KV_SEC_DIRECTORY, 0), 1, 2, KV_CTX_SERVER, 0,
     "directory> ... </Directory>: directives for a directory and everything below it"},
    {"<DirectoryMatch", kv_cmd_section, KV_SEC_INFO(KV_SEC_DIRECTORY, 1), 1, 1, KV_CTX_SERVER, 0,
     "regex> ... </DirectoryMatch>: directives for directories matching a regex"},
    {"<Files", kv_cmd_section, KV_SEC_INFO(KV_SEC_FILES, 0), 1, 2, KV_CTX_ALL, 0,
     "pattern> ... </Files>: directives for file names matching a wildcard"},
    {"<FilesMatch", kv_cmd_section, KV_SEC_INFO(KV_SEC_FILES, 1), 1, 1, KV_CTX_ALL, 0,
     "regex> ... </FilesMatch>: directives for file names matching a regex"},
    {"<Location", kv_cmd_section, KV_SEC_INFO(KV_SEC_LOCATION, 0), 1, 2, KV_CTX_SERVER, 0,
     "URL-path> ... </Location>: directives for a URL and everything below it"},
    {"<LocationMatch", kv_cmd_section, KV_SEC_INFO(KV_SEC_LOCATION, 1), 1, 1, KV_CTX_SERVER, 0,
     "regex> ... </LocationMatch>: directives for URLs matching a regex"},
    {"<Limit", kv_cmd_limit, NULL, 1, -1, KV_CTX_ALL, 0,
     "<Limit method...>: the access directives inside apply to these methods only"},
    {"<LimitExcept", kv_cmd_limit, "except", 1, -1, KV_CTX_ALL, 0,
     "<LimitExcept method...>: the access directives inside apply to all other methods"},
    {"HostnameLookups", kv_cmd_hostname_lookups, NULL, 1, 1, KV_CTX_ALL, 0,
     "On|Off|Double: look up the client's host name (for %h, REMOTE_HOST); Double also checks "
     "that the name resolves back to the address"},
    {"<If", kv_cmd_if_section, (const void *)KV_IF_COND, 0, -1, KV_CTX_ALL, 0,
     "\"expression\"> ... </If>: directives for the requests the expression holds for"},
    {"<ElseIf", kv_cmd_if_section, (const void *)(KV_IF_COND | KV_IF_ELSE), 0, -1, KV_CTX_ALL, 0,
     "\"expression\"> ... </ElseIf>: as <If>, when the <If> or <ElseIf> before did not apply"},
    {"<Else", kv_cmd_if_section, (const void *)KV_IF_ELSE, 0, -1, KV_CTX_ALL, 0,
     "> ... </Else>: directives for when the <If> or <ElseIf> before did not apply"},
    {"Options", kv_cmd_options, NULL, 1, -1, KV_CTX_ALL, 0,
     "[+|-]None|All|Indexes|Includes|IncludesNOEXEC|FollowSymLinks|SymLinksIfOwnerMatch|"
     "ExecCGI|MultiViews ...: "
     "features of a directory"},
    {"ErrorDocument", kv_cmd_error_document, NULL, 2, 2, KV_CTX_ALL, 0,
     "code text|/local/URL|http://URL|default: what to answer for an error status"},
    {"UseCanonicalName", kv_cmd_use_canonical_name, NULL, 1, 1, KV_CTX_ALL, 0,
     "On|Off|DNS: self-referential URLs and SERVER_NAME from ServerName (On), the Host the "
     "client sent (Off) or the local address's DNS name"},
    {"UseCanonicalPhysicalPort", kv_set_flag_slot, DIR_FIELD(use_canonical_phys_port), 1, 1,
     KV_CTX_ALL, 0,
     "On|Off: the port the connection came in on may stand in self-referential URLs"},
    {"ServerAdmin", kv_cmd_server_admin, NULL, 1, 1, KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "address: e-mail address (or URL) of the administrator, shown on error pages"},
    {"ServerTokens", kv_cmd_server_tokens, NULL, 1, 1, KV_CTX_MAIN, KV_CMD_SERVER_CONF,
     "Prod|Major|Minor|Min|OS|Full: how much the Server field says of kiva"},
    {"ServerSignature", kv_cmd_server_signature, NULL, 1, 1, KV_CTX_ALL, 0,
     "On|Off|EMail: a footer line naming the server on generated pages"},
    {"FileETag", kv_cmd_file_etag, NULL, 1, -1, KV_CTX_ALL, 0,
     "[+|-]INode|MTime|Size|All|None ...: what a file's ETag is made of"},
    {"AddDefaultCharset", kv_cmd_default_charset, NULL, 1, 1, KV_CTX_ALL, 0,
     "On|Off|charset: a charset for text/plain and text/html responses that name none"},
    {"EnableSendfile", kv_set_flag_slot, DIR_FIELD(enable_sendfile), 1, 1, KV_CTX_ALL, 0,
     "On|Off: send files with sendfile(2)"},
    {"EnableMMAP", kv_set_flag_slot, DIR_FIELD(enable_mmap), 1, 1, KV_CTX_ALL, 0,
     "On|Off: read files to be sent by mapping them into memory"},
    {"AccessFileName", kv_cmd_access_file_name, NULL, 1, -1, KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "filename [filename] ...: names of per-directory config files (a request that finds one "
     "where AllowOverride allows something is refused: kiva does not read them yet)"},
    {"SetOutputFilter", kv_set_string_slot, KV_OFFSET(kv_core_dir_conf_t, output_filters), 1, 1,
     KV_CTX_ALL, 0, "filter[;filter]...: output filters for every response of the context"},
    {"AllowOverride", kv_cmd_allow_override, NULL, 1, -1, KV_CTX_DIR, 0,
     "All|None|AuthConfig|FileInfo|Indexes|Limit|Options[=opt,...]|Nonfatal=Override|Unknown|"
     "All ...: what .htaccess files may set (kiva refuses requests that meet one)"},
    {"AllowOverrideList", kv_cmd_allow_override_list, NULL, 1, -1, KV_CTX_DIR, 0,
     "None|directive ...: directives .htaccess files may set (kiva refuses requests that "
     "meet one)"},
    {"<VirtualHost", kv_cmd_virtualhost, NULL, 1, -1, KV_CTX_MAIN, 0,
     "addr[:port] [addr[:port]] ...> ... </VirtualHost>: a virtual host"},
    {"SetHandler", kv_cmd_set_forced, KV_OFFSET(kv_core_dir_conf_t, handler), 1, 1, KV_CTX_ALL, 0,
     "handler-name|None: the handler for every request in this context"},
    {"ForceType", kv_cmd_set_forced, KV_OFFSET(kv_core_dir_conf_t, forced_type), 1, 1, KV_CTX_ALL,
     0, "media-type|None: the Content-Type of every file in this context"},
    {"ServerAlias", kv_cmd_server_alias, NULL, 1, -1, KV_CTX_VHOST, KV_CMD_SERVER_CONF,
     "name [name] ...: more names of a virtual host (wildcards allowed)"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

static void register_core_hooks(apr_pool_t *p)
{
    (void)p;
    kv_hook_translate_name(kv_core_translate, NULL, NULL, KV_HOOK_REALLY_LAST);
    kv_hook_map_to_storage(kv_core_map_to_storage, NULL, NULL, KV_HOOK_REALLY_LAST);
    kv_hook_fixups(kv_core_override_type, NULL, NULL, KV_HOOK_REALLY_FIRST);
    kv_hook_fixups(kv_core_insert_filters, NULL, NULL, KV_HOOK_MIDDLE);
}

kv_module_t core_module = {
    KV_MODULE_HEADER("core"),
    .create_dir_config = kv_core_create_dir_config,
    .merge_dir_config = kv_core_merge_dir_config,
    .create_server_config = kv_core_create_server_config,
    .merge_server_config = kv_core_merge_server_config,
    .commands = core_commands,
    .register_hooks = register_core_hooks,
};
