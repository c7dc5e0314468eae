/* Runs one CGI script: the process in its own group, its three pipes polled together so the
 * request body can go in while the output comes out, the response head parsed, the body
 * streamed, stderr logged, and the script killed when it stays silent for Timeout. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <apr_lib.h>
#include <apr_poll.h>
#include <apr_portable.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>

#include "cgi_env.h"
#include "cgi_headers.h"
#include "cgi_run.h"

#define KV_LOG_MODULE "cgi"

/* Bytes moved per read or write on a pipe. */
#define CGI_IOBUF 8192
/* Longest stderr line logged as one; longer ones are logged in pieces. */
#define CGI_ERRLINE 1024
/* Most stderr kept for the ScriptLog. */
#define CGI_STDERR_KEEP 65536
/* Pause between checks that a script that closed its output has exited. */
#define CGI_EXIT_POLL apr_time_from_msec(10)
/* Status for a script that never answered. */
#define CGI_GATEWAY_TIME_OUT 504

typedef struct {
    kv_request_t *r;
    const cgi_server_conf_t *conf;
    apr_proc_t proc;
    int started, reaped;
    apr_file_t *in;  /* the script's stdin; NULL once closed */
    apr_file_t *out; /* its stdout */
    apr_file_t *err; /* its stderr; NULL at its end */
    int out_eof;
    int nph;       /* non-parsed headers: the output goes to the client as it is */
    cgi_head_t head;
    int head_done; /* the response head is known */
    const char *redirect; /* a local Location without Status: served after the script */
    int sent;      /* something went to the client */
    char *obuf;    /* output read from the script */
    char *body;    /* request body bytes on their way to the script */
    apr_size_t body_len, body_off;
    int body_eof;
    char errline[CGI_ERRLINE];
    apr_size_t errlen;
    apr_bucket_brigade *bb;        /* output to the client */
    apr_bucket_brigade *kept_body; /* for the ScriptLog */
    apr_bucket_brigade *kept_err;  /* for the ScriptLog */
    apr_off_t kept_body_len, kept_err_len;
} cgi_ctx_t;

static const char *script_name(const kv_request_t *r)
{
    const char *slash = strrchr(r->filename, '/');

    return slash ? slash + 1 : r->filename;
}

static int is_nph(const kv_request_t *r)
{
    return strncmp(script_name(r), "nph-", 4) == 0;
}

/* Keep up to @a limit bytes of what passes for the ScriptLog. */
static void keep(cgi_ctx_t *ctx, apr_bucket_brigade *bb, apr_off_t *kept, apr_off_t limit,
                 const char *buf, apr_size_t len)
{
    apr_size_t room;

    if (!ctx->conf->log || *kept >= limit) {
        return;
    }
    room = (apr_size_t)(limit - *kept);
    len = len < room ? len : room;
    apr_brigade_write(bb, NULL, NULL, buf, len);
    *kept += (apr_off_t)len;
}

static int add_log_field(void *bb, const char *name, const char *value)
{
    apr_brigade_printf(bb, NULL, NULL, "%s: %s\n", name, value);
    return 1;
}

/* The ScriptLog entry of a failed request: what was asked, why it failed, what the script
 * said on stderr (httpd's format). Skipped once the file reaches ScriptLogLength. */
static void write_script_log(cgi_ctx_t *ctx, int status, const char *why)
{
    kv_request_t *r = ctx->r;
    apr_off_t limit = ctx->conf->log_length >= 0 ? ctx->conf->log_length : CGI_DEFAULT_LOG_LENGTH;
    apr_bucket_brigade *bb;
    apr_finfo_t fi;
    apr_file_t *f;
    char date[APR_CTIME_LEN];
    apr_status_t rv;
    char *text;
    apr_size_t len;

    if (!ctx->conf->log) {
        return;
    }
    if (apr_stat(&fi, ctx->conf->log, APR_FINFO_SIZE, r->pool) == APR_SUCCESS &&
        fi.size >= limit) {
        return;
    }
    rv = apr_file_open(&f, ctx->conf->log, APR_FOPEN_WRITE | APR_FOPEN_CREATE | APR_FOPEN_APPEND,
                       APR_FPROT_UREAD | APR_FPROT_UWRITE | APR_FPROT_GREAD | APR_FPROT_WREAD,
                       r->pool);
    if (rv != APR_SUCCESS) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, rv, r, "KV00791: cannot open ScriptLog %s",
                      ctx->conf->log);
        return;
    }
    apr_ctime(date, apr_time_now());
    bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    apr_brigade_printf(bb, NULL, NULL, "%%%% [%s] %s\n%%%% %d %s\n%%error\n%s\n%%request\n", date,
                       r->the_request ? r->the_request : r->method, status, r->filename, why);
    apr_table_do(add_log_field, bb, r->headers_in, NULL);
    APR_BRIGADE_CONCAT(bb, ctx->kept_body);
    apr_brigade_puts(bb, NULL, NULL, "\n%stderr\n");
    APR_BRIGADE_CONCAT(bb, ctx->kept_err);
    apr_brigade_puts(bb, NULL, NULL, "\n");
    apr_brigade_pflatten(bb, &text, &len, r->pool);
    apr_file_write_full(f, text, len, NULL);
    apr_file_close(f);
    apr_brigade_destroy(bb);
}

