/* Integration harness: a local OCSP responder (`openssl ocsp`) for the test CA of certs.c,
 * and leaves whose Authority Information Access names it (harness.h). The responder is the
 * test's child in its own process group, stopped by its pid; `timeout` bounds its life even
 * if the test dies before it stops it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define RESPONDER_LIFE "300"
#define READY_TIMEOUT_MS 10000

struct kvt_ocsp {
    int port;
    pid_t pid; /* 0 while stopped */
    const char *index;
    unsigned leaves;
};

/* The responder of the test running now, stopped at its exit if it did not stop it. */
static kvt_ocsp_t *running;

static const char *cert_path(const kvt_ocsp_t *o, const char *name)
{
    return kvt_strf("%s/ocsp-%d-%s", kvt_certs()->dir, o->port, name);
}

kvt_ocsp_t *kvt_ocsp_new(void)
{
    kvt_ocsp_t *o = calloc(1, sizeof(*o));

    ck_assert_ptr_nonnull(o);
    o->port = kvth_free_port();
    o->index = cert_path(o, "index.txt");
    kvth_write_path(o->index, "", 0);
    /* Several leaves for localhost in one index (a certificate and its renewal). */
    kvth_write_path(kvt_strf("%s.attr", o->index), "unique_subject = no\n",
                    strlen("unique_subject = no\n"));
    return o;
}

const char *kvt_ocsp_url(const kvt_ocsp_t *o)
{
    return kvt_strf("http://127.0.0.1:%d/", o->port);
}

/* The serial `openssl ocsp` looks for in its index: BN_bn2hex's even-length upper case. */
static char *index_serial(unsigned serial)
{
    char *hex = kvt_strf("%X", serial);
    char *even = strlen(hex) % 2 ? kvt_strf("0%s", hex) : kvt_strf("%s", hex);

    free(hex);
    return even;
}

const char *kvt_ocsp_leaf(kvt_ocsp_t *o, const char *stem, int revoked, const char **key)
{
    const kvt_certs_t *c = kvt_certs();
    unsigned serial = (unsigned)o->port * 16 + ++o->leaves;
    const char *pem = cert_path(o, kvt_strf("%s.pem", stem));
    const char *csr = cert_path(o, kvt_strf("%s.csr", stem));
    const char *ext = cert_path(o, kvt_strf("%s.ext", stem));
    const char *ca_key = kvt_strf("%s/ca.key", c->dir);
    const char *serial_arg = kvt_strf("%u", serial);
    char *text = kvt_strf("basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                          "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                          "authorityInfoAccess=OCSP;URI:%s\n",
                          kvt_ocsp_url(o));
    const char *req[] = {"openssl",
                         "req",
                         "-new",
                         "-newkey",
                         "ec",
                         "-pkeyopt",
                         "ec_paramgen_curve:P-256",
                         "-nodes",
                         "-keyout",
                         (*key = cert_path(o, kvt_strf("%s.key", stem))),
                         "-out",
                         csr,
                         "-subj",
                         "/CN=localhost",
                         NULL};
    const char *sign[] = {"openssl", "x509",     "-req", "-in",         csr,        "-CA",
                          c->ca,     "-CAkey",   ca_key, "-set_serial", serial_arg, "-days",
                          "30",      "-extfile", ext,    "-out",        pem,        NULL};
    char *out = NULL, *err = NULL, *hex, *line, *index;

    kvth_write_path(ext, text, strlen(text));
    free(text);
    ck_assert_msg(kvt_run_tool(req, &out, &err) == 0, "openssl req: %s", err);
    free(out);
    free(err);
    ck_assert_msg(kvt_run_tool(sign, &out, &err) == 0, "openssl x509: %s", err);
    free(out);
    free(err);
    /* The index of `openssl ca`: status, expiry, revocation date, serial, file, subject. */
    hex = index_serial(serial);
    line = kvt_strf("%s\t491231235959Z\t%s\t%s\tunknown\t/CN=localhost\n", revoked ? "R" : "V",
                    revoked ? "260101000000Z" : "", hex);
    index = kvt_read_file(o->index);
    ck_assert_ptr_nonnull(index);
    text = kvt_strf("%s%s", index, line);
    kvth_write_path(o->index, text, strlen(text));
    free(text);
    free(index);
    free(line);
    free(hex);
    return pem;
}

static void stop_running(void)
{
    if (running) {
        kvt_ocsp_stop(running);
    }
}

/* It says so once it listens. Not a probe connection: it would wait for that one's request
 * before taking any other. */
static int listening(void *arg)
{
    char *err = kvt_read_file(arg);
    int yes = kvt_contains(err, "waiting for OCSP client connections");

    free(err);
    return yes;
}

void kvt_ocsp_start(kvt_ocsp_t *o, const char *signer_cert, const char *signer_key)
{
    const kvt_certs_t *c = kvt_certs();
    const char *port = kvt_strf("%d", o->port);
    const char *argv[] = {"timeout",     RESPONDER_LIFE,
                          "openssl",     "ocsp",
                          "-index",      o->index,
                          "-port",       port,
                          "-CA",         c->ca,
                          "-rsigner",    signer_cert ? signer_cert : c->ca,
                          "-rkey",       signer_key ? signer_key : kvt_strf("%s/ca.key", c->dir),
                          "-ndays",      "1",
                          "-ignore_err", NULL};
    const char *err = cert_path(o, "responder.err");
    static int registered;

    ck_assert_msg(o->pid == 0, "the OCSP responder already runs");
    kvth_write_path(err, "", 0);
    o->pid = kvth_spawn(argv, "/dev/null", err);
    running = o;
    if (!registered) {
        registered = atexit(stop_running) == 0;
    }
    ck_assert_msg(kvt_wait_for(listening, (void *)err, READY_TIMEOUT_MS),
                  "the OCSP responder does not answer on port %d", o->port);
}

