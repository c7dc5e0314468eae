/* kiva's entry point: the command line, and the loop of configuration generations.
 * Each generation reads the configuration into its own pool, opens logs and listeners,
 * and runs the MPM until a signal asks for a stop or a restart. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_getopt.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include <apr_version.h>
#include <apu_version.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "config_dump.h"
#include "config_walk.h"
#include "config_read.h"
#include "core.h"
#include "kv_listen.h"
#include "kv_log.h"
#include "kv_mpm.h"
#include "kv_mpm_common.h"
#include "kv_scoreboard.h"
#include "log_target.h"
#include "module.h"
#include "vhost.h"

#define KV_LOG_MODULE "core"
#define KV_DEFAULT_CONF "conf/kiva.conf"
/* How long -k graceful and -k restart wait for the server to report the new generation:
 * a restart stops children for up to 4 s and checks the configuration in a child. */
#define KV_RELOAD_WAIT apr_time_from_sec(60)
#define RELOAD_POLL apr_time_from_msec(50)

/* What the command line asked for. */
typedef struct {
    const char *conf_file;
    const char *server_root;
    apr_array_header_t *pre_directives;  /* -C: before the file */
    apr_array_header_t *post_directives; /* -c: after the file */
    apr_array_header_t *defines;         /* -D */
    const char *signal_cmd;              /* -k */
    int test_only;                       /* -t */
    int dump_vhosts;                     /* -S, -D DUMP_VHOSTS */
    int dump_run_cfg;                    /* -S, -D DUMP_RUN_CFG */
    int show_modules;                    /* -M, -D DUMP_MODULES */
    int show_directives;                 /* -L */
    int one_process;                     /* -X */
} options_t;

/* One configuration generation. */
typedef struct {
    apr_pool_t *pconf;
    apr_pool_t *plog;
    apr_pool_t *ptemp;
    kv_server_t *server;
    apr_array_header_t *warnings;
} generation_t;

static void usage(const char *prog)
{
    fprintf(stderr,
            "Usage: %s [-D name] [-d directory] [-f file]\n"
            "       %*s [-C \"directive\"] [-c \"directive\"]\n"
            "       %*s [-k start|restart|graceful|graceful-stop|stop]\n"
            "       %*s [-v] [-V] [-h] [-l] [-L] [-t] [-S] [-M] [-X]\n"
            "Options:\n"
            "  -D name            : define a name for use in <IfDefine name> directives\n"
            "  -d directory       : specify an alternate initial ServerRoot\n"
            "  -f file            : specify an alternate ServerConfigFile\n"
            "  -C \"directive\"     : process directive before reading config files\n"
            "  -c \"directive\"     : process directive after reading config files\n"
            "  -k command         : signal the running server (by its PidFile)\n"
            "  -v                 : show version number\n"
            "  -V                 : show compile settings\n"
            "  -h                 : list available command line options (this page)\n"
            "  -l                 : list compiled in modules\n"
            "  -L                 : list the directives of the loaded modules\n"
            "  -t -D DUMP_VHOSTS  : show parsed vhost settings\n"
            "  -t -D DUMP_RUN_CFG : show parsed run settings\n"
            "  -S                 : a synonym for -t -D DUMP_VHOSTS -D DUMP_RUN_CFG\n"
            "  -t -D DUMP_MODULES : show all loaded modules\n"
            "  -M                 : a synonym for -t -D DUMP_MODULES\n"
            "  -t                 : run syntax check for config files\n"
            "  -X                 : debug mode (one process, stays in the foreground)\n"
            "  -DFOREGROUND       : stay in the foreground\n",
            prog, (int)strlen(prog), "", (int)strlen(prog), "", (int)strlen(prog), "");
}

static void show_version(void)
{
    printf("Server version: kiva/%s (Unix)\n", KV_VERSION);
    printf("Server built:   %s %s\n", __DATE__, __TIME__);
}

