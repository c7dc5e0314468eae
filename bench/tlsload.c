/* tlsload: the TLS load client of bench/tls. wrk resumes TLS sessions whenever the server
 * lets it, so it cannot measure full handshakes; this client says exactly which kind of
 * handshake each connection makes.
 *
 *   tlsload -p PORT [-m new|resume] [-c PROCS] [-d SECONDS] [-n MAX] [-u PATH] [-2]
 *
 * Each of PROCS processes loops until SECONDS have passed (or MAX connections in all):
 * connect to 127.0.0.1:PORT, handshake, GET PATH with Connection: close, read the response
 * to the end, close. `new` starts every connection without a session (a full handshake);
 * `resume` offers the session of the process's previous connection (a ticket or a cached
 * session id). -2 limits the client to TLS 1.2. Prints one line:
 *   connections=N resumed=N errors=N seconds=S rate=R
 * where rate counts connections answered 200 per second. */
#include <arpa/inet.h>
#include <errno.h>
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
    int port, procs, tls12_only, resume;
    double seconds;
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
        n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", o->path);
        if (SSL_write(ssl, req, n) == n) {
            while ((n = SSL_read(ssl, buf, sizeof buf)) > 0) {
                if (got == 0 && n >= 12)
                    ok = memcmp(buf, "HTTP/1.1 200", 12) == 0;
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
    while (c.connections + c.errors < max && now() < deadline) {
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
                    "[-n MAX] [-u PATH] [-2]\n");
    return 2;
}

int main(int argc, char **argv)
{
    struct options o = {.procs = 1, .seconds = 5, .max = 1L << 40, .path = "/"};
    int opt, fds[2];
    while ((opt = getopt(argc, argv, "p:m:c:d:n:u:2")) != -1) {
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
        default: return usage();
        }
    }
    if (o.port <= 0 || o.port > 65535 || o.procs < 1 || o.procs > 256 || o.seconds <= 0 ||
        o.seconds > 600 || o.max < 1)
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
