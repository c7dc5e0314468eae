/* mod_negotiation: content negotiation as httpd's. `Options MultiViews` lets a request for
 * a file that does not exist ("/index") choose among the files named after it
 * ("index.html.en", "index.html.fr"), whose metadata mod_mime gives; a type map
 * (`AddHandler type-map .var`) lists the variants itself. The choice is httpd's
 * server-driven algorithm (neg_choose.c) over Accept, Accept-Language, Accept-Charset and
 * Accept-Encoding, with LanguagePriority and ForceLanguagePriority; the response says
 * in Vary what it was chosen by. */
#include <stdlib.h>
#include <string.h>

#include <apr_file_info.h>
#include <apr_file_io.h>
#include <apr_escape.h>
#include <apr_strings.h>

#include "kiva.h"
#include "kv_mime.h"
#include "neg_choose.h"

#define KV_LOG_MODULE "negotiation"
#define TYPE_MAP_HANDLER "type-map"
/* A type map is a short list; a bigger file is not one. */
#define MAX_TYPE_MAP ((apr_off_t)1 << 20)

extern kv_module_t negotiation_module;

typedef struct {
    apr_array_header_t *language_priority; /* const char *, lower-case; NULL unset */
    int force;                             /* NEG_FLP_* bits, 0 unset */
} neg_dir_conf_t;

static void *create_dir_conf(apr_pool_t *p, const char *dir)
{
    (void)dir;
    return apr_pcalloc(p, sizeof(neg_dir_conf_t));
}

static void *merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    const neg_dir_conf_t *base = basev, *add = addv;
    neg_dir_conf_t *d = apr_palloc(p, sizeof(*d));

    d->language_priority = KV_MERGE_PTR(add->language_priority, base->language_priority, NULL);
    d->force = add->force ? add->force : base->force;
    return d;
}

static const char *set_language_priority(kv_cmd_parms_t *cmd, void *conf, int argc,
                                         const char *const *argv)
{
    neg_dir_conf_t *d = conf;

    d->language_priority = apr_array_make(cmd->pool, argc, sizeof(const char *));
    for (int i = 0; i < argc; i++) {
        char *lang = apr_pstrdup(cmd->pool, argv[i]);

        for (char *c = lang; *c; c++) {
            *c = (char)apr_tolower(*c);
        }
        APR_ARRAY_PUSH(d->language_priority, const char *) = lang;
    }
    return NULL;
}

static const char *set_force_priority(kv_cmd_parms_t *cmd, void *conf, int argc,
                                      const char *const *argv)
{
    neg_dir_conf_t *d = conf;
    int bits = 0;

    for (int i = 0; i < argc; i++) {
        int bit = strcasecmp(argv[i], "None") == 0       ? NEG_FLP_NONE
                  : strcasecmp(argv[i], "Prefer") == 0   ? NEG_FLP_PREFER
                  : strcasecmp(argv[i], "Fallback") == 0 ? NEG_FLP_FALLBACK
                                                         : 0;
        if (!bit) {
            return apr_psprintf(cmd->pool,
                                "ForceLanguagePriority: '%s' is not None, Prefer "
                                "or Fallback",
                                argv[i]);
        }
        bits |= bit;
    }
    if ((bits & NEG_FLP_NONE) && bits != NEG_FLP_NONE) {
        return "ForceLanguagePriority: None cannot be combined with Prefer or Fallback";
    }
    d->force = bits;
    return NULL;
}

/* What the request asks for, with the configuration's preferences. */
static void request_of(kv_request_t *r, neg_request_t *req)
{
    const neg_dir_conf_t *d = kv_get_module_config(r->per_dir_config, &negotiation_module);

    neg_request_init(r->pool, req, apr_table_get(r->headers_in, "Accept"),
                     apr_table_get(r->headers_in, "Accept-Language"),
                     apr_table_get(r->headers_in, "Accept-Charset"),
                     apr_table_get(r->headers_in, "Accept-Encoding"));
    req->language_priority = d->language_priority;
    req->force = d->force;
    req->prefer_scripts = (r->method_number != KV_M_GET && r->method_number != KV_M_HEAD) ||
                          r->args || (r->path_info && *r->path_info);
}

