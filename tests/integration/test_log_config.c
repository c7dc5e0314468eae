/* mod_log_config under prefork: CustomLog with many directives, the built-in combined
 * format, env= conditions, TransferLog, refused formats, and piped logs whose program is
 * restarted on the same pipe when it dies and replaced on a restart. */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINE_DEADLINE_MS 5000
#define LOGGER_DEADLINE_MS 8000

static kvt_server_t *new_server(void)
{
    kvt_server_t *srv = kvt_server_new("prefork");

    kvt_server_conf(srv, "LoadModule log_config_module %s/modules/.libs/mod_log_config.so",
                    KV_TEST_BUILDDIR);
    kvt_write_file(srv, "f.txt", "hello", 5);
    return srv;
}

static char *log_path(kvt_server_t *srv, const char *name)
{
    return kvt_strf("%s/logs/%s", kvt_server_root(srv), name);
}

/* The file's contents (malloc'd; "" if it does not exist). */
static char *slurp(const char *path)
{
    char *s = kvt_read_file(path);

    return s != NULL ? s : kvt_strf("%s", "");
}

static int count_lines(const char *s)
{
    int n = 0;

    for (; *s; s++) {
        n += *s == '\n';
    }
    return n;
}

struct lines {
    const char *path;
    int want;
};

static int has_lines(void *arg)
{
    struct lines *l = arg;
    char *s = slurp(l->path);
    int ok = count_lines(s) >= l->want;

    free(s);
    return ok;
}

/* Wait (bounded) until @a path has @a n lines; returns the file's contents. */
static char *wait_lines(const char *path, int n)
{
    struct lines l = {path, n};
    char *s;

    kvt_wait_for(has_lines, &l, LINE_DEADLINE_MS);
    s = slurp(path);
    ck_assert_msg(count_lines(s) == n, "%s has %d lines, want %d:\n%s", path, count_lines(s), n, s);
    return s;
}

/* Line @a i (0-based) of @a s, without its newline (malloc'd). */
static char *line_of(const char *s, int i)
{
    for (; i > 0; i--) {
        s = strchr(s, '\n') + 1;
    }
    return strndup(s, strcspn(s, "\n"));
}

static void request(kvt_server_t *srv, const char *req, int status)
{
    kvt_response_t resp;

    ck_assert_int_eq(kvt_request(kvt_server_port(srv), req, &resp), 0);
    ck_assert_int_eq(resp.status, status);
    kvt_response_free(&resp);
}

static void get(kvt_server_t *srv, const char *path, int status)
{
    char *req = kvt_strf("GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", path);

    request(srv, req, status);
    free(req);
}

KVT_CASE(log_config, "log_config");

KVC_TEST(log_config, test_custom_log_many_directives)
{
    kvt_server_t *srv = new_server();
    char *path = log_path(srv, "custom_log");
    char year[8], *want, *line;
    time_t now = time(NULL);
    long usec, sec, pid;
    int used = 0;

    kvt_server_conf(srv, "LogFormat \"%%a|%%h|%%l|%%u|\\\"%%r\\\"|%%>s|%%s|%%b|%%B|%%U|%%q|%%m|%%H|"
                         "%%v|%%p|%%{X-Test}i|%%{X-None}i|%%{Content-Type}o|%%{NOPE}e|%%X|%%{%%Y}t|"
                         "%%%%|%%D %%T %%P\" many");
    kvt_server_conf(srv, "CustomLog logs/custom_log many");
    kvt_server_start(srv);
    request(srv,
            "GET /f.txt?x=1&y=%41 HTTP/1.1\r\nHost: localhost\r\nX-Test: a \"q\"\\\xc3\xa9\r\n"
            "Connection: close\r\n\r\n",
            200);
    strftime(year, sizeof(year), "%Y", localtime(&now));
    want = kvt_strf("127.0.0.1|127.0.0.1|-|-|\"GET /f.txt?x=1&y=%%41 HTTP/1.1\"|200|200|5|5|"
                    "/f.txt|?x=1&y=%%41|GET|HTTP/1.1|localhost|%d|a \\\"q\\\"\\\\\\xc3\\xa9|-|"
                    "text/plain|-|-|%s|%%|",
                    kvt_server_port(srv), year);
    line = line_of(wait_lines(path, 1), 0);
    ck_assert_msg(strncmp(line, want, strlen(want)) == 0, "line\n%s\nwant it to start\n%s", line,
                  want);
    ck_assert_msg(sscanf(line + strlen(want), "%ld %ld %ld%n", &usec, &sec, &pid, &used) == 3 &&
                      line[strlen(want) + (size_t)used] == '\0',
                  "no %%D %%T %%P at the end of %s", line);
    ck_assert_msg(usec >= 0 && usec < 5000000 && sec == usec / 1000000,
                  "%%D %ld and %%T %ld disagree", usec, sec);
    ck_assert_msg(pid != kvt_server_pid(srv) && kvt_pid_alive((pid_t)pid),
                  "%%P %ld is not a live child", pid);
}
END_TEST

