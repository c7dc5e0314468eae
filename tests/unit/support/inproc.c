/* In-process support for unit tests of the request path (inproc.h). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_poll.h>
#include <apr_strings.h>

#include "config_read.h"
#include "config_walk.h"
#include "core.h"
#include "inproc.h"
#include "kv_connection.h"
#include "kv_mpm_common.h"
#include "module.h"

#define CLIENT_TIMEOUT apr_time_from_sec(10)

/* The modules every generation starts with: server/process/main.c's builtin_modules. */
static kv_module_t *const builtin_modules[] = {&core_module, &mpm_common_module, &http_core_module};

/* Write @a conf to a file and read it as the configuration; NULL or the errors. */
static const char *read_conf(kvu_server_t *s, const char *conf, kv_directive_t **tree)
{
    char path[] = "/tmp/kiva-inproc-XXXXXX";
    int fd = mkstemp(path);
    kv_config_reader_t rd;
    const char *err;

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, conf, strlen(conf)), (ssize_t)strlen(conf));
    close(fd);
    memset(&rd, 0, sizeof(rd));
    rd.pool = s->pconf;
    rd.temp_pool = s->ptemp;
    err = kv_config_read_file(&rd, path, tree);
    unlink(path);
    return err;
}

const char *kvu_server_build(kvu_server_t *s, const char *conf, kv_module_t *const *extra)
{
    kv_directive_t *tree = NULL;
    const char *err;

    ck_assert_int_eq(apr_initialize(), APR_SUCCESS);
    memset(s, 0, sizeof(*s));
    ck_assert_int_eq(apr_pool_create(&s->pconf, NULL), APR_SUCCESS);
    ck_assert_int_eq(apr_pool_create(&s->ptemp, s->pconf), APR_SUCCESS);
    apr_hook_global_pool = s->pconf;
    kv_config_defines_reset(s->pconf, NULL);
    kv_modules_reset();
    s->server = kv_server_create(s->pconf);
    for (size_t i = 0; i < sizeof(builtin_modules) / sizeof(builtin_modules[0]); i++) {
        ck_assert_ptr_null(kv_module_add(s->pconf, builtin_modules[i], NULL, s->server));
    }
    for (; extra && *extra; extra++) {
        ck_assert_ptr_null(kv_module_add(s->pconf, *extra, NULL, s->server));
    }
    if ((err = read_conf(s, conf, &tree)) != NULL ||
        (err = kv_config_run(s->pconf, s->ptemp, s->server, tree)) != NULL ||
        (err = kv_core_finish_config(s->pconf, s->server)) != NULL) {
        return err;
    }
    apr_hook_sort_all();
    return NULL;
}

void kvu_server_destroy(kvu_server_t *s)
{
    apr_hook_deregister_all();
    apr_pool_destroy(s->pconf);
    apr_terminate();
}

void kvu_tcp_pair(apr_pool_t *p, apr_socket_t **accepted, apr_socket_t **client, int bufsize)
{
    apr_socket_t *lsn;
    apr_sockaddr_t *sa;

    ck_assert_int_eq(apr_sockaddr_info_get(&sa, "127.0.0.1", APR_INET, 0, 0, p), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_create(&lsn, APR_INET, SOCK_STREAM, APR_PROTO_TCP, p), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_bind(lsn, sa), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_listen(lsn, 1), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_addr_get(&sa, APR_LOCAL, lsn), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_create(client, APR_INET, SOCK_STREAM, APR_PROTO_TCP, p),
                     APR_SUCCESS);
    if (bufsize > 0) {
        ck_assert_int_eq(apr_socket_opt_set(*client, APR_SO_RCVBUF, bufsize), APR_SUCCESS);
    }
    ck_assert_int_eq(apr_socket_connect(*client, sa), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_accept(accepted, lsn, p), APR_SUCCESS);
    if (bufsize > 0) {
        ck_assert_int_eq(apr_socket_opt_set(*accepted, APR_SO_SNDBUF, bufsize), APR_SUCCESS);
    }
    apr_socket_close(lsn);
    apr_socket_timeout_set(*client, CLIENT_TIMEOUT);
}

void kvu_capture_put(kvu_capture_t *cap, apr_pool_t *p, const char *data, apr_size_t n)
{
    if (cap->len + n + 1 > cap->cap) {
        apr_size_t size = (cap->len + n + 1) * 2;
        char *buf = apr_palloc(p, size);

        if (cap->len) {
            memcpy(buf, cap->buf, cap->len);
        }
        cap->buf = buf;
        cap->cap = size;
    }
    memcpy(cap->buf + cap->len, data, n);
    cap->len += n;
    cap->buf[cap->len] = '\0';
}

/* Copy the bytes of every data bucket, then hand the brigade on unchanged. */
static apr_status_t capture_filter(kv_filter_t *f, apr_bucket_brigade *bb)
{
    kvu_conn_t *k = f->ctx;

    for (apr_bucket *b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        const char *data;
        apr_size_t n;

        if (!APR_BUCKET_IS_METADATA(b) &&
            apr_bucket_read(b, &data, &n, APR_BLOCK_READ) == APR_SUCCESS) {
            kvu_capture_put(&k->sent, k->pool, data, n);
        }
    }
    return kv_pass_brigade(f->next, bb);
}

