/* Tests of modules/ssl/ssl_pha_rule.c: what a directory's SSLVerifyClient and SSLVerifyDepth
 * need, and when the client must be asked (again) after the handshake. */
#include <check.h>

#include "kiva.h"
#include "ssl_pha_rule.h"
#include "ssl_verify.h"
#include "../check_run.h"

KVU_CASE(pha_rule_case, "ssl_pha_rule", NULL, NULL);

#define UNSET KV_UNSET_INT

/* The directory's level wins for the verification, the server's require stays strict, the
 * directory's depth wins, and none anywhere asks for nothing. */
KVC_TEST(pha_rule_case, need_merges_server_and_directory)
{
    ssl_pha_need_t need;

    ck_assert_int_eq(ssl_pha_need(UNSET, UNSET, UNSET, UNSET, &need), 0);
    ck_assert_int_eq(
        ssl_pha_need(SSL_VERIFY_CLIENT_OPTIONAL, SSL_VERIFY_CLIENT_NONE, UNSET, 3, &need), 0);
    ck_assert_int_eq(ssl_pha_need(UNSET, SSL_VERIFY_CLIENT_REQUIRE, 4, UNSET, &need), 1);
    ck_assert_int_eq(need.level, SSL_VERIFY_CLIENT_REQUIRE);
    ck_assert_int_eq(need.strict, 1);
    ck_assert_int_eq(need.depth, 4);
    ck_assert_int_eq(
        ssl_pha_need(SSL_VERIFY_CLIENT_REQUIRE, SSL_VERIFY_CLIENT_OPTIONAL_NO_CA, UNSET, 0, &need),
        1);
    ck_assert_int_eq(need.level, SSL_VERIFY_CLIENT_OPTIONAL_NO_CA);
    ck_assert_int_eq(need.strict, 1);
    ck_assert_int_eq(need.depth, 0);
    ck_assert_int_eq(
        ssl_pha_need(SSL_VERIFY_CLIENT_REQUIRE, SSL_VERIFY_CLIENT_NONE, UNSET, UNSET, &need), 1);
    ck_assert_int_eq(need.level, SSL_VERIFY_CLIENT_REQUIRE);
    ck_assert_int_eq(need.depth, SSL_VERIFY_DEPTH_DEFAULT);
    ck_assert_int_eq(ssl_pha_need(UNSET, SSL_VERIFY_CLIENT_OPTIONAL, UNSET, UNSET, &need), 1);
    ck_assert_int_eq(need.strict, 0);
}
END_TEST

/* Asked when never asked; require asks again without a verified certificate, optional does
 * not; a verified one satisfies require; a smaller depth asks again (httpd). */
KVC_TEST(pha_rule_case, must_ask_when_the_connection_lacks_it)
{
    ssl_pha_need_t require = {SSL_VERIFY_CLIENT_REQUIRE, 1, 1};
    ssl_pha_need_t optional = {SSL_VERIFY_CLIENT_OPTIONAL, 0, 1};
    ssl_pha_need_t shallow = {SSL_VERIFY_CLIENT_REQUIRE, 1, 0};
    ssl_pha_have_t never = {0, 0, 0, 1};
    ssl_pha_have_t none_given = {1, 0, 0, 1};
    ssl_pha_have_t verified = {1, 1, 1, 1};
    ssl_pha_have_t unverified = {1, 0, 1, 1};

    ck_assert_int_eq(ssl_pha_must_ask(&require, &never), 1);
    ck_assert_int_eq(ssl_pha_must_ask(&optional, &never), 1);
    ck_assert_int_eq(ssl_pha_must_ask(&require, &none_given), 1);
    ck_assert_int_eq(ssl_pha_must_ask(&optional, &none_given), 0);
    ck_assert_int_eq(ssl_pha_must_ask(&require, &verified), 0);
    ck_assert_int_eq(ssl_pha_must_ask(&require, &unverified), 1);
    ck_assert_int_eq(ssl_pha_must_ask(&optional, &unverified), 0);
    ck_assert_int_eq(ssl_pha_must_ask(&shallow, &verified), 1);
    ck_assert_int_eq(ssl_pha_must_ask(&shallow, &none_given), 1);
}
END_TEST

int main(void)
{
    return kvc_run("ssl_pha_rule");
}
