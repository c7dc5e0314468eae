/* Code every MPM shares: the common directives, the PidFile, the switch to User and Group,
 * the parent's and the children's signals, and reaping and stopping children. */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <apr_file_io.h>
#include <apr_lib.h>
#include <apr_portable.h>
#include <apr_poll.h>
#include <apr_signal.h>
#include <apr_strings.h>

#include "kv_listen.h"
#include "kv_log.h"
#include "kv_mpm.h"
#include "kv_mpm_common.h"

#define KV_LOG_MODULE "mpm_common"

/* How long children get to die of TERM before KILL, and then of KILL. */
#define STOP_GRACE apr_time_from_sec(3)
#define KILL_GRACE apr_time_from_sec(1)
/* Granularity of the waits for children to go. */
#define REAP_TICK apr_time_from_msec(100)

KV_DECLARE_DATA int kv_mpm_one_process;

/* ---- The common directives ---- */

typedef struct {
    apr_pool_t *pool;
    const char *pidfile;                  /* as configured; NULL for the default */
    const char *user;                     /* as configured; NULL for the default */
    const char *group;                    /* as configured; NULL for the default */
    int max_connections;                  /* KV_UNSET_INT until set */
    apr_interval_time_t graceful_timeout; /* KV_UNSET_TIME until set */
} common_conf_t;

/* The main server's settings in the running generation; NULL between generations. */
static common_conf_t *cur;

static apr_status_t forget_conf(void *conf)
{
    if (cur == conf) {
        cur = NULL;
    }
    return APR_SUCCESS;
}

static void *create_common_conf(apr_pool_t *p, kv_server_t *s)
{
    common_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    conf->pool = p;
    conf->max_connections = KV_UNSET_INT;
    conf->graceful_timeout = KV_UNSET_TIME;
    if (!s->is_virtual) {
        cur = conf;
        apr_pool_cleanup_register(p, conf, forget_conf, apr_pool_cleanup_null);
    }
    return conf;
}

/* "#123" names uid or gid 123, as httpd reads it. Returns 1 and sets *id if @a name has
 * that form and a valid number. */
static int numeric_id(apr_pool_t *p, const char *name, long *id)
{
    return name[0] == '#' && kv_parse_int(p, name + 1, 0, 4294967294L, id) == NULL;
}

static apr_status_t user_to_ids(apr_pool_t *p, const char *name, apr_uid_t *uid,
                                apr_gid_t *user_gid)
{
    long id;

    if (name[0] == '#') {
        if (!numeric_id(p, name, &id)) {
            return APR_EINVAL;
        }
        *uid = (apr_uid_t)id;
        *user_gid = 0;
        return APR_SUCCESS;
    }
    return apr_uid_get(uid, user_gid, name, p);
}

static apr_status_t group_to_gid(apr_pool_t *p, const char *name, apr_gid_t *gid)
{
    long id;

    if (name[0] == '#') {
        if (!numeric_id(p, name, &id)) {
            return APR_EINVAL;
        }
        *gid = (apr_gid_t)id;
        return APR_SUCCESS;
    }
    return apr_gid_get(gid, name, p);
}

static const char *set_user(kv_cmd_parms_t *cmd, void *mconfig, int argc, const char *const *argv)
{
    common_conf_t *conf = mconfig;
    apr_uid_t uid;
    apr_gid_t gid;

    (void)argc;
    if (user_to_ids(cmd->temp_pool, argv[0], &uid, &gid) != APR_SUCCESS) {
        return apr_psprintf(cmd->pool, "User: bad user name %s", argv[0]);
    }
    if (uid == 0) {
        return apr_psprintf(cmd->pool,
                            "User: kiva does not serve as root (%s); name an "
                            "unprivileged user",
                            argv[0]);
    }
    conf->user = apr_pstrdup(cmd->pool, argv[0]);
    return NULL;
}

static const char *set_group(kv_cmd_parms_t *cmd, void *mconfig, int argc, const char *const *argv)
{
    common_conf_t *conf = mconfig;
    apr_gid_t gid;

    (void)argc;
    if (group_to_gid(cmd->temp_pool, argv[0], &gid) != APR_SUCCESS) {
        return apr_psprintf(cmd->pool, "Group: bad group name %s", argv[0]);
    }
    conf->group = apr_pstrdup(cmd->pool, argv[0]);
    return NULL;
}

