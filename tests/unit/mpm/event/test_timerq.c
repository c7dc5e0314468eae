/* The event listener's timeout lists: order of expiry across lists, removal anywhere,
 * the next expiry. */
#include <check.h>
#include <stdlib.h>

#include "timerq.h"
#include "../../check_run.h"

static apr_pool_t *pool;
static timerq_t *q;

static void setup(void)
{
    kvu_apr_pool_setup(&pool);
    q = timerq_create(pool);
}

static void teardown(void)
{
    kvu_apr_pool_teardown(pool);
}

KVU_CASE(timerq_case, "timerq", setup, teardown);

KVC_TEST(timerq_case, empty_queue_has_no_expiry)
{
    ck_assert_int_eq(timerq_next(q), 0);
    ck_assert_ptr_null(timerq_pop_expired(q, 1000000));
    ck_assert_int_eq(q->count, 0);
}
END_TEST

KVC_TEST(timerq_case, expires_in_time_order_across_lists)
{
    timerq_entry_t a = {0}, b = {0}, c = {0};

    timerq_add(q, &a, 500, 1000); /* 1500 */
    timerq_add(q, &b, 100, 1100); /* 1200 */
    timerq_add(q, &c, 500, 1050); /* 1550 */
    ck_assert_int_eq(q->count, 3);
    ck_assert_int_eq(timerq_next(q), 1200);
    ck_assert_ptr_null(timerq_pop_expired(q, 1199));
    ck_assert_ptr_eq(timerq_pop_expired(q, 1600), &b);
    ck_assert_ptr_eq(timerq_pop_expired(q, 1600), &a);
    ck_assert_ptr_eq(timerq_pop_expired(q, 1600), &c);
    ck_assert_ptr_null(timerq_pop_expired(q, 1600));
    ck_assert_int_eq(q->count, 0);
    ck_assert_ptr_null(a.list);
}
END_TEST

KVC_TEST(timerq_case, remove_from_head_middle_and_tail)
{
    timerq_entry_t e[4] = {{0}};

    for (int i = 0; i < 4; i++) {
        timerq_add(q, &e[i], 10, 100 + i);
    }
    timerq_remove(q, &e[1]);
    timerq_remove(q, &e[0]);
    timerq_remove(q, &e[3]);
    timerq_remove(q, &e[3]); /* not queued any more: nothing happens */
    ck_assert_int_eq(q->count, 1);
    ck_assert_int_eq(timerq_next(q), 112);
    ck_assert_ptr_eq(timerq_pop_expired(q, 200), &e[2]);
    ck_assert_int_eq(timerq_next(q), 0);
}
END_TEST

KVC_TEST(timerq_case, entry_can_be_queued_again)
{
    timerq_entry_t a = {0};

    timerq_add(q, &a, 10, 0);
    timerq_remove(q, &a);
    timerq_add(q, &a, 20, 5);
    ck_assert_int_eq(timerq_next(q), 25);
    ck_assert_ptr_eq(timerq_pop_expired(q, 25), &a);
}
END_TEST

int main(void)
{
    return kvc_run("event timerq");
}
