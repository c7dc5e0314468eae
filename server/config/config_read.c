/* The configuration reader: splits files into logical lines, expands ${VAR}, nests sections
 * and performs the read-time directives (Define, UnDefine, <IfDefine>, Include,
 * IncludeOptional, ServerRoot). It never logs: problems come back as strings. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_env.h>
#include <apr_file_info.h>
#include <apr_file_io.h>
#include <apr_fnmatch.h>
#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "config_read.h"

/* ---- Errors --------------------------------------------------------------------------- */

static const char more_errors[] = "... and more errors (only the first %d are shown)";

static int count_lines(const char *s)
{
    int n = 1;

    for (; *s; s++) {
        n += *s == '\n';
    }
    return n;
}

/* Is @a line (of length n) one of the lines of @a all? */
static int has_line(const char *all, const char *line, size_t n)
{
    for (const char *s = all; s; s = strchr(s, '\n'), s = s ? s + 1 : NULL) {
        if (strncmp(s, line, n) == 0 && (s[n] == '\n' || s[n] == '\0')) {
            return 1;
        }
    }
    return 0;
}

void kv_config_add_errors(apr_pool_t *p, const char **all, const char *err)
{
    const char *marker = apr_psprintf(p, more_errors, KV_CONFIG_MAX_ERRORS);
    int lines = *all ? count_lines(*all) : 0;

    if (*all && strstr(*all, marker)) {
        return;
    }
    while (err && *err) {
        const char *nl = strchr(err, '\n');
        size_t n = nl ? (size_t)(nl - err) : strlen(err);
        const char *line = lines < KV_CONFIG_MAX_ERRORS ? apr_pstrndup(p, err, n) : marker;

        err = nl ? nl + 1 : NULL;
        if (*all && has_line(*all, line, strlen(line))) {
            continue; /* e.g. each file of a directory that an Include loop reaches */
        }
        *all = *all ? apr_pstrcat(p, *all, "\n", line, NULL) : line;
        if (line == marker) {
            return;
        }
        lines++;
    }
}

/* ---- Defines -------------------------------------------------------------------------- */

/* Name -> value. A Define without a value (or -D) maps to no_value, which ${} skips. */
static apr_hash_t *defines;
static const char no_value[] = "";
/* The names in defines, in the order they were defined (for kiva -S). */
static apr_array_header_t *define_order;

static apr_status_t forget_defines(void *table)
{
    if (defines == table) {
        defines = NULL;
        define_order = NULL;
    }
    return APR_SUCCESS;
}

/* The defines table, made in p if there is none yet. */
static apr_hash_t *defines_table(apr_pool_t *p)
{
    if (!defines) {
        defines = apr_hash_make(p);
        define_order = apr_array_make(p, 4, sizeof(const char *));
        apr_pool_cleanup_register(p, defines, forget_defines, apr_pool_cleanup_null);
    }
    return defines;
}

/* Forget @a name in define_order. */
static void unorder(const char *name)
{
    const char **names = (const char **)define_order->elts;
    int kept = 0;

    for (int i = 0; i < define_order->nelts; i++) {
        if (strcmp(names[i], name) != 0) {
            names[kept++] = names[i];
        }
    }
    define_order->nelts = kept;
}

const apr_array_header_t *kv_config_define_names(void)
{
    return define_order;
}

void kv_config_defines_reset(apr_pool_t *p, const apr_array_header_t *cmdline_defines)
{
    defines = NULL;
    defines_table(p);
    for (int i = 0; cmdline_defines && i < cmdline_defines->nelts; i++) {
        const char *name = apr_pstrdup(p, APR_ARRAY_IDX(cmdline_defines, i, const char *));
        if (!apr_hash_get(defines, name, APR_HASH_KEY_STRING)) {
            APR_ARRAY_PUSH(define_order, const char *) = name;
        }
        apr_hash_set(defines, name, APR_HASH_KEY_STRING, no_value);
    }
}

KV_DECLARE(int) kv_exists_define(const char *name)
{
    return kv_config_define_value(name) != NULL;
}

const char *kv_config_define_value(const char *name)
{
    return defines ? apr_hash_get(defines, name, APR_HASH_KEY_STRING) : NULL;
}

static void define(apr_pool_t *p, const char *name, const char *value)
{
    apr_hash_t *t = defines_table(p);
    apr_pool_t *tp = apr_hash_pool_get(t);
    const char *key = apr_pstrdup(tp, name);

    if (!apr_hash_get(t, name, APR_HASH_KEY_STRING)) {
        APR_ARRAY_PUSH(define_order, const char *) = key;
    }
    apr_hash_set(t, key, APR_HASH_KEY_STRING, value ? apr_pstrdup(tp, value) : no_value);
}

