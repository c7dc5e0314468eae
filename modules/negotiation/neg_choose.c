/* httpd's server-driven negotiation ("Apache negotiation algorithm", without the TCN
 * remote-variant algorithm): see neg_choose.h. The quality "fiddles" httpd applies for
 * browsers that send no q values are kept, so kiva chooses what httpd chooses. */
#include "neg_choose.h"

#include <string.h>
#include <strings.h>

#include <apr_strings.h>

void neg_request_init(apr_pool_t *p, neg_request_t *r, const char *accept, const char *language,
                      const char *charset, const char *encoding)
{
    memset(r, 0, sizeof(*r));
    r->accept = neg_parse_accept(p, accept);
    r->accept_language = neg_parse_accept(p, language);
    r->accept_charset = neg_parse_accept(p, charset);
    r->accept_encoding = neg_parse_accept(p, encoding);
}

/* Does Accept entry @a a match @a v's type? Records how well in v->mime_stars. */
static int type_matches(const neg_accept_t *a, neg_variant_t *v)
{
    size_t n = strlen(a->name);

    if (strcmp(a->name, "*") == 0 || strcmp(a->name, "*/*") == 0) {
        v->mime_stars = v->mime_stars < 1 ? 1 : v->mime_stars;
        return 1;
    }
    if (n > 2 && strcmp(a->name + n - 2, "/*") == 0 && strncmp(a->name, v->type, n - 1) == 0) {
        v->mime_stars = v->mime_stars < 2 ? 2 : v->mime_stars;
        return 1;
    }
    if (strcmp(a->name, v->type) == 0 && a->level >= v->level) {
        v->level_matched = v->level;
        v->mime_stars = 3;
        return 1;
    }
    return 0;
}

/* Any q below 1 in Accept: the client means its values, no fiddling with wildcards. */
static int accept_has_q(const apr_array_header_t *accept)
{
    for (int i = 0; i < accept->nelts; i++) {
        if (APR_ARRAY_IDX(accept, i, neg_accept_t).q < 1.0f) {
            return 1;
        }
    }
    return 0;
}

static void set_type_quality(const neg_request_t *r, neg_variant_t *v)
{
    float q = 0.0f;
    int explicit_q;

    if (strcmp(v->type, NEG_SCRIPT_TYPE) == 0) {
        v->type_q = r->prefer_scripts ? 2.0f : 0.001f;
        return;
    }
    if (!r->accept) {
        v->type_q = 1.0f;
        return;
    }
    explicit_q = accept_has_q(r->accept);
    for (int i = 0; i < r->accept->nelts; i++) {
        const neg_accept_t *a = &APR_ARRAY_IDX(r->accept, i, neg_accept_t);
        int before = v->mime_stars;

        if (!type_matches(a, v) || before == v->mime_stars) {
            continue; /* no match, or no closer than one already seen */
        }
        /* As httpd: wildcards ("*", "type/...") without q values rank below named types. */
        if (!explicit_q && !r->no_fiddle && v->mime_stars == 1) {
            q = 0.01f;
        } else if (!explicit_q && !r->no_fiddle && v->mime_stars == 2) {
            q = 0.02f;
        } else {
            q = a->q;
        }
    }
    v->type_q = q;
}

/* The position in LanguagePriority of the first of @a v's languages found there. */
static int priority_index(const neg_request_t *r, const neg_variant_t *v)
{
    int best = -1;

    for (int j = 0; r->language_priority && j < v->languages->nelts; j++) {
        const char *lang = APR_ARRAY_IDX(v->languages, j, const char *);

        for (int i = 0; i < r->language_priority->nelts; i++) {
            const char *pri = APR_ARRAY_IDX(r->language_priority, i, const char *);
            if (strncasecmp(lang, pri, strlen(pri)) == 0 && (best < 0 || i < best)) {
                best = i;
            }
        }
    }
    return best;
}

/* The Accept-Language quality of one language tag: the longest range that is the tag or
 * a prefix of it ending at a '-'; *star is set to a "*" entry. */