static const kv_command_t common_cmds[] = {
    {"PidFile", kv_set_string_slot, KV_OFFSET(common_conf_t, pidfile), 1, 1, KV_CTX_MAIN,
     KV_CMD_SERVER_CONF, "PidFile path: the file the parent's pid is written to"},
    {"User", set_user, NULL, 1, 1, KV_CTX_MAIN, KV_CMD_SERVER_CONF,
     "User name|#uid: the user children serve as when started as root"},
    {"Group", set_group, NULL, 1, 1, KV_CTX_MAIN, KV_CMD_SERVER_CONF,
     "Group name|#gid: the group children serve as when started as root"},
    {"MaxConnectionsPerChild", kv_set_int_slot, KV_OFFSET(common_conf_t, max_connections), 1, 1,
     KV_CTX_MAIN, KV_CMD_SERVER_CONF,
     "MaxConnectionsPerChild N: connections a child serves before it is replaced (0 = no limit)"},
    {"MaxRequestsPerChild", kv_set_int_slot, KV_OFFSET(common_conf_t, max_connections), 1, 1,
     KV_CTX_MAIN, KV_CMD_SERVER_CONF, "MaxRequestsPerChild N: old name of MaxConnectionsPerChild"},
    {"GracefulShutdownTimeout", kv_set_timeout_slot, KV_OFFSET(common_conf_t, graceful_timeout), 1,
     1, KV_CTX_MAIN, KV_CMD_SERVER_CONF,
     "GracefulShutdownTimeout seconds: how long a graceful stop or restart waits for in-flight "
     "work (0 = no limit; unset: no limit for a stop, 600 s for a restart)"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

/* Started as root, the children will switch to User and Group: find out now whether they
 * can, so that a bad default stops the start instead of every child. */
/* The identity children switch to, resolved once per generation by the parent: a child
 * then reads neither the user nor the group database (the fork MPM starts one per
 * connection, and initgroups alone cost it more than the fork). */
typedef struct {
    apr_uid_t uid;
    apr_gid_t gid;
    int ngroups;
    gid_t *groups; /* supplementary groups of User, Group included */
} identity_t;

static identity_t *identity;

static apr_status_t forget_identity(void *unused)
{
    (void)unused;
    identity = NULL;
    return APR_SUCCESS;
}

/* The supplementary groups of the user @a uid (named @a user, or "#uid") with @a gid. */
static void resolve_groups(apr_pool_t *p, const char *user, identity_t *id)
{
    char *name = NULL;
    int n = 32;

    if (user[0] != '#') {
        name = apr_pstrdup(p, user);
    } else if (apr_uid_name_get(&name, id->uid, p) != APR_SUCCESS) {
        name = NULL;
    }
    id->groups = apr_palloc(p, sizeof(gid_t) * (apr_size_t)n);
    if (name && getgrouplist(name, id->gid, id->groups, &n) < 0) {
        id->groups = apr_palloc(p, sizeof(gid_t) * (apr_size_t)n);
        if (getgrouplist(name, id->gid, id->groups, &n) < 0) {
            name = NULL;
        }
    }
    if (!name) {
        id->groups[0] = id->gid;
        n = 1;
    }
    id->ngroups = n;
}

static int check_identity(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, kv_server_t *s)
{
    identity_t *id;
    apr_gid_t user_gid;

    (void)plog;
    (void)ptemp;
    if (geteuid() != 0) {
        return KV_OK;
    }
    id = apr_pcalloc(pconf, sizeof(*id));
    if (user_to_ids(pconf, kv_mpm_user(), &id->uid, &user_gid) != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, 0, s, "KV00400: User %s does not exist",
                     kv_mpm_user());
        return KV_HTTP_INTERNAL_SERVER_ERROR;
    }
    if (group_to_gid(pconf, kv_mpm_group(), &id->gid) != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, 0, s, "KV00402: Group %s does not exist",
                     kv_mpm_group());
        return KV_HTTP_INTERNAL_SERVER_ERROR;
    }
    resolve_groups(pconf, kv_mpm_user(), id);
    identity = id;
    apr_pool_cleanup_register(pconf, NULL, forget_identity, apr_pool_cleanup_null);
    return KV_OK;
}

static void register_common_hooks(apr_pool_t *p)
{
    (void)p;
    kv_hook_post_config(check_identity, NULL, NULL, KV_HOOK_MIDDLE);
}

