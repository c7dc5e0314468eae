/* mod_filter: smart filters, as httpd's. A declared filter (FilterDeclare) is a harness in
 * the chain (FilterChain); on the response's first brigade, once its type and fields are
 * known, it becomes the first of its providers (FilterProvider) whose expression holds, or
 * steps aside. AddOutputFilterByType declares "BYTYPE:NAME" with NAME as a provider for
 * the listed media types. */
#include <string.h>

#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "filter_util.h"
#include "kiva.h"

#define KV_LOG_MODULE "filter"

extern kv_module_t filter_module;

typedef struct {
    const kv_filter_rec_t *rec; /* the registered filter it becomes */
    const kv_expr_t *expr;      /* FilterProvider's condition, or NULL */
    apr_array_header_t *types;  /* AddOutputFilterByType's media types (const char *) */
    unsigned proto_flags;       /* FilterProtocol filter provider flags */
} provider_t;

typedef struct {
    const char *name;
    kv_filter_type_t type;
    unsigned proto_flags;          /* FilterProtocol filter flags */
    int trace;                     /* FilterTrace level: 1 logs each brigade at debug */
    apr_array_header_t *providers; /* provider_t *, in configuration order */
} smart_filter_t;

typedef struct {
    apr_hash_t *filters;   /* lower-case name -> smart_filter_t */
    filter_chain_t *chain; /* FilterChain */
} filter_dir_conf_t;

static void *create_dir_conf(apr_pool_t *p, const char *dir)
{
    filter_dir_conf_t *d = apr_pcalloc(p, sizeof(*d));

    (void)dir;
    d->filters = apr_hash_make(p);
    d->chain = apr_array_make(p, 2, sizeof(const char *));
    return d;
}

static void *merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    const filter_dir_conf_t *base = basev, *add = addv;
    filter_dir_conf_t *d = apr_pcalloc(p, sizeof(*d));

    d->filters = apr_hash_overlay(p, add->filters, base->filters);
    d->chain = filter_chain_merge(p, base->chain, add->chain);
    return d;
}

static char *lower(apr_pool_t *p, const char *s)
{
    char *out = apr_pstrdup(p, s);

    for (char *c = out; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    return out;
}

static smart_filter_t *find_filter(const filter_dir_conf_t *d, apr_pool_t *p, const char *name)
{
    return apr_hash_get(d->filters, lower(p, name), APR_HASH_KEY_STRING);
}

static const char *parse_place(const char *place, kv_filter_type_t *type)
{
    static const struct {
        const char *name;
        kv_filter_type_t type;
    } places[] = {{"RESOURCE", KV_FTYPE_RESOURCE},
                  {"CONTENT_SET", KV_FTYPE_CONTENT_SET},
                  {"PROTOCOL", KV_FTYPE_PROTOCOL},
                  {"CONNECTION", KV_FTYPE_CONNECTION},
                  {"NETWORK", KV_FTYPE_NETWORK}};

    for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
        if (strcasecmp(place, places[i].name) == 0) {
            *type = places[i].type;
            return NULL;
        }
    }
    return "FilterDeclare: the type is RESOURCE, CONTENT_SET, PROTOCOL, CONNECTION or NETWORK";
}

static smart_filter_t *declare(kv_cmd_parms_t *cmd, filter_dir_conf_t *d, const char *name)
{
    smart_filter_t *sf = apr_pcalloc(cmd->pool, sizeof(*sf));

    sf->name = apr_pstrdup(cmd->pool, name);
    sf->type = KV_FTYPE_RESOURCE;
    sf->providers = apr_array_make(cmd->pool, 2, sizeof(provider_t *));
    apr_hash_set(d->filters, lower(cmd->pool, name), APR_HASH_KEY_STRING, sf);
    return sf;
}

static const char *filter_declare(kv_cmd_parms_t *cmd, void *conf, int argc,
                                  const char *const *argv)
{
    smart_filter_t *sf = declare(cmd, conf, argv[0]);

    return argc > 1 ? parse_place(argv[1], &sf->type) : NULL;
}

/* A provider of filter @a fname (declared now if it is not yet) named @a pname. */
static const char *add_provider(kv_cmd_parms_t *cmd, filter_dir_conf_t *d, const char *fname,
                                const char *pname, provider_t **out)
{
    smart_filter_t *sf = find_filter(d, cmd->temp_pool, fname);
    provider_t *prov = apr_pcalloc(cmd->pool, sizeof(*prov));

    if (!(prov->rec = kv_find_output_filter(cmd->temp_pool, pname))) {
        return apr_psprintf(cmd->pool,
                            "%s: unknown filter provider %s (is its module loaded "
                            "before this line?)",
                            cmd->cmd->name, pname);
    }
    if (!sf) {
        /* A filter declared by its first provider stands where the provider would (httpd). */
        sf = declare(cmd, d, fname);
        sf->type = prov->rec->type;
    }
    APR_ARRAY_PUSH(sf->providers, provider_t *) = prov;
    *out = prov;
    return NULL;
}

