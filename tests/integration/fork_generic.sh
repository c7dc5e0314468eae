#!/bin/sh
# The MPM-independent integration tests, run again under the fork MPM: serving, keep-alive,
# listeners at stops and restarts (test_listeners) and restarts seen by clients. Left out by
# design:
# - test_lifecycle's test_crashed_child_is_logged_and_replaced: it waits for idle children and
#   for a crashed one to be replaced; fork has no idle children, and a child that dies ends
#   only its own connection (the next connection gets a new child anyway).
# - test_prefork: its MPM-neutral part configures worker's ThreadsPerChild/MinSpareThreads for
#   any MPM but prefork, which fork does not know; test_fork covers stop, restarts and -X.
# test_reqtimeout, test_logio: RequestReadTimeout and %I/%O hold under this MPM too.
status=0
for t in test_http test_keepalive test_listeners test_reqtimeout test_logio; do
    KVT_MPM=fork ./tests/integration/$t || status=1
done
for name in test_graceful_restarts_under_load_lose_nothing test_download_spans_graceful_restart \
        test_draining_children_leave_slots_to_new_generation \
        test_graceful_shutdown_timeout_bounds_restart_drain test_k_graceful_waits_and_reports_errors \
        test_k_graceful_syntax_error_file_line test_t_shows_clamped_limits \
        test_signal_storm_leaves_a_serving_server; do
    KVT_MPM=fork KVT_TEST=$name ./tests/integration/test_lifecycle || status=1
done
exit $status