kv_module_t mpm_common_module = {
    KV_MODULE_HEADER("mpm_common"),
    .create_server_config = create_common_conf,
    .commands = common_cmds,
    .register_hooks = register_common_hooks,
};

KV_DECLARE(const char *) kv_mpm_pidfile(void)
{
    if (!cur) {
        return NULL;
    }
    return kv_server_root_relative(cur->pool, cur->pidfile ? cur->pidfile : KV_MPM_DEFAULT_PIDFILE);
}

KV_DECLARE(int) kv_mpm_max_connections_per_child(void)
{
    return cur ? KV_MERGE_INT(cur->max_connections, KV_UNSET_INT, 0) : 0;
}

KV_DECLARE(apr_interval_time_t) kv_mpm_graceful_shutdown_timeout(void)
{
    return cur ? KV_MERGE_TIME(cur->graceful_timeout, KV_UNSET_TIME, 0) : 0;
}

KV_DECLARE(apr_interval_time_t) kv_mpm_graceful_restart_timeout(void)
{
    apr_interval_time_t dflt = KV_MPM_DEFAULT_RESTART_DRAIN;

    return cur ? KV_MERGE_TIME(cur->graceful_timeout, KV_UNSET_TIME, dflt) : dflt;
}

KV_DECLARE(const char *) kv_mpm_user(void)
{
    return cur && cur->user ? cur->user : KV_MPM_DEFAULT_USER;
}

KV_DECLARE(const char *) kv_mpm_group(void)
{
    return cur && cur->group ? cur->group : KV_MPM_DEFAULT_GROUP;
}

/* ---- PidFile ---- */

/* The file this process wrote, for kv_mpm_remove_pidfile; it outlives generations. */
static char pidfile_written[APR_PATH_MAX];

KV_DECLARE(apr_status_t) kv_mpm_read_pidfile(const char *path, pid_t *pid)
{
    apr_pool_t *p;
    apr_file_t *f;
    char buf[32];
    apr_size_t n = sizeof(buf) - 1;
    long value;
    apr_status_t rv;

    if (!path) {
        return APR_EINVAL;
    }
    apr_pool_create(&p, NULL);
    rv = apr_file_open(&f, path, APR_FOPEN_READ, APR_OS_DEFAULT, p);
    if (rv == APR_SUCCESS) {
        rv = apr_file_read_full(f, buf, n, &n);
        rv = APR_STATUS_IS_EOF(rv) ? APR_SUCCESS : rv;
    }
    if (rv == APR_SUCCESS) {
        while (n > 0 && apr_isspace(buf[n - 1])) {
            n--;
        }
        buf[n] = '\0';
        rv = kv_parse_int(p, buf, 1, INT32_MAX, &value) ? APR_EINVAL : APR_SUCCESS;
    }
    if (rv == APR_SUCCESS) {
        *pid = (pid_t)value;
    }
    apr_pool_destroy(p);
    return rv;
}

/* Warn when a PidFile of another process that is gone is overwritten: the last run did
 * not stop cleanly. */
static void warn_stale_pidfile(const char *path)
{
    pid_t old;

    if (pidfile_written[0] == '\0' && kv_mpm_read_pidfile(path, &old) == APR_SUCCESS &&
        old != getpid()) {
        kv_log_error(KV_LOG_MARK, KV_LOG_WARNING, 0, NULL,
                     "KV00403: PidFile %s overwritten -- unclean shutdown of previous kiva run?",
                     path);
    }
}

