/* Per-directory configuration sections, merged as httpd merges them: plain <Directory>
 * from the shortest path to the longest, then <DirectoryMatch>, then <Files> and
 * <FilesMatch>, then <Location> and <LocationMatch>, each group in config order. */
#include <string.h>

#include <apr_fnmatch.h>
#include <apr_strings.h>

#include "core.h"
#include "htaccess.h"
#include "if_sections.h"
#include "module.h"
#include "sections.h"

static const char *const kind_names[] = {"<Directory", "<Files", "<Location"};

KV_DECLARE(void **) kv_create_per_dir_config(apr_pool_t *p, const char *path)
{
    int n;
    kv_module_t *const *mods = kv_loaded_modules(&n);
    void **v = kv_config_vector_make(p);

    for (int i = 0; i < n; i++) {
        if (mods[i]->create_dir_config) {
            v[mods[i]->index] = mods[i]->create_dir_config(p, path);
        }
    }
    return v;
}

static int count_components(const char *path)
{
    int n = 0;

    for (const char *c = path; *c; c++) {
        if (*c == '/' && c[1] != '\0') {
            n++;
        }
    }
    return n;
}

static int has_wildcard(const char *s)
{
    return strpbrk(s, "*?[") != NULL;
}

/* The section a <Files> stands in, or why it may not stand there. */
static const char *check_nesting(kv_cmd_parms_t *cmd, kv_section_kind_t kind,
                                 const kv_section_t **parent)
{
    const kv_section_t *enclosing = cmd->context & KV_CTX_DIR ? cmd->section : NULL;

    *parent = NULL;
    if (kv_in_if_section(cmd)) {
        return apr_psprintf(cmd->pool, "%s> cannot occur within an <If> section", kind_names[kind]);
    }
    if (!enclosing) {
        return NULL;
    }
    if (kind != KV_SEC_FILES || enclosing->kind != KV_SEC_DIRECTORY) {
        return apr_psprintf(cmd->pool, "%s> cannot occur within a %s> section",
                            kind_names[kind], kind_names[enclosing->kind]);
    }
    *parent = enclosing;
    return NULL;
}

static const char *section_path(kv_cmd_parms_t *cmd, kv_section_t *sec, const char *arg)
{
    char *path;
    size_t n;

    if (sec->kind != KV_SEC_DIRECTORY) {
        sec->path = apr_pstrdup(cmd->pool, arg);
        sec->wildcard = has_wildcard(arg);
        return NULL;
    }
    path = apr_pstrdup(cmd->pool, kv_server_root_relative(cmd->pool, arg));
    n = strlen(path);
    while (n > 1 && path[n - 1] == '/') {
        path[--n] = '\0';
    }
    sec->path = path;
    sec->components = count_components(path);
    sec->wildcard = has_wildcard(path);
    return NULL;
}

const char *kv_cmd_section(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    long info = (long)cmd->info;
    kv_section_kind_t kind = (kv_section_kind_t)(info / 2);
    int match = (int)(info % 2);
    kv_core_server_conf_t *sconf = kv_core_sconf(cmd->server);
    kv_section_t *sec = apr_pcalloc(cmd->pool, sizeof(*sec));
    const char *pattern = argv[0];
    const char *err;

    (void)conf;
    if (argc == 2) {
        if (match || strcmp(argv[0], "~") != 0) {
            return apr_psprintf(cmd->pool, "%s> takes one argument (or ~ and a regular "
                                "expression)", cmd->cmd->name);
        }
        match = 1;
        pattern = argv[1];
    }
    if ((err = check_nesting(cmd, kind, &sec->parent)) != NULL) {
        return err;
    }
    sec->kind = kind;
    if (match) {
        sec->path = apr_pstrdup(cmd->pool, pattern);
        sec->re = kv_regex_compile(cmd->pool, pattern, 0, &err);
        if (!sec->re) {
            return apr_psprintf(cmd->pool, "%s>: %s", cmd->cmd->name, err);
        }
    } else if ((err = section_path(cmd, sec, pattern)) != NULL) {
        return err;
    }
    sec->dir_config = kv_create_per_dir_config(cmd->pool, sec->path);
    APR_ARRAY_PUSH(sconf->sections.all, kv_section_t *) = sec;

    cmd->context = KV_CTX_DIR;
    cmd->path = sec->path;
    cmd->section = sec;
    return kv_walk_config(cmd, cmd->directive->first_child, sec->dir_config);
}

static int by_components(const void *a, const void *b)
{
    const kv_section_t *x = *(kv_section_t *const *)a, *y = *(kv_section_t *const *)b;

    return x->components - y->components;
}

