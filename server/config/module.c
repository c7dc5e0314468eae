/* Module registry and LoadModule: load with apr_dso, check the record, register hooks. */
#include <stdio.h>
#include <string.h>

#include <apr_dso.h>
#include <apr_file_info.h>
#include <apr_strings.h>

#include "kv_log.h"
#include "kv_mpm.h"
#include "module.h"

#define KV_LOG_MODULE "core"

static kv_module_t *loaded[KV_MAX_MODULES];
static int nloaded;

KV_DECLARE(int) kv_module_count(void)
{
    return nloaded;
}

KV_DECLARE(kv_module_t *const *) kv_loaded_modules(int *count)
{
    *count = nloaded;
    return loaded;
}

void **kv_config_vector_make(apr_pool_t *p)
{
    return apr_pcalloc(p, sizeof(void *) * KV_MAX_MODULES);
}

/* Does @a name ("mime", "mime_module" or "mod_mime.c") name module @a m? */
static int module_has_name(const kv_module_t *m, const char *name)
{
    size_t n = strlen(m->name);

    if (strcmp(name, m->name) == 0) {
        return 1;
    }
    if (strncmp(name, m->name, n) == 0 && strcmp(name + n, "_module") == 0) {
        return 1;
    }
    return strncmp(name, "mod_", 4) == 0 && strncmp(name + 4, m->name, n) == 0 &&
           strcmp(name + 4 + n, ".c") == 0;
}

KV_DECLARE(kv_module_t *) kv_find_module(const char *name)
{
    for (int i = 0; i < nloaded; i++) {
        if (module_has_name(loaded[i], name)) {
            return loaded[i];
        }
    }
    return NULL;
}

void kv_modules_reset(void)
{
    /* The records of the last generation's modules were unloaded with its pool. */
    nloaded = 0;
}

const char *kv_module_add(apr_pool_t *pconf, kv_module_t *m, const char *path, kv_server_t *s)
{
    if (nloaded == KV_MAX_MODULES) {
        return apr_psprintf(pconf, "too many modules: at most %d can be loaded", KV_MAX_MODULES);
    }
    m->index = nloaded;
    m->loaded_from = path;
    loaded[nloaded++] = m;
    if (m->create_server_config) {
        s->module_config[m->index] = m->create_server_config(pconf, s);
    }
    if (m->create_dir_config) {
        s->lookup_defaults[m->index] = m->create_dir_config(pconf, NULL);
    }
    if (m->register_hooks) {
        /* APR records this name with every hook registered now: it names the MPM(s). */
        apr_hook_debug_current = m->name;
        m->register_hooks(pconf);
        apr_hook_debug_current = NULL;
    }
    return NULL;
}

/* The record behind symbol @a sym in the shared object @a path, loaded in @a p. */
static const char *load_record(apr_pool_t *p, const char *path, const char *sym,
                               kv_module_t **out)
{
    apr_dso_handle_t *dso;
    apr_dso_handle_sym_t found;
    char err[256];
    kv_module_t *m;

    if (apr_dso_load(&dso, path, p) != APR_SUCCESS) {
        apr_finfo_t fi;
        if (apr_stat(&fi, path, APR_FINFO_TYPE, p) != APR_SUCCESS) {
            return apr_psprintf(p, "Cannot load %s: no such file", path);
        }
        return apr_psprintf(p, "Cannot load %s into server: %s", path,
                            apr_dso_error(dso, err, sizeof(err)));
    }
    if (apr_dso_sym(&found, dso, sym) != APR_SUCCESS) {
        return apr_psprintf(p, "Can't locate API module structure `%s' in file %s", sym, path);
    }
    m = (kv_module_t *)found;
    if (m->magic != KV_MODULE_MAGIC) {
        return apr_psprintf(p, "%s in %s is not a kiva module record", sym, path);
    }
    if (m->abi_version != KV_MODULE_ABI) {
        return apr_psprintf(p,
                            "%s in %s was built for module ABI %u, but this kiva has ABI %u: "
                            "rebuild the module",
                            sym, path, m->abi_version, KV_MODULE_ABI);
    }
    *out = m;
    return NULL;
}

/* A second MPM is refused at the line that loads it. */
static const char *check_single_mpm(apr_pool_t *p)
{
    apr_array_header_t *mpms = kv_hook_get_mpm();
    const kv_LINK_mpm_t *links;

    if (!mpms || mpms->nelts < 2) {
        return NULL;
    }
    links = (const kv_LINK_mpm_t *)mpms->elts;
    return apr_psprintf(p,
                        "only one MPM can be loaded, and %s_module is loaded already: keep "
                        "exactly one LoadModule line for an MPM",
                        links[0].szName);
}

