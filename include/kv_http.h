/**
 * @file kv_http.h
 * @brief The server, connection and request records, and the request-phase hooks.
 */
#ifndef KV_HTTP_H
#define KV_HTTP_H

#include <signal.h>

#include <apr_buckets.h>
#include <apr_file_info.h>
#include <apr_hash.h>
#include <apr_network_io.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_time.h>

#include "kv_module.h"

/** HTTP version as one number: 1.1 is 1001. */
#define KV_HTTP_VERSION(major, minor) (1000 * (major) + (minor))

/** Status codes kiva uses by name. */
enum {
    KV_HTTP_CONTINUE = 100,
    KV_HTTP_OK = 200,
    KV_HTTP_NO_CONTENT = 204,
    KV_HTTP_PARTIAL_CONTENT = 206,
    KV_HTTP_MULTIPLE_CHOICES = 300,
    KV_HTTP_MOVED_PERMANENTLY = 301,
    KV_HTTP_MOVED_TEMPORARILY = 302,
    KV_HTTP_NOT_MODIFIED = 304,
    KV_HTTP_BAD_REQUEST = 400,
    KV_HTTP_UNAUTHORIZED = 401,
    KV_HTTP_FORBIDDEN = 403,
    KV_HTTP_NOT_FOUND = 404,
    KV_HTTP_METHOD_NOT_ALLOWED = 405,
    KV_HTTP_NOT_ACCEPTABLE = 406,
    KV_HTTP_REQUEST_TIME_OUT = 408,
    KV_HTTP_LENGTH_REQUIRED = 411,
    KV_HTTP_PRECONDITION_FAILED = 412,
    KV_HTTP_REQUEST_ENTITY_TOO_LARGE = 413,
    KV_HTTP_REQUEST_URI_TOO_LARGE = 414,
    KV_HTTP_RANGE_NOT_SATISFIABLE = 416,
    KV_HTTP_EXPECTATION_FAILED = 417,
    KV_HTTP_MISDIRECTED_REQUEST = 421,
    KV_HTTP_INTERNAL_SERVER_ERROR = 500,
    KV_HTTP_NOT_IMPLEMENTED = 501,
    KV_HTTP_SERVICE_UNAVAILABLE = 503,
    KV_HTTP_VERSION_NOT_SUPPORTED = 505
};

/** Methods kiva knows by number (others are KV_M_OTHER). */
typedef enum { KV_M_GET, KV_M_HEAD, KV_M_POST, KV_M_PUT, KV_M_DELETE, KV_M_OPTIONS,
               KV_M_TRACE, KV_M_CONNECT, KV_M_PATCH, KV_M_OTHER } kv_method_t;

typedef struct kv_conn kv_conn_t;
typedef struct kv_request kv_request_t;
typedef struct kv_filter kv_filter_t;

/** Default Timeout in seconds, as httpd's. */
#define KV_DEFAULT_TIMEOUT_SEC 60
/** Default KeepAliveTimeout in seconds, as httpd's. */
#define KV_DEFAULT_KEEPALIVE_TIMEOUT_SEC 5
/** Default MaxKeepAliveRequests, as httpd's. */
#define KV_DEFAULT_MAX_KEEPALIVE_REQUESTS 100
/** Default LimitRequestLine, as httpd's. */
#define KV_DEFAULT_LIMIT_REQUEST_LINE 8190
/** Default LimitRequestFieldSize, as httpd's. */
#define KV_DEFAULT_LIMIT_REQUEST_FIELDSIZE 8190
/** Default LimitRequestFields, as httpd's. */
#define KV_DEFAULT_LIMIT_REQUEST_FIELDS 100

/** A configured server: the main server (virtual hosts come later). */
struct kv_server {
    apr_pool_t *pool;               /**< the generation's pool (pconf) */
    kv_server_t *next;              /**< next virtual host */
    const char *server_hostname;    /**< ServerName, or the machine's name */
    apr_port_t port;                /**< port of ServerName, 0 if none given */
    const char *defn_name;          /**< file the server was defined in */
    unsigned defn_line;             /**< line it was defined on */
    int is_virtual;                 /**< 1 for a <VirtualHost> */
    void **module_config;           /**< per-server configs, indexed by module */
    void **lookup_defaults;         /**< per-directory configs for the whole server */

