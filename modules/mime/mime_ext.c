/* mod_mime's pure part: see mime_ext.h. */
#include "mime_ext.h"

#include <string.h>
#include <strings.h>

#include <apr_lib.h>
#include <apr_strings.h>

static char *lower(apr_pool_t *p, const char *s)
{
    char *out = apr_pstrdup(p, s);

    for (char *c = out; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    return out;
}

static const char **field_of(mime_ext_info_t *info, size_t field)
{
    return (const char **)(void *)((char *)info + field);
}

void mime_parse_types_line(apr_pool_t *p, apr_hash_t *types, char *line)
{
    char *last;
    char *hash = strchr(line, '#');
    const char *type;

    if (hash) {
        *hash = '\0';
    }
    type = apr_strtok(line, " \t\r\n", &last);
    if (!type) {
        return;
    }
    type = apr_pstrdup(p, type);
    for (char *ext; (ext = apr_strtok(NULL, " \t\r\n", &last)) != NULL;) {
        apr_hash_set(types, lower(p, ext), APR_HASH_KEY_STRING, type);
    }
}

char *mime_ext_key(apr_pool_t *p, const char *ext)
{
    return lower(p, ext[0] == '.' ? ext + 1 : ext);
}

mime_ext_info_t *mime_ext_set(apr_pool_t *p, apr_hash_t *map, const char *ext, size_t field,
                              const char *value)
{
    char *key = mime_ext_key(p, ext);
    mime_ext_info_t *info;

    if (*key == '\0') {
        return NULL;
    }
    info = apr_hash_get(map, key, APR_HASH_KEY_STRING);
    if (!info) {
        info = apr_pcalloc(p, sizeof(*info));
        apr_hash_set(map, key, APR_HASH_KEY_STRING, info);
    }
    *field_of(info, field) = lower(p, value);
    return info;
}

static void *overlay_info(apr_pool_t *p, const void *key, apr_ssize_t klen, const void *addv,
                          const void *basev, const void *data)
{
    const mime_ext_info_t *add = addv;
    mime_ext_info_t *info = apr_pmemdup(p, basev, sizeof(*info));

    (void)key;
    (void)klen;
    (void)data;
    info->type = add->type ? add->type : info->type;
    info->encoding = add->encoding ? add->encoding : info->encoding;
    info->language = add->language ? add->language : info->language;
    info->handler = add->handler ? add->handler : info->handler;
    info->charset = add->charset ? add->charset : info->charset;
    return info;
}

apr_hash_t *mime_ext_merge(apr_pool_t *p, apr_hash_t *base, apr_hash_t *add,
                           const apr_array_header_t *removals)
{
    apr_hash_t *merged;

    /* Sections merge on every request: share a table when there is nothing to combine. */
    if (removals->nelts == 0 && apr_hash_count(add) == 0) {
        return base;
    }
    if (removals->nelts == 0 && apr_hash_count(base) == 0) {
        return add;
    }
    merged = apr_hash_merge(p, add, base, overlay_info, NULL);
    for (int i = 0; i < removals->nelts; i++) {
        const mime_removal_t *rm = &APR_ARRAY_IDX(removals, i, mime_removal_t);
        mime_ext_info_t *info = apr_hash_get(merged, rm->ext, APR_HASH_KEY_STRING);

        if (info && *field_of(info, rm->field)) {
            info = apr_pmemdup(p, info, sizeof(*info));
            *field_of(info, rm->field) = NULL;
            apr_hash_set(merged, rm->ext, APR_HASH_KEY_STRING, info);
        }
    }
    return merged;
}

/* What one extension says into @a out; whether it counts as metadata for negotiation. */
static int apply_ext(apr_pool_t *p, const char *ext, apr_hash_t *map, apr_hash_t *types,
                     int multimatch, mime_meta_t *out)
{
    const mime_ext_info_t *info = apr_hash_get(map, ext, APR_HASH_KEY_STRING);
    const char *type = NULL;
    int found = 0;

    if (!info || !info->type) {
        type = types ? apr_hash_get(types, ext, APR_HASH_KEY_STRING) : NULL;
    } else if (*info->type) {
        type = info->type;
    }
    if (type) {
        out->type = type;
        found = 1;
    }
    if (!info) {
        return found;
    }
    if (info->charset) {
        out->charset = info->charset;
        found = 1;
    }
    if (info->language) {
        APR_ARRAY_PUSH(out->languages, const char *) = info->language;
        found = 1;
    }
    if (info->encoding) {
        out->encoding = out->encoding ? apr_pstrcat(p, out->encoding, ", ", info->encoding, NULL)
                                      : info->encoding;
        found = 1;
    }
    if (info->handler) {
        /* A handler is no metadata: a file must be asked for by name to get it. */
        out->handler = info->handler;
        found |= (multimatch & MIME_MATCH_HANDLERS) != 0;
    }
    return found;
}

void mime_find(apr_pool_t *p, const char *path, apr_hash_t *map, apr_hash_t *types, int multimatch,
               mime_meta_t *out)
{
    const char *name = strrchr(path, '/');
    const char *dot;
    char *rest, *last;

    memset(out, 0, sizeof(*out));
    out->languages = apr_array_make(p, 1, sizeof(const char *));
    out->exceptions = apr_array_make(p, 2, sizeof(const char *));
    name = name ? name + 1 : path;
    /* A leading dot is part of the base name: ".png" is a hidden file, not a PNG. */
    for (dot = name; *dot == '.'; dot++) {
    }
    dot = strchr(dot, '.');
    APR_ARRAY_PUSH(out->exceptions, const char *) =
        dot ? apr_pstrmemdup(p, name, (apr_size_t)(dot - name)) : name;
    if (!dot) {
        return;
    }
    rest = apr_pstrdup(p, dot + 1);
    for (char *ext = apr_strtok(rest, ".", &last); ext; ext = apr_strtok(NULL, ".", &last)) {
        if (apply_ext(p, lower(p, ext), map, types, multimatch, out) ||
            (multimatch & MIME_MATCH_ANY)) {
            out->found_metadata = 1;
        } else {
            APR_ARRAY_PUSH(out->exceptions, const char *) = ext;
        }
    }
}

const char *mime_type_with_charset(apr_pool_t *p, const char *type, const char *charset)
{
    const char *semi = strchr(type, ';');
    const char *out = apr_pstrmemdup(p, type, semi ? (apr_size_t)(semi - type) : strlen(type));
    char *params, *last;

    while (out[0] && apr_isspace(out[strlen(out) - 1])) {
        out = apr_pstrmemdup(p, out, strlen(out) - 1);
    }
    params = semi ? apr_pstrdup(p, semi + 1) : NULL;
    for (char *prm = params ? apr_strtok(params, ";", &last) : NULL; prm;
         prm = apr_strtok(NULL, ";", &last)) {
        while (apr_isspace(*prm)) {
            prm++;
        }
        if (*prm && strncasecmp(prm, "charset=", 8) != 0) {
            out = apr_pstrcat(p, out, "; ", prm, NULL);
        }
    }
    return apr_pstrcat(p, out, "; charset=", charset, NULL);
}

const char *mime_multimatch_add(apr_pool_t *p, const char *word, int *bits)
{
    static const struct {
        const char *name;
        int bit;
        int excludes;
    } words[] = {
        {"Any", MIME_MATCH_ANY, ~MIME_MATCH_ANY},
        {"NegotiatedOnly", MIME_MATCH_NEGOTIATED, ~MIME_MATCH_NEGOTIATED},
        {"Handlers", MIME_MATCH_HANDLERS, MIME_MATCH_ANY | MIME_MATCH_NEGOTIATED},
        {"Filters", MIME_MATCH_FILTERS, MIME_MATCH_ANY | MIME_MATCH_NEGOTIATED},
    };

    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (strcasecmp(word, words[i].name) != 0) {
            continue;
        }
        if (*bits & words[i].excludes) {
            return apr_psprintf(p,
                                "MultiviewsMatch: %s cannot be combined with the other "
                                "values given (Any and NegotiatedOnly stand alone)",
                                word);
        }
        *bits |= words[i].bit;
        return NULL;
    }
    return apr_psprintf(p,
                        "MultiviewsMatch: '%s' is not NegotiatedOnly, Handlers, Filters or "
                        "Any",
                        word);
}
