/* tlsload: the TLS load client of bench/tls. wrk resumes TLS sessions whenever the server
 * lets it, so it cannot measure full handshakes; this client says exactly which kind of
 * handshake each connection makes.
 *
 *   tlsload -p PORT [-m new|resume] [-c PROCS] [-d SECONDS] [-n MAX] [-u PATH] [-2]
 *           [-k CONNS -l MS]
 *
 * Each of PROCS processes loops until SECONDS have passed (or MAX connections in all):
 * connect to 127.0.0.1:PORT, handshake, GET PATH with Connection: close, read the response
 * to the end, close. `new` starts every connection without a session (a full handshake);
 * `resume` offers the session of the process's previous connection (a ticket or a cached
 * session id). -2 limits the client to TLS 1.2.
 *
 * -k and -l make the clients far away: each process keeps CONNS connections under way at
 * once, and every byte the server sends reaches the client MS milliseconds after it
 * arrived (a round trip of MS for each of the server's flights: the bytes wait in a queue
 * in front of the TLS engine). What the client sends goes out at once. A server that holds
 * a thread for a whole handshake holds it for that round trip too. Prints one line:
 *   connections=N resumed=N errors=N seconds=S rate=R
 * where rate counts connections answered 200 per second. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct counts {
    long connections, resumed, errors;
};

struct options {
    int port, procs, tls12_only, resume, conns;
    double seconds, delay;
    long max;
    const char *path;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dial(int port)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
    struct timeval tv = {.tv_sec = 10};
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* The request each connection sends, into @a req; its length. */
static int format_request(char *req, size_t size, const char *path)
{
    return snprintf(req, size, "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                    path);
}

/* Whether a response's first @a n bytes in @a buf begin with a 200 status line. */
static int is_200(const char *buf, int n)
{
    return n >= 12 && memcmp(buf, "HTTP/1.1 200", 12) == 0;
}

/* One connection: returns 1 when the response began with a 200 status line. */
static int one_connection(SSL_CTX *ctx, const struct options *o, SSL_SESSION **session,
                          struct counts *c)
{
    char buf[16384], req[512];
    int fd = dial(o->port), ok = 0, got = 0, n;
    if (fd < 0)
        return 0;
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, "localhost");
    if (o->resume && *session)
        SSL_set_session(ssl, *session);
    if (SSL_connect(ssl) == 1) {
        if (SSL_session_reused(ssl))
            c->resumed++;
        n = format_request(req, sizeof req, o->path);
        if (SSL_write(ssl, req, n) == n) {
            while ((n = SSL_read(ssl, buf, sizeof buf)) > 0) {
                if (got == 0)
                    ok = is_200(buf, n);
                got += n;
            }
            /* A clean end is the server's close_notify; a reset after the whole response
             * (some servers skip close_notify) still counts when the status was 200. */
        }
        /* Without our close_notify OpenSSL marks the session not resumable. */
        SSL_shutdown(ssl);
        if (o->resume) {
            SSL_SESSION_free(*session);
            *session = SSL_get1_session(ssl);
        }
    }
    ERR_clear_error();
    SSL_free(ssl);
    close(fd);
    return ok;
}

/* --- far-away clients (-k, -l) ------------------------------------------------------ */

/* Bytes from the server, held until the client may see them. */
struct chunk {
    struct chunk *next;
    double due;
    size_t len;
    char data[];
};

struct far_conn {
    int fd; /* -1: the slot is free */
    SSL *ssl;
    BIO *rbio; /* what the TLS engine reads: the bytes that are due */
    struct chunk *head, *tail;
    double eof_due;  /* > 0: the server closed; the client sees it then */
    double started;
    int stage, ok, want_write, eof_fed; /* stage: 0 handshake, 1 request, 2 response */
    SSL_SESSION *session;
};

enum { FAR_WAIT, FAR_DONE, FAR_FAILED };

static int far_start(SSL_CTX *ctx, const struct options *o, struct far_conn *f, double t)
{
    f->fd = dial(o->port);
    if (f->fd < 0)
        return -1;
    fcntl(f->fd, F_SETFL, fcntl(f->fd, F_GETFL) | O_NONBLOCK);
    f->ssl = SSL_new(ctx);
    f->rbio = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(f->rbio, -1);
    SSL_set_bio(f->ssl, f->rbio, BIO_new_socket(f->fd, BIO_NOCLOSE));
    SSL_set_tlsext_host_name(f->ssl, "localhost");
    if (o->resume && f->session)
        SSL_set_session(f->ssl, f->session);
    f->head = f->tail = NULL;
    f->eof_due = 0;
    f->started = t;
    f->stage = f->ok = f->want_write = f->eof_fed = 0;
    return 0;
}