    apr_interval_time_t timeout;            /**< Timeout */
    apr_interval_time_t keep_alive_timeout; /**< KeepAliveTimeout */
    int keep_alive;                         /**< KeepAlive */
    int keep_alive_max;                     /**< MaxKeepAliveRequests; 0 = unlimited */
    int limit_req_line;                     /**< LimitRequestLine */
    int limit_req_fieldsize;                /**< LimitRequestFieldSize */
    int limit_req_fields;                   /**< LimitRequestFields */
    int log_level;                          /**< LogLevel */
    apr_hash_t *module_log_levels;          /**< LogLevel module:level, by module name */
    struct kv_log_target *error_log;        /**< where ErrorLog writes */
};

/** Where a connection served by an asynchronous MPM stands (see kv_conn_step). */
typedef enum {
    KV_CONN_STATE_NEW = 0,          /**< accepted, nothing done yet */
    KV_CONN_STATE_PROCESSING,       /**< a thread is serving it */
    KV_CONN_STATE_READ_REQUEST,     /**< waits until readable for (more of) a request head */
    KV_CONN_STATE_WRITE_COMPLETION, /**< response bytes in c->pending: waits until writable */
    KV_CONN_STATE_LINGER,           /**< lingering close: waits until readable */
    KV_CONN_STATE_CLOSED            /**< the socket is closed */
} kv_conn_state_t;

/** A bound on reading the current request head or body, beyond Timeout's bound on each
 * read: mod_reqtimeout's RequestReadTimeout. The core clears it when a head begins (then
 * the pre_read_request hook may set it) and when a request ends. */
typedef struct {
    apr_time_t at;                /**< reading must end by then; 0: no bound */
    apr_time_t max_at;            /**< the latest per_byte may push @a at to; 0: none */
    apr_interval_time_t per_byte; /**< each byte received pushes @a at back this much */
    const char *stage;            /**< "header" or "body", for the error log */
} kv_read_deadline_t;

/** Which readiness of the socket a transport layer needs to go on (kv_conn_t.sense). */
typedef enum {
    KV_CONN_SENSE_DEFAULT,   /**< what the connection's state waits for */
    KV_CONN_SENSE_WANT_READ, /**< the socket readable, whatever the state */
    KV_CONN_SENSE_WANT_WRITE /**< the socket writable, whatever the state */
} kv_conn_sense_t;

/** One client connection. Lives in its own pool. */
struct kv_conn {
    apr_pool_t *pool;               /**< freed when the connection closes */
    kv_server_t *base_server;       /**< server that accepted it */
    apr_socket_t *sock;             /**< the client socket */
    apr_sockaddr_t *local_addr;     /**< our end */
    apr_sockaddr_t *client_addr;    /**< the client's end */
    const char *client_ip;          /**< client address as text */
    const char *local_ip;           /**< local address as text */
    long id;                        /**< unique among live connections */
    apr_bucket_alloc_t *bucket_alloc; /**< for the connection's brigades */
    void **conn_config;             /**< per-connection module data */
    int keepalives;                 /**< requests served so far */
    int aborted;                    /**< the client went away or a write failed */
    int sb_slot;                    /**< scoreboard slot serving it, -1 for none */
    kv_filter_t *output_filters;    /**< connection-level output chain (the network) */
    struct kv_conn_input *input;    /**< bytes read but not yet parsed */
    int async;                      /**< served by an asynchronous MPM (event): the
                                     * connection returns to the MPM instead of waiting */
    kv_conn_state_t state;          /**< under an asynchronous MPM: what it waits for */
    int keepalive;                  /**< another request may follow the last response */
    int input_done;                 /**< the client sends nothing more: it said its last
                                     * request was its last, which was read whole, and
                                     * nothing followed it; closing need not linger */
    apr_bucket_brigade *pending;    /**< response bytes set aside until writable (async) */
    const char *remote_host;        /**< the client's name by reverse DNS, "" if there is
                                     * none; NULL before a lookup (kv_get_remote_host) */
    int double_reverse;             /**< 1: remote_host resolves back to the client's address;
                                     * -1: it does not (or no name); 0: not checked yet */
    apr_off_t bytes_in;             /**< bytes of requests read so far: heads, bodies with
                                     * their framing, a refused head (mod_logio's %I) */
    apr_off_t bytes_out;            /**< bytes handed to the network so far, response heads
                                     * included (mod_logio's %O) */
    kv_read_deadline_t read_deadline; /**< bound on reading the current head or body */
    const volatile sig_atomic_t *child_exiting; /**< the MPM's flag, non-zero once the child
                                                 * serving the connection is finishing: each
                                                 * response then ends it. NULL: never */
    const char *protocol;           /**< the protocol that took the connection in its
                                     * process_connection hook: NULL until one does;
                                     * "http/1.1" for HTTP/1 (ALPN's names) */
    struct kv_transport *transport;   /**< top of the transport stack the protocol reads and
                                       * writes through; the socket is its bottom
                                       * (kv_transport.h) */
    kv_conn_sense_t sense;            /**< set by a transport layer before it answers
                                       * APR_EAGAIN when it needs the other direction to go on
                                       * (TLS's WANT_WRITE during a read): an asynchronous MPM
                                       * then waits for that direction instead of the state's,
                                       * for this one wait */
    int handshaking; /**< a transport layer's handshake (TLS) is under way: set by the layer
                      * when it is pushed, cleared when the handshake ends (then the
                      * handshake_done hook runs) */
};

