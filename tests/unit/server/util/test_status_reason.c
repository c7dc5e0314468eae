/* Tests of server/util/status_reason.c. */
/* Moved from tests/unit/server/test_status_reason.c (server/ split into layer folders). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "kv_http.h"
#include "../../check_run.h"

KVU_CASE(reasons, "reasons", NULL, NULL);

KVC_TEST(reasons, known_codes_have_their_rfc_phrase)
{
    ck_assert_str_eq(kv_status_reason(200), "OK");
    ck_assert_str_eq(kv_status_reason(100), "Continue");
    ck_assert_str_eq(kv_status_reason(301), "Moved Permanently");
    ck_assert_str_eq(kv_status_reason(404), "Not Found");
    ck_assert_str_eq(kv_status_reason(414), "Request-URI Too Long");
    ck_assert_str_eq(kv_status_reason(505), "HTTP Version Not Supported");
}
END_TEST

KVC_TEST(reasons, unknown_codes_have_none)
{
    ck_assert_ptr_null(kv_status_reason(0));
    ck_assert_ptr_null(kv_status_reason(299));
    ck_assert_ptr_null(kv_status_reason(600));
    ck_assert_ptr_null(kv_status_reason(-1));
}
END_TEST

int main(void)
{
    return kvc_run("status_reason");
}
