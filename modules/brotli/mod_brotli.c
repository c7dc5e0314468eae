/* mod_brotli: the BROTLI_COMPRESS output filter on libbrotli, as httpd's. It follows the
 * same rules as DEFLATE (kv_coding_start: no-brotli, an existing coding, Vary, Accept-Encoding
 * br) and streams the same way; libbrotli's memory comes from the request pool. Which of br
 * and gzip a client gets is the order of the filters: with `SetOutputFilter
 * BROTLI_COMPRESS;DEFLATE` a client that accepts br gets br, and DEFLATE then finds the
 * response already coded. */
#include <apr_strings.h>
#include <brotli/encode.h>

#include "kiva.h"
#include "kv_coding.h"

#define KV_LOG_MODULE "brotli"

extern kv_module_t brotli_module;

/* httpd's defaults. */
#define DEFAULT_QUALITY 5
#define DEFAULT_WINDOW 18
/* Output is passed on whenever this much waits: libbrotli writes in blocks of its own. */
#define PASS_AT 1

typedef struct {
    int quality;             /* BrotliCompressionQuality, 0-11 */
    int window;              /* BrotliCompressionWindow, 10-24 */
    int max_block;           /* BrotliCompressionMaxInputBlock, 16-24, 0 for libbrotli's choice */
    kv_etag_mode_t etag;     /* BrotliAlterETag */
    kv_coding_notes_t notes; /* BrotliFilterNote */
} brotli_conf_t;

static void *create_server_conf(apr_pool_t *p, kv_server_t *s)
{
    brotli_conf_t *c = apr_pcalloc(p, sizeof(*c));

    (void)s;
    c->quality = DEFAULT_QUALITY;
    c->window = DEFAULT_WINDOW;
    c->etag = KV_ETAG_ADD_SUFFIX;
    return c;
}

/* A number of the server config; the ranges of httpd's directives are libbrotli's. */
#define NUMBER_SLOT(field, min, max) KV_SLOT(brotli_conf_t, field, KV_UNIT_NUMBER, min, max)

static void *pool_alloc(void *pool, size_t size)
{
    return apr_palloc(pool, size);
}

static void pool_free(void *pool, void *address)
{
    /* Freed with the request pool. */
    (void)pool;
    (void)address;
}

/* Move what libbrotli has written into buckets of @a out (copies: its buffer is reused). */
static void take_output(BrotliEncoderState *st, apr_bucket_brigade *out)
{
    while (BrotliEncoderHasMoreOutput(st)) {
        size_t n = 0;
        const uint8_t *bytes = BrotliEncoderTakeOutput(st, &n);
        if (n > 0) {
            APR_BRIGADE_INSERT_TAIL(
                out, apr_bucket_heap_create((const char *)bytes, n, NULL, out->bucket_alloc));
        }
    }
}

/* kv_code_func for libbrotli. */
static apr_status_t brotli_code(void *coder, kv_code_op_t op, const char *data, apr_size_t len,
                                apr_bucket_brigade *out)
{
    BrotliEncoderState *st = coder;
    BrotliEncoderOperation bop = op == KV_CODE_DATA    ? BROTLI_OPERATION_PROCESS
                                 : op == KV_CODE_FLUSH ? BROTLI_OPERATION_FLUSH
                                                       : BROTLI_OPERATION_FINISH;
    const uint8_t *next_in = (const uint8_t *)data;
    size_t avail_in = len;

    for (;;) {
        size_t avail_out = 0;
        if (!BrotliEncoderCompressStream(st, bop, &avail_in, &next_in, &avail_out, NULL, NULL)) {
            return APR_EGENERAL;
        }
        take_output(st, out);
        if (bop == BROTLI_OPERATION_PROCESS  ? avail_in == 0
            : bop == BROTLI_OPERATION_FINISH ? BrotliEncoderIsFinished(st)
                                             : !BrotliEncoderHasMoreOutput(st)) {
            break;
        }
    }
    if (op == KV_CODE_FINISH) {
        BrotliEncoderDestroyInstance(st);
    }
    return APR_SUCCESS;
}

