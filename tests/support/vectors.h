/**
 * @file vectors.h
 * @brief Test vectors kept in a data file beside the test that reads them, one vector a line.
 *
 * A vectors file holds one vector a line, its fields separated by one tab each. Blank lines
 * and lines whose first character is '#' are comments. A field may hold C escapes (\\ \t \n
 * \r \" \' \a \b \f \v \? \xHH, \ooo octal); a field that is exactly \N stands for no string
 * (NULL). An escape that makes a NUL byte is an error: the fields are C strings.
 *
 * A loop test keeps its range fixed (the registry needs it when the program starts) and asks
 * for its vector by _i; the file must hold exactly that many vectors, or the test fails:
 *
 *     #define ACCEPTS 16
 *     KVC_LOOP_TEST(coding_case, test_accepted, 0, ACCEPTS)
 *     {
 *         const struct kvc_vector *v = kvc_vector("tests/unit/x.vectors", ACCEPTS, 3, _i);
 *         ck_assert_msg(..., "%s:%d: ...", v->file, v->line, ...);
 *     }
 */
#ifndef KVC_VECTORS_H
#define KVC_VECTORS_H

#include <stddef.h>

/** One vector: its fields and where it stands in its file. */
struct kvc_vector {
    const char *file; /**< the file's path as the test named it (relative to the source tree) */
    int line;         /**< its line in the file, from 1 */
    const char **field; /**< the fields, unescaped; NULL where the file says \N */
    char *text;         /**< the copy of the line the fields point into */
};

/** Read the vectors of the file at @a path, each of exactly @a nfields fields, into a new
 * array at *@a out (malloc'd, kept for the life of the program). Their file is @a name.
 * The number read, or -1 with "name:line: what is wrong" (or the system's error) in @a err and
 * nothing kept. */
int kvc_vectors_read(const char *path, const char *name, int nfields, struct kvc_vector **out,
                     char *err, size_t errlen);

/** All the vectors of the file @a name (relative to the top of the source tree), read once per
 * process, in *@a out: their number; fails the test unless the file reads without error and
 * each vector has @a nfields fields. */
int kvc_vectors(const char *name, int nfields, const struct kvc_vector **out);

/** Vector @a i of the file @a name (relative to the top of the source tree), read once per
 * process: fails the test unless the file reads without error and holds exactly @a count
 * vectors of @a nfields fields. */
const struct kvc_vector *kvc_vector(const char *name, int count, int nfields, int i);

/** Field @a k of @a v as a decimal int; fails the test, naming the vector's file:line, if it
 * is not one. */
int kvc_vector_int(const struct kvc_vector *v, int k);

#endif
