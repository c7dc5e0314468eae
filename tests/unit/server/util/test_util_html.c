/* Tests of server/util/util_html.c: the one HTML escaping of the server's generated pages. */
/* Moved from tests/unit/server/test_util_html.c (server/ split into layer folders). */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <check.h>

#include "kv_http.h"
#include "../../check_run.h"

static apr_pool_t *pool;

#define ESCAPES_FILE "tests/unit/server/util/util_html_escapes.vectors"
#define ESCAPES 12 /* the vectors in ESCAPES_FILE */

KVU_POOL_CASE(util_html_case, "util_html", pool);

KVC_LOOP_TEST(util_html_case, escapes_the_five, 0, ESCAPES)
{
    const struct kvc_vector *v = kvc_vector(ESCAPES_FILE, ESCAPES, 2, _i);
    const char *out = kv_escape_html(pool, v->field[0]);

    ck_assert_msg(strcmp(out, v->field[1]) == 0, "%s:%d: '%s' gives '%s', want '%s'", v->file,
                  v->line, v->field[0], out, v->field[1]);
}
END_TEST

/* Nothing to escape: the input itself comes back, not a copy. */
KVC_TEST(util_html_case, returns_input_when_nothing_to_escape)
{
    static const char *const plain[] = {"", "/index.html", "GET / HTTP/1.1", "a;b=c d%20e"};

    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
        ck_assert_ptr_eq(kv_escape_html(pool, plain[i]), plain[i]);
    }
}
END_TEST

/* The input is never changed, and a result holds none of the five characters raw. */
KVC_TEST(util_html_case, input_untouched_output_clean)
{
    char *in = apr_pstrdup(pool, "a<b>c&d\"e'f");
    const char *out = kv_escape_html(pool, in);

    ck_assert_str_eq(in, "a<b>c&d\"e'f");
    ck_assert_ptr_ne(out, in);
    ck_assert_ptr_null(strpbrk(out, "<>\"'"));
    ck_assert_str_eq(out, "a&lt;b&gt;c&amp;d&quot;e&#39;f");
}
END_TEST

/* Every byte value alone: the five become their entities, every other byte is kept. */
KVC_TEST(util_html_case, every_byte)
{
    for (int c = 1; c < 256; c++) {
        char in[2] = {(char)c, '\0'};
        const char *out = kv_escape_html(pool, in);

        if (strchr("<>&\"'", c)) {
            ck_assert_msg(out[0] == '&' && out[strlen(out) - 1] == ';', "byte %d: %s", c, out);
        } else {
            ck_assert_msg(out == in, "byte %d was changed or copied", c);
        }
    }
}
END_TEST

int main(void)
{
    return kvc_run("util_html");
}