static void undefine(const char *name)
{
    if (defines && apr_hash_get(defines, name, APR_HASH_KEY_STRING)) {
        apr_hash_set(defines, name, APR_HASH_KEY_STRING, NULL);
        unorder(name);
    }
}

/* ---- ServerRoot ----------------------------------------------------------------------- */

static apr_status_t restore_server_root(void *previous)
{
    kv_server_root = previous;
    return APR_SUCCESS;
}

/* Make @a root (absolute, in p) the ServerRoot until p is destroyed, which puts back the
 * previous one, so the global never points into a destroyed pool. */
static void set_server_root(apr_pool_t *p, const char *root)
{
    apr_pool_cleanup_register(p, kv_server_root, restore_server_root, apr_pool_cleanup_null);
    kv_server_root = root;
}

static int is_directory(apr_pool_t *p, const char *path)
{
    apr_finfo_t fi;

    return apr_stat(&fi, path, APR_FINFO_TYPE, p) == APR_SUCCESS && fi.filetype == APR_DIR;
}

static const char *server_root_directive(apr_pool_t *p, const char *arg)
{
    char *root;
    size_t len;

    if (apr_filepath_merge(&root, kv_server_root, arg, APR_FILEPATH_TRUENAME, p) != APR_SUCCESS ||
        !is_directory(p, root)) {
        return "ServerRoot must be a valid directory";
    }
    len = strlen(root);
    while (len > 1 && root[len - 1] == '/') {
        root[--len] = '\0';
    }
    set_server_root(p, root);
    return NULL;
}

/* ---- Sources and lines ---------------------------------------------------------------- */

typedef struct source source_t;
struct source {
    kv_config_reader_t *rd;
    apr_pool_t *pool;         /* the text and per-line scratch; destroyed when done */
    const char *name;         /* absolute path or "-c"; in rd->pool, shared by the nodes */
    char *pos;                /* unread text */
    char *end;                /* end of the text; *end is a spare byte */
    unsigned line;            /* physical lines consumed */
    unsigned depth;           /* Include nesting: 0 for the top file */
    const source_t *includer; /* the source whose Include led here */
};

/* Where new nodes go: the children of parent (NULL at top level), appended at tail. */
typedef struct {
    kv_directive_t *parent;
    kv_directive_t **tail;
} node_list_t;

/* An open section (or <IfDefine>) waiting for its closing line. */
typedef struct opener opener_t;
struct opener {
    const char *name; /* "<Directory" as written */
    unsigned line;
    unsigned depth; /* sections open in this source, this one included */
};

static const char *syntax_error(const source_t *src, unsigned line, const char *reason)
{
    return apr_psprintf(src->rd->pool, "Syntax error on line %u of %s: %s", line, src->name,
                        reason);
}

/* Note an error after which reading goes on. */
static void report(kv_config_reader_t *rd, const char *err)
{
    kv_config_add_errors(rd->pool, &rd->errors, err);
}

/* Note an error that left (part of) the configuration unread. */
static void report_unread(kv_config_reader_t *rd, const char *err)
{
    report(rd, err);
    rd->incomplete = 1;
}

/* A new source over the @a len bytes of @a text, which it edits in place; text[len] must be
 * writable. */
static source_t *source_make(kv_config_reader_t *rd, apr_pool_t *pool, const char *name, char *text,
                             apr_size_t len)
{
    source_t *src = apr_pcalloc(pool, sizeof(*src));

    src->rd = rd;
    src->pool = pool;
    src->name = apr_pstrdup(rd->pool, name);
    src->pos = text;
    src->end = text + len;
    *src->end = '\0';
    return src;
}

/* The next logical line in *out (continuations joined, line end removed, not trimmed) and
 * the number of its first physical line; *out is NULL at the end. The line is built in place:
 * joining only ever removes bytes, so the write position never passes the read position. */
static const char *next_line(source_t *src, char **out, unsigned *first_line)
{
    char *start = src->pos;
    char *w = start;
    char *r = start;
    int more = 1;

    *out = NULL;
    if (r >= src->end) {
        return NULL;
    }
    *first_line = src->line + 1;
    while (more) {
        char *nl = memchr(r, '\n', (size_t)(src->end - r));
        char *stop = nl ? nl : src->end;
        size_t n;

        src->line++;
        if (stop > r && stop[-1] == '\r') {
            stop--;
        }
        more = nl && stop > r && stop[-1] == '\\';
        stop -= more;
        n = (size_t)(stop - r);
        if ((size_t)(w - start) + n > KV_CONFIG_MAX_LINE) {
            return syntax_error(
                src, *first_line,
                apr_psprintf(src->pool, "line is longer than %d characters", KV_CONFIG_MAX_LINE));
        }
        if (memchr(r, '\0', n)) {
            return syntax_error(src, src->line, "line contains a NUL character");
        }
        memmove(w, r, n);
        w += n;
        r = nl ? nl + 1 : src->end;
        more = more && r < src->end;
    }
    *w = '\0';
    src->pos = r;
    *out = start;
    return NULL;
}

