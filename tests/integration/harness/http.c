/* Integration harness: a raw HTTP/1.1 client on loopback. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* POSIX and GNU interfaces under -std=c11 */
#endif
#include "internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define IO_TIMEOUT_S 5
#define RESPONSE_TIMEOUT_MS 10000

/* How long a response may take: a trickled one of a large body, longer (under the
 * sanitizers, a 256 KiB request body fed to a CGI script byte by byte takes over 10 s). */
static long response_timeout_ms(void)
{
    return kvt_trickling() ? 4 * RESPONSE_TIMEOUT_MS : RESPONSE_TIMEOUT_MS;
}
#define MAX_HEAD_BYTES 65536
#define MAX_BODY_BYTES (16 * 1024 * 1024)

int kvt_connect(int port)
{
    return kvt_connect_rcvbuf(port, 0);
}

int kvt_try_connect(int port, int rcvbuf)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), saved;
    if (fd < 0) {
        return -1;
    }
    /* Before connect: the window offered in the handshake follows the buffer. */
    if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) != 0) {
        saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    /* Trickled (a byte a read, writes in short pieces) under the sanitizers, a large page's
     * first bytes can take longer than IO_TIMEOUT_S (test_info's module page did in CI). */
    struct timeval tv = {kvt_trickling() ? 4 * IO_TIMEOUT_S : IO_TIMEOUT_S, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int kvt_connect_rcvbuf(int port, int rcvbuf)
{
    int fd = kvt_try_connect(port, rcvbuf);
    ck_assert_msg(fd >= 0, "connect to %d: %s", port, strerror(errno));
    return fd;
}

int kvt_send_raw(int fd, const char *bytes, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t n = send(fd, bytes + off, len - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        off += (size_t)n;
    }
    return 0;
}

void kvt_send(int fd, const char *bytes)
{
    ck_assert_msg(kvt_send_raw(fd, bytes, strlen(bytes)) == 0, "send: %s", strerror(errno));
}

/* One byte from fd before the deadline: 1, 0 at EOF, -1 on error or timeout. */
static int read_byte(int fd, char *c, long deadline)
{
    while (kvt_now_ms() < deadline) {
        ssize_t n = recv(fd, c, 1, 0);
        if (n == 1) {
            return 1;
        }
        if (n == 0) {
            return 0;
        }
        if (errno != EINTR) {
            return -1;
        }
    }
    return -1;
}

/* A line ending in LF (CR LF or LF) into buf without the ending; its length, or -1.
 * Reads byte by byte so that nothing of a pipelined next response is consumed. */
static long read_line(int fd, char *buf, size_t cap, long deadline)
{
    size_t len = 0;
    for (;;) {
        char c;
        if (read_byte(fd, &c, deadline) != 1) {
            return -1;
        }
        if (c == '\n') {
            break;
        }
        if (len + 1 >= cap) {
            return -1;
        }
        buf[len++] = c;
    }
    if (len > 0 && buf[len - 1] == '\r') {
        len--;
    }
    buf[len] = '\0';
    return (long)len;
}

static int read_exact(int fd, char *buf, size_t len, long deadline)
{
    size_t off = 0;
    while (off < len) {
        if (kvt_now_ms() >= deadline) {
            return -1;
        }
        ssize_t n = recv(fd, buf + off, len - off, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        off += (size_t)n;
    }
    return 0;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
        s[--n] = '\0';
    }
    return s;
}

static int parse_status_line(char *line, kvt_response_t *resp)
{
    char *sp = strchr(line, ' ');
    if (sp == NULL || (size_t)(sp - line) >= sizeof(resp->version) ||
        strncmp(line, "HTTP/", 5) != 0) {
        return -1;
    }
    memcpy(resp->version, line, (size_t)(sp - line));
    resp->version[sp - line] = '\0';
    char *end;
    long status = strtol(sp + 1, &end, 10);
    if (end != sp + 4 || status < 100 || status > 999) {
        return -1;
    }
    resp->status = (int)status;
    resp->reason = kvth_strdup(*end == ' ' ? end + 1 : end);
    return 0;
}

static int read_fields(int fd, kvt_response_t *resp, long deadline)
{
    char line[MAX_HEAD_BYTES];
    for (int i = 0; i < 1000; i++) {
        long len = read_line(fd, line, sizeof(line), deadline);
        if (len < 0) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        char *colon = strchr(line, ':');
        if (colon == NULL || resp->nheaders >= KVT_MAX_HEADERS) {
            return -1;
        }
        *colon = '\0';
        resp->headers[resp->nheaders].name = kvth_strdup(line);
        resp->headers[resp->nheaders].value = kvth_strdup(trim(colon + 1));
        resp->nheaders++;
    }
    return -1;
}

/* Append len bytes to the response body. */
static int body_append(kvt_response_t *resp, const char *bytes, size_t len)
{
    if (resp->body_len + len > MAX_BODY_BYTES) {
        return -1;
    }
    char *b = realloc(resp->body, resp->body_len + len + 1);
    if (b == NULL) {
        return -1;
    }
    memcpy(b + resp->body_len, bytes, len);
    resp->body = b;
    resp->body_len += len;
    resp->body[resp->body_len] = '\0';
    return 0;
}

static int read_sized_body(int fd, kvt_response_t *resp, size_t len, long deadline)
{
    if (len > MAX_BODY_BYTES) {
        return -1;
    }
    char *buf = malloc(len + 1);
    if (buf == NULL || read_exact(fd, buf, len, deadline) != 0) {
        free(buf);
        return -1;
    }
    int rv = body_append(resp, buf, len);
    free(buf);
    return rv;
}

static int read_chunked_body(int fd, kvt_response_t *resp, long deadline)
{
    char line[1024];
    resp->chunked = 1;
    for (int i = 0; i < 100000; i++) {
        if (read_line(fd, line, sizeof(line), deadline) < 0) {
            return -1;
        }
        char *end;
        unsigned long size = strtoul(line, &end, 16);
        if (end == line) {
            return -1;
        }
        if (size == 0) {
            /* trailer fields up to the empty line */
            for (int t = 0; t < 100; t++) {
                long n = read_line(fd, line, sizeof(line), deadline);
                if (n <= 0) {
                    return (int)n;
                }
            }
            return -1;
        }
        if (read_sized_body(fd, resp, size, deadline) != 0 ||
            read_line(fd, line, sizeof(line), deadline) != 0) {
            return -1;
        }
    }
    return -1;
}

static int read_body_until_close(int fd, kvt_response_t *resp, long deadline)
{
    char buf[8192];
    resp->until_close = 1;
    while (kvt_now_ms() < deadline) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n == 0) {
            return 0;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 || body_append(resp, buf, (size_t)n) != 0) {
            return -1;
        }
    }
    return -1;
}

