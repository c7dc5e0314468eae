/*
 * libFuzzer target for mod_negotiation's parsers (modules/negotiation/neg_parse.c) and its
 * choice (neg_choose.c), see README.md. The input is `FIELDS\0MAP`: the lines of FIELDS are
 * the values of Accept, Accept-Language, Accept-Charset and Accept-Encoding (client bytes; a
 * field without a line is absent), MAP the text of a type-map file. Besides crashes it aborts
 * when a result breaks a promise: an Accept entry has a non-empty lower-case name without ','
 * and a q in [0, 1], text/html without a level gets level 2; a type map gives variants or an
 * error, never both, each with a URI, a lower-case type, a qs in [0, 1] and a length of -1 or
 * more; the chosen variant is one of them, acceptable on every axis.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "fuzz_common.h"
#include "negotiation/neg_choose.h"
#include "negotiation/neg_parse.h"

static int is_lower(const char *s)
{
    for (; *s; s++) {
        if (apr_isupper(*s)) {
            return 0;
        }
    }
    return 1;
}

static void check_accept(const char *line, const apr_array_header_t *entries)
{
    FUZZ_REQUIRE((line == NULL) == (entries == NULL));
    for (int i = 0; entries && i < entries->nelts; i++) {
        const neg_accept_t *e = &APR_ARRAY_IDX(entries, i, neg_accept_t);

        FUZZ_REQUIRE(e->name[0] != '\0' && is_lower(e->name) && strchr(e->name, ',') == NULL);
        FUZZ_REQUIRE(e->q >= 0.0f && e->q <= 1.0f);
        FUZZ_REQUIRE(e->charset != NULL && is_lower(e->charset));
        FUZZ_REQUIRE(strcmp(e->name, "text/html") != 0 || e->level != 0.0f);
    }
}

static void check_variants(const apr_array_header_t *variants, const char *err)
{
    FUZZ_REQUIRE(variants != NULL || (err != NULL && err[0] != '\0'));
    for (int i = 0; variants && i < variants->nelts; i++) {
        const neg_variant_t *v = &APR_ARRAY_IDX(variants, i, neg_variant_t);

        FUZZ_REQUIRE(v->uri != NULL && v->type != NULL && is_lower(v->type));
        FUZZ_REQUIRE(v->qs >= 0.0f && v->qs <= 1.0f && v->length >= -1);
        FUZZ_REQUIRE(v->charset != NULL && is_lower(v->charset));
        FUZZ_REQUIRE(v->encoding == NULL || is_lower(v->encoding));
        for (int j = 0; j < v->languages->nelts; j++) {
            const char *lang = APR_ARRAY_IDX(v->languages, j, const char *);
            FUZZ_REQUIRE(lang[0] != '\0' && is_lower(lang));
        }
    }
}

static void check_choice(const apr_array_header_t *variants, const neg_variant_t *best)
{
    int found = 0;

    for (int i = 0; best && i < variants->nelts; i++) {
        found |= best == &APR_ARRAY_IDX(variants, i, neg_variant_t);
    }
    FUZZ_REQUIRE(best == NULL || found);
    FUZZ_REQUIRE(best == NULL || (best->type_q * best->qs > 0.0f && best->lang_q > 0.0f &&
                                  best->charset_q > 0.0f && best->encoding_q > 0.0f));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_input_pool();
    const char *fields, *map, *err = NULL;
    const char *value[4] = {NULL, NULL, NULL, NULL};
    char *rest;
    apr_array_header_t *variants;
    neg_request_t r;

    fuzz_split(p, data, size, &fields, &map);
    rest = apr_pstrdup(p, fields);
    /* One value a line, kept even when empty (an empty field is not an absent one). */
    for (int i = 0; i < 4 && rest; i++) {
        value[i] = rest;
        rest = strchr(rest, '\n');
        if (rest) {
            *rest++ = '\0';
        }
    }
    neg_request_init(p, &r, value[0], value[1], value[2], value[3]);
    check_accept(value[0], r.accept);
    check_accept(value[1], r.accept_language);
    check_accept(value[2], r.accept_charset);
    check_accept(value[3], r.accept_encoding);

    variants = neg_parse_type_map(p, map, &err);
    check_variants(variants, err);
    if (variants) {
        static const char *const priority[] = {"en", "fr", "de"};

        check_choice(variants, neg_choose(&r, variants));
        r.language_priority = apr_array_make(p, 3, sizeof(const char *));
        for (size_t i = 0; i < sizeof(priority) / sizeof(priority[0]); i++) {
            APR_ARRAY_PUSH(r.language_priority, const char *) = priority[i];
        }
        r.force = NEG_FLP_PREFER | NEG_FLP_FALLBACK;
        r.prefer_scripts = size % 2;
        check_choice(variants, neg_choose(&r, variants));
        r.no_fiddle = 1;
        check_choice(variants, neg_choose(&r, variants));
        neg_vary(p, variants, 1);
    }
    apr_pool_destroy(p);
    return 0;
}
