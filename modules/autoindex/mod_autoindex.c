/* mod_autoindex: a generated listing ("Index of /dir/") for a directory that has no
 * DirectoryIndex file, where Options Indexes allows it, as httpd's mod_autoindex does:
 * a bare list, or with FancyIndexing columns (name, last modified, size, description) in a
 * <pre> or, with HTMLTable, a <table>; sorted by the query's C= and O=; IndexIgnore hides
 * entries; HeaderName and ReadmeName files go before and after the listing; with FancyIndexing,
 * an icon column (AddIcon*, AddAlt*, DefaultIcon) and descriptions (AddDescription), in the
 * HTML httpd 2.4 writes, so a listing under Debian's autoindex.conf is the same. */
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
    int ignore_reset;           /* IndexIgnoreReset On: the inherited patterns do not apply */
    const char *header;         /* HeaderName, NULL if unset */
    const char *readme;         /* ReadmeName, NULL if unset */
    const char *charset;        /* IndexOptions Charset=, NULL if unset */
    apr_array_header_t *icons;  /* AddIcon* (ai_item_t), this level's first */
    apr_array_header_t *alts;   /* AddAlt* and the alt of AddIcon* (ai_item_t) */
    apr_array_header_t *descs;  /* AddDescription (ai_desc_t) */
    const char *default_icon;   /* DefaultIcon, NULL if unset */
    const char *style_sheet;    /* IndexStyleSheet, NULL if unset */
    const char *head_insert;    /* IndexHeadInsert, NULL if unset */
    ai_sort_t order;            /* IndexOrderDefault; key 0 if unset */
    int icon_width;             /* IndexOptions IconWidth[=n]; 0 if unset */
    int icon_height;            /* IndexOptions IconHeight[=n]; 0 if unset */
    unsigned opts;              /* AI_OPT_* in force */
    unsigned opts_add;          /* +Keyword given here */
    unsigned opts_remove;       /* -Keyword given here */
    unsigned opts_bare;         /* Keyword given here without + or - */
    int opts_absolute;          /* a keyword without + or - was given: inherited ones drop */
} autoindex_conf_t;

/* What one listing is built from. */
typedef struct {
    kv_request_t *r;
    const autoindex_conf_t *conf;
    apr_array_header_t *entries; /* ai_entry_t, sorted */
    ai_entry_t parent;           /* the "Parent Directory" row; name NULL if there is none */
    ai_sort_t sort;
    size_t width;                /* of the Name column in a <pre> listing */
    apr_bucket_brigade *bb;
} listing_t;

static void *create_dir_conf(apr_pool_t *p, const char *dir)
{
    autoindex_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    (void)dir;
    conf->ignore = apr_array_make(p, 4, sizeof(const char *));
    conf->icons = apr_array_make(p, 4, sizeof(ai_item_t));
    conf->alts = apr_array_make(p, 4, sizeof(ai_item_t));
    conf->descs = apr_array_make(p, 4, sizeof(ai_desc_t));
    return conf;
}

static void *merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    const autoindex_conf_t *base = basev, *add = addv;
    autoindex_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    conf->ignore = add->ignore_reset ? add->ignore : apr_array_append(p, base->ignore, add->ignore);
    conf->header = KV_MERGE_PTR(add->header, base->header, NULL);
    conf->readme = KV_MERGE_PTR(add->readme, base->readme, NULL);
    conf->charset = KV_MERGE_PTR(add->charset, base->charset, NULL);
    /* The more specific level's items are tried first, as httpd's merge puts them. */
    conf->icons = apr_array_append(p, add->icons, base->icons);
    conf->alts = apr_array_append(p, add->alts, base->alts);
    conf->descs = apr_array_append(p, add->descs, base->descs);
    conf->default_icon = KV_MERGE_PTR(add->default_icon, base->default_icon, NULL);
    conf->style_sheet = KV_MERGE_PTR(add->style_sheet, base->style_sheet, NULL);
    conf->head_insert = KV_MERGE_PTR(add->head_insert, base->head_insert, NULL);
    conf->order = add->order.key ? add->order : base->order;
    /* As httpd: 0 (unset, or -IconWidth) inherits. */
    conf->icon_width = add->icon_width ? add->icon_width : base->icon_width;
    conf->icon_height = add->icon_height ? add->icon_height : base->icon_height;
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