KV_DECLARE(apr_status_t) kv_mpm_write_pidfile(apr_pool_t *p)
{
    const char *path = kv_mpm_pidfile(), *tmp;
    apr_file_t *f;
    apr_status_t rv;

    if (!path) {
        return APR_EINVAL;
    }
    warn_stale_pidfile(path);
    if (pidfile_written[0] != '\0' && strcmp(pidfile_written, path) != 0) {
        kv_mpm_remove_pidfile(); /* PidFile moved on restart: don't leave the old one */
    }
    /* Written beside it and renamed into place, so that a reader (kiva -k, kivactl, a
     * supervisor) never sees it empty or half written. */
    tmp = apr_psprintf(p, "%s.%ld.tmp", path, (long)getpid());
    rv = apr_file_open(&f, tmp, APR_FOPEN_WRITE | APR_FOPEN_CREATE | APR_FOPEN_TRUNCATE,
                       APR_FPROT_UREAD | APR_FPROT_UWRITE | APR_FPROT_GREAD | APR_FPROT_WREAD, p);
    if (rv == APR_SUCCESS) {
        rv = apr_file_printf(f, "%ld\n", (long)getpid()) > 0 ? APR_SUCCESS : APR_EGENERAL;
        apr_status_t crv = apr_file_close(f);
        rv = rv == APR_SUCCESS ? crv : rv;
        rv = rv == APR_SUCCESS ? apr_file_rename(tmp, path, p) : rv;
        if (rv != APR_SUCCESS) {
            apr_file_remove(tmp, p);
        }
    }
    if (rv != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, rv, NULL, "KV00404: could not write PidFile %s",
                     path);
        return rv;
    }
    apr_cpystrn(pidfile_written, path, sizeof(pidfile_written));
    return APR_SUCCESS;
}

KV_DECLARE(apr_status_t) kv_mpm_remove_pidfile(void)
{
    apr_pool_t *p;
    apr_status_t rv;

    if (pidfile_written[0] == '\0') {
        return APR_SUCCESS;
    }
    apr_pool_create(&p, NULL);
    rv = apr_file_remove(pidfile_written, p);
    apr_pool_destroy(p);
    if (rv != APR_SUCCESS && !APR_STATUS_IS_ENOENT(rv)) {
        kv_log_error(KV_LOG_MARK, KV_LOG_WARNING, rv, NULL, "KV00405: could not remove PidFile %s",
                     pidfile_written);
        return rv;
    }
    pidfile_written[0] = '\0';
    return APR_SUCCESS;
}

/* The signal `-k CMD` sends, or 0 for start, or -1 for an unknown command. */
static int signal_of_command(const char *cmd)
{
    static const struct {
        const char *cmd;
        int sig;
    } map[] = {{"start", 0},
               {"stop", SIGTERM},
               {"restart", SIGHUP},
               {"graceful", SIGUSR1},
               {"graceful-stop", SIGWINCH}};

    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (strcmp(cmd, map[i].cmd) == 0) {
            return map[i].sig;
        }
    }
    return -1;
}

static int pid_is_alive(pid_t pid)
{
    return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

KV_DECLARE(apr_status_t) kv_mpm_signal_server(pid_t pid, const char *cmd)
{
    int sig = signal_of_command(cmd);

    if (sig < 0) {
        fprintf(stderr, "kiva: unknown -k command %s\n", cmd);
        return APR_EINVAL;
    }
    if (!pid_is_alive(pid)) {
        if (sig != 0) {
            fprintf(stderr, "kiva (no pid file) not running\n");
        }
        return APR_FROM_OS_ERROR(ESRCH);
    }
    if (sig == 0) {
        fprintf(stderr, "kiva (pid %ld) already running\n", (long)pid);
        return APR_SUCCESS;
    }
    if (kill(pid, sig) != 0) {
        apr_status_t rv = APR_FROM_OS_ERROR(errno);
        char msg[120];

        fprintf(stderr, "kiva: could not send the %s signal to pid %ld: %s\n", cmd, (long)pid,
                apr_strerror(rv, msg, sizeof(msg)));
        return rv;
    }
    return APR_SUCCESS;
}

/* ---- Identity ---- */

/* Supplementary groups for @a user (configured name or "#uid"), as initgroups sets them;
 * a uid with no name gets only its primary group. */
/* The identity of User and Group, resolved now if the parent has not done it already. */
static apr_status_t identity_of(apr_pool_t *p, identity_t *id)
{
    apr_gid_t user_gid;
    apr_status_t rv;

    if (identity) {
        *id = *identity;
        return APR_SUCCESS;
    }
    rv = user_to_ids(p, kv_mpm_user(), &id->uid, &user_gid);
    if (rv == APR_SUCCESS) {
        rv = group_to_gid(p, kv_mpm_group(), &id->gid);
    }
    if (rv == APR_SUCCESS) {
        resolve_groups(p, kv_mpm_user(), id);
    }
    return rv;
}

KV_DECLARE(apr_status_t) kv_mpm_identity(apr_uid_t *uid, apr_gid_t *gid)
{
    identity_t id = {0};
    apr_pool_t *p;
    apr_status_t rv;

    apr_pool_create(&p, NULL);
    rv = identity_of(p, &id);
    apr_pool_destroy(p);
    *uid = id.uid;
    *gid = id.gid;
    return rv;
}

KV_DECLARE(apr_status_t) kv_mpm_change_identity(kv_server_t *s)
{
    const char *user = kv_mpm_user();
    const char *group = kv_mpm_group();
    identity_t id = {0};
    apr_pool_t *p;
    apr_status_t rv;

    if (geteuid() != 0) {
        return APR_SUCCESS;
    }
    apr_pool_create(&p, NULL);
    rv = identity_of(p, &id);
    if (rv == APR_SUCCESS && id.uid == 0) {
        rv = APR_FROM_OS_ERROR(EPERM);
    }
    if (rv != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_ALERT, rv, s,
                     "KV00406: cannot serve as User %s and Group %s", user, group);
    } else if (setgid(id.gid) != 0 || setgroups((size_t)id.ngroups, id.groups) != 0 ||
               setuid(id.uid) != 0 || geteuid() == 0) {
        rv = APR_FROM_OS_ERROR(errno ? errno : EPERM);
        kv_log_error(KV_LOG_MARK, KV_LOG_ALERT, rv, s,
                     "KV00407: could not switch to User %s and Group %s", user, group);
    }
    apr_pool_destroy(p);
    return rv;
}

