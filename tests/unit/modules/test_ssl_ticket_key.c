/* Tests of modules/ssl/ssl_ticket_key.c: the keys of rotation periods derived from a secret
 * (the same in every process, another for each period and each secret), httpd's key file
 * layout, and the period a time falls in. */
#include <check.h>
#include <string.h>

#include "ssl_ticket_key.h"
#include "../check_run.h"

KVU_CASE(key_case, "ssl_ticket_key", NULL, NULL);

static const unsigned char secret_a[SSL_TICKET_SECRET_LEN] = "kiva ticket secret one, 32 bytes";
static const unsigned char secret_b[SSL_TICKET_SECRET_LEN] = "kiva ticket secret two, 32 bytes";

static int same_key(const ssl_ticket_key_t *x, const ssl_ticket_key_t *y)
{
    return memcmp(x->name, y->name, sizeof(x->name)) == 0 &&
           memcmp(x->aes, y->aes, sizeof(x->aes)) == 0 &&
           memcmp(x->hmac, y->hmac, sizeof(x->hmac)) == 0;
}

KVC_TEST(key_case, a_period_has_one_key_per_secret)
{
    ssl_ticket_key_t k1, k1_again, k2, other;

    ck_assert(ssl_ticket_key_derive(secret_a, 1000, &k1));
    ck_assert(ssl_ticket_key_derive(secret_a, 1000, &k1_again));
    ck_assert(ssl_ticket_key_derive(secret_a, 1001, &k2));
    ck_assert(ssl_ticket_key_derive(secret_b, 1000, &other));
    ck_assert(same_key(&k1, &k1_again));
    ck_assert_uint_eq(k1.aes_len, 32);
    ck_assert_uint_eq(k1.hmac_len, 32);
    ck_assert(memcmp(k1.name, k2.name, sizeof(k1.name)) != 0);
    ck_assert(memcmp(k1.aes, k2.aes, sizeof(k1.aes)) != 0);
    ck_assert(memcmp(k1.hmac, k2.hmac, sizeof(k1.hmac)) != 0);
    ck_assert(memcmp(k1.name, other.name, sizeof(k1.name)) != 0);
    ck_assert(memcmp(k1.aes, other.aes, sizeof(k1.aes)) != 0);
    /* The name a ticket shows in clear is not a piece of its keys. */
    ck_assert(memcmp(k1.name, k1.aes, sizeof(k1.name)) != 0);
    ck_assert(memcmp(k1.name, k1.hmac, sizeof(k1.name)) != 0);
}
END_TEST

KVC_TEST(key_case, a_key_file_is_name_hmac_then_aes)
{
    const unsigned char bytes[SSL_TICKET_KEY_FILE_LEN + 1] =
        "NNNNNNNNNNNNNNNNHHHHHHHHHHHHHHHHAAAAAAAAAAAAAAAA";
    ssl_ticket_key_t key;

    ssl_ticket_key_from_file(bytes, &key);
    ck_assert(memcmp(key.name, "NNNNNNNNNNNNNNNN", 16) == 0);
    ck_assert(memcmp(key.hmac, "HHHHHHHHHHHHHHHH", 16) == 0);
    ck_assert(memcmp(key.aes, "AAAAAAAAAAAAAAAA", 16) == 0);
    ck_assert_uint_eq(key.aes_len, 16);
    ck_assert_uint_eq(key.hmac_len, 16);
}
END_TEST

KVC_TEST(key_case, the_period_of_a_time)
{
    apr_interval_time_t hour = apr_time_from_sec(3600);

    ck_assert_uint_eq(ssl_ticket_period(apr_time_from_sec(0), hour), 0);
    ck_assert_uint_eq(ssl_ticket_period(apr_time_from_sec(3599), hour), 0);
    ck_assert_uint_eq(ssl_ticket_period(apr_time_from_sec(3600), hour), 1);
    ck_assert_uint_eq(ssl_ticket_period(apr_time_from_sec(7300), hour), 2);
    ck_assert_uint_eq(ssl_ticket_period(apr_time_from_sec(5) + 999999, apr_time_from_sec(2)), 2);
    /* A rotation under a second counts as one second. */
    ck_assert_uint_eq(ssl_ticket_period(apr_time_from_sec(7), 1000), 7);
}
END_TEST

int main(void)
{
    return kvc_run("ssl_ticket_key");
}