void kv_sections_finish(apr_pool_t *p, kv_sections_t *secs)
{
    secs->directories = apr_array_make(p, 4, sizeof(kv_section_t *));
    secs->dir_regex = apr_array_make(p, 2, sizeof(kv_section_t *));
    secs->files = apr_array_make(p, 2, sizeof(kv_section_t *));
    secs->locations = apr_array_make(p, 2, sizeof(kv_section_t *));
    secs->overrides = 0;
    for (int i = 0; i < secs->all->nelts; i++) {
        kv_section_t *sec = APR_ARRAY_IDX(secs->all, i, kv_section_t *);
        apr_array_header_t *to = sec->kind == KV_SEC_FILES      ? secs->files
                                 : sec->kind == KV_SEC_LOCATION ? secs->locations
                                 : sec->re                      ? secs->dir_regex
                                                                : secs->directories;
        APR_ARRAY_PUSH(to, kv_section_t *) = sec;
        if (to == secs->directories && kv_htaccess_section_allows(sec->dir_config)) {
            secs->overrides = 1;
        }
    }
    /* A stable sort: insertion order is kept among paths of equal depth. */
    for (int i = 1; i < secs->directories->nelts; i++) {
        kv_section_t **d = (kv_section_t **)secs->directories->elts;
        for (int j = i; j > 0 && by_components(&d[j - 1], &d[j]) > 0; j--) {
            kv_section_t *t = d[j];
            d[j] = d[j - 1];
            d[j - 1] = t;
        }
    }
}

KV_DECLARE(void **) kv_merge_per_dir_configs(apr_pool_t *p, void **base, void **add)
{
    int n;
    kv_module_t *const *mods = kv_loaded_modules(&n);
    void **out = kv_config_vector_make(p);

    for (int i = 0; i < n; i++) {
        int idx = mods[i]->index;
        if (!add[idx]) {
            out[idx] = base[idx];
        } else if (!base[idx] || !mods[i]->merge_dir_config) {
            out[idx] = add[idx];
        } else {
            out[idx] = mods[i]->merge_dir_config(p, base[idx], add[idx]);
        }
    }
    return out;
}

/* The first @a n components of @a path ("/a/b/c", 2 -> "/a/b"). */
static const char *leading_components(apr_pool_t *p, const char *path, int n)
{
    const char *c = path;

    if (n == 0) {
        return "/";
    }
    for (int seen = 0; *c; c++) {
        if (*c == '/' && c != path && ++seen == n) {
            break;
        }
    }
    return apr_pstrndup(p, path, (apr_size_t)(c - path));
}

/* Does a plain <Directory> (or a <Location>, with @a segment_rule) cover @a path? */
static int prefix_matches(apr_pool_t *p, const kv_section_t *sec, const char *path)
{
    size_t n = strlen(sec->path);

    if (sec->wildcard) {
        int comps = sec->kind == KV_SEC_DIRECTORY ? sec->components : count_components(sec->path);
        return apr_fnmatch(sec->path, leading_components(p, path, comps), APR_FNM_PATHNAME) ==
               APR_SUCCESS;
    }
    if (strcmp(sec->path, "/") == 0) {
        return 1;
    }
    return strncmp(path, sec->path, n) == 0 &&
           (path[n] == '\0' || path[n] == '/' || sec->path[n - 1] == '/');
}

int kv_directory_covers(apr_pool_t *p, const kv_section_t *sec, const char *path)
{
    return prefix_matches(p, sec, path);
}

static int section_applies(apr_pool_t *p, const kv_section_t *sec, const char *subject)
{
    if (sec->re) {
        return kv_regex_match(p, sec->re, subject, NULL);
    }
    if (sec->kind == KV_SEC_FILES) {
        return apr_fnmatch(sec->path, subject, 0) == APR_SUCCESS;
    }
    return prefix_matches(p, sec, subject);
}

static void **merge_matching(kv_request_t *r, void **conf, const apr_array_header_t *secs,
                             const char *subject, const char *dir)
{
    for (int i = 0; i < secs->nelts; i++) {
        const kv_section_t *sec = APR_ARRAY_IDX(secs, i, const kv_section_t *);
        if (sec->parent && !section_applies(r->pool, sec->parent, dir)) {
            continue;
        }
        if (section_applies(r->pool, sec, subject)) {
            conf = kv_merge_per_dir_configs(r->pool, conf, sec->dir_config);
        }
    }
    return conf;
}

void kv_location_walk(kv_request_t *r)
{
    const kv_sections_t *secs = &kv_core_sconf(r->server)->sections;

    r->per_dir_config = r->server->lookup_defaults;
    if (r->uri && secs->locations->nelts > 0) {
        r->per_dir_config = merge_matching(r, r->per_dir_config, secs->locations, r->uri, NULL);
    }
}

void kv_directory_walk(kv_request_t *r)
{
    const kv_sections_t *secs = &kv_core_sconf(r->server)->sections;
    void **conf = r->server->lookup_defaults;
    const char *dir, *base = "";

    if (secs->all->nelts == 0) {
        /* From the defaults again: the <If> walk after the <Location> walk merged into it. */
        r->per_dir_config = conf;
        return;
    }
    if (r->filename) {
        char *slash;
        dir = apr_pstrdup(r->pool, r->filename);
        if (r->finfo.filetype != APR_DIR && (slash = strrchr(dir, '/')) != NULL) {
            base = slash + 1;
            *slash = '\0';
            if (*dir == '\0') {
                dir = "/";
            }
        }
        conf = merge_matching(r, conf, secs->directories, dir, NULL);
        conf = merge_matching(r, conf, secs->dir_regex, dir, NULL);
        conf = merge_matching(r, conf, secs->files, r->finfo.filetype == APR_DIR ? "" : base,
                              dir);
    }
    if (r->uri) {
        conf = merge_matching(r, conf, secs->locations, r->uri, NULL);
    }
    r->per_dir_config = conf;
}
