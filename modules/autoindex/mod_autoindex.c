/* mod_autoindex: a generated listing ("Index of /dir/") for a directory that has no
 * DirectoryIndex file, where Options Indexes allows it, as httpd's mod_autoindex does:
 * a bare list, or with FancyIndexing columns (name, last modified, size, description) in a
 * <pre> or, with HTMLTable, a <table>; sorted by the query's C= and O=; IndexIgnore hides
 * entries; HeaderName and ReadmeName files go before and after the listing. */
#include <string.h>
#include <strings.h>

#include <apr_escape.h>
#include <apr_file_io.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "autoindex_util.h"
#include "kiva.h"

#define KV_LOG_MODULE "autoindex"

/* A HeaderName or ReadmeName file larger than this is left out, not read into memory. */
#define MAX_INSERT_SIZE (1024 * 1024)
/* The Name column of a <pre> listing is at least this wide (httpd's default NameWidth). */
#define NAME_WIDTH 23

extern kv_module_t autoindex_module;

typedef struct {
    apr_array_header_t *ignore; /* IndexIgnore patterns (const char *), additive */
    const char *header;         /* HeaderName, NULL if unset */
    const char *readme;         /* ReadmeName, NULL if unset */
    const char *charset;        /* IndexOptions Charset=, NULL if unset */
    unsigned opts;              /* AI_OPT_* in force */
    unsigned opts_add;          /* +Keyword given here */
    unsigned opts_remove;       /* -Keyword given here */
    int opts_absolute;          /* a keyword without + or - was given: inherited ones drop */
} autoindex_conf_t;

/* What one listing is built from. */
typedef struct {
    kv_request_t *r;
    const autoindex_conf_t *conf;
    apr_array_header_t *entries; /* ai_entry_t, sorted */
    ai_sort_t sort;
    apr_bucket_brigade *bb;
} listing_t;

static void *create_dir_conf(apr_pool_t *p, const char *dir)
{
    autoindex_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    (void)dir;
    conf->ignore = apr_array_make(p, 4, sizeof(const char *));
    return conf;
}

static void *merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    const autoindex_conf_t *base = basev, *add = addv;
    autoindex_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    conf->ignore = apr_array_append(p, base->ignore, add->ignore);
    conf->header = KV_MERGE_PTR(add->header, base->header, NULL);
    conf->readme = KV_MERGE_PTR(add->readme, base->readme, NULL);
    conf->charset = KV_MERGE_PTR(add->charset, base->charset, NULL);
    conf->opts = add->opts_absolute ? add->opts
                                    : (base->opts & ~add->opts_remove) | add->opts_add;
    conf->opts_absolute = 1;
    return conf;
}

static const char *add_ignore(kv_cmd_parms_t *cmd, void *mconfig, int argc,
                              const char *const *argv)
{
    autoindex_conf_t *conf = mconfig;

    for (int i = 0; i < argc; i++) {
        APR_ARRAY_PUSH(conf->ignore, const char *) = apr_pstrdup(cmd->pool, argv[i]);
    }
    return NULL;
}

/* Does a ".." segment of @a name climb out of the listed directory? */
static int has_parent_segment(const char *name)
{
    for (const char *s = name;; ) {
        size_t n = strcspn(s, "/");
        if (n == 2 && s[0] == '.' && s[1] == '.') {
            return 1;
        }
        if (!s[n]) {
            return 0;
        }
        s += n + 1;
    }
}

/* HeaderName and ReadmeName: a file name relative to the listed directory. */
static const char *set_insert_file(kv_cmd_parms_t *cmd, void *mconfig, int argc,
                                   const char *const *argv)
{
    autoindex_conf_t *conf = mconfig;
    const char *name = argv[0];

    (void)argc;
    if (name[0] == '/' || has_parent_segment(name)) {
        return apr_psprintf(cmd->pool,
                            "%s: only a file name relative to the listed directory is "
                            "supported, not %s",
                            cmd->cmd->name, name);
    }
    if (strcasecmp(cmd->cmd->name, "HeaderName") == 0) {
        conf->header = apr_pstrdup(cmd->pool, name);
    } else {
        conf->readme = apr_pstrdup(cmd->pool, name);
    }
    return NULL;
}