/* A GET (or HEAD) whose variants are named by plain file names, neighbours of the
 * resource: the choice may be shown as transparent negotiation (TCN: choice,
 * Content-Location), as httpd does. */
static int is_transparent(const kv_request_t *r, const apr_array_header_t *variants)
{
    if ((r->method_number != KV_M_GET && r->method_number != KV_M_HEAD) ||
        (r->path_info && *r->path_info)) {
        return 0;
    }
    for (int i = 0; i < variants->nelts; i++) {
        const char *uri = APR_ARRAY_IDX(variants, i, neg_variant_t).uri;
        if (strchr(uri, '/') || strchr(uri, ':')) {
            return 0;
        }
    }
    return 1;
}

/* A quality as httpd writes it in Alternates: "1", "0.5", "0.125". */
static const char *q_text(apr_pool_t *p, float q)
{
    char *s = apr_psprintf(p, "%1.3f", q);
    size_t n = strlen(s);

    while (n > 1 && s[n - 1] == '0') {
        s[--n] = '\0';
    }
    if (s[n - 1] == '.') {
        s[n - 1] = '\0';
    }
    return s;
}

/* When nothing is acceptable: the variants in an Alternates field (RFC 2295) and, for
 * the 406 page, as an HTML list, both as httpd makes them. */
static void list_variants(kv_request_t *r, const apr_array_header_t *variants, int alternates_field,
                          int is_list)
{
    const char *alternates = NULL;
    const char *html = "Available variants:\n<ul>\n";

    for (int i = 0; i < variants->nelts; i++) {
        const neg_variant_t *v = &APR_ARRAY_IDX(variants, i, neg_variant_t);
        const char *langs = apr_array_pstrcat(r->pool, v->languages, ',');
        /* A file name may hold anything but '/': escaped for the field and the page. */
        const char *seg = apr_pescape_path_segment(r->pool, v->uri);
        int length = v->length >= 0 && !v->scripted; /* a script's output has no known size */
        const char *alt = apr_psprintf(
            r->pool, "{\"%s\" %s%s%s%s%s%s}", seg, q_text(r->pool, v->qs),
            *v->type ? apr_pstrcat(r->pool, " {type ", v->type, "}", NULL) : "",
            *v->charset ? apr_pstrcat(r->pool, " {charset ", v->charset, "}", NULL) : "",
            *langs ? apr_pstrcat(r->pool, " {language ", langs, "}", NULL) : "",
            v->encoding ? apr_pstrcat(r->pool, " {encoding ", v->encoding, "}", NULL) : "",
            length ? apr_pstrcat(r->pool, " {length ", apr_off_t_toa(r->pool, v->length), "}", NULL)
                   : "");

        alternates = alternates ? apr_pstrcat(r->pool, alternates, ", ", alt, NULL) : alt;
        html =
            apr_pstrcat(r->pool, html, "<li><a href=\"", kv_escape_html(r->pool, seg), "\">",
                        kv_escape_html(r->pool, v->uri), "</a> ", *v->type ? ", type " : "",
                        kv_escape_html(r->pool, v->type), *langs ? ", language " : "",
                        kv_escape_html(r->pool, langs), *v->charset ? ", charset " : "",
                        kv_escape_html(r->pool, v->charset), v->encoding ? ", encoding " : "",
                        v->encoding ? kv_escape_html(r->pool, v->encoding) : "", "</li>\n", NULL);
    }
    apr_table_setn(r->notes, "variant-list", apr_pstrcat(r->pool, html, "</ul>\n", NULL));
    if (alternates_field && alternates) {
        apr_table_setn(r->err_headers_out, "Alternates", alternates);
    }
    if (alternates_field && is_list) {
        apr_table_setn(r->err_headers_out, "TCN", "list");
    }
}