/** One request, in a pool that is a child of the connection's. */
struct kv_request {
    apr_pool_t *pool;          /**< freed once the request is logged */
    kv_conn_t *connection;     /**< connection it came on */
    kv_server_t *server;       /**< server it is for */
    apr_time_t request_time;   /**< when its first byte was read */

    const char *the_request;   /**< the request line as received */
    const char *method;        /**< method token */
    kv_method_t method_number; /**< method as a number */
    const char *protocol;      /**< "HTTP/1.1" */
    int proto_num;             /**< KV_HTTP_VERSION(1, 1) */
    int header_only;           /**< HEAD: send headers only */
    const char *unparsed_uri;  /**< request target as received */
    const char *uri;           /**< decoded, normalised path */
    const char *args;          /**< query string, NULL if none */
    const char *hostname;      /**< from Host or the absolute-form target, validated,
                                    lower-case, without port, trailing dot or IPv6
                                    brackets; NULL if none */
    const char *user;          /**< authenticated user, NULL if none */

    apr_table_t *headers_in;      /**< request header fields */
    apr_table_t *headers_out;     /**< response header fields */
    apr_table_t *err_headers_out; /**< response fields sent on errors too */
    apr_table_t *subprocess_env;  /**< environment for scripts and logging */
    apr_table_t *notes;           /**< notes between modules */

    int status;                /**< response status */
    const char *status_line;   /**< "404 Not Found" */
    const char *content_type;  /**< Content-Type of the response */
    const char *handler;       /**< handler name, NULL for the default */
    apr_off_t clength;         /**< Content-Length sent, -1 if unknown */
    apr_off_t bytes_sent;      /**< body bytes sent */
    apr_off_t remaining;       /**< request body bytes not yet read */
    apr_time_t mtime;          /**< Last-Modified of the response, 0 if none */

    const char *filename;      /**< file the URI maps to */
    const char *canonical_filename; /**< filename after normalisation */
    const char *path_info;     /**< trailing path past the file */
    apr_finfo_t finfo;         /**< stat of filename; finfo.filetype is APR_NOFILE if absent */

    void **per_dir_config;     /**< merged per-directory config */
    void **request_config;     /**< per-request module data */
    kv_filter_t *output_filters; /**< the response's output chain */
    int eos_sent;              /**< the end of the response went down the chain */
    int close_connection;      /**< the connection closes after this response */
    apr_table_t *trailers_in;  /**< trailer fields of a chunked request body, once read */
    struct kv_body *body;      /**< HTTP/1's framing of the request body (http_body.c);
                                    NULL for a request another protocol built */
    const struct kv_body_source *body_source; /**< where the body comes from: kv_read_body()
                                                   reads it (kv_request.h); NULL: none */
    const struct kv_framing *framing; /**< the protocol filter that frames the response
                                           (kv_request.h) */
    const char *useragent_ip;     /**< the client's address as text: the connection's peer,
                                       or what mod_remoteip found behind trusted proxies;
                                       what every request-level use of the client reads */
    apr_sockaddr_t *useragent_addr; /**< the same as an address (its port 0 when found by
                                         mod_remoteip, whose header carries none) */
};

/**
 * @name The connection and request-phase hooks, in the order they run
 *
 * Two kinds (kv_hooks.h): in a **run-first** hook the functions run in hook order until one
 * returns something other than KV_DECLINED, and that answer is the hook's (KV_DECLINED when
 * all decline). In a **run-all** hook every function runs in order while they return KV_OK or
 * KV_DECLINED; the first other value (KV_DONE or an HTTP status) stops the chain and is the
 * hook's answer. A request phase that answers KV_DONE or an HTTP status ends the phases:
 * for a status the core sends its error response (ErrorDocument or the built-in page),
 * for KV_DONE the response was sent already; log_transaction runs either way.
 *
 * An internal redirect (kv_internal_redirect: a local ErrorDocument, a CGI's local Location,
 * a type map's variant) runs the phases from post_read_request to handler again on a new
 * request; only the request that came in is logged.
 *
 * All of them run in a child process (the one process under -X), in the thread that serves
 * the connection at that moment (under the event MPM that thread may change from one step
 * to the next); they must not block longer than the I/O they do (Timeout bounds it) and
 * allocate from the pool of what they serve (c->pool, r->pool), never with malloc.
 * @{
 */