static const char *filter_provider(kv_cmd_parms_t *cmd, void *conf, int argc,
                                   const char *const *argv)
{
    provider_t *prov;
    const char *err = add_provider(cmd, conf, argv[0], argv[1], &prov);
    kv_expr_t *expr;

    (void)argc;
    if (err) {
        return err;
    }
    if (!(expr = kv_expr_parse(cmd->pool, argv[2], &err))) {
        return apr_psprintf(cmd->pool, "FilterProvider: %s", err);
    }
    prov->expr = expr;
    return NULL;
}

static const char *filter_chain(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    filter_dir_conf_t *d = conf;

    for (int i = 0; i < argc; i++) {
        filter_chain_edit(cmd->pool, d->chain, argv[i]);
    }
    return NULL;
}

static const char *filter_protocol(kv_cmd_parms_t *cmd, void *conf, int argc,
                                   const char *const *argv)
{
    smart_filter_t *sf = find_filter(conf, cmd->temp_pool, argv[0]);
    unsigned flags = filter_proto_flags(cmd->temp_pool, argv[argc - 1]);

    if (!sf) {
        return apr_psprintf(cmd->pool, "FilterProtocol: no such filter %s", argv[0]);
    }
    if (argc == 2) {
        sf->proto_flags = flags;
        return NULL;
    }
    for (int i = 0; i < sf->providers->nelts; i++) {
        provider_t *prov = APR_ARRAY_IDX(sf->providers, i, provider_t *);
        if (strcasecmp(prov->rec->name, argv[1]) == 0) {
            prov->proto_flags = flags;
            return NULL;
        }
    }
    return apr_psprintf(cmd->pool, "FilterProtocol: filter %s has no provider %s", argv[0],
                        argv[1]);
}

static const char *filter_trace_level(kv_cmd_parms_t *cmd, void *conf, int argc,
                                      const char *const *argv)
{
    smart_filter_t *sf = find_filter(conf, cmd->temp_pool, argv[0]);
    long level;
    const char *err;

    (void)argc;
    if (!sf) {
        return apr_psprintf(cmd->pool, "FilterTrace: undeclared smart filter %s", argv[0]);
    }
    if ((err = kv_parse_int(cmd->temp_pool, argv[1], 0, 1 << 20, &level)) != NULL) {
        return apr_psprintf(cmd->pool, "FilterTrace: %s", err);
    }
    sf->trace = (int)level;
    return NULL;
}

/* AddOutputFilterByType filter[;filter...] type [type] ... */
static const char *add_by_type(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    filter_dir_conf_t *d = conf;
    char *names = apr_pstrdup(cmd->temp_pool, argv[0]), *last;

    for (char *n = apr_strtok(names, ";", &last); n; n = apr_strtok(NULL, ";", &last)) {
        const char *fname = apr_pstrcat(cmd->pool, "BYTYPE:", n, NULL);
        int seen = find_filter(d, cmd->temp_pool, fname) != NULL;
        provider_t *prov;
        const char *err = add_provider(cmd, d, fname, n, &prov);
        if (err) {
            return err;
        }
        prov->types = apr_array_make(cmd->pool, argc - 1, sizeof(const char *));
        for (int i = 1; i < argc; i++) {
            APR_ARRAY_PUSH(prov->types, const char *) = lower(cmd->pool, argv[i]);
        }
        /* The first time a context names it, it joins the context's chain. */
        if (!seen) {
            filter_chain_edit(cmd->pool, d->chain, fname);
        }
    }
    return NULL;
}

static int provider_matches(kv_request_t *r, const provider_t *prov)
{
    const char *err = NULL;
    int match = 0;

    if (prov->expr) {
        match = kv_expr_eval(r, prov->expr, &err);
        if (match < 0) {
            kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                          "KV01264: error evaluating filter dispatch condition: %s", err);
            match = 0;
        }
        return match;
    }
    for (int i = 0; prov->types && i < prov->types->nelts && !match; i++) {
        const char *ct = r->content_type ? lower(r->pool, r->content_type) : NULL;
        match = filter_type_matches(APR_ARRAY_IDX(prov->types, i, const char *), ct);
    }
    return match;
}

/* What FilterProtocol says the chosen provider does to the response's fields. */
static void apply_protocol(kv_request_t *r, unsigned flags)
{
    if (flags & FILTER_PROTO_CHANGE) {
        apr_table_unset(r->headers_out, "Content-MD5");
        apr_table_unset(r->headers_out, "ETag");
        if (flags & FILTER_PROTO_CHANGE_LENGTH) {
            apr_table_unset(r->headers_out, "Content-Length");
            r->clength = -1;
        }
    }
    if (flags & FILTER_PROTO_NO_CACHE) {
        apr_table_unset(r->headers_out, "Last-Modified");
        r->mtime = 0;
        apr_table_addn(r->headers_out, "Cache-Control", "no-cache");
    }
    if (flags & FILTER_PROTO_NO_BYTERANGE) {
        apr_table_setn(r->headers_out, "Accept-Ranges", "none");
    }
}