KVC_TEST(log_config, test_combined_and_head)
{
    kvt_server_t *srv = new_server();
    char *path = log_path(srv, "access_log");
    char *s, *first, *second;

    kvt_server_conf(srv, "CustomLog logs/access_log combined");
    kvt_server_start(srv);
    request(srv,
            "GET /f.txt HTTP/1.1\r\nHost: localhost\r\nReferer: http://ref.example/\r\n"
            "User-Agent: agent/1.0\r\nConnection: close\r\n\r\n",
            200);
    free(wait_lines(path, 1)); /* a line is written after its response: keep the order */
    request(srv, "HEAD /f.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", 200);
    s = wait_lines(path, 2);
    first = line_of(s, 0);
    second = line_of(s, 1);
    ck_assert_msg(strncmp(first, "127.0.0.1 - - [", 15) == 0, "line: %s", first);
    ck_assert_msg(kvt_contains(first, "] \"GET /f.txt HTTP/1.1\" 200 5 \"http://ref.example/\" "
                                      "\"agent/1.0\""),
                  "line: %s", first);
    ck_assert_msg(kvt_contains(second, "] \"HEAD /f.txt HTTP/1.1\" 200 - \"-\" \"-\""),
                  "HEAD sends no body bytes, so %%b is -: %s", second);
}
END_TEST

KVC_TEST(log_config, test_env_condition)
{
    kvt_server_t *srv = new_server();
    char *none = log_path(srv, "none_log"), *all = log_path(srv, "all_log");
    char *s;

    /* Targets log in config order: once all_log has its lines, none_log would have too. */
    kvt_server_conf(srv, "CustomLog logs/none_log common env=nolog");
    kvt_server_conf(srv, "CustomLog logs/all_log \"%%>s %%U\" env=!nolog");
    kvt_server_start(srv);
    get(srv, "/f.txt", 200);
    free(wait_lines(all, 1));
    get(srv, "/missing", 404);
    ck_assert_str_eq(wait_lines(all, 2), "200 /f.txt\n404 /missing\n");
    s = slurp(none);
    ck_assert_msg(s[0] == '\0', "env=nolog logged without the variable:\n%s", s);
}
END_TEST

KVC_TEST(log_config, test_transfer_log_default_format)
{
    kvt_server_t *srv = new_server();
    char *line;

    kvt_server_conf(srv, "TransferLog logs/transfer_log");
    kvt_server_start(srv);
    get(srv, "/f.txt", 200);
    line = line_of(wait_lines(log_path(srv, "transfer_log"), 1), 0);
    ck_assert_msg(strncmp(line, "127.0.0.1 - - [", 15) == 0 &&
                      kvt_contains(line, "] \"GET /f.txt HTTP/1.1\" 200 5") &&
                      line[strlen(line) - 1] == '5',
                  "not the common format: %s", line);
}
END_TEST

