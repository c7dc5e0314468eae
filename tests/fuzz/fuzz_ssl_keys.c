/*
 * libFuzzer target for mod_ssl's key directives' parsers (modules/ssl/ssl_keys_parse.c, see
 * README.md): the passphrase in a dialog program's output, SSLPassPhraseDialog's argument and
 * SSLRandomSeed's words. Input: `OUTPUT\0LINE`, OUTPUT the program's bytes (NULs included up
 * to the split), LINE the directive's argument, then SSLRandomSeed's words one a line.
 */
#include <string.h>
#include <strings.h>

#include <apr_strings.h>

#include "fuzz_common.h"
#include "ssl/ssl_keys_parse.h"

/* The passphrase is the first line: as long as reported, without line ends or NULs, the
 * output's first bytes, and the line ends right after it. */
static void check_output(const uint8_t *data, size_t size)
{
    char pass[SSL_PPHRASE_MAX + 1];
    size_t cut = 0;
    int n;

    while (cut < size && data[cut] != '\n' && data[cut] != '\r') {
        cut++;
    }
    n = ssl_pphrase_from_output((const char *)data, size, pass, sizeof(pass));
    if (n > 0) {
        FUZZ_REQUIRE((size_t)n == cut && n <= SSL_PPHRASE_MAX);
        FUZZ_REQUIRE(strlen(pass) == (size_t)n && memcmp(pass, data, cut) == 0);
        FUZZ_REQUIRE(strpbrk(pass, "\r\n") == NULL);
    } else {
        FUZZ_REQUIRE(n == -1   ? cut == 0
                     : n == -2 ? cut > SSL_PPHRASE_MAX
                               : n == -3 && memchr(data, '\0', cut) != NULL);
    }
}

static void check_dialog(const char *arg)
{
    ssl_pphrase_kind_t kind;
    const char *program;

    if (ssl_parse_pphrase_dialog(arg, &kind, &program) != NULL) {
        return;
    }
    if (kind == SSL_PPHRASE_BUILTIN) {
        FUZZ_REQUIRE(program == NULL);
    } else {
        FUZZ_REQUIRE(program && *program && program > arg && strcmp(program, arg) != 0);
        FUZZ_REQUIRE(kind == SSL_PPHRASE_EXEC ? strncmp(arg, "exec:", 5) == 0 : arg[0] == '|');
    }
}

static void check_random_seed(apr_pool_t *p, const char *line)
{
    const char *words[3], *path = "unset", *err;
    int argc = 0;

    while (argc < 3) {
        const char *nl = strchr(line, '\n');

        words[argc++] = nl ? apr_pstrmemdup(p, line, (apr_size_t)(nl - line)) : line;
        if (!nl) {
            break;
        }
        line = nl + 1;
    }
    if (argc < 2) {
        return;
    }
    err = ssl_parse_random_seed(p, argc, words, &path);
    if (err) {
        FUZZ_REQUIRE(*err != '\0');
        return;
    }
    FUZZ_REQUIRE(strcasecmp(words[0], "startup") == 0 || strcasecmp(words[0], "connect") == 0);
    FUZZ_REQUIRE(path == NULL ? strcasecmp(words[1], "builtin") == 0 && argc == 2 : *path != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_input_pool();
    const char *output, *line;

    check_output(data, size);
    fuzz_split(p, data, size, &output, &line);
    check_dialog(line);
    check_random_seed(p, line);
    apr_pool_destroy(p);
    return 0;
}
