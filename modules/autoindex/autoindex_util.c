/* mod_autoindex's pure helpers: IndexOptions keywords, the sort query, sorting entries,
 * IndexIgnore matching. */
#include <string.h>
#include <strings.h>

#include <apr_fnmatch.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "autoindex_util.h"

/* Every keyword of httpd 2.4's IndexOptions; those with bit 0 are accepted and ignored. */
static const ai_option_t options[] = {
    {"FancyIndexing", AI_OPT_FANCY, AI_VALUE_NONE},
    {"HTMLTable", AI_OPT_HTML_TABLE, AI_VALUE_NONE},
    {"FoldersFirst", AI_OPT_FOLDERS_FIRST, AI_VALUE_NONE},
    {"IgnoreCase", AI_OPT_IGNORE_CASE, AI_VALUE_NONE},
    {"SuppressColumnSorting", AI_OPT_SUPPRESS_SORTING, AI_VALUE_NONE},
    {"IgnoreClient", AI_OPT_IGNORE_CLIENT, AI_VALUE_NONE},
    {"SuppressLastModified", AI_OPT_SUPPRESS_MTIME, AI_VALUE_NONE},
    {"SuppressSize", AI_OPT_SUPPRESS_SIZE, AI_VALUE_NONE},
    {"SuppressDescription", AI_OPT_SUPPRESS_DESC, AI_VALUE_NONE},
    {"Charset", 0, AI_VALUE_REQUIRED},
    {"Type", 0, AI_VALUE_REQUIRED},
    {"NameWidth", 0, AI_VALUE_REQUIRED},
    {"DescriptionWidth", 0, AI_VALUE_REQUIRED},
    {"IconHeight", 0, AI_VALUE_OPTIONAL},
    {"IconWidth", 0, AI_VALUE_OPTIONAL},
    {"AddAltClass", AI_OPT_ADD_ALT_CLASS, AI_VALUE_NONE},
    {"IconsAreLinks", AI_OPT_ICONS_ARE_LINKS, AI_VALUE_NONE},
    {"ScanHTMLTitles", 0, AI_VALUE_NONE},
    {"ShowForbidden", 0, AI_VALUE_NONE},
    {"SuppressHTMLPreamble", 0, AI_VALUE_NONE},
    {"SuppressIcon", AI_OPT_SUPPRESS_ICON, AI_VALUE_NONE},
    {"SuppressRules", AI_OPT_SUPPRESS_RULES, AI_VALUE_NONE},
    {"TrackModified", 0, AI_VALUE_NONE},
    {"UseOldDateFormat", 0, AI_VALUE_NONE},
    {"VersionSort", AI_OPT_VERSION_SORT, AI_VALUE_NONE},
    {"XHTML", 0, AI_VALUE_NONE},
};

static int value_fits(const ai_option_t *o, const char *value)
{
    switch (o->takes_value) {
    case AI_VALUE_REQUIRED:
        return value && *value;
    case AI_VALUE_OPTIONAL:
        return !value || *value;
    default:
        return !value;
    }
}

const ai_option_t *ai_find_option(const char *word, const char **value)
{
    const char *eq = strchr(word, '=');
    size_t len = eq ? (size_t)(eq - word) : strlen(word);

    *value = eq ? eq + 1 : NULL;
    for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
        const ai_option_t *o = &options[i];
        if (strlen(o->name) == len && strncasecmp(o->name, word, len) == 0) {
            return value_fits(o, *value) ? o : NULL;
        }
    }
    return NULL;
}

static int ends_item(char c)
{
    return c == '\0' || c == ';' || c == '&';
}

/* Length of a "X=v" item whose value is one of @a allowed, 0 if @a q is not one. */
static size_t one_char_item(const char *q, char name, const char *allowed)
{
    if (q[0] == name && q[1] == '=' && q[2] && strchr(allowed, q[2]) && ends_item(q[3])) {
        return 3;
    }
    return 0;
}

/* Length of a "P=pattern" item, 0 if @a q is not one. */
static size_t pattern_item(const char *q)
{
    return q[0] == 'P' && q[1] == '=' ? 2 + strcspn(q + 2, ";&") : 0;
}

void ai_parse_sort(const char *args, ai_sort_t *sort)
{
    const char *q = args;

    while (q && *q) {
        size_t n;
        if ((n = one_char_item(q, 'C', AI_KEYS))) {
            sort->key = q[2];
        } else if ((n = one_char_item(q, 'O', "AD"))) {
            sort->descending = q[2] == 'D';
        } else if (!(n = one_char_item(q, 'F', "012")) && !(n = one_char_item(q, 'V', "01")) &&
                   !(n = pattern_item(q))) {
            return;
        }
        q += q[n] ? n + 1 : n;
    }
}

