/* The rules a compressing output filter follows before it compresses (kv_coding.h). */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "kv_coding.h"
#include "kv_config.h"
#include "kv_log.h"

#define KV_LOG_MODULE "core"

KV_DECLARE(const char *) kv_parse_etag_mode(apr_pool_t *p, const char *s, kv_etag_mode_t *out)
{
    if (strcasecmp(s, "AddSuffix") == 0) {
        *out = KV_ETAG_ADD_SUFFIX;
    } else if (strcasecmp(s, "NoChange") == 0) {
        *out = KV_ETAG_NO_CHANGE;
    } else if (strcasecmp(s, "Remove") == 0) {
        *out = KV_ETAG_REMOVE;
    } else {
        return apr_psprintf(p, "'%s' is not AddSuffix, NoChange or Remove", s);
    }
    return NULL;
}

/* The token at *s (up to ',', ';' or a blank), its length in *n; *s moves past it. */
static const char *next_token(const char **s, size_t *n)
{
    const char *start;

    *s += strspn(*s, " \t");
    start = *s;
    *n = strcspn(start, ",; \t");
    *s = start + *n;
    *s += strspn(*s, " \t");
    return start;
}

/* Is the weight (after "q=") zero: "0", "0.", "0.0" up to "0.000"? */
static int weight_is_zero(const char *q, size_t n)
{
    if (n == 0 || q[0] != '0') {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if (!(i == 1 && q[i] == '.') && q[i] != '0') {
            return 0;
        }
    }
    return 1;
}

/* Past the parameters of an element; 1 if one of them is a weight of zero. */
static int skip_params(const char **s)
{
    int zero = 0;

    while (**s == ';') {
        size_t n;
        const char *p;
        (*s)++;
        p = next_token(s, &n);
        if (n > 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
            zero = weight_is_zero(p + 2, n - 2);
        }
        *s += strcspn(*s, ",;");
    }
    return zero;
}

/* Is @a token an element of the comma-separated @a list? *zero says whether its weight is 0. */
static int list_find(const char *list, const char *token, int *zero)
{
    const char *s = list;
    size_t want = strlen(token);

    while (s && *s) {
        size_t n;
        const char *tok = next_token(&s, &n);
        *zero = skip_params(&s);
        if (n == want && strncasecmp(tok, token, n) == 0) {
            return 1;
        }
        s += strcspn(s, ",");
        if (*s == ',') {
            s++;
        }
    }
    return 0;
}

KV_DECLARE(int) kv_coding_accepted(const char *accept, const char *coding)
{
    int zero = 0;

    return list_find(accept, coding, &zero) && !zero;
}

KV_DECLARE(int) kv_coding_is_identity(const char *list)
{
    static const char *const neutral[] = {"identity", "7bit", "8bit", "binary"};
    const char *s = list;

    while (s && *s) {
        size_t n;
        const char *tok = next_token(&s, &n);
        int ok = n == 0;
        for (size_t i = 0; i < sizeof(neutral) / sizeof(neutral[0]) && !ok; i++) {
            ok = n == strlen(neutral[i]) && strncasecmp(tok, neutral[i], n) == 0;
        }
        if (!ok) {
            return 0;
        }
        s += strcspn(s, ",");
        if (*s == ',') {
            s++;
        }
    }
    return 1;
}

KV_DECLARE(const char *) kv_etag_add_suffix(apr_pool_t *p, const char *etag, const char *suffix)
{
    size_t n = etag ? strlen(etag) : 0;

    if (n <= 2 || etag[n - 1] != '"') {
        return etag;
    }
    return apr_pstrcat(p, apr_pstrmemdup(p, etag, n - 1), "-", suffix, "\"", NULL);
}

/* Does the first brigade hold the whole body, and is it shorter than @a min? httpd leaves
 * such a body alone: compressing it would make it longer. */
static int body_known_short(kv_request_t *r, apr_bucket_brigade *bb, apr_size_t min)
{
    apr_size_t len = 0;

    if (min == 0) {
        return 0;
    }
    if (r->header_only) {
        return r->clength >= 0 && (apr_size_t)r->clength < min;
    }
    if (!APR_BUCKET_IS_EOS(APR_BRIGADE_LAST(bb))) {
        return 0;
    }
    for (apr_bucket *b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        if (b->length == (apr_size_t)-1) {
            return 0;
        }
        len += b->length;
        if (len >= min) {
            return 0;
        }
    }
    return 1;
}