/* The last LogFormat without a nickname wins, wherever it stands. */
KVC_TEST(log_config, test_transfer_log_last_unnamed_format)
{
    kvt_server_t *srv = new_server();

    kvt_server_conf(srv, "LogFormat \"first %%U\"");
    kvt_server_conf(srv, "TransferLog logs/transfer_log");
    kvt_server_conf(srv, "LogFormat \"%%h named\" other");
    kvt_server_conf(srv, "LogFormat \"T %%>s %%U\"");
    kvt_server_start(srv);
    get(srv, "/f.txt", 200);
    ck_assert_str_eq(wait_lines(log_path(srv, "transfer_log"), 1), "T 200 /f.txt\n");
}
END_TEST

#define REFUSALS_FILE "tests/integration/log_config_refusals.vectors"
#define REFUSALS 8 /* the vectors in REFUSALS_FILE */

KVC_LOOP_TEST(log_config, test_bad_config_refused, 0, REFUSALS)
{
    const struct kvc_vector *v = kvc_vector(REFUSALS_FILE, REFUSALS, 2, _i);
    kvt_server_t *srv = new_server();
    const char *conf;
    char *err = NULL, *want;
    int status;

    kvt_server_conf(srv, "%s", v->field[0]);
    conf = kvt_server_write_conf(srv);
    ck_assert_int_eq(kvt_run_kiva(&status, NULL, &err, "-t", "-f", conf, (const char *)NULL), 0);
    ck_assert_msg(status == 1, "%s:%d: kiva -t accepted %s (status %d)", v->file, v->line,
                  v->field[0], status);
    want = kvt_strf("Syntax error on line %u of %s: %s", kvt_conf_line_of(srv, v->field[0]), conf,
                    v->field[1]);
    ck_assert_msg(kvt_contains(err, want), "%s:%d: stderr lacks \"%s\":\n%s", v->file, v->line,
                  want, err);
}
END_TEST

/* ---- Piped logs ---- */

static int is_logger(pid_t pid)
{
    char path[64], comm[64] = "";
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
    f = fopen(path, "r");
    if (!f) {
        return 0;
    }
    if (!fgets(comm, sizeof(comm), f)) {
        comm[0] = '\0';
    }
    fclose(f);
    return strcmp(comm, "cat\n") == 0;
}

/* The piped log program: the parent's child that is cat, or 0. */
static pid_t logger_of(kvt_server_t *srv)
{
    pid_t pids[KVT_MAX_PIDS];
    int n = kvt_children(kvt_server_pid(srv), pids, KVT_MAX_PIDS);

    for (int i = 0; i < n; i++) {
        if (is_logger(pids[i])) {
            return pids[i];
        }
    }
    return 0;
}

struct replaced {
    kvt_server_t *srv;
    pid_t old;
};

static int logger_replaced(void *arg)
{
    struct replaced *r = arg;
    pid_t now = logger_of(r->srv);

    return now > 0 && now != r->old && !kvt_pid_alive(r->old);
}

static pid_t wait_new_logger(kvt_server_t *srv, pid_t old)
{
    struct replaced r = {srv, old};

    ck_assert_msg(kvt_wait_for(logger_replaced, &r, LOGGER_DEADLINE_MS),
                  "the piped log program %d was not replaced (now %d)", (int)old,
                  (int)logger_of(srv));
    return logger_of(srv);
}

static int has_logger(void *srv)
{
    return logger_of(srv) > 0;
}

/* The running program (the port listens before post_config starts it); fails the test if
 * there is none. */
static pid_t running_logger(kvt_server_t *srv)
{
    ck_assert_msg(kvt_wait_for(has_logger, srv, LOGGER_DEADLINE_MS),
                  "no piped log program among the parent's children");
    return logger_of(srv);
}

static kvt_server_t *piped_server(char **path)
{
    kvt_server_t *srv = new_server();

    *path = log_path(srv, "piped_log");
    kvt_server_conf(srv, "CustomLog \"|exec cat >> '%s'\" \"%%>s %%U\"", *path);
    kvt_server_start(srv);
    return srv;
}

static int error_log_has(kvt_server_t *srv, const char *needle)
{
    char *path = log_path(srv, "error_log"), *s = slurp(path);
    int found = kvt_contains(s, needle);

    free(s);
    free(path);
    return found;
}

static int never(void *arg)
{
    (void)arg;
    return 0;
}

