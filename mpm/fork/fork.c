/* The fork MPM: the classic parallel server of CERN and NCSA httpd. The parent accepts and
 * forks a child for each connection; the child serves that one connection to its end
 * (keep-alive included) and exits, so its exit frees whatever it leaked. MaxRequestWorkers
 * bounds the live children: at the bound the parent stops accepting, and connections wait
 * in the listen backlog until a child exits.
 *
 * The parent waits in one poll over the listeners and the wake-up pipe of mpm_common, so a
 * new connection, a signal and a child's exit all wake it at once. Reaping, signals, the
 * ending of a generation and the scoreboard's process slots are shared with the other
 * MPMs (server/process/mpm_common.c, mpm/parent.c); ServerLimit and MaxRequestWorkers are brought
 * into range by prefork's policy (mpm/process_conf.c). MaxConnectionsPerChild has nothing
 * to count: every child serves one connection. Under -X the one process serves each
 * connection itself, one at a time, without forking. */
#include <fcntl.h>
#include <unistd.h>

#include <apr_poll.h>
#include <apr_portable.h>
#include <apr_thread_proc.h>

#include "kv_http.h"
#include "kv_listen.h"
#include "kv_log.h"
#include "kv_mpm.h"
#include "kv_mpm_common.h"
#include "kv_scoreboard.h"
#include "../accept.h"
#include "../parent.h"
#include "../process_conf.h"
#include "../serial.h"

#define KV_LOG_MODULE "mpm_fork"

/* httpd prefork's defaults: one process per connection, as there. */
#define DEFAULT_MAX_WORKERS 256
#define DEFAULT_SERVER_LIMIT 256

/* Longest the parent sleeps without looking at draining children's deadlines. */
#define PARENT_TICK apr_time_from_sec(1)

/* The parent of one generation (under -X, the process that serves). */
typedef struct {
    apr_pool_t *pconf;
    kv_server_t *s;
    prefork_limits_t *l;
    apr_pool_t *ptrans;     /* the connection being handed over, cleared after each */
    kv_acceptor_t acc;      /* its pollset and the triage of accept errors */
    kv_mpm_respawn_t rs;    /* generation, and the holdoff after a child could not start */
    int reported_limit;     /* the MaxRequestWorkers message was logged */
} parent_t;

/* ---- Serving one connection: in a child, or in the parent under -X ---- */

/* Let go of the listening sockets. /dev/null takes their descriptors rather than leaving
 * them free: mpm_common's graceful handler of a child puts /dev/null on the descriptor
 * numbers the listeners had at the fork, which must not by then name a file the child
 * opened. */
static void drop_listeners(void)
{
    int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

    for (kv_listen_rec_t *lr = kv_listeners; lr; lr = lr->next) {
        apr_os_sock_t sd;

        if (!lr->sd || apr_os_sock_get(&sd, lr->sd) != APR_SUCCESS) {
            continue;
        }
        if (null_fd < 0 || dup2(null_fd, sd) < 0) {
            close(sd);
        }
    }
    if (null_fd >= 0) {
        close(null_fd);
    }
}

static void child_main(parent_t *pp, int slot, apr_socket_t *csd) __attribute__((noreturn));

static void child_main(parent_t *pp, int slot, apr_socket_t *csd)
{
    kv_acceptor_t unused = {0}; /* a child of fork never accepts */
    apr_pool_t *pchild;

    drop_listeners();
    pchild = kv_acceptor_child_start(&unused, pp->pconf, pp->s, NULL);
    kv_acceptor_serve_connection(pp->s, pp->ptrans, csd, slot);
    kv_mpm_child_exit(pchild, 0);
}

/* ---- The parent ---- */

static int free_process_slot(void)
{
    int limit = kv_scoreboard_server_limit();

    for (int slot = 0; slot < limit; slot++) {
        if (kv_scoreboard_process(slot)->pid == 0) {
            return slot;
        }
    }
    return -1;
}

