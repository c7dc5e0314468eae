/* SSLOptions (ssl_options.h), as httpd's ssl_cmd_SSLOptions and its directory merge. */
#include <string.h>

#include <apr_strings.h>

#include "ssl_options.h"

static const struct {
    const char *name;
    int option;
} names[] = {
    {"StdEnvVars", SSL_OPT_STDENVVARS},         {"ExportCertData", SSL_OPT_EXPORTCERTDATA},
    {"FakeBasicAuth", SSL_OPT_FAKEBASICAUTH},   {"StrictRequire", SSL_OPT_STRICTREQUIRE},
    {"OptRenegotiate", SSL_OPT_OPTRENEGOTIATE}, {"LegacyDNStringFormat", SSL_OPT_LEGACYDNFORMAT},
};

void ssl_options_init(ssl_options_t *o)
{
    o->options = SSL_OPT_RELATIVE;
    o->add = 0;
    o->remove = 0;
}

const char *ssl_options_parse(apr_pool_t *p, ssl_options_t *o, int argc, const char *const *argv)
{
    int first = 1;

    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        char sign = 0;
        int opt = 0;

        if (*w == '+' || *w == '-') {
            sign = *w++;
        } else if (first) {
            o->options = 0;
            first = 0;
        }
        for (size_t n = 0; n < sizeof(names) / sizeof(names[0]) && !opt; n++) {
            if (strcmp(w, names[n].name) == 0) {
                opt = names[n].option;
            }
        }
        if (!opt) {
            return apr_pstrcat(p, "SSLOptions: Illegal option '", w, "'", NULL);
        }
        if (sign == '-') {
            o->add &= ~opt;
            o->remove |= opt;
            o->options &= ~opt;
        } else if (sign == '+') {
            o->add |= opt;
            o->remove &= ~opt;
            o->options |= opt;
        } else {
            o->options = opt;
            o->add = opt;
            o->remove = 0;
        }
    }
    return NULL;
}

void ssl_options_merge(ssl_options_t *out, const ssl_options_t *base, const ssl_options_t *add)
{
    if (add->options & SSL_OPT_RELATIVE) {
        out->add = (base->add & ~add->remove) | add->add;
        out->remove = (base->remove & ~add->add) | add->remove;
        out->options = (base->options & ~out->remove) | out->add;
    } else {
        *out = *add;
    }
}