const char *kv_cmd_load_module(kv_cmd_parms_t *cmd, void *conf, int argc,
                               const char *const *argv)
{
    const char *sym = argv[0];
    const char *path = kv_server_root_relative(cmd->pool, argv[1]);
    kv_module_t *m;
    const char *err;
    size_t n = strlen(sym);

    (void)conf;
    (void)argc;
    if (n <= 7 || strcmp(sym + n - 7, "_module") != 0) {
        return apr_psprintf(cmd->pool, "LoadModule: '%s' is not a module name (NAME_module)",
                            sym);
    }
    m = kv_find_module(sym);
    if (m) {
        kv_log_error(KV_LOG_MARK, KV_LOG_WARNING, 0, NULL,
                     "KV00001: module %s is already loaded, skipping (line %u of %s)", sym,
                     cmd->directive->line, cmd->directive->file);
        return NULL;
    }
    err = load_record(cmd->pool, path, sym, &m);
    if (err) {
        return err;
    }
    if (strlen(m->name) != n - 7 || strncmp(m->name, sym, n - 7) != 0) {
        return apr_psprintf(cmd->pool, "%s in %s names itself '%s_module'", sym, path, m->name);
    }
    if (kv_find_module(m->name)) {
        return apr_psprintf(cmd->pool, "a module named %s is already loaded", m->name);
    }
    err = kv_module_add(cmd->pool, m, path, cmd->server);
    return err ? err : check_single_mpm(cmd->pool);
}

static int command_named(const kv_module_t *m, const char *directive)
{
    for (const kv_command_t *c = m->commands; c && c->name; c++) {
        if (strcasecmp(c->name, directive) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The LoadModule line for mod_NAME.so in @a dir if it provides @a directive. */
static const char *hint_in_dir(apr_pool_t *p, const char *dir, const char *directive)
{
    apr_dir_t *d;
    apr_finfo_t fi;
    const char *hint = NULL;

    if (apr_dir_open(&d, dir, p) != APR_SUCCESS) {
        return NULL;
    }
    while (!hint && apr_dir_read(&fi, APR_FINFO_NAME, d) == APR_SUCCESS) {
        size_t n = strlen(fi.name);
        const char *sym, *path, *rel;
        kv_module_t *m;

        if (n <= 7 || strncmp(fi.name, "mod_", 4) != 0 || strcmp(fi.name + n - 3, ".so") != 0) {
            continue;
        }
        sym = apr_pstrcat(p, apr_pstrndup(p, fi.name + 4, n - 7), "_module", NULL);
        if (kv_find_module(sym)) {
            continue;
        }
        path = apr_pstrcat(p, dir, "/", fi.name, NULL);
        if (load_record(p, path, sym, &m) != NULL || !command_named(m, directive)) {
            continue;
        }
        rel = path;
        if (strncmp(path, kv_server_root, strlen(kv_server_root)) == 0 &&
            path[strlen(kv_server_root)] == '/') {
            rel = path + strlen(kv_server_root) + 1;
        }
        hint = apr_psprintf(p, "LoadModule %s %s", sym, rel);
    }
    apr_dir_close(d);
    return hint;
}

/* Where kiva's modules may be: ServerRoot's modules/, the installation's, and the
 * directories loaded modules came from. */
static apr_array_header_t *module_dirs(apr_pool_t *p)
{
    apr_array_header_t *dirs = apr_array_make(p, 4, sizeof(const char *));

    APR_ARRAY_PUSH(dirs, const char *) = kv_server_root_relative(p, "modules");
    APR_ARRAY_PUSH(dirs, const char *) = KV_MODULES_DIR;
    for (int i = 0; i < nloaded; i++) {
        if (loaded[i]->loaded_from) {
            char *dir = apr_pstrdup(p, loaded[i]->loaded_from);
            char *slash = strrchr(dir, '/');
            if (slash) {
                *slash = '\0';
                APR_ARRAY_PUSH(dirs, const char *) = dir;
            }
        }
    }
    return dirs;
}

const char *kv_module_hint_for(apr_pool_t *ptemp, const char *directive)
{
    const apr_array_header_t *dirs = module_dirs(ptemp);
    const char *hint = NULL;

    for (int i = 0; !hint && i < dirs->nelts; i++) {
        hint = hint_in_dir(ptemp, APR_ARRAY_IDX(dirs, i, const char *), directive);
    }
    return hint;
}

int kv_module_available(apr_pool_t *ptemp, const char *name)
{
    const apr_array_header_t *dirs;
    apr_finfo_t fi;

    if (kv_find_module(name)) {
        return 1;
    }
    dirs = module_dirs(ptemp);
    for (int i = 0; i < dirs->nelts; i++) {
        const char *path = apr_pstrcat(ptemp, APR_ARRAY_IDX(dirs, i, const char *), "/mod_", name,
                                       ".so", NULL);
        if (apr_stat(&fi, path, APR_FINFO_TYPE, ptemp) == APR_SUCCESS) {
            return 1;
        }
    }
    return 0;
}

void kv_modules_print(FILE *out)
{
    fprintf(out, "Loaded Modules:\n");
    for (int i = 0; i < nloaded; i++) {
        fprintf(out, " %s_module (%s)\n", loaded[i]->name,
                loaded[i]->loaded_from ? "shared" : "static");
    }
}

void kv_modules_print_directives(FILE *out)
{
    for (int i = 0; i < nloaded; i++) {
        for (const kv_command_t *c = loaded[i]->commands; c && c->name; c++) {
            fprintf(out, "%s (%s_module)\n\t%s\n", c->name, loaded[i]->name,
                    c->help ? c->help : "");
        }
    }
}