KVC_TEST(log_config, test_piped_log_survives_its_program)
{
    char *path;
    kvt_server_t *srv = piped_server(&path);
    pid_t logger, again;

    get(srv, "/f.txt", 200);
    ck_assert_str_eq(wait_lines(path, 1), "200 /f.txt\n");
    /* A program that has run a while is restarted at once... */
    kvt_wait_for(never, NULL, 1200);
    logger = running_logger(srv);
    ck_assert_int_eq(kill(logger, SIGKILL), 0);
    again = wait_new_logger(srv, logger);
    ck_assert_msg(error_log_has(srv, "KV00504") && error_log_has(srv, "KV00502"),
                  "no death and restart in the error log:\n%s", kvt_server_diagnostics(srv));
    get(srv, "/missing", 404);
    ck_assert_str_eq(wait_lines(path, 2), "200 /f.txt\n404 /missing\n");
    /* ... one that dies young a second later, and the pipe keeps what it missed. */
    ck_assert_int_eq(kill(again, SIGTERM), 0);
    /* Only once it is gone: a program killed between reading a line and writing it loses
     * that line, as any piped logger can. */
    ck_assert(kvt_wait_for(kvt_pid_gone, &again, LINE_DEADLINE_MS));
    get(srv, "/f.txt?third", 200);
    wait_new_logger(srv, again);
    ck_assert_msg(error_log_has(srv, "KV00503"), "no early death in the error log:\n%s",
                  kvt_server_diagnostics(srv));
    ck_assert_str_eq(wait_lines(path, 3), "200 /f.txt\n404 /missing\n200 /f.txt\n");
}
END_TEST

/* A line written while the program is down waits in the pipe for the next one. */
KVC_TEST(log_config, test_piped_log_keeps_lines_while_down)
{
    char *path;
    kvt_server_t *srv = piped_server(&path);
    pid_t logger = running_logger(srv);

    kvt_stop_process(logger);
    get(srv, "/f.txt", 200);
    ck_assert_int_eq(kill(logger, SIGKILL), 0);
    wait_new_logger(srv, logger);
    ck_assert_str_eq(wait_lines(path, 1), "200 /f.txt\n");
}
END_TEST

KVC_TEST(log_config, test_piped_log_replaced_on_restart)
{
    char *path;
    kvt_server_t *srv = piped_server(&path);
    pid_t logger = running_logger(srv);

    ck_assert_int_eq(kill(kvt_server_pid(srv), SIGHUP), 0);
    wait_new_logger(srv, logger);
    get(srv, "/f.txt", 200);
    ck_assert_str_eq(wait_lines(path, 1), "200 /f.txt\n");
}
END_TEST

static int pid_file_written(void *path)
{
    return kvt_pid_in_file(path) > 0;
}

/* Detached, the parent is a new process: the program started before it detached is no
 * child of it, so the parent starts its own. */
KVC_TEST(log_config, test_piped_log_in_daemon_mode)
{
    kvt_server_t *srv = new_server();
    char *path = log_path(srv, "piped_log"), *pidfile = log_path(srv, "kiva.pid");
    char *err = NULL;
    const char *conf;
    int status;

    kvt_server_conf(srv, "CustomLog \"|exec cat >> '%s'\" \"%%>s %%U\"", path);
    conf = kvt_server_write_conf(srv);
    ck_assert_msg(kvt_run_kiva(&status, NULL, &err, "-f", conf, (const char *)NULL) == 0,
                  "kiva without -DFOREGROUND did not return");
    ck_assert_msg(status == 0, "kiva exited %d: %s", status, err);
    ck_assert_msg(kvt_wait_for(pid_file_written, pidfile, LINE_DEADLINE_MS), "no PidFile");
    kvt_server_adopt(srv, (pid_t)kvt_pid_in_file(pidfile));
    ck_assert_msg(kvt_wait_for(has_logger, srv, LOGGER_DEADLINE_MS),
                  "the detached parent started no piped log program");
    get(srv, "/f.txt", 200);
    ck_assert_str_eq(wait_lines(path, 1), "200 /f.txt\n");
}
END_TEST

int main(void)
{
    return kvc_run("log_config");
}