/* Fork a child in a free process slot to serve @a csd; then close the parent's copy. */
static void hand_over(parent_t *pp, apr_socket_t *csd)
{
    int slot = free_process_slot();
    kv_sb_process_t *proc = kv_scoreboard_process(slot);
    apr_proc_t child;
    apr_status_t rv;

    kv_serial_claim_slot(slot, pp->rs.generation);
    rv = kv_mpm_fork(&child, pp->pconf);
    if (rv == APR_INCHILD) {
        child_main(pp, slot, csd);
    }
    if (rv == APR_INPARENT) {
        proc->pid = child.pid; /* before any reaping: the loop reaps only after this */
    } else {
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, rv, pp->s,
                     "KV01054: could not fork a child for a connection; accepting again in "
                     "%d seconds",
                     (int)apr_time_sec(KV_MPM_HOLDOFF));
        kv_scoreboard_worker(slot, 0)->status = KV_SB_DEAD;
        kv_mpm_hold_off(&pp->rs);
    }
    apr_pool_clear(pp->ptrans);
}

/* A child of this generation that could not start serving at all (it could not switch to
 * User, say) will not do better for the next connection: accept nothing for a while. */
static void on_reaped(void *baton, int slot, const kv_sb_process_t *was, apr_exit_why_e why,
                      int code)
{
    parent_t *pp = baton;

    if (slot >= 0 && was->generation == pp->rs.generation && APR_PROC_CHECK_EXIT(why) &&
        code == KV_MPM_CHILD_FATAL) {
        kv_mpm_hold_off(&pp->rs);
    }
}

/* Another child may start: fewer than MaxRequestWorkers of this generation, a free slot.
 * Reaching the bound is logged once a generation, as prefork does. */
static int room_for_a_child(parent_t *pp)
{
    if (kv_mpm_room_for_children(pp->rs.generation, pp->l->max_workers) > 0) {
        return 1;
    }
    kv_mpm_report_max_workers(pp->s, &pp->reported_limit);
    return 0;
}

/* Accept now? Under -X always: the one process serves each connection itself. */
static int may_accept(parent_t *pp)
{
    if (kv_mpm_holding_off(&pp->rs)) {
        return 0;
    }
    return kv_mpm_one_process || room_for_a_child(pp);
}

/* Take one connection from the ready listener @a lr and serve it: in a new child, or here
 * under -X. */
static void take_connection(parent_t *pp, kv_listen_rec_t *lr)
{
    apr_socket_t *csd = NULL;
    apr_status_t rv = apr_socket_accept(&csd, lr->sd, pp->ptrans);

    if (rv != APR_SUCCESS) {
        kv_acceptor_failed(&pp->acc, rv, lr);
        apr_pool_clear(pp->ptrans);
        return;
    }
    if (kv_mpm_one_process) {
        kv_acceptor_serve_connection(pp->s, pp->ptrans, csd, 0);
    } else {
        hand_over(pp, csd);
    }
}

/* Sleep until a connection, a signal or a child's exit, for PARENT_TICK at most, and take
 * a connection from each ready listener while there is room. */
static void wait_and_accept(parent_t *pp)
{
    const apr_pollfd_t *ready;
    apr_int32_t n = 0;

    if (!may_accept(pp)) {
        kv_mpm_wait_event(PARENT_TICK); /* the backlog keeps the connections meanwhile */
        return;
    }
    if (apr_pollset_poll(pp->acc.pollset, PARENT_TICK, &n, &ready) != APR_SUCCESS) {
        return;
    }
    for (apr_int32_t i = 0; i < n; i++) {
        if (!ready[i].client_data) {
            kv_mpm_wait_event(0); /* empty the pipe; the loop looks at what woke it */
        }
    }
    for (apr_int32_t i = 0; i < n && !pp->acc.failed; i++) {
        if (ready[i].client_data && may_accept(pp)) {
            take_connection(pp, ready[i].client_data);
        }
    }
}