/* What a transparent-negotiation client (RFC 2295) says in Negotiate: whether the
 * server may choose for it (else it gets the list, 300) and whether it wants the
 * Alternates field. As httpd: "trans" alone from Lynx means nothing; RFC 2296's remote
 * algorithm ("1.0") is not run, such a client gets the list. */
static void read_negotiate(kv_request_t *r, neg_request_t *req, int *may_choose, int *alternates)
{
    const char *negotiate = apr_table_get(r->headers_in, "Negotiate");
    const char *ua = apr_table_get(r->headers_in, "User-Agent");
    char *copy, *last;

    *may_choose = 1;
    *alternates = 0;
    if (!negotiate || (strcmp(negotiate, "trans") == 0 && ua && strncmp(ua, "Lynx", 4) == 0)) {
        return;
    }
    *may_choose = 0;
    copy = apr_pstrdup(r->pool, negotiate);
    for (char *tok = apr_strtok(copy, ", \t", &last); tok; tok = apr_strtok(NULL, ", \t", &last)) {
        if (strcmp(tok, "trans") == 0 || strcmp(tok, "vlist") == 0 ||
            strcmp(tok, "guess-small") == 0 || apr_isdigit(tok[0]) || strcmp(tok, "*") == 0) {
            *alternates = 1;
        }
        if (strcmp(tok, "*") == 0) {
            *may_choose = 1;
            req->no_fiddle = 1;
        }
    }
}

/* Choose, and say by what: the best variant, or NULL and the status to answer (406, or
 * 300 for a transparent-negotiation client that chooses itself). */
static neg_variant_t *negotiate(kv_request_t *r, apr_array_header_t *variants, int *status)
{
    neg_request_t req;
    neg_variant_t *best = NULL;
    int transparent = is_transparent(r, variants), may_choose, alternates;
    const char *vary = neg_vary(r->pool, variants, transparent);

    request_of(r, &req);
    read_negotiate(r, &req, &may_choose, &alternates);
    if (may_choose) {
        best = neg_choose(&req, variants);
    }
    /* On the error response too, so that a cache keeps the 406 apart. */
    if (vary) {
        apr_table_mergen(r->err_headers_out, "Vary", vary);
    }
    if (!best || (transparent && alternates)) {
        list_variants(r, variants, transparent && (!best || alternates), !best);
    }
    if (!best && transparent && alternates) {
        *status = KV_HTTP_MULTIPLE_CHOICES;
        return NULL;
    }
    if (!best) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r, "KV01142: no acceptable variant: %s",
                      r->filename);
        *status = KV_HTTP_NOT_ACCEPTABLE;
        return NULL;
    }
    if (transparent) {
        apr_table_setn(r->err_headers_out, "TCN", "choice");
        apr_table_setn(r->err_headers_out, "Content-Location",
                       apr_pescape_path_segment(r->pool, best->uri));
    }
    return best;
}

static const char *dir_of(apr_pool_t *p, const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash ? apr_pstrmemdup(p, path, (apr_size_t)(slash - path + 1)) : "";
}

/* httpd's rule for a file of the directory: every part of its name that mod_mime did not
 * recognise must be a part of the requested name, in order ("index.html.bak" is not a
 * variant of "index", it is of "index.bak"). */
static int exceptions_in_name(const apr_array_header_t *exceptions, const char *requested)
{
    char *name = apr_pstrdup(exceptions->pool, requested), *last;
    int next = 0;

    for (char *seg = apr_strtok(name, ".", &last); seg && next < exceptions->nelts;
         seg = apr_strtok(NULL, ".", &last)) {
        if (strcmp(seg, APR_ARRAY_IDX(exceptions, next, const char *)) == 0) {
            next++;
        }
    }
    return next == exceptions->nelts;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const neg_variant_t *)a)->uri, ((const neg_variant_t *)b)->uri);
}

