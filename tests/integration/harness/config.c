/* Integration harness: the generated configuration of a server under test. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* POSIX and GNU interfaces under -std=c11 */
#endif
#include "internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

int kvth_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_msg(fd >= 0, "socket: %s", strerror(errno));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(sa);
    ck_assert_msg(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "bind: %s", strerror(errno));
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    close(fd);
    return ntohs(sa.sin_port);
}

static void base_line(kvt_server_t *srv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void base_line(kvt_server_t *srv, const char *fmt, ...)
{
    ck_assert_msg(srv->nbase < MAX_LINES, "too many base lines");
    va_list ap;
    va_start(ap, fmt);
    srv->base[srv->nbase++] = kvth_vformat(fmt, ap);
    va_end(ap);
}

int kvt_trickling(void)
{
    const char *transport = getenv("KVT_TRANSPORT");

    return transport && strcmp(transport, "trickle") == 0;
}

void kvth_base_config(kvt_server_t *srv)
{
    base_line(srv, "# written by tests/integration/harness/config.c");
    base_line(srv, "ServerRoot \"%s\"", srv->root);
    base_line(srv, "LoadModule mpm_%s_module %s/mod_mpm_%s.so", srv->mpm, MODULES_DIR, srv->mpm);
    base_line(srv, "LoadModule mime_module %s/mod_mime.so", MODULES_DIR);
    base_line(srv, "LoadModule dir_module %s/mod_dir.so", MODULES_DIR);
    if (kvt_trickling()) {
        base_line(srv, "LoadModule test_trickle_module %s/tests/modules/.libs/mod_test_trickle.so",
                  KV_TEST_BUILDDIR);
    }
    base_line(srv, "Listen 127.0.0.1:%d", srv->port);
    base_line(srv, "ServerName localhost");
    base_line(srv, "PidFile logs/kiva.pid");
    base_line(srv, "ErrorLog logs/error_log");
    base_line(srv, "LogLevel info");
    if (geteuid() == 0) {
        /* Started as root, children must switch: to a user that can read world-readable
         * files only, so a mode-000 file really is unreadable to them. */
        base_line(srv, "User daemon");
        base_line(srv, "Group daemon");
    }
    base_line(srv, "DocumentRoot \"%s\"", srv->docroot);
    base_line(srv, "TypesConfig %s/conf/mime.types", KV_TEST_SRCDIR);
    base_line(srv, "DirectoryIndex index.html");
    /* Spare servers are prefork's: another MPM would not know the directives. */
    base_line(srv, "<IfModule mpm_prefork_module>");
    base_line(srv, "    StartServers 2");
    base_line(srv, "    MinSpareServers 1");
    base_line(srv, "    MaxSpareServers 3");
    base_line(srv, "</IfModule>");
}

const char *kvt_mpm(void)
{
    const char *mpm = getenv("KVT_MPM");
    return mpm && *mpm ? mpm : "prefork";
}

void kvt_server_conf(kvt_server_t *srv, const char *fmt, ...)
{
    ck_assert_msg(srv->nextra < MAX_LINES, "too many config lines");
    va_list ap;
    va_start(ap, fmt);
    srv->extra[srv->nextra++] = kvth_vformat(fmt, ap);
    va_end(ap);
}

static int starts_with_word(const char *line, const char *prefix)
{
    while (*line == ' ' || *line == '\t') {
        line++;
    }
    return strncmp(line, prefix, strlen(prefix)) == 0;
}

void kvt_server_drop_base(kvt_server_t *srv, const char *prefix)
{
    int kept = 0;
    for (int i = 0; i < srv->nbase; i++) {
        if (starts_with_word(srv->base[i], prefix)) {
            free(srv->base[i]);
        } else {
            srv->base[kept++] = srv->base[i];
        }
    }
    srv->nbase = kept;
}

/* Replace the base line that starts with prefix; it must exist. */
static void replace_base(kvt_server_t *srv, const char *prefix, char *line)
{
    for (int i = 0; i < srv->nbase; i++) {
        if (starts_with_word(srv->base[i], prefix)) {
            free(srv->base[i]);
            srv->base[i] = line;
            return;
        }
    }
    ck_abort_msg("no base line %s", prefix);
}

void kvt_server_processes(kvt_server_t *srv, int start, int min_spare, int max_spare)
{
    replace_base(srv, "StartServers", kvt_strf("    StartServers %d", start));
    replace_base(srv, "MinSpareServers", kvt_strf("    MinSpareServers %d", min_spare));
    replace_base(srv, "MaxSpareServers", kvt_strf("    MaxSpareServers %d", max_spare));
}

void kvt_server_arg(kvt_server_t *srv, const char *arg)
{
    ck_assert_msg(srv->nargs < MAX_ARGS - 8, "too many arguments");
    srv->args[srv->nargs++] = arg;
}

const char *kvt_server_write_conf(kvt_server_t *srv)
{
    FILE *f = fopen(srv->conf, "w");
    ck_assert_msg(f != NULL, "cannot write %s: %s", srv->conf, strerror(errno));
    for (int i = 0; i < srv->nbase; i++) {
        fprintf(f, "%s\n", srv->base[i]);
    }
    for (int i = 0; i < srv->nextra; i++) {
        fprintf(f, "%s\n", srv->extra[i]);
    }
    ck_assert_int_eq(fclose(f), 0);
    chmod(srv->conf, 0644);
    return srv->conf;
}

unsigned kvt_conf_line_of(kvt_server_t *srv, const char *needle)
{
    FILE *f = fopen(srv->conf, "r");
    ck_assert_msg(f != NULL, "config %s not written yet", srv->conf);
    char line[4096];
    unsigned n = 0, found = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        n++;
        if (strstr(line, needle) != NULL) {
            found = n;
        }
    }
    fclose(f);
    ck_assert_msg(found != 0, "no line with \"%s\" in %s", needle, srv->conf);
    return found;
}

void kvt_write_file(kvt_server_t *srv, const char *relpath, const char *content, size_t len)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof(path), "%s/%s", srv->docroot, relpath);
    kvth_write_path(path, content, len);
}

const char *kvt_write_root_file(kvt_server_t *srv, const char *relpath, const char *content)
{
    char *path = kvt_strf("%s/%s", srv->root, relpath);
    kvth_write_path(path, content, strlen(content));
    return path;
}

const char *kvt_replace_root_file(kvt_server_t *srv, const char *relpath, const char *from)
{
    char *content = kvt_read_file(from);
    const char *tmp, *path = kvt_strf("%s/%s", srv->root, relpath);

    ck_assert_msg(content != NULL, "cannot read %s", from);
    tmp = kvt_write_root_file(srv, kvt_strf("%s.new", relpath), content);
    ck_assert_msg(rename(tmp, path) == 0, "cannot rename %s: %s", tmp, strerror(errno));
    free(content);
    return path;
}
