/* Tests of modules/ssl/ssl_sni_name.c: the host name of a ClientHello's server_name
 * extension (RFC 6066 section 3), and the malformed bodies that give none. */
#include <check.h>
#include <string.h>

#include <apr_general.h>

#include "ssl_sni_name.h"
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

KVU_CASE(sni_case, "ssl_sni_name", setup, teardown);

/* An extension body: its bytes (string literals hold NULs here, so the length is given; a
 * literal is split where a hex escape would run into the letters after it). */
static const struct {
    const char *bytes;
    size_t len;
    const char *name; /* NULL: refused */
} bodies[] = {
    /* list of 13: host_name (0), length 10, "other.test" */
    {"\x00\x0d\x00\x00\x0aother.test", 15, "other.test"},
    {"\x00\x04\x00\x00\x01x", 6, "x"},
    /* an unknown name type first is skipped */
    {"\x00\x0a\x07\x00\x02zz\x00\x00\x02"
     "ab",
     12, "ab"},
    /* an empty body, a lone length, a list length that is not the body's */
    {"", 0, NULL},
    {"\x00", 1, NULL},
    {"\x00\x0e\x00\x00\x0aother.test", 15, NULL},
    {"\x00\x0c\x00\x00\x0aother.test", 15, NULL},
    /* a name longer than the list, an empty name, a NUL in the name */
    {"\x00\x06\x00\x00\x09"
     "abc",
     8, NULL},
    {"\x00\x03\x00\x00\x00", 5, NULL},
    {"\x00\x06\x00\x00\x03"
     "a\x00"
     "b",
     8, NULL},
    /* no host_name at all; an entry cut short */
    {"\x00\x05\x07\x00\x02zz", 7, NULL},
    {"\x00\x02\x00\x00", 4, NULL},
};

KVC_LOOP_TEST(sni_case, host_name_or_refusal, 0, KVU_COUNT(bodies))
{
    const char *name = ssl_sni_name(pool, (const unsigned char *)bodies[_i].bytes, bodies[_i].len);

    if (bodies[_i].name) {
        ck_assert_ptr_nonnull(name);
        ck_assert_str_eq(name, bodies[_i].name);
    } else {
        ck_assert_ptr_null(name);
    }
}
END_TEST

/* A name of 255 bytes is the longest taken. */
KVC_TEST(sni_case, longest_name)
{
    unsigned char body[2 + 3 + 256];
    char want[256];

    memset(want, 'a', 255);
    want[255] = '\0';
    for (size_t n = 255; n <= 256; n++) {
        body[0] = (unsigned char)((n + 3) >> 8);
        body[1] = (unsigned char)((n + 3) & 0xff);
        body[2] = 0;
        body[3] = (unsigned char)(n >> 8);
        body[4] = (unsigned char)(n & 0xff);
        memset(body + 5, 'a', n);
        if (n == 255) {
            ck_assert_str_eq(ssl_sni_name(pool, body, 5 + n), want);
        } else {
            ck_assert_ptr_null(ssl_sni_name(pool, body, 5 + n));
        }
    }
}
END_TEST

int main(void)
{
    return kvu_run_apr("ssl_sni_name");
}