/** Run-all, per connection, once: the MPM accepted it and kv_create_connection built the
 * record (c->pool, c->conn_config, the network filter), before any byte is read. @a csd is
 * the client's apr_socket_t (also c->sock). A module may set up its per-connection state
 * in c->conn_config or c->pool. It must not read from or write to the socket: the protocol
 * owns it. KV_OK or KV_DECLINED: go on; any other value: the connection is not served
 * (no process_connection) and goes to the lingering close. */
KV_DECLARE_HOOK(int, pre_connection, (kv_conn_t *c, void *csd))

/** Run-first, per connection: choose and serve the protocol (include/kv_connection.h says
 * how a protocol claims a connection and sets c->protocol). The HTTP module
 * (server/http/http_core.c) registers HTTP/1.1 at KV_HOOK_REALLY_LAST, so a module
 * registered earlier may claim the connection by not declining. Under a blocking MPM (c->async 0) it runs once,
 * serves request after request while keep-alive allows and returns; the core then closes
 * with a lingering close. Under an asynchronous MPM (c->async 1, the event MPM) it runs again
 * at each step (kv_conn_step) with c->state saying why (KV_CONN_STATE_PROCESSING for a new
 * connection or after write completion, KV_CONN_STATE_READ_REQUEST once the socket is
 * readable): it must not wait for the client but return with c->state set to what it waits
 * for (READ_REQUEST, WRITE_COMPLETION with bytes in c->pending, or LINGER when done); a
 * function that leaves c->state at PROCESSING ends the connection. So a protocol module must
 * decline at once, at every step, for a connection another protocol serves. KV_OK: served
 * (or stepped); KV_DECLINED: not this module's protocol. */
KV_DECLARE_HOOK(int, process_connection, (kv_conn_t *c))

/** Run-all, per request, first of the phases: the head is read and parsed into @a r, the
 * virtual host is chosen (r->server) and r->per_dir_config holds that server's defaults:
 * no <Location>, <Directory> or <If> is merged yet, r->filename is unset. A module may read
 * and change the request fields (headers_in, useragent_ip as mod_remoteip, notes,
 * subprocess_env), set per-request state in r->request_config, or answer the request itself
 * (OPTIONS * and TRACE are answered here by http_core at KV_HOOK_REALLY_FIRST). The request
 * body is not read yet. */
KV_DECLARE_HOOK(int, post_read_request, (kv_request_t *r))

/** Run-first, per request, after <Location> (and <If>) sections are merged: turn r->uri into
 * r->filename (mod_alias, mod_userdir). KV_OK: translated, the next functions do not run;
 * KV_DECLINED: not this module's URL. The core's own, at KV_HOOK_REALLY_LAST, maps under
 * DocumentRoot (kv_map_uri_to_file); a URL that is not a path is 400 there. */
KV_DECLARE_HOOK(int, translate_name, (kv_request_t *r))

/** Run-first, per request, after translate_name: look the file up (r->finfo, path_info).
 * The core's own, at KV_HOOK_REALLY_LAST, stats r->filename; a module whose resources are
 * not files returns KV_OK to skip that stat. After this phase the core merges <Directory>,
 * <Files> and <If> sections into r->per_dir_config, refuses requests that meet a .htaccess
 * it would have to read, checks symbolic links (Options) and LimitRequestBody. */
KV_DECLARE_HOOK(int, map_to_storage, (kv_request_t *r))

/** Run-all, per request, with the sections merged: access by what the request is, before
 * any user is known (Require ip/host/env/method/expr in mod_authz_core, Order/Allow/Deny in
 * mod_access_compat). KV_OK or KV_DECLINED: allowed so far; a status (403) refuses. */
KV_DECLARE_HOOK(int, access_checker, (kv_request_t *r))

/** Run-first, per request: authentication. A module whose AuthType is in force checks the
 * credentials and sets r->user (KV_OK), or answers KV_HTTP_UNAUTHORIZED with its challenge
 * in r->err_headers_out; KV_DECLINED: not its AuthType. When every function declines the
 * request goes on with no user. mod_authz_core's function at KV_HOOK_REALLY_FIRST answers
 * KV_OK when no Require in force needs a user, so that authentication is skipped. */