/* Apply one keyword with its + or - (action 0 for none), as httpd's incremental rules say. */
static void apply_option(autoindex_conf_t *conf, char action, unsigned bit)
{
    if (action == '+') {
        conf->opts_add |= bit;
        conf->opts_remove &= ~bit;
        conf->opts |= bit;
    } else if (action == '-') {
        conf->opts_remove |= bit;
        conf->opts_add &= ~bit;
        conf->opts &= ~bit;
    } else {
        if (!conf->opts_absolute) {
            conf->opts_absolute = 1;
            conf->opts = conf->opts_add = conf->opts_remove = 0;
        }
        conf->opts |= bit;
    }
}

static const char *set_options(kv_cmd_parms_t *cmd, void *mconfig, int argc,
                               const char *const *argv)
{
    autoindex_conf_t *conf = mconfig;

    for (int i = 0; i < argc; i++) {
        const char *word = argv[i], *value;
        char action = (word[0] == '+' || word[0] == '-') ? word[0] : 0;
        const ai_option_t *o;

        word += action ? 1 : 0;
        if (!action && strcasecmp(word, "None") == 0) {
            apply_option(conf, 0, 0);
            conf->opts = 0;
            continue;
        }
        if (!(o = ai_find_option(word, &value))) {
            return apr_psprintf(cmd->pool, "IndexOptions: unknown or malformed option %s",
                                argv[i]);
        }
        if (strcasecmp(o->name, "Charset") == 0) {
            conf->charset = apr_pstrdup(cmd->pool, value);
        }
        apply_option(conf, action, o->bit);
    }
    return NULL;
}

static int is_listable_request(const kv_request_t *r)
{
    size_t len = r->uri ? strlen(r->uri) : 0;

    return r->finfo.filetype == APR_DIR && len > 0 && r->uri[len - 1] == '/' &&
           (!r->path_info || !*r->path_info) &&
           (r->method_number == KV_M_GET || r->method_number == KV_M_HEAD);
}

static const char *child_path(apr_pool_t *p, const char *dir, const char *name)
{
    size_t len = strlen(dir);

    return apr_pstrcat(p, dir, len && dir[len - 1] == '/' ? "" : "/", name, NULL);
}

/* Stat an entry through symbolic links, as httpd's sub-request does; 0 if it cannot. */
static int stat_entry(kv_request_t *r, const char *path, apr_finfo_t *fi)
{
    apr_status_t rv = apr_stat(fi, path, APR_FINFO_MIN, r->pool);

    return (rv == APR_SUCCESS || rv == APR_INCOMPLETE) &&
           (fi->filetype == APR_REG || fi->filetype == APR_DIR);
}

/* The directory's entries, less ".", ".." and those IndexIgnore hides; an HTTP status if
 * the directory cannot be read. */
static int read_entries(kv_request_t *r, const autoindex_conf_t *conf,
                        apr_array_header_t **out)
{
    apr_dir_t *dir;
    apr_finfo_t dirent;
    apr_status_t rv = apr_dir_open(&dir, r->filename, r->pool);
    apr_array_header_t *entries = apr_array_make(r->pool, 32, sizeof(ai_entry_t));

    if (rv != APR_SUCCESS) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, rv, r, "KV00750: Can't open directory for index: %s",
                      r->filename);
        return KV_HTTP_FORBIDDEN;
    }
    while (apr_dir_read(&dirent, APR_FINFO_NAME, dir) == APR_SUCCESS) {
        const char *path;
        apr_finfo_t fi;
        ai_entry_t *e;

        if (strcmp(dirent.name, ".") == 0 || strcmp(dirent.name, "..") == 0) {
            continue;
        }
        path = child_path(r->pool, r->filename, dirent.name);
        if (ai_is_ignored(conf->ignore, dirent.name, path) || !stat_entry(r, path, &fi)) {
            continue;
        }
        e = apr_array_push(entries);
        e->name = apr_pstrdup(r->pool, dirent.name);
        e->desc = NULL;
        e->is_dir = fi.filetype == APR_DIR;
        e->size = e->is_dir ? -1 : fi.size;
        e->mtime = fi.mtime;
    }
    apr_dir_close(dir);
    *out = entries;
    return KV_OK;
}

static void emit(listing_t *l, const char *s)
{
    apr_brigade_puts(l->bb, NULL, NULL, s);
}

static const char *html(listing_t *l, const char *s)
{
    return kv_escape_html(l->r->pool, s);
}