/* The filter's stream once it has decided to compress; NULL if libbrotli cannot start. */
static kv_coding_stream_t *start_brotli(kv_request_t *r)
{
    const brotli_conf_t *c = kv_get_module_config(r->server->module_config, &brotli_module);
    kv_coding_stream_t *s = apr_pcalloc(r->pool, sizeof(*s));
    BrotliEncoderState *st = BrotliEncoderCreateInstance(pool_alloc, pool_free, r->pool);

    if (!st || !BrotliEncoderSetParameter(st, BROTLI_PARAM_QUALITY, (uint32_t)c->quality) ||
        !BrotliEncoderSetParameter(st, BROTLI_PARAM_LGWIN, (uint32_t)c->window) ||
        !BrotliEncoderSetParameter(st, BROTLI_PARAM_LGBLOCK, (uint32_t)c->max_block)) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r, "KV01266: unable to start libbrotli: URL %s",
                      r->uri);
        return NULL;
    }
    s->code = brotli_code;
    s->coder = st;
    s->pass_at = PASS_AT;
    s->out = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    s->notes = &c->notes;
    return s;
}

static const kv_coding_spec_t *br_spec(kv_request_t *r)
{
    const brotli_conf_t *c = kv_get_module_config(r->server->module_config, &brotli_module);
    kv_coding_spec_t *spec = apr_pcalloc(r->pool, sizeof(*spec));

    spec->coding = "br";
    spec->no_env = "no-brotli";
    spec->etag = c->etag;
    return spec;
}

static const kv_coder_t br_coder = {br_spec, start_brotli};

static apr_status_t brotli_out_filter(kv_filter_t *f, apr_bucket_brigade *bb)
{
    return kv_coding_filter(f, bb, &br_coder);
}

/* BrotliPrecompressed: F.br answers for F (kv_coding_use_sibling). */
static int use_br_sibling(kv_request_t *r)
{
    const kv_coding_dir_conf_t *d = kv_get_module_config(r->per_dir_config, &brotli_module);

    if (d->precompressed == 1) {
        kv_coding_use_sibling(r, "br", ".br");
    }
    return KV_DECLINED;
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    /* Before DeflatePrecompressed's: a client that accepts both gets the smaller br. */
    kv_hook_fixups(use_br_sibling, NULL, NULL, KV_HOOK_MIDDLE - 1);
    kv_register_output_filter("BROTLI_COMPRESS", brotli_out_filter, KV_FTYPE_CONTENT);
}

static const kv_command_t brotli_commands[] = {
    {"BrotliCompressionQuality", kv_set_bounded_slot,
     NUMBER_SLOT(quality, BROTLI_MIN_QUALITY, BROTLI_MAX_QUALITY), 1, 1, KV_CTX_SERVER,
     KV_CMD_SERVER_CONF, "0-11: how hard libbrotli compresses (default 5)"},
    {"BrotliCompressionWindow", kv_set_bounded_slot,
     NUMBER_SLOT(window, BROTLI_MIN_WINDOW_BITS, BROTLI_MAX_WINDOW_BITS), 1, 1, KV_CTX_SERVER,
     KV_CMD_SERVER_CONF, "10-24: libbrotli's window, as a power of two (default 18)"},
    {"BrotliCompressionMaxInputBlock", kv_set_bounded_slot,
     NUMBER_SLOT(max_block, BROTLI_MIN_INPUT_BLOCK_BITS, BROTLI_MAX_INPUT_BLOCK_BITS), 1, 1,
     KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "16-24: libbrotli's largest input block, as a power of two (default: its own choice)"},
    {"BrotliPrecompressed", kv_set_flag_slot, KV_OFFSET(kv_coding_dir_conf_t, precompressed), 1, 1,
     KV_CTX_ALL, 0,
     "On|Off: answer for a file F from F.br, when there and not older, to clients that "
     "accept br (kiva's own, as nginx's brotli_static); tried before DeflatePrecompressed"},
    {"BrotliAlterETag", kv_coding_set_etag_slot, KV_OFFSET(brotli_conf_t, etag), 1, 1,
     KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "AddSuffix|NoChange|Remove: what becomes of the ETag of a compressed response"},
    {"BrotliFilterNote", kv_coding_set_note_slot, KV_OFFSET(brotli_conf_t, notes), 1, 2,
     KV_CTX_SERVER, KV_CMD_SERVER_CONF,
     "[Input|Output|Ratio] name: the request note that gets the bytes in, out or the ratio "
     "(out*100/in) of a compressed response, for %{name}n in a LogFormat"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t brotli_module = {
    KV_MODULE_HEADER("brotli"),
    .create_dir_config = kv_coding_create_dir_conf,
    .merge_dir_config = kv_coding_merge_dir_conf,
    .create_server_config = create_server_conf,
    .commands = brotli_commands,
    .register_hooks = register_hooks,
};