/* The file of the directory @a dir named @a name as a variant of @a base, or NULL. */
static neg_variant_t *dir_variant(kv_request_t *r, const char *dir, const char *name,
                                  const char *base, const char **type_map)
{
    APR_OPTIONAL_FN_TYPE(kv_mime_file_meta) *meta_of = APR_RETRIEVE_OPTIONAL_FN(kv_mime_file_meta);
    const char *path = apr_pstrcat(r->pool, dir, name, NULL);
    kv_mime_meta_t m;
    neg_variant_t *v;
    apr_finfo_t fi;

    /* The core checked the requested path for symbolic links, not this file: without
     * FollowSymLinks a link is no variant (SymLinksIfOwnerMatch is taken as no). */
    if (!(kv_allow_options(r) & KV_OPT_SYM_LINKS) &&
        (apr_stat(&fi, path, APR_FINFO_LINK | APR_FINFO_TYPE, r->pool) != APR_SUCCESS ||
         fi.filetype == APR_LNK)) {
        return NULL;
    }
    if (apr_stat(&fi, path, APR_FINFO_TYPE | APR_FINFO_SIZE, r->pool) != APR_SUCCESS ||
        fi.filetype != APR_REG || !meta_of) {
        return NULL;
    }
    meta_of(r, path, &m);
    if (!m.found_metadata || !exceptions_in_name(m.exceptions, base)) {
        return NULL;
    }
    if (m.handler && strcmp(m.handler, TYPE_MAP_HANDLER) == 0) {
        *type_map = apr_pstrdup(r->pool, name);
        return NULL;
    }
    if (!m.type && !m.handler) {
        return NULL;
    }
    v = neg_variant_new(r->pool, apr_pstrdup(r->pool, name));
    v->type = m.type ? m.type : NEG_SCRIPT_TYPE; /* MultiviewsMatch Handlers: a script */
    v->charset = m.charset ? m.charset : "";
    v->languages = m.languages;
    v->encoding = m.encoding;
    v->length = fi.size;
    v->scripted = m.handler != NULL;
    return v;
}

/* Answer with file @a name of the request's directory through its own URL (the request's
 * with its last segment replaced), so that every phase runs for that file: symbolic links,
 * access, its <Files> sections and SetHandler, mod_mime (httpd makes a subrequest). */
static int serve_file(kv_request_t *r, const char *name)
{
    const char *slash = strrchr(r->uri, '/');
    const char *uri =
        apr_pstrcat(r->pool, apr_pstrmemdup(r->pool, r->uri, (apr_size_t)(slash - r->uri + 1)),
                    name, r->args ? "?" : "", r->args ? r->args : "", NULL);

    return kv_internal_redirect_same_method(r, uri);
}

/* Is the request's URL the file name's directory's URL plus the base (so that a variant
 * has a URL)? Not for an Alias to a file of another name. */
static int url_ends_in(const kv_request_t *r, const char *base)
{
    size_t ulen = r->uri ? strlen(r->uri) : 0, blen = strlen(base);

    return ulen > blen && r->uri[ulen - blen - 1] == '/' && strcmp(r->uri + ulen - blen, base) == 0;
}