static int has_no_body(const kvt_response_t *resp, int head_request)
{
    return head_request || resp->status / 100 == 1 || resp->status == 204 || resp->status == 304;
}

int kvt_read_response(int fd, kvt_response_t *resp, int head_request)
{
    memset(resp, 0, sizeof(*resp));
    long deadline = kvt_now_ms() + response_timeout_ms();
    char line[MAX_HEAD_BYTES];
    if (read_line(fd, line, sizeof(line), deadline) < 0 || parse_status_line(line, resp) != 0 ||
        read_fields(fd, resp, deadline) != 0) {
        return -1;
    }
    resp->body = kvth_strdup("");
    if (has_no_body(resp, head_request)) {
        return 0;
    }
    const char *te = kvt_header(resp, "Transfer-Encoding");
    const char *cl = kvt_header(resp, "Content-Length");
    if (te != NULL && strcasecmp(te, "chunked") == 0) {
        return read_chunked_body(fd, resp, deadline);
    }
    if (cl != NULL) {
        char *end;
        unsigned long long n = strtoull(cl, &end, 10);
        if (end == cl || *end != '\0') {
            return -1;
        }
        return read_sized_body(fd, resp, (size_t)n, deadline);
    }
    return read_body_until_close(fd, resp, deadline);
}

const char *kvt_header(const kvt_response_t *resp, const char *name)
{
    for (int i = 0; i < resp->nheaders; i++) {
        if (strcasecmp(resp->headers[i].name, name) == 0) {
            return resp->headers[i].value;
        }
    }
    return NULL;
}

