/**
 * @file harness.h
 * @brief Integration test harness: start the built kiva on loopback, talk raw HTTP to it,
 * look at its processes and sockets through /proc and ss.
 *
 * The harness is a convenience library (harness/: one file a concern) that every
 * integration program links.
 *
 * Every wait is bounded in time; every process the harness starts gets its own process
 * group, so stopping a server signals exactly the processes that server made. A server
 * that a failed test leaves behind is stopped by a small watcher process that notices
 * the test process is gone.
 */
#ifndef KVT_HARNESS_H
#define KVT_HARNESS_H

#include <stddef.h>
#include <sys/types.h>

#include <check.h>

#include "../support/check_register.h"
#include "../support/vectors.h"

/** Most header fields kept from one response. */
#define KVT_MAX_HEADERS 64
/** Most child pids the /proc helpers report. */
#define KVT_MAX_PIDS 256

/** A kiva server under test: its temp ServerRoot, config and process. */
typedef struct kvt_server kvt_server_t;

/** One response header field. */
typedef struct {
    char *name;  /**< as sent */
    char *value; /**< leading and trailing blanks removed */
} kvt_header_t;

/** One parsed HTTP response. */
typedef struct {
    char version[16];                      /**< "HTTP/1.1" */
    int status;                            /**< 200 */
    char *reason;                          /**< "OK" */
    int nheaders;                          /**< fields in headers */
    kvt_header_t headers[KVT_MAX_HEADERS]; /**< in the order received */
    char *body;                            /**< NUL-terminated copy of the body bytes */
    size_t body_len;                       /**< body bytes */
    int chunked;                           /**< the body came chunked */
    int until_close;                       /**< the body was framed by the server closing */
} kvt_response_t;

/** A new server with a temp ServerRoot (htdocs/, logs/) and a free loopback port.
 * @a mpm names the MPM module to load ("prefork"). Stopped by kvt_teardown. */
kvt_server_t *kvt_server_new(const char *mpm);

/** The MPM for tests that hold under any MPM: $KVT_MPM, or "prefork". */
const char *kvt_mpm(void);

/** What an MPM can do; a test that needs some of it says so (KVT_TEST_NEEDS), and runs only
 * under the MPMs that have all of it. */
enum {
    /** Idle spare children within StartServers and spare bounds: prefork (in children), worker
     * and event (in idle threads of ThreadsPerChild each). */
    KVT_MPM_IDLE_CHILDREN = 1u << 0,
    /** MinSpareServers and MaxSpareServers: single-threaded spare children (prefork). */
    KVT_MPM_SPARE_SERVERS = 1u << 1,
    /** ThreadsPerChild and Min/MaxSpareThreads (worker, event). */
    KVT_MPM_THREAD_POOL = 1u << 2,
    /** One serving child, replaced when it ends (single, thread). */
    KVT_MPM_ONE_CHILD = 1u << 3,
    /** No idle child: a child per connection that ends with it (fork). */
    KVT_MPM_CHILD_PER_CONN = 1u << 4,
    /** A child outlives its connection, and a killed one is replaced (all but fork). */
    KVT_MPM_KEEPS_CHILDREN = 1u << 5,
    /** ServerLimit bounds the children (prefork, worker, event, fork). */
    KVT_MPM_SERVER_LIMIT = 1u << 6,
    /** One child can be made to take every connection, as MaxConnectionsPerChild tests want
     * (single, thread; worker and event with StartServers 1): not prefork, whose spare
     * children share them, nor fork. */
    KVT_MPM_SOLE_CHILD = 1u << 7,
    /** TERM ends -X at once even while it holds an idle keep-alive connection (thread; the
     * others finish that connection first). */
    KVT_MPM_X_TERM_DROPS = 1u << 8,
    /** A connection that waits for the client (a handshake's next flight, its next request)
     * waits in the pollset and holds no thread (event). */
    KVT_MPM_ASYNC = 1u << 9,
};

/** An MPM the harness knows: the one table of them (harness/mpms.c). */
typedef struct {
    const char *name;  /**< "prefork": the module is mod_mpm_NAME */
    unsigned caps;     /**< KVT_MPM_* */
    int x_threads_min; /**< threads of the -X process while it holds a connection ... */
    int x_threads_max; /**< ... (0: no upper bound) */
} kvt_mpm_info_t;

/** The MPM kvt_mpm() names; fails the test if the harness does not know it. */
const kvt_mpm_info_t *kvt_mpm_info(void);