static void show_settings(void)
{
    char pcre[64];

    pcre2_config(PCRE2_CONFIG_VERSION, pcre);
    show_version();
    printf("Server's Module Magic Number: %08X:%d\n", KV_MODULE_MAGIC, KV_MODULE_ABI);
    printf("Server loaded:  APR %s, APR-UTIL %s, PCRE2 %s\n", apr_version_string(),
           apu_version_string(), pcre);
    printf("Compiled using: APR %s, APR-UTIL %s\n", APR_VERSION_STRING, APU_VERSION_STRING);
    printf("Architecture:   %d-bit\n", (int)sizeof(void *) * 8);
    printf("Server compiled with....\n");
    printf(" -D KV_PREFIX=\"%s\"\n", KV_PREFIX);
    printf(" -D KV_MODULES_DIR=\"%s\"\n", KV_MODULES_DIR);
    printf(" -D SERVER_CONFIG_FILE=\"%s\"\n", KV_DEFAULT_CONF);
    printf(" -D DEFAULT_PIDLOG=\"logs/kiva.pid\"\n");
    printf(" -D DEFAULT_ERRORLOG=\"logs/error_log\"\n");
}

/* The modules every generation starts with, as httpd's compiled-in modules. */
static kv_module_t *const builtin_modules[] = {&core_module, &mpm_common_module,
                                               &http_core_module};

/* -l */
static void show_compiled_modules(void)
{
    printf("Compiled in modules:\n");
    for (size_t i = 0; i < sizeof(builtin_modules) / sizeof(builtin_modules[0]); i++) {
        printf("  %s.c\n", builtin_modules[i]->name);
    }
}

/* -D NAME, and the dumps httpd ties to some names (-D DUMP_VHOSTS is -S's half). */
static void add_define(apr_pool_t *p, options_t *o, const char *name)
{
    APR_ARRAY_PUSH(o->defines, const char *) = apr_pstrdup(p, name);
    o->dump_vhosts |= strcmp(name, "DUMP_VHOSTS") == 0;
    o->dump_run_cfg |= strcmp(name, "DUMP_RUN_CFG") == 0;
    o->show_modules |= strcmp(name, "DUMP_MODULES") == 0;
}

