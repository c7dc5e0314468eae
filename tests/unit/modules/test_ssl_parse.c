/* Tests of modules/ssl/ssl_parse.c: SSLProtocol's words as httpd takes and refuses them, and
 * SSLCipherSuite's protocol argument. */
#include <check.h>
#include <string.h>

#include <apr_general.h>

#include "ssl_parse.h"
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

#define T12 SSL_PROTO_TLSV1_2
#define T13 SSL_PROTO_TLSV1_3

static const struct {
    const char *words[4];
    int protocols;
    const char *overrides;
} good[] = {
    {{"-all", "+TLSv1.2", "+TLSv1.3"}, T12 | T13, NULL},
    {{"all", "-SSLv3"}, SSL_PROTO_ALL, NULL},
    {{"all", "-TLSv1", "-TLSv1.1"}, T12 | T13, NULL},
    {{"TLSv1.3"}, T13, NULL},
    {{"tlsv1.2"}, T12, NULL},
    {{"all", "-SSLv2", "-SSLv3", "-TLSv1"}, SSL_PROTO_TLSV1_1 | T12 | T13, NULL},
    {{"TLSv1.2", "TLSv1.3"}, T13, "TLSv1.3"},
    {{"+TLSv1.2"}, T12, NULL},
};

KVU_CASE(parse_case, "ssl_parse", setup, teardown);

KVC_LOOP_TEST(parse_case, parses_httpd_syntax, 0, KVU_COUNT(good))
{
    int argc = 0, protocols = 0;
    const char *overrides;

    while (argc < 4 && good[_i].words[argc]) {
        argc++;
    }
    ck_assert_ptr_null(ssl_parse_protocols(pool, argc, good[_i].words, &protocols, &overrides));
    ck_assert_int_eq(protocols, good[_i].protocols);
    if (good[_i].overrides) {
        ck_assert_str_eq(overrides, good[_i].overrides);
    } else {
        ck_assert_ptr_null(overrides);
    }
}
END_TEST

static const struct {
    const char *words[3];
    const char *reason;
} bad[] = {
    {{"TLSv1.4"}, "SSLProtocol: Illegal protocol 'TLSv1.4'"},
    {{"+SSLv3"}, "SSLProtocol: SSLv3 is not supported by this version of OpenSSL"},
    {{"SSLv2"}, "SSLProtocol: SSLv2 is no longer supported"},
    {{"-all"}, "SSLProtocol: no protocol is left to accept"},
    {{"TLSv1.2", "-TLSv1.2"}, "SSLProtocol: no protocol is left to accept"},
    {{"all", "*TLSv1"}, "SSLProtocol: Illegal protocol '*TLSv1'"},
};

KVC_LOOP_TEST(parse_case, refuses_what_httpd_refuses, 0, KVU_COUNT(bad))
{
    int argc = 0, protocols = T12;
    const char *overrides;

    while (argc < 3 && bad[_i].words[argc]) {
        argc++;
    }
    ck_assert_str_eq(ssl_parse_protocols(pool, argc, bad[_i].words, &protocols, &overrides),
                     bad[_i].reason);
    ck_assert_int_eq(protocols, T12); /* untouched */
}
END_TEST

KVC_TEST(parse_case, lowest_highest_and_cipher_protocol)
{
    ck_assert_int_eq(ssl_protocol_lowest(T12 | T13), T12);
    ck_assert_int_eq(ssl_protocol_highest(T12 | T13), T13);
    ck_assert_int_eq(ssl_protocol_lowest(SSL_PROTO_ALL), SSL_PROTO_TLSV1);
    ck_assert_int_eq(ssl_protocol_highest(T12), T12);
    ck_assert_int_eq(ssl_parse_cipher_protocol("TLSv1.3"), 1);
    ck_assert_int_eq(ssl_parse_cipher_protocol("SSL"), 0);
    ck_assert_int_eq(ssl_parse_cipher_protocol("TLSv1.2"), -1);
}
END_TEST

int main(void)
{
    return kvu_run_apr("ssl_parse");
}
