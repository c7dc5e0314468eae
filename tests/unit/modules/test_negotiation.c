/* mod_negotiation's pure parts: q values, Accept-style fields, type-map files, and httpd's
 * choice among variants with the Vary it implies. */
#include <check.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "neg_choose.h"
#include "neg_parse.h"
#include "../check_run.h"

static apr_pool_t *pool;

KVU_POOL_CASE(negotiation, "negotiation", pool);

KVC_TEST(negotiation, test_atoq)
{
    ck_assert_float_eq(neg_atoq("0.5"), 0.5f);
    ck_assert_float_eq(neg_atoq(" 0.25"), 0.25f);
    ck_assert_float_eq(neg_atoq(".8"), 0.8f);
    ck_assert_float_eq(neg_atoq("0.1239"), 0.123f);
    ck_assert_float_eq(neg_atoq("0"), 0.0f);
    ck_assert_float_eq(neg_atoq("1"), 1.0f);
    ck_assert_float_eq(neg_atoq("1.0"), 1.0f);
    ck_assert_float_eq(neg_atoq(""), 1.0f);
    ck_assert_float_eq(neg_atoq(NULL), 1.0f);
    ck_assert_float_eq(neg_atoq("junk"), 1.0f);
}
END_TEST

static const neg_accept_t *entry(const apr_array_header_t *a, int i)
{
    return &APR_ARRAY_IDX(a, i, neg_accept_t);
}

KVC_TEST(negotiation, test_accept_fields)
{
    apr_array_header_t *a =
        neg_parse_accept(pool, "Text/HTML;level=1;q=0.5, text/*; q=0.3 ,,*/*,"
                               "text/plain;charset=\"UTF-8\", text/html");

    ck_assert_ptr_null(neg_parse_accept(pool, NULL));
    ck_assert_int_eq(a->nelts, 5);
    ck_assert_str_eq(entry(a, 0)->name, "text/html");
    ck_assert_float_eq(entry(a, 0)->q, 0.5f);
    ck_assert_float_eq(entry(a, 0)->level, 1.0f);
    ck_assert_str_eq(entry(a, 1)->name, "text/*");
    ck_assert_float_eq(entry(a, 1)->q, 0.3f);
    ck_assert_str_eq(entry(a, 2)->name, "*/*");
    ck_assert_float_eq(entry(a, 2)->q, 1.0f);
    ck_assert_str_eq(entry(a, 3)->charset, "utf-8");
    /* text/html without a level accepts level 2, as in httpd. */
    ck_assert_float_eq(entry(a, 4)->level, 2.0f);
    ck_assert_int_eq(neg_parse_accept(pool, "")->nelts, 0);
}
END_TEST

/* Stack memory the parser's uninitialised state would take, made non-null (fuzz_negotiation's
 * finding: the crash needs garbage there, not zeros). */
static void dirty_stack(void)
{
    volatile char junk[8192];

    memset((char *)junk, 0x41, sizeof(junk));
}

/* An element of only ';' (or nothing) has no name: apr_strtok then left the parameter
 * scan's state unset, and the scan went on from it. Accept is a client's, a type map's
 * Content-Type a file's. */
KVC_TEST(negotiation, test_elements_without_a_name)
{
    static const char *const fields[] = {";", ";;", " ; ", "text/html, ;, en", ";,;;,"};
    apr_array_header_t *a;
    const char *err = NULL;

    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        dirty_stack();
        a = neg_parse_accept(pool, fields[i]);
        for (int j = 0; j < a->nelts; j++) {
            ck_assert_ptr_null(strchr(entry(a, j)->name, ';'));
        }
    }
    ck_assert_int_eq(neg_parse_accept(pool, "text/html, ;, en")->nelts, 2);
    dirty_stack();
    a = neg_parse_type_map(pool, "URI: a\nContent-Type:\nContent-Length: 3\n", &err);
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(a->nelts, 1);
    ck_assert_str_eq(((neg_variant_t *)a->elts)[0].type, "");
    dirty_stack();
    a = neg_parse_type_map(pool, "URI: b\nContent-Type: ;;\n", &err);
    ck_assert_int_eq(a->nelts, 1);
    ck_assert_str_eq(((neg_variant_t *)a->elts)[0].type, "");
}
END_TEST

static neg_variant_t *variant(const apr_array_header_t *v, int i)
{
    return &APR_ARRAY_IDX(v, i, neg_variant_t);
}