/* ---- Signals of the parent ---- */

static volatile sig_atomic_t want_stop, want_graceful_stop, want_restart, want_graceful;
static apr_file_t *wake_in, *wake_out;
static int wake_fd = -1;

/* Make the wake-up pipe readable; a full pipe already is. */
static void wake_up(void)
{
    int saved = errno;

    if (wake_fd >= 0 && write(wake_fd, "", 1) < 0) {
        /* the pipe is full, so it is readable already */
    }
    errno = saved;
}

static void parent_on_signal(int sig)
{
    switch (sig) {
    case SIGTERM:
    case SIGINT:
        want_stop = 1;
        break;
    case SIGWINCH:
        want_graceful_stop = 1;
        break;
    case SIGHUP:
        want_restart = 1;
        break;
    case SIGUSR1:
        want_graceful = 1;
        break;
    default:
        break; /* SIGCHLD: only wake the wait */
    }
    wake_up();
}

static apr_status_t set_handler(int sig, void (*handler)(int), int flags)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = handler;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    return sigaction(sig, &sa, NULL) == 0 ? APR_SUCCESS : APR_FROM_OS_ERROR(errno);
}

static apr_status_t create_wake_pipe(void)
{
    apr_os_file_t fd;
    apr_status_t rv;

    if (wake_in) {
        return APR_SUCCESS;
    }
    rv = apr_file_pipe_create_ex(&wake_in, &wake_out, APR_FULL_NONBLOCK, kv_pglobal);
    if (rv != APR_SUCCESS) {
        wake_in = NULL;
        return rv;
    }
    apr_os_file_get(&fd, wake_out);
    wake_fd = fd;
    return APR_SUCCESS;
}

KV_DECLARE(apr_status_t) kv_mpm_parent_signals(void)
{
    static const int control[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGWINCH};
    apr_status_t rv = create_wake_pipe();

    for (size_t i = 0; rv == APR_SUCCESS && i < sizeof(control) / sizeof(control[0]); i++) {
        rv = set_handler(control[i], parent_on_signal, 0);
    }
    if (rv == APR_SUCCESS) {
        rv = set_handler(SIGCHLD, parent_on_signal, SA_NOCLDSTOP | SA_RESTART);
    }
    if (rv == APR_SUCCESS) {
        rv = set_handler(SIGPIPE, SIG_IGN, 0);
    }
    if (rv != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_CRIT, rv, NULL,
                     "KV00408: could not install the signal handlers");
    }
    return rv;
}

/* Clear @a flag and say whether it was set. */
static int take(volatile sig_atomic_t *flag)
{
    int was = *flag != 0;

    *flag = 0;
    return was;
}

