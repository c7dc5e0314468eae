/**
 * @file kv_coding.h
 * @brief Content codings of responses (gzip, br): the rules a compressing output filter
 * follows before it compresses, as httpd's mod_deflate and mod_brotli apply them.
 */
#ifndef KV_CODING_H
#define KV_CODING_H

#include <apr_buckets.h>

#include "kv_config.h"
#include "kv_http.h"

/** What a compressing filter does to the ETag of what it compresses (DeflateAlterETag). */
typedef enum {
    KV_ETAG_ADD_SUFFIX = 0, /**< "tag" becomes "tag-gzip" (httpd's default) */
    KV_ETAG_NO_CHANGE,      /**< left as it is */
    KV_ETAG_REMOVE          /**< removed */
} kv_etag_mode_t;

/** Parse AddSuffix, NoChange or Remove (case-insensitive); NULL or the reason. */
KV_DECLARE(const char *) kv_parse_etag_mode(apr_pool_t *p, const char *s, kv_etag_mode_t *out);

/** Does the Accept-Encoding value @a accept list @a coding (case-insensitive) with a
 * weight above zero? A missing field (NULL) accepts nothing, as httpd treats it. */
KV_DECLARE(int) kv_coding_accepted(const char *accept, const char *coding);

/** Is every coding of the Content-Encoding value @a list one that leaves the bytes as
 * they are (identity, 7bit, 8bit, binary)? */
KV_DECLARE(int) kv_coding_is_identity(const char *list);

/** @a etag with "-@a suffix" before its closing quote ("\"x\"" -> "\"x-gzip\""); @a etag
 * itself if it does not end in a quote or is too short to be a tag. */
KV_DECLARE(const char *) kv_etag_add_suffix(apr_pool_t *p, const char *etag, const char *suffix);

/** What one compressing filter is. */
typedef struct {
    const char *coding;    /**< its content coding: "gzip", "br" */
    const char *no_env;    /**< the environment variable that turns it off: "no-gzip" */
    const char *force_env; /**< the one that compresses without Accept-Encoding, or NULL */
    int html_only_env;     /**< honours gzip-only-text/html */
    apr_size_t min_length; /**< bodies known to be shorter stay as they are; 0 for none */
    kv_etag_mode_t etag;   /**< what happens to the ETag */
} kv_coding_spec_t;

/** A compressing filter's decision on its first brigade. */
typedef enum {
    KV_CODING_PASS,         /**< leave the response alone (Vary may have been added) */
    KV_CODING_HEADERS_ONLY, /**< a 304 or HEAD: the coding's fields set, no body to code */
    KV_CODING_COMPRESS      /**< fields set: compress the body */
} kv_coding_verdict_t;

/** Decide, from the response's state and its first brigade @a bb, whether @a spec's coding
 * applies to @a r, in httpd's order: not for 204, the no-env, a Content-Range, a type other
 * than text/html under gzip-only-text/html=1, a body already coded; then `Vary:
 * Accept-Encoding`; then the client must accept the coding (unless the force-env is set).
 * When it applies: Content-Encoding set, Content-Length dropped, the ETag altered. */
KV_DECLARE(kv_coding_verdict_t)
kv_coding_start(kv_request_t *r, apr_bucket_brigade *bb, const kv_coding_spec_t *spec);

/**
 * Precompressed siblings, as nginx's gzip_static: for a GET or HEAD of a regular file F, when
 * F + @a suffix ("f.css.gz") is a regular file not older than F, the response varies on
 * Accept-Encoding; and if the client accepts @a coding and no coding was chosen yet, the
 * request is switched to the sibling (its file, length and validators) with
 * Content-Encoding @a coding, keeping F's Content-Type. Call it in the fixups.
 * @return 1 if the request now serves the sibling
 */
KV_DECLARE(int) kv_coding_use_sibling(kv_request_t *r, const char *coding, const char *suffix);