KVC_TEST(negotiation, test_type_map)
{
    const char *err = NULL;
    apr_array_header_t *v = neg_parse_type_map(pool,
                                               "# a comment\n"
                                               "URI: foo\n"
                                               "\n"
                                               "URI: foo.en.html\n"
                                               "Content-type: text/html; qs=0.5 (a comment)\n"
                                               "Content-Language: EN, en-GB\n"
                                               "Content-Length: 120\n"
                                               "\n\n"
                                               "uri: foo.fr.html.gz\r\n"
                                               "Content-Type: text/html;charset=ISO-8859-1\r\n"
                                               "Content-Encoding: X-GZIP\r\n"
                                               "Content-Length: 12x\r\n"
                                               "\r\n"
                                               "Content-Type: text/plain\n"
                                               "\n"
                                               "URI: last.txt\n"
                                               "Content-Language: de",
                                               &err);

    ck_assert_msg(v != NULL, "%s", err);
    ck_assert_int_eq(v->nelts, 3); /* "foo" says nothing, the fourth has no URI */
    ck_assert_str_eq(variant(v, 0)->uri, "foo.en.html");
    ck_assert_str_eq(variant(v, 0)->type, "text/html");
    ck_assert_float_eq(variant(v, 0)->qs, 0.5f);
    ck_assert_str_eq(apr_array_pstrcat(pool, variant(v, 0)->languages, '|'), "en|en-gb");
    ck_assert_int_eq(variant(v, 0)->length, 120);
    ck_assert_str_eq(variant(v, 1)->uri, "foo.fr.html.gz");
    ck_assert_str_eq(variant(v, 1)->charset, "iso-8859-1");
    ck_assert_str_eq(variant(v, 1)->encoding, "x-gzip");
    ck_assert_int_eq(variant(v, 1)->length, -1);
    ck_assert_str_eq(variant(v, 2)->uri, "last.txt");
    ck_assert_str_eq(variant(v, 2)->type, "");

    ck_assert_ptr_null(neg_parse_type_map(pool, "URI: a\nno colon here\n", &err));
    ck_assert_ptr_nonnull(strstr(err, "line 2"));
    ck_assert_ptr_null(neg_parse_type_map(pool, "URI: a\nBody:----xyz----\n", &err));
    ck_assert_ptr_nonnull(strstr(err, "Body"));
}
END_TEST

/* A variant "uri" of @a type (a Content-Type value) in @a langs ("en,fr" or ""). */
static void add(apr_array_header_t *vs, const char *uri, const char *type, const char *langs,
                const char *encoding, apr_off_t length)
{
    neg_variant_t *v = neg_variant_new(pool, uri);
    char *copy = apr_pstrdup(pool, langs), *last;

    neg_variant_set_type(pool, v, type);
    for (char *l = apr_strtok(copy, ",", &last); l; l = apr_strtok(NULL, ",", &last)) {
        APR_ARRAY_PUSH(v->languages, const char *) = l;
    }
    v->encoding = encoding;
    v->length = length;
    APR_ARRAY_PUSH(vs, neg_variant_t) = *v;
}

static apr_array_header_t *en_fr(void)
{
    apr_array_header_t *vs = apr_array_make(pool, 2, sizeof(neg_variant_t));

    add(vs, "index.html.en", "text/html", "en", NULL, 10);
    add(vs, "index.html.fr", "text/html; charset=utf-8", "fr", NULL, 10);
    return vs;
}

static apr_array_header_t *priority(const char *langs)
{
    apr_array_header_t *a = apr_array_make(pool, 2, sizeof(const char *));
    char *copy = apr_pstrdup(pool, langs), *last;

    for (char *l = apr_strtok(copy, " ", &last); l; l = apr_strtok(NULL, " ", &last)) {
        APR_ARRAY_PUSH(a, const char *) = l;
    }
    return a;
}

/* The URI chosen for these request fields, or "406". */
static const char *choose(apr_array_header_t *vs, const char *accept, const char *lang,
                          const char *charset, const char *encoding, const char *prio, int force)
{
    neg_request_t r;
    neg_variant_t *best;

    neg_request_init(pool, &r, accept, lang, charset, encoding);
    r.language_priority = prio ? priority(prio) : NULL;
    r.force = force;
    best = neg_choose(&r, vs);
    return best ? best->uri : "406";
}