KV_DECLARE(int) kv_mpm_take_signal(void)
{
    int result = -1;

    if (take(&want_stop)) {
        result = KV_MPM_STOP;
    }
    if (take(&want_graceful_stop) && result < 0) {
        result = KV_MPM_GRACEFUL_STOP;
    }
    if (take(&want_restart) && result < 0) {
        result = KV_MPM_RESTART;
    }
    if (take(&want_graceful) && result < 0) {
        result = KV_MPM_GRACEFUL;
    }
    return result;
}

static int signal_pending(void)
{
    return want_stop || want_graceful_stop || want_restart || want_graceful;
}

KV_DECLARE(void) kv_mpm_wait_event(apr_interval_time_t timeout)
{
    char buf[64];
    apr_size_t n;

    if (!wake_in) {
        return;
    }
    if (timeout > 0 && !signal_pending()) {
        apr_pollfd_t pfd = {0};
        apr_int32_t nready;

        pfd.p = kv_pglobal;
        pfd.desc_type = APR_POLL_FILE;
        pfd.desc.f = wake_in;
        pfd.reqevents = APR_POLLIN;
        apr_poll(&pfd, 1, &nready, timeout);
    }
    do {
        n = sizeof(buf);
    } while (apr_file_read(wake_in, buf, &n) == APR_SUCCESS && n == sizeof(buf));
}

KV_DECLARE(apr_file_t *) kv_mpm_wakeup_pipe(void)
{
    return wake_in;
}

/* ---- Signals of a child ---- */

static volatile sig_atomic_t child_exiting;
/* The child's copies of the listening sockets, and /dev/null to put in their place. */
static int *listen_fds;
static int n_listen_fds;
static int null_fd = -1;

static void child_on_stop(int sig)
{
    (void)sig;
    _exit(0);
}

/* Stop accepting: put /dev/null where the listeners were, so that a blocked accept or
 * poll returns at once and no connection is taken from the queue any more. */
static void child_on_graceful(int sig)
{
    int saved = errno;

    (void)sig;
    child_exiting = 1;
    for (int i = 0; i < n_listen_fds; i++) {
        if (null_fd >= 0) {
            dup2(null_fd, listen_fds[i]);
        } else {
            close(listen_fds[i]);
        }
    }
    n_listen_fds = 0;
    errno = saved;
}

static void remember_listeners(apr_pool_t *p)
{
    apr_file_t *devnull;
    apr_os_file_t fd;
    int n = 0;

    listen_fds = apr_pcalloc(p, sizeof(int) * (apr_size_t)(kv_listeners_count() + 1));
    for (kv_listen_rec_t *lr = kv_listeners; lr; lr = lr->next) {
        apr_os_sock_t sd;

        if (lr->sd && apr_os_sock_get(&sd, lr->sd) == APR_SUCCESS) {
            listen_fds[n++] = sd;
        }
    }
    n_listen_fds = n;
    if (apr_file_open(&devnull, "/dev/null", APR_FOPEN_READ, APR_OS_DEFAULT, p) == APR_SUCCESS &&
        apr_os_file_get(&fd, devnull) == APR_SUCCESS) {
        null_fd = fd;
    }
}

/* Give a new child its own handlers; the parent's wake-up pipe is not its business. */
static void child_signals(apr_pool_t *p)
{
    remember_listeners(p);
    set_handler(SIGTERM, child_on_stop, 0);
    set_handler(SIGHUP, child_on_stop, 0);
    set_handler(SIGINT, child_on_stop, 0);
    /* SA_RESTART keeps the reads and writes of a connection in progress undisturbed. */
    set_handler(SIGUSR1, child_on_graceful, SA_RESTART);
    set_handler(SIGWINCH, child_on_graceful, SA_RESTART);
    set_handler(SIGCHLD, SIG_DFL, 0);
    if (wake_in) {
        apr_file_close(wake_in);
        apr_file_close(wake_out);
        wake_in = wake_out = NULL;
        wake_fd = -1;
    }
}