KV_DECLARE_HOOK(int, check_user_id, (kv_request_t *r))

/** Run-first, per request: authorization of r->user (Require user/group/valid-user).
 * KV_OK: allowed; KV_DECLINED: not this module's; a status (401, 403) refuses. */
KV_DECLARE_HOOK(int, auth_checker, (kv_request_t *r))

/** Run-first, per request: what the resource is: r->content_type, r->handler, content
 * encoding and language (mod_mime; MultiViews at KV_HOOK_FIRST). KV_OK: decided. */
KV_DECLARE_HOOK(int, type_checker, (kv_request_t *r))

/** Run-all, per request, last before the handler: adjust anything (response header fields,
 * subprocess_env, r->handler) and add the response's output filters (kv_add_output_filter;
 * the core adds SetOutputFilter's here at KV_HOOK_MIDDLE, mod_mime AddOutputFilter's, and the
 * core applies ForceType and SetHandler at KV_HOOK_REALLY_FIRST). */
KV_DECLARE_HOOK(int, fixups, (kv_request_t *r))

/** Run-first, per request: produce the response. A handler looks at r->handler (the name it
 * claimed with kv_register_handler_name, kv_handler.h) and declines any other; it sets
 * r->status and r->content_type, passes the body and an EOS bucket down r->output_filters
 * (kv_pass_brigade) and returns KV_OK or KV_DONE. Returning an HTTP status instead asks the
 * core for its error response, which it can still send only while nothing went down the
 * chain (after that the connection is closed). The core's default handler, at
 * KV_HOOK_REALLY_LAST, serves the file, or answers 500 when r->handler names a handler that
 * did not answer (it never sends a file a missing handler should have run); were every
 * function to decline, the answer would be 404. The request body is read here, if at all
 * (kv_read_body); the core reads and drops what is left of it after the response, to keep
 * the connection, or closes it. */
KV_DECLARE_HOOK(int, handler, (kv_request_t *r))

/** Run-all, per request, once its response is out: a request served or refused by a phase,
 * a head refused (400) or timed out (408; on a connection's first request even when no
 * response could be sent). For access logs and counters: r->status, r->bytes_sent and
 * r->pool are still there; the pool goes right after. Nothing more may be sent. The answer
 * is not looked at, but a value other than KV_OK or KV_DECLINED stops the later functions. */
KV_DECLARE_HOOK(int, log_transaction, (kv_request_t *r))

/** @} */

/**
 * @name Server lifecycle hooks
 * @{
 */

/** Run-all, in the parent at configuration time, once per generation (start and each
 * restart), after every directive has run and the listeners and error logs are open, before
 * the MPM runs; with the parent's privileges (root when started as root: children switch to
 * User and Group later). Before a restart it also runs in a forked child that checks the new
 * configuration and then exits, so what it starts (a piped logger) must be tied to @a pconf
 * or @a plog to end with it. @a pconf lives for the generation (module state, opened
 * files), @a plog for its logs, @a ptemp for scratch work. Not run by -t. KV_OK or
 * KV_DECLINED: go on; anything else stops the chain and the generation fails to start: at
 * startup kiva exits 1 ("a module failed to start"), at a restart the running generation
 * keeps serving. A function that fails logs why with kv_log_error first. */
KV_DECLARE_HOOK(int, post_config,
                (apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, kv_server_t *s))

/** Run-all, once per generation (start, each restart and its check in a forked child, and
 * -t), after every directive has run and the whole configuration is known, before any
 * listener or error log opens; httpd's check_config. For the checks that need the whole
 * configuration (a virtual host's settings merged with the main server's) and must be
 * reported by -t as by a start. Messages go through kv_log_error (to stderr: no error log is
 * open yet); warnings are logged and return KV_OK. Anything but KV_OK or KV_DECLINED stops the
 * chain and fails the configuration: -t and a start exit 1, a restart keeps the running
 * generation. Nothing may be started here that must outlive the check: no listener, no fork. */
KV_DECLARE_HOOK(int, check_config, (apr_pool_t *pconf, apr_pool_t *ptemp, kv_server_t *s))

/** Void: every function runs. In each child process at its start (the one process under
 * -X), after it switched to User and Group and before it serves anything, so before a
 * threaded child's threads serve. @a pchild lives as long as the child: per-child state
 * (a handle the parent must not share) belongs there. Nothing can fail here: a module
 * that cannot work logs and declines its requests later. */