/* Kill the script and whatever it started, then reap it. */
static void kill_script(cgi_ctx_t *ctx)
{
    int code;
    apr_exit_why_e why;

    if (!ctx->started || ctx->reaped) {
        return;
    }
    kill(-ctx->proc.pid, SIGKILL);
    kill(ctx->proc.pid, SIGKILL);
    apr_proc_wait(&ctx->proc, &code, &why, APR_WAIT);
    ctx->reaped = 1;
}

/* The request pool never goes without its script: no process outlives its request. */
static apr_status_t reap_script(void *data)
{
    cgi_ctx_t *ctx = data;
    int code;
    apr_exit_why_e why;

    if (ctx->started && !ctx->reaped &&
        apr_proc_wait(&ctx->proc, &code, &why, APR_NOWAIT) == APR_CHILD_DONE) {
        ctx->reaped = 1;
    }
    kill_script(ctx);
    return APR_SUCCESS;
}

/* The script's directory, its working directory. */
static const char *script_dir(apr_pool_t *p, const char *filename)
{
    const char *slash = strrchr(filename, '/');

    return slash && slash != filename ? apr_pstrmemdup(p, filename, (apr_size_t)(slash - filename))
                                      : "/";
}

/* The script's three pipes: the child's ends block, the server's ends do not (they are
 * polled together). */
typedef struct {
    apr_file_t *in_r, *in_w, *out_r, *out_w, *err_r, *err_w;
} cgi_pipes_t;

static apr_status_t make_pipes(cgi_pipes_t *pp, apr_pool_t *p)
{
    apr_status_t rv;

    if ((rv = apr_file_pipe_create_ex(&pp->in_r, &pp->in_w, APR_READ_BLOCK, p)) != APR_SUCCESS ||
        (rv = apr_file_pipe_create_ex(&pp->out_r, &pp->out_w, APR_WRITE_BLOCK, p)) !=
            APR_SUCCESS) {
        return rv;
    }
    return apr_file_pipe_create_ex(&pp->err_r, &pp->err_w, APR_WRITE_BLOCK, p);
}

static int dup_to(apr_file_t *f, int target)
{
    apr_os_file_t fd;

    return apr_os_file_get(&fd, f) == APR_SUCCESS && dup2(fd, target) == target;
}

/* In the forked child: a process group of its own, so a timeout kills whatever the script
 * started too; the pipes as stdio and no other descriptor of the server; then exec.
 * (apr_proc_create offers no way to set the group before exec unless running as root.) */
static void exec_script(kv_request_t *r, const cgi_pipes_t *pp, const char *const *env)
{
    const char *argv[] = {r->filename, NULL};
    const char *dir = script_dir(r->pool, r->filename);
    char reason[256];
    const char *line;

    setpgid(0, 0);
    /* The server's ends have no cleanup for exec: without this the script would hold its
     * own stdin open and never see its end. */
    apr_file_close(pp->in_w);
    apr_file_close(pp->out_r);
    apr_file_close(pp->err_r);
    if (!dup_to(pp->in_r, STDIN_FILENO) || !dup_to(pp->out_w, STDOUT_FILENO) ||
        !dup_to(pp->err_w, STDERR_FILENO)) {
        _exit(127);
    }
    apr_pool_cleanup_for_exec();
    /* Descriptors no pool closes for exec (the pipes' originals, the MPM's pipes) are not the
     * script's business. */
    closefrom(STDERR_FILENO + 1);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    if (chdir(dir) != 0) {
        line = apr_psprintf(r->pool, "cannot change to directory %s: %s\n", dir,
                            apr_strerror(APR_FROM_OS_ERROR(errno), reason, sizeof(reason)));
    } else {
        execve(r->filename, (char *const *)argv, (char *const *)env);
        line = apr_psprintf(r->pool, "exec of '%s' failed: %s\n", r->filename,
                            apr_strerror(APR_FROM_OS_ERROR(errno), reason, sizeof(reason)));
    }
    /* stderr is the pipe to the server: the reason reaches the error log. */
    if (write(STDERR_FILENO, line, strlen(line)) < 0) {
        _exit(127);
    }
    _exit(127);
}