KV_DECLARE(apr_status_t) kv_mpm_fork(apr_proc_t *proc, apr_pool_t *p)
{
    sigset_t all, old;
    apr_status_t rv;

    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    rv = apr_proc_fork(proc, p);
    if (rv == APR_INCHILD) {
        want_stop = want_graceful_stop = want_restart = want_graceful = 0;
        child_signals(p);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    return rv;
}

KV_DECLARE(int) kv_mpm_child_exiting(void)
{
    return child_exiting;
}

KV_DECLARE(const volatile sig_atomic_t *) kv_mpm_child_exiting_flag(void)
{
    return &child_exiting;
}

KV_DECLARE(void) kv_mpm_child_finish(void)
{
    child_exiting = 1;
}

KV_DECLARE(int) kv_mpm_count_connection(void)
{
    static int served;
    int limit = kv_mpm_max_connections_per_child();

    served++;
    return limit > 0 && served >= limit;
}

KV_DECLARE(void) kv_mpm_child_exit(apr_pool_t *pchild, int status)
{
    if (pchild) {
        apr_pool_destroy(pchild);
    }
    _exit(status);
}

/* ---- Children, seen from the parent ---- */

static int slot_of_pid(pid_t pid)
{
    int limit = kv_scoreboard_server_limit();

    for (int i = 0; i < limit; i++) {
        if (kv_scoreboard_process(i)->pid == pid) {
            return i;
        }
    }
    return -1;
}

static void free_slot(int slot)
{
    kv_sb_process_t *proc = kv_scoreboard_process(slot);
    int threads = kv_scoreboard_thread_limit();

    proc->pid = 0;
    proc->quiescing = 0;
    for (int t = 0; t < threads; t++) {
        kv_scoreboard_worker(slot, t)->status = KV_SB_DEAD;
    }
}

static void log_child_end(kv_server_t *s, pid_t pid, apr_exit_why_e why, int code)
{
    if (APR_PROC_CHECK_SIGNALED(why)) {
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, 0, s, "KV00409: child pid %ld exit signal %s (%d)%s",
                     (long)pid, apr_signal_description_get(code), code,
                     APR_PROC_CHECK_CORE_DUMP(why) ? ", possible coredump" : "");
    } else if (code == KV_MPM_CHILD_FATAL) {
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, 0, s,
                     "KV00410: child pid %ld could not start serving (exit status %d)", (long)pid,
                     code);
    } else {
        kv_log_error(KV_LOG_MARK, KV_LOG_DEBUG, 0, s, "KV00411: child pid %ld exit status %d",
                     (long)pid, code);
    }
}

KV_DECLARE(int) kv_mpm_reap_children(kv_server_t *s, kv_mpm_reaped_fn fn, void *baton)
{
    apr_proc_t proc;
    apr_exit_why_e why;
    int code, reaped = 0;

    while (apr_proc_wait_all_procs(&proc, &code, &why, APR_NOWAIT, kv_pglobal) == APR_CHILD_DONE) {
        int slot = slot_of_pid(proc.pid);
        kv_sb_process_t was;

        reaped++;
        log_child_end(s, proc.pid, why, code);
        if (slot < 0) {
            /* Not a server child: maybe a program a module keeps running (a piped log). */
            apr_proc_other_child_alert(&proc, APR_OC_REASON_DEATH, code);
            if (fn) {
                fn(baton, -1, NULL, why, code);
            }
            continue;
        }
        was = *kv_scoreboard_process(slot);
        free_slot(slot);
        if (fn) {
            fn(baton, slot, &was, why, code);
        }
    }
    /* Programs started before the parent detached are no children of it: they are LOST. */
    apr_proc_other_child_refresh_all(APR_OC_REASON_RUNNING);
    return reaped;
}

/* A slot that holds a child of ours (never this process: -X serves in slot 0). */
static int slot_has_child(const kv_sb_process_t *proc)
{
    return proc->pid > 0 && proc->pid != getpid();
}

KV_DECLARE(int) kv_mpm_live_children(void)
{
    int limit = kv_scoreboard_server_limit(), n = 0;

    for (int i = 0; i < limit; i++) {
        n += slot_has_child(kv_scoreboard_process(i));
    }
    return n;
}

static void signal_children(int sig)
{
    int limit = kv_scoreboard_server_limit();

    for (int i = 0; i < limit; i++) {
        kv_sb_process_t *proc = kv_scoreboard_process(i);

        if (slot_has_child(proc)) {
            kill(proc->pid, sig);
        }
    }
}

KV_DECLARE(void) kv_mpm_tell_child_to_exit(int slot)
{
    kv_sb_process_t *proc = kv_scoreboard_process(slot);

    if (proc && slot_has_child(proc)) {
        proc->quiescing = 1;
        kill(proc->pid, SIGUSR1);
    }
}

