/* ARCHITECTURE.md stays true to the tree (its house rule: a change that moves a concern
 * updates it), and the tree keeps the shape it describes: the core's files in the folders
 * of their layers, each named in its folder's row; every path the file names exists;
 * tests/unit mirrors server/; request.h declares only what request.c defines. */
#include <check.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_run.h"

#define SRC(path) KV_TEST_SRCDIR "/" path

/* Is @a rel, a path in the source tree, a directory? */
static int is_dir(const char *rel)
{
    char path[512];
    struct stat st;

    snprintf(path, sizeof(path), SRC("%s"), rel);
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

#define MAX_ENTRIES 512
typedef char entry_t[256];

/* The names in @a rel, a directory of the source tree, into @a out; hidden ones (., ..,
 * and an in-tree build's .deps and .libs) left out. */
static int list_dir(const char *rel, entry_t *out)
{
    char path[512];
    DIR *d;
    struct dirent *e;
    int n = 0;

    snprintf(path, sizeof(path), SRC("%s"), rel);
    d = opendir(path);
    ck_assert_msg(d != NULL, "%s is missing", rel);
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.') {
            ck_assert_msg(n < MAX_ENTRIES, "%s has more than %d entries", rel, MAX_ENTRIES);
            snprintf(out[n++], sizeof(entry_t), "%s", e->d_name);
        }
    }
    closedir(d);
    return n;
}

static int has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), m = strlen(suffix);

    return n > m && strcmp(name + n - m, suffix) == 0;
}

static int is_source(const char *name)
{
    return has_suffix(name, ".c") || has_suffix(name, ".h");
}

static int is_word_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_';
}

/* Does @a line hold @a word with no identifier character on either side? */
static int has_word(const char *line, const char *word)
{
    size_t n = strlen(word);

    for (const char *p = strstr(line, word); p; p = strstr(p + 1, word)) {
        if ((p == line || !is_word_char(p[-1])) && !is_word_char(p[n])) {
            return 1;
        }
    }
    return 0;
}

/* The row "| FOLDER | ..." of ARCHITECTURE.md's table of folders, into @a row. */
static int folder_row(const char *folder, char *row, size_t size)
{
    char head[64];
    FILE *f = fopen(SRC("ARCHITECTURE.md"), "r");
    int found = 0;

    ck_assert_msg(f != NULL, "ARCHITECTURE.md is missing");
    snprintf(head, sizeof(head), "| %s |", folder);
    while (!found && fgets(row, (int)size, f)) {
        found = strncmp(row, head, strlen(head)) == 0;
    }
    fclose(f);
    return found;
}

KVU_CASE(tree_case, "tree", NULL, NULL);

KVC_TEST(tree_case, core_sources_stand_in_layer_folders)
{
    entry_t names[MAX_ENTRIES];
    int n = list_dir("server", names), folders = 0;

    for (int i = 0; i < n; i++) {
        char sub[300], row[4096];

        ck_assert_msg(!is_source(names[i]), "server/%s is in no layer folder", names[i]);
        snprintf(sub, sizeof(sub), "server/%.255s", names[i]);
        if (is_dir(sub)) {
            ck_assert_msg(folder_row(names[i], row, sizeof(row)),
                          "ARCHITECTURE.md's table of folders has no row for %s/", sub);
            folders++;
        }
    }
    ck_assert_int_ge(folders, 5);
}
END_TEST

/* Each server/FOLDER/NAME.c and .h is named (as NAME) in FOLDER's row. */
KVC_TEST(tree_case, every_core_file_is_in_its_folders_row)
{
    entry_t folders[MAX_ENTRIES], files[MAX_ENTRIES];
    int n = list_dir("server", folders), checked = 0;

    for (int i = 0; i < n; i++) {
        char sub[300], row[4096];
        int m;

        snprintf(sub, sizeof(sub), "server/%.255s", folders[i]);
        if (!is_dir(sub) || !folder_row(folders[i], row, sizeof(row))) {
            continue;
        }
        m = list_dir(sub, files);
        for (int j = 0; j < m; j++) {
            char stem[256];

            if (!is_source(files[j])) {
                continue;
            }
            snprintf(stem, sizeof(stem), "%.*s", (int)strlen(files[j]) - 2, files[j]);
            ck_assert_msg(has_word(row, stem), "%s/%s is not in the row of %s/ in ARCHITECTURE.md",
                          sub, files[j], folders[i]);
            checked++;
        }
    }
    ck_assert_int_ge(checked, 20);
}
END_TEST