static const neg_accept_t *language_match(const neg_request_t *r, const char *lang,
                                          const neg_accept_t **star, float *fiddle)
{
    const neg_accept_t *best = NULL;
    size_t longest = 0;

    for (int i = 0; i < r->accept_language->nelts; i++) {
        const neg_accept_t *a = &APR_ARRAY_IDX(r->accept_language, i, neg_accept_t);
        size_t n = strlen(a->name);
        const char *dash = strchr(a->name, '-');

        if (strcmp(a->name, "*") == 0) {
            *star = *star ? *star : a;
            continue;
        }
        if (strncmp(lang, a->name, n) == 0 && (lang[n] == '\0' || lang[n] == '-') && n > longest) {
            longest = n;
            best = a;
        }
        /* httpd's fiddle: "en-gb" asked, "en" offered is better than nothing. */
        if (!best && !r->no_fiddle && dash &&
            strncmp(lang, a->name, (size_t)(dash - a->name)) == 0) {
            *fiddle = 0.001f;
        }
    }
    return best;
}

static void set_language_quality(const neg_request_t *r, neg_variant_t *v, float no_lang_q)
{
    int force = r->force ? r->force : NEG_FLP_PREFER;

    v->lang_index = -1;
    if (v->languages->nelts == 0) {
        v->lang_q = no_lang_q;
        return;
    }
    v->lang_q = 1.0f;
    if (r->accept_language) {
        const neg_accept_t *best = NULL, *star = NULL;
        float fiddle = 0.0f;
        int on_star = 0;

        for (int j = 0; j < v->languages->nelts; j++) {
            const neg_accept_t *m =
                language_match(r, APR_ARRAY_IDX(v->languages, j, const char *), &star, &fiddle);
            if (!best || (m && m->q > best->q)) {
                best = m;
            }
            on_star |= !m && star;
        }
        if (on_star && (!best || star->q > best->q)) {
            best = star;
        }
        v->lang_q = best ? best->q : fiddle;
    }
    if (((force & NEG_FLP_PREFER) && v->lang_q > 0.0f) ||
        ((force & NEG_FLP_FALLBACK) && v->lang_q == 0.0f)) {
        int idx = priority_index(r, v);

        if (idx >= 0 && v->lang_q > 0.0f) {
            v->lang_index = idx;
        } else if (idx >= 0) {
            v->lang_index = idx;
            v->lang_q = 0.0001f;
        }
    }
}

static int is_text(const char *type)
{
    return strncmp(type, "text/", 5) == 0;
}

static void set_charset_quality(const neg_request_t *r, neg_variant_t *v)
{
    const char *charset = v->charset;
    const neg_accept_t *star = NULL;

    v->charset_q = 1.0f;
    if (!r->accept_charset || (!*charset && !is_text(v->type))) {
        return;
    }
    if (!*charset && r->no_fiddle) {
        return;
    }
    if (!*charset) {
        charset = "iso-8859-1"; /* HTTP/1.0's default for text */
    }
    for (int i = 0; i < r->accept_charset->nelts; i++) {
        const neg_accept_t *a = &APR_ARRAY_IDX(r->accept_charset, i, neg_accept_t);

        if (strcmp(a->name, charset) == 0) {
            v->charset_q = a->q;
            return;
        }
        star = strcmp(a->name, "*") == 0 ? a : star;
    }
    v->charset_q = star ? star->q : strcmp(charset, "iso-8859-1") == 0 ? 1.0f : 0.0f;
}

static int is_identity(const char *enc)
{
    return !enc || !*enc || strcmp(enc, "7bit") == 0 || strcmp(enc, "8bit") == 0 ||
           strcmp(enc, "binary") == 0 || strcmp(enc, "identity") == 0;
}

/* x-gzip and gzip are one coding (RFC 9110, section 8.4.1.3). */
static const char *coding_name(const char *enc)
{
    return enc[0] == 'x' && enc[1] == '-' ? enc + 2 : enc;
}

static void set_encoding_quality(const neg_request_t *r, neg_variant_t *v)
{
    const char *enc = is_identity(v->encoding) ? "identity" : coding_name(v->encoding);
    const neg_accept_t *star = NULL;

    if (!r->accept_encoding) {
        v->encoding_q = is_identity(v->encoding) ? 1.0f : 0.5f;
        return;
    }
    for (int i = 0; i < r->accept_encoding->nelts; i++) {
        const neg_accept_t *a = &APR_ARRAY_IDX(r->accept_encoding, i, neg_accept_t);

        if (strcmp(coding_name(a->name), enc) == 0) {
            v->encoding_q = a->q;
            return;
        }
        star = strcmp(a->name, "*") == 0 ? a : star;
    }
    v->encoding_q = star ? star->q : strcmp(enc, "identity") == 0 ? 0.0001f : 0.0f;
}