KV_DECLARE_HOOK(void, child_init, (apr_pool_t *pchild, kv_server_t *s))

/** @} */

/** Options bits (the Options directive). */
enum {
    KV_OPT_NONE = 0,
    KV_OPT_INDEXES = 1 << 0,       /**< directory listings */
    KV_OPT_INCLUDES = 1 << 1,      /**< server-side includes (IncludesNoExec alone) */
    KV_OPT_SYM_LINKS = 1 << 2,     /**< FollowSymLinks */
    KV_OPT_EXECCGI = 1 << 3,       /**< CGI scripts may run */
    KV_OPT_SYM_OWNER = 1 << 4,     /**< SymLinksIfOwnerMatch */
    KV_OPT_MULTIVIEWS = 1 << 5,    /**< MultiViews (not part of All, as in httpd) */
    KV_OPT_INC_WITH_EXEC = 1 << 6, /**< includes may exec (Includes; with KV_OPT_INCLUDES) */
    KV_OPT_ALL =
        KV_OPT_INDEXES | KV_OPT_INCLUDES | KV_OPT_INC_WITH_EXEC | KV_OPT_SYM_LINKS | KV_OPT_EXECCGI
};

/** The Options in force for @a r (KV_OPT_* bits), from its merged per-directory config. */
KV_DECLARE(int) kv_allow_options(const kv_request_t *r);

/** The bit of method @a m in a set of methods (kv_make_allow, kv_check_methods). */
#define KV_METHOD_BIT(m) (1u << (m))

/** The Allow field value for a resource that takes @a methods (KV_METHOD_BIT of each), as
 * httpd 2.4 writes it: GET,PUT,POST,DELETE,CONNECT,OPTIONS,PATCH,HEAD in that order (HEAD
 * with GET), then TRACE unless TraceEnable is off. In @a r's pool. */
KV_DECLARE(const char *) kv_make_allow(const kv_request_t *r, unsigned methods);

/**
 * A handler's method check for a resource that takes @a methods (HEAD goes with GET,
 * OPTIONS is always answered here).
 * @return KV_DONE once OPTIONS has been answered (200, Allow); KV_OK if @a r's method is one
 *         of @a methods; else 405 (501 for a method kiva does not know) with Allow set.
 */
KV_DECLARE(int) kv_check_methods(kv_request_t *r, unsigned methods);

/** The HTTP/1.1 core module: OPTIONS *, TRACE and TraceEnable (server/http/http_core.c). */
extern kv_module_t http_core_module;

/** DocumentRoot in force for @a r: absolute, without a trailing slash. */
KV_DECLARE(const char *) kv_document_root(const kv_request_t *r);

/** Does the request carry a body (a Content-Length above 0, or chunked)? */
KV_DECLARE(int) kv_has_body(const kv_request_t *r);

/**
 * Read decoded request body bytes from the request's body source (kv_request.h). For
 * HTTP/1: Content-Length or chunked framing removed, chunk extensions ignored, trailer
 * fields put in r->trailers_in; "100 Continue" is sent first when the client asked for it
 * and no response has started; LimitRequestBody applies. r->remaining counts down.
 * @param buf where the bytes go
 * @param len in: room in @a buf (> 0); out: bytes stored
 * @return APR_SUCCESS with *len > 0, APR_EOF (and *len 0) at the end of the body, or
 *         another status when the body cannot be read: kv_body_error() then gives the HTTP
 *         status to answer (400, 408, 413) and the connection will close.
 */
KV_DECLARE(apr_status_t) kv_read_body(kv_request_t *r, char *buf, apr_size_t *len);

/** The HTTP status of the failure that stopped kv_read_body(), or 0 if none did. */
KV_DECLARE(int) kv_body_error(const kv_request_t *r);

/**
 * Read and throw away the rest of the request body, as a handler that does not want it
 * does before answering, and the connection does before the next request.
 * @return KV_OK when the body is consumed (or there is none); otherwise the HTTP status of
 *         what failed, and the connection closes after the response.
 */
KV_DECLARE(int) kv_discard_body(kv_request_t *r);

/**
 * Answer @a r with the local URL @a target instead, as a new GET (HEAD for HEAD) on the same
 * connection that runs every phase (httpd's internal redirect). REDIRECT_STATUS and
 * REDIRECT_URL are set for it. @a status, if not 0, is the status the answer keeps (an
 * ErrorDocument); with 0 an error of the new request is answered with its own page.
 * @return KV_DONE when the answer was sent, else the HTTP status that stopped it.
 */
