/* mod_deflate: the DEFLATE output filter, gzip on zlib, as httpd's. It compresses each
 * brigade as it comes and passes the output on whenever DeflateBufferSize bytes of it are
 * ready, at a FLUSH bucket and at the end: a response is never held whole. zlib's memory
 * comes from the request pool. */
#include <string.h>

#include <apr_strings.h>
#include <zlib.h>

#include "kiva.h"
#include "kv_coding.h"

#define KV_LOG_MODULE "deflate"

extern kv_module_t deflate_module;

/* httpd's defaults. */
#define DEFAULT_BUFFER_SIZE 8096
#define DEFAULT_WINDOW_SIZE 15
#define DEFAULT_MEM_LEVEL 9
/* A whole body shorter than this stays as it is: gzip's header, trailer and our fields
 * would make it longer (httpd's 10 + 8 + 50). */
#define MIN_LENGTH 68
/* zlib writes the gzip header and trailer when 16 is added to its window bits. */
#define GZIP_WRAPPER 16

typedef struct {
    int level;               /* DeflateCompressionLevel, Z_DEFAULT_COMPRESSION unless set */
    int window;              /* DeflateWindowSize, 1-15 */
    int mem_level;           /* DeflateMemLevel, 1-9 */
    int buffer;              /* DeflateBufferSize */
    kv_etag_mode_t etag;     /* DeflateAlterETag */
    kv_coding_notes_t notes; /* DeflateFilterNote */
} deflate_conf_t;

typedef struct {
    z_stream zs;
    unsigned char *buf; /* zlib's output buffer */
    apr_size_t size;    /* its size */
} deflate_coder_t;

static void *create_server_conf(apr_pool_t *p, kv_server_t *s)
{
    deflate_conf_t *c = apr_pcalloc(p, sizeof(*c));

    (void)s;
    c->level = Z_DEFAULT_COMPRESSION;
    c->window = DEFAULT_WINDOW_SIZE;
    c->mem_level = DEFAULT_MEM_LEVEL;
    c->buffer = DEFAULT_BUFFER_SIZE;
    c->etag = KV_ETAG_ADD_SUFFIX;
    return c;
}

/* The ranges of httpd's directives. */
/* A number of the server config between min and max. */
#define NUMBER_SLOT(field, min, max) KV_SLOT(deflate_conf_t, field, KV_UNIT_NUMBER, min, max)

static voidpf pool_alloc(voidpf pool, uInt items, uInt size)
{
    return apr_palloc(pool, (apr_size_t)items * size);
}

static void pool_free(voidpf pool, voidpf address)
{
    /* Freed with the request pool. */
    (void)pool;
    (void)address;
}

/* Move what zlib wrote into a bucket of @a out; the buffer is free again. */
static void take_output(deflate_coder_t *dc, apr_bucket_brigade *out)
{
    apr_size_t n = dc->size - dc->zs.avail_out;

    if (n > 0) {
        APR_BRIGADE_INSERT_TAIL(
            out, apr_bucket_heap_create((const char *)dc->buf, n, NULL, out->bucket_alloc));
    }
    dc->zs.next_out = dc->buf;
    dc->zs.avail_out = (uInt)dc->size;
}

/* kv_code_func for zlib. Z_NO_FLUSH stops when the input is used up; the others when zlib
 * has written everything. */
static apr_status_t deflate_code(void *coder, kv_code_op_t op, const char *data, apr_size_t len,
                                 apr_bucket_brigade *out)
{
    deflate_coder_t *dc = coder;
    int flush = op == KV_CODE_DATA ? Z_NO_FLUSH : op == KV_CODE_FLUSH ? Z_SYNC_FLUSH : Z_FINISH;
    int zrc;

    dc->zs.next_in = (Bytef *)(uintptr_t)data;
    dc->zs.avail_in = (uInt)len;
    for (;;) {
        if (dc->zs.avail_out == 0) {
            take_output(dc, out);
        }
        zrc = deflate(&dc->zs, flush);
        if (zrc == Z_STREAM_END) {
            break;
        }
        if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
            return APR_EGENERAL;
        }
        if (flush == Z_NO_FLUSH ? dc->zs.avail_in == 0 : dc->zs.avail_out != 0) {
            break;
        }
    }
    if (flush != Z_NO_FLUSH) {
        take_output(dc, out);
    }
    if (op == KV_CODE_FINISH) {
        deflateEnd(&dc->zs);
    }
    return APR_SUCCESS;
}