/* Content-Encoding of the response so far, both tables together, or NULL. */
static const char *current_encoding(kv_request_t *r)
{
    const char *out = apr_table_get(r->headers_out, "Content-Encoding");
    const char *err = apr_table_get(r->err_headers_out, "Content-Encoding");

    if (out && err) {
        return apr_pstrcat(r->pool, out, ",", err, NULL);
    }
    return out ? out : err;
}

static int type_is_html(const kv_request_t *r)
{
    return r->content_type && strncasecmp(r->content_type, "text/html", 9) == 0;
}

/* The response must stay as it is: nothing of it is for this coding to touch. */
static int response_excluded(kv_request_t *r, const kv_coding_spec_t *spec)
{
    const char *html_only = apr_table_get(r->subprocess_env, "gzip-only-text/html");

    return r->status == KV_HTTP_NO_CONTENT || apr_table_get(r->subprocess_env, spec->no_env) ||
           apr_table_get(r->headers_out, "Content-Range") ||
           (spec->html_only_env && html_only && strcmp(html_only, "1") == 0 && !type_is_html(r)) ||
           !kv_coding_is_identity(current_encoding(r));
}

static void set_coded_fields(kv_request_t *r, const kv_coding_spec_t *spec)
{
    const char *etag = apr_table_get(r->headers_out, "ETag");
    const char *encoding = apr_table_get(r->headers_out, "Content-Encoding");

    if (!encoding || strcasecmp(encoding, "identity") == 0) {
        apr_table_setn(r->headers_out, "Content-Encoding", spec->coding);
    } else {
        apr_table_mergen(r->headers_out, "Content-Encoding", spec->coding);
    }
    apr_table_unset(r->headers_out, "Content-Length");
    apr_table_unset(r->headers_out, "Content-MD5");
    r->clength = -1;
    if (spec->etag == KV_ETAG_REMOVE) {
        apr_table_unset(r->headers_out, "ETag");
    } else if (spec->etag == KV_ETAG_ADD_SUFFIX && etag) {
        apr_table_setn(r->headers_out, "ETag", kv_etag_add_suffix(r->pool, etag, spec->coding));
    }
}

static int has_data(apr_bucket_brigade *bb)
{
    for (apr_bucket *b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        if (!APR_BUCKET_IS_METADATA(b)) {
            return 1;
        }
    }
    return 0;
}

/* Vary names Accept-Encoding, once, though a second coding asks too. */
static void vary_on_accept_encoding(kv_request_t *r)
{
    int zero;

    if (!list_find(apr_table_get(r->headers_out, "Vary"), "Accept-Encoding", &zero)) {
        apr_table_mergen(r->headers_out, "Vary", "Accept-Encoding");
    }
}

KV_DECLARE(kv_coding_verdict_t)
kv_coding_start(kv_request_t *r, apr_bucket_brigade *bb, const kv_coding_spec_t *spec)
{
    if (body_known_short(r, bb, spec->min_length) || response_excluded(r, spec)) {
        return KV_CODING_PASS;
    }
    /* The answer depends on the field whether or not this client accepts the coding. */
    vary_on_accept_encoding(r);
    if (!(spec->force_env && apr_table_get(r->subprocess_env, spec->force_env)) &&
        !kv_coding_accepted(apr_table_get(r->headers_in, "Accept-Encoding"), spec->coding)) {
        return KV_CODING_PASS;
    }
    set_coded_fields(r, spec);
    /* A HEAD answer whose handler sent no body (the file handler) has nothing to code: its
     * fields say what a GET would get. One that sends its body (a script) has it coded, so
     * a length taken from it is the coded one, as httpd does. */
    return r->status == KV_HTTP_NOT_MODIFIED || (r->header_only && !has_data(bb))
               ? KV_CODING_HEADERS_ONLY
               : KV_CODING_COMPRESS;
}

/* Input coded at a time: a large bucket is split so that its output is passed on in parts. */
#define CODE_SLICE ((apr_size_t)65536)