KV_DECLARE(int) kv_internal_redirect(kv_request_t *r, const char *target, int status);

/**
 * As kv_internal_redirect with status 0, keeping @a r's method and request body (httpd's
 * ap_internal_redirect): for a module that hands the request to another URL of the same
 * resource, as content negotiation does with the variant it chose.
 */
KV_DECLARE(int) kv_internal_redirect_same_method(kv_request_t *r, const char *target);

/** What kv_get_remote_host() is asked for (httpd's REMOTE_HOST ... REMOTE_DOUBLE_REV). */
typedef enum {
    KV_REMOTE_HOST,      /**< the client's name, looked up when HostnameLookups is On or
                          * Double; NULL when there is none */
    KV_REMOTE_NAME,      /**< as KV_REMOTE_HOST, else the client's address as text (`%h`) */
    KV_REMOTE_NOLOOKUP,  /**< the name if one was looked up already, else the address */
    KV_REMOTE_DOUBLE_REV /**< a name whose forward lookup gives the client's address back,
                          * looked up whatever HostnameLookups says (Require host); NULL
                          * when there is none */
} kv_remote_host_type_t;

/**
 * The host name of @a r's client (r->useragent_addr), as httpd's ap_get_useragent_host: the
 * reverse lookup is done once per connection and cached there (once per request for a client
 * mod_remoteip found behind a proxy); HostnameLookups (in @a r's sections) says whether it
 * is done for KV_REMOTE_HOST and KV_REMOTE_NAME, and Double keeps a name only when its
 * forward lookup gives the address back. Names are lower-case.
 * @param str_is_ip if not NULL, set to 1 when the address is returned instead of a name
 */
KV_DECLARE(const char *) kv_get_remote_host(const kv_request_t *r, kv_remote_host_type_t type,
                                            int *str_is_ip);

/** As kv_get_remote_host(), for the connection's peer rather than the request's client (they
 * differ when mod_remoteip found a client behind a proxy): `%{c}h`. */
KV_DECLARE(const char *) kv_get_peer_host(const kv_request_t *r, kv_remote_host_type_t type,
                                          int *str_is_ip);

/** The name this server goes by for @a r (httpd's ap_get_server_name): under
 * UseCanonicalName Off (the default) the host the client asked for (r->hostname), else
 * ServerName; On: ServerName; DNS: the DNS name of the address the client connected to. */
KV_DECLARE(const char *) kv_get_server_name(const kv_request_t *r);

/** Run-first: the scheme of @a r's URLs when a module knows it (mod_ssl: "https" over TLS);
 * NULL: not this module's. */
KV_DECLARE_HOOK(const char *, http_scheme, (const kv_request_t *r))

/** Run-first: the default port of @a r's scheme when a module knows it (mod_ssl: 443 over
 * TLS); 0: not this module's. */
KV_DECLARE_HOOK(apr_port_t, default_port, (const kv_request_t *r))

/** The scheme of @a r's own URLs (httpd's ap_http_scheme): the http_scheme hook's answer,
 * else "http". It is REQUEST_SCHEME for scripts and expressions. */
KV_DECLARE(const char *) kv_http_scheme(const kv_request_t *r);

/** The default port of kv_http_scheme() (httpd's ap_default_port): the default_port hook's
 * answer, else 80. */
KV_DECLARE(apr_port_t) kv_default_port(const kv_request_t *r);

/** The port this server goes by for @a r (httpd's ap_get_server_port): under
 * UseCanonicalName Off or DNS the port in the client's Host, else ServerName's; On:
 * ServerName's; with UseCanonicalPhysicalPort On the port the client connected to comes
 * before ServerName's (after the Host's); else kv_default_port(). */
KV_DECLARE(apr_port_t) kv_get_server_port(const kv_request_t *r);

/** kv_get_server_name() as a URL writes it: an IPv6 address in brackets. In @a r's pool. */
KV_DECLARE(const char *) kv_server_name_for_url(const kv_request_t *r);

/** "scheme://host[:port]" + @a path for this server (kv_http_scheme(),
 * kv_server_name_for_url() and kv_get_server_port(), the port left out when it is the
 * scheme's default). @a path is used as given (escaped). */
KV_DECLARE(const char *) kv_construct_url(apr_pool_t *p, const char *path, const kv_request_t *r);