/** A compressing module's per-directory config: its *Precompressed flag. */
typedef struct {
    int precompressed; /**< 1 On, 0 Off, KV_UNSET_INT until set */
} kv_coding_dir_conf_t;

/** create_dir_config and merge_dir_config for kv_coding_dir_conf_t. */
KV_DECLARE(void *) kv_coding_create_dir_conf(apr_pool_t *p, const char *dir);
KV_DECLARE(void *) kv_coding_merge_dir_conf(apr_pool_t *p, void *base, void *add);

/** What a coder is asked to do (kv_coding_stream). */
typedef enum {
    KV_CODE_DATA,  /**< code these bytes; output may be held back */
    KV_CODE_FLUSH, /**< write out everything coded so far (a FLUSH bucket) */
    KV_CODE_FINISH /**< end the coded stream (EOS) */
} kv_code_op_t;

/** A compressor: code @a len bytes at @a data (none for FLUSH and FINISH) as @a op asks,
 * appending the output as buckets to @a out. */
typedef apr_status_t (*kv_code_func)(void *coder, kv_code_op_t op, const char *data, apr_size_t len,
                                     apr_bucket_brigade *out);

/** DeflateFilterNote, BrotliFilterNote: the notes (r->notes, `%{name}n` in a log format)
 * that get a response's bytes in and out and out*100/in; NULL for none. */
typedef struct {
    const char *input;
    const char *output;
    const char *ratio;
} kv_coding_notes_t;

/** The directive setters a compressing module's table uses, storing into its server config
 * (its numbers go through kv_set_bounded_slot). kv_coding_set_etag_slot's info is the offset
 * of a kv_etag_mode_t (AddSuffix|NoChange|Remove); kv_coding_set_note_slot's the offset of a kv_coding_notes_t (`[Input|Output|Ratio] name`,
 * one argument: the ratio's). Errors name the directive. */
KV_DECLARE(const char *)
kv_coding_set_etag_slot(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv);
KV_DECLARE(const char *)
kv_coding_set_note_slot(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv);

/** A compressing filter's stream, driven by kv_coding_stream. */
typedef struct {
    kv_code_func code;              /**< the compressor */
    void *coder;                    /**< its state */
    apr_size_t pass_at;             /**< output passed on once this much is waiting */
    int end_in_buffers;             /**< the end's output too goes in pass_at pieces, so only an end
                                     * that fits one arrives with the EOS (mod_deflate's buffer) */
    apr_bucket_brigade *out;        /**< output on its way down */
    int done;                       /**< the end has been coded and passed */
    const kv_coding_notes_t *notes; /**< where the counts go at the end, or NULL */
    apr_off_t total_in;             /**< bytes coded so far */
    apr_off_t total_out;            /**< bytes passed on so far */
} kv_coding_stream_t;

/** Feed @a bb through @a s's compressor and pass the output down @a f's chain: whenever
 * pass_at bytes wait, at each FLUSH bucket (with it) and at the end (with EOS). No more
 * than a bounded slice of input is coded at a time, so a response is never held whole. */
KV_DECLARE(apr_status_t)
kv_coding_stream(kv_filter_t *f, kv_coding_stream_t *s, apr_bucket_brigade *bb);

/** A compressing filter's parts, for kv_coding_filter. */
typedef struct {
    /** Its rules for @a r (from the module's configuration). */
    const kv_coding_spec_t *(*spec)(kv_request_t *r);
    /** Its stream for @a r, once it is to compress; NULL (logged) if the library fails. */
    kv_coding_stream_t *(*start)(kv_request_t *r);
} kv_coder_t;

/** The whole of a compressing output filter: on the first brigade kv_coding_start decides,
 * then the body goes through kv_coding_stream, or passes as it is. */
KV_DECLARE(apr_status_t)
kv_coding_filter(kv_filter_t *f, apr_bucket_brigade *bb, const kv_coder_t *coder);

#endif
