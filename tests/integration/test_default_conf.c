/* The installed default configuration (conf/kiva.conf.in) as an installation would have it:
 * every module it loads exists, it passes -t, and it serves the bundled page, logs the
 * request and refuses what lies outside the document root. */
#include "harness.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *slurp(const char *path)
{
    char *s = kvt_read_file(path);

    ck_assert_msg(s != NULL, "cannot read %s", path);
    return s;
}

/* @a s with every @a from replaced by @a to (malloc'd). */
static char *replace_all(const char *s, const char *from, const char *to)
{
    size_t nf = strlen(from), nt = strlen(to), count = 0;
    char *out, *o;

    for (const char *p = strstr(s, from); p; p = strstr(p + nf, from)) {
        count++;
    }
    o = out = malloc(strlen(s) + count * nt + 1);
    for (const char *p; (p = strstr(s, from)) != NULL; s = p + nf) {
        memcpy(o, s, (size_t)(p - s));
        o += p - s;
        memcpy(o, to, nt);
        o += nt;
    }
    strcpy(o, s);
    return out;
}

/* ServerRoot laid out as `make install` does: modules/ (links to the built ones),
 * conf/mime.types, htdocs/index.html; the config rendered with it as the prefix. */
static kvt_server_t *installed(void)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    const char *root = kvt_server_root(srv);
    char *mods = kvt_strf("%s/modules", root);
    DIR *d = opendir(KV_TEST_BUILDDIR "/modules/.libs");
    struct dirent *e;
    char *conf, *tmp, *listen;

    ck_assert_int_eq(mkdir(mods, 0755), 0);
    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "mod_", 4) == 0 && strstr(e->d_name, ".so")) {
            char *from = kvt_strf("%s/modules/.libs/%s", KV_TEST_BUILDDIR, e->d_name);
            char *to = kvt_strf("%s/%s", mods, e->d_name);
            ck_assert_int_eq(symlink(from, to), 0);
            free(from);
            free(to);
        }
    }
    closedir(d);
    tmp = slurp(KV_TEST_SRCDIR "/conf/mime.types");
    kvt_write_root_file(srv, "conf/mime.types", tmp);
    free(tmp);
    tmp = slurp(KV_TEST_SRCDIR "/conf/htdocs/index.html");
    kvt_write_file(srv, "index.html", tmp, strlen(tmp));
    free(tmp);

    tmp = slurp(KV_TEST_SRCDIR "/conf/kiva.conf.in");
    conf = replace_all(tmp, "@prefix@", root);
    free(tmp);
    listen = kvt_strf("Listen 127.0.0.1:%d", kvt_server_port(srv));
    tmp = replace_all(conf, "Listen 8080", listen);
    free(conf);
    conf = tmp;
    if (geteuid() != 0) {
        /* Not root: the children cannot switch user; the rest is the same. */
        tmp = replace_all(conf, "\nUser daemon\nGroup daemon\n", "\n");
        free(conf);
        conf = tmp;
    }
    kvt_server_drop_base(srv, "");
    for (char *line = strtok(conf, "\n"); line; line = strtok(NULL, "\n")) {
        kvt_server_conf(srv, "%s", line);
    }
    free(conf);
    free(listen);
    free(mods);
    return srv;
}

/* Both requests logged: a request is logged after its response is sent, so the client may
 * see the second response before the thread that served the first has logged it. */
static int logged_both(void *path)
{
    char *log = access(path, R_OK) == 0 ? slurp(path) : NULL;
    int yes = log && kvt_contains(log, "\"GET /missing.html") && kvt_contains(log, "\"GET / ");

    free(log);
    return yes;
}

/* The installed config loads event, as httpd's does: StartServers 3 children, each with 25
 * worker threads and a listener. */
static int event_children_up(void *arg)
{
    kvt_server_t *srv = arg;
    pid_t pids[16];
    int n = kvt_children(kvt_server_pid(srv), pids, 16);

    for (int i = 0; i < n; i++) {
        if (kvt_threads(pids[i]) < 26) {
            return 0;
        }
    }
    return n == 3;
}

static void assert_event_children(kvt_server_t *srv)
{
    ck_assert_msg(kvt_wait_for(event_children_up, srv, 10000),
                  "the default config did not start 3 children of 26 threads");
}

KVT_CASE(default_conf, "default_conf");

KVC_TEST(default_conf, test_default_config_checks_and_serves)
{
    kvt_server_t *srv = installed();
    kvt_response_t r;
    int status;
    char *err = NULL, *log, *path;

    ck_assert_int_eq(kvt_run_kiva(&status, NULL, &err, "-t", "-f", kvt_server_write_conf(srv),
                                  (const char *)NULL),
                     0);
    ck_assert_msg(status == 0 && kvt_contains(err, "Syntax OK"), "kiva -t: %d %s", status, err);
    kvt_server_start(srv);
    assert_event_children(srv);
    kvt_get(kvt_server_port(srv), "/", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(kvt_contains(r.body, "It works!"), "body: %s", r.body);
    ck_assert_str_eq(kvt_header(&r, "Content-Type"), "text/html");
    kvt_response_free(&r);
    kvt_get(kvt_server_port(srv), "/missing.html", &r);
    ck_assert_int_eq(r.status, 404);
    kvt_response_free(&r);
    /* As httpd's stock config: a .ht* file is never sent, present or not. */
    kvt_get(kvt_server_port(srv), "/.htpasswd", &r);
    ck_assert_int_eq(r.status, 403);
    kvt_response_free(&r);
    path = kvt_strf("%s/logs/access_log", kvt_server_root(srv));
    kvt_wait_for(logged_both, path, 5000);
    log = slurp(path);
    ck_assert_msg(kvt_contains(log, "\"GET / HTTP/1.1\" 200 ") &&
                      kvt_contains(log, "\"GET /missing.html HTTP/1.1\" 404 "),
                  "access_log: %s", log);
    free(log);
    free(path);
}
END_TEST

int main(void)
{
    return kvc_run("default_conf");
}