static apr_status_t start_process(cgi_ctx_t *ctx, const char *const *env)
{
    kv_request_t *r = ctx->r;
    cgi_pipes_t pp;
    apr_status_t rv;

    if ((rv = make_pipes(&pp, r->pool)) != APR_SUCCESS) {
        return rv;
    }
    rv = apr_proc_fork(&ctx->proc, r->pool);
    if (rv == APR_INCHILD) {
        exec_script(r, &pp, env);
    }
    apr_file_close(pp.in_r);
    apr_file_close(pp.out_w);
    apr_file_close(pp.err_w);
    if (rv != APR_INPARENT) {
        return rv;
    }
    ctx->in = pp.in_w;
    ctx->out = pp.out_r;
    ctx->err = pp.err_r;
    return APR_SUCCESS;
}

/* Start the script with its pipes; KV_OK or 500. */
static int spawn(cgi_ctx_t *ctx)
{
    kv_request_t *r = ctx->r;
    const char *const *env = cgi_env_array(r->pool, cgi_env_table(r, kv_document_root(r)));
    apr_status_t rv = start_process(ctx, env);

    if (rv != APR_SUCCESS) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, rv, r,
                      "KV00784: couldn't create child process for %s", r->filename);
        write_script_log(ctx, KV_HTTP_INTERNAL_SERVER_ERROR, "couldn't create child process");
        return KV_HTTP_INTERNAL_SERVER_ERROR;
    }
    /* Also from this side, so the group exists before any kill, whoever runs first. */
    setpgid(ctx->proc.pid, ctx->proc.pid);
    ctx->started = 1;
    apr_pool_cleanup_register(r->pool, ctx, reap_script, apr_pool_cleanup_null);
    return KV_OK;
}

static void log_stderr_line(cgi_ctx_t *ctx)
{
    apr_size_t n = ctx->errlen;

    ctx->errlen = 0;
    if (n > 0 && ctx->errline[n - 1] == '\r') {
        n--;
    }
    if (n > 0) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, ctx->r, "KV00788: %.*s: %s", (int)n,
                      ctx->errline, ctx->r->filename);
    }
}

static void take_stderr(cgi_ctx_t *ctx, const char *buf, apr_size_t len)
{
    keep(ctx, ctx->kept_err, &ctx->kept_err_len, CGI_STDERR_KEEP, buf, len);
    for (apr_size_t i = 0; i < len; i++) {
        if (buf[i] == '\n') {
            log_stderr_line(ctx);
            continue;
        }
        if (ctx->errlen == sizeof(ctx->errline)) {
            log_stderr_line(ctx);
        }
        ctx->errline[ctx->errlen++] = buf[i];
    }
}

/* Read what stderr holds now; at its end, log the last unfinished line. */
static void read_stderr(cgi_ctx_t *ctx)
{
    char buf[CGI_IOBUF];

    while (ctx->err) {
        apr_size_t n = sizeof(buf);
        apr_status_t rv = apr_file_read(ctx->err, buf, &n);

        if (APR_STATUS_IS_EAGAIN(rv)) {
            return;
        }
        if (rv != APR_SUCCESS) {
            log_stderr_line(ctx);
            ctx->err = NULL;
            return;
        }
        take_stderr(ctx, buf, n);
    }
}

/* The script failed with @a status: logged to the ScriptLog; the client gets @a status, or
 * a closed connection when its response has already started. */
static int fail(cgi_ctx_t *ctx, int status, const char *why)
{
    kill_script(ctx);
    read_stderr(ctx);
    write_script_log(ctx, status, why);
    if (ctx->sent) {
        ctx->r->close_connection = 1;
        return KV_DONE;
    }
    return status;
}

