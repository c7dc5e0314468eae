/* Tests of modules/filter/filter_util.c: FilterChain's edits and merge, FilterProtocol's
 * flags, AddOutputFilterByType's type match. */
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <check.h>

#include "filter_util.h"
#include "../check_run.h"

static apr_pool_t *pool;

/* The names in force of the chain, joined with spaces. */
static const char *names(const filter_chain_t *chain)
{
    apr_array_header_t *n = filter_chain_names(pool, chain);

    return apr_array_pstrcat(pool, n, ' ');
}

static filter_chain_t *chain_of(const char *words)
{
    filter_chain_t *chain = apr_array_make(pool, 2, sizeof(const char *));
    char *last;

    for (char *w = apr_strtok(apr_pstrdup(pool, words), " ", &last); w;
         w = apr_strtok(NULL, " ", &last)) {
        filter_chain_edit(pool, chain, w);
    }
    return chain;
}

KVU_POOL_CASE(filter_util_case, "filter_util", pool);

KVC_TEST(filter_util_case, test_chain_edits)
{
    ck_assert_str_eq(names(chain_of("A +B @C")), "C A B");
    ck_assert_str_eq(names(chain_of("A B C -b")), "A C");
    ck_assert_str_eq(names(chain_of("A B =C D")), "C D");
    ck_assert_str_eq(names(chain_of("A B !")), "");
    ck_assert_str_eq(names(chain_of("A ! +B")), "B");
    /* As httpd: what is put before a reset is dropped with it. */
    ck_assert_str_eq(names(chain_of("A ! @B")), "");
}
END_TEST

KVC_TEST(filter_util_case, test_chain_merge)
{
    ck_assert_str_eq(names(filter_chain_merge(pool, chain_of("A B"), chain_of("C"))), "A B C");
    ck_assert_str_eq(names(filter_chain_merge(pool, chain_of("A B"), chain_of(""))), "A B");
    ck_assert_str_eq(names(filter_chain_merge(pool, chain_of("A B"), chain_of("!"))), "");
    ck_assert_str_eq(names(filter_chain_merge(pool, chain_of("A B"), chain_of("=C"))), "C");
    ck_assert_str_eq(names(filter_chain_merge(pool, chain_of("=A"), chain_of("B"))), "A B");
}
END_TEST

KVC_TEST(filter_util_case, test_proto_flags)
{
    ck_assert_uint_eq(filter_proto_flags(pool, "change=yes"),
                      FILTER_PROTO_CHANGE | FILTER_PROTO_CHANGE_LENGTH);
    ck_assert_uint_eq(filter_proto_flags(pool, "change=1:1"), FILTER_PROTO_CHANGE);
    ck_assert_uint_eq(filter_proto_flags(pool, "change=yes;change=no"), 0);
    ck_assert_uint_eq(filter_proto_flags(pool, "byteranges=no, cache=no proxy=no"),
                      FILTER_PROTO_NO_BYTERANGE | FILTER_PROTO_NO_CACHE | FILTER_PROTO_NO_PROXY);
    ck_assert_uint_eq(filter_proto_flags(pool, "Proxy=Transform;whatever"), FILTER_PROTO_TRANSFORM);
}
END_TEST

KVC_TEST(filter_util_case, test_type_matches)
{
    ck_assert(filter_type_matches("text/html", "text/html"));
    ck_assert(filter_type_matches("text/html", "text/html; charset=utf-8"));
    ck_assert(filter_type_matches("text/html", "text/html;charset=utf-8"));
    ck_assert(!filter_type_matches("text/html", "text/htmlx"));
    ck_assert(!filter_type_matches("text/html", "text/htm"));
    ck_assert(!filter_type_matches("text/html", NULL));
    ck_assert(!filter_type_matches("text/html", ""));
}
END_TEST

int main(void)
{
    return kvc_run("filter_util");
}
