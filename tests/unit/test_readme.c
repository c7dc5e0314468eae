/* The README's directive reference stays current: every directive that `kiva -L` lists
 * for a configuration loading every built module has a row in the table. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check_run.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf;
    long n;

    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = calloc(1, (size_t)n + 1);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return buf;
}

/* Only one MPM can be loaded at a time: the configurations take turns. */
static const char *const mpms[] = {"mod_mpm_prefork.so", "mod_mpm_worker.so", "mod_mpm_event.so",
                                   "mod_mpm_fork.so",    "mod_mpm_single.so", "mod_mpm_thread.so"};

static int is_other_mpm(const char *file, const char *mpm)
{
    return strncmp(file, "mod_mpm_", 8) == 0 && strcmp(file, mpm) != 0;
}

/* A config that loads every module built in modules/.libs (but the template), with the
 * MPM @a mpm. */
static void write_config(const char *conf, const char *mpm, int *nmodules)
{
    FILE *f = fopen(conf, "w");
    DIR *d = opendir(KV_TEST_BUILDDIR "/modules/.libs");
    struct dirent *e;

    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(d);
    fprintf(f, "ServerRoot /tmp\nListen 127.0.0.1:1\n");
    *nmodules = 0;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 8 || strncmp(e->d_name, "mod_", 4) != 0 || strcmp(e->d_name + n - 3, ".so") != 0 ||
            strcmp(e->d_name, "mod_skeleton.so") == 0 || is_other_mpm(e->d_name, mpm)) {
            continue;
        }
        fprintf(f, "LoadModule %.*s_module %s/modules/.libs/%s\n", (int)(n - 7), e->d_name + 4,
                KV_TEST_BUILDDIR, e->d_name);
        (*nmodules)++;
    }
    closedir(d);
    fclose(f);
}

KVU_CASE(directives, "directives", NULL, NULL);

KVC_LOOP_TEST(directives, every_directive_has_a_readme_row, 0,
              (int)(sizeof(mpms) / sizeof(mpms[0])))
{
    char conf[] = "/tmp/kiva-readme-XXXXXX";
    char cmd[512], line[512];
    char *readme = slurp(KV_TEST_SRCDIR "/README");
    int fd = mkstemp(conf), nmodules, ndirectives = 0;
    FILE *p;

    ck_assert_int_ge(fd, 0);
    close(fd);
    write_config(conf, mpms[_i], &nmodules);
    ck_assert_int_ge(nmodules, 3);
    snprintf(cmd, sizeof(cmd), "%s/kiva -f %s -L 2>&1", KV_TEST_BUILDDIR, conf);
    p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    while (fgets(line, sizeof(line), p)) {
        char row[600];
        char *sp = strchr(line, ' ');
        if (line[0] == '\t' || !sp) {
            continue;
        }
        *sp = '\0';
        snprintf(row, sizeof(row), "| `%s%s` |", line, line[0] == '<' ? ">" : "");
        ck_assert_msg(strstr(readme, row) != NULL, "README has no row %s", row);
        ndirectives++;
    }
    ck_assert_int_eq(pclose(p), 0);
    unlink(conf);
    free(readme);
    ck_assert_int_ge(ndirectives, 30);
}
END_TEST

int main(void)
{
    return kvc_run("readme");
}
