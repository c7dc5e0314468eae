/* Tests of server/http/http_host.c: which Host values and authorities are valid, and what name
 * and port they give. */
/* Moved from tests/unit/server/test_http_host.c (server/ split into layer folders). */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <check.h>

#include "http_host.h"
#include "protocol.h"
#include "../../check_run.h"

static apr_pool_t *pool;

static const struct {
    const char *value;
    const char *name;
    int port;
    int ipv6;
} valid[] = {
    {"example.com", "example.com", -1, 0},
    {"Example.COM", "example.com", -1, 0},
    {"example.com:8080", "example.com", 8080, 0},
    {"example.com.", "example.com", -1, 0}, /* the DNS root, dropped as httpd does */
    {"EXAMPLE.com.:80", "example.com", 80, 0},
    {"localhost", "localhost", -1, 0},
    {"a-b_c.example", "a-b_c.example", -1, 0},
    {"-a.com", "-a.com", -1, 0}, /* httpd lets it through */
    {"a.b-", "a.b-", -1, 0},
    {"1a", "1a", -1, 0},
    {"www.1a.example", "www.1a.example", -1, 0},
    {"1.2.3.4", "1.2.3.4", -1, 0},
    {"1.2.3.4.", "1.2.3.4", -1, 0},
    {"0.0.0.0:0", "0.0.0.0", 0, 0},
    {"255.255.255.255:65535", "255.255.255.255", 65535, 0},
    {"h:00080", "h", 80, 0},
    {"h:", "h", -1, 0}, /* port = *DIGIT: empty is no port (RFC 3986 section 6.2.3) */
    {"[::1]", "::1", -1, 1},
    {"[::1]:8080", "::1", 8080, 1},
    {"[::1]:", "::1", -1, 1},
    {"[FE80::ABCD]", "fe80::abcd", -1, 1},
    {"[::ffff:1.2.3.4]", "::ffff:1.2.3.4", -1, 1},
    {"[1:2:3:4:5:6:7:8]", "1:2:3:4:5:6:7:8", -1, 1},
    {"", "", -1, 0},
};

KVU_POOL_CASE(http_host_case, "http_host", pool);

KVC_LOOP_TEST(http_host_case, valid_values, 0, sizeof(valid) / sizeof(valid[0]))
{
    kv_host_t h;
    const char *why = NULL;

    ck_assert_msg(kv_parse_host(pool, valid[_i].value, &h, &why) == 0, "'%s' refused: %s",
                  valid[_i].value, why);
    ck_assert_str_eq(h.name, valid[_i].name);
    ck_assert_int_eq(h.port, valid[_i].port);
    ck_assert_int_eq(h.ipv6, valid[_i].ipv6);
}
END_TEST

static const char *const invalid[] = {
    "a b",
    "a\tb",
    " a",
    "a/b",
    "a\\b",
    "a..b",
    ".a.com",
    "a.com..",
    ".",
    "..",
    "a<b",
    "a>b",
    "a\"b",
    "a%41",
    "a%2e.com",
    "a\001b",
    "a\177b",
    "caf\xc3\xa9.com",
    "a,b",
    "a@b",
    "user@a.com",
    "a;b",
    "a?b",
    "a#b",
    "a*b",
    "*",
    ":80",
    ":",
    "x:65536",
    "x:99999999999999999999",
    "x:+80",
    "x:-1",
    "x: 80",
    "x:8a",
    "x:0x50",
    "x:80:90",
    "a.1com",
    "a.-b",
    "a._b",
    "a.b.1",
    "123",
    "1.2.3",
    "1.2.3.4.5",
    "01.2.3.4",
    "1.2.3.04",
    "256.1.1.1",
    "1.2.3.4.:80x",
    "1.2.3.1000",
    "::1",
    "[::1",
    "::1]",
    "[::1]x",
    "[::1]80",
    "[]",
    "[]:80",
    "[1.2.3.4]",
    "[v1.x]",
    "[fe80::1%25eth0]",
    "[fe80::1%eth0]",
    "[::1::2]",
    "[12345::1]",
    "[::g]",
    "[a.com]",
    "[[::1]]",
    "[::1]:65536",
    "[0000:0000:0000:0000:0000:0000:0000:0000:0000]",
};

KVC_LOOP_TEST(http_host_case, invalid_values, 0, sizeof(invalid) / sizeof(invalid[0]))
{
    kv_host_t h;
    const char *why = NULL;

    ck_assert_msg(kv_parse_host(pool, invalid[_i], &h, &why) == -1, "'%s' accepted as '%s'",
                  invalid[_i], h.name);
    ck_assert_ptr_nonnull(why);
}
END_TEST

/* Written back, a host parses to itself; a port of 0 and leading zeros are numbers. */
KVC_TEST(http_host_case, authority_round_trip)
{
    static const struct {
        const char *value, *authority;
    } cases[] = {
        {"Example.COM.", "example.com"},
        {"a:0080", "a:80"},
        {"a:", "a"},
        {"[::FFFF:1.2.3.4]:1", "[::ffff:1.2.3.4]:1"},
        {"a:0", "a:0"},
        {"", ""},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        kv_host_t h, again;
        const char *why;
        const char *authority;

        ck_assert_int_eq(kv_parse_host(pool, cases[i].value, &h, &why), 0);
        authority = kv_host_authority(pool, &h);
        ck_assert_str_eq(authority, cases[i].authority);
        ck_assert_int_eq(kv_parse_host(pool, authority, &again, &why), 0);
        ck_assert_str_eq(again.name, h.name);
        ck_assert_int_eq(again.port, h.port);
        ck_assert_int_eq(again.ipv6, h.ipv6);
    }
}
END_TEST

/* The authority of an absolute-form target is held to the same rules as the Host field. */
KVC_TEST(http_host_case, absolute_form_authority)
{
    static const char *const refused[] = {
        "http://a..b/",  "http://a%41/",  "http://:80/",       "http://[v1.x]/", "http://x:+80/",
        "http://x:0x1/", "http://1.2.3/", "http://256.1.1.1/", "http://[::1]x/", "http:///p",
    };
    const char *path, *args, *host;

    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        ck_assert_msg(kv_split_target(pool, refused[i], &path, &args, &host) == 400,
                      "'%s' accepted", refused[i]);
    }
    ck_assert_int_eq(kv_split_target(pool, "http://[::1]:8080/p", &path, &args, &host), 0);
    ck_assert_str_eq(host, "[::1]:8080");
    ck_assert_int_eq(kv_split_target(pool, "http://Example.COM./p", &path, &args, &host), 0);
    ck_assert_str_eq(host, "Example.COM.");
}
END_TEST

int main(void)
{
    return kvc_run("http_host");
}