static int valid_signal_cmd(const char *cmd)
{
    static const char *const cmds[] = {"start", "stop", "restart", "graceful", "graceful-stop"};

    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (strcmp(cmd, cmds[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Returns 0 when the options are usable; prints why not otherwise. */
static int parse_options(apr_pool_t *p, int argc, const char *const *argv, options_t *o)
{
    apr_getopt_t *opt;
    char c;
    const char *arg;
    apr_status_t rv;

    memset(o, 0, sizeof(*o));
    o->pre_directives = apr_array_make(p, 2, sizeof(const char *));
    o->post_directives = apr_array_make(p, 2, sizeof(const char *));
    o->defines = apr_array_make(p, 2, sizeof(const char *));
    apr_getopt_init(&opt, p, argc, argv);
    opt->errfn = NULL;
    while ((rv = apr_getopt(opt, "f:d:C:c:D:k:tvVMSlLXh", &c, &arg)) == APR_SUCCESS) {
        switch (c) {
        case 'f': o->conf_file = arg; break;
        case 'd': o->server_root = arg; break;
        case 'C': APR_ARRAY_PUSH(o->pre_directives, const char *) = arg; break;
        case 'c': APR_ARRAY_PUSH(o->post_directives, const char *) = arg; break;
        case 'D': add_define(p, o, arg); break;
        case 'k':
            if (!valid_signal_cmd(arg)) {
                fprintf(stderr, "kiva: -k takes start, stop, restart, graceful or "
                                "graceful-stop, not '%s'\n", arg);
                return 1;
            }
            o->signal_cmd = arg;
            break;
        case 't': o->test_only = 1; break;
        case 'M': add_define(p, o, "DUMP_MODULES"); break;
        case 'S':
            add_define(p, o, "DUMP_VHOSTS");
            add_define(p, o, "DUMP_RUN_CFG");
            break;
        case 'l': show_compiled_modules(); exit(0);
        case 'L': o->show_directives = 1; break;
        case 'X': o->one_process = 1; break;
        case 'v': show_version(); exit(0);
        case 'V': show_settings(); exit(0);
        case 'h': usage(argv[0]); exit(0);
        default: break;
        }
    }
    if (rv != APR_EOF) {
        fprintf(stderr, "kiva: %s option: %s\n", rv == APR_BADARG ? "missing argument for an"
                                                                   : "unknown",
                argv[opt->ind - 1]);
        usage(argv[0]);
        return 1;
    }
    if (opt->ind < argc) {
        fprintf(stderr, "kiva: unexpected argument '%s'\n", argv[opt->ind]);
        usage(argv[0]);
        return 1;
    }
    return 0;
}

/* Errors are collected in rd->errors. */
static void read_directive_lines(kv_config_reader_t *rd, const apr_array_header_t *lines,
                                 const char *name, kv_directive_t **tree)
{
    for (int i = 0; i < lines->nelts; i++) {
        kv_config_read_line(rd, APR_ARRAY_IDX(lines, i, const char *), name, tree);
    }
}

static const char *check_one_mpm(void)
{
    apr_array_header_t *mpms = kv_hook_get_mpm();

    if (!mpms || mpms->nelts == 0) {
        return "no MPM loaded: add exactly one LoadModule line for an MPM, e.g. "
               "LoadModule mpm_prefork_module modules/mod_mpm_prefork.so";
    }
    return NULL;
}

/* Read and run the whole configuration into g. Returns NULL or the messages to show, one a
 * line: every error is reported in one run (httpd stops at the first). */
static const char *build_generation(const options_t *o, generation_t *g)
{
    kv_config_reader_t rd;
    kv_directive_t *tree = NULL;
    const char *errors;

    apr_hook_global_pool = g->pconf;
    kv_server_root = o->server_root
                         ? apr_pstrdup(g->pconf, o->server_root)
                         : KV_PREFIX;
    kv_config_defines_reset(g->pconf, o->defines);
    kv_modules_reset();
    g->server = kv_server_create(g->pconf);
    g->warnings = apr_array_make(g->pconf, 2, sizeof(const char *));
    for (size_t i = 0; i < sizeof(builtin_modules) / sizeof(builtin_modules[0]); i++) {
        kv_module_add(g->pconf, builtin_modules[i], NULL, g->server);
    }

    memset(&rd, 0, sizeof(rd));
    rd.pool = g->pconf;
    rd.temp_pool = g->ptemp;
    rd.warnings = g->warnings;
    read_directive_lines(&rd, o->pre_directives, "-C", &tree);
    kv_config_read_file(&rd, o->conf_file ? o->conf_file : KV_DEFAULT_CONF, &tree);
    read_directive_lines(&rd, o->post_directives, "-c", &tree);
    errors = rd.errors;
    kv_config_add_errors(g->pconf, &errors, kv_config_run(g->pconf, g->ptemp, g->server, tree));
    /* The checks of the whole would only report what the unread part may have set. */
    if (!rd.incomplete) {
        kv_config_add_errors(g->pconf, &errors, kv_core_finish_config(g->pconf, g->server));
        kv_config_add_errors(g->pconf, &errors, check_one_mpm());
    }
    if (!errors) {
        kv_handler_names_check(g->pconf, g->warnings);
        apr_hook_sort_all();
        /* The modules' checks of the whole (mod_ssl's certificates), by -t as at a start. */
        if (kv_run_check_config(g->pconf, g->ptemp, g->server) != KV_OK) {
            errors = "a module's check of the configuration failed; see the messages above";
        }
    }
    return errors ? kv_config_errors_in_order(g->pconf, errors) : NULL;
}

static void generation_pools(generation_t *g)
{
    memset(g, 0, sizeof(*g));
    apr_pool_create(&g->pconf, kv_pglobal);
    apr_pool_create(&g->plog, kv_pglobal);
    apr_pool_create(&g->ptemp, g->pconf);
    apr_pool_tag(g->pconf, "pconf");
    apr_pool_tag(g->plog, "plog");
}

/* Unload the generation: hooks first, since they point into the modules pconf unloads. */
static void generation_destroy(generation_t *g)
{
    apr_hook_deregister_all();
    apr_pool_destroy(g->plog);
    apr_pool_destroy(g->pconf);
}

static void print_warnings(const generation_t *g)
{
    for (int i = 0; i < g->warnings->nelts; i++) {
        fprintf(stderr, "kiva: %s\n", APR_ARRAY_IDX(g->warnings, i, const char *));
    }
}

/* The status file: PidFile with ".pid" replaced by ".status" (logs/kiva.status by
 * default). The parent rewrites it whenever a generation starts serving, so that `-k
 * graceful` and `-k restart` can tell when the reload they asked for is done and how it
 * went. Its lines: "generation N", "pid P", "result ok|failed", and for a failed reload
 * "error FILE:LINE: REASON". */
static const char *status_path(apr_pool_t *p)
{
    const char *pid = kv_mpm_pidfile();
    size_t n = strlen(pid);

    if (n > 4 && strcmp(pid + n - 4, ".pid") == 0) {
        return apr_pstrcat(p, apr_pstrndup(p, pid, n - 4), ".status", NULL);
    }
    return apr_pstrcat(p, pid, ".status", NULL);
}

/* "Syntax error on line N of FILE: REASON" as "FILE:N: REASON"; other messages as they are. */
static const char *error_as_file_line(apr_pool_t *p, const char *err)
{
    static const char prefix[] = "Syntax error on line ";
    unsigned line;
    int used = 0;
    const char *file, *colon;

    if (strncmp(err, prefix, sizeof(prefix) - 1) != 0 ||
        sscanf(err + sizeof(prefix) - 1, "%u of %n", &line, &used) != 1 || used == 0) {
        return err;
    }
    file = err + sizeof(prefix) - 1 + used;
    colon = strstr(file, ": ");
    if (!colon) {
        return err;
    }
    return apr_psprintf(p, "%.*s:%u: %s", (int)(colon - file), file, line, colon + 2);
}

/* Each line of @a err as "kiva: LINE", and with @a file_line also as "FILE:N: reason". */
static void print_errors(const char *err, int file_line)
{
    while (err && *err) {
        const char *nl = strchr(err, '\n');
        const char *line = nl ? apr_pstrndup(kv_pglobal, err, (apr_size_t)(nl - err)) : err;
        const char *located = error_as_file_line(kv_pglobal, line);

        fprintf(stderr, "kiva: %s\n", line);
        if (file_line && located != line) {
            fprintf(stderr, "%s\n", located);
        }
        err = nl ? nl + 1 : NULL;
    }
}

/* Write the status file for the running generation; @a err is the failed reload's messages
 * (one a line) or NULL. Written to a temporary file and renamed, so a reader never sees half
 * of it. */
static void write_status(apr_pool_t *p, kv_server_t *s, const char *err)
{
    const char *path = status_path(p);
    const char *tmp = apr_pstrcat(p, path, ".tmp", NULL);
    FILE *f;
    int ok;

    errno = 0;
    f = fopen(tmp, "w");
    ok = f != NULL;
    if (f) {
        ok = fprintf(f, "generation %d\npid %ld\nresult %s\n", kv_my_generation,
                     (long)getpid(), err ? "failed" : "ok") > 0;
        for (const char *e = err; ok && e && *e;) {
            const char *nl = strchr(e, '\n');
            const char *line = nl ? apr_pstrndup(p, e, (apr_size_t)(nl - e)) : e;
            ok = fprintf(f, "error %s\n", error_as_file_line(p, line)) > 0;
            e = nl ? nl + 1 : NULL;
        }
        ok = fclose(f) == 0 && ok;
    }
    if (!ok || rename(tmp, path) != 0) {
        kv_log_error(KV_LOG_MARK, KV_LOG_WARNING, errno ? APR_FROM_OS_ERROR(errno) : 0, s,
                     "KV00970: could not write the status file %s", path);
    }
}

/* The status file's generation (-1 if there is none yet); *failed and *errors (one
 * "FILE:LINE: REASON" a line) say how the reload that made it went. */
static int read_status(apr_pool_t *p, const char *path, int *failed, const char **errors)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    int generation = -1;

    *failed = 0;
    *errors = "";
    if (!f) {
        return -1;
    }
    while (fgets(line, sizeof(line), f)) {
        if (sscanf(line, "generation %d", &generation) == 1) {
            continue;
        }
        if (strcmp(line, "result failed\n") == 0) {
            *failed = 1;
        } else if (strncmp(line, "error ", 6) == 0) {
            *errors = apr_pstrcat(p, *errors, line + 6, NULL);
        }
    }
    fclose(f);
    return generation;
}

/* After a restart signal: wait until the server's status file shows a newer generation
 * than @a before, or the server is gone, or KV_RELOAD_WAIT passes. Prints what failed. */
static int wait_for_reload(apr_pool_t *p, pid_t pid, int before)
{
    const char *path = status_path(p);
    apr_time_t deadline = apr_time_now() + KV_RELOAD_WAIT;
    int failed;
    const char *errors;

    for (;;) {
        if (read_status(p, path, &failed, &errors) > before) {
            if (failed) {
                fprintf(stderr, "%s", errors);
                fprintf(stderr, "kiva: the new configuration was NOT loaded; the server goes "
                                "on with the previous one\n");
            }
            return failed;
        }
        if (kill(pid, 0) != 0 && errno == ESRCH) {
            fprintf(stderr, "kiva: the server (pid %ld) exited during the restart; see its "
                            "error log\n", (long)pid);
            return 1;
        }
        if (apr_time_now() >= deadline) {
            fprintf(stderr, "kiva: the server (pid %ld) did not report the new generation "
                            "within %d seconds; see its error log\n",
                    (long)pid, (int)apr_time_sec(KV_RELOAD_WAIT));
            return 1;
        }
        apr_sleep(RELOAD_POLL);
    }
}

static int is_restart_cmd(const char *cmd)
{
    return strcmp(cmd, "graceful") == 0 || strcmp(cmd, "restart") == 0;
}

/* -k: signal the server whose pid is in PidFile; for a restart, wait for its outcome. */
static int signal_server(const char *cmd)
{
    pid_t pid = 0;
    int running = kv_mpm_read_pidfile(kv_mpm_pidfile(), &pid) == APR_SUCCESS && pid > 0 &&
                  kill(pid, 0) == 0;
    int failed, before;
    const char *errors;

    if (strcmp(cmd, "start") == 0) {
        if (running) {
            fprintf(stderr, "kiva (pid %d) already running\n", (int)pid);
            return 0;
        }
        return -1; /* go on and start */
    }
    if (!running) {
        fprintf(stderr, "kiva (%s) not running\n",
                pid > 0 ? apr_psprintf(kv_pglobal, "pid %d?", (int)pid) : "no pid file");
        return 1;
    }
    before = read_status(kv_pglobal, status_path(kv_pglobal), &failed, &errors);
    if (kv_mpm_signal_server(pid, cmd) != APR_SUCCESS) {
        return 1;
    }
    return is_restart_cmd(cmd) ? wait_for_reload(kv_pglobal, pid, before) : 0;
}

static int start_generation(generation_t *g, int first);

/* Check the configuration in a forked child that runs the same code as -t, so a broken
 * edit is found before the running generation is torn down (hook tables and loaded
 * modules are process-wide). Returns NULL if it is good, else the child's message. */
static const char *check_config_in_child(const options_t *o, apr_pool_t *p)
{
    int fds[2];
    pid_t pid;
    /* Room for every error the check reports (at most KV_CONFIG_MAX_ERRORS lines). */
    const ssize_t cap = 128 * 1024;
    char *buf = apr_palloc(p, (apr_size_t)cap);
    ssize_t n, len = 0;
    int status = 0;

    if (pipe(fds) != 0) {
        return "cannot create a pipe to check the new configuration";
    }
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return "cannot fork to check the new configuration";
    }
    if (pid == 0) {
        generation_t g;
        const char *err;

        close(fds[0]);
        /* Start from nothing, as a fresh process would: no hooks, no listeners. */
        apr_hook_deregister_all();
        kv_listeners = NULL;
        generation_pools(&g);
        err = build_generation(o, &g);
        /* Starting it too runs the modules' post_config (log files, piped loggers), whose
         * failures would otherwise only show once the old generation is gone. */
        if (!err && start_generation(&g, 0) != 0) {
            err = "the new configuration failed to start; see the error log";
        }
        generation_destroy(&g);
        if (err && write(fds[1], err, strlen(err)) < 0) {
            _exit(2);
        }
        _exit(err ? 1 : 0);
    }
    close(fds[1]);
    while (len < cap - 1) {
        n = read(fds[0], buf + len, (size_t)(cap - 1 - len));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        len += n;
    }
    close(fds[0]);
    buf[len] = '\0';
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        return NULL;
    }
    return len > 0 ? buf : "the configuration check failed";
}

/* Open what the generation serves with: listeners, the error log, module state. */
static int start_generation(generation_t *g, int first)
{
    kv_core_server_conf_t *sconf = kv_core_sconf(g->server);
    const kv_listen_conf_t listeners = {
        .specs = sconf->listen_specs,
        .backlog = sconf->listen_backlog,
        .send_buffer_size = sconf->send_buffer_size,
        .receive_buffer_size = sconf->receive_buffer_size,
        .accept_filters = sconf->accept_filters,
    };
    apr_status_t rv;

    if (kv_setup_listeners(g->server, &listeners) != 0) {
        if (first) {
            fprintf(stderr, "kiva: no listening sockets available, shutting down\n");
        }
        return 1;
    }
    for (kv_server_t *s = g->server; s; s = s->next) {
        const char *path = kv_core_sconf(s)->error_log;
        if (s != g->server && strcmp(path, sconf->error_log) == 0) {
            s->error_log = g->server->error_log;
            continue;
        }
        rv = kv_open_error_log(g->plog, s, path);
        if (rv != APR_SUCCESS) {
            char err[256];
            fprintf(stderr, "kiva: could not open error log file %s: %s\n", path,
                    apr_strerror(rv, err, sizeof(err)));
            return 1;
        }
    }
    if (kv_run_post_config(g->pconf, g->plog, g->ptemp, g->server) != KV_OK) {
        kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, 0, g->server,
                     "KV00020: a module failed to start; see the messages above");
        if (first) {
            fprintf(stderr, "kiva: a module failed to start; see %s\n", sconf->error_log);
        }
        return 1;
    }
    return 0;
}

