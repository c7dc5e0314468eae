/* The vectors loader (vectors.h): fields, escapes, \N, comments, and a bad line named by its
 * file and line. */
#include "check_register.h"
#include "vectors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SAMPLE "tests/support/test_vectors.vectors"

KVC_CASE(vectors, .name = "vectors");

KVC_TEST(vectors, test_fields_and_escapes)
{
    const struct kvc_vector *v = kvc_vector(SAMPLE, 3, 3, 0);

    ck_assert_str_eq(v->file, SAMPLE);
    ck_assert_int_eq(v->line, 4);
    ck_assert_str_eq(v->field[0], "plain");
    ck_assert_str_eq(v->field[1], "two words");
    ck_assert_int_eq(kvc_vector_int(v, 2), 42);
    v = kvc_vector(SAMPLE, 3, 3, 1);
    ck_assert_int_eq(v->line, 5);
    ck_assert_str_eq(v->field[0], "\\ \t \n \r \" A~ A\0101");
    ck_assert_str_eq(v->field[1], "");
    ck_assert_int_eq(kvc_vector_int(v, 2), -7);
    v = kvc_vector(SAMPLE, 3, 3, 2);
    ck_assert_int_eq(v->line, 6);
    ck_assert_ptr_null(v->field[0]);
    ck_assert_str_eq(v->field[1], "#not a comment");
    ck_assert_int_eq(kvc_vector_int(v, 2), 0);
}
END_TEST

/* Bad files, and the first words of what the loader says of each. */
static const struct {
    const char *text, *error;
} bad[] = {
    {"a\tb\n\nc\n", "bad.vectors:3: 1 fields, want 2"},
    {"a\tb\tc\n", "bad.vectors:1: more than 2 fields"},
    {"# c\na\t\\q\n", "bad.vectors:2: field 2: unknown escape"},
    {"a\\x\tb\n", "bad.vectors:1: field 1: \\x without hex digits"},
    {"a\\0\tb\n", "bad.vectors:1: field 1: an escape makes a NUL"},
    {"a\\777\tb\n", "bad.vectors:1: field 1: an escape makes a NUL byte or more than a byte"},
    {"a\tb\\\n", "bad.vectors:1: field 2: unknown escape"},
};

KVC_LOOP_TEST(vectors, test_bad_line_named, 0, (int)(sizeof(bad) / sizeof(bad[0])))
{
    char path[] = "/tmp/kvc_vectors_XXXXXX", err[256] = "";
    struct kvc_vector *v;
    int fd = mkstemp(path);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, bad[_i].text, strlen(bad[_i].text)), (int)strlen(bad[_i].text));
    close(fd);
    ck_assert_int_eq(kvc_vectors_read(path, "bad.vectors", 2, &v, err, sizeof(err)), -1);
    unlink(path);
    ck_assert_msg(strncmp(err, bad[_i].error, strlen(bad[_i].error)) == 0, "'%s', want '%s'", err,
                  bad[_i].error);
}
END_TEST

KVC_TEST(vectors, test_missing_file_named)
{
    char err[256] = "";
    struct kvc_vector *v;

    ck_assert_int_eq(kvc_vectors_read("/nonexistent/x", "x.vectors", 1, &v, err, sizeof(err)),
                     -1);
    ck_assert_str_eq(err, "x.vectors:0: No such file or directory");
}
END_TEST

int main(void)
{
    return kvc_run("vectors");
}