/**
 * @a s made safe to put in generated HTML, as text or as a quoted attribute value: each of
 * `< > & " '` becomes `&lt; &gt; &amp; &quot; &#39;`; every other byte stays as it is. Use it
 * for anything that came from a request or the file system (a path, a query, a method, a
 * file name); a URL in an href is URL-escaped first, then passed through this.
 * @param s a NUL-terminated string, not NULL
 * @return @a s itself when nothing needs escaping (no copy), else a copy from @a p
 */
KV_DECLARE(const char *) kv_escape_html(apr_pool_t *p, const char *s);

/** What the server calls itself in the Server field and SERVER_SOFTWARE, as ServerTokens
 * says ("kiva/1.2.3 (Unix)" by default). */
KV_DECLARE(const char *) kv_server_banner(const kv_server_t *s);

/** ServerAdmin of @a s, "[no address given]" if none is set (as httpd). */
KV_DECLARE(const char *) kv_server_admin(const kv_server_t *s);

/** The footer line ServerSignature asks generated pages (error pages, listings) to end with:
 * "" when Off (the default); On: `<address>BANNER Server at NAME Port PORT</address>` and a
 * newline; EMail: NAME is a mailto: link to ServerAdmin. NAME and PORT as
 * kv_get_server_name() and kv_get_server_port(); everything HTML-escaped. In @a r's pool. */
KV_DECLARE(const char *) kv_server_signature(kv_request_t *r);

/** Standard reason phrase of @a status ("Not Found"), or NULL for an unknown code. */
KV_DECLARE(const char *) kv_status_reason(int status);

/** Set a response header field, replacing any of the same name. */
static inline void kv_set_header(kv_request_t *r, const char *name, const char *value)
{
    apr_table_set(r->headers_out, name, value);
}

/** Pass a brigade to the next filter of a chain. */
KV_DECLARE(apr_status_t) kv_pass_brigade(kv_filter_t *next, apr_bucket_brigade *bb);

/** A filter: one link of an output chain. */
typedef apr_status_t (*kv_out_filter_func)(kv_filter_t *f, apr_bucket_brigade *bb);

/** Filter types: a chain is ordered by type, lower first. */
typedef enum {
    KV_FTYPE_RESOURCE = 10,   /**< changes what the resource is (includes) */
    KV_FTYPE_CONTENT = 20,    /**< changes the representation (compression) */
    KV_FTYPE_CONTENT_SET = 25, /**< last touches to the content: byte ranges, header edits */
    KV_FTYPE_PROTOCOL = 30,   /**< HTTP framing and header serialisation */
    KV_FTYPE_CONNECTION = 40, /**< per connection (TLS) */
    KV_FTYPE_NETWORK = 50     /**< writes to the socket */
} kv_filter_type_t;

struct kv_filter {
    const char *name;           /**< for diagnostics */
    kv_out_filter_func func;    /**< the filter */
    kv_filter_type_t type;      /**< where it stands in the chain */
    void *ctx;                  /**< the filter's own state */
    kv_filter_t *next;          /**< next filter down the chain */
    kv_request_t *r;            /**< request, NULL for connection filters */
    kv_conn_t *c;               /**< connection */
};

/** Insert a filter into the request's chain at the place its type gives. */
KV_DECLARE(kv_filter_t *) kv_add_output_filter(kv_request_t *r, const char *name,
                                               kv_out_filter_func func, kv_filter_type_t type,
                                               void *ctx);

/** A filter a module registered by name, for the configuration to use. */
typedef struct {
    const char *name;        /**< as registered ("DEFLATE") */
    kv_out_filter_func func; /**< the filter */
    kv_filter_type_t type;   /**< where it stands in a chain */
} kv_filter_rec_t;

/** Register the output filter @a name (case-insensitive) for the running configuration
 * generation, so that SetOutputFilter, AddOutputFilter and FilterProvider can name it.
 * A module calls it from its register_hooks. A filter added by name starts with ctx NULL. */
KV_DECLARE(void) kv_register_output_filter(const char *name, kv_out_filter_func func,
                                           kv_filter_type_t type);

/** The registered filter @a name, or NULL; @a p holds a temporary lower-case copy. */
KV_DECLARE(const kv_filter_rec_t *) kv_find_output_filter(apr_pool_t *p, const char *name);

/** Insert the registered filter @a name into @a r's chain. NULL, and an error-log line, if
 * no loaded module registered it. */
KV_DECLARE(kv_filter_t *) kv_add_output_filter_by_name(kv_request_t *r, const char *name);

/** Insert each filter of @a names, a ';'-separated list (SetOutputFilter's syntax), in order. */
KV_DECLARE(void) kv_add_output_filter_list(kv_request_t *r, const char *names);

#endif
