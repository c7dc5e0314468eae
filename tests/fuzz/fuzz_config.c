/*
 * libFuzzer target for the configuration reader (server/config/config_read.c) and the walker that
 * runs the directives (server/config/config.c and the handlers of the core and of every content
 * module, linked in), as `kiva -t` does: read, walk, finish the core's configuration.
 *
 * The input is a small tree of files: its parts, separated by lines "%%", become kiva.conf,
 * conf.d/a.conf, conf.d/b.conf, conf.d/sub/c.conf, extra/x.conf and extra/y.inc in a
 * directory made once per process, which is the ServerRoot; a file without a part does not
 * exist. So Include, IncludeOptional, directories, wildcards, <IfDefine> (FUZZ is defined,
 * as with -D FUZZ), <IfModule> and nested sections all meet the input.
 *
 * The reader follows Include and ServerRoot wherever they point, so the target is linked
 * with --wrap for the few APR calls that reach the file system, DSOs and DNS: a path outside
 * the tree (or with a ".." in it) looks missing, and only numeric addresses resolve
 * (fuzz_no_dns.c). A mutated "Include /" therefore reads nothing of the machine.
 *
 * Besides crashes it aborts when a result breaks a promise: every node of the tree is
 * well-formed, names a file of the tree and a line that file has, and no Include or
 * <IfDefine> is left in it; every error names a file of the tree and one of its lines.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_dso.h>
#include <apr_file_info.h>
#include <apr_file_io.h>
#include <apr_hooks.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "config_read.h"
#include "config_walk.h"
#include "core.h"
#include "fuzz_common.h"
#include "kv_mpm_common.h"
#include "module.h"
#include "util_path.h"

/* The files an input becomes, in the order of its parts. */
static const char *const files[] = {"kiva.conf",         "conf.d/a.conf", "conf.d/b.conf",
                                    "conf.d/sub/c.conf", "extra/x.conf",  "extra/y.inc"};
#define NFILES (sizeof(files) / sizeof(files[0]))
/* Directories that always exist; htdocs is the default DocumentRoot, empty stays empty. */
static const char *const dirs[] = {"conf.d", "conf.d/sub", "extra", "htdocs", "empty"};

/* More Include lines than this and an input is skipped: each file could include the next
 * many times over, and the reads multiply (as they would in the server) into a timeout. */
#define MAX_INCLUDES 12

extern kv_module_t access_compat_module, alias_module, auth_basic_module, authn_core_module,
    authn_file_module, authz_core_module, authz_groupfile_module, authz_host_module,
    authz_user_module, autoindex_module, cgi_module, dir_module, headers_module, log_config_module,
    mime_module, setenvif_module, status_module, filter_module, env_module, remoteip_module,
    userdir_module, negotiation_module, expires_module, deflate_module, brotli_module, logio_module,
    reqtimeout_module, info_module, version_module;

/* The modules of FUZZ_CONFIG_MODULES (fuzz.mk). */
static kv_module_t *const content_modules[] = {
    &access_compat_module,
    &alias_module,
    &auth_basic_module,
    &authn_core_module,
    &authn_file_module,
    &authz_core_module,
    &authz_groupfile_module,
    &authz_host_module,
    &authz_user_module,
    &autoindex_module,
    &cgi_module,
    &dir_module,
    &headers_module,
    &log_config_module,
    &mime_module,
    &setenvif_module,
    &status_module,
    &filter_module,
    &env_module,
    &remoteip_module,
    &userdir_module,
    &negotiation_module,
    &expires_module,
    &deflate_module,
    &brotli_module,
    &logio_module,
    &reqtimeout_module,
    &info_module,
    &version_module,
};

/* The tree's directory (absolute, no trailing slash), made at the first input. */
static char *root;

/* ---- The confinement (see the top of the file) ------------------------------------------ */

apr_status_t __real_apr_stat(apr_finfo_t *finfo, const char *fname, apr_int32_t wanted,
                             apr_pool_t *pool);
apr_status_t __wrap_apr_stat(apr_finfo_t *finfo, const char *fname, apr_int32_t wanted,
                             apr_pool_t *pool);
apr_status_t __real_apr_file_open(apr_file_t **newf, const char *fname, apr_int32_t flag,
                                  apr_fileperms_t perm, apr_pool_t *pool);
apr_status_t __wrap_apr_file_open(apr_file_t **newf, const char *fname, apr_int32_t flag,
                                  apr_fileperms_t perm, apr_pool_t *pool);
apr_status_t __real_apr_dir_open(apr_dir_t **new_dir, const char *dirname, apr_pool_t *pool);
apr_status_t __wrap_apr_dir_open(apr_dir_t **new_dir, const char *dirname, apr_pool_t *pool);
apr_status_t __real_apr_dso_load(apr_dso_handle_t **res_handle, const char *path, apr_pool_t *ctx);
apr_status_t __wrap_apr_dso_load(apr_dso_handle_t **res_handle, const char *path, apr_pool_t *ctx);