static char *skip_space(char *s)
{
    while (apr_isspace(*s)) {
        s++;
    }
    return s;
}

static void trim_end(char *s)
{
    size_t len = strlen(s);

    while (len > 0 && apr_isspace(s[len - 1])) {
        s[--len] = '\0';
    }
}

static int is_comment_or_blank(const char *s)
{
    return *s == '\0' || *s == '#';
}

/* ---- ${VAR} --------------------------------------------------------------------------- */

/* The value of ${name}: a Define with a value, else the environment; NULL if neither. */
static const char *variable_value(apr_pool_t *p, const char *name)
{
    const char *v = kv_config_define_value(name);
    char *env;

    if (v && v != no_value) {
        return v;
    }
    return apr_env_get(&env, name, p) == APR_SUCCESS ? env : NULL;
}

static void warn(const source_t *src, unsigned line, const char *reason)
{
    kv_config_reader_t *rd = src->rd;

    if (!rd->warnings) {
        rd->warnings = apr_array_make(rd->pool, 4, sizeof(const char *));
    }
    APR_ARRAY_PUSH(rd->warnings, const char *) =
        apr_psprintf(rd->pool, "Warning on line %u of %s: %s", line, src->name, reason);
}

/* *text with every ${NAME} replaced; an unknown one stays as written, with a warning. The
 * result is bounded as a line is, so that values defined from values cannot grow without end.
 * Returns NULL, or the syntax error. */
static const char *expand_variables(const source_t *src, unsigned line, char **text)
{
    apr_array_header_t *parts;
    apr_size_t total = 0;
    char *s = *text;
    char *ref;

    if (!strstr(s, "${")) {
        return NULL;
    }
    parts = apr_array_make(src->pool, 8, sizeof(const char *));
    while ((ref = strstr(s, "${")) != NULL) {
        char *close = strchr(ref + 2, '}');
        const char *name;
        const char *value;

        if (!close) {
            break;
        }
        name = apr_pstrmemdup(src->pool, ref + 2, (apr_size_t)(close - ref - 2));
        value = variable_value(src->pool, name);
        if (!value) {
            warn(src, line, apr_psprintf(src->pool, "config variable ${%s} is not defined", name));
            value = apr_pstrmemdup(src->pool, ref, (apr_size_t)(close + 1 - ref));
        }
        total += (apr_size_t)(ref - s) + strlen(value);
        if (total > KV_CONFIG_MAX_LINE) {
            break;
        }
        APR_ARRAY_PUSH(parts, const char *) = apr_pstrmemdup(src->pool, s, (apr_size_t)(ref - s));
        APR_ARRAY_PUSH(parts, const char *) = value;
        s = close + 1;
    }
    if (total + strlen(s) > KV_CONFIG_MAX_LINE) {
        return syntax_error(src, line,
                            apr_psprintf(src->pool,
                                         "line is longer than %d characters after ${} expansion",
                                         KV_CONFIG_MAX_LINE));
    }
    APR_ARRAY_PUSH(parts, const char *) = s;
    *text = apr_array_pstrcat(src->pool, parts, '\0');
    return NULL;
}

/* ---- Arguments ------------------------------------------------------------------------ */

/* Copies the next argument of *args into buf, unquoted: "..." and '...' group words, and a
 * backslash escapes a backslash (anywhere) or the quote character (inside quotes).
 * Returns 1, 0 at the end, or -1 for an unterminated quote. */
static int next_word(const char **args, char *buf)
{
    const char *s = *args;
    char quote = 0;

    while (apr_isspace(*s)) {
        s++;
    }
    if (*s == '\0') {
        return 0;
    }
    if (*s == '"' || *s == '\'') {
        quote = *s++;
    }
    while (quote ? *s != quote : *s != '\0' && !apr_isspace(*s)) {
        if (*s == '\0') {
            return -1;
        }
        if (*s == '\\' && (s[1] == '\\' || (quote && s[1] == quote))) {
            s++;
        }
        *buf++ = *s++;
    }
    *buf = '\0';
    *args = quote ? s + 1 : s;
    return 1;
}