void kvt_response_free(kvt_response_t *resp)
{
    for (int i = 0; i < resp->nheaders; i++) {
        free(resp->headers[i].name);
        free(resp->headers[i].value);
    }
    free(resp->reason);
    free(resp->body);
    memset(resp, 0, sizeof(*resp));
}

int kvt_request(int port, const char *request, kvt_response_t *resp)
{
    int fd = kvt_connect(port);
    int rv = kvt_send_raw(fd, request, strlen(request));
    if (rv == 0) {
        rv = kvt_read_response(fd, resp, strncmp(request, "HEAD ", 5) == 0);
    }
    close(fd);
    return rv;
}

void kvt_get(int port, const char *path, kvt_response_t *resp)
{
    char *req = kvt_strf("GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", path);
    ck_assert_msg(kvt_request(port, req, resp) == 0, "no response to GET %s", path);
    free(req);
}

char *kvt_read_until_close(int fd, size_t *len)
{
    kvt_response_t acc;
    memset(&acc, 0, sizeof(acc));
    acc.body = kvth_strdup("");
    read_body_until_close(fd, &acc, kvt_now_ms() + response_timeout_ms());
    if (len != NULL) {
        *len = acc.body_len;
    }
    return acc.body;
}

int kvt_is_closed(int fd, int timeout_ms)
{
    long deadline = kvt_now_ms() + timeout_ms;
    char buf[4096];
    for (;;) {
        long left = deadline - kvt_now_ms();
        if (left < 0) {
            return 0;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return 0;
        }
        ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n == 0 || (n < 0 && (errno == ECONNRESET || errno == EPIPE))) {
            return 1;
        }
    }
}

void kvt_assert_serves(kvt_server_t *srv, const char *path, const char *body)
{
    kvt_response_t r;

    kvt_get(kvt_server_port(srv), path, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, body);
    kvt_response_free(&r);
}

void kvt_assert_serves_type(kvt_server_t *srv, const char *path, const char *body, const char *type)
{
    kvt_response_t r;

    kvt_get(kvt_server_port(srv), path, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, body);
    ck_assert_pstr_eq(kvt_header(&r, "Content-Type"), type);
    kvt_response_free(&r);
}

void kvt_assert_status(kvt_server_t *srv, const char *path, int status)
{
    kvt_response_t r;

    kvt_get(kvt_server_port(srv), path, &r);
    ck_assert_int_eq(r.status, status);
    kvt_response_free(&r);
}

int kvt_says_close(const kvt_response_t *resp)
{
    return kvt_contains_nocase(kvt_header(resp, "Connection"), "close");
}

int kvt_get_keepalive(int fd, const char *path, const char *body)
{
    char *req = kvt_strf("GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n", path);
    kvt_response_t r;
    int closes;

    kvt_send(fd, req);
    free(req);
    ck_assert_int_eq(kvt_read_response(fd, &r, 0), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, body);
    closes = kvt_says_close(&r);
    kvt_response_free(&r);
    return closes;
}

int kvt_open_served(kvt_server_t *srv, const char *path, const char *body, pid_t *pid)
{
    int fd = kvt_connect(kvt_server_port(srv));

    ck_assert_msg(!kvt_get_keepalive(fd, path, body), "the first response closes the connection");
    *pid = kvt_serving_pid(srv, fd);
    ck_assert_msg(*pid > 0, "no process holds the connection");
    return fd;
}