/* Every file path ARCHITECTURE.md names (server/..., mpm/..., include/... ending in .c or
 * .h) exists. */
KVC_TEST(tree_case, every_named_path_exists)
{
    static const char *const roots[] = {"server/", "mpm/", "include/", "modules/", "tests/"};
    FILE *f = fopen(SRC("ARCHITECTURE.md"), "r");
    char line[4096];
    int paths = 0;

    ck_assert_msg(f != NULL, "ARCHITECTURE.md is missing");
    while (fgets(line, sizeof(line), f)) {
        for (char *p = line; *p; p++) {
            char path[256], full[512];
            size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                 "0123456789_./-");
            int rooted = 0;

            for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
                rooted |= strncmp(p, roots[i], strlen(roots[i])) == 0;
            }
            if (!rooted || (p > line && is_word_char(p[-1])) || n >= sizeof(path)) {
                continue;
            }
            snprintf(path, sizeof(path), "%.*s", (int)n, p);
            p += n - 1;
            if (!is_source(path)) {
                continue;
            }
            snprintf(full, sizeof(full), SRC("%s"), path);
            ck_assert_msg(access(full, F_OK) == 0, "ARCHITECTURE.md names %s, which is gone", path);
            paths++;
        }
    }
    fclose(f);
    ck_assert_int_ge(paths, 50);
}
END_TEST

/* tests/unit/server/FOLDER/ for each folder of server/ it tests; no test outside them. */
KVC_TEST(tree_case, unit_tests_mirror_server)
{
    entry_t names[MAX_ENTRIES];
    int n = list_dir("tests/unit/server", names);

    for (int i = 0; i < n; i++) {
        char sub[300];

        ck_assert_msg(!is_source(names[i]), "tests/unit/server/%s is in no folder of server/",
                      names[i]);
        snprintf(sub, sizeof(sub), "server/%.255s", names[i]);
        ck_assert_msg(is_dir(sub), "tests/unit/server/%s/ mirrors no %s/", names[i], sub);
    }
    ck_assert_int_ge(n, 5);
}
END_TEST

/* Is kv_NAME defined in request.c: a line at column 0 that names it, not a declaration? */
static int defined_in_request_c(const char *name)
{
    FILE *f = fopen(SRC("server/request/request.c"), "r");
    char line[512], call[520];
    int found = 0;

    ck_assert_ptr_nonnull(f);
    snprintf(call, sizeof(call), "%s(", name);
    while (!found && fgets(line, sizeof(line), f)) {
        found = isalpha((unsigned char)line[0]) && strstr(line, call) && !strchr(line, ';');
    }
    fclose(f);
    return found;
}

KVC_TEST(tree_case, request_h_declares_only_request_c)
{
    FILE *f = fopen(SRC("server/request/request.h"), "r");
    char line[512];
    int decls = 0;

    ck_assert_ptr_nonnull(f);
    while (fgets(line, sizeof(line), f)) {
        char *open = strchr(line, '('), *name = open;

        ck_assert_msg(strncmp(line, "#define", 7) != 0 || strstr(line, "KV_REQUEST_H"),
                      "request.h defines a macro request.c does not own: %s", line);
        if (!isalpha((unsigned char)line[0]) || !open || line[0] == '#') {
            continue;
        }
        while (name > line && is_word_char(name[-1])) {
            name--;
        }
        *open = '\0';
        ck_assert_msg(defined_in_request_c(name), "request.h declares %s, not request.c's", name);
        decls++;
    }
    fclose(f);
    ck_assert_int_ge(decls, 1);
}
END_TEST

int main(void)
{
    return kvc_run("architecture");
}