const char *ai_sort_query(apr_pool_t *p, const ai_sort_t *current, char key)
{
    int descending = current->key == key && !current->descending;

    return apr_psprintf(p, "C=%c;O=%c", key, descending ? 'D' : 'A');
}

/* httpd's order of names: natural order first under VersionSort (without case first under
 * IgnoreCase too), then without case under IgnoreCase, then bytes. */
static int compare_names(const ai_entry_t *a, const ai_entry_t *b, unsigned opts)
{
    int ignore_case = (opts & AI_OPT_IGNORE_CASE) != 0, c = 0;

    if (opts & AI_OPT_VERSION_SORT) {
        c = ignore_case ? apr_strnatcasecmp(a->sort_name, b->sort_name) : 0;
        c = c ? c : apr_strnatcmp(a->sort_name, b->sort_name);
    }
    if (!c && ignore_case) {
        c = strcasecmp(a->sort_name, b->sort_name);
    }
    return c ? c : strcmp(a->sort_name, b->sort_name);
}

static int compare_keys(const ai_entry_t *a, const ai_entry_t *b, char key, unsigned opts)
{
    const char *da = a->desc ? a->desc : "", *db = b->desc ? b->desc : "";

    switch (key) {
    case 'M':
        return a->mtime < b->mtime ? -1 : a->mtime > b->mtime;
    case 'S':
        return a->size < b->size ? -1 : a->size > b->size;
    case 'D':
        return (opts & AI_OPT_VERSION_SORT) ? apr_strnatcmp(da, db) : strcmp(da, db);
    default:
        return 0;
    }
}

static int compare_entries(const ai_entry_t *a, const ai_entry_t *b, const ai_sort_t *sort,
                           unsigned opts)
{
    int c;

    if ((opts & AI_OPT_FOLDERS_FIRST) && a->is_dir != b->is_dir) {
        return a->is_dir ? -1 : 1;
    }
    c = compare_keys(a, b, sort->key, opts);
    if (c == 0) {
        c = compare_names(a, b, opts);
    }
    return sort->descending ? -c : c;
}

/* A merge sort of n entries from src into dst (both of n): qsort has no context argument. */
static void merge_sort(ai_entry_t *dst, ai_entry_t *src, int n, const ai_sort_t *sort,
                       unsigned opts)
{
    int half = n / 2, i = 0, j = half, k = 0;

    if (n < 2) {
        return;
    }
    /* Sort each half in place (src as scratch for dst's halves), then merge into dst. */
    merge_sort(src, dst, half, sort, opts);
    merge_sort(src + half, dst + half, n - half, sort, opts);
    while (i < half && j < n) {
        dst[k++] = compare_entries(&src[j], &src[i], sort, opts) < 0 ? src[j++] : src[i++];
    }
    while (i < half) {
        dst[k++] = src[i++];
    }
    while (j < n) {
        dst[k++] = src[j++];
    }
}

void ai_sort_entries(apr_pool_t *p, apr_array_header_t *entries, const ai_sort_t *sort,
                     unsigned opts)
{
    int n = entries->nelts;
    ai_entry_t *scratch;

    for (int i = 0; i < n; i++) {
        ai_entry_t *e = &APR_ARRAY_IDX(entries, i, ai_entry_t);
        e->sort_name = e->is_dir ? apr_pstrcat(p, e->name, "/", NULL) : e->name;
    }
    if (n < 2) {
        return;
    }
    scratch = apr_pmemdup(p, entries->elts, sizeof(ai_entry_t) * n);
    merge_sort((ai_entry_t *)entries->elts, scratch, n, sort, opts);
}

int ai_is_ignored(const apr_array_header_t *patterns, const char *name, const char *path)
{
    for (int i = 0; patterns && i < patterns->nelts; i++) {
        const char *pattern = APR_ARRAY_IDX(patterns, i, const char *);
        const char *subject = strchr(pattern, '/') ? path : name;
        if (apr_fnmatch(pattern, subject, 0) == APR_SUCCESS) {
            return 1;
        }
    }
    return 0;
}

/* httpd's ap_is_matchexp: does @a s hold a wildcard? */
static int has_wildcard(const char *s)
{
    return strpbrk(s, "*?") != NULL;
}

