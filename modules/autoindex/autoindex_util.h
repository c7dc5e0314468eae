/* mod_autoindex's pure helpers: IndexOptions keywords, the sort query (?C=N;O=A), sorting
 * the entries of a listing and IndexIgnore matching. No request or config state, so a unit
 * test can call them directly. */
#ifndef KV_AUTOINDEX_UTIL_H
#define KV_AUTOINDEX_UTIL_H

#include <apr_tables.h>
#include <apr_time.h>

/* IndexOptions that change the listing (bits); IconWidth and IconHeight carry values; the
 * other httpd keywords are accepted and ignored. */
enum {
    AI_OPT_FANCY = 1 << 0,            /* FancyIndexing: columns, not a bare list */
    AI_OPT_HTML_TABLE = 1 << 1,       /* HTMLTable: the columns in a <table>, not a <pre> */
    AI_OPT_FOLDERS_FIRST = 1 << 2,    /* FoldersFirst: directories before files */
    AI_OPT_IGNORE_CASE = 1 << 3,      /* IgnoreCase: names sort case-insensitively */
    AI_OPT_SUPPRESS_SORTING = 1 << 4, /* SuppressColumnSorting: headings are not links */
    AI_OPT_IGNORE_CLIENT = 1 << 5,    /* IgnoreClient: the query does not change the order */
    AI_OPT_SUPPRESS_MTIME = 1 << 6,   /* SuppressLastModified */
    AI_OPT_SUPPRESS_SIZE = 1 << 7,    /* SuppressSize */
    AI_OPT_SUPPRESS_DESC = 1 << 8,    /* SuppressDescription */
    AI_OPT_SUPPRESS_ICON = 1 << 9,    /* SuppressIcon: no icon column */
    AI_OPT_VERSION_SORT = 1 << 10,    /* VersionSort: digits sort as numbers (file2 < file10) */
    AI_OPT_ICONS_ARE_LINKS = 1 << 11, /* IconsAreLinks: the icon links to the entry too */
    AI_OPT_SUPPRESS_RULES = 1 << 12,  /* SuppressRules: no <hr> */
    AI_OPT_ADD_ALT_CLASS = 1 << 13    /* AddAltClass: a row's class names its alt text */
};

/* The size IconWidth and IconHeight without a value give the icons, as httpd. */
#define AI_DEFAULT_ICON_WIDTH 20
#define AI_DEFAULT_ICON_HEIGHT 22

/* Whether an IndexOptions keyword takes "=value". */
enum { AI_VALUE_NONE, AI_VALUE_REQUIRED, AI_VALUE_OPTIONAL };

/* One IndexOptions keyword. */
typedef struct {
    const char *name;  /* as httpd spells it */
    unsigned bit;      /* AI_OPT_* it sets, 0 for a keyword kiva accepts and ignores */
    int takes_value;   /* AI_VALUE_*: whether it is written name=value ("Charset=UTF-8") */
} ai_option_t;

/* The keyword @a word names (case-insensitive, without a leading + or -), or NULL if it is
 * not an IndexOptions keyword or misses (or has an unwanted) "=value". *value is set to
 * the text after '=', or NULL when there is none. */
const ai_option_t *ai_find_option(const char *word, const char **value);

/* The sort keys of the query's C=: name, last modified, size, description. */
#define AI_KEYS "NMSD"

/* How a listing is ordered. */
typedef struct {
    char key;       /* one of AI_KEYS */
    int descending; /* O=D */
} ai_sort_t;

/* Apply the query @a args (httpd's "C=M;O=D", '&' also separates) to @a sort: valid C= and
 * O= items change it; F=, V= and P= items are skipped; parsing stops at the first item it
 * does not understand, keeping what came before, as httpd does. NULL changes nothing. */
void ai_parse_sort(const char *args, ai_sort_t *sort);

/* The query a column heading links to: the column ascending, or descending when the listing
 * is sorted by it ascending already ("C=N;O=D"). */
const char *ai_sort_query(apr_pool_t *p, const ai_sort_t *current, char key);