static apr_status_t pass_through(kv_filter_t *f, apr_bucket_brigade *bb)
{
    return kv_pass_brigade(f->next, bb);
}

/* The harness: on the first brigade it becomes the provider that matches, or steps aside. */
static apr_status_t harness(kv_filter_t *f, apr_bucket_brigade *bb)
{
    const smart_filter_t *sf = f->ctx;

    f->func = pass_through;
    f->ctx = NULL;
    /* The provider configured last is tried first, as httpd does. */
    for (int i = sf->providers->nelts - 1; i >= 0; i--) {
        const provider_t *prov = APR_ARRAY_IDX(sf->providers, i, provider_t *);
        if (provider_matches(f->r, prov)) {
            apply_protocol(f->r, sf->proto_flags | prov->proto_flags);
            f->func = prov->rec->func;
            break;
        }
    }
    return f->func(f, bb);
}

/* FilterTrace 1: each brigade on its way into the smart filter, at debug level (httpd's). */
static apr_status_t trace_filter(kv_filter_t *f, apr_bucket_brigade *bb)
{
    const smart_filter_t *sf = f->ctx;

    kv_log_rerror(KV_LOG_MARK, KV_LOG_DEBUG, 0, f->r, "KV01268: %s", sf->name);
    for (apr_bucket *b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_DEBUG, 0, f->r,
                      "KV01269: %s: type: %s, length: %" APR_SIZE_T_FMT, sf->name,
                      b->type->name ? b->type->name : "(unknown)", b->length);
    }
    return kv_pass_brigade(f->next, bb);
}

static int filter_insert(kv_request_t *r)
{
    const filter_dir_conf_t *d = kv_get_module_config(r->per_dir_config, &filter_module);
    apr_array_header_t *names = filter_chain_names(r->pool, d->chain);

    for (int i = 0; i < names->nelts; i++) {
        const char *name = APR_ARRAY_IDX(names, i, const char *);
        smart_filter_t *sf = find_filter(d, r->pool, name);
        if (!sf) {
            kv_log_rerror(KV_LOG_MARK, KV_LOG_WARNING, 0, r, "KV01265: unknown filter %s not added",
                          name);
            continue;
        }
        if (sf->trace == 1) {
            kv_add_output_filter(r, sf->name, trace_filter, sf->type, sf);
        }
        kv_add_output_filter(r, sf->name, harness, sf->type, sf);
        /* A filter that changes the length or cannot take ranges: the handler sees none. */
        if (sf->proto_flags & (FILTER_PROTO_NO_BYTERANGE | FILTER_PROTO_CHANGE_LENGTH)) {
            apr_table_unset(r->headers_in, "Range");
        }
    }
    return KV_DECLINED;
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    kv_hook_fixups(filter_insert, NULL, NULL, KV_HOOK_MIDDLE);
}

static const kv_command_t filter_commands[] = {
    {"FilterDeclare", filter_declare, NULL, 1, 2, KV_CTX_ALL, 0,
     "filter-name [RESOURCE|CONTENT_SET|PROTOCOL|CONNECTION|NETWORK]: declare a smart filter"},
    {"FilterProvider", filter_provider, NULL, 3, 3, KV_CTX_ALL, 0,
     "filter-name provider-name expression: the provider a smart filter becomes when the "
     "expression holds"},
    {"FilterChain", filter_chain, NULL, 1, -1, KV_CTX_ALL, 0,
     "[+|@|-|=|!]filter-name ...: the smart filters of the context's chain"},
    {"FilterProtocol", filter_protocol, NULL, 2, 3, KV_CTX_ALL, 0,
     "filter-name [provider-name] change=yes|no|1:1;byteranges=no;cache=no;proxy=no|transform: "
     "what a filter does to the response's fields"},
    {"FilterTrace", filter_trace_level, NULL, 2, 2, KV_CTX_ALL, 0,
     "filter-name level: 1 logs each brigade that enters the smart filter at debug level, "
     "0 nothing"},
    {"AddOutputFilterByType", add_by_type, NULL, 2, -1, KV_CTX_ALL, 0,
     "filter[;filter]... media-type [media-type] ...: output filters for responses of the "
     "types"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t filter_module = {
    KV_MODULE_HEADER("filter"),         .create_dir_config = create_dir_conf,
    .merge_dir_config = merge_dir_conf, .commands = filter_commands,
    .register_hooks = register_hooks,
};