/* Split @a args into node->argc and node->argv (in rd->pool). */
static const char *split_arguments(const source_t *src, unsigned line, const char *args,
                                   kv_directive_t *node)
{
    apr_array_header_t *words = apr_array_make(src->rd->pool, 4, sizeof(const char *));
    char *buf = apr_palloc(src->pool, strlen(args) + 1);
    int rc;

    while ((rc = next_word(&args, buf)) > 0) {
        APR_ARRAY_PUSH(words, const char *) = apr_pstrdup(src->rd->pool, buf);
    }
    if (rc < 0) {
        return syntax_error(src, line, "unterminated quote in the arguments");
    }
    node->argc = words->nelts;
    APR_ARRAY_PUSH(words, const char *) = NULL;
    node->argv = (const char **)words->elts;
    return NULL;
}

/* A node named @a name (its length @a name_len) with arguments @a args. */
static const char *make_node(const source_t *src, unsigned line, const char *name, size_t name_len,
                             const char *args, kv_directive_t **out)
{
    kv_directive_t *node = apr_pcalloc(src->rd->pool, sizeof(*node));

    node->name = apr_pstrmemdup(src->rd->pool, name, name_len);
    node->args = apr_pstrdup(src->rd->pool, args);
    node->file = src->name;
    node->line = line;
    *out = node;
    return split_arguments(src, line, node->args, node);
}

static void append(node_list_t *list, kv_directive_t *node)
{
    node->parent = list->parent;
    *list->tail = node;
    list->tail = &node->next;
}

/* ---- Include -------------------------------------------------------------------------- */

/* One Include (or the top file): where errors are reported and where nodes go. */
typedef struct {
    kv_config_reader_t *rd;
    apr_pool_t *pool;         /* scratch for this include */
    const source_t *includer; /* NULL for the top file */
    unsigned line;            /* the Include's line in includer */
    int optional;             /* IncludeOptional */
    node_list_t *list;
} include_t;

static const char *parse_block(source_t *src, int live, node_list_t *list, const opener_t *opener);
static const char *include_path(const include_t *inc, const char *path, unsigned depth);

static const char *include_error(const include_t *inc, const char *reason)
{
    return inc->includer ? syntax_error(inc->includer, inc->line, reason)
                         : apr_pstrdup(inc->rd->pool, reason);
}

static const char *open_error(const include_t *inc, const char *path, apr_status_t rv)
{
    char msg[256];

    return include_error(inc, apr_psprintf(inc->pool, "Could not open configuration file %s: %s",
                                           path, apr_strerror(rv, msg, sizeof(msg))));
}

/* NULL unless the file at @a path is already being read (it includes itself). */
static const char *check_recursion(const include_t *inc, const char *path)
{
    for (const source_t *s = inc->includer; s; s = s->includer) {
        if (strcmp(s->name, path) == 0) {
            return include_error(
                inc, apr_psprintf(inc->pool, "Include recursion: %s is already being read", path));
        }
    }
    return NULL;
}

/* The whole file at @a path in a new source in pool p. */
static const char *load_file(const include_t *inc, apr_pool_t *p, const char *path, apr_off_t size,
                             source_t **out)
{
    apr_size_t cap = (apr_size_t)size + 1;
    apr_size_t len = 0;
    char *text = apr_palloc(p, cap);
    apr_file_t *f;
    apr_status_t rv = apr_file_open(&f, path, APR_FOPEN_READ, APR_FPROT_OS_DEFAULT, p);

    while (rv == APR_SUCCESS) {
        apr_size_t n;

        if (len + 1 == cap) {
            char *bigger = apr_palloc(p, cap * 2);
            memcpy(bigger, text, len);
            text = bigger;
            cap *= 2;
        }
        n = cap - 1 - len;
        rv = apr_file_read(f, text + len, &n);
        len += n;
    }
    if (!APR_STATUS_IS_EOF(rv)) {
        return open_error(inc, path, rv);
    }
    apr_file_close(f);
    *out = source_make(inc->rd, p, path, text, len);
    return NULL;
}

/* Paths of the files the last reading (in its reader's pool) read, for kv_config_files_read. */
static apr_array_header_t *files_read;

static apr_status_t forget_files_read(void *unused)
{
    (void)unused;
    files_read = NULL;
    return APR_SUCCESS;
}

static void note_file_read(kv_config_reader_t *rd, const char *path)
{
    if (!files_read || files_read->pool != rd->pool) {
        files_read = apr_array_make(rd->pool, 4, sizeof(const char *));
        apr_pool_cleanup_register(rd->pool, NULL, forget_files_read, apr_pool_cleanup_null);
    }
    APR_ARRAY_PUSH(files_read, const char *) = apr_pstrdup(rd->pool, path);
}

KV_DECLARE(const apr_array_header_t *) kv_config_files_read(void)
{
    return files_read;
}

/* ---- Errors in the order of the configuration ------------------------------------------ */

typedef struct {
    const char *text;
    long file; /* where its file was read: -C lines first, -c lines and other checks last */
    unsigned line;
    int seq; /* its place in the report, to keep the order of equals */
} error_line_t;

