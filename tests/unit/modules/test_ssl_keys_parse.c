/* Tests of modules/ssl/ssl_keys_parse.c: SSLPassPhraseDialog's forms, the passphrase in a
 * dialog program's output, and SSLRandomSeed's arguments, as httpd takes and refuses them. */
#include <check.h>
#include <string.h>

#include <apr_general.h>

#include "ssl_keys_parse.h"
#include "../check_run.h"

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

KVU_CASE(keys_case, "ssl_keys_parse", setup, teardown);

static const struct {
    const char *arg;
    ssl_pphrase_kind_t kind;
    const char *program;
} dialogs[] = {
    {"builtin", SSL_PPHRASE_BUILTIN, NULL},
    {"BuiltIn", SSL_PPHRASE_BUILTIN, NULL},
    {"exec:/usr/share/apache2/ask-for-passphrase", SSL_PPHRASE_EXEC,
     "/usr/share/apache2/ask-for-passphrase"},
    {"exec:bin/pp", SSL_PPHRASE_EXEC, "bin/pp"},
    {"|/usr/bin/pp --tty", SSL_PPHRASE_PIPE, "/usr/bin/pp --tty"},
};

KVC_LOOP_TEST(keys_case, dialog_forms, 0, KVU_COUNT(dialogs))
{
    ssl_pphrase_kind_t kind = SSL_PPHRASE_PIPE;
    const char *program = "unset";

    ck_assert_ptr_null(ssl_parse_pphrase_dialog(dialogs[_i].arg, &kind, &program));
    ck_assert_int_eq(kind, dialogs[_i].kind);
    if (dialogs[_i].program) {
        ck_assert_str_eq(program, dialogs[_i].program);
    } else {
        ck_assert_ptr_null(program);
    }
}
END_TEST

KVC_TEST(keys_case, dialog_refusals)
{
    static const char *const bad[] = {"exec:", "|", "", "prompt", "EXEC:/bin/pp", "file:/x"};
    ssl_pphrase_kind_t kind;
    const char *program;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *err = ssl_parse_pphrase_dialog(bad[i], &kind, &program);

        ck_assert_msg(err && strstr(err, "SSLPassPhraseDialog: Invalid argument"), "%s", bad[i]);
    }
}
END_TEST

static const struct {
    const char *out;
    size_t len; /* 0: strlen */
    int result;
    const char *pass;
} outputs[] = {
    {"secret\n", 0, 6, "secret"},
    {"secret", 0, 6, "secret"},
    {"secret\r\n", 0, 6, "secret"},
    {"two words \n", 0, 10, "two words "},
    {"first\nsecond\n", 0, 5, "first"},
    {"\nsecret\n", 0, -1, NULL},
    {"", 0, -1, NULL},
    {"\r\n", 0, -1, NULL},
    {"a\0b\n", 4, -3, NULL},
};

KVC_LOOP_TEST(keys_case, passphrase_from_output, 0, KVU_COUNT(outputs))
{
    char pass[SSL_PPHRASE_MAX + 1] = "untouched";
    size_t len = outputs[_i].len ? outputs[_i].len : strlen(outputs[_i].out);

    ck_assert_int_eq(ssl_pphrase_from_output(outputs[_i].out, len, pass, sizeof(pass)),
                     outputs[_i].result);
    ck_assert_str_eq(pass, outputs[_i].pass ? outputs[_i].pass : "untouched");
}
END_TEST

KVC_TEST(keys_case, passphrase_length_bounds)
{
    static char buf[SSL_PPHRASE_MAX + 2];
    char pass[SSL_PPHRASE_MAX + 1];

    memset(buf, 'x', sizeof(buf));
    ck_assert_int_eq(ssl_pphrase_from_output(buf, SSL_PPHRASE_MAX, pass, sizeof(pass)),
                     SSL_PPHRASE_MAX);
    ck_assert_uint_eq(strlen(pass), SSL_PPHRASE_MAX);
    ck_assert_int_eq(ssl_pphrase_from_output(buf, SSL_PPHRASE_MAX + 1, pass, sizeof(pass)), -2);
    /* A buffer smaller than the line is never overrun. */
    ck_assert_int_eq(ssl_pphrase_from_output("secret\n", 7, pass, 6), -2);
    ck_assert_int_eq(ssl_pphrase_from_output("secret\n", 7, pass, 7), 6);
}
END_TEST

static const struct {
    const char *words[3];
    const char *path;
} seeds[] = {
    {{"startup", "builtin"}, NULL},
    {{"startup", "file:/dev/urandom", "512"}, "/dev/urandom"},
    {{"connect", "builtin"}, NULL},
    {{"Connect", "file:/dev/urandom", "512"}, "/dev/urandom"},
    {{"startup", "exec:/usr/bin/seed"}, "/usr/bin/seed"},
    {{"startup", "/dev/urandom", "1024"}, "/dev/urandom"},
};

static int word_count(const char *const *words, int max)
{
    int n = 0;

    while (n < max && words[n]) {
        n++;
    }
    return n;
}

KVC_LOOP_TEST(keys_case, random_seed_forms, 0, KVU_COUNT(seeds))
{
    const char *path = "unset";

    ck_assert_ptr_null(
        ssl_parse_random_seed(pool, word_count(seeds[_i].words, 3), seeds[_i].words, &path));
    if (seeds[_i].path) {
        ck_assert_str_eq(path, seeds[_i].path);
    } else {
        ck_assert_ptr_null(path);
    }
}
END_TEST

static const struct {
    const char *words[3];
    const char *reason;
} bad_seeds[] = {
    {{"always", "builtin"}, "SSLRandomSeed: invalid context: `always'"},
    {{"startup", "builtin", "512"},
     "SSLRandomSeed: byte specification not allowed for builtin seed source"},
    {{"startup", "file:/dev/urandom", "lots"}, "SSLRandomSeed: invalid number of bytes `lots'"},
    {{"startup", "file:/dev/urandom", "-1"}, "SSLRandomSeed: invalid number of bytes `-1'"},
    {{"startup", "file:"}, "Invalid SSLRandomSeed path file:"},
    {{"startup", "egd:/run/egd"},
     "Invalid SSLRandomSeed entropy source `egd:/run/egd': this "
     "OpenSSL does not support the Entropy Gathering Daemon (EGD)"},
};

KVC_LOOP_TEST(keys_case, random_seed_refusals, 0, KVU_COUNT(bad_seeds))
{
    const char *path;

    ck_assert_str_eq(
        ssl_parse_random_seed(pool, word_count(bad_seeds[_i].words, 3), bad_seeds[_i].words, &path),
        bad_seeds[_i].reason);
}
END_TEST

int main(void)
{
    return kvu_run_apr("ssl_keys_parse");
}