/** Does the MPM kvt_mpm() names have all of @a caps (KVT_MPM_*)? A test condition. */
int kvt_mpm_has(unsigned caps);

/** Run the suite once under each MPM that has all of @a needs (KVT_MPM_*), one Check run each,
 * in the table's order, with KVT_MPM set to it; KVT_MPM=name in the environment runs that one
 * only. For the programs whose tests hold under every MPM: their main in one call. 0 if no
 * test failed. */
int kvt_run_mpms(const char *suite, unsigned needs);

/** A test condition (KVC_TEST_IF) for the tests of a kvt_run_mpms program that do not depend
 * on the MPM (configuration errors): true in the program's first run only, under whichever
 * MPM that is. @a unused is the condition's argument. */
int kvt_first_mpm_run(unsigned unused);

/** KVT_TRANSPORT=trickle: every server the harness starts loads the test-only transport layer
 * (tests/modules/mod_test_trickle.c, run by transport_trickle.sh), which hands reads back a
 * byte at a time and writes in short pieces. */
int kvt_trickling(void);

/** Append one line (printf-style) to the configuration, after the generated base. */
void kvt_server_conf(kvt_server_t *srv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Leave out every generated base line that starts with @a prefix (blanks ignored),
 * e.g. "LoadModule dir_module" or "StartServers". */
void kvt_server_drop_base(kvt_server_t *srv, const char *prefix);

/** Set the base config's StartServers, MinSpareServers and MaxSpareServers. */
void kvt_server_processes(kvt_server_t *srv, int start, int min_spare, int max_spare);

/** Add one command-line argument for kvt_server_start (after -f CONF -DFOREGROUND). */
void kvt_server_arg(kvt_server_t *srv, const char *arg);

/** Write the configuration file (base lines, then appended lines); returns its path. */
const char *kvt_server_write_conf(kvt_server_t *srv);

/** 1-based number of the last line of the written config that contains @a needle: the
 * line a test appended, when the base has one like it. */
unsigned kvt_conf_line_of(kvt_server_t *srv, const char *needle);

/** Write a world-readable file under DocumentRoot, making parent directories. */
void kvt_write_file(kvt_server_t *srv, const char *relpath, const char *content, size_t len);

/** Write a world-readable file under ServerRoot, making parent directories; returns its path. */
const char *kvt_write_root_file(kvt_server_t *srv, const char *relpath, const char *content);

/** Replace ServerRoot/@a relpath with a copy of the file @a from as a renewal tool does (written
 * beside, then renamed over it, so that a reader sees the old file or the new, never half of
 * one); its path. */
const char *kvt_replace_root_file(kvt_server_t *srv, const char *relpath, const char *from);

/** Write the config, start `kiva -f CONF -DFOREGROUND` and wait (bounded) until its port
 * listens. Fails the test with the server's stderr and error_log if it does not. */
void kvt_server_start(kvt_server_t *srv);

/** Stop the server (TERM, bounded wait, then KILL of its process group) and remove its
 * temp directory. Safe to call twice. */
void kvt_server_stop(kvt_server_t *srv);

/** Wait up to @a timeout_ms for the server's parent to exit; its wait status, or -1. */
int kvt_server_wait_exit(kvt_server_t *srv, int timeout_ms);

/** Take charge of a server that detached itself (started without -DFOREGROUND) and
 * leads its own process group: @a pid is its parent, read from its PidFile. */
void kvt_server_adopt(kvt_server_t *srv, pid_t pid);

/** Is any process of the server's process group still alive (zombies do not count)? */
int kvt_server_group_alive(kvt_server_t *srv);

int kvt_server_port(const kvt_server_t *srv);            /**< the port it listens on */
pid_t kvt_server_pid(const kvt_server_t *srv);           /**< the parent's pid, 0 if not started */
const char *kvt_server_root(const kvt_server_t *srv);    /**< its ServerRoot */
const char *kvt_server_docroot(const kvt_server_t *srv); /**< its DocumentRoot */
const char *kvt_server_conf_path(const kvt_server_t *srv); /**< its config file */

/** The server's error_log and stderr so far, for failure messages. */
char *kvt_server_diagnostics(kvt_server_t *srv);

/** The server's logs/error_log so far, NUL-terminated ("" if there is none); free() it. */
char *kvt_server_error_log(kvt_server_t *srv);

/** The error log once it contains @a needle, or as it is after @a timeout_ms (a server
 * logs some lines after it starts listening); malloc'd. */
char *kvt_server_wait_log(kvt_server_t *srv, const char *needle, int timeout_ms);

/** Stop every server this test started; the checked teardown of a KVT_CASE. */
void kvt_teardown(void);

/** Number of rows of a table. */
#define KVT_COUNT(table) ((int)(sizeof(table) / sizeof((table)[0])))

/** Declare integration test case @a var named @a case_name: a timeout of 60 s, fit for tests that
 * start servers, and kvt_teardown as its checked teardown. */
#define KVT_CASE(var, case_name)                                                                   \
    KVC_CASE(var, .name = (case_name), .teardown = kvt_teardown, .timeout = 60)

/** A test of case @a tc (as KVC_TEST) that runs only under an MPM that has all of @a caps. */
#define KVT_TEST_NEEDS(tc, name, caps) KVC_TEST_IF(tc, name, kvt_mpm_has, caps)

/** A test of case @a tc (as KVC_TEST) of a kvt_run_mpms program that runs once, in its first
 * run (kvt_first_mpm_run); KVT_LOOP_TEST_ONCE for a loop test from @a from to @a to - 1. */
#define KVT_TEST_ONCE(tc, name) KVC_TEST_IF(tc, name, kvt_first_mpm_run, 0)
#define KVT_LOOP_TEST_ONCE(tc, name, from, to)                                                     \
    KVC_LOOP_TEST_IF(tc, name, from, to, kvt_first_mpm_run, 0)

/** As KVT_CASE, for a case named after the MPM the program runs under (kvt_mpm()). */
#define KVT_MPM_CASE(var) KVC_CASE(var, .name_of = kvt_mpm, .teardown = kvt_teardown, .timeout = 60)

/** Run a program to completion within @a timeout_ms, capturing its output (malloc'd,
 * NUL-terminated; pass NULL to ignore). Returns 0 and sets *exit_status (the exit code,
 * or 128 + signal), or -1 if it had to be killed at the deadline. */
int kvt_run(const char *const argv[], int timeout_ms, int *exit_status, char **out, char **err);

/** Run the built kiva with the NULL-terminated arguments, 10 s at most; as kvt_run. */
int kvt_run_kiva(int *exit_status, char **out, char **err, const char *arg, ...)
    __attribute__((sentinel));

/** Add @a line to the configuration of @a srv, run kiva @a how (as "-t" or "-DFOREGROUND") on
 * it, and fail the test unless it exits 1 and stderr names the line ("kiva: Syntax error on
 * line N of FILE: ") and holds @a reason. */
void kvt_assert_refused(kvt_server_t *srv, const char *how, const char *line, const char *reason);

/** kvt_assert_refused for a vector of two fields (vectors.h), the line and the reason, whose
 * file:line leads every failure message. */
void kvt_assert_refused_vector(kvt_server_t *srv, const char *how, const struct kvc_vector *v);

/** A TCP connection to 127.0.0.1:@a port with 5 s send and receive timeouts. */
int kvt_connect(int port);

/** As kvt_connect, with SO_RCVBUF set to @a rcvbuf bytes (0: the default) before connecting:
 * a client that does not read soon stops the server's writes. */
int kvt_connect_rcvbuf(int port, int rcvbuf);

/** As kvt_connect_rcvbuf, but never fails the test (for forked clients, and to see a
 * refusal): the descriptor, or -1 with errno set (ECONNREFUSED when nothing listens). */
int kvt_try_connect(int port, int rcvbuf);

/** Send all of @a bytes; fails the test if it cannot. */
void kvt_send(int fd, const char *bytes);

/** Send @a len bytes; 0, or -1 if the peer is gone. */
int kvt_send_raw(int fd, const char *bytes, size_t len);

/** Read exactly one response (status line, fields, body by Content-Length, chunked or
 * close). @a head_request: the request was HEAD, so no body follows. 0, or -1 on
 * EOF, timeout or a malformed response. */
int kvt_read_response(int fd, kvt_response_t *resp, int head_request);

/** Value of the first field named @a name (case-insensitive), or NULL. */
const char *kvt_header(const kvt_response_t *resp, const char *name);

/** Free what kvt_read_response allocated. */
void kvt_response_free(kvt_response_t *resp);

/** Connect, send @a request, read one response, close. 0, or -1 as kvt_read_response. */
int kvt_request(int port, const char *request, kvt_response_t *resp);

/** GET @a path with HTTP/1.1 and Connection: close; fails the test if there is no response. */
void kvt_get(int port, const char *path, kvt_response_t *resp);

/** GET @a path (as kvt_get) and fail the test unless the answer is 200 with body @a body. */
void kvt_assert_serves(kvt_server_t *srv, const char *path, const char *body);

/** As kvt_assert_serves, and the answer's Content-Type is @a type. */
void kvt_assert_serves_type(kvt_server_t *srv, const char *path, const char *body,
                            const char *type);

/** GET @a path (as kvt_get) and fail the test unless the answer has status @a status. */
void kvt_assert_status(kvt_server_t *srv, const char *path, int status);

/** Does @a resp say Connection: close? */
int kvt_says_close(const kvt_response_t *resp);

/** Send a keep-alive GET of @a path on @a fd and fail the test unless the answer is 200 with
 * body @a body; the connection stays open unless the server says otherwise. Returns
 * whether the response said Connection: close. */
int kvt_get_keepalive(int fd, const char *path, const char *body);

/** A new keep-alive connection that has had one answer (as kvt_get_keepalive, and not
 * closing); *pid is the server process that holds it. */
int kvt_open_served(kvt_server_t *srv, const char *path, const char *body, pid_t *pid);

/** Read until the server closes (bounded); the bytes, NUL-terminated, length in *len. */
char *kvt_read_until_close(int fd, size_t *len);

/** Does the peer close within @a timeout_ms? Bytes that arrive meanwhile are discarded. */
int kvt_is_closed(int fd, int timeout_ms);

/** Milliseconds on a monotonic clock. */
long kvt_now_ms(void);

/** Poll @a cond every 20 ms until it returns non-zero or @a timeout_ms pass; its last result. */
int kvt_wait_for(int (*cond)(void *arg), void *arg, int timeout_ms);

/** A kvt_wait_for condition: the process whose pid_t @a pid points to is gone. */
int kvt_pid_gone(void *pid);

/** A kvt_wait_for condition: no process of the server @a srv (a kvt_server_t) is left. */
int kvt_group_gone(void *srv);

/** Live (non-zombie) children of @a pid, up to @a max into @a out; their count. */
int kvt_children(pid_t pid, pid_t *out, int max);

/** The generation in the server's status file (logs/kiva.status), -1 if there is none. */
int kvt_status_generation(kvt_server_t *srv);

/** Wait (at most 20 s, else fail the test) until generation @a gen serves. */
void kvt_wait_generation(kvt_server_t *srv, int gen);

/** Children of the server's parent right now. */
int kvt_server_children(kvt_server_t *srv);

/** Is @a pid a live child of the server's parent? */
int kvt_server_has_child(kvt_server_t *srv, pid_t pid);

/** The server's only child, once it has exactly one: waits up to @a timeout_ms, else fails
 * the test. */
pid_t kvt_server_only_child(kvt_server_t *srv, int timeout_ms);

/** Wait up to @a timeout_ms until child @a victim is gone and one other child serves in its
 * place; non-zero if that happened. */
int kvt_server_wait_replaced(kvt_server_t *srv, pid_t victim, int timeout_ms);

/** Wait up to @a timeout_ms until the server has between @a min and @a max children;
 * non-zero if it has. */
int kvt_wait_children(kvt_server_t *srv, int min, int max, int timeout_ms);

/** Threads of @a pid, or -1 if it is gone. */
int kvt_threads(pid_t pid);

/** How often @a pid's main thread has gone to sleep (its voluntary context switches), or -1
 * if it is gone. */
long kvt_main_thread_sleeps(pid_t pid);

/** As kvt_main_thread_sleeps, summed over all of @a pid's threads. */
long kvt_process_sleeps(pid_t pid);

/** Is @a pid alive (not a zombie)? */
int kvt_pid_alive(pid_t pid);

/** Is @a pid stopped (by SIGSTOP)? */
int kvt_pid_stopped(pid_t pid);

/** SIGSTOP @a pid and wait (bounded) until it is stopped: kill() only queues the signal,
 * and a process on another CPU may still act (read a pipe, accept) meanwhile. */
void kvt_stop_process(pid_t pid);

/** Real uid of @a pid from /proc/<pid>/status, or (uid_t)-1. */
uid_t kvt_pid_uid(pid_t pid);

/** The number a pid file (PidFile) holds, or -1 if it cannot be read. */
long kvt_pid_in_file(const char *path);

/** Pid of the server process that holds the server side of @a client_fd, or 0. */
pid_t kvt_serving_pid(kvt_server_t *srv, int client_fd);

/** Does a process still hold the server side of @a client_fd, in any TCP state (accepted
 * and not yet closed: a lingering close holds it)? 0 before the accept, once it is
 * closed, and if the kernel keeps it only as an orphan. */
int kvt_server_holds_conn(kvt_server_t *srv, int client_fd);

/** Reset the connection @a client_fd (close it with SO_LINGER 0: the server gets an RST, not
 * a FIN) and wait up to @a timeout_ms until no server process holds its other end (the
 * server closed it, or the process that held it died); non-zero if none does. */
int kvt_reset_conn(kvt_server_t *srv, int client_fd, int timeout_ms);

/** Bytes the server side of @a client_fd has sent and the client not yet acknowledged
 * (tx_queue of /proc/net/tcp, Send-Q of `ss`): above 0 while the client does not read.
 * -1 if that server-side socket is not ESTABLISHED. */
long kvt_server_send_queue(kvt_server_t *srv, int client_fd);

/** Inode of the socket listening on 127.0.0.1:@a port, or 0 if none listens. */
unsigned long kvt_listener_inode(int port);

/** Processes of the server's process group that hold a descriptor of socket @a inode. */
int kvt_server_socket_holders(kvt_server_t *srv, unsigned long inode);

/** Does process @a pid hold a descriptor of socket @a inode? */
int kvt_pid_holds_socket(pid_t pid, unsigned long inode);

/** Wait up to @a timeout_ms until process @a pid holds the server side of @a client_fd
 * (it accepted the connection); non-zero if it does. */
int kvt_wait_serving_pid(kvt_server_t *srv, int client_fd, pid_t pid, int timeout_ms);

/** Wait up to @a timeout_ms until some server process holds the server side of
 * @a client_fd; that process, or 0. */
pid_t kvt_wait_served(kvt_server_t *srv, int client_fd, int timeout_ms);

/** Backlog of the socket listening on 127.0.0.1:@a port (Send-Q in `ss -ltn`), or -1. */
long kvt_listen_backlog(int port);

/** rb and tb (receive and send buffer sizes) from `ss -tmn` of the server side of
 * @a client_fd; 0, or -1 if not found. */
int kvt_server_sock_buffers(kvt_server_t *srv, int client_fd, long *rb, long *tb);

/** Does @a haystack contain @a needle? NULL haystack never does. */
int kvt_contains(const char *haystack, const char *needle);

/** The whole file @a path, NUL-terminated and malloc'd, or NULL if it cannot be read. */
char *kvt_read_file(const char *path);

/** A malloc'd string, formatted as printf does. */
char *kvt_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** As kvt_contains, ignoring case. */
int kvt_contains_nocase(const char *haystack, const char *needle);

/** The passphrase of kvt_certs_t's encrypted_key. */
#define KVT_CERT_PASSPHRASE "kiva-test-passphrase"

/** The TLS tests' certificates and keys (PEM files): a CA, leaves it signed for localhost and
 * 127.0.0.1 (RSA 2048 and ECDSA P-256), one for other.test (SNI), an expired one, a client
 * certificate, and rsa_key encrypted with KVT_CERT_PASSPHRASE. */
typedef struct {
    const char *dir;                       /**< where they are */
    const char *ca;                        /**< the CA's certificate */
    const char *rsa_cert, *rsa_key;        /**< RSA 2048, localhost and 127.0.0.1 */
    const char *ec_cert, *ec_key;          /**< ECDSA P-256, localhost and 127.0.0.1 */
    const char *other_cert, *other_key;    /**< ECDSA P-256, other.test */
    const char *expired_cert, *expired_key; /**< localhost, expired yesterday */
    const char *client_cert, *client_key;  /**< a client certificate (clientAuth) */
    const char *encrypted_key;             /**< rsa_key, AES-256 with KVT_CERT_PASSPHRASE */
} kvt_certs_t;

/** Make the certificates with the openssl command line (once per test program: kept in the
 * program's temp dir until its suite ends) and name them; fails the test if openssl does. */
const kvt_certs_t *kvt_certs(void);

/** A server (not started) whose one port speaks TLS: `Listen ... https`, a <VirtualHost>
 * with SSLEngine on, ServerName localhost, kvt_certs()'s RSA and ECDSA pairs, @a extra
 * inside the host (or NULL), and an index.html of "hello over tls\n". With @a trickle, the
 * test-only layer mod_test_trickle is loaded first, so that it sits below TLS and carries
 * the records in short pieces. */
kvt_server_t *kvt_tls_server_over(const char *mpm, const char *extra, int trickle);

/** As kvt_tls_server, with the one pair @a cert and @a key (PEM files) instead of the
 * test certificates' RSA and ECDSA ones. */
kvt_server_t *kvt_tls_server_pair(const char *mpm, const char *cert, const char *key,
                                  const char *extra);

/** kvt_tls_server_over without the trickle layer. */
kvt_server_t *kvt_tls_server(const char *mpm, const char *extra);

/** The last 1,500 characters of a tool's output, for a failure message. */
const char *kvt_tail(const char *out);

/** Run @a argv (30 s at most, or the test fails); its exit status, stdout in *out and
 * stderr in *err (malloc'd; @a err may be NULL). */
int kvt_run_tool(const char *const argv[], char **out, char **err);

/** `openssl s_client` to @a srv's port verifying the test CA, with @a options (shell words),
 * sending @a request (printf format; "" ends after the handshake); its exit status, all it
 * printed in *out. */
int kvt_s_client(kvt_server_t *srv, const char *options, const char *request, char **out);

/** A local OCSP responder (`openssl ocsp`, harness/ocsp.c) for the test CA, on a free port,
 * with its own index of certificates. */
typedef struct kvt_ocsp kvt_ocsp_t;

/** A responder (not started) with an empty index. */
kvt_ocsp_t *kvt_ocsp_new(void);

/** Its URL, http://127.0.0.1:PORT/ (malloc'd). */
const char *kvt_ocsp_url(const kvt_ocsp_t *o);

/** A new ECDSA leaf for localhost and 127.0.0.1 signed by the test CA, whose Authority
 * Information Access names @a o, listed in its index as valid or (@a revoked) revoked: its
 * certificate's path, its key's in *@a key. */
const char *kvt_ocsp_leaf(kvt_ocsp_t *o, const char *stem, int revoked, const char **key);

/** Start the responder, its responses signed by @a signer_cert and @a signer_key (NULL, NULL:
 * the test CA), and wait until it accepts connections (or fail the test). */
void kvt_ocsp_start(kvt_ocsp_t *o, const char *signer_cert, const char *signer_key);

/** Stop the responder by its pid (it is also stopped when the test's process exits). */
void kvt_ocsp_stop(kvt_ocsp_t *o);

/** s_client -status's report of the response @a srv staples (all it printed). */
char *kvt_stapling_report(kvt_server_t *srv);

/** Wait up to @a timeout_ms until a handshake gets a stapled response whose report holds
 * @a needle, or fail the test. */
void kvt_assert_stapled(kvt_server_t *srv, const char *needle, int timeout_ms);

/** Fail the test unless a handshake (that verifies) gets no stapled response. */
void kvt_assert_nothing_stapled(kvt_server_t *srv);

/** The response @a o's index gives for @a leaf now, signed by the test CA, without a
 * nextUpdate: its DER file's path (`openssl ocsp` offline; the responder need not run). */
const char *kvt_ocsp_response(kvt_ocsp_t *o, const char *leaf);

/** An HTTP responder on a free 127.0.0.1 port (*@a port) that answers every request with the
 * DER file @a response, whenever it was made; its pid, for kvt_ocsp_serve_stop. */
pid_t kvt_ocsp_serve(const char *response, int *port);

/** Stop the responder kvt_ocsp_serve made, by its pid, and reap it. */
void kvt_ocsp_serve_stop(pid_t pid);

/** curl https://127.0.0.1:PORT@a path with the test CA and @a options (shell words): its exit
 * status, what it printed (body, -w, errors) in *out. */
int kvt_curl_tls(kvt_server_t *srv, const char *options, const char *path, char **out);

/** The subject CN of the certificate a new TLS 1.3 handshake with @a srv gets (`openssl
 * s_client`, which must succeed), malloc'd. */
char *kvt_tls_subject(kvt_server_t *srv);

/** Start Debian's memcached on a free 127.0.0.1 port (*@a port) and wait until it listens;
 * its pid, for kvt_memcached_stop. */
pid_t kvt_memcached_start(int *port);

/** Stop the memcached kvt_memcached_start made, by its pid, and reap it. */
void kvt_memcached_stop(pid_t pid);

/** As kvt_curl_tls, for https://@a host:PORT@a path with @a host resolved to 127.0.0.1: the
 * name is curl's SNI and Host. */
int kvt_curl_tls_host(kvt_server_t *srv, const char *host, const char *options, const char *path,
                      char **out);

#endif