/* Output that is no CGI response head: 500. */
static int malformed(cgi_ctx_t *ctx, const char *why)
{
    kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, ctx->r,
                  "KV00785: malformed header from script '%s': %s", ctx->r->filename, why);
    return fail(ctx, KV_HTTP_INTERNAL_SERVER_ERROR, why);
}

/* Pass @a bb down the response's chain; a client that went away stops the script. */
static int pass(cgi_ctx_t *ctx, kv_filter_t *chain, apr_bucket_brigade *bb)
{
    apr_status_t rv = kv_pass_brigade(chain, bb);

    apr_brigade_cleanup(bb);
    ctx->sent = 1;
    if (rv != APR_SUCCESS || ctx->r->connection->aborted) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_INFO, rv, ctx->r,
                      "KV00790: client went away while %s was answering; script stopped",
                      ctx->r->filename);
        kill_script(ctx);
        ctx->r->close_connection = 1;
        return KV_DONE;
    }
    return KV_OK;
}

static int send_body(cgi_ctx_t *ctx, const char *buf, apr_size_t len)
{
    apr_bucket_alloc_t *ba = ctx->r->connection->bucket_alloc;

    if (len == 0 || ctx->redirect) {
        return KV_OK;
    }
    APR_BRIGADE_INSERT_TAIL(ctx->bb, apr_bucket_heap_create(buf, len, NULL, ba));
    APR_BRIGADE_INSERT_TAIL(ctx->bb, apr_bucket_flush_create(ba));
    return pass(ctx, ctx->r->output_filters, ctx->bb);
}

/* The status of an nph script's status line ("HTTP/1.1 404 Not Found"), for the access log. */
static int nph_status(const char *buf, apr_size_t len)
{
    if (len >= 12 && strncmp(buf, "HTTP/", 5) == 0 && buf[8] == ' ' && apr_isdigit(buf[9]) &&
        apr_isdigit(buf[10]) && apr_isdigit(buf[11])) {
        return (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
    }
    return KV_HTTP_OK;
}

/* Non-parsed headers: the bytes go to the connection untouched, framed by its close. */
static int send_raw(cgi_ctx_t *ctx, const char *buf, apr_size_t len)
{
    kv_request_t *r = ctx->r;
    apr_bucket_alloc_t *ba = r->connection->bucket_alloc;

    if (!ctx->sent) {
        r->status = nph_status(buf, len);
    }
    r->eos_sent = 1;
    r->close_connection = 1;
    r->bytes_sent += (apr_off_t)len;
    APR_BRIGADE_INSERT_TAIL(ctx->bb, apr_bucket_heap_create(buf, len, NULL, ba));
    APR_BRIGADE_INSERT_TAIL(ctx->bb, apr_bucket_flush_create(ba));
    return pass(ctx, r->connection->output_filters, ctx->bb);
}

static int add_out_field(void *r, const char *name, const char *value)
{
    apr_table_add(((kv_request_t *)r)->headers_out, name, value);
    return 1;
}

/* The script's head becomes the response's status and fields. */
static int apply_head(cgi_ctx_t *ctx)
{
    kv_request_t *r = ctx->r;
    cgi_response_t resp;
    const char *err = cgi_head_interpret(r->pool, ctx->head.fields, &resp);

    if (err) {
        return malformed(ctx, err);
    }
    ctx->head_done = 1;
    if (resp.local_redirect) {
        ctx->redirect = resp.location;
        return KV_OK;
    }
    if (resp.status) {
        r->status = resp.status;
        r->status_line = resp.reason ? apr_psprintf(r->pool, "%d %s", resp.status, resp.reason)
                                     : NULL;
    }
    if (resp.location) {
        apr_table_set(r->headers_out, "Location", resp.location);
    }
    if (resp.content_type) {
        r->content_type = resp.content_type;
    }
    apr_table_do(add_out_field, r, resp.headers, NULL);
    return KV_OK;
}

/* Output from the script: head first, then body. */
static int take_output(cgi_ctx_t *ctx, const char *buf, apr_size_t len)
{
    apr_size_t used = 0;
    int status;

    if (ctx->nph) {
        return send_raw(ctx, buf, len);
    }
    if (!ctx->head_done) {
        switch (cgi_head_feed(&ctx->head, buf, len, &used)) {
        case CGI_HEAD_MORE:
            return KV_OK;
        case CGI_HEAD_BAD:
            return malformed(ctx, ctx->head.error);
        case CGI_HEAD_DONE:
            if ((status = apply_head(ctx)) != KV_OK) {
                return status;
            }
            break;
        }
    }
    return send_body(ctx, buf + used, len - used);
}

static int read_stdout(cgi_ctx_t *ctx)
{
    apr_size_t n = CGI_IOBUF;
    apr_status_t rv = apr_file_read(ctx->out, ctx->obuf, &n);

    if (APR_STATUS_IS_EAGAIN(rv)) {
        return KV_OK;
    }
    if (rv == APR_EOF) {
        ctx->out_eof = 1;
        return KV_OK;
    }
    if (rv != APR_SUCCESS) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, rv, ctx->r, "KV00793: cannot read the output of %s",
                      ctx->r->filename);
        return fail(ctx, KV_HTTP_INTERNAL_SERVER_ERROR, "cannot read the script's output");
    }
    return take_output(ctx, ctx->obuf, n);
}