static long file_rank(const char *file, size_t len)
{
    if (len == 2 && strncmp(file, "-C", 2) == 0) {
        return -1;
    }
    for (int i = 0; files_read && i < files_read->nelts; i++) {
        const char *f = APR_ARRAY_IDX(files_read, i, const char *);
        if (strlen(f) == len && strncmp(f, file, len) == 0) {
            return i;
        }
    }
    return len == 2 && strncmp(file, "-c", 2) == 0 ? LONG_MAX - 3 : LONG_MAX - 2;
}

static int by_position(const void *x, const void *y)
{
    const error_line_t *a = x, *b = y;

    if (a->file != b->file) {
        return a->file < b->file ? -1 : 1;
    }
    if (a->line != b->line) {
        return a->line < b->line ? -1 : 1;
    }
    return a->seq - b->seq;
}

const char *kv_config_errors_in_order(apr_pool_t *p, const char *errors)
{
    static const char prefix[] = "Syntax error on line ";
    apr_array_header_t *lines = apr_array_make(p, 16, sizeof(error_line_t));
    const char *marker = apr_psprintf(p, more_errors, KV_CONFIG_MAX_ERRORS);
    apr_array_header_t *out;

    for (const char *e = errors; e && *e;) {
        const char *nl = strchr(e, '\n');
        error_line_t *l = apr_array_push(lines);
        const char *file, *colon;
        int used = 0;

        l->text = nl ? apr_pstrndup(p, e, (apr_size_t)(nl - e)) : e;
        l->seq = lines->nelts;
        l->file = strcmp(l->text, marker) == 0 ? LONG_MAX : LONG_MAX - 1; /* the marker last */
        l->line = 0;
        if (strncmp(l->text, prefix, sizeof(prefix) - 1) == 0 &&
            sscanf(l->text + sizeof(prefix) - 1, "%u of %n", &l->line, &used) == 1 && used > 0 &&
            (colon = strstr(file = l->text + sizeof(prefix) - 1 + used, ": ")) != NULL) {
            l->file = file_rank(file, (size_t)(colon - file));
        }
        e = nl ? nl + 1 : NULL;
    }
    qsort(lines->elts, (size_t)lines->nelts, sizeof(error_line_t), by_position);
    out = apr_array_make(p, lines->nelts, sizeof(const char *));
    for (int i = 0; i < lines->nelts; i++) {
        APR_ARRAY_PUSH(out, const char *) = APR_ARRAY_IDX(lines, i, error_line_t).text;
    }
    return out->nelts ? apr_array_pstrcat(p, out, '\n') : errors;
}