/* MultiViews: a file that does not exist, chosen among the files named after it. */
static int multiviews(kv_request_t *r)
{
    const char *dir, *base, *type_map = NULL;
    apr_array_header_t *variants;
    neg_variant_t *best;
    apr_dir_t *dp;
    apr_finfo_t ent;
    size_t blen;
    int any = 0, status;

    if (!r->filename || r->finfo.filetype != APR_NOFILE || (r->path_info && *r->path_info) ||
        !(kv_allow_options(r) & KV_OPT_MULTIVIEWS)) {
        return KV_DECLINED;
    }
    dir = dir_of(r->pool, r->filename);
    base = r->filename + strlen(dir);
    blen = strlen(base);
    if (!*dir || !*base || !url_ends_in(r, base) ||
        apr_dir_open(&dp, dir, r->pool) != APR_SUCCESS) {
        return KV_DECLINED;
    }
    variants = apr_array_make(r->pool, 4, sizeof(neg_variant_t));
    while (apr_dir_read(&ent, APR_FINFO_NAME | APR_FINFO_TYPE, dp) == APR_SUCCESS) {
        neg_variant_t *v;

        /* A name with '?' has no URL of its own. */
        if (strncmp(ent.name, base, blen) != 0 || ent.name[blen] != '.' ||
            ent.filetype == APR_DIR || strchr(ent.name, '?')) {
            continue;
        }
        any = 1;
        if ((v = dir_variant(r, dir, ent.name, base, &type_map)) != NULL) {
            APR_ARRAY_PUSH(variants, neg_variant_t) = *v;
        }
        if (type_map) {
            break;
        }
    }
    apr_dir_close(dp);
    if (type_map) {
        return serve_file(r, type_map); /* its handler, type-map, chooses */
    }
    if (variants->nelts == 0) {
        if (any) {
            kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                          "KV01143: Negotiation: discovered file(s) matching request: %s "
                          "(None could be negotiated).",
                          r->filename);
            return KV_HTTP_NOT_FOUND;
        }
        return KV_DECLINED;
    }
    qsort(variants->elts, (size_t)variants->nelts, sizeof(neg_variant_t), by_name);
    if ((best = negotiate(r, variants, &status)) == NULL) {
        return status;
    }
    return serve_file(r, best->uri);
}

/* The type map's text, read whole (it is small). */
static int read_map(kv_request_t *r, char **text)
{
    apr_file_t *f;
    apr_size_t n;
    apr_status_t rv;

    if (r->finfo.size > MAX_TYPE_MAP) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV01144: type map %s is larger than 1 MiB; refused", r->filename);
        return KV_HTTP_INTERNAL_SERVER_ERROR;
    }
    n = (apr_size_t)r->finfo.size;
    *text = apr_palloc(r->pool, n + 1);
    rv = apr_file_open(&f, r->filename, APR_FOPEN_READ, 0, r->pool);
    if (rv == APR_SUCCESS) {
        rv = apr_file_read_full(f, *text, n, &n);
        apr_file_close(f);
    }
    if (rv != APR_SUCCESS && !APR_STATUS_IS_EOF(rv)) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, rv, r, "KV01145: cannot read type map %s",
                      r->filename);
        return KV_HTTP_FORBIDDEN;
    }
    (*text)[n] = '\0';
    return KV_OK;
}

/* The variants of a type map, with the size of each file whose map gives none. */
static int map_variants(kv_request_t *r, apr_array_header_t **variants)
{
    const char *dir = dir_of(r->pool, r->filename), *err = NULL;
    char *text;
    int status = read_map(r, &text);

    if (status != KV_OK) {
        return status;
    }
    if ((*variants = neg_parse_type_map(r->pool, text, &err)) == NULL) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r, "KV01146: type map %s: %s", r->filename, err);
        return KV_HTTP_INTERNAL_SERVER_ERROR;
    }
    for (int i = 0; i < (*variants)->nelts; i++) {
        neg_variant_t *v = &APR_ARRAY_IDX(*variants, i, neg_variant_t);
        apr_finfo_t fi;

        if (v->length < 0 && v->uri[0] != '/' &&
            apr_stat(&fi, apr_pstrcat(r->pool, dir, v->uri, NULL), APR_FINFO_SIZE, r->pool) ==
                APR_SUCCESS) {
            v->length = fi.size;
        }
    }
    return KV_OK;
}