static int detach(const generation_t *g)
{
    apr_status_t rv = apr_proc_detach(APR_PROC_DETACH_DAEMONIZE);

    if (rv != APR_SUCCESS) {
        kv_log_error(KV_LOG_MARK, KV_LOG_CRIT, rv, g->server, "KV00021: could not detach");
        return 1;
    }
    kv_error_log_to_stderr(g->server);
    return 0;
}

/* Under -X a process started as root has switched to User to serve: it could not build a
 * new generation (logs, PidFile), so a restart stops it, as httpd's -X does. */
static int started_as_root;

static int cannot_restart_here(const options_t *o)
{
    return o->one_process && started_as_root && geteuid() != 0;
}

static int serve(const options_t *o, generation_t *g)
{
    int foreground = o->one_process || kv_exists_define("FOREGROUND");
    const char *reload_err = NULL; /* why the last reload failed */
    int result;

    /* Before the listeners open or the status file says it serves: a signal sent as soon
     * as the server looks ready must be acted on, not kill it (HUP, USR1) or be lost
     * (WINCH) by the default action. */
    if (kv_mpm_parent_signals() != APR_SUCCESS) {
        return 1;
    }
    if (start_generation(g, 1) != 0 || (!foreground && detach(g) != 0)) {
        return 1;
    }
    for (;;) {
        if (kv_mpm_write_pidfile(g->pconf) != APR_SUCCESS) {
            return 1;
        }
        write_status(g->ptemp, g->server, reload_err);
        kv_log_error(KV_LOG_MARK, KV_LOG_NOTICE, 0, g->server,
                     "KV00022: kiva/%s configured -- resuming normal operations (generation %d)",
                     KV_VERSION, kv_my_generation);
        result = kv_run_mpm(g->pconf, g->plog, g->server);
        if (result != KV_MPM_RESTART && result != KV_MPM_GRACEFUL) {
            break;
        }
        if (cannot_restart_here(o)) {
            kv_log_error(KV_LOG_MARK, KV_LOG_ERR, 0, g->server,
                         "KV01022: -X serves as User %s, which cannot read the configuration "
                         "or open the logs again as root did: stopping instead of restarting",
                         kv_mpm_user());
            result = KV_MPM_STOP;
            break;
        }
        kv_scoreboard_note_restart(result == KV_MPM_GRACEFUL ? KV_SB_RESTART_GRACEFUL
                                                             : KV_SB_RESTART_HARD);
        const char *err = check_config_in_child(o, g->ptemp);
        kv_my_generation++;
        reload_err = err;
        for (const char *e = err; e && *e;) {
            const char *nl = strchr(e, '\n');
            kv_log_error(KV_LOG_MARK, KV_LOG_ERR, 0, g->server,
                         "KV00023: %.*s; the new configuration was NOT loaded, still serving "
                         "the previous one",
                         nl ? (int)(nl - e) : (int)strlen(e), e);
            e = nl ? nl + 1 : NULL;
        }
        if (err) {
            continue;
        }
        generation_destroy(g);
        generation_pools(g);
        err = build_generation(o, g);
        if (err || start_generation(g, 0) != 0) {
            /* The file changed between the check and the load: nothing left to serve with. */
            fprintf(stderr, "kiva: %s\n", err ? err : "could not start the new generation");
            kv_mpm_remove_pidfile();
            return 1;
        }
    }
    kv_mpm_remove_pidfile();
    kv_log_error(KV_LOG_MARK, KV_LOG_NOTICE, 0, g->server, "KV00024: shutting down");
    kv_close_listeners();
    return result == KV_MPM_FAILED ? 1 : 0;
}