/* The filter's stream once it has decided to compress; NULL if zlib cannot start. */
static kv_coding_stream_t *start_deflate(kv_request_t *r)
{
    const deflate_conf_t *c = kv_get_module_config(r->server->module_config, &deflate_module);
    kv_coding_stream_t *s = apr_pcalloc(r->pool, sizeof(*s));
    deflate_coder_t *dc = apr_pcalloc(r->pool, sizeof(*dc));
    /* zlib's smallest window is 9 bits; httpd's directive allows down to 1. */
    int window = c->window < 9 ? 9 : c->window;
    int zrc;

    dc->zs.zalloc = pool_alloc;
    dc->zs.zfree = pool_free;
    dc->zs.opaque = r->pool;
    zrc = deflateInit2(&dc->zs, c->level, Z_DEFLATED, window + GZIP_WRAPPER, c->mem_level,
                       Z_DEFAULT_STRATEGY);
    if (zrc != Z_OK) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV01261: unable to start zlib: deflateInit2 returned %d: URL %s", zrc,
                      r->uri);
        return NULL;
    }
    dc->size = (apr_size_t)c->buffer;
    dc->buf = apr_palloc(r->pool, dc->size);
    dc->zs.next_out = dc->buf;
    dc->zs.avail_out = (uInt)dc->size;
    s->code = deflate_code;
    s->coder = dc;
    s->pass_at = (apr_size_t)c->buffer;
    s->end_in_buffers = 1;
    s->out = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    s->notes = &c->notes;
    return s;
}

static const kv_coding_spec_t *gzip_spec(kv_request_t *r)
{
    const deflate_conf_t *c = kv_get_module_config(r->server->module_config, &deflate_module);
    kv_coding_spec_t *spec = apr_pcalloc(r->pool, sizeof(*spec));

    spec->coding = "gzip";
    spec->no_env = "no-gzip";
    spec->force_env = "force-gzip";
    spec->html_only_env = 1;
    spec->min_length = MIN_LENGTH;
    spec->etag = c->etag;
    return spec;
}

static const kv_coder_t gzip_coder = {gzip_spec, start_deflate};

static apr_status_t deflate_out_filter(kv_filter_t *f, apr_bucket_brigade *bb)
{
    return kv_coding_filter(f, bb, &gzip_coder);
}

/* DeflatePrecompressed: F.gz answers for F (kv_coding_use_sibling). */
static int use_gz_sibling(kv_request_t *r)
{
    const kv_coding_dir_conf_t *d = kv_get_module_config(r->per_dir_config, &deflate_module);

    if (d->precompressed == 1) {
        kv_coding_use_sibling(r, "gzip", ".gz");
    }
    return KV_DECLINED;
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    kv_hook_fixups(use_gz_sibling, NULL, NULL, KV_HOOK_MIDDLE);
    /* After the resource filters, before the byte ranges (httpd's CONTENT_SET). */
    kv_register_output_filter("DEFLATE", deflate_out_filter, KV_FTYPE_CONTENT);
}

static const kv_command_t deflate_commands[] = {
    {"DeflateCompressionLevel", kv_set_bounded_slot, NUMBER_SLOT(level, 1, 9), 1, 1, KV_CTX_SERVER,
     KV_CMD_SERVER_CONF, "1-9: how hard zlib compresses (default: zlib's, 6)"},
    {"DeflateWindowSize", kv_set_bounded_slot, NUMBER_SLOT(window, 1, 15), 1, 1, KV_CTX_SERVER,
     KV_CMD_SERVER_CONF, "1-15: zlib's window, as a power of two (default 15)"},
    {"DeflateMemLevel", kv_set_bounded_slot, NUMBER_SLOT(mem_level, 1, 9), 1, 1, KV_CTX_SERVER,
     KV_CMD_SERVER_CONF, "1-9: how much memory zlib uses (default 9)"},
    {"DeflateBufferSize", kv_set_bounded_slot, NUMBER_SLOT(buffer, 1, 1 << 24), 1, 1, KV_CTX_SERVER,
     KV_CMD_SERVER_CONF, "bytes: compressed output passed on at a time (default 8096)"},
    {"DeflatePrecompressed", kv_set_flag_slot, KV_OFFSET(kv_coding_dir_conf_t, precompressed), 1, 1,
     KV_CTX_ALL, 0,
     "On|Off: answer for a file F from F.gz, when there and not older, to clients that "
     "accept gzip (kiva's own, as nginx's gzip_static)"},
    {"DeflateAlterETag", kv_coding_set_etag_slot, KV_OFFSET(deflate_conf_t, etag), 1, 1,
     KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "AddSuffix|NoChange|Remove: what becomes of the ETag of a compressed response"},
    {"DeflateFilterNote", kv_coding_set_note_slot, KV_OFFSET(deflate_conf_t, notes), 1, 2,
     KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "[Input|Output|Ratio] name: the request note that gets the bytes in, out or the ratio "
     "(out*100/in) of a compressed response, for %{name}n in a LogFormat"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t deflate_module = {
    KV_MODULE_HEADER("deflate"),
    .create_dir_config = kv_coding_create_dir_conf,
    .merge_dir_config = kv_coding_merge_dir_conf,
    .create_server_config = create_server_conf,
    .commands = deflate_commands,
    .register_hooks = register_hooks,
};