kvu_conn_t *kvu_conn_open(kvu_server_t *s, int async, int bufsize)
{
    kvu_conn_t *k;
    apr_pool_t *ptrans;
    apr_socket_t *accepted;
    kv_filter_t *cap;

    ck_assert_int_eq(apr_pool_create(&ptrans, s->pconf), APR_SUCCESS);
    k = apr_pcalloc(ptrans, sizeof(*k));
    k->pool = ptrans;
    kvu_tcp_pair(ptrans, &accepted, &k->client, bufsize);
    k->c = kv_create_connection(ptrans, s->server, accepted, 1, -1);
    ck_assert_ptr_nonnull(k->c);
    k->c->async = async;
    cap = apr_pcalloc(ptrans, sizeof(*cap));
    cap->name = "capture";
    cap->func = capture_filter;
    cap->type = KV_FTYPE_CONNECTION;
    cap->ctx = k;
    cap->c = k->c;
    cap->next = k->c->output_filters;
    k->c->output_filters = cap;
    kvu_capture_put(&k->sent, ptrans, "", 0);
    return k;
}

void kvu_send(kvu_conn_t *k, const char *bytes)
{
    apr_size_t n = strlen(bytes);

    ck_assert_int_eq(apr_socket_send(k->client, bytes, &n), APR_SUCCESS);
    ck_assert_uint_eq(n, strlen(bytes));
}

void kvu_client_done(kvu_conn_t *k)
{
    ck_assert_int_eq(apr_socket_shutdown(k->client, APR_SHUTDOWN_WRITE), APR_SUCCESS);
}

/* Read what the client end receives until the end of file or, with @a timeout 0, until
 * nothing more is there now. */
static const char *read_client(kvu_conn_t *k, apr_interval_time_t timeout)
{
    kvu_capture_t got = {0};
    apr_time_t deadline = apr_time_now() + CLIENT_TIMEOUT;
    char buf[16384];

    kvu_capture_put(&got, k->pool, "", 0);
    apr_socket_timeout_set(k->client, timeout);
    while (apr_time_now() < deadline) {
        apr_size_t n = sizeof(buf);
        apr_status_t rv = apr_socket_recv(k->client, buf, &n);

        kvu_capture_put(&got, k->pool, buf, n);
        if (rv != APR_SUCCESS) {
            ck_assert_msg(APR_STATUS_IS_EOF(rv) || (timeout == 0 && APR_STATUS_IS_EAGAIN(rv)),
                          "client read failed: %d", rv);
            break;
        }
    }
    apr_socket_timeout_set(k->client, CLIENT_TIMEOUT);
    return got.buf;
}

const char *kvu_read_to_close(kvu_conn_t *k)
{
    return read_client(k, CLIENT_TIMEOUT);
}

const char *kvu_read_now(kvu_conn_t *k)
{
    return read_client(k, 0);
}

static void wait_readable(apr_pool_t *p, apr_socket_t *s)
{
    apr_pollfd_t pfd = {.p = p, .desc_type = APR_POLL_SOCKET, .reqevents = APR_POLLIN, .desc.s = s};
    apr_int32_t n = 0;

    ck_assert_int_eq(apr_poll(&pfd, 1, &n, CLIENT_TIMEOUT), APR_SUCCESS);
}

void kvu_wait_readable(kvu_conn_t *k)
{
    wait_readable(k->pool, k->c->sock);
}

void kvu_wait_answer(kvu_conn_t *k)
{
    wait_readable(k->pool, k->client);
}

const char *kvu_field(apr_pool_t *p, const char *head, const char *name)
{
    apr_size_t n = strlen(name);

    for (const char *line = strstr(head, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
        if (strncasecmp(line + 2, name, n) == 0 && line[2 + n] == ':') {
            const char *v = line + 2 + n + 1;
            v += strspn(v, " ");
            return apr_pstrndup(p, v, strcspn(v, "\r"));
        }
    }
    return NULL;
}

int kvu_next_response(apr_pool_t *p, const char **cursor, kvu_response_t *out)
{
    const char *text = *cursor, *end = strstr(text, "\r\n\r\n");
    const char *length;
    apr_size_t body_len;

    if (!*text || !end || sscanf(text, "HTTP/1.%*d %d", &out->status) != 1) {
        return 0;
    }
    out->head = apr_pstrndup(p, text, (apr_size_t)(end - text));
    end += 4;
    length = kvu_field(p, out->head, "Content-Length");
    body_len = length ? (apr_size_t)apr_atoi64(length) : strlen(end);
    ck_assert_uint_le(body_len, strlen(end));
    out->body = apr_pstrndup(p, end, body_len);
    *cursor = end + body_len;
    return 1;
}

void kvu_child_exiting(kv_conn_t *c)
{
    (void)c;
    kv_mpm_child_finish();
}

int kvu_answer(kv_request_t *r, const char *text)
{
    apr_bucket_brigade *bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);

    r->status = KV_HTTP_OK;
    r->content_type = "text/plain";
    apr_brigade_puts(bb, NULL, NULL, text);
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(bb->bucket_alloc));
    return kv_pass_brigade(r->output_filters, bb) == APR_SUCCESS ? KV_OK
                                                                 : KV_HTTP_INTERNAL_SERVER_ERROR;
}
