/* Tests of modules/expires/expires_code.c: expiry codes in both syntaxes, the code for a
 * media type, the expiry time. */
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <check.h>

#include "expires_code.h"
#include "../check_run.h"

static apr_pool_t *pool;

#define DAY (60L * 60 * 24)

static const struct {
    const char *text;
    char base;    /* 0: refused */
    long seconds;
    const char *reason; /* part of the reason when refused */
} codes[] = {
    {"A3600", 'A', 3600, NULL},
    {"M0", 'M', 0, NULL},
    {"A2147483647", 'A', 2147483647L, NULL},
    {"access plus 1 month 2 days", 'A', 32 * DAY, NULL},
    {"now plus 1 year", 'A', 365 * DAY, NULL},
    {"modification plus 1 day 2 hours", 'M', DAY + 7200, NULL},
    {"access 90 seconds", 'A', 90, NULL}, /* "plus" is optional */
    {"Access Plus 2 Weeks 3 Minutes 1 second", 'A', 14 * DAY + 181, NULL},
    {"access plus 1 mo", 'A', 30 * DAY, NULL}, /* httpd's two letters */
    {"access plus 1 mi", 'A', 60, NULL},
    {"access plus 1 y 1 w 1 d 1 h 1 s", 'A', 365 * DAY + 7 * DAY + DAY + 3600 + 1, NULL},
    {"access", 'A', 0, NULL},
    {"modification\tplus  2 days", 'M', 2 * DAY, NULL},
    {"A", 'A', 0, NULL}, /* the word "A" is access, as in httpd */
    {"Access plus 1 day", 'A', DAY, NULL}, /* httpd: the old form, 0 seconds */
    {"Modification plus 1 hour", 'M', 3600, NULL},
    {"A36x0", 0, 0, "bad expires code"},
    {"A2147483648", 0, 0, "bad expires code"},
    {"", 0, 0, "unrecognised <base> ''"},
    {"later plus 1 day", 0, 0, "unrecognised <base> 'later'"},
    {"access plus day", 0, 0, "numeric value expected <num> 'day'"},
    {"access plus 1", 0, 0, "missing <type>"},
    {"access plus 1 m", 0, 0, "unrecognised <type> 'm'"},
    {"access plus 1 fortnight", 0, 0, "unrecognised <type> 'fortnight'"},
    {"access plus -1 days", 0, 0, "numeric value expected <num> '-1'"},
    {"access plus 69 years", 0, 0, "more than 2147483647 seconds"},
    {"access plus 68 years 1 year", 0, 0, "more than 2147483647 seconds"},
};

KVU_POOL_CASE(core, "core", pool);

KVC_LOOP_TEST(core, test_parse_code, 0, (int)(sizeof(codes) / sizeof(codes[0])))
{
    ex_code_t code = {'X', -5};
    const char *err = ex_parse_code(pool, codes[_i].text, &code);

    if (codes[_i].base) {
        ck_assert_msg(!err, "%s: %s", codes[_i].text, err);
        ck_assert_int_eq(code.base, codes[_i].base);
        ck_assert_int_eq(code.seconds, codes[_i].seconds);
    } else {
        ck_assert_msg(err && strstr(err, codes[_i].reason), "%s: %s, want \"%s\"", codes[_i].text,
                      err ? err : "accepted", codes[_i].reason);
        ck_assert_int_eq(code.base, 'X'); /* nothing changed */
    }
}
END_TEST

KVC_TEST(core, test_code_for_type)
{
    apr_hash_t *h = apr_hash_make(pool);
    ex_code_t html = {'A', 60}, image = {'M', 86400}, png = {'A', 5}, fallback = {'A', 3600};

    ck_assert_ptr_null(ex_type_key(pool, "html"));
    ck_assert_str_eq(ex_type_key(pool, "Text/HTML"), "text/html");
    apr_hash_set(h, ex_type_key(pool, "text/html"), APR_HASH_KEY_STRING, &html);
    apr_hash_set(h, ex_type_key(pool, "image/*"), APR_HASH_KEY_STRING, &image);
    apr_hash_set(h, ex_type_key(pool, "image/png"), APR_HASH_KEY_STRING, &png);
    ck_assert_ptr_eq(ex_code_for_type(pool, h, "text/html", &fallback), &html);
    ck_assert_ptr_eq(ex_code_for_type(pool, h, "TEXT/Html; charset=UTF-8", &fallback), &html);
    ck_assert_ptr_eq(ex_code_for_type(pool, h, "image/png", &fallback), &png);
    ck_assert_ptr_eq(ex_code_for_type(pool, h, "image/gif", &fallback), &image);
    ck_assert_ptr_eq(ex_code_for_type(pool, h, "text/plain", &fallback), &fallback);
    ck_assert_ptr_null(ex_code_for_type(pool, h, "text/plain", NULL));
    ck_assert_ptr_eq(ex_code_for_type(pool, h, NULL, &fallback), &fallback);
    ck_assert_ptr_eq(ex_code_for_type(pool, h, "bogus", &fallback), &fallback);
}
END_TEST

KVC_TEST(core, test_expires_at)
{
    apr_time_t now = apr_time_from_sec(1800000000), old = now - apr_time_from_sec(7200);
    ex_code_t access = {'A', 60}, mod_hour = {'M', 3600}, mod_day = {'M', 86400};

    ck_assert(ex_expires_at(&access, now, 0, 0) == now + apr_time_from_sec(60));
    ck_assert(ex_expires_at(&mod_day, now, 1, old) == old + apr_time_from_sec(86400));
    /* Already past: now, never before the request (max-age=0). */
    ck_assert(ex_expires_at(&mod_hour, now, 1, old) == now);
    /* By modification time but no file: none. */
    ck_assert(ex_expires_at(&mod_day, now, 0, old) == 0);
}
END_TEST

int main(void)
{
    return kvc_run("expires_code");
}
