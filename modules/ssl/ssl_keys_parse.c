/* mod_ssl's pure parsers for the key directives (ssl_keys_parse.h). */
#include <string.h>
#include <strings.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "ssl_keys_parse.h"

const char *ssl_parse_pphrase_dialog(const char *arg, ssl_pphrase_kind_t *kind,
                                     const char **program)
{
    if (strcasecmp(arg, "builtin") == 0) {
        *kind = SSL_PPHRASE_BUILTIN;
        *program = NULL;
    } else if (strncmp(arg, "exec:", 5) == 0 && arg[5] != '\0') {
        *kind = SSL_PPHRASE_EXEC;
        *program = arg + 5;
    } else if (arg[0] == '|' && arg[1] != '\0') {
        *kind = SSL_PPHRASE_PIPE;
        *program = arg + 1;
    } else {
        return "SSLPassPhraseDialog: Invalid argument: give builtin, exec:/path/to/program or "
               "|/path/to/program";
    }
    return NULL;
}

int ssl_pphrase_from_output(const char *buf, size_t len, char *out, size_t size)
{
    size_t n = 0;

    while (n < len && buf[n] != '\n' && buf[n] != '\r') {
        n++;
    }
    if (n == 0) {
        return -1;
    }
    if (n > SSL_PPHRASE_MAX || n >= size) {
        return -2;
    }
    if (memchr(buf, '\0', n)) {
        return -3;
    }
    memcpy(out, buf, n);
    out[n] = '\0';
    return (int)n;
}

/* A byte count: digits only, at most 9 of them (httpd takes it with atoi). */
static int is_byte_count(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 9) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (!apr_isdigit(s[i])) {
            return 0;
        }
    }
    return 1;
}

const char *ssl_parse_random_seed(apr_pool_t *p, int argc, const char *const *argv,
                                  const char **path)
{
    const char *src = argv[1];

    if (strcasecmp(argv[0], "startup") != 0 && strcasecmp(argv[0], "connect") != 0) {
        return apr_psprintf(p, "SSLRandomSeed: invalid context: `%s'", argv[0]);
    }
    if (strcasecmp(src, "builtin") == 0) {
        *path = NULL;
    } else if (strncmp(src, "file:", 5) == 0 || strncmp(src, "exec:", 5) == 0) {
        *path = src + 5;
    } else if (strncmp(src, "egd:", 4) == 0) {
        return apr_psprintf(p,
                            "Invalid SSLRandomSeed entropy source `%s': this OpenSSL does not "
                            "support the Entropy Gathering Daemon (EGD)",
                            src);
    } else {
        *path = src;
    }
    if (*path && **path == '\0') {
        return apr_psprintf(p, "Invalid SSLRandomSeed path %s", src);
    }
    if (argc == 3) {
        if (!*path) {
            return "SSLRandomSeed: byte specification not allowed for builtin seed source";
        }
        if (!is_byte_count(argv[2])) {
            return apr_psprintf(p, "SSLRandomSeed: invalid number of bytes `%s'", argv[2]);
        }
    }
    return NULL;
}