/* The href of an entry: path-escaped, "./" in front when a ':' could read as a scheme. */
static const char *entry_href(listing_t *l, const ai_entry_t *e)
{
    const char *seg = apr_pescape_path_segment(l->r->pool, e->name);

    return html(l, apr_pstrcat(l->r->pool, strchr(seg, ':') ? "./" : "", seg,
                               e->is_dir ? "/" : "", NULL));
}

static const char *entry_label(listing_t *l, const ai_entry_t *e)
{
    return html(l, apr_pstrcat(l->r->pool, e->name, e->is_dir ? "/" : "", NULL));
}

static const char *parent_href(listing_t *l)
{
    const char *uri = l->r->uri;
    size_t len = strlen(uri) - 1; /* before the trailing '/' */

    while (len > 0 && uri[len - 1] != '/') {
        len--;
    }
    return html(l, apr_pescape_path(l->r->pool, apr_pstrndup(l->r->pool, uri, len), 1));
}

static int at_root(const listing_t *l)
{
    return strcmp(l->r->uri, "/") == 0;
}

static const char *format_mtime(listing_t *l, apr_time_t t)
{
    apr_time_exp_t tm;
    apr_size_t len;
    char buf[32];

    if (apr_time_exp_lt(&tm, t) != APR_SUCCESS ||
        apr_strftime(buf, &len, sizeof(buf), "%Y-%m-%d %H:%M", &tm) != APR_SUCCESS) {
        return "";
    }
    return apr_pstrdup(l->r->pool, buf);
}

static const char *format_size(listing_t *l, const ai_entry_t *e)
{
    char buf[5]; /* apr_strfsize writes four characters and a NUL */

    if (e->is_dir) {
        return "-";
    }
    apr_strfsize(e->size, buf);
    return apr_pstrdup(l->r->pool, buf + strspn(buf, " "));
}

static int has(const listing_t *l, unsigned bit)
{
    return (l->conf->opts & bit) != 0;
}

/* A column heading: a link to sort by it unless SuppressColumnSorting. */
static const char *heading(listing_t *l, char key, const char *label)
{
    if (has(l, AI_OPT_SUPPRESS_SORTING)) {
        return label;
    }
    return apr_psprintf(l->r->pool, "<a href=\"?%s\">%s</a>",
                        ai_sort_query(l->r->pool, &l->sort, key), label);
}

/* The columns after Name, each left out by its Suppress option. */
static const struct {
    char key;
    const char *label;
    unsigned suppressed_by;
} optional_columns[] = {{'M', "Last modified", AI_OPT_SUPPRESS_MTIME},
                        {'S', "Size", AI_OPT_SUPPRESS_SIZE},
                        {'D', "Description", AI_OPT_SUPPRESS_DESC}};

/* The headings of the optional columns, each between its @a around strings. */
static void emit_headings(listing_t *l, const char *const around[][2])
{
    for (size_t i = 0; i < sizeof(optional_columns) / sizeof(optional_columns[0]); i++) {
        if (!has(l, optional_columns[i].suppressed_by)) {
            apr_brigade_printf(l->bb, NULL, NULL, "%s%s%s", around[i][0],
                               heading(l, optional_columns[i].key, optional_columns[i].label),
                               around[i][1]);
        }
    }
}

static void emit_list(listing_t *l)
{
    emit(l, "<ul>");
    if (!at_root(l)) {
        apr_brigade_printf(l->bb, NULL, NULL, "<li><a href=\"%s\"> Parent Directory</a></li>\n",
                           parent_href(l));
    }
    for (int i = 0; i < l->entries->nelts; i++) {
        const ai_entry_t *e = &APR_ARRAY_IDX(l->entries, i, ai_entry_t);
        apr_brigade_printf(l->bb, NULL, NULL, "<li><a href=\"%s\"> %s</a></li>\n",
                           entry_href(l, e), entry_label(l, e));
    }
    emit(l, "</ul>\n");
}

/* Width of the Name column of a <pre> listing: the longest name, at least NAME_WIDTH. */
static size_t name_width(const listing_t *l)
{
    size_t width = NAME_WIDTH;

    for (int i = 0; i < l->entries->nelts; i++) {
        const ai_entry_t *e = &APR_ARRAY_IDX(l->entries, i, ai_entry_t);
        size_t len = strlen(e->name) + (e->is_dir ? 1 : 0);
        width = len > width ? len : width;
    }
    return width;
}