/* The field of @a conf at @a offset. */
static void *field(void *conf, size_t offset)
{
    return (char *)conf + offset;
}

KV_DECLARE(const char *)
kv_coding_set_etag_slot(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    const char *err = kv_parse_etag_mode(cmd->pool, argv[0], field(conf, (size_t)cmd->info));

    (void)argc;
    return err ? apr_psprintf(cmd->pool, "%s: %s", cmd->cmd->name, err) : NULL;
}

KV_DECLARE(const char *)
kv_coding_set_note_slot(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    kv_coding_notes_t *notes = field(conf, (size_t)cmd->info);
    const char *name = apr_pstrdup(cmd->pool, argv[argc - 1]);

    if (argc == 1 || strcasecmp(argv[0], "Ratio") == 0) {
        notes->ratio = name;
    } else if (strcasecmp(argv[0], "Input") == 0) {
        notes->input = name;
    } else if (strcasecmp(argv[0], "Output") == 0) {
        notes->output = name;
    } else {
        return apr_psprintf(cmd->pool, "%s: unknown note type %s: Input, Output or Ratio",
                            cmd->cmd->name, argv[0]);
    }
    return NULL;
}

/* The counts of a finished stream into the notes that were asked for ("-" for none). */
static void set_notes(kv_request_t *r, const kv_coding_stream_t *s)
{
    const kv_coding_notes_t *n = s->notes;

    if (n && n->input) {
        apr_table_setn(r->notes, n->input,
                       s->total_in > 0 ? apr_off_t_toa(r->pool, s->total_in) : "-");
    }
    if (n && n->output) {
        apr_table_setn(r->notes, n->output,
                       s->total_out > 0 ? apr_off_t_toa(r->pool, s->total_out) : "-");
    }
    if (n && n->ratio) {
        apr_table_setn(r->notes, n->ratio,
                       s->total_in > 0 ? apr_itoa(r->pool, (int)(s->total_out * 100 / s->total_in))
                                       : "-");
    }
}

static apr_status_t pass_out(kv_filter_t *f, kv_coding_stream_t *s)
{
    apr_off_t n = 0;
    apr_status_t rv;

    if (apr_brigade_length(s->out, 0, &n) == APR_SUCCESS && n > 0) {
        s->total_out += n;
    }
    rv = kv_pass_brigade(f->next, s->out);

    apr_brigade_cleanup(s->out);
    return rv;
}

/* Code the end or a flush, then pass everything with the bucket @a b that asked for it. */
static apr_status_t code_meta(kv_filter_t *f, kv_coding_stream_t *s, apr_bucket *b, kv_code_op_t op)
{
    apr_status_t rv = s->code(s->coder, op, NULL, 0, s->out);
    apr_off_t waiting = 0;

    if (rv != APR_SUCCESS) {
        return rv;
    }
    /* As httpd passes each full buffer: an end longer than one goes before the EOS, so only
     * output that fits one buffer arrives whole in one brigade (and can be cut in ranges). */
    if (op == KV_CODE_FINISH && s->end_in_buffers &&
        apr_brigade_length(s->out, 0, &waiting) == APR_SUCCESS && waiting > (apr_off_t)s->pass_at &&
        (rv = pass_out(f, s)) != APR_SUCCESS) {
        return rv;
    }
    APR_BUCKET_REMOVE(b);
    APR_BRIGADE_INSERT_TAIL(s->out, b);
    rv = pass_out(f, s);
    if (op == KV_CODE_FINISH) {
        set_notes(f->r, s);
    }
    return rv;
}

static apr_status_t code_data(kv_filter_t *f, kv_coding_stream_t *s, apr_bucket *b)
{
    const char *data;
    apr_size_t len;
    apr_off_t waiting = 0;
    apr_status_t rv;

    if (b->length != (apr_size_t)-1 && b->length > CODE_SLICE) {
        apr_bucket_split(b, CODE_SLICE);
    }
    if ((rv = apr_bucket_read(b, &data, &len, APR_BLOCK_READ)) != APR_SUCCESS) {
        return rv;
    }
    rv = s->code(s->coder, KV_CODE_DATA, data, len, s->out);
    s->total_in += (apr_off_t)len;
    apr_bucket_delete(b);
    if (rv == APR_SUCCESS && apr_brigade_length(s->out, 0, &waiting) == APR_SUCCESS &&
        waiting >= (apr_off_t)s->pass_at) {
        rv = pass_out(f, s);
    }
    return rv;
}

