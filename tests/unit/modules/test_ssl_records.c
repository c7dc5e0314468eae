/* Tests of modules/ssl/ssl_records.c: small records for the first bytes after a pause, full
 * ones for bulk. */
#include <check.h>

#include <apr_general.h>

#include "ssl_records.h"
#include "../check_run.h"

KVU_CASE(records_case, "ssl_records", NULL, NULL);

#define T0 apr_time_from_sec(1000)

/* A new connection's first 16 KiB go in segment-sized records, then full ones. */
KVC_TEST(records_case, first_bytes_small_then_full)
{
    ssl_records_t r = {0, 0};
    apr_size_t sent = 0;
    int small = 0;

    while (sent < 64 * 1024) {
        apr_size_t n = ssl_record_size(&r, T0);

        if (sent < SSL_RECORD_SMALL_BUDGET) {
            ck_assert_uint_eq(n, SSL_RECORD_SMALL);
            small++;
        } else {
            ck_assert_uint_eq(n, SSL_RECORD_FULL);
        }
        ssl_records_sent(&r, n, T0);
        sent += n;
    }
    ck_assert_int_eq(small, (SSL_RECORD_SMALL_BUDGET + SSL_RECORD_SMALL - 1) / SSL_RECORD_SMALL);
}
END_TEST

/* A pause of over a second starts small again; a shorter one does not. */
KVC_TEST(records_case, pause_starts_small_again)
{
    ssl_records_t r = {0, 0};

    ssl_records_sent(&r, ssl_record_size(&r, T0), T0);
    ssl_records_sent(&r, 20000, T0); /* past the budget */
    ck_assert_uint_eq(ssl_record_size(&r, T0 + apr_time_from_msec(500)), SSL_RECORD_FULL);
    ssl_records_sent(&r, 100, T0 + apr_time_from_msec(500));
    ck_assert_uint_eq(ssl_record_size(&r, T0 + apr_time_from_msec(1400)), SSL_RECORD_FULL);
    ck_assert_uint_eq(ssl_record_size(&r, T0 + apr_time_from_msec(2600)), SSL_RECORD_SMALL);
}
END_TEST

/* A write that takes less than a record counts what went. */
KVC_TEST(records_case, partial_writes_count_what_went)
{
    ssl_records_t r = {0, 0};

    ck_assert_uint_eq(ssl_record_size(&r, T0), SSL_RECORD_SMALL);
    ssl_records_sent(&r, SSL_RECORD_SMALL_BUDGET - 1, T0);
    ck_assert_uint_eq(ssl_record_size(&r, T0), SSL_RECORD_SMALL);
    ssl_records_sent(&r, 1, T0);
    ck_assert_uint_eq(ssl_record_size(&r, T0), SSL_RECORD_FULL);
}
END_TEST

int main(void)
{
    return kvu_run_apr("ssl_records");
}