KVC_TEST(negotiation, test_choose_language)
{
    apr_array_header_t *vs = en_fr();

    /* Nothing asked: LanguagePriority's first; without one, the charset other than
     * iso-8859-1 wins the tie, as in httpd. */
    ck_assert_str_eq(choose(vs, NULL, NULL, NULL, NULL, "en fr", 0), "index.html.en");
    ck_assert_str_eq(choose(vs, NULL, NULL, NULL, NULL, "fr en", 0), "index.html.fr");
    ck_assert_str_eq(choose(vs, NULL, NULL, NULL, NULL, NULL, 0), "index.html.fr");
    ck_assert_str_eq(choose(vs, NULL, "fr;q=0.5, en;q=0.4", NULL, NULL, "en", 0),
                     "index.html.fr");
    ck_assert_str_eq(choose(vs, NULL, "fr;q=0.5, EN;q=0.6", NULL, NULL, NULL, 0),
                     "index.html.en");
    /* A tie in the client's q values: LanguagePriority decides (Prefer). */
    ck_assert_str_eq(choose(vs, NULL, "fr, en", NULL, NULL, "fr en", 0), "index.html.fr");
    /* Nothing in an asked language: 406, or LanguagePriority with Fallback. */
    ck_assert_str_eq(choose(vs, NULL, "de", NULL, NULL, "fr en", NEG_FLP_PREFER), "406");
    ck_assert_str_eq(choose(vs, NULL, "de", NULL, NULL, "fr en", NEG_FLP_FALLBACK),
                     "index.html.fr");
    ck_assert_str_eq(choose(vs, NULL, "de", NULL, NULL, "fr en", NEG_FLP_NONE), "406");
    /* "*" takes any language; fr;q=0 refuses fr. */
    ck_assert_str_eq(choose(vs, NULL, "*;q=0.1, fr;q=0", NULL, NULL, NULL, 0), "index.html.en");
    ck_assert_str_eq(choose(vs, NULL, "en;q=0, fr;q=0", NULL, NULL, NULL, 0), "406");
}
END_TEST

KVC_TEST(negotiation, test_choose_language_ranges)
{
    apr_array_header_t *vs = apr_array_make(pool, 2, sizeof(neg_variant_t));

    add(vs, "a.en-gb", "text/html", "en-gb", NULL, 1);
    add(vs, "a.de", "text/html", "de", NULL, 1);
    /* The range "en" covers "en-gb". */
    ck_assert_str_eq(choose(vs, NULL, "en, de;q=0.5", NULL, NULL, NULL, 0), "a.en-gb");
    vs = apr_array_make(pool, 2, sizeof(neg_variant_t));
    add(vs, "b.de", "text/html", "de", NULL, 1);
    add(vs, "b.en", "text/html", "en", NULL, 1);
    /* httpd's fiddle: en-us asked, en offered, beats what was not asked at all. */
    ck_assert_str_eq(choose(vs, NULL, "en-us", NULL, NULL, NULL, 0), "b.en");
    /* A variant without a language loses to one in an asked language. */
    add(vs, "b.none", "text/html", "", NULL, 1);
    ck_assert_str_eq(choose(vs, NULL, "de", NULL, NULL, NULL, 0), "b.de");
}
END_TEST

KVC_TEST(negotiation, test_choose_type)
{
    apr_array_header_t *vs = apr_array_make(pool, 2, sizeof(neg_variant_t));

    add(vs, "d.html", "text/html", "", NULL, 1);
    add(vs, "d.txt", "text/plain", "", NULL, 1);
    add(vs, "d.png", "image/png; qs=0.5", "", NULL, 1);
    ck_assert_str_eq(choose(vs, "image/png", NULL, NULL, NULL, NULL, 0), "d.png");
    ck_assert_str_eq(choose(vs, "application/pdf", NULL, NULL, NULL, NULL, 0), "406");
    /* Without q values a wildcard ranks below a named type (httpd's fiddle)... */
    ck_assert_str_eq(choose(vs, "*/*, text/plain", NULL, NULL, NULL, NULL, 0), "d.txt");
    ck_assert_str_eq(choose(vs, "image/*, text/plain", NULL, NULL, NULL, NULL, 0), "d.txt");
    /* ... with q values, the values count: html (1 from * / *) over plain (0.5). */
    ck_assert_str_eq(choose(vs, "*/*, text/plain;q=0.5", NULL, NULL, NULL, NULL, 0), "d.html");
    /* The source quality: png's qs 0.5 loses to html at the same q. */
    ck_assert_str_eq(choose(vs, "image/png, text/html", NULL, NULL, NULL, NULL, 0), "d.html");
    ck_assert_str_eq(choose(vs, "image/png, text/html;q=0.4", NULL, NULL, NULL, NULL, 0),
                     "d.png");
    /* A level above what is accepted does not match. */
    vs = apr_array_make(pool, 2, sizeof(neg_variant_t));
    add(vs, "l3.html", "text/html; level=3", "", NULL, 1);
    add(vs, "l1.html", "text/html; level=1", "", NULL, 1);
    ck_assert_str_eq(choose(vs, "text/html;level=2", NULL, NULL, NULL, NULL, 0), "l1.html");
    ck_assert_str_eq(choose(vs, "text/html;level=3", NULL, NULL, NULL, NULL, 0), "l3.html");
}
END_TEST