/* Is the chosen URI itself a type map? Answering it would loop between maps. */
static int names_a_type_map(kv_request_t *r, const char *uri)
{
    APR_OPTIONAL_FN_TYPE(kv_mime_file_meta) *meta_of = APR_RETRIEVE_OPTIONAL_FN(kv_mime_file_meta);
    kv_mime_meta_t m;

    if (!meta_of) {
        return 0;
    }
    meta_of(r, uri, &m);
    return m.handler && strcmp(m.handler, TYPE_MAP_HANDLER) == 0;
}

/* The type-map handler: choose a variant of the map and answer with it. */
static int type_map_handler(kv_request_t *r)
{
    apr_array_header_t *variants;
    neg_variant_t *best;
    int status;

    if (!r->handler || strcmp(r->handler, TYPE_MAP_HANDLER) != 0) {
        return KV_DECLINED;
    }
    if (r->finfo.filetype != APR_REG) {
        return KV_HTTP_NOT_FOUND;
    }
    if ((status = map_variants(r, &variants)) != KV_OK) {
        return status;
    }
    if (variants->nelts == 0) {
        return KV_HTTP_NOT_ACCEPTABLE;
    }
    if ((best = negotiate(r, variants, &status)) == NULL) {
        return status;
    }
    if (names_a_type_map(r, best->uri)) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV01147: type map %s chose %s, another type map; refused", r->filename,
                      best->uri);
        return KV_HTTP_INTERNAL_SERVER_ERROR;
    }
    return kv_internal_redirect_same_method(
        r, best->uri[0] == '/' ? best->uri
                               : apr_pstrcat(r->pool, dir_of(r->pool, r->uri), best->uri, NULL));
}

/* An encoding is named as the client named it (x-gzip sent as gzip to a client that
 * accepts gzip), as httpd's mod_negotiation does for every response. */
static int fix_encoding(kv_request_t *r)
{
    const char *enc = apr_table_get(r->headers_out, "Content-Encoding");
    apr_array_header_t *accepted;
    const char *x_name = NULL;

    if (!enc || !*enc ||
        (accepted = neg_parse_accept(r->pool, apr_table_get(r->headers_in, "Accept-Encoding"))) ==
            NULL) {
        return KV_DECLINED;
    }
    enc = enc[0] == 'x' && enc[1] == '-' ? enc + 2 : enc;
    for (int i = 0; i < accepted->nelts; i++) {
        const char *name = APR_ARRAY_IDX(accepted, i, neg_accept_t).name;

        if (strcmp(name, enc) == 0) {
            apr_table_setn(r->headers_out, "Content-Encoding", name);
            return KV_DECLINED;
        }
        if (name[0] == 'x' && name[1] == '-' && strcmp(name + 2, enc) == 0) {
            x_name = name;
        }
    }
    if (x_name) {
        apr_table_setn(r->headers_out, "Content-Encoding", x_name);
    }
    return KV_DECLINED;
}

static void register_hooks(apr_pool_t *p)
{
    kv_hook_fixups(fix_encoding, NULL, NULL, KV_HOOK_MIDDLE);
    kv_register_handler_name(p, TYPE_MAP_HANDLER);
    /* Before mod_mime, which then types the chosen file. */
    kv_hook_type_checker(multiviews, NULL, NULL, KV_HOOK_FIRST);
    kv_hook_handler(type_map_handler, NULL, NULL, KV_HOOK_MIDDLE);
}

static const kv_command_t negotiation_commands[] = {
    {"LanguagePriority", set_language_priority, NULL, 1, -1, KV_CTX_ALL, 0,
     "language-tag ...: the order languages are preferred in when the client does not say"},
    {"ForceLanguagePriority", set_force_priority, NULL, 1, 2, KV_CTX_ALL, 0,
     "None|Prefer|Fallback [Prefer|Fallback]: use LanguagePriority to break a tie (Prefer) "
     "or instead of 406 (Fallback)"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t negotiation_module = {
    KV_MODULE_HEADER("negotiation"),    .create_dir_config = create_dir_conf,
    .merge_dir_config = merge_dir_conf, .commands = negotiation_commands,
    .register_hooks = register_hooks,
};