/* Read the regular file at @a path into inc->list. */
static const char *include_file(const include_t *inc, const char *path, apr_off_t size,
                                unsigned depth)
{
    const char *err = check_recursion(inc, path);
    apr_pool_t *p;
    source_t *src = NULL;

    if (err) {
        return err;
    }
    apr_pool_create(&p, inc->rd->temp_pool);
    err = load_file(inc, p, path, size, &src);
    if (!err) {
        note_file_read(inc->rd, path);
        src->depth = depth;
        src->includer = inc->includer;
        err = parse_block(src, 1, inc->list, NULL);
    }
    apr_pool_destroy(p);
    return err;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names in directory @a dir that match @a pattern (all if NULL), sorted; "." and ".."
 * never. */
static apr_status_t directory_names(apr_pool_t *p, const char *dir, const char *pattern,
                                    apr_array_header_t **out)
{
    apr_array_header_t *names = apr_array_make(p, 16, sizeof(const char *));
    apr_dir_t *d;
    apr_finfo_t fi;
    apr_status_t rv = apr_dir_open(&d, dir, p);

    if (rv != APR_SUCCESS) {
        return rv;
    }
    while ((rv = apr_dir_read(&fi, APR_FINFO_NAME, d)) == APR_SUCCESS ||
           APR_STATUS_IS_INCOMPLETE(rv)) {
        if (strcmp(fi.name, ".") == 0 || strcmp(fi.name, "..") == 0) {
            continue;
        }
        if (pattern && apr_fnmatch(pattern, fi.name, APR_FNM_PERIOD) != APR_SUCCESS) {
            continue;
        }
        APR_ARRAY_PUSH(names, const char *) = apr_pstrdup(p, fi.name);
    }
    apr_dir_close(d);
    qsort(names->elts, (size_t)names->nelts, sizeof(const char *), compare_names);
    *out = names;
    return APR_SUCCESS;
}

static const char *join_path(apr_pool_t *p, const char *dir, const char *name)
{
    return apr_pstrcat(p, dir, strcmp(dir, "/") == 0 ? "" : "/", name, NULL);
}

/* Read every file under directory @a dir, sorted, subdirectories included. */
static const char *include_directory(const include_t *inc, const char *dir, unsigned depth)
{
    apr_array_header_t *names;
    apr_status_t rv = directory_names(inc->pool, dir, NULL, &names);

    if (rv != APR_SUCCESS) {
        return open_error(inc, dir, rv);
    }
    for (int i = 0; i < names->nelts; i++) {
        const char *name = APR_ARRAY_IDX(names, i, const char *);
        const char *err = include_path(inc, join_path(inc->pool, dir, name), depth + 1);
        if (err) {
            report_unread(inc->rd, err);
        }
    }
    return NULL;
}

/* Read the file or directory at @a path (no wildcards) into inc->list. */
static const char *include_path(const include_t *inc, const char *path, unsigned depth)
{
    apr_finfo_t fi;
    apr_status_t rv;

    if (depth > KV_CONFIG_MAX_INCLUDE_DEPTH) {
        return include_error(inc, apr_psprintf(inc->pool,
                                               "Include nesting is deeper than %d levels "
                                               "(is there an Include loop?)",
                                               KV_CONFIG_MAX_INCLUDE_DEPTH));
    }
    rv = apr_stat(&fi, path, APR_FINFO_TYPE | APR_FINFO_SIZE, inc->pool);
    if (rv != APR_SUCCESS) {
        int missing = APR_STATUS_IS_ENOENT(rv) || APR_STATUS_IS_ENOTDIR(rv);
        return inc->optional && missing ? NULL : open_error(inc, path, rv);
    }
    if (fi.filetype == APR_DIR) {
        return include_directory(inc, path, depth);
    }
    if (fi.filetype == APR_REG) {
        return include_file(inc, path, fi.size, depth);
    }
    if (strcmp(path, "/dev/null") == 0) {
        return NULL;
    }
    return include_error(inc, apr_psprintf(inc->pool,
                                           "Could not open configuration file %s: "
                                           "not a regular file or directory",
                                           path));
}

/* Append to @a found the existing paths below @a dir that match the path components
 * @a comps[i..n-1], each of which may hold wildcards; sorted per directory, as httpd. */
static void glob_components(apr_pool_t *p, const char *dir, char **comps, int i, int n,
                            apr_array_header_t *found)
{
    int last = i == n - 1;
    apr_array_header_t *names;

    if (apr_fnmatch_test(comps[i])) {
        if (directory_names(p, dir, comps[i], &names) != APR_SUCCESS) {
            return;
        }
    } else {
        names = apr_array_make(p, 1, sizeof(const char *));
        APR_ARRAY_PUSH(names, const char *) = comps[i];
    }
    for (int k = 0; k < names->nelts; k++) {
        const char *path = join_path(p, dir, APR_ARRAY_IDX(names, k, const char *));
        apr_finfo_t fi;

        if (apr_stat(&fi, path, APR_FINFO_TYPE, p) != APR_SUCCESS) {
            continue;
        }
        if (last) {
            APR_ARRAY_PUSH(found, const char *) = path;
        } else if (fi.filetype == APR_DIR) {
            glob_components(p, path, comps, i + 1, n, found);
        }
    }
}

/* Read everything matching the absolute wildcard @a pattern. */
static const char *include_wildcard(const include_t *inc, const char *pattern, unsigned depth)
{
    apr_array_header_t *comps = apr_array_make(inc->pool, 8, sizeof(char *));
    apr_array_header_t *found = apr_array_make(inc->pool, 16, sizeof(const char *));
    char *state;

    for (char *c = apr_strtok(apr_pstrdup(inc->pool, pattern), "/", &state); c;
         c = apr_strtok(NULL, "/", &state)) {
        APR_ARRAY_PUSH(comps, char *) = c;
    }
    if (comps->nelts > 0) {
        glob_components(inc->pool, "/", (char **)comps->elts, 0, comps->nelts, found);
    }
    if (found->nelts == 0 && !inc->optional) {
        return include_error(inc, apr_psprintf(inc->pool,
                                               "No files match the wildcard %s "
                                               "(use IncludeOptional to allow none)",
                                               pattern));
    }
    for (int i = 0; i < found->nelts; i++) {
        const char *err = include_path(inc, APR_ARRAY_IDX(found, i, const char *), depth);
        if (err) {
            report_unread(inc->rd, err);
        }
    }
    return NULL;
}

/* Include or IncludeOptional: its files' directives go where the directive stands. */
static const char *include_directive(source_t *src, const kv_directive_t *node, node_list_t *list,
                                     int optional)
{
    include_t inc = {src->rd, NULL, src, node->line, optional, list};
    const char *path;
    const char *err;

    if (node->argc != 1) {
        return syntax_error(src, node->line,
                            apr_psprintf(src->pool, "%s takes one argument", node->name));
    }
    apr_pool_create(&inc.pool, src->pool);
    path = kv_server_root_relative(inc.pool, node->argv[0]);
    err = apr_fnmatch_test(path) ? include_wildcard(&inc, path, src->depth + 1)
                                 : include_path(&inc, path, src->depth + 1);
    apr_pool_destroy(inc.pool);
    return err;
}

/* ---- Directives and sections ---------------------------------------------------------- */

/* Run a read-time directive (the node is kept either way); NULL if it is not one. */
static const char *read_time_directive(apr_pool_t *p, const kv_directive_t *node)
{
    if (strcasecmp(node->name, "Define") == 0) {
        if (node->argc < 1 || node->argc > 2) {
            return "Define takes one or two arguments";
        }
        if (strchr(node->argv[0], ':')) {
            return "Variable name must not contain ':'";
        }
        define(p, node->argv[0], node->argc == 2 ? node->argv[1] : NULL);
    } else if (strcasecmp(node->name, "UnDefine") == 0) {
        if (node->argc != 1) {
            return "UnDefine takes one argument";
        }
        undefine(node->argv[0]);
    } else if (strcasecmp(node->name, "ServerRoot") == 0) {
        if (node->argc != 1) {
            return "ServerRoot takes one argument";
        }
        return server_root_directive(p, node->argv[0]);
    }
    return NULL;
}

static size_t name_length(const char *s)
{
    size_t n = 0;

    while (s[n] != '\0' && !apr_isspace(s[n])) {
        n++;
    }
    return n;
}

/* A line that is neither a comment nor a section line. */
static const char *directive_line(source_t *src, unsigned line, char *text, node_list_t *list)
{
    size_t n = name_length(text);
    kv_directive_t *node;
    const char *err = make_node(src, line, text, n, skip_space(text + n), &node);

    if (err) {
        return err;
    }
    if (strcasecmp(node->name, "Include") == 0 || strcasecmp(node->name, "IncludeOptional") == 0) {
        err = include_directive(src, node, list, strcasecmp(node->name, "Include") != 0);
        if (err) {
            report_unread(src->rd, err);
        }
        return NULL;
    }
    if ((err = read_time_directive(src->rd->pool, node)) != NULL) {
        return syntax_error(src, line, err); /* left out, so the walker does not refuse it again */
    }
    append(list, node);
    return NULL;
}

/* <IfDefine [!]NAME>: the block's lines are read in place if the test holds, else skipped. */
static const char *if_define(source_t *src, const char *args, node_list_t *list,
                             const opener_t *opener)
{
    kv_directive_t test;
    const char *err = split_arguments(src, opener->line, args, &test);
    const char *name;
    int negate;

    name = !err && test.argc == 1 ? test.argv[0] : "";
    negate = *name == '!';
    name += negate;
    if (!err && test.argc > 1) {
        err = syntax_error(src, opener->line,
                           apr_psprintf(src->pool, "%s> takes one argument", opener->name));
    } else if (!err && *name == '\0') {
        err = syntax_error(
            src, opener->line,
            apr_psprintf(src->pool, "%s> directive requires additional arguments", opener->name));
    }
    if (err) {
        /* The block's contents are skipped, as a false test's are. */
        report(src->rd, err);
        return parse_block(src, 0, list, opener);
    }
    return parse_block(src, kv_exists_define(name) != negate, list, opener);
}

/* A line "<Name args>": a section whose contents are read up to its closing line. */
static const char *open_section(source_t *src, unsigned line, char *text, int live,
                                node_list_t *list, const opener_t *outer)
{
    size_t n = 1;
    size_t len = strlen(text);
    opener_t opener;
    kv_directive_t *node;
    node_list_t children;
    const char *err;

    while (text[n] != '\0' && text[n] != '>' && !apr_isspace(text[n])) {
        n++;
    }
    opener.name = apr_pstrmemdup(src->pool, text, n);
    opener.line = line;
    opener.depth = outer ? outer->depth + 1 : 1;
    if (opener.depth > KV_CONFIG_MAX_SECTION_DEPTH) {
        return syntax_error(src, line,
                            apr_psprintf(src->pool, "sections are nested more than %d deep",
                                         KV_CONFIG_MAX_SECTION_DEPTH));
    }
    if (text[len - 1] != '>') {
        return syntax_error(
            src, line, apr_psprintf(src->pool, "%s> directive missing closing '>'", opener.name));
    }
    if (n == 1) {
        return syntax_error(src, line, "section name missing after '<'");
    }
    text[len - 1] = '\0';
    text = skip_space(text + n);
    trim_end(text);
    if (!live) {
        return parse_block(src, 0, list, &opener);
    }
    if (strcasecmp(opener.name, "<IfDefine") == 0) {
        return if_define(src, text, list, &opener);
    }
    if ((err = make_node(src, line, opener.name, n, text, &node))) {
        return err;
    }
    append(list, node);
    children.parent = node;
    children.tail = &node->first_child;
    return parse_block(src, 1, &children, &opener);
}

/* A line "</Name>": it must close the innermost open section. */
static const char *close_section(const source_t *src, unsigned line, char *text,
                                 const opener_t *opener)
{
    size_t n = 2;
    const char *name;
    const char *rest;

    while (text[n] != '\0' && text[n] != '>' && !apr_isspace(text[n])) {
        n++;
    }
    name = apr_pstrmemdup(src->pool, text + 2, n - 2);
    rest = skip_space(text + n);
    if (!strchr(rest, '>')) {
        return syntax_error(src, line,
                            apr_psprintf(src->pool, "</%s> directive missing closing '>'", name));
    }
    if (strcmp(rest, ">") != 0) {
        return syntax_error(src, line, apr_psprintf(src->pool, "</%s> takes no arguments", name));
    }
    if (!opener) {
        return syntax_error(
            src, line, apr_psprintf(src->pool, "</%s> without matching <%s> section", name, name));
    }
    if (strcasecmp(name, opener->name + 1) != 0) {
        return syntax_error(
            src, line,
            apr_psprintf(src->pool, "Expected </%s> but saw </%s>", opener->name + 1, name));
    }
    return NULL;
}

/* Read lines into @a list until the end of the source or, inside a section, its closing
 * line. A block that is not @a live (a false <IfDefine>) is only checked for nesting. */
static const char *parse_block(source_t *src, int live, node_list_t *list, const opener_t *opener)
{
    for (;;) {
        char *text;
        unsigned line;
        const char *err = next_line(src, &text, &line);

        if (err) {
            return err;
        }
        if (!text) {
            return opener
                       ? syntax_error(src, opener->line,
                                      apr_psprintf(src->pool, "%s> was not closed", opener->name))
                       : NULL;
        }
        text = skip_space(text);
        if (is_comment_or_blank(text)) {
            continue;
        }
        if (live) {
            if ((err = expand_variables(src, line, &text)) != NULL) {
                if (text[0] == '<') {
                    return err; /* the nesting of what follows is unknown */
                }
                report(src->rd, err);
                continue;
            }
            text = skip_space(text);
        }
        trim_end(text);
        if (*text == '\0') {
            continue;
        }
        if (text[0] == '<' && text[1] == '/') {
            return close_section(src, line, text, opener);
        }
        if (text[0] == '<') {
            if ((err = open_section(src, line, text, live, list, opener)) != NULL) {
                return err;
            }
        } else if (live && (err = directive_line(src, line, text, list)) != NULL) {
            report(src->rd, err); /* the line is left out; the next one is read */
        }
    }
}

/* ---- Entry points --------------------------------------------------------------------- */

/* The errors reported since rd->errors was @a before. */
static const char *errors_since(const kv_config_reader_t *rd, const char *before)
{
    if (rd->errors == before) {
        return NULL;
    }
    return before ? rd->errors + strlen(before) + 1 : rd->errors;
}

static node_list_t top_level(kv_directive_t **tree)
{
    node_list_t list = {NULL, tree};

    while (*list.tail) {
        list.tail = &(*list.tail)->next;
    }
    return list;
}

const char *kv_config_read_file(kv_config_reader_t *rd, const char *path, kv_directive_t **tree)
{
    node_list_t list = top_level(tree);
    include_t inc = {rd, NULL, NULL, 0, 0, &list};
    const char *before = rd->errors;
    const char *err;

    apr_pool_create(&inc.pool, rd->temp_pool);
    err = include_path(&inc, kv_server_root_relative(inc.pool, path), 0);
    apr_pool_destroy(inc.pool);
    if (err) {
        report_unread(rd, err);
    }
    return errors_since(rd, before);
}

const char *kv_config_read_line(kv_config_reader_t *rd, const char *text, const char *name,
                                kv_directive_t **tree)
{
    node_list_t list = top_level(tree);
    apr_size_t len = strlen(text);
    apr_pool_t *p;
    char *copy;
    const char *before = rd->errors;
    const char *err;

    apr_pool_create(&p, rd->temp_pool);
    copy = apr_palloc(p, len + 1);
    memcpy(copy, text, len);
    err = parse_block(source_make(rd, p, name, copy, len), 1, &list, NULL);
    apr_pool_destroy(p);
    if (err) {
        report_unread(rd, err);
    }
    return errors_since(rd, before);
}