KV_DECLARE(apr_status_t)
kv_coding_stream(kv_filter_t *f, kv_coding_stream_t *s, apr_bucket_brigade *bb)
{
    apr_status_t rv = APR_SUCCESS;

    while (!APR_BRIGADE_EMPTY(bb) && rv == APR_SUCCESS && !s->done) {
        apr_bucket *b = APR_BRIGADE_FIRST(bb);
        if (APR_BUCKET_IS_EOS(b)) {
            s->done = 1;
            rv = code_meta(f, s, b, KV_CODE_FINISH);
        } else if (APR_BUCKET_IS_FLUSH(b)) {
            rv = code_meta(f, s, b, KV_CODE_FLUSH);
        } else if (APR_BUCKET_IS_METADATA(b)) {
            APR_BUCKET_REMOVE(b);
            APR_BRIGADE_INSERT_TAIL(s->out, b);
        } else {
            rv = code_data(f, s, b);
        }
    }
    /* Nothing follows the end. */
    apr_brigade_cleanup(bb);
    return rv;
}

/* The state of a filter that leaves its response alone. */
static kv_coding_stream_t passing = {.done = 1};

KV_DECLARE(apr_status_t)
kv_coding_filter(kv_filter_t *f, apr_bucket_brigade *bb, const kv_coder_t *coder)
{
    kv_request_t *r = f->r;
    kv_coding_stream_t *s = f->ctx;
    apr_status_t rv;

    if (APR_BRIGADE_EMPTY(bb)) {
        return APR_SUCCESS;
    }
    if (!s) {
        if (kv_coding_start(r, bb, coder->spec(r)) == KV_CODING_COMPRESS) {
            s = coder->start(r);
        }
        f->ctx = s = s ? s : &passing;
    }
    if (s->done) {
        return kv_pass_brigade(f->next, bb);
    }
    if ((rv = kv_coding_stream(f, s, bb)) != APR_SUCCESS) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, rv, r, "KV01262: %s: compressing %s failed", f->name,
                      r->uri);
    }
    return rv;
}

KV_DECLARE(int) kv_coding_use_sibling(kv_request_t *r, const char *coding, const char *suffix)
{
    apr_finfo_t fi;
    const char *path;
    apr_status_t rv;

    if ((r->method_number != KV_M_GET && r->method_number != KV_M_HEAD) || !r->filename ||
        r->finfo.filetype != APR_REG || (r->path_info && *r->path_info)) {
        return 0;
    }
    path = apr_pstrcat(r->pool, r->filename, suffix, NULL);
    rv = apr_stat(&fi, path, APR_FINFO_MIN, r->pool);
    if ((rv != APR_SUCCESS && rv != APR_INCOMPLETE) || fi.filetype != APR_REG ||
        fi.mtime < r->finfo.mtime) {
        return 0;
    }
    vary_on_accept_encoding(r);
    if (apr_table_get(r->headers_out, "Content-Encoding") ||
        !kv_coding_accepted(apr_table_get(r->headers_in, "Accept-Encoding"), coding)) {
        return 0;
    }
    r->filename = path;
    r->canonical_filename = path;
    r->finfo = fi;
    apr_table_setn(r->headers_out, "Content-Encoding", coding);
    return 1;
}

KV_DECLARE(void *) kv_coding_create_dir_conf(apr_pool_t *p, const char *dir)
{
    kv_coding_dir_conf_t *d = apr_pcalloc(p, sizeof(*d));

    (void)dir;
    d->precompressed = KV_UNSET_INT;
    return d;
}

KV_DECLARE(void *) kv_coding_merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    const kv_coding_dir_conf_t *base = basev, *add = addv;
    kv_coding_dir_conf_t *d = apr_pcalloc(p, sizeof(*d));

    d->precompressed = KV_MERGE_INT(add->precompressed, base->precompressed, KV_UNSET_INT);
    return d;
}