static int body_pending(const cgi_ctx_t *ctx)
{
    return ctx->body_off < ctx->body_len;
}

/* Does the script need more of the body, and has the client more to give? */
static int wants_body(const cgi_ctx_t *ctx)
{
    return ctx->in && !ctx->body_eof && !body_pending(ctx);
}

static void close_stdin(cgi_ctx_t *ctx)
{
    apr_file_close(ctx->in);
    ctx->in = NULL;
}

/* Next piece of the request body from the client (waits for it, under Timeout). */
static int read_body(cgi_ctx_t *ctx)
{
    apr_size_t len = CGI_IOBUF;
    apr_status_t rv = kv_read_body(ctx->r, ctx->body, &len);
    int status;

    if (rv == APR_EOF) {
        ctx->body_eof = 1;
        return KV_OK;
    }
    if (rv != APR_SUCCESS) {
        status = kv_body_error(ctx->r);
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, rv, ctx->r,
                      "KV00789: cannot read the request body for %s", ctx->r->filename);
        ctx->r->close_connection = 1;
        return fail(ctx, status ? status : KV_HTTP_BAD_REQUEST, "cannot read the request body");
    }
    ctx->body_off = 0;
    ctx->body_len = len;
    keep(ctx, ctx->kept_body, &ctx->kept_body_len,
         ctx->conf->log_buffer >= 0 ? ctx->conf->log_buffer : CGI_DEFAULT_LOG_BUFFER, ctx->body,
         len);
    return KV_OK;
}

/* Give the script what it can take now; a script that stops reading gets no more (the
 * connection discards the rest of the body, as for any handler). */
static void write_body(cgi_ctx_t *ctx)
{
    apr_size_t n = ctx->body_len - ctx->body_off;
    apr_status_t rv = apr_file_write(ctx->in, ctx->body + ctx->body_off, &n);

    if (rv == APR_SUCCESS || APR_STATUS_IS_EAGAIN(rv)) {
        ctx->body_off += n;
        return;
    }
    ctx->body_eof = 1;
    ctx->body_off = ctx->body_len;
    close_stdin(ctx);
}

static void add_pollfd(apr_pollfd_t *pfd, int *n, apr_pool_t *p, apr_file_t *f, apr_int16_t ev)
{
    memset(&pfd[*n], 0, sizeof(pfd[*n]));
    pfd[*n].p = p;
    pfd[*n].desc_type = APR_POLL_FILE;
    pfd[*n].desc.f = f;
    pfd[*n].reqevents = ev;
    (*n)++;
}

static int timed_out(cgi_ctx_t *ctx)
{
    kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, ctx->r,
                  "KV00787: Timeout waiting for output from CGI script %s; killed",
                  ctx->r->filename);
    kill_script(ctx);
    read_stderr(ctx);
    return fail(ctx, CGI_GATEWAY_TIME_OUT, "timeout waiting for output");
}

