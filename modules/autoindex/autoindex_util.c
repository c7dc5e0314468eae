/* mod_autoindex's pure helpers: IndexOptions keywords, the sort query, sorting entries,
 * IndexIgnore matching. */
#include <string.h>
#include <strings.h>

#include <apr_fnmatch.h>
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
    {"AddAltClass", 0, AI_VALUE_NONE},
    {"IconsAreLinks", 0, AI_VALUE_NONE},
    {"ScanHTMLTitles", 0, AI_VALUE_NONE},
    {"ShowForbidden", 0, AI_VALUE_NONE},
    {"SuppressHTMLPreamble", 0, AI_VALUE_NONE},
    {"SuppressIcon", 0, AI_VALUE_NONE},
    {"SuppressRules", 0, AI_VALUE_NONE},
    {"TrackModified", 0, AI_VALUE_NONE},
    {"UseOldDateFormat", 0, AI_VALUE_NONE},
    {"VersionSort", 0, AI_VALUE_NONE},
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

static int compare_names(const ai_entry_t *a, const ai_entry_t *b, unsigned opts)
{
    int c = (opts & AI_OPT_IGNORE_CASE) ? strcasecmp(a->name, b->name) : 0;

    return c ? c : strcmp(a->name, b->name);
}

static int compare_keys(const ai_entry_t *a, const ai_entry_t *b, char key)
{
    switch (key) {
    case 'M':
        return a->mtime < b->mtime ? -1 : a->mtime > b->mtime;
    case 'S':
        return a->size < b->size ? -1 : a->size > b->size;
    case 'D':
        return strcmp(a->desc ? a->desc : "", b->desc ? b->desc : "");
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
    c = compare_keys(a, b, sort->key);
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
