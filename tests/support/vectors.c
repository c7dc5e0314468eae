/* Test vectors read from data files (vectors.h): one vector a line, tab-separated fields with
 * C escapes, \N for NULL, '#' comments. */
#include "vectors.h"

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where the source tree stands (vectors live beside their tests, not in the build tree). */
#ifndef KVC_SRCDIR
#define KVC_SRCDIR "."
#endif

static int vector_error(char *err, size_t errlen, const char *name, int line, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(err, errlen, "%s:%d: ", name, line);

    va_start(ap, fmt);
    vsnprintf(err + n, errlen > (size_t)n ? errlen - (size_t)n : 0, fmt, ap);
    va_end(ap);
    return -1;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Unescape field @a s in place: NULL for \N, else @a s; *@a bad names what is wrong. */
static char *unescape(char *s, const char **bad)
{
    static const char plain[] = "\\\\t\tn\nr\r\"\"''a\ab\bf\fv\v??";
    char *out = s;

    if (strcmp(s, "\\N") == 0) {
        return NULL;
    }
    for (const char *p = s; *p != '\0'; p++) {
        const char *e;
        int c = 0, n;

        if (*p != '\\') {
            *out++ = *p;
            continue;
        }
        p++;
        if (*p == 'x') {
            for (n = 0; n < 2 && hex_digit(p[1]) >= 0; n++) {
                c = c * 16 + hex_digit(*++p);
            }
            if (n == 0) {
                *bad = "\\x without hex digits";
                return s;
            }
        } else if (*p >= '0' && *p <= '7') {
            c = *p - '0';
            for (n = 1; n < 3 && p[1] >= '0' && p[1] <= '7'; n++) {
                c = c * 8 + (*++p - '0');
            }
        } else if (*p != '\0' && (e = strchr(plain, *p)) != NULL && (e - plain) % 2 == 0) {
            c = e[1];
        } else {
            *bad = "unknown escape";
            return s;
        }
        if (c == 0 || c > UCHAR_MAX) {
            *bad = "an escape makes a NUL byte or more than a byte";
            return s;
        }
        *out++ = (char)c;
    }
    *out = '\0';
    return s;
}

/* Split @a text (a line without its newline) into @a v's @a nfields fields. */
static int split(char *text, int nfields, struct kvc_vector *v, char *err, size_t errlen)
{
    int k = 0;

    v->field = calloc((size_t)nfields, sizeof(*v->field));
    if (v->field == NULL || text == NULL) {
        return vector_error(err, errlen, v->file, v->line, "out of memory");
    }
    for (char *f = text, *tab;; f = tab + 1) {
        const char *bad = NULL;

        tab = strchr(f, '\t');
        if (tab != NULL) {
            *tab = '\0';
        }
        if (k == nfields) {
            return vector_error(err, errlen, v->file, v->line, "more than %d fields", nfields);
        }
        v->field[k++] = unescape(f, &bad);
        if (bad != NULL) {
            return vector_error(err, errlen, v->file, v->line, "field %d: %s", k, bad);
        }
        if (tab == NULL) {
            break;
        }
    }
    if (k != nfields) {
        return vector_error(err, errlen, v->file, v->line, "%d fields, want %d", k, nfields);
    }
    return 0;
}

int kvc_vectors_read(const char *path, const char *name, int nfields, struct kvc_vector **out,
                     char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int n = 0, lineno = 0, rc = 0;

    *out = NULL;
    if (f == NULL) {
        return vector_error(err, errlen, name, 0, "%s", strerror(errno));
    }
    while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
        struct kvc_vector *v;

        lineno++;
        if (len > 0 && line[len - 1] == '\n') {
            line[--len] = '\0';
        }
        if (len == 0 || line[0] == '#') {
            continue;
        }
        v = realloc(*out, (size_t)(n + 1) * sizeof(**out));
        if (v == NULL) {
            rc = vector_error(err, errlen, name, lineno, "out of memory");
            break;
        }
        *out = v;
        v = &v[n++];
        v->file = name;
        v->line = lineno;
        v->field = NULL;
        v->text = strdup(line);
        rc = split(v->text, nfields, v, err, errlen);
    }
    free(line);
    fclose(f);
    if (rc != 0) {
        while (n > 0) {
            n--;
            free((*out)[n].field);
            free((*out)[n].text);
        }
        free(*out);
        *out = NULL;
        return -1;
    }
    return n;
}

int kvc_vectors(const char *name, int nfields, const struct kvc_vector **out)
{
    /* Read once in this process; a test program reads each of its files at most once a test. */
    static struct loaded {
        const char *name;
        struct kvc_vector *v;
        int n;
    } files[8];
    struct loaded *l = files;
    char path[4096], err[512];

    while (l < files + 8 && l->name != NULL && strcmp(l->name, name) != 0) {
        l++;
    }
    ck_assert_msg(l < files + 8, "more than 8 vector files in one program");
    if (l->name == NULL) {
        snprintf(path, sizeof(path), "%s/%s", KVC_SRCDIR, name);
        l->n = kvc_vectors_read(path, name, nfields, &l->v, err, sizeof(err));
        ck_assert_msg(l->n >= 0, "%s", err);
        l->name = name;
    }
    *out = l->v;
    return l->n;
}

const struct kvc_vector *kvc_vector(const char *name, int count, int nfields, int i)
{
    const struct kvc_vector *v;
    int n = kvc_vectors(name, nfields, &v);

    ck_assert_msg(n == count, "%s: %d vectors, the test wants %d", name, n, count);
    ck_assert_int_lt(i, count);
    return &v[i];
}

int kvc_vector_int(const struct kvc_vector *v, int k)
{
    const char *s = v->field[k];
    char *end;
    long n;

    ck_assert_msg(s != NULL, "%s:%d: field %d is \\N, want a number", v->file, v->line, k + 1);
    errno = 0;
    n = strtol(s, &end, 10);
    ck_assert_msg(*s != '\0' && *end == '\0' && errno == 0 && n >= INT_MIN && n <= INT_MAX,
                  "%s:%d: field %d '%s' is not a number", v->file, v->line, k + 1, s);
    return (int)n;
}
