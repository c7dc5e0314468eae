/* Tests of server/process/scoreboard.c: slots, limits, updates, and sharing with a child
 * process. */
/* Moved from tests/unit/server/test_scoreboard.c (server/ split into layer folders). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "kv_scoreboard.h"
#include "../../check_run.h"

static apr_pool_t *pool;

KVU_POOL_CASE(scoreboard_case, "scoreboard", pool);

KVC_TEST(scoreboard_case, create_sets_limits_and_zeroes_slots)
{
    ck_assert_int_eq(kv_scoreboard_create(pool, 4, 2), APR_SUCCESS);
    ck_assert_int_eq(kv_scoreboard_server_limit(), 4);
    ck_assert_int_eq(kv_scoreboard_thread_limit(), 2);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(kv_scoreboard_process(i)->pid, 0);
        for (int t = 0; t < 2; t++) {
            ck_assert_int_eq(kv_scoreboard_worker(i, t)->status, KV_SB_DEAD);
        }
    }
    ck_assert_ptr_null(kv_scoreboard_process(4));
    ck_assert_ptr_null(kv_scoreboard_process(-1));
    ck_assert_ptr_null(kv_scoreboard_worker(0, 2));
    ck_assert_ptr_null(kv_scoreboard_worker(4, 0));
}
END_TEST

KVC_TEST(scoreboard_case, second_create_keeps_the_first)
{
    ck_assert_int_eq(kv_scoreboard_create(pool, 3, 1), APR_SUCCESS);
    kv_scoreboard_process(2)->pid = 1234;
    ck_assert_int_eq(kv_scoreboard_create(pool, 3, 1), APR_SUCCESS);
    ck_assert_int_eq(kv_scoreboard_process(2)->pid, 1234);
    ck_assert_int_eq(kv_scoreboard_create(pool, 8, 1), APR_EINVAL);
    ck_assert_int_eq(kv_scoreboard_server_limit(), 3);
    ck_assert_int_eq(kv_scoreboard_process(2)->pid, 1234);
}
END_TEST

KVC_TEST(scoreboard_case, another_mpm_replaces_it_keeping_children_and_totals)
{
    unsigned long accesses;
    apr_off_t bytes;

    ck_assert_int_eq(kv_scoreboard_create_for(pool, "prefork", 4, 1), APR_SUCCESS);
    kv_scoreboard_process(3)->pid = 4321;
    kv_scoreboard_process(3)->generation = 2;
    kv_scoreboard_worker(3, 0)->access_count = 7;
    kv_scoreboard_worker(3, 0)->bytes_served = 700;
    /* the same MPM keeps it, limits and all */
    ck_assert_int_eq(kv_scoreboard_create_for(pool, "prefork", 8, 1), APR_EINVAL);
    ck_assert_int_eq(kv_scoreboard_create_for(pool, "event", 2, 3), APR_SUCCESS);
    ck_assert_int_eq(kv_scoreboard_server_limit(), 2);
    ck_assert_int_eq(kv_scoreboard_thread_limit(), 3);
    ck_assert_int_eq(kv_scoreboard_process(0)->pid, 4321);
    ck_assert_int_eq(kv_scoreboard_process(0)->generation, 2);
    ck_assert_int_eq(kv_scoreboard_process(0)->quiescing, 1);
    ck_assert_int_eq(kv_scoreboard_process(1)->pid, 0);
    ck_assert_int_eq(kv_scoreboard_worker(0, 0)->access_count, 0);
    kv_scoreboard_retired(&accesses, &bytes);
    ck_assert_uint_eq(accesses, 7);
    ck_assert_int_eq(bytes, 700);
}
END_TEST

KVC_TEST(scoreboard_case, bad_limits_are_refused)
{
    ck_assert_int_eq(kv_scoreboard_create(pool, 0, 1), APR_EINVAL);
    ck_assert_int_eq(kv_scoreboard_create(pool, 1, 0), APR_EINVAL);
    ck_assert_int_eq(kv_scoreboard_server_limit(), 0);
}
END_TEST

KVC_TEST(scoreboard_case, destroying_the_pool_forgets_it)
{
    apr_pool_t *p;

    apr_pool_create(&p, pool);
    ck_assert_int_eq(kv_scoreboard_create(p, 2, 1), APR_SUCCESS);
    apr_pool_destroy(p);
    ck_assert_int_eq(kv_scoreboard_server_limit(), 0);
    ck_assert_ptr_null(kv_scoreboard_process(0));
    ck_assert_int_eq(kv_scoreboard_create(pool, 5, 1), APR_SUCCESS);
    ck_assert_int_eq(kv_scoreboard_server_limit(), 5);
}
END_TEST

