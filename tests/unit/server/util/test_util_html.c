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

static void setup(void)
{
    kvu_apr_pool_setup(&pool);
}

static void teardown(void)
{
    kvu_apr_pool_teardown(pool);
}

static const struct {
    const char *in, *out;
} escapes[] = {
    {"<", "&lt;"},
    {">", "&gt;"},
    {"&", "&amp;"},
    {"\"", "&quot;"},
    {"'", "&#39;"},
    {"\"><script>alert('x')</script>", "&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"},
    {"/dir/a b?q=1&r=2", "/dir/a b?q=1&amp;r=2"},
    /* An entity in the input is text, so its '&' is escaped too: escaping twice shows. */
    {"&amp;&#39;", "&amp;amp;&amp;#39;"},
    {"''", "&#39;&#39;"},
    {"x'", "x&#39;"},
    {"<<>>", "&lt;&lt;&gt;&gt;"},
    /* Bytes above 127 and other punctuation stay as they are. */
    {"caf\xc3\xa9 \xff `=;", "caf\xc3\xa9 \xff `=;"},
};

KVU_CASE(util_html_case, "util_html", setup, teardown);

KVC_LOOP_TEST(util_html_case, escapes_the_five, 0, sizeof(escapes) / sizeof(escapes[0]))
{
    ck_assert_str_eq(kv_escape_html(pool, escapes[_i].in), escapes[_i].out);
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