static int has_dotdot(const char *path)
{
    for (const char *s = path; (s = strstr(s, "..")) != NULL; s += 2) {
        if ((s == path || s[-1] == '/') && (s[2] == '\0' || s[2] == '/')) {
            return 1;
        }
    }
    return 0;
}

static int inside_tree(const char *path)
{
    size_t n = strlen(root);

    if (strcmp(path, "/dev/null") == 0) {
        return 1;
    }
    return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/') && !has_dotdot(path);
}

apr_status_t __wrap_apr_stat(apr_finfo_t *finfo, const char *fname, apr_int32_t wanted,
                             apr_pool_t *pool)
{
    return inside_tree(fname) ? __real_apr_stat(finfo, fname, wanted, pool) : APR_ENOENT;
}

apr_status_t __wrap_apr_file_open(apr_file_t **newf, const char *fname, apr_int32_t flag,
                                  apr_fileperms_t perm, apr_pool_t *pool)
{
    return inside_tree(fname) ? __real_apr_file_open(newf, fname, flag, perm, pool) : APR_ENOENT;
}

apr_status_t __wrap_apr_dir_open(apr_dir_t **new_dir, const char *dirname, apr_pool_t *pool)
{
    return inside_tree(dirname) ? __real_apr_dir_open(new_dir, dirname, pool) : APR_ENOENT;
}

/* A failed load still gives a handle with the loader's error, which the caller reads. */
apr_status_t __wrap_apr_dso_load(apr_dso_handle_t **res_handle, const char *path, apr_pool_t *ctx)
{
    return __real_apr_dso_load(res_handle, inside_tree(path) ? path : "/nonexistent/kiva-fuzz.so",
                               ctx);
}

/* ---- The tree ----------------------------------------------------------------------------- */

/* Remove the tree when the process ends normally (a crash leaves it for the replay). */
static void remove_tree(void)
{
    for (size_t i = 0; i < NFILES; i++) {
        unlink(apr_pstrcat(fuzz_process_pool(), root, "/", files[i], NULL));
    }
    for (size_t i = sizeof(dirs) / sizeof(dirs[0]); i-- > 0;) {
        rmdir(apr_pstrcat(fuzz_process_pool(), root, "/", dirs[i], NULL));
    }
    rmdir(root);
}

static void make_tree(void)
{
    apr_pool_t *pp = fuzz_process_pool();
    const char *tmp = NULL;

    if (apr_temp_dir_get(&tmp, pp) != APR_SUCCESS) {
        abort();
    }
    root = apr_pstrcat(pp, tmp, "/kiva-fuzz-config-XXXXXX", NULL);
    if (mkdtemp(root) == NULL) {
        abort();
    }
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        if (mkdir(apr_pstrcat(pp, root, "/", dirs[i], NULL), 0700) != 0) {
            abort();
        }
    }
    atexit(remove_tree);
}

/* One part of the input: a file's bytes. */
typedef struct {
    const char *text; /* NULL: the file does not exist */
    size_t len;
    unsigned lines; /* an upper bound on the lines it has */
} part_t;

static void split_parts(const uint8_t *data, size_t size, part_t *parts)
{
    static const char sep[] = "\n%%\n";
    const char *s = (const char *)data, *end = s + size;

    memset(parts, 0, sizeof(*parts) * NFILES);
    for (size_t i = 0; i < NFILES && s != NULL; i++) {
        const char *next = memmem(s, (size_t)(end - s), sep, sizeof(sep) - 1);
        parts[i].text = s;
        parts[i].len = next ? (size_t)(next - s) : (size_t)(end - s);
        parts[i].lines = 1;
        for (size_t k = 0; k < parts[i].len; k++) {
            parts[i].lines += s[k] == '\n';
        }
        s = next ? next + sizeof(sep) - 1 : NULL;
    }
}

static void write_parts(apr_pool_t *p, const part_t *parts)
{
    for (size_t i = 0; i < NFILES; i++) {
        const char *path = apr_pstrcat(p, root, "/", files[i], NULL);
        int fd;

        /* A new file each time: ext4 writes a truncated and rewritten file back to the
         * disk on close, which would make every input wait for the disk. */
        unlink(path);
        if (parts[i].text == NULL) {
            continue;
        }
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0 || write(fd, parts[i].text, parts[i].len) != (ssize_t)parts[i].len) {
            abort();
        }
        close(fd);
    }
}

static size_t count_includes(const uint8_t *data, size_t size)
{
    size_t n = 0;

    for (size_t i = 0; i + 7 <= size; i++) {
        n += strncasecmp((const char *)data + i, "include", 7) == 0;
    }
    return n;
}

/* ---- The promises ------------------------------------------------------------------------- */

