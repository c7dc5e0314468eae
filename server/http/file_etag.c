/* FileETag: which of a file's inode, modification time and size its ETag is made of. */
#include <string.h>

#include <apr_strings.h>

#include "core.h"

static const struct {
    const char *name;
    int bits;
} etag_names[] = {
    {"INode", KV_ETAG_INODE},
    {"MTime", KV_ETAG_MTIME},
    {"Size", KV_ETAG_SIZE},
    {"All", KV_ETAG_ALL},
    {"None", 0},
};

static int etag_bits_of(const char *name)
{
    for (size_t i = 0; i < sizeof(etag_names) / sizeof(etag_names[0]); i++) {
        if (strcasecmp(name, etag_names[i].name) == 0) {
            return etag_names[i].bits;
        }
    }
    return -1;
}

const char *kv_parse_file_etag(apr_pool_t *p, int argc, const char *const *argv,
                               kv_etag_conf_t *out)
{
    int relative = argc > 0 && (argv[0][0] == '+' || argv[0][0] == '-');
    kv_etag_conf_t conf = {relative ? KV_UNSET_INT : 0, 0, 0};

    for (int i = 0; i < argc; i++) {
        char sign = argv[i][0] == '+' || argv[i][0] == '-' ? argv[i][0] : 0;
        const char *name = sign ? argv[i] + 1 : argv[i];
        int bits = etag_bits_of(name);

        if (bits < 0) {
            return apr_psprintf(p,
                                "FileETag: unknown keyword '%s' (INode, MTime, Size, All, "
                                "None, each optionally with + or -)",
                                argv[i]);
        }
        if ((sign != 0) != relative) {
            return "FileETag: either every keyword starts with + or -, or none does";
        }
        if (bits == 0 && (sign || argc > 1)) {
            return "FileETag: None stands alone";
        }
        if (sign == '+') {
            conf.add |= bits;
            conf.remove &= ~bits;
        } else if (sign == '-') {
            conf.remove |= bits;
            conf.add &= ~bits;
        } else {
            conf.bits |= bits;
        }
    }
    *out = conf;
    return NULL;
}

int kv_etag_effective(const kv_etag_conf_t *c)
{
    if (c->bits != KV_UNSET_INT) {
        return c->bits;
    }
    return (KV_ETAG_DEFAULT & ~c->remove) | c->add;
}

void kv_etag_merge(kv_etag_conf_t *conf, const kv_etag_conf_t *base, const kv_etag_conf_t *add)
{
    if (add->bits != KV_UNSET_INT) {
        *conf = *add;
    } else if (add->add || add->remove) {
        /* +X/-X apply to what the enclosing sections use. */
        conf->bits = (kv_etag_effective(base) & ~add->remove) | add->add;
        conf->add = conf->remove = 0;
    } else {
        *conf = *base;
    }
}

/* Append @a v in lower-case hex at @a p; returns the end. */
static char *put_hex(char *p, apr_uint64_t v)
{
    char digits[16];
    int n = 0;

    do {
        digits[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    while (n > 0) {
        *p++ = digits[--n];
    }
    return p;
}

/* One part of an ETag at @a e, after a '-' unless it is the first. */
static char *put_part(const char *etag, char *e, apr_uint64_t v)
{
    if (e > etag + 1) {
        *e++ = '-';
    }
    return put_hex(e, v);
}

const char *kv_make_etag(apr_pool_t *p, int bits, const apr_finfo_t *finfo)
{
    /* "inode-size-mtime" in hex, as httpd writes it; made by hand for every file served. */
    char *etag = apr_palloc(p, 3 * 17 + 3);
    char *e = etag;

    if (!(bits & KV_ETAG_ALL)) {
        return NULL;
    }
    *e++ = '"';
    if (bits & KV_ETAG_INODE) {
        e = put_part(etag, e, (apr_uint64_t)finfo->inode);
    }
    if (bits & KV_ETAG_SIZE) {
        e = put_part(etag, e, (apr_uint64_t)finfo->size);
    }
    if (bits & KV_ETAG_MTIME) {
        e = put_part(etag, e, (apr_uint64_t)finfo->mtime);
    }
    *e++ = '"';
    *e = '\0';
    return etag;
}