/* One entry of a listing. */
typedef struct {
    const char *name;  /* file name, no trailing slash */
    const char *desc;  /* description (HTML from the configuration), NULL if none */
    const char *icon;  /* icon URL, NULL if none applies */
    const char *alt;   /* the icon's alt text without brackets, NULL if none */
    int is_dir;        /* a directory (shown with a trailing slash) */
    apr_off_t size;    /* bytes; -1 for a directory */
    apr_time_t mtime;  /* last modified */
    const char *sort_name; /* set by ai_sort_entries: name, with a '/' for a directory */
} ai_entry_t;

/* Sort @a entries (an array of ai_entry_t) by @a sort; ties are broken by name, and the
 * direction applies to both. A directory's name is compared with its '/', as httpd does
 * ("a.txt" before "a/"). AI_OPT_FOLDERS_FIRST puts directories first whatever the
 * direction; AI_OPT_IGNORE_CASE compares names without case first; AI_OPT_VERSION_SORT
 * compares names and descriptions in natural order (apr_strnatcmp) first. */
void ai_sort_entries(apr_pool_t *p, apr_array_header_t *entries, const ai_sort_t *sort,
                     unsigned opts);

/* Does a wildcard pattern of @a patterns (const char *) match @a name, or @a path (the
 * entry's full file name) for a pattern that contains '/'? */
int ai_is_ignored(const apr_array_header_t *patterns, const char *name, const char *path);

/* What an AddIcon* or AddAlt* item is matched against. */
typedef enum { AI_BY_PATH, AI_BY_TYPE, AI_BY_ENCODING } ai_by_t;

/* One AddIcon* or AddAlt* item, as httpd keeps it. */
typedef struct {
    ai_by_t by;
    const char *apply_path; /* the <Directory> path it was given in, then "*" */
    const char *apply_to;   /* wildcard over the file's path, its type or its encoding */
    const char *data;       /* the icon URL or the alt text */
} ai_item_t;

/* Append to @a items (ai_item_t) an item for one argument @a to of AddIcon* or AddAlt*
 * given in the section of path @a dir (NULL outside one). By path, a @a to without
 * wildcards matches names ending with it (".txt", "README", "..", "^^DIRECTORY^^"); an
 * encoding is lower-cased. */
void ai_push_item(apr_pool_t *p, apr_array_header_t *items, ai_by_t by, const char *to,
                  const char *dir, const char *data);

/* The data of the first of @a items that applies to the file @a path of media type @a type
 * (without parameters; NULL if unknown) and content encoding @a encoding (NULL if none), as
 * httpd's find_item: a file with an encoding is matched by path and by encoding, one
 * without by path and by type; @a path_only matches by path alone (directories). A @a path
 * starting with '^' is one of the ^^NAME^^ conventions and matches by name only. NULL if
 * none applies. */
const char *ai_find_item(const apr_array_header_t *items, const char *path, const char *type,
                         const char *encoding, int path_only);

/* Split an AddIcon argument "(ALT,URL)" into its alt text and URL; a plain "URL" has no alt
 * (*alt NULL). NULL, or the reason it is malformed. */
const char *ai_split_icon(apr_pool_t *p, const char *arg, const char **alt, const char **url);

/* One AddDescription item. */
typedef struct {
    const char *pattern;     /* wildcard, or a substring when wildcards is 0 */
    const char *description; /* HTML, as written in the configuration */
    int full_path;           /* the pattern holds a '/': it is matched against the path */
    int wildcards;           /* match with wildcards, not as a substring */
} ai_desc_t;

/* Append to @a descs (ai_desc_t) AddDescription's @a desc for the file pattern @a to, as
 * httpd: a name without wildcards matches names that contain it; a pattern with wildcards
 * matches names that contain a match ("*" added around it); one with a '/' matches the
 * end of the full path. */
void ai_push_desc(apr_pool_t *p, apr_array_header_t *descs, const char *to, const char *desc);

/* The description of the first of @a descs that applies to the file @a path, or NULL. */
const char *ai_find_desc(const apr_array_header_t *descs, const char *path);

/* IndexOrderDefault's arguments into @a sort: Ascending|Descending and
 * Name|Date|Size|Description. NULL, or httpd's reason for refusing them. */
const char *ai_parse_order(const char *direction, const char *key, ai_sort_t *sort);

#endif