/* httpd's level_cmp: 1 if @a v is better by type level, -1 if worse, 0 if equal. */
static int level_cmp(const neg_variant_t *v, const neg_variant_t *best)
{
    if (strcmp(v->type, best->type) != 0) {
        return 0;
    }
    if (v->level_matched != best->level_matched) {
        return v->level_matched > best->level_matched ? 1 : -1;
    }
    if (v->level != best->level) {
        return v->level < best->level ? 1 : -1;
    }
    return 0;
}

static int prefers_charset(const neg_variant_t *v, const neg_variant_t *best)
{
    return *v->charset && strcmp(v->charset, "iso-8859-1") != 0 &&
           (!*best->charset || strcmp(best->charset, "iso-8859-1") == 0);
}

/* httpd's is_variant_better, one criterion after the other: 1 if @a v beats @a best. */
static int is_better(const neg_variant_t *v, const neg_variant_t *best, float q, float bestq)
{
    int lev;

    if (!best || q > bestq) {
        return 1;
    }
    if (q < bestq || v->lang_q < best->lang_q) {
        return 0;
    }
    if (v->lang_q > best->lang_q) {
        return 1;
    }
    if (best->lang_index != -1 && (v->lang_index == -1 || v->lang_index > best->lang_index)) {
        return 0;
    }
    if (v->lang_index != -1 && (best->lang_index == -1 || v->lang_index < best->lang_index)) {
        return 1;
    }
    if ((lev = level_cmp(v, best)) != 0) {
        return lev > 0;
    }
    if (v->charset_q != best->charset_q) {
        return v->charset_q > best->charset_q;
    }
    if (prefers_charset(v, best)) {
        return 1;
    }
    if (v->encoding_q != best->encoding_q) {
        return v->encoding_q > best->encoding_q;
    }
    return v->length >= 0 && best->length >= 0 && v->length < best->length;
}

/* A variant with no language loses to any with one when some variant has one. */
static float no_language_quality(const apr_array_header_t *variants)
{
    for (int i = 0; i < variants->nelts; i++) {
        if (APR_ARRAY_IDX(variants, i, neg_variant_t).languages->nelts > 0) {
            return 0.0001f;
        }
    }
    return 1.0f;
}

neg_variant_t *neg_choose(const neg_request_t *r, apr_array_header_t *variants)
{
    float no_lang_q = r->no_fiddle ? 1.0f : no_language_quality(variants);
    neg_variant_t *best = NULL;
    float bestq = 0.0f;

    for (int i = 0; i < variants->nelts; i++) {
        neg_variant_t *v = &APR_ARRAY_IDX(variants, i, neg_variant_t);
        float q;

        v->mime_stars = 0;
        set_type_quality(r, v);
        set_language_quality(r, v, no_lang_q);
        set_charset_quality(r, v);
        set_encoding_quality(r, v);
        q = v->type_q * v->qs;
        if (v->encoding_q == 0.0f || v->lang_q == 0.0f || v->charset_q == 0.0f || q == 0.0f) {
            continue;
        }
        if (is_better(v, best, q, bestq)) {
            best = v;
            bestq = q;
        }
    }
    return best;
}

static const char *languages_of(apr_pool_t *p, const neg_variant_t *v)
{
    return apr_array_pstrcat(p, v->languages, ',');
}

static int differs(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") != 0;
}

const char *neg_vary(apr_pool_t *p, const apr_array_header_t *variants, int transparent)
{
    int type = 0, lang = 0, charset = 0, enc = 0;
    const neg_variant_t *first =
        variants->nelts ? &APR_ARRAY_IDX(variants, 0, neg_variant_t) : NULL;
    const char *vary;

    for (int i = 1; i < variants->nelts; i++) {
        const neg_variant_t *v = &APR_ARRAY_IDX(variants, i, neg_variant_t);

        type |= differs(v->type, first->type);
        lang |= differs(languages_of(p, v), languages_of(p, first));
        charset |= differs(v->charset, first->charset);
        enc |= differs(v->encoding, first->encoding);
    }
    vary = apr_pstrcat(p, transparent ? ",negotiate" : "", type ? ",accept" : "",
                       lang ? ",accept-language" : "", charset ? ",accept-charset" : "",
                       enc ? ",accept-encoding" : "", NULL);
    return *vary ? vary + 1 : NULL;
}