/* Apply one keyword with its + or - (action 0 for none), as httpd's add_opts does: +/-
 * collect increments; a keyword without either drops the increments given before it at
 * this level, and a flag keyword (not a value like Charset=) also makes the level's
 * options replace the inherited ones. */
static void apply_option(autoindex_conf_t *conf, char action, unsigned bit, int is_flag)
{
    if (action == '+') {
        conf->opts_add |= bit;
        conf->opts_remove &= ~bit;
    } else if (action == '-') {
        conf->opts_remove |= bit;
        conf->opts_add &= ~bit;
    } else {
        conf->opts_add = conf->opts_remove = 0;
        if (is_flag) {
            conf->opts_absolute = 1;
            conf->opts_bare |= bit;
        }
    }
    conf->opts = (conf->opts_bare | conf->opts_add) & ~conf->opts_remove;
}

/* IconWidth[=n] and IconHeight[=n], as httpd: no value is 20 by 22, "-" sets none. */
static const char *set_icon_size(kv_cmd_parms_t *cmd, autoindex_conf_t *conf, const char *name,
                                 char action, const char *value)
{
    int height = strcasecmp(name, "IconHeight") == 0;
    long n = height ? AI_DEFAULT_ICON_HEIGHT : AI_DEFAULT_ICON_WIDTH;

    if (action == '-') {
        if (value) {
            return apr_psprintf(cmd->pool, "IndexOptions: Cannot combine '-' with %s=n", name);
        }
        n = 0;
    } else if (value) {
        const char *err = kv_parse_int(cmd->pool, value, 1, 10000, &n);
        if (err) {
            return apr_psprintf(cmd->pool, "IndexOptions %s: %s", name, err);
        }
    }
    *(height ? &conf->icon_height : &conf->icon_width) = (int)n;
    return NULL;
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
            conf->opts_bare = 0;
            apply_option(conf, 0, 0, 1);
            continue;
        }
        if (!(o = ai_find_option(word, &value))) {
            return apr_psprintf(cmd->pool, "IndexOptions: unknown or malformed option %s",
                                argv[i]);
        }
        if (strcasecmp(o->name, "Charset") == 0) {
            conf->charset = apr_pstrdup(cmd->pool, value);
        } else if (strcasecmp(o->name, "IconWidth") == 0 || strcasecmp(o->name, "IconHeight") == 0) {
            const char *err = set_icon_size(cmd, conf, o->name, action, value);
            if (err) {
                return err;
            }
        }
        apply_option(conf, action, o->bit, o->takes_value == AI_VALUE_NONE);
    }
    return NULL;
}

/* The AddIcon* and AddAlt* directives say by what they match in their info. */
static const ai_by_t by_path = AI_BY_PATH, by_type = AI_BY_TYPE, by_encoding = AI_BY_ENCODING;

/* AddIcon, AddIconByType, AddIconByEncoding: icon (or "(ALT,icon)") name... */
static const char *add_icon(kv_cmd_parms_t *cmd, void *mconfig, int argc,
                            const char *const *argv)
{
    autoindex_conf_t *conf = mconfig;
    ai_by_t by = *(const ai_by_t *)cmd->info;
    const char *alt, *url, *err = ai_split_icon(cmd->pool, argv[0], &alt, &url);

    if (err) {
        return apr_psprintf(cmd->pool, "%s: %s", cmd->cmd->name, err);
    }
    for (int i = 1; i < argc; i++) {
        if (alt) {
            ai_push_item(cmd->pool, conf->alts, by, argv[i], cmd->path, alt);
        }
        ai_push_item(cmd->pool, conf->icons, by, argv[i], cmd->path, url);
    }
    return NULL;
}

/* AddAlt, AddAltByType, AddAltByEncoding: text name... */
static const char *add_alt(kv_cmd_parms_t *cmd, void *mconfig, int argc,
                           const char *const *argv)
{
    autoindex_conf_t *conf = mconfig;

    for (int i = 1; i < argc; i++) {
        ai_push_item(cmd->pool, conf->alts, *(const ai_by_t *)cmd->info, argv[i], cmd->path,
                     argv[0]);
    }
    return NULL;
}

static const char *add_desc(kv_cmd_parms_t *cmd, void *mconfig, int argc,
                            const char *const *argv)
{
    autoindex_conf_t *conf = mconfig;

    for (int i = 1; i < argc; i++) {
        ai_push_desc(cmd->pool, conf->descs, argv[i], argv[0]);
    }
    return NULL;
}

