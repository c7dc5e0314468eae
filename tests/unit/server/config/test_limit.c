/* Tests of server/config/limit.c: method bits as <Limit> and the access modules use them. */
/* Moved from tests/unit/server/test_limit.c (server/ split into layer folders). */
#include <stdlib.h>

#include <check.h>

#include "kv_config.h"
#include "kv_http.h"
#include "../../check_run.h"

static kv_request_t request(const char *method, kv_method_t number)
{
    kv_request_t r = {0};

    r.method = method;
    r.method_number = number;
    return r;
}

KVU_CASE(limit_case, "limit", NULL, NULL);

KVC_TEST(limit_case, bits)
{
    kv_method_mask_t get = kv_method_bit("GET"), post = kv_method_bit("POST");
    kv_method_mask_t foo = kv_method_bit("FOO"), bar = kv_method_bit("BAR");
    kv_request_t r;

    ck_assert(get && post && foo && bar);
    ck_assert(get != post && foo != bar && foo != get);
    ck_assert(kv_method_bit("HEAD") == get);
    ck_assert(kv_method_bit("FOO") == foo);
    ck_assert(kv_method_bit("get") != get); /* methods are case-sensitive */
    r = request("HEAD", KV_M_HEAD);
    ck_assert(kv_request_method_bit(&r) == get);
    r = request("FOO", KV_M_OTHER);
    ck_assert(kv_request_method_bit(&r) == foo);
    ck_assert(kv_method_in(foo | post, &r));
    ck_assert(!kv_method_in(~foo, &r));
    /* A method no configuration named is only in "every method" and <LimitExcept>. */
    r = request("NEVER-NAMED", KV_M_OTHER);
    ck_assert(kv_method_in(KV_METHODS_ALL, &r));
    ck_assert(kv_method_in(~(get | post), &r));
    ck_assert(!kv_method_in(get | post | foo | bar, &r));
    ck_assert(kv_method_bit("A-METHOD-NAME-LONGER-THAN-THIRTY-ONE") == 0);
}
END_TEST

int main(void)
{
    return kvc_run("limit");
}
