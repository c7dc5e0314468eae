/* modules/status/sha256.c against FIPS 180-4's examples, fed whole and in pieces. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "../check_run.h"

static void digest_of(const char *text, size_t piece, char hex[65])
{
    status_sha256_t ctx;
    unsigned char out[STATUS_SHA256_LEN];
    size_t len = strlen(text);

    status_sha256_init(&ctx);
    for (size_t at = 0; at < len; at += piece) {
        status_sha256_update(&ctx, text + at, len - at < piece ? len - at : piece);
    }
    status_sha256_final(&ctx, out);
    status_sha256_hex(out, hex);
}

KVU_CASE(sha256_case, "sha256", NULL, NULL);

KVC_TEST(sha256_case, known_digests)
{
    static const struct {
        const char *text, *hex;
    } cases[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    char hex[65];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (size_t piece = 1; piece <= 64; piece *= 4) {
            digest_of(cases[i].text, piece, hex);
            ck_assert_str_eq(hex, cases[i].hex);
        }
    }
}
END_TEST

/* A million 'a's crosses many blocks and needs the padding's second block path too. */
KVC_TEST(sha256_case, million_a)
{
    char *text = malloc(1000001);
    char hex[65];

    memset(text, 'a', 1000000);
    text[1000000] = '\0';
    digest_of(text, 1000, hex);
    ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(text);
}
END_TEST

/* Lengths around the 55/56/64-byte padding edges, against known values. */
KVC_TEST(sha256_case, padding_edges)
{
    char hex[65];

    digest_of("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 64, hex); /* 55 */
    ck_assert_str_eq(hex, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    digest_of("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 64, hex); /* 56 */
    ck_assert_str_eq(hex, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
}
END_TEST

int main(void)
{
    return kvc_run("status_sha256");
}
