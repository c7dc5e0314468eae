/* mod_ssl's pure parsers for the key directives: SSLPassPhraseDialog's argument, the
 * passphrase in a dialog program's output, and SSLRandomSeed's arguments. No OpenSSL and no
 * file system, so that the unit test and the fuzz target link them alone. */
#ifndef SSL_KEYS_PARSE_H
#define SSL_KEYS_PARSE_H

#include <stddef.h>

#include <apr_pools.h>

/** SSLPassPhraseDialog's kinds, as httpd's. */
typedef enum {
    SSL_PPHRASE_BUILTIN = 0, /**< a prompt on the terminal */
    SSL_PPHRASE_EXEC,        /**< exec:/path: run once per passphrase, read a line */
    SSL_PPHRASE_PIPE         /**< |program [args]: sent the prompt, answers a line */
} ssl_pphrase_kind_t;

/** The longest passphrase taken (OpenSSL's PEM_BUFSIZE is 1024 with the NUL). */
#define SSL_PPHRASE_MAX 1023

/** SSLPassPhraseDialog's argument: "builtin", "exec:PATH" or "|PROGRAM [ARGS]", as httpd.
 * Sets *@a kind and *@a program (the text after "exec:" or "|", NULL for builtin); NULL, or
 * why the argument is refused. */
const char *ssl_parse_pphrase_dialog(const char *arg, ssl_pphrase_kind_t *kind,
                                     const char **program);

/** The passphrase in the @a len bytes a dialog program wrote: its first line, ending at
 * "\n", "\r" or the end, as httpd reads it. Copied NUL-terminated into @a out (@a size >
 * SSL_PPHRASE_MAX); returns its length, or -1 when it is empty, -2 when it is longer than
 * SSL_PPHRASE_MAX, -3 when it holds a NUL byte (a passphrase is a C string to OpenSSL). */
int ssl_pphrase_from_output(const char *buf, size_t len, char *out, size_t size);

/** SSLRandomSeed's @a argc (2 or 3) words: startup|connect, then builtin, file:PATH,
 * exec:PATH or a bare PATH (a file), then a byte count (not with builtin), as httpd. Sets
 * *@a path to the source's path (NULL for builtin), to be checked for existence; NULL, or why
 * the line is refused. */
const char *ssl_parse_random_seed(apr_pool_t *p, int argc, const char *const *argv,
                                  const char **path);

#endif