/* Everything the socket holds goes into the queue, due `delay` from now. */
static void far_receive(struct far_conn *f, double t, double delay)
{
    char buf[16384];
    for (;;) {
        ssize_t n = recv(f->fd, buf, sizeof buf, 0);
        if (n > 0) {
            struct chunk *c = malloc(sizeof *c + (size_t)n);
            if (!c)
                abort();
            c->next = NULL;
            c->due = t + delay;
            c->len = (size_t)n;
            memcpy(c->data, buf, (size_t)n);
            if (f->tail)
                f->tail->next = c;
            else
                f->head = c;
            f->tail = c;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        f->eof_due = t + delay; /* closed or reset: both end the stream */
        return;
    }
}

/* Hands the TLS engine what is due; 1 when it got something new. */
static int far_deliver(struct far_conn *f, double t)
{
    int fed = 0;
    while (f->head && f->head->due <= t) {
        struct chunk *c = f->head;
        BIO_write(f->rbio, c->data, (int)c->len);
        f->head = c->next;
        if (!f->head)
            f->tail = NULL;
        free(c);
        fed = 1;
    }
    if (!f->head && f->eof_due > 0 && f->eof_due <= t && !f->eof_fed) {
        BIO_set_mem_eof_return(f->rbio, 0);
        f->eof_fed = 1;
        fed = 1;
    }
    return fed;
}

static int far_wants(struct far_conn *f, int r)
{
    int e = SSL_get_error(f->ssl, r);
    f->want_write = e == SSL_ERROR_WANT_WRITE;
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
}

static int far_drive(struct far_conn *f, const struct options *o, struct counts *c)
{
    char buf[16384], req[512];
    int r, n;
    if (f->stage == 0) {
        r = SSL_connect(f->ssl);
        if (r != 1)
            return far_wants(f, r) ? FAR_WAIT : FAR_FAILED;
        if (SSL_session_reused(f->ssl))
            c->resumed++;
        f->stage = 1;
    }
    if (f->stage == 1) {
        n = format_request(req, sizeof req, o->path);
        r = SSL_write(f->ssl, req, n);
        if (r != n)
            return r < 0 && far_wants(f, r) ? FAR_WAIT : FAR_FAILED;
        f->stage = 2;
    }
    while ((r = SSL_read(f->ssl, buf, sizeof buf)) > 0)
        if (f->ok == 0)
            f->ok = is_200(buf, r) ? 1 : -1;
    if (far_wants(f, r))
        return FAR_WAIT;
    /* The end: close_notify, or a close after the response (as one_connection counts it). */
    return f->ok == 1 ? FAR_DONE : FAR_FAILED;
}

static void far_finish(struct far_conn *f, const struct options *o)
{
    SSL_shutdown(f->ssl);
    if (o->resume) {
        SSL_SESSION_free(f->session);
        f->session = SSL_get1_session(f->ssl);
    }
    ERR_clear_error();
    SSL_free(f->ssl);
    close(f->fd);
    while (f->head) {
        struct chunk *c = f->head;
        f->head = c->next;
        free(c);
    }
    f->tail = NULL;
    f->fd = -1;
}

/* A connection that has not ended after this long counts as an error. */
#define FAR_STALL_SECONDS 30.0

static void run_far(SSL_CTX *ctx, const struct options *o, double deadline, long max,
                    struct counts *c)
{
    struct far_conn *f = calloc((size_t)o->conns, sizeof *f);
    struct pollfd *p = calloc((size_t)o->conns, sizeof *p);
    long begun = 0;
    if (!f || !p)
        abort();
    for (int i = 0; i < o->conns; i++)
        f[i].fd = -1;
    double t = now();
    while (t < deadline) {
        double wake = deadline;
        for (int i = 0; i < o->conns; i++) {
            if (f[i].fd < 0 && begun < max) {
                begun++;
                if (far_start(ctx, o, &f[i], t) != 0)
                    c->errors++;
                else if (far_drive(&f[i], o, c) != FAR_WAIT) { /* sent the ClientHello */
                    c->errors++;
                    far_finish(&f[i], o);
                }
            }
            p[i].fd = f[i].fd;
            p[i].events = (f[i].fd >= 0 && f[i].eof_due == 0 ? POLLIN : 0) |
                          (f[i].want_write ? POLLOUT : 0);
            p[i].revents = 0;
            if (f[i].fd >= 0) {
                if (f[i].head && f[i].head->due < wake)
                    wake = f[i].head->due;
                if (!f[i].head && f[i].eof_due > 0 && f[i].eof_due < wake)
                    wake = f[i].eof_due;
            }
        }
        int ms = (int)ceil((wake - t) * 1000);
        poll(p, (nfds_t)o->conns, ms > 0 ? ms : 0);
        t = now();
        for (int i = 0; i < o->conns; i++) {
            if (f[i].fd < 0)
                continue;
            if (p[i].revents & (POLLIN | POLLHUP | POLLERR))
                far_receive(&f[i], t, o->delay);
            if (!far_deliver(&f[i], t) && !(p[i].revents & POLLOUT) &&
                t - f[i].started < FAR_STALL_SECONDS)
                continue;
            int d = t - f[i].started < FAR_STALL_SECONDS ? far_drive(&f[i], o, c) : FAR_FAILED;
            if (d == FAR_WAIT)
                continue;
            if (d == FAR_DONE)
                c->connections++;
            else
                c->errors++;
            far_finish(&f[i], o);
        }
    }
    for (int i = 0; i < o->conns; i++) {
        if (f[i].fd >= 0)
            far_finish(&f[i], o); /* under way at the deadline: not counted */
        SSL_SESSION_free(f[i].session);
    }
    free(f);
    free(p);
}

static void run_process(const struct options *o, double deadline, long max, int out)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_SESSION *session = NULL;
    struct counts c = {0};
    if (o->tls12_only)
        SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
    /* Tickets are kept by the client, not in an internal cache: resumption comes only from
     * the session this process offers. */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    if (o->conns > 0)
        run_far(ctx, o, deadline, max, &c);
    while (o->conns == 0 && c.connections + c.errors < max && now() < deadline) {
        if (one_connection(ctx, o, &session, &c))
            c.connections++;
        else
            c.errors++;
    }
    SSL_SESSION_free(session);
    SSL_CTX_free(ctx);
    if (write(out, &c, sizeof c) != (ssize_t)sizeof c)
        _exit(1);
    _exit(0);
}

