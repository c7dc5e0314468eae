/* Integration harness: small utilities, and files in the server's tree. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* POSIX and GNU interfaces under -std=c11 */
#endif
#include "internal.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

long kvt_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void kvth_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

int kvt_contains(const char *haystack, const char *needle)
{
    return haystack != NULL && strstr(haystack, needle) != NULL;
}

int kvt_contains_nocase(const char *haystack, const char *needle)
{
    return haystack != NULL && strcasestr(haystack, needle) != NULL;
}

char *kvth_strdup(const char *s)
{
    char *d = strdup(s);
    ck_assert_msg(d != NULL, "out of memory");
    return d;
}

char *kvth_vformat(const char *fmt, va_list ap)
{
    char *s = NULL;
    ck_assert_msg(vasprintf(&s, fmt, ap) >= 0, "out of memory");
    return s;
}

char *kvt_strf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = kvth_vformat(fmt, ap);
    va_end(ap);
    return s;
}

/* The whole file, NUL-terminated, or NULL if it cannot be read. */
char *kvt_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0) {
            break;
        }
        if (cap - len - 1 == 0) {
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf != NULL) {
        buf[len] = '\0';
    }
    return buf;
}

static void make_parents(const char *path)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
                ck_abort_msg("mkdir %s: %s", tmp, strerror(errno));
            }
            chmod(tmp, 0755);
            *p = '/';
        }
    }
}

void kvth_write_path(const char *path, const char *content, size_t len)
{
    make_parents(path);
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot write %s: %s", path, strerror(errno));
    ck_assert_msg(fwrite(content, 1, len, f) == len, "short write to %s", path);
    ck_assert_int_eq(fclose(f), 0);
    chmod(path, 0644);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void kvth_remove_tree(const char *path)
{
    if (path[0] != '\0') {
        nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
}