KV_DECLARE(int) kv_mpm_tell_children_to_exit(void)
{
    int limit = kv_scoreboard_server_limit(), n = 0;

    for (int i = 0; i < limit; i++) {
        if (slot_has_child(kv_scoreboard_process(i))) {
            kv_mpm_tell_child_to_exit(i);
            n++;
        }
    }
    return n;
}

/* When each process slot's child, told to finish by a graceful restart, is to be stopped
 * (0: never); sized to the scoreboard on first use, which keeps its size for good. */
static apr_time_t *drain_deadline;

KV_DECLARE(int) kv_mpm_retire_children(apr_interval_time_t timeout)
{
    int limit = kv_scoreboard_server_limit(), n = 0;
    apr_time_t deadline = timeout > 0 ? apr_time_now() + timeout : 0;

    if (!drain_deadline) {
        drain_deadline = apr_pcalloc(kv_pglobal, sizeof(apr_time_t) * (apr_size_t)limit);
    }
    for (int i = 0; i < limit; i++) {
        kv_sb_process_t *proc = kv_scoreboard_process(i);

        if (slot_has_child(proc)) {
            if (!proc->quiescing || (deadline && (!drain_deadline[i] ||
                                                   deadline < drain_deadline[i]))) {
                drain_deadline[i] = deadline;
            }
            kv_mpm_tell_child_to_exit(i);
            n++;
        }
    }
    return n;
}

KV_DECLARE(void) kv_mpm_stop_overdue_children(kv_server_t *s)
{
    int limit = kv_scoreboard_server_limit();
    apr_time_t now = apr_time_now();

    for (int i = 0; drain_deadline && i < limit; i++) {
        kv_sb_process_t *proc = kv_scoreboard_process(i);

        if (!slot_has_child(proc) || !proc->quiescing) {
            drain_deadline[i] = 0;
        } else if (drain_deadline[i] && now >= drain_deadline[i]) {
            kv_log_error(KV_LOG_MARK, KV_LOG_WARNING, 0, s,
                         "KV00971: GracefulShutdownTimeout expired for child pid %ld of "
                         "generation %d, still serving after a graceful restart; stopping it",
                         (long)proc->pid, proc->generation);
            kill(proc->pid, SIGTERM);
            drain_deadline[i] = 0;
        }
    }
}

/* Reap until no child is left or @a deadline passes (0: no deadline), or, if
 * @a stop_on_term, until a stop is asked for. Returns the children still alive. */
static int wait_for_children(kv_server_t *s, apr_time_t deadline, int stop_on_term)
{
    for (;;) {
        kv_mpm_reap_children(s, NULL, NULL);
        int left = kv_mpm_live_children();
        apr_time_t now = apr_time_now();

        if (left == 0 || (deadline && now >= deadline)) {
            return left;
        }
        if (stop_on_term && want_stop) {
            return left;
        }
        kv_mpm_wait_event(deadline ? (deadline - now < REAP_TICK ? deadline - now : REAP_TICK)
                                   : REAP_TICK);
    }
}

KV_DECLARE(void) kv_mpm_stop_children(kv_server_t *s)
{
    int left;

    signal_children(SIGTERM);
    if (wait_for_children(s, apr_time_now() + STOP_GRACE, 0) == 0) {
        return;
    }
    kv_log_error(KV_LOG_MARK, KV_LOG_WARNING, 0, s,
                 "KV00412: %d children did not exit on SIGTERM; sending SIGKILL",
                 kv_mpm_live_children());
    signal_children(SIGKILL);
    left = wait_for_children(s, apr_time_now() + KILL_GRACE, 0);
    if (left > 0) {
        kv_log_error(KV_LOG_MARK, KV_LOG_ERR, 0, s,
                     "KV00413: %d children could not be reaped after SIGKILL", left);
    }
}

KV_DECLARE(void) kv_mpm_graceful_stop_children(kv_server_t *s, apr_interval_time_t timeout)
{
    kv_mpm_tell_children_to_exit();
    if (wait_for_children(s, timeout > 0 ? apr_time_now() + timeout : 0, 1) == 0) {
        return;
    }
    if (!want_stop) {
        kv_log_error(KV_LOG_MARK, KV_LOG_WARNING, 0, s,
                     "KV00414: GracefulShutdownTimeout expired with %d children still "
                     "serving; stopping them",
                     kv_mpm_live_children());
    }
    kv_mpm_stop_children(s);
}
