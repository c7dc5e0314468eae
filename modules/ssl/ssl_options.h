/* SSLOptions: the option words and httpd's +/- merge across directory sections
 * (ssl_options.c), pure so that the unit test runs them alone. */
#ifndef SSL_OPTIONS_H
#define SSL_OPTIONS_H

#include <apr_pools.h>

/** The options, httpd's. */
enum {
    SSL_OPT_STDENVVARS = 1 << 0,
    SSL_OPT_EXPORTCERTDATA = 1 << 1,
    SSL_OPT_FAKEBASICAUTH = 1 << 2,
    SSL_OPT_STRICTREQUIRE = 1 << 3,
    SSL_OPT_OPTRENEGOTIATE = 1 << 4,
    SSL_OPT_LEGACYDNFORMAT = 1 << 5,
    /** Set until a line gives an option without + or -: the section only adds and removes
     * (its options are merged over the enclosing section's), as httpd's SSL_OPT_RELSET. */
    SSL_OPT_RELATIVE = 1 << 6
};

/** A section's SSLOptions. */
typedef struct {
    int options; /**< SSL_OPT_* in force */
    int add;     /**< the +options */
    int remove;  /**< the -options */
} ssl_options_t;

/** A section with no SSLOptions line. */
void ssl_options_init(ssl_options_t *o);

/** Apply one SSLOptions line (@a argc words, each an option, +option or -option) to @a o,
 * as httpd: a word without a sign makes the options that one alone. NULL, or why the line is
 * refused (allocated in @a p). */
const char *ssl_options_parse(apr_pool_t *p, ssl_options_t *o, int argc, const char *const *argv);

/** @a add's options over @a base's (a section's over the enclosing one's) into @a out. */
void ssl_options_merge(ssl_options_t *out, const ssl_options_t *base, const ssl_options_t *add);

#endif
