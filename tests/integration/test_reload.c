/* What a restart loads afresh: the MPM named by the LoadModule line (prefork -> event ->
 * worker -> prefork, switched by graceful and plain restarts while serving), and a module
 * file replaced on disk (the parent maps the new file after a graceful restart). */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BODY "reload body\n"
#define MODULES KV_TEST_BUILDDIR "/modules/.libs"

static char *slurp(const char *path)
{
    char *s = kvt_read_file(path);

    ck_assert_msg(s != NULL, "cannot read %s", path);
    return s;
}

static void spit(const char *path, const char *text)
{
    char *tmp = kvt_strf("%s.new", path);
    FILE *f = fopen(tmp, "w");

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs(text, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(rename(tmp, path), 0);
    free(tmp);
}

static void restart_to(kvt_server_t *srv, int sig, int gen)
{
    ck_assert_int_eq(kill(kvt_server_pid(srv), sig), 0);
    kvt_wait_generation(srv, gen);
}

/* Rewrite the config's LoadModule line of the MPM to load @a mpm. */
static void load_mpm(kvt_server_t *srv, const char *mpm)
{
    char *conf = slurp(kvt_server_conf_path(srv));
    char *line = strstr(conf, "LoadModule mpm_");
    char *end, *out;

    ck_assert_ptr_nonnull(line);
    end = strchr(line, '\n');
    ck_assert_ptr_nonnull(end);
    out = kvt_strf("%.*sLoadModule mpm_%s_module %s/mod_mpm_%s.so%s", (int)(line - conf), conf,
                   mpm, MODULES, mpm, end);
    spit(kvt_server_conf_path(srv), out);
    free(out);
    free(conf);
}

struct model {
    kvt_server_t *srv;
    int threaded; /* children have worker threads (event, worker) or one (prefork) */
};

/* Every child runs the expected process model (the old generation's have gone). */
static int children_are(void *arg)
{
    const struct model *m = arg;
    pid_t pids[64];
    int n = kvt_children(kvt_server_pid(m->srv), pids, 64);

    for (int i = 0; i < n; i++) {
        int threads = kvt_threads(pids[i]);

        if (m->threaded ? threads < 3 : threads != 1) {
            return 0;
        }
    }
    return n > 0;
}

static void assert_model(kvt_server_t *srv, int threaded)
{
    struct model m = {srv, threaded};

    ck_assert_msg(kvt_wait_for(children_are, &m, 15000), "children are not %s\n%s",
                  threaded ? "threaded" : "single-threaded", kvt_server_diagnostics(srv));
    kvt_assert_serves(srv, "/f.txt", BODY);
}

KVT_CASE(reload_case, "reload");

KVC_TEST(reload_case, test_switching_the_mpm_line_takes_effect_on_restart)
{
    kvt_server_t *srv = kvt_server_new("prefork");

    /* Sizes every MPM knows, so that the same file serves under all three. */
    kvt_server_drop_base(srv, "<IfModule mpm_prefork_module>");
    kvt_server_drop_base(srv, "StartServers");
    kvt_server_drop_base(srv, "MinSpareServers");
    kvt_server_drop_base(srv, "MaxSpareServers");
    kvt_server_drop_base(srv, "</IfModule>");
    kvt_server_conf(srv, "StartServers 2");
    kvt_server_conf(srv, "<IfModule !mpm_prefork_module>\nThreadsPerChild 2\n"
                         "MinSpareThreads 2\nMaxSpareThreads 4\n</IfModule>");
    kvt_write_file(srv, "f.txt", BODY, strlen(BODY));
    kvt_server_start(srv);
    assert_model(srv, 0);
    load_mpm(srv, "event");
    restart_to(srv, SIGUSR1, 1);
    assert_model(srv, 1);
    load_mpm(srv, "worker");
    restart_to(srv, SIGHUP, 2);
    assert_model(srv, 1);
    load_mpm(srv, "prefork");
    restart_to(srv, SIGUSR1, 3);
    assert_model(srv, 0);
}
END_TEST

/* The inode the parent maps @a path from, 0 if it maps nothing of that name. */
static unsigned long mapped_inode(pid_t pid, const char *path)
{
    char *maps_path = kvt_strf("/proc/%d/maps", (int)pid);
    char *maps = slurp(maps_path);
    unsigned long inode = 0;

    for (char *line = strtok(maps, "\n"); line; line = strtok(NULL, "\n")) {
        unsigned long ino;
        char file[4096];

        if (sscanf(line, "%*s %*s %*s %*s %lu %4095s", &ino, file) == 2 &&
            strcmp(file, path) == 0 && !strstr(line, "(deleted)")) {
            inode = ino;
        }
    }
    free(maps);
    free(maps_path);
    return inode;
}

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out;
    char *tmp = kvt_strf("%s.new", to);
    char buf[65536];
    size_t n;

    ck_assert_ptr_nonnull(in);
    out = fopen(tmp, "wb");
    ck_assert_ptr_nonnull(out);
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
        ck_assert_int_eq(fwrite(buf, 1, n, out), n);
    }
    fclose(in);
    ck_assert_int_eq(fclose(out), 0);
    ck_assert_int_eq(rename(tmp, to), 0);
    free(tmp);
}

struct remap {
    kvt_server_t *srv;
    const char *path;
    unsigned long inode;
};