void ai_push_item(apr_pool_t *p, apr_array_header_t *items, ai_by_t by, const char *to,
                  const char *dir, const char *data)
{
    ai_item_t *item = apr_array_push(items);

    item->by = by;
    item->data = apr_pstrdup(p, data);
    item->apply_path = apr_pstrcat(p, dir ? dir : "", "*", NULL);
    if (by == AI_BY_PATH && strcmp(to, "**DIRECTORY**") == 0) {
        to = "^^DIRECTORY^^"; /* httpd 1.3's spelling */
    }
    if (by == AI_BY_PATH && !has_wildcard(to)) {
        item->apply_to = apr_pstrcat(p, "*", to, NULL);
    } else if (by == AI_BY_ENCODING) {
        char *lower = apr_pstrdup(p, to);
        for (char *c = lower; *c; c++) {
            *c = (char)apr_tolower(*c);
        }
        item->apply_to = lower;
    } else {
        item->apply_to = apr_pstrdup(p, to);
    }
}

/* Wildcards as httpd's ap_strcmp_match: '*' and '?' only, '*' crossing '/'. */
static int wild_match(const char *pattern, const char *s, int case_blind)
{
    int flags = APR_FNM_NOESCAPE | (case_blind ? APR_FNM_CASE_BLIND : 0);

    return apr_fnmatch(pattern, s, flags) == APR_SUCCESS;
}

/* Does @a item apply to a file that is not a ^^NAME^^ convention? */
static int item_applies(const ai_item_t *item, const char *path, const char *type,
                        const char *encoding, int path_only)
{
    if (item->by == AI_BY_PATH) {
        return wild_match(item->apply_to, path, 0);
    }
    if (path_only) {
        return 0;
    }
    if (encoding) {
        return item->by == AI_BY_ENCODING && wild_match(item->apply_to, encoding, 1);
    }
    return item->by == AI_BY_TYPE && type && wild_match(item->apply_to, type, 1);
}

const char *ai_find_item(const apr_array_header_t *items, const char *path, const char *type,
                         const char *encoding, int path_only)
{
    int convention = path[0] == '^';

    for (int i = 0; i < items->nelts; i++) {
        const ai_item_t *item = &APR_ARRAY_IDX(items, i, ai_item_t);
        if (convention ? wild_match(item->apply_to, path, 0)
                       : wild_match(item->apply_path, path, 0) &&
                             item_applies(item, path, type, encoding, path_only)) {
            return item->data;
        }
    }
    return NULL;
}

const char *ai_split_icon(apr_pool_t *p, const char *arg, const char **alt, const char **url)
{
    const char *comma, *close;

    if (arg[0] != '(') {
        *alt = NULL;
        *url = arg;
        return NULL;
    }
    if (!(close = strchr(arg, ')'))) {
        return "missing closing paren";
    }
    comma = strchr(arg, ',');
    if (!comma || comma > close) {
        return apr_psprintf(p, "%s: want (ALT,URL)", arg);
    }
    *alt = apr_pstrndup(p, arg + 1, (apr_size_t)(comma - arg - 1));
    *url = apr_pstrndup(p, comma + 1, (apr_size_t)(close - comma - 1));
    return NULL;
}

void ai_push_desc(apr_pool_t *p, apr_array_header_t *descs, const char *to, const char *desc)
{
    ai_desc_t *d = apr_array_push(descs);

    d->full_path = strchr(to, '/') != NULL;
    d->wildcards = d->full_path || apr_fnmatch_test(to);
    d->pattern = d->wildcards ? apr_pstrcat(p, d->full_path ? "*/" : "*", to, "*", NULL)
                              : apr_pstrdup(p, to);
    d->description = apr_pstrdup(p, desc);
}

const char *ai_find_desc(const apr_array_header_t *descs, const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;

    for (int i = 0; i < descs->nelts; i++) {
        const ai_desc_t *d = &APR_ARRAY_IDX(descs, i, ai_desc_t);
        const char *subject = d->full_path ? path : name;
        if (d->wildcards ? apr_fnmatch(d->pattern, subject, 0) == APR_SUCCESS
                         : strstr(subject, d->pattern) != NULL) {
            return d->description;
        }
    }
    return NULL;
}

const char *ai_parse_order(const char *direction, const char *key, ai_sort_t *sort)
{
    static const struct {
        const char *name;
        char key;
    } keys[] = {{"Name", 'N'}, {"Date", 'M'}, {"Size", 'S'}, {"Description", 'D'}};

    if (strcasecmp(direction, "Ascending") != 0 && strcasecmp(direction, "Descending") != 0) {
        return "First keyword must be 'Ascending' or 'Descending'";
    }
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (strcasecmp(key, keys[i].name) == 0) {
            sort->key = keys[i].key;
            sort->descending = strcasecmp(direction, "Descending") == 0;
            return NULL;
        }
    }
    return "Second keyword must be 'Name', 'Date', 'Size', or 'Description'";
}