static const char *set_order(kv_cmd_parms_t *cmd, void *mconfig, int argc,
                             const char *const *argv)
{
    autoindex_conf_t *conf = mconfig;
    const char *err = ai_parse_order(argv[0], argv[1], &conf->order);

    (void)argc;
    return err ? apr_psprintf(cmd->pool, "IndexOrderDefault: %s", err) : NULL;
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

/* The media type (without parameters) and content encoding the type checkers give the file
 * @a path, as httpd's sub-request for each entry finds them: a copy of the request for the
 * file, in @a scratch, that runs only the type_checker phase. */
static void entry_type(kv_request_t *r, apr_pool_t *scratch, const char *path,
                       const apr_finfo_t *fi, const char **type, const char **encoding)
{
    kv_request_t sub = *r;

    sub.pool = scratch;
    sub.filename = sub.canonical_filename = path;
    sub.path_info = "";
    sub.finfo = *fi;
    sub.content_type = NULL;
    sub.handler = NULL;
    sub.headers_out = apr_table_make(scratch, 2);
    sub.err_headers_out = apr_table_make(scratch, 0);
    sub.notes = apr_table_make(scratch, 0);
    sub.subprocess_env = apr_table_copy(scratch, r->subprocess_env);
    kv_run_type_checker(&sub);
    *type = sub.content_type ? apr_pstrndup(scratch, sub.content_type,
                                            strcspn(sub.content_type, "; \t"))
                             : NULL;
    *encoding = apr_table_get(sub.headers_out, "Content-Encoding");
}

/* Icon and alt text of a directory entry: by its path alone, else those of ^^DIRECTORY^^,
 * else no icon and @a alt. */
static void describe_directory(const autoindex_conf_t *conf, ai_entry_t *e, const char *path,
                               const char *alt)
{
    e->icon = ai_find_item(conf->icons, path, NULL, NULL, 1);
    e->icon = e->icon ? e->icon : ai_find_item(conf->icons, "^^DIRECTORY^^", NULL, NULL, 1);
    e->alt = ai_find_item(conf->alts, path, NULL, NULL, 1);
    e->alt = e->alt ? e->alt : ai_find_item(conf->alts, "^^DIRECTORY^^", NULL, NULL, 1);
    e->alt = e->alt ? e->alt : alt;
}

/* Icon, alt text and description of an entry of the full path @a path, as httpd's
 * make_autoindex_entry: a directory by its path alone (then ^^DIRECTORY^^, alt "DIR"), a
 * file by path, type and encoding. */
static void describe_entry(kv_request_t *r, const autoindex_conf_t *conf, apr_pool_t *scratch,
                           ai_entry_t *e, const char *path, const apr_finfo_t *fi)
{
    if (e->is_dir) {
        describe_directory(conf, e, path, "DIR");
    } else {
        const char *type, *encoding;
        apr_pool_clear(scratch);
        entry_type(r, scratch, path, fi, &type, &encoding);
        e->icon = ai_find_item(conf->icons, path, type, encoding, 0);
        e->alt = ai_find_item(conf->alts, path, type, encoding, 0);
    }
    e->desc = ai_find_desc(conf->descs, path);
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
    apr_pool_t *scratch = NULL;

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
        memset(e, 0, sizeof(*e));
        e->name = apr_pstrdup(r->pool, dirent.name);
        e->is_dir = fi.filetype == APR_DIR;
        e->size = e->is_dir ? -1 : fi.size;
        e->mtime = fi.mtime;
        if (conf->opts & AI_OPT_FANCY) {
            if (!scratch) {
                apr_pool_create(&scratch, r->pool);
            }
            describe_entry(r, conf, scratch, e, path, &fi);
        }
    }
    if (scratch) {
        apr_pool_destroy(scratch);
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

/* The "Parent Directory" row, as httpd's make_parent_entry: none at the root or when
 * IndexIgnore hides "..", its icon and alt by the path "DIR/.." (else ^^DIRECTORY^^'s, alt
 * "PARENTDIR"). */
static void make_parent(listing_t *l)
{
    const autoindex_conf_t *conf = l->conf;
    const char *path = child_path(l->r->pool, l->r->filename, "..");
    ai_entry_t *e = &l->parent;

    if (strcmp(l->r->uri, "/") == 0 || ai_is_ignored(conf->ignore, "..", path)) {
        return;
    }
    e->name = parent_href(l);
    e->is_dir = 1;
    e->size = -1;
    e->mtime = -1;
    describe_directory(conf, e, path, "PARENTDIR");
    e->desc = ai_find_desc(conf->descs, path);
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

/* The size as httpd shows it: four characters ("  2 ", "1.2K", "  - " for a directory). */
static const char *format_size(listing_t *l, const ai_entry_t *e)
{
    char buf[5]; /* apr_strfsize writes four characters and a NUL */

    return apr_pstrdup(l->r->pool, apr_strfsize(e->is_dir ? -1 : e->size, buf));
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

/* The columns after Name, each left out by its Suppress option; the class is that of
 * IndexStyleSheet's table; the padding follows the heading in a <pre>. */
static const struct {
    char key;
    const char *label;
    unsigned suppressed_by;
    const char *cls;
    const char *pre_pad;
} optional_columns[] = {{'M', "Last modified", AI_OPT_SUPPRESS_MTIME, "indexcollastmod", "      "},
                        {'S', "Size", AI_OPT_SUPPRESS_SIZE, "indexcolsize", "  "},
                        {'D', "Description", AI_OPT_SUPPRESS_DESC, "indexcoldesc", ""}};

#define N_OPTIONAL_COLUMNS (sizeof(optional_columns) / sizeof(optional_columns[0]))

static int shows_column(const listing_t *l, size_t i)
{
    return !has(l, optional_columns[i].suppressed_by);
}

static int shows_icons(const listing_t *l)
{
    return !has(l, AI_OPT_SUPPRESS_ICON);
}

/* The width and height attributes IconWidth and IconHeight give every <img>. */
static const char *icon_size(listing_t *l)
{
    const autoindex_conf_t *conf = l->conf;

    return apr_psprintf(l->r->pool, "%s%s",
                        conf->icon_width ? apr_psprintf(l->r->pool, " width=\"%d\"",
                                                        conf->icon_width)
                                         : "",
                        conf->icon_height ? apr_psprintf(l->r->pool, " height=\"%d\"",
                                                         conf->icon_height)
                                          : "");
}

/* The icon of an entry as an <img> (DefaultIcon if none applies), or NULL for none. */
static const char *icon_img(listing_t *l, const ai_entry_t *e)
{
    const char *icon = e->icon ? e->icon : l->conf->default_icon;

    if (!icon) {
        return NULL;
    }
    return apr_psprintf(l->r->pool, "<img src=\"%s\" alt=\"[%s]\"%s>", html(l, icon),
                        e->alt ? e->alt : "   ", icon_size(l));
}

/* The ^^BLANKICON^^ of the heading row with @a alt, or NULL if none is configured. */
static const char *blank_img(listing_t *l, const char *alt)
{
    const char *icon = ai_find_item(l->conf->icons, "^^BLANKICON^^", NULL, NULL, 1);

    return icon ? apr_psprintf(l->r->pool, "<img src=\"%s\" alt=\"%s\"%s>", html(l, icon), alt,
                               icon_size(l))
                : NULL;
}

/* One row of a listing: the entry, its escaped link and label, its place in the page. */
typedef void (*row_fn)(listing_t *l, const ai_entry_t *e, const char *href, const char *label,
                       int index);

/* Emit the parent's row, if there is one, then each entry's. */
static void emit_rows(listing_t *l, row_fn row)
{
    int index = 0;

    if (l->parent.name) {
        row(l, &l->parent, l->parent.name, "Parent Directory", index++);
    }
    for (int i = 0; i < l->entries->nelts; i++, index++) {
        const ai_entry_t *e = &APR_ARRAY_IDX(l->entries, i, ai_entry_t);
        row(l, e, entry_href(l, e), entry_label(l, e), index);
    }
}

/* The icon of an entry's row: its <img> or @a none, linked to the entry under
 * IconsAreLinks. */
static const char *icon_cell(listing_t *l, const ai_entry_t *e, const char *href,
                             const char *none)
{
    const char *img = icon_img(l, e);

    if (!has(l, AI_OPT_ICONS_ARE_LINKS)) {
        return img ? img : none;
    }
    return apr_psprintf(l->r->pool, "<a href=\"%s\">%s</a>", href, img ? img : none);
}

static void list_row(listing_t *l, const ai_entry_t *e, const char *href, const char *label,
                     int index)
{
    (void)e;
    (void)index;
    apr_brigade_printf(l->bb, NULL, NULL, "<li><a href=\"%s\"> %s</a></li>\n", href, label);
}

static void emit_list(listing_t *l)
{
    emit(l, "<ul>");
    emit_rows(l, list_row);
    emit(l, "</ul>\n");
}

static size_t label_length(const ai_entry_t *e)
{
    return strlen(e->name) + (e->is_dir ? 1 : 0);
}

/* Width of the Name column of a <pre> listing: the longest name, at least NAME_WIDTH. */
static size_t name_width(const listing_t *l)
{
    size_t width = NAME_WIDTH;

    for (int i = 0; i < l->entries->nelts; i++) {
        size_t len = label_length(&APR_ARRAY_IDX(l->entries, i, ai_entry_t));
        width = len > width ? len : width;
    }
    return width;
}

/* One <pre> row, as httpd's: icon, the linked name padded to the column, the others. */
static void pre_row(listing_t *l, const ai_entry_t *e, const char *href, const char *label,
                    int index)
{
    size_t len = e == &l->parent ? strlen("Parent Directory") : label_length(e);

    (void)index;
    if (shows_icons(l)) {
        apr_brigade_printf(l->bb, NULL, NULL, "%s ", icon_cell(l, e, href, "     "));
    }
    apr_brigade_printf(l->bb, NULL, NULL, "<a href=\"%s\">%s</a>%*s", href, label,
                       (int)(l->width - len + 1), "");
    if (shows_column(l, 0)) {
        /* httpd pads a row without a date (the parent's) with 19 blanks, one more than a
         * date and its two blanks take. */
        apr_brigade_printf(l->bb, NULL, NULL, "%-16s  ",
                           e->mtime == -1 ? "                 " : format_mtime(l, e->mtime));
    }
    if (shows_column(l, 1)) {
        apr_brigade_printf(l->bb, NULL, NULL, "%s  ", format_size(l, e));
    }
    if (shows_column(l, 2) && e->desc) {
        emit(l, e->desc);
    }
    emit(l, "\n");
}

static void emit_pre(listing_t *l)
{
    const char *blank = blank_img(l, "Icon ");

    l->width = name_width(l);
    emit(l, "<pre>");
    if (shows_icons(l)) {
        emit(l, blank ? apr_pstrcat(l->r->pool, blank, " ", NULL) : "      ");
    }
    apr_brigade_printf(l->bb, NULL, NULL, "%s%*s", heading(l, 'N', "Name"),
                       (int)(l->width - 4 + 1), "");
    for (size_t i = 0; i < N_OPTIONAL_COLUMNS; i++) {
        if (shows_column(l, i)) {
            apr_brigade_printf(l->bb, NULL, NULL, "%s%s",
                               heading(l, optional_columns[i].key, optional_columns[i].label),
                               optional_columns[i].pre_pad);
        }
    }
    emit(l, has(l, AI_OPT_SUPPRESS_RULES) ? "\n" : "<hr>");
    emit_rows(l, pre_row);
    emit(l, has(l, AI_OPT_SUPPRESS_RULES) ? "</pre>\n" : "<hr></pre>\n");
}

/* A cell's attributes: IndexStyleSheet's class, else @a plain. */
static const char *cell(listing_t *l, const char *cls, const char *plain)
{
    return l->conf->style_sheet ? apr_psprintf(l->r->pool, " class=\"%s\"", cls) : plain;
}

/* Under AddAltClass, "-" and the row's alt text in lower case, to follow even/odd. */
static const char *alt_class(listing_t *l, const ai_entry_t *e)
{
    char *cls;

    if (!has(l, AI_OPT_ADD_ALT_CLASS) || !e->alt) {
        return "";
    }
    cls = apr_pstrcat(l->r->pool, "-", e->alt, NULL);
    for (char *c = cls; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    return html(l, cls);
}

/* One <table> row, as httpd's. */
static void table_row(listing_t *l, const ai_entry_t *e, const char *href, const char *label,
                      int index)
{
    if (l->conf->style_sheet) {
        apr_brigade_printf(l->bb, NULL, NULL, "   <tr class=\"%s%s\">", index & 1 ? "odd" : "even",
                           alt_class(l, e));
    } else {
        emit(l, "<tr>");
    }
    if (shows_icons(l)) {
        apr_brigade_printf(l->bb, NULL, NULL, "<td%s>%s</td>",
                           cell(l, "indexcolicon", " valign=\"top\""),
                           icon_cell(l, e, href, "&nbsp;"));
    }
    apr_brigade_printf(l->bb, NULL, NULL, "<td%s><a href=\"%s\">%s</a>",
                       cell(l, "indexcolname", ""), href, label);
    if (shows_column(l, 0)) {
        if (e->mtime == -1) {
            apr_brigade_printf(l->bb, NULL, NULL, "</td><td%s>&nbsp;",
                               cell(l, "indexcollastmod", ""));
        } else {
            apr_brigade_printf(l->bb, NULL, NULL, "</td><td%s>%s  ",
                               cell(l, "indexcollastmod", " align=\"right\""),
                               format_mtime(l, e->mtime));
        }
    }
    if (shows_column(l, 1)) {
        apr_brigade_printf(l->bb, NULL, NULL, "</td><td%s>%s",
                           cell(l, "indexcolsize", " align=\"right\""), format_size(l, e));
    }
    if (shows_column(l, 2)) {
        apr_brigade_printf(l->bb, NULL, NULL, "</td><td%s>%s", cell(l, "indexcoldesc", ""),
                           e->desc ? e->desc : "&nbsp;");
    }
    emit(l, "</td></tr>\n");
}

static void emit_table(listing_t *l)
{
    const char *blank = blank_img(l, "[ICO]");
    const char *breakrow;
    int cols = 1;

    emit(l, l->conf->style_sheet ? "  <table id=\"indexlist\">\n   <tr class=\"indexhead\">"
                                 : "  <table>\n   <tr>");
    if (shows_icons(l)) {
        apr_brigade_printf(l->bb, NULL, NULL, "<th%s>%s</th>",
                           cell(l, "indexcolicon", " valign=\"top\""), blank ? blank : "&nbsp;");
        cols++;
    }
    apr_brigade_printf(l->bb, NULL, NULL, "<th%s>%s", cell(l, "indexcolname", ""),
                       heading(l, 'N', "Name"));
    for (size_t i = 0; i < N_OPTIONAL_COLUMNS; i++) {
        if (shows_column(l, i)) {
            apr_brigade_printf(l->bb, NULL, NULL, "</th><th%s>%s",
                               cell(l, optional_columns[i].cls, ""),
                               heading(l, optional_columns[i].key, optional_columns[i].label));
            cols++;
        }
    }
    breakrow = has(l, AI_OPT_SUPPRESS_RULES)
                   ? ""
                   : apr_psprintf(l->r->pool, "   <tr%s><th colspan=\"%d\"><hr></th></tr>\n",
                                  l->conf->style_sheet ? " class=\"indexbreakrow\"" : "", cols);
    apr_brigade_printf(l->bb, NULL, NULL, "</th></tr>\n%s", breakrow);
    emit_rows(l, table_row);
    apr_brigade_printf(l->bb, NULL, NULL, "%s</table>\n", breakrow);
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

/* The page's title: the URI without its trailing slashes, as httpd ("Index of /dir"). */
static const char *page_title(listing_t *l)
{
    const char *uri = l->r->uri;
    size_t len = strlen(uri);

    while (len > 1 && uri[len - 1] == '/') {
        len--;
    }
    return html(l, apr_pstrndup(l->r->pool, uri, len));
}

static void emit_page(listing_t *l)
{
    const char *title = page_title(l);

    apr_brigade_printf(l->bb, NULL, NULL,
                       "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" "
                       "\"http://www.w3.org/TR/html4/strict.dtd\">\n"
                       "<html>\n <head>\n  <title>Index of %s</title>\n",
                       title);
    /* Both come from the configuration and go in as written, as in httpd. */
    if (l->conf->style_sheet) {
        apr_brigade_printf(l->bb, NULL, NULL,
                           "  <link rel=\"stylesheet\" href=\"%s\" type=\"text/css\">\n",
                           l->conf->style_sheet);
    }
    if (l->conf->head_insert) {
        emit(l, l->conf->head_insert);
    }
    emit(l, " </head>\n <body>\n");
    if (!l->conf->header || !emit_insert_file(l, l->conf->header)) {
        apr_brigade_printf(l->bb, NULL, NULL, "%s>Index of %s</h1>\n",
                           l->conf->style_sheet ? "  <h1 id=\"indextitle\"" : "<h1", title);
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
    listing_t l = {.r = r};
    int status;

    if (!is_listable_request(r)) {
        return KV_DECLINED;
    }
    if (!(kv_allow_options(r) & KV_OPT_INDEXES)) {
        /* As httpd: refused here, not left to the default handler's 404. */
        kv_log_rerror(KV_LOG_MARK, KV_LOG_ERR, 0, r,
                      "KV01093: Cannot serve directory %s: No matching DirectoryIndex found, "
                      "and server-generated directory index forbidden by Options directive",
                      r->filename);
        return KV_HTTP_FORBIDDEN;
    }
    if ((status = kv_discard_body(r)) != KV_OK) {
        return status;
    }
    l.conf = kv_get_module_config(r->per_dir_config, &autoindex_module);
    if ((status = read_entries(r, l.conf, &l.entries)) != KV_OK) {
        return status;
    }
    l.sort = l.conf->order.key ? l.conf->order : (ai_sort_t){.key = 'N', .descending = 0};
    make_parent(&l);
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
    {"IndexIgnoreReset", kv_set_flag_slot, KV_OFFSET(autoindex_conf_t, ignore_reset), 1, 1,
     KV_CTX_ALL, 0, "On|Off: On drops the inherited IndexIgnore patterns here"},
    {"HeaderName", set_insert_file, NULL, 1, 1, KV_CTX_ALL, 0,
     "file: file of the listed directory put above the listing"},
    {"ReadmeName", set_insert_file, NULL, 1, 1, KV_CTX_ALL, 0,
     "file: file of the listed directory put below the listing"},
    {"IndexOptions", set_options, NULL, 1, -1, KV_CTX_ALL, 0,
     "[+|-]option...: how listings look (FancyIndexing, HTMLTable, FoldersFirst, ...)"},
    {"AddIcon", add_icon, &by_path, 2, -1, KV_CTX_ALL, 0,
     "icon|(alt,icon) name...: icon for files whose path ends with name (or matches it)"},
    {"AddIconByType", add_icon, &by_type, 2, -1, KV_CTX_ALL, 0,
     "icon|(alt,icon) type...: icon for files of a media type (wildcards: text/*)"},
    {"AddIconByEncoding", add_icon, &by_encoding, 2, -1, KV_CTX_ALL, 0,
     "icon|(alt,icon) encoding...: icon for files of a content encoding"},
    {"AddAlt", add_alt, &by_path, 2, -1, KV_CTX_ALL, 0,
     "text name...: icon alt text for files whose path ends with name"},
    {"AddAltByType", add_alt, &by_type, 2, -1, KV_CTX_ALL, 0,
     "text type...: icon alt text for files of a media type"},
    {"AddAltByEncoding", add_alt, &by_encoding, 2, -1, KV_CTX_ALL, 0,
     "text encoding...: icon alt text for files of a content encoding"},
    {"DefaultIcon", kv_set_string_slot, KV_OFFSET(autoindex_conf_t, default_icon), 1, 1,
     KV_CTX_ALL, 0, "URL: icon of a file no other icon applies to"},
    {"AddDescription", add_desc, NULL, 2, -1, KV_CTX_ALL, 0,
     "text name...: description (HTML) of files whose name contains name or matches it"},
    {"IndexOrderDefault", set_order, NULL, 2, 2, KV_CTX_ALL, 0,
     "Ascending|Descending Name|Date|Size|Description: order of a listing without ?C="},
    {"IndexStyleSheet", kv_set_string_slot, KV_OFFSET(autoindex_conf_t, style_sheet), 1, 1,
     KV_CTX_ALL, 0, "URL: style sheet linked from listings (the table gets classes)"},
    {"IndexHeadInsert", kv_set_string_slot, KV_OFFSET(autoindex_conf_t, head_insert), 1, 1,
     KV_CTX_ALL, 0, "text: HTML put into the <head> of listings"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

kv_module_t autoindex_module = {
    KV_MODULE_HEADER("autoindex"),
    .create_dir_config = create_dir_conf,
    .merge_dir_config = merge_dir_conf,
    .commands = autoindex_commands,
    .register_hooks = register_hooks,
};