static int maps_inode(void *arg)
{
    const struct remap *r = arg;

    return mapped_inode(kvt_server_pid(r->srv), r->path) == r->inode;
}

KVC_TEST(reload_case, test_replaced_module_file_is_loaded_on_graceful_restart)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    char *path = kvt_strf("%s/mod_headers.so", kvt_server_root(srv));
    struct stat st;
    struct remap r = {srv, path, 0};

    copy_file(MODULES "/mod_headers.so", path);
    kvt_server_conf(srv, "LoadModule headers_module %s", path);
    kvt_server_conf(srv, "Header set X-Reload yes");
    kvt_write_file(srv, "f.txt", BODY, strlen(BODY));
    kvt_server_start(srv);
    ck_assert_int_ne(mapped_inode(kvt_server_pid(srv), path), 0);
    /* A rebuilt module: a new file (a new inode) under the same name. */
    copy_file(MODULES "/mod_headers.so", path);
    ck_assert_int_eq(stat(path, &st), 0);
    r.inode = (unsigned long)st.st_ino;
    restart_to(srv, SIGUSR1, 1);
    ck_assert_msg(kvt_wait_for(maps_inode, &r, 10000),
                  "the parent still maps the old %s after a graceful restart", path);
    kvt_assert_serves(srv, "/f.txt", BODY);
    free(path);
}
END_TEST

/* The Content-Type @a path is served with. */
static char *content_type_of(kvt_server_t *srv, const char *path)
{
    kvt_response_t r;
    char *type;

    kvt_get(kvt_server_port(srv), path, &r);
    ck_assert_int_eq(r.status, 200);
    type = kvt_strf("%s", kvt_header(&r, "Content-Type") ? kvt_header(&r, "Content-Type") : "");
    kvt_response_free(&r);
    return type;
}

static void assert_type(kvt_server_t *srv, const char *path, const char *type, int want)
{
    char *got = content_type_of(srv, path);

    ck_assert_msg((strcmp(got, type) == 0) == want, "%s: Content-Type %s, %s %s", path, got,
                  want ? "want" : "not", type);
    free(got);
}

struct type_wait {
    kvt_server_t *srv;
    const char *path, *type;
    int want;
};

static int type_is(void *arg)
{
    const struct type_wait *w = arg;
    char *got = content_type_of(w->srv, w->path);
    int is = (strcmp(got, w->type) == 0) == w->want;

    free(got);
    return is;
}

/* As assert_type once the new generation answers: until an old child has acted on its
 * graceful signal it may still accept a connection and answer as before (seen under load
 * through the trickle layer). */
static void assert_type_becomes(kvt_server_t *srv, const char *path, const char *type, int want)
{
    struct type_wait w = {srv, path, type, want};

    ck_assert_msg(kvt_wait_for(type_is, &w, 10000), "%s: Content-Type still %s %s", path,
                  want ? "not" : "", type);
}

/* Whether the configuration has an <If> is decided per generation (kv_if_walk skips the walk
 * when none has): a graceful restart that adds one applies it, one that removes it drops it. */
KVC_TEST(reload_case, test_if_section_follows_the_generation)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    char *plain, *with_if;

    kvt_write_file(srv, "f.txt", BODY, strlen(BODY));
    kvt_server_start(srv);
    assert_type(srv, "/f.txt?if", "text/x-if", 0);
    plain = slurp(kvt_server_conf_path(srv));
    with_if = kvt_strf("%s\n<If \"%%{QUERY_STRING} == 'if'\">\nForceType text/x-if\n</If>\n",
                       plain);
    spit(kvt_server_conf_path(srv), with_if);
    restart_to(srv, SIGUSR1, 1);
    assert_type_becomes(srv, "/f.txt?if", "text/x-if", 1);
    assert_type(srv, "/f.txt", "text/x-if", 0);
    spit(kvt_server_conf_path(srv), plain);
    restart_to(srv, SIGUSR1, 2);
    assert_type_becomes(srv, "/f.txt?if", "text/x-if", 0);
    free(with_if);
    free(plain);
}
END_TEST

/* -X started as root serves as User: a restart could not reopen the logs, so it stops with
 * a clear line instead of claiming to go on (as httpd's -X stops). Not as root, nothing
 * was switched and the restart works. */
KVC_TEST(reload_case, test_one_process_restart_after_switching_user)
{
    kvt_server_t *srv = kvt_server_new(kvt_mpm());
    char *log;
    int status;

    kvt_write_file(srv, "f.txt", BODY, strlen(BODY));
    kvt_server_arg(srv, "-X");
    kvt_server_start(srv);
    kvt_assert_serves(srv, "/f.txt", BODY);
    if (geteuid() != 0) {
        restart_to(srv, SIGUSR1, 1);
        kvt_assert_serves(srv, "/f.txt", BODY);
        return;
    }
    ck_assert_int_eq(kill(kvt_server_pid(srv), SIGUSR1), 0);
    status = kvt_server_wait_exit(srv, 10000);
    ck_assert_msg(status != -1, "-X server still running after a restart it cannot do");
    log = kvt_strf("%s/logs/error_log", kvt_server_root(srv));
    char *text = slurp(log);
    ck_assert_msg(kvt_contains(text, "KV01022: -X serves as User daemon"), "%s", text);
    free(text);
    free(log);
}
END_TEST

int main(void)
{
    return kvc_run("reload");
}