KVC_TEST(negotiation, test_choose_charset_encoding_length)
{
    apr_array_header_t *vs = en_fr();

    /* utf-8 refused; iso-8859-1 (text's default) is acceptable unless refused. */
    ck_assert_str_eq(choose(vs, NULL, "fr, en;q=0.5", "utf-8;q=0, *;q=0.5", NULL, NULL, 0),
                     "index.html.en");
    ck_assert_str_eq(choose(vs, NULL, "fr", "utf-8;q=0, *;q=0.5", NULL, NULL, 0), "406");
    ck_assert_str_eq(choose(vs, NULL, "fr, en", "utf-8", NULL, NULL, 0), "index.html.fr");
    ck_assert_str_eq(choose(vs, NULL, NULL, "koi8-r", NULL, NULL, 0), "index.html.en");
    /* A charset other than iso-8859-1 wins a tie. */
    ck_assert_str_eq(choose(vs, NULL, "fr, en", NULL, NULL, NULL, 0), "index.html.fr");

    vs = apr_array_make(pool, 2, sizeof(neg_variant_t));
    add(vs, "t.txt", "text/plain", "", NULL, 100);
    add(vs, "t.txt.gz", "text/plain", "", "x-gzip", 40);
    ck_assert_str_eq(choose(vs, NULL, NULL, NULL, NULL, NULL, 0), "t.txt");
    ck_assert_str_eq(choose(vs, NULL, NULL, NULL, "gzip", NULL, 0), "t.txt.gz");
    ck_assert_str_eq(choose(vs, NULL, NULL, NULL, "gzip;q=0, identity", NULL, 0), "t.txt");
    ck_assert_str_eq(choose(vs, NULL, NULL, NULL, "br", NULL, 0), "t.txt");
    ck_assert_str_eq(choose(vs, NULL, NULL, NULL, "identity;q=0, br", NULL, 0), "406");
    /* All else equal, the smaller wins. */
    vs = apr_array_make(pool, 2, sizeof(neg_variant_t));
    add(vs, "big.txt", "text/plain", "", NULL, 100);
    add(vs, "small.txt", "text/plain", "", NULL, 99);
    ck_assert_str_eq(choose(vs, NULL, NULL, NULL, NULL, NULL, 0), "small.txt");
}
END_TEST

/* A script (MultiviewsMatch Handlers) loses to a document, unless scripts are preferred. */
KVC_TEST(negotiation, test_scripts)
{
    apr_array_header_t *vs = apr_array_make(pool, 2, sizeof(neg_variant_t));
    neg_request_t r;

    add(vs, "s.cgi", NEG_SCRIPT_TYPE, "", NULL, 1);
    add(vs, "s.html", "text/html", "", NULL, 2);
    neg_request_init(pool, &r, "text/html", NULL, NULL, NULL);
    ck_assert_str_eq(neg_choose(&r, vs)->uri, "s.html");
    r.prefer_scripts = 1;
    ck_assert_str_eq(neg_choose(&r, vs)->uri, "s.cgi");
    vs = apr_array_make(pool, 2, sizeof(neg_variant_t));
    add(vs, "only.cgi", NEG_SCRIPT_TYPE, "", NULL, 1);
    r.prefer_scripts = 0;
    ck_assert_str_eq(neg_choose(&r, vs)->uri, "only.cgi");
}
END_TEST

KVC_TEST(negotiation, test_no_fiddle)
{
    apr_array_header_t *vs = apr_array_make(pool, 2, sizeof(neg_variant_t));
    neg_request_t r;

    add(vs, "d.html", "text/html", "", NULL, 1);
    add(vs, "d.txt", "text/plain", "", NULL, 2);
    neg_request_init(pool, &r, "*/*, text/plain", NULL, NULL, NULL);
    r.no_fiddle = 1;
    /* Both at q 1: the smaller file. */
    ck_assert_str_eq(neg_choose(&r, vs)->uri, "d.html");
}
END_TEST

KVC_TEST(negotiation, test_vary)
{
    apr_array_header_t *vs = en_fr();

    ck_assert_str_eq(neg_vary(pool, vs, 1), "negotiate,accept-language,accept-charset");
    ck_assert_str_eq(neg_vary(pool, vs, 0), "accept-language,accept-charset");
    vs = apr_array_make(pool, 2, sizeof(neg_variant_t));
    add(vs, "a.txt", "text/plain", "en", NULL, 1);
    ck_assert_ptr_null(neg_vary(pool, vs, 0));
    add(vs, "a.txt.gz", "text/plain", "en", "gzip", 1);
    add(vs, "a.html", "text/html", "en", NULL, 1);
    ck_assert_str_eq(neg_vary(pool, vs, 0), "accept,accept-encoding");
}
END_TEST

int main(void)
{
    return kvc_run("negotiation");
}