/* Serve until a signal ends the generation; returns what it asks for. */
static int parent_loop(parent_t *pp)
{
    for (;;) {
        int result;

        wait_and_accept(pp);
        kv_mpm_reap_children(pp->s, on_reaped, pp);
        kv_mpm_stop_overdue_children(pp->s);
        result = kv_mpm_take_signal();
        if (result >= 0) {
            return kv_mpm_end_generation(pp->s, result);
        }
        if (pp->acc.failed) {
            kv_shutdown_listeners(); /* the server exits: no one would serve new connections */
            kv_mpm_graceful_stop_children(pp->s, kv_mpm_graceful_shutdown_timeout());
            return KV_MPM_FAILED;
        }
    }
}

/* Only the parent accepts, after poll said a listener is ready; non-blocking, so that a
 * connection gone meanwhile cannot hold it in accept (an MPM of a later generation that
 * accepts in blocking mode makes them blocking again, see accept.c). */
static void make_listeners_nonblocking(void)
{
    for (kv_listen_rec_t *lr = kv_listeners; lr; lr = lr->next) {
        apr_os_sock_t sd;
        int flags;

        if (lr->sd && apr_os_sock_get(&sd, lr->sd) == APR_SUCCESS &&
            (flags = fcntl(sd, F_GETFL)) >= 0 && !(flags & O_NONBLOCK)) {
            fcntl(sd, F_SETFL, flags | O_NONBLOCK);
        }
    }
}

/* The poll over every listener and the wake-up pipe (the acceptor of a process that watches
 * signals itself, as under -X), and the connection pool. */
static apr_status_t parent_init(parent_t *pp)
{
    apr_status_t rv;

    pp->acc.s = pp->s;
    pp->acc.one_process = 1;
    rv = kv_acceptor_setup(&pp->acc, pp->pconf, &pp->ptrans);
    if (rv == APR_SUCCESS) {
        make_listeners_nonblocking();
    }
    return rv;
}

/* The parent of generation kv_my_generation, with its limits in @a conf. */
static apr_status_t parent_start(parent_t *pp, apr_pool_t *pconf, kv_server_t *s, void *conf)
{
    pp->pconf = pconf;
    pp->s = s;
    pp->rs.generation = kv_my_generation;
    pp->l = &((process_conf_t *)conf)->run;
    return parent_init(pp);
}

static int fork_parent(apr_pool_t *pconf, kv_server_t *s, void *conf)
{
    parent_t pp = {0};

    if (parent_start(&pp, pconf, s, conf) != APR_SUCCESS) {
        return KV_MPM_FAILED;
    }
    return parent_loop(&pp);
}

/* -X: no children. The process serves each connection itself, one at a time, in process
 * slot 0, after switching to User and Group once, as a child would. */
static int fork_one_process(apr_pool_t *pconf, kv_server_t *s, void *conf)
{
    parent_t pp = {0};
    apr_pool_t *pchild;
    int result = KV_MPM_FAILED;

    if (parent_start(&pp, pconf, s, conf) != APR_SUCCESS) {
        return KV_MPM_FAILED;
    }
    if (kv_one_process_start(pconf, s, &pchild) == APR_SUCCESS) {
        result = parent_loop(&pp);
    }
    kv_scoreboard_update(0, KV_SB_DEAD, NULL);
    kv_one_process_end(pchild);
    return result;
}

/* ---- The module ---- */

/* httpd prefork's limits; fork keeps no spare children: the spare fields get values its
 * policy leaves alone. */
static void fork_defaults(void *conf)
{
    static const prefork_limits_t defaults = {1, 1, 2, DEFAULT_MAX_WORKERS, DEFAULT_SERVER_LIMIT};

    process_apply_defaults(conf, &defaults);
}

static const kv_command_t fork_cmds[] = {
    PROCESS_COMMANDS("MaxRequestWorkers N: most connections served at once, one child each")};

static const kv_mpm_t fork_mpm = PROCESS_MPM("fork", fork_defaults, fork_parent, fork_one_process);

KV_MPM_MODULE(fork, fork_cmds, fork_mpm);