/* One wait on the pipes that can move now, and whatever they allow. */
static int poll_once(cgi_ctx_t *ctx)
{
    apr_pollfd_t pfd[3];
    apr_int32_t nready;
    int n = 0, status = KV_OK;
    apr_status_t rv;

    add_pollfd(pfd, &n, ctx->r->pool, ctx->out, APR_POLLIN);
    if (ctx->err) {
        add_pollfd(pfd, &n, ctx->r->pool, ctx->err, APR_POLLIN);
    }
    if (ctx->in && body_pending(ctx)) {
        add_pollfd(pfd, &n, ctx->r->pool, ctx->in, APR_POLLOUT);
    }
    rv = apr_poll(pfd, n, &nready, ctx->r->server->timeout);
    if (APR_STATUS_IS_TIMEUP(rv)) {
        return timed_out(ctx);
    }
    if (APR_STATUS_IS_EINTR(rv)) {
        return KV_OK;
    }
    if (rv != APR_SUCCESS) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, rv, ctx->r, "KV00792: cannot poll the pipes of %s",
                      ctx->r->filename);
        return fail(ctx, KV_HTTP_INTERNAL_SERVER_ERROR, "cannot poll the script's pipes");
    }
    for (int i = 0; i < n && status == KV_OK; i++) {
        if (pfd[i].rtnevents == 0) {
            continue;
        }
        if (pfd[i].desc.f == ctx->in) {
            write_body(ctx);
        } else if (pfd[i].desc.f == ctx->err) {
            read_stderr(ctx);
        } else {
            status = read_stdout(ctx);
        }
    }
    return status;
}

/* Move bytes until the script's stdout ends: KV_OK, or what to return from the handler. */
static int pump(cgi_ctx_t *ctx)
{
    int status;

    while (!ctx->out_eof) {
        if (wants_body(ctx) && (status = read_body(ctx)) != KV_OK) {
            return status;
        }
        if (ctx->in && ctx->body_eof && !body_pending(ctx)) {
            close_stdin(ctx);
        }
        if ((status = poll_once(ctx)) != KV_OK) {
            return status;
        }
    }
    return KV_OK;
}

/* The response is done: give the script until Timeout to exit, then collect its last
 * stderr. */
static void finish_script(cgi_ctx_t *ctx)
{
    apr_time_t deadline = apr_time_now() + ctx->r->server->timeout;
    int code;
    apr_exit_why_e why;

    while (!ctx->reaped) {
        if (apr_proc_wait(&ctx->proc, &code, &why, APR_NOWAIT) != APR_CHILD_NOTDONE) {
            ctx->reaped = 1;
        } else if (apr_time_now() >= deadline) {
            kill_script(ctx);
        } else {
            apr_sleep(CGI_EXIT_POLL);
        }
    }
    read_stderr(ctx);
    log_stderr_line(ctx);
}

/* The end of a response whose output ended normally. */
static int complete(cgi_ctx_t *ctx)
{
    kv_request_t *r = ctx->r;
    apr_bucket_alloc_t *ba = r->connection->bucket_alloc;

    if (!ctx->nph && !ctx->head_done) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV00786: End of script output before headers: %s", r->filename);
        return fail(ctx, KV_HTTP_INTERNAL_SERVER_ERROR, "end of script output before headers");
    }
    if (ctx->nph) {
        return ctx->sent ? KV_DONE
                         : fail(ctx, KV_HTTP_INTERNAL_SERVER_ERROR, "nph script wrote nothing");
    }
    if (ctx->redirect) {
        return kv_internal_redirect(r, ctx->redirect, 0);
    }
    APR_BRIGADE_INSERT_TAIL(ctx->bb, apr_bucket_eos_create(ba));
    pass(ctx, r->output_filters, ctx->bb);
    return KV_DONE;
}

static cgi_ctx_t *ctx_create(kv_request_t *r, const cgi_server_conf_t *conf)
{
    cgi_ctx_t *ctx = apr_pcalloc(r->pool, sizeof(*ctx));
    apr_bucket_alloc_t *ba = r->connection->bucket_alloc;

    ctx->r = r;
    ctx->conf = conf;
    ctx->nph = is_nph(r);
    ctx->obuf = apr_palloc(r->pool, CGI_IOBUF);
    ctx->body = apr_palloc(r->pool, CGI_IOBUF);
    ctx->body_eof = !kv_has_body(r);
    ctx->bb = apr_brigade_create(r->pool, ba);
    ctx->kept_body = apr_brigade_create(r->pool, ba);
    ctx->kept_err = apr_brigade_create(r->pool, ba);
    cgi_head_init(&ctx->head, r->pool);
    return ctx;
}

int cgi_run(kv_request_t *r, const cgi_server_conf_t *conf)
{
    cgi_ctx_t *ctx = ctx_create(r, conf);
    int status;

    if ((status = spawn(ctx)) != KV_OK) {
        return status;
    }
    if ((status = pump(ctx)) != KV_OK) {
        return status;
    }
    /* The client has its answer before the script's exit is awaited. */
    status = complete(ctx);
    finish_script(ctx);
    return status;
}
