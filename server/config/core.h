/* The core module's configuration. Internal to the core. */
#ifndef KV_CORE_H
#define KV_CORE_H

#include "kv_config.h"
#include "kv_http.h"
#include "kv_listen.h"
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
    const char *server_admin;         /**< ServerAdmin, NULL if not set */
    int server_tokens;                /**< ServerTokens (main server): KV_TOKENS_*, or unset */
    const char *banner;               /**< the Server field ServerTokens makes, once read */
    apr_array_header_t *access_file_names; /**< AccessFileName; NULL: .htaccess. No such
                                            * file is read yet: see htaccess.h */
} kv_core_server_conf_t;


/** FileETag bits. */
enum { KV_ETAG_INODE = 1, KV_ETAG_MTIME = 2, KV_ETAG_SIZE = 4, KV_ETAG_ALL = 7 };
/** httpd 2.4's default FileETag: MTime Size. */
#define KV_ETAG_DEFAULT (KV_ETAG_MTIME | KV_ETAG_SIZE)

/** A FileETag line, or what a section inherits. */
typedef struct {
    int bits;   /**< KV_ETAG_* in force (0 = None), KV_UNSET_INT if only +/- were given */
    int add;    /**< +keywords, applied to the enclosing section's */
    int remove; /**< -keywords */
} kv_etag_conf_t;

/** Parse FileETag's arguments: keywords INode, MTime, Size, All, None (alone), all with or
 * all without + or -. NULL with @a out set, or the error. */
const char *kv_parse_file_etag(apr_pool_t *p, int argc, const char *const *argv,
                               kv_etag_conf_t *out);

/** The KV_ETAG_* bits @a c stands for (unset: MTime Size, with its +/- applied). */
int kv_etag_effective(const kv_etag_conf_t *c);

/** @a add over @a base into @a conf, as sections merge (+/- relative to @a base). */
void kv_etag_merge(kv_etag_conf_t *conf, const kv_etag_conf_t *base, const kv_etag_conf_t *add);

/** The ETag of a file (quotes included) made of the parts in @a bits, in httpd's form
 * `"inode-size-mtime"` (hex); NULL for none (FileETag None). In @a p. */
const char *kv_make_etag(apr_pool_t *p, int bits, const apr_finfo_t *finfo);

/** Per-directory settings of the core. */
typedef struct {
    apr_off_t limit_req_body; /**< LimitRequestBody; -1 unset, 0 unlimited */
    int opts;                 /**< Options in force, KV_UNSET_INT if never set */
    int opts_add;             /**< +Option of a relative Options line */
    int opts_remove;          /**< -Option of a relative Options line */
    apr_hash_t *error_docs;   /**< ErrorDocument: status (int) -> text, local URL or URL */
    const char *handler;      /**< SetHandler, lower-case; KV_HANDLER_NONE; NULL unset */
    const char *forced_type;  /**< ForceType, lower-case; KV_HANDLER_NONE; NULL unset */
    int hostname_lookups;     /**< HostnameLookups (KV_LOOKUPS_*), KV_UNSET_INT if not set */
    int use_canonical_name;   /**< UseCanonicalName: KV_CANONICAL_*, KV_UNSET_INT if not set */
    int use_canonical_phys_port; /**< UseCanonicalPhysicalPort: 0, 1, KV_UNSET_INT */
    int server_signature;     /**< ServerSignature: KV_SIG_*, KV_UNSET_INT if not set */
    kv_etag_conf_t etag;      /**< FileETag */
    const char *default_charset; /**< AddDefaultCharset: charset, "" for Off, NULL if unset */
    int enable_sendfile;      /**< EnableSendfile: 0, 1, KV_UNSET_INT (Off) */
    int enable_mmap;          /**< EnableMMAP: 0, 1, KV_UNSET_INT (On) */
    apr_array_header_t *if_sections; /**< <If>, <ElseIf>, <Else> (kv_if_section_t *) */
    const char *output_filters; /**< SetOutputFilter: "NAME;NAME", NULL if not set */
    int override;               /**< AllowOverride: KV_OR_* bits, KV_UNSET_INT (None) */
    int override_opts;          /**< AllowOverride Options=: KV_OPT_*, KV_UNSET_INT if not set */
    apr_array_header_t *override_list; /**< AllowOverrideList: names; empty for None; NULL
                                        * if not set */
} kv_core_dir_conf_t;

/** AllowOverride bits, as httpd's groups (0 is None). */
enum {
    KV_OR_LIMIT = 1 << 0,
    KV_OR_OPTIONS = 1 << 1,
    KV_OR_FILEINFO = 1 << 2,
    KV_OR_AUTHCFG = 1 << 3,
    KV_OR_INDEXES = 1 << 4,
    KV_OR_ALL = KV_OR_LIMIT | KV_OR_OPTIONS | KV_OR_FILEINFO | KV_OR_AUTHCFG | KV_OR_INDEXES,
    KV_OR_NONFATAL_OVERRIDE = 1 << 5, /**< Nonfatal=Override */
    KV_OR_NONFATAL_UNKNOWN = 1 << 6,  /**< Nonfatal=Unknown */
    KV_OR_NONFATAL_ALL = KV_OR_NONFATAL_OVERRIDE | KV_OR_NONFATAL_UNKNOWN
};

/** Parse AllowOverride's arguments (httpd's syntax: All, None, AuthConfig, FileInfo, Indexes,
 * Limit, Options[=opt,...], Nonfatal=Override|Unknown|All; None and All replace what stands
 * before them) into @a override (KV_OR_*) and, for Options, @a override_opts (KV_OPT_*; All
 * when no list is given). NULL, or the error. */