int main(int argc, const char *const *argv)
{
    options_t o;
    generation_t g;
    const char *err;
    int rc;

    apr_app_initialize(&argc, &argv, NULL);
    atexit(apr_terminate);
    apr_pool_create(&kv_pglobal, NULL);
    apr_pool_tag(kv_pglobal, "pglobal");
    if (parse_options(kv_pglobal, argc, argv, &o) != 0) {
        return 1;
    }
    kv_mpm_one_process = o.one_process;
    started_as_root = geteuid() == 0;
    generation_pools(&g);
    err = build_generation(&o, &g);
    print_warnings(&g);
    if (err) {
        print_errors(err, o.signal_cmd != NULL);
        return 1;
    }
    if (o.dump_vhosts || o.dump_run_cfg || o.show_modules || o.show_directives) {
        /* httpd's configuration dumps: what was read, without "Syntax OK". */
        if (o.dump_vhosts) {
            kv_vhosts_print(stdout, g.ptemp, g.server);
        }
        if (o.dump_run_cfg) {
            kv_dump_run_config(stdout, g.ptemp, g.server);
        }
        if (o.show_modules) {
            kv_modules_print(stdout);
        }
        if (o.show_directives) {
            kv_modules_print_directives(stdout);
        }
        return 0;
    }
    if (o.test_only) {
        /* The MPM reports the limits it brings into range (e.g. MaxRequestWorkers clamped
         * by ServerLimit) when first asked; the server asks only once it starts. */
        kv_mpm_query(KV_MPMQ_MAX_WORKERS);
        fprintf(stderr, "Syntax OK\n");
        return 0;
    }
    if (o.signal_cmd && (rc = signal_server(o.signal_cmd)) >= 0) {
        return rc;
    }
    rc = serve(&o, &g);
    generation_destroy(&g);
    return rc;
}
