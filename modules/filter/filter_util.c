/* mod_filter's pure parts (filter_util.h). */
#include <string.h>

#include <apr_strings.h>

#include "filter_util.h"

unsigned filter_proto_flags(apr_pool_t *p, const char *arg)
{
    static const struct {
        const char *word;
        unsigned set, clear;
    } words[] = {
        {"change=yes", FILTER_PROTO_CHANGE | FILTER_PROTO_CHANGE_LENGTH, 0},
        {"change=no", 0, FILTER_PROTO_CHANGE | FILTER_PROTO_CHANGE_LENGTH},
        {"change=1:1", FILTER_PROTO_CHANGE, 0},
        {"byteranges=no", FILTER_PROTO_NO_BYTERANGE, 0},
        {"proxy=no", FILTER_PROTO_NO_PROXY, 0},
        {"proxy=transform", FILTER_PROTO_TRANSFORM, 0},
        {"cache=no", FILTER_PROTO_NO_CACHE, 0},
    };
    char *last;
    unsigned flags = 0;

    for (char *w = apr_strtok(apr_pstrdup(p, arg), ";, \t", &last); w;
         w = apr_strtok(NULL, ";, \t", &last)) {
        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
            if (strcasecmp(w, words[i].word) == 0) {
                flags = (flags | words[i].set) & ~words[i].clear;
            }
        }
    }
    return flags;
}

static void remove_name(filter_chain_t *chain, const char *name)
{
    int out = 0;

    for (int i = 0; i < chain->nelts; i++) {
        const char *n = APR_ARRAY_IDX(chain, i, const char *);
        if (!n || strcasecmp(n, name) != 0) {
            APR_ARRAY_IDX(chain, out++, const char *) = n;
        }
    }
    chain->nelts = out;
}

void filter_chain_edit(apr_pool_t *p, filter_chain_t *chain, const char *word)
{
    const char *name = word + 1;

    switch (word[0]) {
    case '@':
        APR_ARRAY_PUSH(chain, const char *) = NULL;
        memmove(chain->elts + chain->elt_size, chain->elts,
                (size_t)(chain->nelts - 1) * (size_t)chain->elt_size);
        APR_ARRAY_IDX(chain, 0, const char *) = apr_pstrdup(p, name);
        break;
    case '-':
        remove_name(chain, name);
        break;
    case '!':
        apr_array_clear(chain);
        APR_ARRAY_PUSH(chain, const char *) = NULL;
        break;
    case '=':
        apr_array_clear(chain);
        APR_ARRAY_PUSH(chain, const char *) = NULL;
        APR_ARRAY_PUSH(chain, const char *) = apr_pstrdup(p, name);
        break;
    case '+':
        APR_ARRAY_PUSH(chain, const char *) = apr_pstrdup(p, name);
        break;
    default:
        APR_ARRAY_PUSH(chain, const char *) = apr_pstrdup(p, word);
        break;
    }
}

filter_chain_t *filter_chain_merge(apr_pool_t *p, const filter_chain_t *base,
                                   const filter_chain_t *add)
{
    if (add->nelts == 0) {
        return apr_array_copy(p, base);
    }
    /* A reset in @a add drops @a base's names when the names are read. */
    return apr_array_append(p, base, add);
}

apr_array_header_t *filter_chain_names(apr_pool_t *p, const filter_chain_t *chain)
{
    apr_array_header_t *names = apr_array_make(p, chain->nelts + 1, sizeof(const char *));

    for (int i = 0; i < chain->nelts; i++) {
        const char *n = APR_ARRAY_IDX(chain, i, const char *);
        if (!n) {
            apr_array_clear(names);
        } else {
            APR_ARRAY_PUSH(names, const char *) = n;
        }
    }
    return names;
}

int filter_type_matches(const char *type, const char *content_type)
{
    size_t n;

    if (!content_type) {
        return 0;
    }
    n = strcspn(content_type, "; \t");
    return strncmp(type, content_type, n) == 0 && type[n] == '\0';
}