const char *kv_parse_allow_override(apr_pool_t *p, int argc, const char *const *argv, int *override,
                                    int *override_opts);

/** Parse AllowOverrideList's arguments: None alone (an empty list), or names of httpd
 * directives, into @a list (const char *). NULL, or the error. */
const char *kv_parse_allow_override_list(apr_pool_t *p, int argc, const char *const *argv,
                                         apr_array_header_t **list);

/** SetHandler None and ForceType None: set, and meaning nothing is forced. */
extern const char kv_handler_none[];
#define KV_HANDLER_NONE kv_handler_none

/** SetHandler's and ForceType's handler; info is the field's offset (core_handler.c). */
const char *kv_cmd_set_forced(kv_cmd_parms_t *cmd, void *conf, int argc,
                              const char *const *argv);

/** The core's first fixup: ForceType and SetHandler win over what type_checker chose. */
int kv_core_override_type(kv_request_t *r);

/** KV_OK when the default handler may serve @a r's file; else 500, logged, because
 * r->handler names a handler no module answered (the file is never sent instead). */
int kv_refuse_unhandled(kv_request_t *r);

/** Add a warning to @a warnings for each SetHandler or AddHandler that names a handler no
 * loaded module claimed (kv_register_handler_name). */
void kv_handler_names_check(apr_pool_t *pconf, apr_array_header_t *warnings);

/** <Limit> and <LimitExcept>'s handler (info: non-NULL for <LimitExcept>), limit.c. */
const char *kv_cmd_limit(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv);

/** ServerSignature values (On and Off as a flag's). */
enum { KV_SIG_OFF = 0, KV_SIG_ON = 1, KV_SIG_EMAIL = 2 };

/** ServerTokens values, fewest words first. */
enum { KV_TOKENS_PROD, KV_TOKENS_MAJOR, KV_TOKENS_MINOR, KV_TOKENS_MIN, KV_TOKENS_OS,
       KV_TOKENS_FULL };

/** AddDefaultCharset On's charset, as httpd's. */
#define KV_DEFAULT_CHARSET "iso-8859-1"

/** @a type with "; charset=@a charset" added when it is text/plain or text/html and names no
 * charset (AddDefaultCharset); @a type itself otherwise, or when @a charset is NULL or "". */
const char *kv_add_default_charset(apr_pool_t *p, const char *type, const char *charset);

/** ServerAdmin when none is set, as httpd's. */
#define KV_DEFAULT_ADMIN "[no address given]"

/** ServerTokens' argument (Prod, ProductOnly, Major, Minor, Min, Minimal, OS, Full; any case)
 * as KV_TOKENS_*; 0, or -1 if it is none of them. This and the two below: server_tokens.c. */
int kv_parse_server_tokens(const char *arg, int *tokens);

/** The banner ServerTokens @a tokens makes of kiva's @a version ("1.2.3"): kiva, kiva/1,
 * kiva/1.2, kiva/1.2.3, kiva/1.2.3 (Unix) (OS and Full). In @a p. */
const char *kv_format_banner(apr_pool_t *p, int tokens, const char *version);

/** kv_format_banner() of this build's version; @a tokens may be KV_UNSET_INT (Full). */
const char *kv_build_banner(apr_pool_t *p, int tokens);

/** UseCanonicalName values (On and Off as a flag's). */
enum { KV_CANONICAL_OFF = 0, KV_CANONICAL_ON = 1, KV_CANONICAL_DNS = 2 };

/** ErrorDocument's handler. */
const char *kv_cmd_error_document(kv_cmd_parms_t *cmd, void *conf, int argc,
                                  const char *const *argv);

/** The ErrorDocument configured for @a status in @a r's sections, or NULL. */
const char *kv_error_document(const kv_request_t *r, int status);

/** httpd 2.4's default Options. */
#define KV_DEFAULT_OPTIONS KV_OPT_SYM_LINKS


/** Default ListenBacklog, as httpd's. */
#define KV_DEFAULT_LISTEN_BACKLOG 511
/** Default LimitRequestBody, as httpd 2.4.54 and later: 1 GiB. */
#define KV_DEFAULT_LIMIT_REQ_BODY ((apr_off_t)1 << 30)

/** The core's per-server config of @a s. */
kv_core_server_conf_t *kv_core_sconf(const kv_server_t *s);

/** HostnameLookups in force for @a r (KV_LOOKUPS_*, remote_host.h). */
int kv_hostname_lookups(const kv_request_t *r);

/** LimitRequestBody in force for @a r (0 = unlimited). */
apr_off_t kv_limit_req_body(const kv_request_t *r);


/** The core's translate_name: the URI below DocumentRoot (core_map.c). */
int kv_core_translate(kv_request_t *r);

/** The core's map_to_storage: stat the file, split off path info (core_map.c). */
int kv_core_map_to_storage(kv_request_t *r);

/** The core's fixup that adds SetOutputFilter's filters to @a r's chain (core_filters.c). */
int kv_core_insert_filters(kv_request_t *r);

/** The default handler: serves a file to GET, HEAD and POST (whose body it drops); the HTTP
 * module (http_core.c) registers it as the last handler. */
int kv_default_handler(kv_request_t *r);

/** Does TraceEnable let @a r's server answer TRACE (http_core.c)? */
int kv_trace_enabled(const kv_request_t *r);

/** The HTTP/1 connection loop (http_connection.c): reads requests from @a c and serves them
 * while keep-alive allows (http_core.c's process_connection hook). */
int kv_http_process_connection(kv_conn_t *c);

/** Fill in the generation's defaults after the config has been read. */
const char *kv_core_finish_config(apr_pool_t *pconf, kv_server_t *s);

#endif