static int usage(void)
{
    fprintf(stderr, "usage: tlsload -p PORT [-m new|resume] [-c PROCS] [-d SECONDS] "
                    "[-n MAX] [-u PATH] [-2] [-k CONNS -l MS]\n");
    return 2;
}

int main(int argc, char **argv)
{
    struct options o = {.procs = 1, .seconds = 5, .max = 1L << 40, .path = "/"};
    int opt, fds[2];
    while ((opt = getopt(argc, argv, "p:m:c:d:n:u:2k:l:")) != -1) {
        switch (opt) {
        case 'p': o.port = atoi(optarg); break;
        case 'm':
            if (strcmp(optarg, "new") != 0 && strcmp(optarg, "resume") != 0)
                return usage();
            o.resume = strcmp(optarg, "resume") == 0;
            break;
        case 'c': o.procs = atoi(optarg); break;
        case 'd': o.seconds = atof(optarg); break;
        case 'n': o.max = atol(optarg); break;
        case 'u': o.path = optarg; break;
        case '2': o.tls12_only = 1; break;
        case 'k': o.conns = atoi(optarg); break;
        case 'l': o.delay = atof(optarg) / 1000; break;
        default: return usage();
        }
    }
    if (o.port <= 0 || o.port > 65535 || o.procs < 1 || o.procs > 256 || o.seconds <= 0 ||
        o.seconds > 600 || o.max < 1 || o.conns < 0 || o.conns > 4096 || o.delay < 0 ||
        o.delay > 10 || (o.delay > 0) != (o.conns > 0))
        return usage();
    signal(SIGPIPE, SIG_IGN);
    if (pipe(fds) != 0)
        return 1;
    double start = now();
    for (int i = 0; i < o.procs; i++) {
        long share = o.max / o.procs + (i < o.max % o.procs);
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            run_process(&o, start + o.seconds, share, fds[1]);
        }
        if (pid < 0)
            return 1;
    }
    close(fds[1]);
    struct counts sum = {0}, c;
    while (read(fds[0], &c, sizeof c) == (ssize_t)sizeof c) {
        sum.connections += c.connections;
        sum.resumed += c.resumed;
        sum.errors += c.errors;
    }
    while (wait(NULL) > 0)
        ;
    double took = now() - start;
    printf("connections=%ld resumed=%ld errors=%ld seconds=%.3f rate=%.1f\n", sum.connections,
           sum.resumed, sum.errors, took, sum.connections / took);
    return 0;
}