void kvt_ocsp_stop(kvt_ocsp_t *o)
{
    if (o->pid > 0) {
        kvth_kill_group(o->pid, 5000);
        kvth_wait_child(o->pid, 5000);
        o->pid = 0;
    }
    if (running == o) {
        running = NULL;
    }
}

const char *kvt_ocsp_response(kvt_ocsp_t *o, const char *leaf)
{
    const kvt_certs_t *c = kvt_certs();
    const char *req = cert_path(o, "offline-req.der");
    const char *resp = cert_path(o, kvt_strf("offline-%ld.der", kvt_now_ms()));
    const char *ask[] = {"openssl", "ocsp",      "-issuer", c->ca, "-cert",
                         leaf,      "-no_nonce", "-reqout", req,   NULL};
    const char *answer[] = {
        "openssl", "ocsp",     "-index",   o->index, "-CA",
        c->ca,     "-rsigner", c->ca,      "-rkey",  kvt_strf("%s/ca.key", c->dir),
        "-reqin",  req,        "-respout", resp,     NULL};
    char *out = NULL, *err = NULL;

    ck_assert_msg(kvt_run_tool(ask, &out, &err) == 0, "openssl ocsp -reqout: %s", err);
    free(out);
    free(err);
    ck_assert_msg(kvt_run_tool(answer, &out, &err) == 0, "openssl ocsp -respout: %s", err);
    free(out);
    free(err);
    return resp;
}

/* Read one HTTP request from @a fd (its head, then Content-Length bytes), bounded by the
 * socket's timeout; 0 once it is read, -1 if the client went away. */
static int read_request(int fd)
{
    char buf[8192];
    size_t got = 0;
    char *end = NULL, *cl;
    long body = 0;
    ssize_t n;

    while (got < sizeof(buf) - 1) {
        n = read(fd, buf + got, sizeof(buf) - 1 - got);
        if (n <= 0) {
            return -1;
        }
        got += (size_t)n;
        buf[got] = '\0';
        if (!end && (end = strstr(buf, "\r\n\r\n")) != NULL) {
            cl = strcasestr(buf, "Content-Length:");
            body = cl && cl < end ? atol(cl + strlen("Content-Length:")) : 0;
        }
        if (end && got >= (size_t)(end + 4 - buf) + (size_t)body) {
            return 0;
        }
    }
    return 0;
}

/* The bytes of @a path (malloc'd), their count in *len; NULL if it cannot be read. */
static char *read_bytes(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = malloc(65536);

    *len = f && buf ? fread(buf, 1, 65536, f) : 0;
    if (f) {
        fclose(f);
    }
    if (*len == 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

pid_t kvt_ocsp_serve(const char *response, int *port)
{
    size_t len = 0;
    char *der = read_bytes(response, &len);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t salen = sizeof(sa);
    struct timeval tv = {5, 0};
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    pid_t pid;

    ck_assert_msg(der != NULL, "cannot read %s", response);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_ge(lfd, 0);
    ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ck_assert_int_eq(listen(lfd, 16), 0);
    ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&sa, &salen), 0);
    *port = ntohs(sa.sin_port);
    pid = fork();
    ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        char *head = kvt_strf("HTTP/1.0 200 OK\r\nContent-Type: application/ocsp-response\r\n"
                              "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                              len);

        /* Not the test's handler, which stops the test's whole process group. */
        signal(SIGTERM, SIG_DFL);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        alarm(atoi(RESPONDER_LIFE));
        for (int served = 0; served < 100000; served++) {
            int fd = accept(lfd, NULL, NULL);

            if (fd < 0) {
                continue;
            }
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
            if (read_request(fd) == 0 && kvt_send_raw(fd, head, strlen(head)) == 0) {
                kvt_send_raw(fd, der, len);
            }
            close(fd);
        }
        _exit(0);
    }
    close(lfd);
    free(der);
    return pid;
}

void kvt_ocsp_serve_stop(pid_t pid)
{
    kill(pid, SIGTERM);
    kvth_wait_child(pid, 5000);
}

char *kvt_stapling_report(kvt_server_t *srv)
{
    char *out = NULL;

    ck_assert_msg(kvt_s_client(srv, "-status", "", &out) == 0, "%s", kvt_tail(out));
    return out;
}

typedef struct {
    kvt_server_t *srv;
    const char *needle;
    char *last;
} staple_wait_t;

static int stapled(void *arg)
{
    staple_wait_t *w = arg;

    free(w->last);
    w->last = kvt_stapling_report(w->srv);
    return kvt_contains(w->last, w->needle);
}

void kvt_assert_stapled(kvt_server_t *srv, const char *needle, int timeout_ms)
{
    staple_wait_t w = {srv, needle, NULL};

    ck_assert_msg(kvt_wait_for(stapled, &w, timeout_ms), "no '%s' stapled: %s\nlog: %s", needle,
                  w.last ? kvt_tail(w.last) : "", kvt_tail(kvt_server_error_log(srv)));
    free(w.last);
}

void kvt_assert_nothing_stapled(kvt_server_t *srv)
{
    char *out = kvt_stapling_report(srv);

    ck_assert_msg(kvt_contains(out, "OCSP response: no response sent"), "%s", kvt_tail(out));
    ck_assert_msg(kvt_contains(out, "Verify return code: 0 (ok)"), "%s", kvt_tail(out));
    free(out);
}