/* The part behind the file name @a file, or NULL if it is none of the tree's files. */
static const part_t *part_of(apr_pool_t *p, const part_t *parts, const char *file)
{
    char *norm = apr_pstrdup(p, file);

    if (kv_normalize_path(norm) != 0) {
        return NULL;
    }
    for (size_t i = 0; i < NFILES; i++) {
        if (strcmp(norm, apr_pstrcat(p, root, "/", files[i], NULL)) == 0) {
            return &parts[i];
        }
    }
    return NULL;
}

/* "... on line N of FILE: ..." names a line that FILE has. */
static void check_error(apr_pool_t *p, const part_t *parts, const char *err)
{
    static const char syntax[] = "Syntax error on line ";
    unsigned line = 0;
    int used = 0;
    const char *colon;
    const part_t *part;

    FUZZ_REQUIRE(strncmp(err, syntax, sizeof(syntax) - 1) == 0);
    FUZZ_REQUIRE(sscanf(err + sizeof(syntax) - 1, "%u of %n", &line, &used) == 1 && used > 0);
    colon = strstr(err + sizeof(syntax) - 1 + used, ": ");
    FUZZ_REQUIRE(colon != NULL);
    part = part_of(p, parts,
                   apr_pstrmemdup(p, err + sizeof(syntax) - 1 + used,
                                  (apr_size_t)(colon - (err + sizeof(syntax) - 1 + used))));
    FUZZ_REQUIRE(part != NULL && part->text != NULL && line >= 1 && line <= part->lines);
}

static void check_nodes(apr_pool_t *p, const part_t *parts, const kv_directive_t *first,
                        const kv_directive_t *parent, int *count)
{
    for (const kv_directive_t *d = first; d; d = d->next) {
        const part_t *part = part_of(p, parts, d->file);

        FUZZ_REQUIRE(++*count < 100000);
        FUZZ_REQUIRE(d->parent == parent);
        FUZZ_REQUIRE(d->name != NULL && *d->name != '\0');
        for (const char *c = d->name; *c; c++) {
            FUZZ_REQUIRE(!apr_isspace(*c));
        }
        FUZZ_REQUIRE(strcasecmp(d->name, "Include") != 0 &&
                     strcasecmp(d->name, "IncludeOptional") != 0 &&
                     strcasecmp(d->name, "<IfDefine") != 0);
        FUZZ_REQUIRE(d->argc >= 0 && d->argv != NULL && d->argv[d->argc] == NULL);
        for (int i = 0; i < d->argc; i++) {
            FUZZ_REQUIRE(d->argv[i] != NULL);
        }
        FUZZ_REQUIRE(part != NULL && part->text != NULL && d->line >= 1 && d->line <= part->lines);
        if (d->first_child != NULL) {
            FUZZ_REQUIRE(d->name[0] == '<');
            check_nodes(p, parts, d->first_child, d, count);
        }
    }
}

/* ---- The run ------------------------------------------------------------------------------ */

/* What main.c's build_generation does, without an MPM: read, walk, finish. */
static void read_and_walk(apr_pool_t *pconf, const part_t *parts)
{
    apr_array_header_t *defines = apr_array_make(pconf, 1, sizeof(const char *));
    kv_config_reader_t rd = {.pool = pconf};
    kv_directive_t *tree = NULL;
    kv_server_t *s;
    apr_pool_t *ptemp;
    const char *err;
    int count = 0;

    apr_pool_create(&ptemp, pconf);
    rd.temp_pool = ptemp;
    apr_hook_global_pool = pconf;
    kv_server_root = root;
    APR_ARRAY_PUSH(defines, const char *) = "FUZZ";
    kv_config_defines_reset(pconf, defines);
    kv_modules_reset();
    s = kv_server_create(pconf);
    kv_module_add(pconf, &core_module, NULL, s);
    kv_module_add(pconf, &mpm_common_module, NULL, s);
    kv_module_add(pconf, &http_core_module, NULL, s);
    for (size_t i = 0; i < sizeof(content_modules) / sizeof(content_modules[0]); i++) {
        kv_module_add(pconf, content_modules[i], NULL, s);
    }
    err = kv_config_read_file(&rd, "kiva.conf", &tree);
    check_nodes(pconf, parts, tree, NULL, &count);
    if (err == NULL) {
        err = kv_config_run(pconf, ptemp, s, tree);
        if (err == NULL) {
            kv_core_finish_config(pconf, s);
        }
    }
    if (err != NULL) {
        check_error(pconf, parts, err);
    }
    apr_hook_deregister_all();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    part_t parts[NFILES];
    apr_pool_t *pconf;

    if (count_includes(data, size) > MAX_INCLUDES) {
        return 0;
    }
    if (root == NULL) {
        make_tree();
    }
    pconf = fuzz_input_pool();
    split_parts(data, size, parts);
    write_parts(pconf, parts);
    read_and_walk(pconf, parts);
    apr_pool_destroy(pconf);
    return 0;
}