KVC_TEST(scoreboard_case, update_uses_proc_times_threads_slots)
{
    ck_assert_int_eq(kv_scoreboard_create(pool, 2, 3), APR_SUCCESS);
    kv_request_t r = {0};

    r.request_time = apr_time_from_sec(1000);
    r.the_request = "GET / HTTP/1.1";
    kv_scoreboard_update(1 * 3 + 2, KV_SB_READ, NULL);
    ck_assert_int_eq(kv_scoreboard_worker(1, 2)->last_used, 0);
    kv_scoreboard_update(1 * 3 + 2, KV_SB_WRITE, &r);
    ck_assert_int_eq(kv_scoreboard_worker(1, 2)->status, KV_SB_WRITE);
    ck_assert_int_eq(kv_scoreboard_worker(1, 2)->last_used, apr_time_from_sec(1000));
    ck_assert_str_eq(kv_scoreboard_worker(1, 2)->request, "GET / HTTP/1.1");
    ck_assert_int_eq(kv_scoreboard_worker(1, 1)->status, KV_SB_DEAD);
    /* -1 and out of range are ignored */
    kv_scoreboard_update(-1, KV_SB_READ, NULL);
    kv_scoreboard_update(6, KV_SB_READ, NULL);
    kv_scoreboard_count_request(6, 10);
    for (int i = 0; i < 2; i++) {
        for (int t = 0; t < 3; t++) {
            ck_assert_int_ne(kv_scoreboard_worker(i, t)->status, KV_SB_READ);
        }
    }
}
END_TEST

KVC_TEST(scoreboard_case, update_records_the_request_truncated)
{
    kv_conn_t c;
    kv_request_t r;
    char line[300];

    memset(&c, 0, sizeof(c));
    memset(&r, 0, sizeof(r));
    memset(line, 'a', sizeof(line) - 1);
    line[sizeof(line) - 1] = '\0';
    c.client_ip = "127.0.0.1";
    r.connection = &c;
    r.the_request = line;
    ck_assert_int_eq(kv_scoreboard_create(pool, 1, 1), APR_SUCCESS);
    kv_scoreboard_update(0, KV_SB_READ, &r);
    ck_assert_str_eq(kv_scoreboard_worker(0, 0)->client, "127.0.0.1");
    ck_assert_uint_eq(strlen(kv_scoreboard_worker(0, 0)->request),
                      sizeof(kv_scoreboard_worker(0, 0)->request) - 1);
    r.the_request = "GET / HTTP/1.1";
    kv_scoreboard_update(0, KV_SB_WRITE, &r);
    ck_assert_str_eq(kv_scoreboard_worker(0, 0)->request, "GET / HTTP/1.1");
}
END_TEST

KVC_TEST(scoreboard_case, count_request_adds_up)
{
    ck_assert_int_eq(kv_scoreboard_create(pool, 1, 1), APR_SUCCESS);
    kv_scoreboard_count_request(0, 100);
    kv_scoreboard_count_request(0, 23);
    ck_assert_uint_eq(kv_scoreboard_worker(0, 0)->access_count, 2);
    ck_assert_int_eq(kv_scoreboard_worker(0, 0)->bytes_served, 123);
}
END_TEST

KVC_TEST(scoreboard_case, a_child_writes_what_the_parent_reads)
{
    pid_t pid;
    int status = 0;

    ck_assert_int_eq(kv_scoreboard_create(pool, 2, 1), APR_SUCCESS);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        kv_scoreboard_process(1)->pid = getpid();
        kv_scoreboard_update(1, KV_SB_KEEPALIVE, NULL);
        _exit(0);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_int_eq(kv_scoreboard_process(1)->pid, pid);
    ck_assert_int_eq(kv_scoreboard_worker(1, 0)->status, KV_SB_KEEPALIVE);
}
END_TEST

KVC_TEST(scoreboard_case, restarts_are_counted_by_kind)
{
    apr_time_t before = apr_time_now(), started;

    ck_assert_int_eq(kv_scoreboard_create(pool, 1, 1), APR_SUCCESS);
    started = kv_scoreboard_start_time();
    ck_assert(started != 0);
    ck_assert(kv_scoreboard_restart_time() >= started);
    kv_scoreboard_note_restart(KV_SB_RESTART_GRACEFUL);
    kv_scoreboard_note_restart(KV_SB_RESTART_GRACEFUL);
    kv_scoreboard_note_restart(KV_SB_RESTART_HARD);
    kv_scoreboard_note_restart(KV_SB_RESTART_KINDS);
    ck_assert_uint_eq(kv_scoreboard_restarts(KV_SB_RESTART_GRACEFUL), 2);
    ck_assert_uint_eq(kv_scoreboard_restarts(KV_SB_RESTART_HARD), 1);
    ck_assert_uint_eq(kv_scoreboard_restarts(KV_SB_RESTART_KINDS), 0);
    ck_assert(kv_scoreboard_restart_time() >= before);
    ck_assert(kv_scoreboard_start_time() == started);
}
END_TEST

KVC_TEST(scoreboard_case, retiring_a_worker_keeps_its_counts)
{
    unsigned long accesses;
    apr_off_t bytes;

    ck_assert_int_eq(kv_scoreboard_create(pool, 2, 1), APR_SUCCESS);
    kv_scoreboard_retired(&accesses, &bytes);
    ck_assert_uint_eq(accesses, 0);
    kv_scoreboard_count_request(1, 100);
    kv_scoreboard_count_request(1, 20);
    kv_scoreboard_retire_worker(1, 0);
    kv_scoreboard_retire_worker(2, 0);
    ck_assert_uint_eq(kv_scoreboard_worker(1, 0)->access_count, 0);
    ck_assert_int_eq(kv_scoreboard_worker(1, 0)->bytes_served, 0);
    kv_scoreboard_count_request(1, 5);
    kv_scoreboard_retire_worker(1, 0);
    kv_scoreboard_retired(&accesses, &bytes);
    ck_assert_uint_eq(accesses, 3);
    ck_assert_int_eq(bytes, 125);
}
END_TEST

int main(void)
{
    return kvc_run("scoreboard");
}