/* One <pre> row: the linked name padded to the column, then the other columns. */
static void emit_pre_row(listing_t *l, const char *href, const char *label, size_t label_len,
                         size_t width, const char *mtime, const char *size)
{
    apr_brigade_printf(l->bb, NULL, NULL, "<a href=\"%s\">%s</a>%*s", href, label,
                       (int)(width - label_len + 1), "");
    if (!has(l, AI_OPT_SUPPRESS_MTIME)) {
        apr_brigade_printf(l->bb, NULL, NULL, "%-16s  ", mtime);
    }
    if (!has(l, AI_OPT_SUPPRESS_SIZE)) {
        apr_brigade_printf(l->bb, NULL, NULL, "%5s  ", size);
    }
    emit(l, "\n");
}

static void emit_pre(listing_t *l)
{
    size_t width = name_width(l);

    apr_brigade_printf(l->bb, NULL, NULL, "<pre>%s%*s", heading(l, 'N', "Name"),
                       (int)(width - 4 + 1), "");
    /* Padded as the rows' "%-16s  " and "%5s  " columns. */
    emit_headings(l, (const char *const[][2]){{"", "     "}, {" ", "  "}, {"", ""}});
    emit(l, "<hr>");
    if (!at_root(l)) {
        emit_pre_row(l, parent_href(l), "Parent Directory", 16, width, "", "-");
    }
    for (int i = 0; i < l->entries->nelts; i++) {
        const ai_entry_t *e = &APR_ARRAY_IDX(l->entries, i, ai_entry_t);
        emit_pre_row(l, entry_href(l, e), entry_label(l, e),
                     strlen(e->name) + (e->is_dir ? 1 : 0), width, format_mtime(l, e->mtime),
                     format_size(l, e));
    }
    emit(l, "<hr></pre>\n");
}

static void emit_table_row(listing_t *l, const char *href, const char *label, const char *mtime,
                           const char *size, const char *desc)
{
    apr_brigade_printf(l->bb, NULL, NULL, "<tr><td><a href=\"%s\">%s</a></td>", href, label);
    if (!has(l, AI_OPT_SUPPRESS_MTIME)) {
        apr_brigade_printf(l->bb, NULL, NULL, "<td align=\"right\">%s  </td>", mtime);
    }
    if (!has(l, AI_OPT_SUPPRESS_SIZE)) {
        apr_brigade_printf(l->bb, NULL, NULL, "<td align=\"right\">%s</td>", size);
    }
    if (!has(l, AI_OPT_SUPPRESS_DESC)) {
        apr_brigade_printf(l->bb, NULL, NULL, "<td>%s</td>", desc);
    }
    emit(l, "</tr>\n");
}

static void emit_table(listing_t *l)
{
    apr_brigade_printf(l->bb, NULL, NULL, "<table>\n<tr><th>%s</th>", heading(l, 'N', "Name"));
    emit_headings(l, (const char *const[][2]){{"<th>", "</th>"}, {"<th>", "</th>"},
                                              {"<th>", "</th>"}});
    emit(l, "</tr>\n");
    if (!at_root(l)) {
        emit_table_row(l, parent_href(l), "Parent Directory", "", "-", "");
    }
    for (int i = 0; i < l->entries->nelts; i++) {
        const ai_entry_t *e = &APR_ARRAY_IDX(l->entries, i, ai_entry_t);
        emit_table_row(l, entry_href(l, e), entry_label(l, e), format_mtime(l, e->mtime),
                       format_size(l, e), e->desc ? html(l, e->desc) : "");
    }
    emit(l, "</table>\n");
}

static int is_html_name(const char *name)
{
    const char *dot = strrchr(name, '.');

    return dot && (strcasecmp(dot, ".html") == 0 || strcasecmp(dot, ".htm") == 0);
}

/* Put the HeaderName or ReadmeName file @a name in the page: HTML as it is, anything else
 * escaped in a <pre>. 1 if it was there. */
static int emit_insert_file(listing_t *l, const char *name)
{
    kv_request_t *r = l->r;
    const char *path = child_path(r->pool, r->filename, name);
    apr_finfo_t fi;
    apr_file_t *f;
    char *text;
    apr_size_t len;
    apr_status_t rv;

    if (apr_stat(&fi, path, APR_FINFO_MIN, r->pool) != APR_SUCCESS || fi.filetype != APR_REG) {
        return 0;
    }
    if (fi.size > MAX_INSERT_SIZE) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_WARNING, 0, r,
                      "KV00751: %s is larger than %d bytes, left out of the index", path,
                      MAX_INSERT_SIZE);
        return 0;
    }
    len = (apr_size_t)fi.size;
    text = apr_palloc(r->pool, len + 1);
    rv = apr_file_open(&f, path, APR_FOPEN_READ | APR_FOPEN_BINARY, 0, r->pool);
    if (rv == APR_SUCCESS) {
        rv = apr_file_read_full(f, text, len, &len);
        apr_file_close(f);
    }
    if (rv != APR_SUCCESS && !APR_STATUS_IS_EOF(rv)) {
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, rv, r, "KV00752: cannot read %s for the index",
                      path);
        return 0;
    }
    text[len] = '\0';
    if (is_html_name(name)) {
        apr_brigade_write(l->bb, NULL, NULL, text, len);
    } else {
        apr_brigade_printf(l->bb, NULL, NULL, "<pre>\n%s</pre>\n", html(l, text));
    }
    return 1;
}

static void emit_page(listing_t *l)
{
    const char *title = html(l, l->r->uri);

    apr_brigade_printf(l->bb, NULL, NULL,
                       "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n"
                       "<html>\n <head>\n  <title>Index of %s</title>\n </head>\n <body>\n",
                       title);
    if (!l->conf->header || !emit_insert_file(l, l->conf->header)) {
        apr_brigade_printf(l->bb, NULL, NULL, "<h1>Index of %s</h1>\n", title);
    }
    if (!has(l, AI_OPT_FANCY)) {
        emit_list(l);
    } else if (has(l, AI_OPT_HTML_TABLE)) {
        emit_table(l);
    } else {
        emit_pre(l);
    }
    if (l->conf->readme) {
        emit_insert_file(l, l->conf->readme);
    }
    emit(l, kv_server_signature(l->r));
    emit(l, "</body></html>\n");
}

static int autoindex_handler(kv_request_t *r)
{
    listing_t l = {.r = r, .sort = {.key = 'N', .descending = 0}};
    int status;

    if (!is_listable_request(r) || !(kv_allow_options(r) & KV_OPT_INDEXES)) {
        return KV_DECLINED;
    }
    if ((status = kv_discard_body(r)) != KV_OK) {
        return status;
    }
    l.conf = kv_get_module_config(r->per_dir_config, &autoindex_module);
    if ((status = read_entries(r, l.conf, &l.entries)) != KV_OK) {
        return status;
    }
    if (!has(&l, AI_OPT_IGNORE_CLIENT)) {
        ai_parse_sort(r->args, &l.sort);
    }
    ai_sort_entries(r->pool, l.entries, &l.sort, l.conf->opts);
    l.bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    emit_page(&l);
    APR_BRIGADE_INSERT_TAIL(l.bb, apr_bucket_eos_create(l.bb->bucket_alloc));
    r->content_type = apr_pstrcat(r->pool, "text/html;charset=",
                                  l.conf->charset ? l.conf->charset : "UTF-8", NULL);
    kv_pass_brigade(r->output_filters, l.bb);
    return KV_DONE;
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    kv_hook_handler(autoindex_handler, NULL, NULL, KV_HOOK_MIDDLE);
}

static const kv_command_t autoindex_commands[] = {
    {"IndexIgnore", add_ignore, NULL, 1, -1, KV_CTX_ALL, 0,
     "pattern [pattern]...: wildcard names left out of listings (adds to inherited ones)"},
    {"HeaderName", set_insert_file, NULL, 1, 1, KV_CTX_ALL, 0,
     "file: file of the listed directory put above the listing"},
    {"ReadmeName", set_insert_file, NULL, 1, 1, KV_CTX_ALL, 0,
     "file: file of the listed directory put below the listing"},
    {"IndexOptions", set_options, NULL, 1, -1, KV_CTX_ALL, 0,
     "[+|-]option...: how listings look (FancyIndexing, HTMLTable, FoldersFirst, ...)"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t autoindex_module = {
    KV_MODULE_HEADER("autoindex"),
    .create_dir_config = create_dir_conf,
    .merge_dir_config = merge_dir_conf,
    .commands = autoindex_commands,
    .register_hooks = register_hooks,
};
